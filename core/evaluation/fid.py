r"""Fréchet distance (FID) and intra-class FID, in float64 with an eigenvalue-based matrix square root.

FID (Heusel et al., 2017) is the squared 2-Wasserstein distance between Gaussians fitted to two feature sets:

.. math::

    \mathrm{FID} = \lVert \mu_r - \mu_g \rVert^2 + \operatorname{tr}\Sigma_r + \operatorname{tr}\Sigma_g
                   - 2 \operatorname{tr}\big(\Sigma_r^{1/2} \Sigma_g \Sigma_r^{1/2}\big)^{1/2}

The trace of the square root is computed from the eigenvalues of the symmetric PSD matrix
:math:`\Sigma_r^{1/2}\Sigma_g\Sigma_r^{1/2}` (``torch.linalg.eigvalsh``), with :math:`\Sigma_r^{1/2}` itself from
``eigh``. Both are exact for symmetric PSD input, need no SciPy (``scipy.linalg.sqrtm(disp=False)`` broke in
SciPy 1.18 and gave "imaginary component" errors in 1.11.2), and never produce a complex result: round-off
eigenvalues below zero are clamped to zero, and the final value is clamped at 0 (FID is a squared distance).

Intra-class FID (the CA-GAN paper's measure; Miyato & Koyama 2018) is the FID between the real samples of class
``k`` and the generated samples whose *target* class is ``k``, reported per class and as the mean over classes.
Per-class sample counts are usually far smaller than the feature dimension of Inception (2048); the functions
below warn (:class:`~condgan.evaluation.sample_checks.TooFewSamplesWarning`) whenever ``n <= F``, and raise when a
class has fewer than two samples.
"""

from __future__ import annotations

import torch
from torch import Tensor

from .arrays import as_float64_matrix, as_labels
from .sample_checks import require_at_least, warn_if_rank_deficient


def gaussian_stats(features) -> tuple[Tensor, Tensor]:
    """Mean and unbiased covariance (divisor ``N - 1``, as pytorch-fid and torchmetrics) of ``features`` (N, F).

    Returns ``mu (F,)`` and ``sigma (F, F)`` in float64.

    Example:
        >>> mu, sigma = gaussian_stats(torch.tensor([[0.0, 0.0], [2.0, 2.0]]))
        >>> mu.tolist(), sigma.tolist()
        ([1.0, 1.0], [[2.0, 2.0], [2.0, 2.0]])
    """
    x = as_float64_matrix(features)
    require_at_least("Gaussian statistics", {"features": x.shape[0]}, 2, "a covariance needs two samples")
    mu = x.mean(dim=0)
    xc = x - mu
    sigma = xc.T @ xc / (x.shape[0] - 1)
    return mu, sigma


def sqrtm_psd(sigma: Tensor) -> Tensor:
    r"""Symmetric square root of a symmetric PSD matrix (..., F, F) via ``eigh``: :math:`V\,\mathrm{diag}(\sqrt{\lambda^+})V^\top`.

    Example:
        >>> sqrtm_psd(torch.diag(torch.tensor([4.0, 9.0], dtype=torch.float64))).diagonal().tolist()
        [2.0, 3.0]
    """
    sym = 0.5 * (sigma + sigma.transpose(-1, -2))
    evals, evecs = torch.linalg.eigh(sym)
    return (evecs * evals.clamp_min(0).sqrt().unsqueeze(-2)) @ evecs.transpose(-1, -2)


def trace_sqrt_product(sigma1: Tensor, sigma2: Tensor) -> Tensor:
    r""":math:`\operatorname{tr}(\Sigma_1^{1/2}\Sigma_2\Sigma_1^{1/2})^{1/2}` for PSD (..., F, F) inputs, from eigenvalues.

    Equal to :math:`\operatorname{tr}\sqrt{\Sigma_1\Sigma_2}` (the eigenvalues of :math:`\Sigma_1\Sigma_2` and of the
    symmetric product are the same), but computed with a symmetric eigensolver only.

    Example:
        >>> s = torch.eye(3, dtype=torch.float64) * 4
        >>> float(trace_sqrt_product(s, s))
        12.0
    """
    root1 = sqrtm_psd(sigma1)
    middle = root1 @ sigma2 @ root1
    middle = 0.5 * (middle + middle.transpose(-1, -2))
    return torch.linalg.eigvalsh(middle).clamp_min(0).sqrt().sum(dim=-1)


