r"""Precision and recall on k-NN manifolds (Kynkäänniemi et al., 2019) and density and coverage (Naeem et al., 2020).

Each real sample :math:`x_i` gets a radius :math:`r_i` = distance to its k-th nearest *other* real sample; the union
of the balls :math:`B(x_i, r_i)` estimates the real manifold (likewise for fakes :math:`y_j` with radii :math:`s_j`).

.. math::

    \text{precision} = \tfrac1M \sum_j \mathbb 1[\exists i: \lVert y_j - x_i\rVert \le r_i] \qquad
    \text{recall} = \tfrac1N \sum_i \mathbb 1[\exists j: \lVert x_i - y_j\rVert \le s_j]

    \text{density} = \tfrac{1}{kM} \sum_j \sum_i \mathbb 1[\lVert y_j - x_i\rVert \le r_i] \qquad
    \text{coverage} = \tfrac1N \sum_i \mathbb 1[\min_j \lVert x_i - y_j\rVert \le r_i]

Defaults: k = 3 for precision/recall (Kynkäänniemi et al.), k = 5 for density/coverage (Naeem et al.). Distances are
computed in float64 in row chunks (memory ``chunk x N``), so 10k x 10k sets fit in a few hundred MB. Precision,
recall and coverage lie in [0, 1]; density is unbounded (about 1 when the two sets come from one distribution).
All four are permutation invariant by construction. A set with ``n <= k`` samples has no k-th neighbour and raises
:class:`~condgan.evaluation.sample_checks.TooFewSamplesError`.
"""

from __future__ import annotations

import torch
from torch import Tensor

from .arrays import as_float64_matrix
from .sample_checks import require_at_least


def knn_radii(x: Tensor, k: int, chunk: int = 1024) -> Tensor:
    """Distance from each row of x (N, F) to its k-th nearest other row -> (N,) float64.

    Example:
        >>> knn_radii(torch.tensor([[0.0], [1.0], [3.0]], dtype=torch.float64), k=1).tolist()
        [1.0, 1.0, 2.0]
    """
    out = []
    for start in range(0, x.shape[0], chunk):
        d = torch.cdist(x[start:start + chunk], x)
        out.append(d.kthvalue(k + 1, dim=1).values)  # the row itself is the nearest (distance 0)
    return torch.cat(out)


def _ball_hits(points: Tensor, centres: Tensor, radii: Tensor, chunk: int = 1024) -> tuple[Tensor, Tensor]:
    """For each point (P, F): how many balls B(centre_i, radius_i) contain it -> (P,), and the nearest centre distance."""
    counts, nearest = [], []
    for start in range(0, points.shape[0], chunk):
        d = torch.cdist(points[start:start + chunk], centres)
        counts.append((d <= radii.unsqueeze(0)).sum(dim=1))
        nearest.append(d.min(dim=1).values)
    return torch.cat(counts), torch.cat(nearest)


def _prepare(real_features, fake_features, k: int, metric: str) -> tuple[Tensor, Tensor]:
    real, fake = as_float64_matrix(real_features, "real features"), as_float64_matrix(fake_features, "fake features")
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"feature widths differ: real {real.shape[1]}, fake {fake.shape[1]}")
    require_at_least(metric, {"real": real.shape[0], "fake": fake.shape[0]}, k + 1,
                     f"a k-NN radius with k={k} needs k other samples")
    return real, fake


def precision_recall(real_features, fake_features, k: int = 3) -> tuple[float, float]:
    """Improved precision and recall (Kynkäänniemi et al., 2019, Eqs. 1-2) of fake (M, F) against real (N, F).

    Example:
        >>> x = torch.randn(20, 3, generator=torch.Generator().manual_seed(0))
        >>> precision_recall(x, x)
        (1.0, 1.0)
    """
    real, fake = _prepare(real_features, fake_features, k, "precision/recall")
    in_real, _ = _ball_hits(fake, real, knn_radii(real, k))
    in_fake, _ = _ball_hits(real, fake, knn_radii(fake, k))
    return float((in_real > 0).double().mean()), float((in_fake > 0).double().mean())


def density_coverage(real_features, fake_features, k: int = 5) -> tuple[float, float]:
    """Density and coverage (Naeem et al., 2020, Eqs. 3-4) of fake (M, F) against real (N, F).

    Example:
        >>> x = torch.randn(20, 3, generator=torch.Generator().manual_seed(0))
        >>> density_coverage(x, x)[1]
        1.0
    """
    real, fake = _prepare(real_features, fake_features, k, "density/coverage")
    radii = knn_radii(real, k)
    hits, _ = _ball_hits(fake, real, radii)
    _, nearest_fake = _ball_hits(real, fake, torch.zeros(fake.shape[0], dtype=torch.float64))
    density = hits.double().sum() / (k * fake.shape[0])
    coverage = (nearest_fake <= radii).double().mean()
    return float(density), float(coverage)
