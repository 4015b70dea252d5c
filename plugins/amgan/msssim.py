r"""MS-SSIM (Wang, Simoncelli & Bovik 2003) for small images, and its intra-class mean (AM-GAN Table 2).

AM-GAN follows Odena et al. and uses "the mean MS-SSIM of randomly chosen pairs of images within a given class, as a
coarse detector of intra-class mode collapse"; Table 2 reports the **max over the classes** of that mean (high =
samples of a class look alike). As computed by the authors (reference note §2.6): images shifted from [-1, 1] to
[0, 2] with dynamic range L = 2, 10 images per class and the 5 pairs (i, 9-i). We default to all pairs among up to
``max_per_class`` images per class, which is a less noisy estimate of the same mean; ``pairs="mirror"`` gives the
authors' 5-pair protocol.

Scales. The standard MS-SSIM uses 5 scales and an 11×11 Gaussian window (σ = 1.5): that needs ≥ 176 px. For small
images we keep the Gaussian window ``window`` × ``window`` and use as many scales as fit (the smallest side at the last
scale must be ≥ ``window``), with the first weights of the standard set (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)
renormalised to sum to 1. With the defaults (window 7, σ = 1.5) 28×28 Fashion-MNIST gets **3 scales** (28, 14, 7)
with weights ∝ (0.0448, 0.2856, 0.3001); 8×8 digits with window 3 (σ = 0.8) get 2 scales (8, 4). Negative
contrast-structure values are clamped at 0 before the fractional powers (as in common implementations), so the
score lies in [0, 1]; identical images give exactly 1.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ["MS_SSIM_WEIGHTS", "gaussian_window", "ms_ssim", "num_scales", "intra_class_ms_ssim"]

MS_SSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def gaussian_window(size: int, sigma: float, dtype=torch.float64) -> Tensor:
    """A normalised ``(size, size)`` Gaussian window."""
    ax = torch.arange(size, dtype=dtype) - (size - 1) / 2
    g = torch.exp(-(ax**2) / (2 * sigma**2))
    g = g / g.sum()
    return g[:, None] * g[None, :]


def num_scales(height: int, width: int, window: int, max_scales: int = 5) -> int:
    """How many scales (halving each time) keep the smallest side ≥ ``window``."""
    n, s = 0, min(height, width)
    while n < max_scales and s >= window:
        n += 1
        s //= 2
    if n == 0:
        raise ValueError(f"images of {height}x{width} are smaller than the {window}x{window} window")
    return n


def _ssim_terms(x: Tensor, y: Tensor, win: Tensor, c1: float, c2: float) -> tuple[Tensor, Tensor]:
    """Per-pair mean SSIM and mean contrast-structure of one scale ('valid' filtering), ``(P,)`` each."""
    ch = x.shape[1]
    w = win.to(x.dtype).expand(ch, 1, *win.shape)
    f = lambda t: F.conv2d(t, w, groups=ch)
    mx, my = f(x), f(y)
    sxx = f(x * x) - mx * mx
    syy = f(y * y) - my * my
    sxy = f(x * y) - mx * my
    cs = (2 * sxy + c2) / (sxx + syy + c2)
    lum = (2 * mx * my + c1) / (mx * mx + my * my + c1)
    return (lum * cs).flatten(1).mean(1), cs.flatten(1).mean(1)


def ms_ssim(
    x: Tensor,
    y: Tensor,
    *,
    data_range: float = 2.0,
    shift: float = 1.0,
    window: int = 7,
    sigma: float = 1.5,
    scales: int | None = None,
) -> Tensor:
    r"""MS-SSIM of image pairs: ``x, y (P, C, H, W)`` -> ``(P,)`` float64 in [0, 1].

    MS-SSIM = [SSIM_M]^{w_M} · Π_{j<M} [cs_j]^{w_j}, with cs_j the mean contrast-structure term at scale j
    (2×2 average pooling between scales), SSIM_M the mean SSIM at the coarsest scale, C1 = (0.01 L)², C2 = (0.03 L)².
    Images are shifted by ``shift`` first (default: [-1, 1] -> [0, 2], the authors' convention) and L =
    ``data_range``. ``scales=None`` uses as many as fit (module docstring).

    >>> x = torch.rand(2, 1, 28, 28) * 2 - 1
    >>> ms_ssim(x, x).tolist()
    [1.0, 1.0]
    """
    if x.shape != y.shape or x.dim() != 4:
        raise ValueError(f"x and y must both be (P, C, H, W), got {tuple(x.shape)} and {tuple(y.shape)}")
    x = x.detach().to(torch.float64) + shift
    y = y.detach().to(torch.float64) + shift
    m = scales or num_scales(x.shape[-2], x.shape[-1], window)
    weights = torch.tensor(MS_SSIM_WEIGHTS[:m], dtype=torch.float64, device=x.device)
    weights = weights / weights.sum()
    win = gaussian_window(window, sigma).to(x.device)
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    out = torch.ones(x.shape[0], dtype=torch.float64, device=x.device)
    for j in range(m):
        ssim_j, cs_j = _ssim_terms(x, y, win, c1, c2)
        term = ssim_j if j == m - 1 else cs_j
        out = out * term.clamp_min(0.0) ** weights[j]
        if j < m - 1:
            x, y = F.avg_pool2d(x, 2), F.avg_pool2d(y, 2)
    return out


def intra_class_ms_ssim(
    images: Tensor,
    labels: Tensor,
    num_classes: int,
    *,
    max_per_class: int = 50,
    pairs: Literal["all", "mirror"] = "all",
    **ms_ssim_kwargs,
) -> tuple[Tensor, Tensor]:
    r"""Mean MS-SSIM over same-class pairs, per class (AM-GAN Table 2; Odena et al.).

    ``images (N, C, H, W)``, ``labels (N,)`` (the class each sample belongs to: its predefined label, or for dynamic
    labeling argmax of D's K logits). For each class the first ``max_per_class`` images form all pairs i < j
    (``pairs="all"``), or the pairs (i, n-1-i) (``pairs="mirror"``; with 10 images: the authors' 5 pairs).
    Returns ``(per_class (K,), counts (K,))``: the mean per class (NaN where a class has < 2 images) and how many
    images each class had. Table 2's number is ``per_class.nan_to_num(nan=float("-inf")).max()``.
    """
    labels = labels.reshape(-1).long()
    idx_a, idx_b, owner = [], [], []
    counts = torch.bincount(labels, minlength=num_classes)[:num_classes]
    for k in range(num_classes):
        members = (labels == k).nonzero().flatten()[:max_per_class]
        n = len(members)
        if n < 2:
            continue
        if pairs == "all":
            i, j = torch.triu_indices(n, n, offset=1)
        else:
            i = torch.arange(n // 2)
            j = n - 1 - i
        idx_a.append(members[i])
        idx_b.append(members[j])
        owner.append(torch.full((len(i),), k, dtype=torch.long))
    per_class = torch.full((num_classes,), float("nan"), dtype=torch.float64)
    if not idx_a:
        return per_class, counts
    a, b, own = torch.cat(idx_a), torch.cat(idx_b), torch.cat(owner)
    vals = torch.cat([ms_ssim(images[a[s:s + 4096]], images[b[s:s + 4096]], **ms_ssim_kwargs)
                      for s in range(0, len(a), 4096)]).cpu()
    sums = torch.zeros(num_classes, dtype=torch.float64).index_add_(0, own, vals)
    npairs = torch.bincount(own, minlength=num_classes).to(torch.float64)
    has = npairs > 0
    per_class[has] = sums[has] / npairs[has]
    return per_class, counts