def frechet_distance(mu1: Tensor, sigma1: Tensor, mu2: Tensor, sigma2: Tensor) -> Tensor:
    """Fréchet distance between N(mu1, sigma1) and N(mu2, sigma2); mu (..., F), sigma (..., F, F) -> (...,) float64.

    Example:
        >>> mu0, s = torch.zeros(2, dtype=torch.float64), torch.eye(2, dtype=torch.float64)
        >>> float(frechet_distance(mu0, s, mu0 + 1, s))  # ||mu1 - mu2||^2 = 2, equal covariances
        2.0
    """
    mu1, mu2, sigma1, sigma2 = (t.to(torch.float64) for t in (mu1, mu2, sigma1, sigma2))
    mean_term = (mu1 - mu2).square().sum(dim=-1)
    trace_term = sigma1.diagonal(dim1=-2, dim2=-1).sum(-1) + sigma2.diagonal(dim1=-2, dim2=-1).sum(-1)
    return (mean_term + trace_term - 2.0 * trace_sqrt_product(sigma1, sigma2)).clamp_min(0.0)


def fid(real_features, fake_features) -> float:
    """FID between two feature sets real (N, F) and fake (M, F), computed in float64.

    Raises :class:`TooFewSamplesError` when a set has fewer than 2 samples; warns when ``N <= F`` or ``M <= F``.

    Example:
        >>> x = torch.randn(50, 4, generator=torch.Generator().manual_seed(0))
        >>> round(fid(x, x), 10)  # zero up to float64 round-off
        0.0
    """
    real, fake = as_float64_matrix(real_features, "real features"), as_float64_matrix(fake_features, "fake features")
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"feature widths differ: real {real.shape[1]}, fake {fake.shape[1]}")
    counts = {"real": real.shape[0], "fake": fake.shape[0]}
    require_at_least("FID", counts, 2, "a covariance needs two samples")
    warn_if_rank_deficient("FID", counts, real.shape[1])
    return float(frechet_distance(*gaussian_stats(real), *gaussian_stats(fake)))


def intra_class_fid(real_features, real_labels, fake_features, fake_labels, num_classes: int) -> tuple[float, list[float]]:
    """Intra-class FID: per class k, FID(real of class k, fakes with target class k); returns (mean, per_class list).

    real (N, F) with labels (N,), fake (M, F) with target labels (M,) (integers or one-hot). Every class needs at
    least 2 real and 2 fake samples (else :class:`TooFewSamplesError` naming the classes); classes with
    ``n <= F`` trigger one :class:`TooFewSamplesWarning` listing them.

    Example:
        >>> g = torch.Generator().manual_seed(0)
        >>> x, y = torch.randn(40, 2, generator=g), torch.arange(40) % 2
        >>> mean, per_class = intra_class_fid(x, y, x, y, 2)
        >>> round(mean, 10), [round(v, 10) for v in per_class]
        (0.0, [0.0, 0.0])
    """
    real, fake = as_float64_matrix(real_features, "real features"), as_float64_matrix(fake_features, "fake features")
    yr, yf = as_labels(real_labels, real.shape[0], "real labels"), as_labels(fake_labels, fake.shape[0], "fake labels")
    counts = {}
    for k in range(num_classes):
        counts[f"class {k} real"] = int((yr == k).sum())
        counts[f"class {k} fake"] = int((yf == k).sum())
    require_at_least("intra-class FID", counts, 2, "each class needs a covariance from each set")
    warn_if_rank_deficient("intra-class FID", counts, real.shape[1])
    stats = [(*gaussian_stats(real[yr == k]), *gaussian_stats(fake[yf == k])) for k in range(num_classes)]
    mu_r, s_r, mu_f, s_f = (torch.stack(parts) for parts in zip(*stats))
    per_class = frechet_distance(mu_r, s_r, mu_f, s_f)
    return float(per_class.mean()), [float(v) for v in per_class]
