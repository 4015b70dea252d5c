r"""Kernels and the unbiased MMD² estimator (Gretton et al., JMLR 2012), in one place for every metric that uses them.

KID (:mod:`~condgan.evaluation.kid`, Bińkowski et al. 2018: cubic kernel, degree 3) and the TAC-GAN / UAC-GAN 1-D MoG
protocol (:mod:`~condgan.evaluation.mmd`: degree 2) are this module's estimator with their own kernel parameters;
the polynomial kernel's degree therefore has no default here: each caller names it.

Kernels, for x (m, dim) and y (n, dim):

.. math::

    k_{\mathrm{poly}}(x, y) = (\gamma\, x^\top y + c)^d \quad (\gamma = 1/\mathrm{dim} \text{ by default}), \qquad
    k_{\mathrm{gauss}}(x, y) = \exp\!\big(-\lVert x - y\rVert^2 / (2\sigma^2)\big)

The unbiased estimator of MMD² (Gretton et al. 2012, Lemma 6; the U-statistic: the diagonals of the within-set sums
are excluded):

.. math::

    \widehat{\mathrm{MMD}}^2_u = \frac{\sum_{i \ne j} k(x_i, x_j)}{m(m-1)} + \frac{\sum_{i \ne j} k(y_i, y_j)}{n(n-1)}
                                 - \frac{2 \sum_{i, j} k(x_i, y_j)}{mn}

Its expectation is the population MMD², so single values can be negative (they are *not* clamped) and the mean over
independent draws of two sets from one distribution is 0. Two ways to compute it:

- :func:`mmd2_unbiased_from_kernels`: from the kernel matrices, batched over leading dimensions (KID's subsets);
- :func:`mmd2_unbiased`: from the samples, with kernel sums over row blocks (:func:`kernel_sum`, memory O(block)
  not O(m n)) or, for the polynomial kernel, by its exact feature expansion (:func:`polynomial_kernel_sum`).

>>> x = torch.tensor([0.0, 1.0, 2.0])
>>> round(float(mmd2_unbiased(x, x + 1.0, degree=2)), 4)
2.7778
"""

from __future__ import annotations

import math
from typing import Callable

import torch
from torch import Tensor

__all__ = [
    "polynomial_kernel",
    "gaussian_kernel",
    "median_bandwidth",
    "kernel_sum",
    "polynomial_kernel_sum",
    "mmd2_unbiased_from_kernels",
    "mmd2_unbiased",
]

Kernel = Callable[[Tensor, Tensor], Tensor]


def polynomial_kernel(x: Tensor, y: Tensor, degree: int, gamma: float | None = None, coef0: float = 1.0) -> Tensor:
    r"""k(x, y) = (γ x·y + c)^d with γ = 1/dim by default (scikit-learn's convention), for x ``(..., m, dim)`` and
    y ``(..., n, dim)`` -> ``(..., m, n)``. No default degree: KID uses 3, the UAC-GAN protocol 2.

    >>> polynomial_kernel(torch.ones(1, 2), torch.ones(1, 2), degree=3).item()  # (2/2 + 1)^3
    8.0
    >>> polynomial_kernel(torch.tensor([[2.0]]), torch.tensor([[3.0]]), degree=2)  # (6 + 1)^2
    tensor([[49.]])
    """
    g = 1.0 / x.shape[-1] if gamma is None else gamma
    return (g * (x @ y.transpose(-1, -2)) + coef0) ** degree


def gaussian_kernel(x: Tensor, y: Tensor, bandwidth: float = 1.0) -> Tensor:
    r"""k(x, y) = exp(-||x - y||² / (2 σ²)), σ = ``bandwidth``. ``x: (m, dim)``, ``y: (n, dim)`` -> ``(m, n)``.

    >>> gaussian_kernel(torch.tensor([[0.0]]), torch.tensor([[0.0]]))
    tensor([[1.]])
    """
    d2 = (x.pow(2).sum(1, keepdim=True) - 2 * (x @ y.T) + y.pow(2).sum(1)[None, :]).clamp_min(0)
    return torch.exp(-d2 / (2.0 * bandwidth**2))


def _as_matrix(x: Tensor) -> Tensor:
    """Samples as rows: ``(n,)`` -> ``(n, 1)``; ``(n, *dims)`` -> ``(n, prod(dims))``."""
    if x.dim() == 1:
        return x[:, None]
    return x.flatten(1)


def median_bandwidth(x: Tensor, y: Tensor, max_points: int = 1000) -> float:
    r"""The median heuristic: median pairwise distance of the pooled samples (an evenly strided subset of at most
    ``max_points``; 1.0 if that median is 0). Evaluation-time helper; it reads one value back to the host.
    """
    z = torch.cat([_as_matrix(x), _as_matrix(y)]).double()
    if len(z) > max_points:
        z = z[torch.linspace(0, len(z) - 1, max_points, device=z.device).long()]
    d = torch.cdist(z, z)
    iu = torch.triu_indices(len(z), len(z), offset=1, device=z.device)
    med = float(d[iu[0], iu[1]].median())
    return med if med > 0 else 1.0


