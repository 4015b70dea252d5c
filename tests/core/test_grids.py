"""The sample grids written with einops (issue 17, item 7) lay out pixels and generator inputs exactly as the
hand-written view/permute/reshape and repeat_interleave/repeat did (kept below as the reference)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from condgan.sampling import grid_inputs
from condgan.visual import grid_pixels


def old_grid_pixels(images, rows, cols):
    x = images.detach().float().cpu().clamp(-1, 1).add(1).div(2)
    n, c, h, w = x.shape
    return x.view(rows, cols, c, h, w).permute(0, 3, 1, 4, 2).reshape(rows * h, cols * w, c).numpy()


@pytest.mark.parametrize("rows,cols,c,h,w", [(1, 1, 1, 2, 2), (3, 4, 1, 5, 7), (2, 5, 3, 4, 4), (4, 1, 3, 3, 2)])
def test_grid_pixels_unchanged(rows, cols, c, h, w):
    images = torch.randn(rows * cols, c, h, w, generator=torch.Generator().manual_seed(rows * 31 + cols))
    new = grid_pixels(images, rows, cols)
    np.testing.assert_array_equal(new, old_grid_pixels(images, rows, cols))
    # and the layout means what the docstring says: tile (r, k) is image r*cols + k
    r, k = rows - 1, cols - 1
    np.testing.assert_array_equal(new[r * h:(r + 1) * h, k * w:(k + 1) * w],
                                  images[r * cols + k].clamp(-1, 1).add(1).div(2).permute(1, 2, 0).numpy())


def test_class_columns_grid_layout_unchanged(monkeypatch, tmp_path):
    """class_columns_grid: one column per class, a class's first ``rows`` samples down its column, blanks below."""
    import condgan.visual as V

    seen = {}
    monkeypatch.setattr(V, "image_grid", lambda grid, rows, cols, *a, **k: seen.update(grid=grid, rows=rows, cols=cols))
    images = torch.randn(10, 1, 2, 2, generator=torch.Generator().manual_seed(0))
    classes = torch.tensor([0, 2, 1, 0, 2, 2, 1, 0, 0, 2])
    V.class_columns_grid(images, classes, 4, 3, ["a", "b", "c", "d"], tmp_path / "g.png")
    blank = torch.full((3, 1, 2, 2), -1.0)
    cols = [torch.cat([images[(classes == c).nonzero().flatten()[:3]], blank])[:3] for c in range(4)]
    old = torch.stack(cols, 1).reshape(3 * 4, 1, 2, 2)
    assert (seen["rows"], seen["cols"]) == (3, 4)
    torch.testing.assert_close(seen["grid"], old, rtol=0, atol=0)


def test_generate_per_condition_order_unchanged():
    from torch import nn

    from condgan.conditions import ConditionSpec
    from condgan.sampling import generate_per_condition

    class EchoC(nn.Module):
        def forward(self, z, c):
            return c

    class Latent:
        def sample(self, n, device, generator=None):
            return torch.zeros(n, 2)

    spec = ConditionSpec.single(3)
    x, labels = generate_per_condition(EchoC(), Latent(), spec, 4, torch.device("cpu"))
    old = spec.all_combinations().repeat_interleave(4, dim=0)
    torch.testing.assert_close(x, old.float(), rtol=0, atol=0)
    torch.testing.assert_close(labels, spec.decode(old))


def test_grid_inputs_unchanged():
    z, conds, rows = torch.randn(3, 5), torch.eye(4), 3
    gz, gc = grid_inputs(z, conds, rows)
    torch.testing.assert_close(gz, z.repeat_interleave(len(conds), 0), rtol=0, atol=0)
    torch.testing.assert_close(gc, conds.repeat(rows, 1), rtol=0, atol=0)
