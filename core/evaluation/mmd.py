r"""The TAC-GAN / UAC-GAN 1-D MoG metric (UAC-GAN Table 1): the unbiased MMD² of
:mod:`~condgan.evaluation.kernels` with the protocol's kernel, on resampled sets.

The protocol is :func:`protocol_mmd2`: draw 10,000 points *with replacement* from each set
(:func:`resample_with_replacement`), then the unbiased MMD² (diagonals excluded, not square-rooted) with the
polynomial kernel k(x, y) = (γ x·y + c)^d, **d = 2** (:data:`PROTOCOL_DEGREE`), γ = 1/dim, c = 1
(the defaults of scikit-learn's ``polynomial_kernel``). :func:`mmd2_unbiased` here is the kernels module's estimator
with that degree as its default; a Gaussian kernel is an option (``kernel="gaussian"``).

With the degree-2 polynomial kernel in 1-D the feature map is φ(x) = (x², √2 x, 1), so the population value is
(E_g x² - E_r x²)² + 2 (E_g x - E_r x)²: the metric compares the first two moments only, in raw data units.

The estimator and the kernels (equations in :mod:`~condgan.evaluation.kernels`) are re-exported here under their old
names (``gaussian_kernel``, ``median_bandwidth``, ``kernel_sum``, ``polynomial_kernel_sum``).

>>> x = torch.tensor([0.0, 1.0, 2.0])
>>> round(float(mmd2_unbiased(x, x + 1.0)), 4)
2.7778
"""

from __future__ import annotations

import torch
from torch import Tensor

from . import kernels
from .kernels import Kernel, gaussian_kernel, kernel_sum, median_bandwidth, polynomial_kernel_sum

__all__ = [
    "PROTOCOL_DEGREE",
    "polynomial_kernel",
    "gaussian_kernel",
    "median_bandwidth",
    "kernel_sum",
    "polynomial_kernel_sum",
    "mmd2_unbiased",
    "resample_with_replacement",
    "protocol_mmd2",
    "GAUSS_POINTS",
    "mog_distances",
]

#: the protocol's polynomial kernel degree: (x·y/dim + 1)², scikit-learn's default the TAC-GAN code calls
PROTOCOL_DEGREE = 2


def polynomial_kernel(x: Tensor, y: Tensor, degree: int = PROTOCOL_DEGREE, gamma: float | None = None,
                      coef0: float = 1.0) -> Tensor:
    r""":func:`condgan.evaluation.kernels.polynomial_kernel` with the protocol's degree 2 by default.

    >>> polynomial_kernel(torch.tensor([[2.0]]), torch.tensor([[3.0]]))
    tensor([[49.]])
    """
    return kernels.polynomial_kernel(x, y, degree=degree, gamma=gamma, coef0=coef0)


def mmd2_unbiased(x: Tensor, y: Tensor, kernel: str | Kernel = "polynomial", *, degree: int = PROTOCOL_DEGREE,
                  **kwargs) -> Tensor:
    r""":func:`condgan.evaluation.kernels.mmd2_unbiased` (same arguments) with the protocol's degree 2 by default.

    >>> x, y = torch.tensor([0.0, 1.0, 2.0, 3.0]), torch.tensor([1.0, -1.0])
    >>> bool(mmd2_unbiased(x, y) == mmd2_unbiased(y, x))  # symmetric
    True
    """
    return kernels.mmd2_unbiased(x, y, kernel, degree=degree, **kwargs)


def resample_with_replacement(x: Tensor, n: int = 10_000, generator: torch.Generator | None = None) -> Tensor:
    r"""``n`` rows of ``x`` drawn uniformly *with replacement* (the protocol's ``sample=10000`` step).

    The indices are drawn by ``generator`` on its device, or without one on ``x``'s device with that device's global
    generator, and moved to ``x``'s device.

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


#: points drawn from each side for the Gaussian-kernel MMD² of :func:`mog_distances`
GAUSS_POINTS = 2_000


def _balanced(real: Tensor, labels: Tensor, k: int) -> Tensor:
    n = min(int((labels == c).sum()) for c in range(k))
    return torch.cat([real[labels == c][:n] for c in range(k)])


def mog_distances(gen_x: Tensor, gen_y: Tensor, real_x: Tensor, real_y: Tensor, seed: int,
                  num_classes: int = 3) -> dict[str, list[float]]:
    r"""Three distances between generated and real 1-D samples, per class k (generated of class k vs real of class
    k) and for the marginal (all generated vs the real classes cut to equal counts), in that order:

    - ``mmd``: the protocol, :func:`protocol_mmd2` (poly-2 kernel; sees the first two moments only);
    - ``mmd_gauss``: :func:`protocol_mmd2` with the Gaussian kernel exp(-(x-y)²/(2σ²)), σ = the median heuristic of
      the pooled sets, on :data:`GAUSS_POINTS` points drawn with replacement from each side (every moment counts);
    - ``w1``: the Wasserstein-1 distance ∫|F_g(t) - F_r(t)| dt between all generated and all real points
      (``scipy.stats.wasserstein_distance``), in data units.

    Non-finite generated points are dropped from the last two (a distance of NaN when fewer than two are left).
    Seeded: the resampling draws come from generators seeded ``20_000 + seed`` (``mmd``) and ``30_000 + seed``.
    """
    from scipy.stats import wasserstein_distance

    k = num_classes
    pairs = [(gen_x[gen_y == c], real_x[real_y == c]) for c in range(k)]
    pairs.append((gen_x, _balanced(real_x, real_y, k)))
    g = torch.Generator().manual_seed(20_000 + seed)
    mmd = [float(protocol_mmd2(fake, real, generator=g)) for fake, real in pairs]
    g = torch.Generator().manual_seed(30_000 + seed)
    gauss, w1 = [], []
    for fake, real in pairs:
        ok = torch.isfinite(fake)
        gauss.append(float(protocol_mmd2(fake[ok], real, n=GAUSS_POINTS, generator=g, kernel="gaussian"))
                     if ok.sum() > 1 else float("nan"))
        w1.append(float(wasserstein_distance(fake[ok].double().numpy(), real.double().numpy()))
                  if ok.sum() > 1 else float("nan"))
    return {"mmd": mmd, "mmd_gauss": gauss, "w1": w1}