def kernel_sum(kernel: Kernel, x: Tensor, y: Tensor, *, exclude_diagonal: bool = False,
               max_block_elements: int = 1 << 22) -> Tensor:
    r"""Σ_{i,j} k(x_i, y_j) (minus Σ_i k(x_i, x_i) when ``exclude_diagonal``; then ``y`` must be ``x``),
    computed over row blocks so at most ``max_block_elements`` kernel values exist at once.

    Args:
        kernel: ``(a, dim), (b, dim) -> (a, b)``; x: ``(m, dim)``, y: ``(n, dim)``.
    Returns:
        scalar in the inputs' dtype.

    >>> kernel_sum(lambda a, b: polynomial_kernel(a, b, degree=2), torch.ones(3, 1), torch.ones(3, 1),
    ...            exclude_diagonal=True)  # 6 off-diagonal pairs of (1 + 1)^2
    tensor(24.)
    """
    rows = max(1, max_block_elements // max(1, y.shape[0]))
    total = x.new_zeros(())
    for start in range(0, x.shape[0], rows):
        total = total + kernel(x[start:start + rows], y).sum()
    if exclude_diagonal:
        total = total - _kernel_diagonal(kernel, x, rows).sum()
    return total


def _kernel_diagonal(kernel: Kernel, x: Tensor, rows: int) -> Tensor:
    """k(x_i, x_i) for every row, in blocks (the diagonal of each square block)."""
    parts = [torch.diagonal(kernel(x[s:s + rows], x[s:s + rows])) for s in range(0, x.shape[0], rows)]
    return torch.cat(parts)


def _tensor_power_sum(x: Tensor, r: int) -> Tensor:
    """Σ_i x_i^{⊗r} flattened to ``(dim**r,)``; ``x: (m, dim)``."""
    feats = x.new_ones(x.shape[0], 1)
    for _ in range(r):
        feats = (feats[:, :, None] * x[:, None, :]).flatten(1)
    return feats.sum(0)


def polynomial_kernel_sum(x: Tensor, y: Tensor, *, degree: int, gamma: float | None = None, coef0: float = 1.0,
                          exclude_diagonal: bool = False) -> Tensor:
    r"""Σ_{i,j} (γ x_i·y_j + c)^d in O((m + n) dim^d) time and memory, exactly, by the binomial expansion

    .. math:: \sum_{i,j} (γ x_i·y_j + c)^d = \sum_{r=0}^{d} \binom{d}{r} γ^r c^{d-r}
              \Big\langle \sum_i x_i^{\otimes r}, \sum_j y_j^{\otimes r} \Big\rangle

    (in 1-D: power sums S_r(x) S_r(y)). With ``exclude_diagonal`` (``y`` is ``x``) Σ_i k(x_i, x_i) is subtracted.

    >>> polynomial_kernel_sum(torch.ones(3, 1), torch.ones(3, 1), degree=2, exclude_diagonal=True)
    tensor(24.)
    """
    g = 1.0 / x.shape[1] if gamma is None else gamma
    total = x.new_zeros(())
    for r in range(degree + 1):
        coef = math.comb(degree, r) * g**r * coef0 ** (degree - r)
        total = total + coef * (_tensor_power_sum(x, r) * _tensor_power_sum(y, r)).sum()
    if exclude_diagonal:
        total = total - (g * x.pow(2).sum(1) + coef0).pow(degree).sum()
    return total


def _u_statistic(sum_xx: Tensor, sum_yy: Tensor, sum_xy: Tensor, m: int, n: int) -> Tensor:
    r"""The unbiased MMD² from the kernel sums: Σ_{i≠j} k(x_i,x_j) / (m(m-1)) + Σ_{i≠j} k(y_i,y_j) / (n(n-1))
    - 2 Σ_{i,j} k(x_i,y_j) / (mn) (Gretton et al. 2012, Lemma 6; ``sum_xx``, ``sum_yy`` without the diagonals)."""
    return sum_xx / (m * (m - 1)) + sum_yy / (n * (n - 1)) - 2.0 * sum_xy / (m * n)


def mmd2_unbiased_from_kernels(k_xx: Tensor, k_yy: Tensor, k_xy: Tensor) -> Tensor:
    """Unbiased MMD² from kernel matrices k_xx (..., M, M), k_yy (..., N, N), k_xy (..., M, N) -> (...,).

    Diagonals of k_xx and k_yy are excluded (the U-statistic of the module docstring).

    Example:
        >>> k = torch.ones(3, 3, dtype=torch.float64)
        >>> float(mmd2_unbiased_from_kernels(k, k, k))  # a constant kernel sees no difference
        0.0
    """
    m, n = k_xx.shape[-1], k_yy.shape[-1]
    sum_xx = k_xx.sum(dim=(-1, -2)) - k_xx.diagonal(dim1=-2, dim2=-1).sum(-1)
    sum_yy = k_yy.sum(dim=(-1, -2)) - k_yy.diagonal(dim1=-2, dim2=-1).sum(-1)
    return _u_statistic(sum_xx, sum_yy, k_xy.sum(dim=(-1, -2)), m, n)


def _make_kernel(kernel: str | Kernel, x: Tensor, y: Tensor, degree: int | None, gamma: float | None, coef0: float,
                 bandwidth: float | None) -> Kernel:
    if callable(kernel):
        return kernel
    if kernel == "polynomial":
        return lambda a, b: polynomial_kernel(a, b, degree=degree, gamma=gamma, coef0=coef0)
    if kernel == "gaussian":
        bw = median_bandwidth(x, y) if bandwidth is None else bandwidth
        return lambda a, b: gaussian_kernel(a, b, bandwidth=bw)
    raise ValueError(f"unknown kernel {kernel!r}; expected 'polynomial', 'gaussian' or a callable")


def mmd2_unbiased(x: Tensor, y: Tensor, kernel: str | Kernel = "polynomial", *, degree: int | None = None,
                  gamma: float | None = None, coef0: float = 1.0, bandwidth: float | None = None,
                  dtype: torch.dtype = torch.float64, max_block_elements: int = 1 << 22,
                  method: str = "auto") -> Tensor:
    r"""The unbiased MMD² estimate between samples ``x`` and ``y`` (the module docstring's equation).

    Args:
        x: ``(m,)`` or ``(m, *dims)``; y: ``(n,)`` or ``(n, *dims)``, m, n >= 2. Flattened to vectors.
        kernel: "polynomial" ((γ x·y + coef0)^degree, γ = 1/dim if None; ``degree`` is then required), "gaussian"
            (``bandwidth``; None: median heuristic), or a callable ``(a, dim), (b, dim) -> (a, b)``.
        dtype: computation dtype (float64 by default: the sums of 10^8 terms need it).
        max_block_elements: most kernel values that exist at once in the "blocks" method.
        method: "blocks" (kernel matrix in row blocks, any kernel), "features" (exact binomial expansion, polynomial
            kernel with integer degree only: :func:`polynomial_kernel_sum`), or "auto" ("features" when the
            polynomial kernel's dim**degree <= 4096, else "blocks"). Both give the same value up to rounding.
    Returns:
        scalar tensor of ``dtype`` (may be slightly negative).

    >>> x, y = torch.tensor([0.0, 1.0, 2.0, 3.0]), torch.tensor([1.0, -1.0])
    >>> bool(mmd2_unbiased(x, y, degree=2) == mmd2_unbiased(y, x, degree=2))  # symmetric
    True
    """
    xm, ym = _as_matrix(x).to(dtype), _as_matrix(y).to(dtype)
    m, n = xm.shape[0], ym.shape[0]
    if m < 2 or n < 2:
        raise ValueError(f"mmd2_unbiased needs at least 2 samples on each side, got {m} and {n}")
    if kernel == "polynomial" and degree is None:
        raise ValueError("mmd2_unbiased with the polynomial kernel needs its degree (KID: 3; the UAC-GAN protocol: 2)")
    use_features = method == "features" or (
        method == "auto" and kernel == "polynomial" and xm.shape[1] ** degree <= 4096)
    if use_features:
        if kernel != "polynomial":
            raise ValueError("method='features' needs kernel='polynomial'")
        kw = dict(degree=degree, gamma=gamma, coef0=coef0)
        kxx = polynomial_kernel_sum(xm, xm, exclude_diagonal=True, **kw)
        kyy = polynomial_kernel_sum(ym, ym, exclude_diagonal=True, **kw)
        kxy = polynomial_kernel_sum(xm, ym, **kw)
        return _u_statistic(kxx, kyy, kxy, m, n)
    if method not in ("auto", "blocks"):
        raise ValueError(f"unknown method {method!r}; expected 'auto', 'blocks' or 'features'")
    k = _make_kernel(kernel, xm, ym, degree, gamma, coef0, bandwidth)
    kxx = kernel_sum(k, xm, xm, exclude_diagonal=True, max_block_elements=max_block_elements)
    kyy = kernel_sum(k, ym, ym, exclude_diagonal=True, max_block_elements=max_block_elements)
    kxy = kernel_sum(k, xm, ym, max_block_elements=max_block_elements)
    return _u_statistic(kxx, kyy, kxy, m, n)
