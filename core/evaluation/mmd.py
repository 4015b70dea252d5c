r"""Maximum mean discrepancy (Gretton et al. 2012): the unbiased MMD² estimator, chunked so 10k x 10k fits in memory.

The TAC-GAN / UAC-GAN 1-D MoG protocol (UAC-GAN Table 1) is :func:`protocol_mmd2`: draw 10,000 points *with
replacement* from each set (:func:`resample_with_replacement`), then the unbiased MMD² (diagonals excluded, not
square-rooted) with the polynomial kernel k(x, y) = (γ x·y + c)^d, d = 2, γ = 1/dim, c = 1
(:func:`polynomial_kernel`). A Gaussian kernel (:func:`gaussian_kernel`) is an option.

With the degree-2 polynomial kernel in 1-D the feature map is φ(x) = (x², √2 x, 1), so the population value is
(E_g x² - E_r x²)² + 2 (E_g x - E_r x)²: the metric compares the first two moments only, in raw data units.

Unbiased estimator, for samples x (m) and y (n):

.. math::
    \widehat{MMD}^2_u = \frac{\sum_{i \ne j} k(x_i, x_j)}{m(m-1)} + \frac{\sum_{i \ne j} k(y_i, y_j)}{n(n-1)}
                       - \frac{2 \sum_{i, j} k(x_i, y_j)}{mn}

It can be negative; its expectation is the population MMD². Kernel sums run over row blocks of at most
``max_block_elements`` entries and accumulate in float64, so memory is O(block) not O(m n).

>>> x = torch.tensor([0.0, 1.0, 2.0])
>>> round(float(mmd2_unbiased(x, x + 1.0)), 4)
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
    "mmd2_unbiased",
    "resample_with_replacement",
    "protocol_mmd2",
]

Kernel = Callable[[Tensor, Tensor], Tensor]


def _as_matrix(x: Tensor) -> Tensor:
    """``(n,)`` -> ``(n, 1)``; ``(n, *dims)`` -> ``(n, prod(dims))``."""
    if x.dim() == 1:
        return x[:, None]
    return x.flatten(1)


def polynomial_kernel(x: Tensor, y: Tensor, degree: int = 2, gamma: float | None = None, coef0: float = 1.0) -> Tensor:
    r"""k(x, y) = (γ x·y + c)^d with γ = 1/dim by default (scikit-learn's convention, used by the protocol).

    Args:
        x: ``(m, dim)``, y: ``(n, dim)``.
    Returns:
        ``(m, n)``.

    >>> polynomial_kernel(torch.tensor([[2.0]]), torch.tensor([[3.0]]))
    tensor([[49.]])
    """
    g = 1.0 / x.shape[1] if gamma is None else gamma
    return (g * (x @ y.T) + coef0).pow(degree)


def gaussian_kernel(x: Tensor, y: Tensor, bandwidth: float = 1.0) -> Tensor:
    r"""k(x, y) = exp(-||x - y||² / (2 σ²)). ``x: (m, dim)``, ``y: (n, dim)`` -> ``(m, n)``.

    >>> gaussian_kernel(torch.tensor([[0.0]]), torch.tensor([[0.0]]))
    tensor([[1.]])
    """
    d2 = (x.pow(2).sum(1, keepdim=True) - 2 * (x @ y.T) + y.pow(2).sum(1)[None, :]).clamp_min(0)
    return torch.exp(-d2 / (2.0 * bandwidth**2))


def median_bandwidth(x: Tensor, y: Tensor, max_points: int = 1000) -> float:
    r"""The median heuristic: median pairwise distance of the pooled samples (an evenly strided subset of at most
    ``max_points``). Evaluation-time helper; it reads one value back to the host.
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

    >>> kernel_sum(polynomial_kernel, torch.ones(3, 1), torch.ones(3, 1), exclude_diagonal=True)
    tensor(24.)
    """
    rows = max(1, max_block_elements // max(1, y.shape[0]))
    total = x.new_zeros(())
    for start in range(0, x.shape[0], rows):
        total = total + kernel(x[start:start + rows], y).sum()
    if exclude_diagonal:
        total = total - _kernel_diagonal(kernel, x, rows).sum()
    return total


def _tensor_power_sum(x: Tensor, r: int) -> Tensor:
    """Σ_i x_i^{⊗r} flattened to ``(dim**r,)``; ``x: (m, dim)``."""
    feats = x.new_ones(x.shape[0], 1)
    for _ in range(r):
        feats = (feats[:, :, None] * x[:, None, :]).flatten(1)
    return feats.sum(0)


def polynomial_kernel_sum(x: Tensor, y: Tensor, *, degree: int = 2, gamma: float | None = None, coef0: float = 1.0,
                          exclude_diagonal: bool = False) -> Tensor:
    r"""Σ_{i,j} (γ x_i·y_j + c)^d in O((m + n) dim^d) time and memory, exactly, by the binomial expansion

    .. math:: \sum_{i,j} (γ x_i·y_j + c)^d = \sum_{r=0}^{d} \binom{d}{r} γ^r c^{d-r}
              \Big\langle \sum_i x_i^{\otimes r}, \sum_j y_j^{\otimes r} \Big\rangle

    (in 1-D: power sums S_r(x) S_r(y)). With ``exclude_diagonal`` (``y`` is ``x``) Σ_i k(x_i, x_i) is subtracted.

    >>> polynomial_kernel_sum(torch.ones(3, 1), torch.ones(3, 1), exclude_diagonal=True)
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


def _kernel_diagonal(kernel: Kernel, x: Tensor, rows: int) -> Tensor:
    """k(x_i, x_i) for every row, in blocks (the diagonal of each square block)."""
    parts = [torch.diagonal(kernel(x[s:s + rows], x[s:s + rows])) for s in range(0, x.shape[0], rows)]
    return torch.cat(parts)


def _make_kernel(kernel: str | Kernel, x: Tensor, y: Tensor, degree: int, gamma: float | None, coef0: float,
                 bandwidth: float | None) -> Kernel:
    if callable(kernel):
        return kernel
    if kernel == "polynomial":
        return lambda a, b: polynomial_kernel(a, b, degree=degree, gamma=gamma, coef0=coef0)
    if kernel == "gaussian":
        bw = median_bandwidth(x, y) if bandwidth is None else bandwidth
        return lambda a, b: gaussian_kernel(a, b, bandwidth=bw)
    raise ValueError(f"unknown kernel {kernel!r}; expected 'polynomial', 'gaussian' or a callable")


def mmd2_unbiased(x: Tensor, y: Tensor, kernel: str | Kernel = "polynomial", *, degree: int = 2,
                  gamma: float | None = None, coef0: float = 1.0, bandwidth: float | None = None,
                  dtype: torch.dtype = torch.float64, max_block_elements: int = 1 << 22,
                  method: str = "auto") -> Tensor:
    r"""The unbiased MMD² estimate between samples ``x`` and ``y`` (see the module docstring).

    Args:
        x: ``(m,)`` or ``(m, *dims)``; y: ``(n,)`` or ``(n, *dims)``, m, n >= 2. Flattened to vectors.
        kernel: "polynomial" ((γ x·y + coef0)^degree, γ = 1/dim if None), "gaussian" (``bandwidth``; None: median
            heuristic), or a callable ``(a, dim), (b, dim) -> (a, b)``.
        dtype: computation dtype (float64 by default: the sums of 10^8 terms need it).
        method: "blocks" (kernel matrix in row blocks, any kernel), "features" (exact binomial expansion, polynomial
            kernel with integer degree only: :func:`polynomial_kernel_sum`), or "auto" ("features" when the
            polynomial kernel's dim**degree <= 4096, else "blocks"). Both give the same value up to rounding.
    Returns:
        scalar tensor of ``dtype`` (may be slightly negative).

    >>> x, y = torch.tensor([0.0, 1.0, 2.0, 3.0]), torch.tensor([1.0, -1.0])
    >>> bool(mmd2_unbiased(x, y) == mmd2_unbiased(y, x))  # symmetric
    True
    """
    xm, ym = _as_matrix(x).to(dtype), _as_matrix(y).to(dtype)
    m, n = xm.shape[0], ym.shape[0]
    if m < 2 or n < 2:
        raise ValueError(f"mmd2_unbiased needs at least 2 samples on each side, got {m} and {n}")
    use_features = method == "features" or (
        method == "auto" and kernel == "polynomial" and xm.shape[1] ** degree <= 4096)
    if use_features:
        if kernel != "polynomial":
            raise ValueError("method='features' needs kernel='polynomial'")
        kw = dict(degree=degree, gamma=gamma, coef0=coef0)
        kxx = polynomial_kernel_sum(xm, xm, exclude_diagonal=True, **kw)
        kyy = polynomial_kernel_sum(ym, ym, exclude_diagonal=True, **kw)
        kxy = polynomial_kernel_sum(xm, ym, **kw)
        return kxx / (m * (m - 1)) + kyy / (n * (n - 1)) - 2.0 * kxy / (m * n)
    if method not in ("auto", "blocks"):
        raise ValueError(f"unknown method {method!r}; expected 'auto', 'blocks' or 'features'")
    k = _make_kernel(kernel, xm, ym, degree, gamma, coef0, bandwidth)
    kxx = kernel_sum(k, xm, xm, exclude_diagonal=True, max_block_elements=max_block_elements)
    kyy = kernel_sum(k, ym, ym, exclude_diagonal=True, max_block_elements=max_block_elements)
    kxy = kernel_sum(k, xm, ym, max_block_elements=max_block_elements)
    return kxx / (m * (m - 1)) + kyy / (n * (n - 1)) - 2.0 * kxy / (m * n)


def resample_with_replacement(x: Tensor, n: int = 10_000, generator: torch.Generator | None = None) -> Tensor:
    r"""``n`` rows of ``x`` drawn uniformly *with replacement* (the protocol's ``sample=10000`` step).

    >>> resample_with_replacement(torch.tensor([5.0]), 3)
    tensor([5., 5., 5.])
    """
    idx = torch.randint(0, x.shape[0], (n,), generator=generator, device=x.device if generator is None
                        else generator.device)
    return x[idx.to(x.device)]


def protocol_mmd2(generated: Tensor, real: Tensor, n: int = 10_000, generator: torch.Generator | None = None,
                  **kwargs) -> Tensor:
    r"""The TAC-GAN / UAC-GAN 1-D MoG metric: :func:`resample_with_replacement` ``n`` points from each set, then
    :func:`mmd2_unbiased` (polynomial kernel, degree 2, γ = 1/dim, c = 1 unless ``kwargs`` say otherwise).
    Per class: generated samples of class k vs real samples of class k; marginal: all vs all, equal class counts.
    """
    return mmd2_unbiased(resample_with_replacement(generated, n, generator),
                         resample_with_replacement(real, n, generator), **kwargs)
