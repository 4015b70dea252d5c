r"""Kernel Inception Distance (KID; Bińkowski et al., 2018): the unbiased MMD² with the cubic polynomial kernel.

The kernel and the estimator are :mod:`~condgan.evaluation.kernels`' (one place for both); this module holds KID's
kernel parameters (``degree=3``, ``gamma=None`` meaning 1/F, ``coef0=1``: Bińkowski et al.'s kernel, torch-fidelity's
defaults) and the subset protocol.

.. math::

    k(x, y) = \Big(\tfrac{x^\top y}{F} + 1\Big)^3, \qquad
    \widehat{\mathrm{MMD}}^2_u = \frac{\sum_{i\ne j} k(x_i,x_j)}{m(m-1)} + \frac{\sum_{i\ne j} k(y_i,y_j)}{n(n-1)}
                                 - \frac{2\sum_{i,j} k(x_i,y_j)}{mn}

The estimator is unbiased, so its mean over independent draws of two sets from one distribution is 0 (single
values may be negative; they are *not* clamped). KID is averaged over ``n_subsets`` random subsets of
``subset_size`` samples drawn without replacement (torch-fidelity's protocol; defaults 100 x 1000) and reported with
the standard deviation over subsets. Subsets are drawn from the canonically ordered sets
(:func:`~condgan.evaluation.arrays.canonical_order`) with a seeded generator, so the result does not depend on the
order of the samples. Unlike FID, KID stays unbiased with few samples, which makes intra-class KID the better
per-class measure when classes hold fewer samples than the feature dimension.
"""

from __future__ import annotations

import warnings

import torch

from .arrays import as_float64_matrix, as_labels, canonical_order
from .kernels import mmd2_unbiased_from_kernels, polynomial_kernel
from .sample_checks import TooFewSamplesWarning, require_at_least


def kid(real_features, fake_features, subset_size: int = 1000, n_subsets: int = 100, seed: int = 0,
        chunk: int = 8, *, degree: int = 3, gamma: float | None = None, coef0: float = 1.0) -> tuple[float, float]:
    """KID between real (N, F) and fake (M, F): (mean, std) over ``n_subsets`` subsets of ``subset_size`` each.

    The kernel is k(x, y) = (gamma x.y + coef0)^degree, by default Bińkowski et al.'s (x.y / F + 1)^3.

    ``subset_size`` larger than a set is reduced to that set's size with a :class:`TooFewSamplesWarning`; fewer
    than 2 samples in a set raises :class:`TooFewSamplesError`. ``chunk`` subsets are evaluated per batched
    matrix product (memory ``chunk * subset_size**2`` doubles).

    Example:
        >>> g = torch.Generator().manual_seed(0)
        >>> x, y = torch.randn(200, 4, generator=g), torch.randn(200, 4, generator=g)
        >>> abs(kid(x, y, subset_size=100)[0]) < 0.05, kid(x, y + 2, subset_size=100)[0] > 1
        (True, True)
    """
    real, fake = as_float64_matrix(real_features, "real features"), as_float64_matrix(fake_features, "fake features")
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"feature widths differ: real {real.shape[1]}, fake {fake.shape[1]}")
    require_at_least("KID", {"real": real.shape[0], "fake": fake.shape[0]}, 2, "the unbiased MMD needs two samples")
    size = min(subset_size, real.shape[0], fake.shape[0])
    if size < subset_size:
        warnings.warn(f"KID: subset_size {subset_size} exceeds the smaller set (real={real.shape[0]}, "
                      f"fake={fake.shape[0]}); using subsets of {size}.", TooFewSamplesWarning, stacklevel=2)
    real, fake = real[canonical_order(real)], fake[canonical_order(fake)]
    gen = torch.Generator().manual_seed(seed)
    idx_r = torch.stack([torch.randperm(real.shape[0], generator=gen)[:size] for _ in range(n_subsets)])
    idx_f = torch.stack([torch.randperm(fake.shape[0], generator=gen)[:size] for _ in range(n_subsets)])
    kw = dict(degree=degree, gamma=gamma, coef0=coef0)
    values = []
    for start in range(0, n_subsets, chunk):
        xr, xf = real[idx_r[start:start + chunk]], fake[idx_f[start:start + chunk]]
        values.append(mmd2_unbiased_from_kernels(polynomial_kernel(xr, xr, **kw), polynomial_kernel(xf, xf, **kw),
                                                 polynomial_kernel(xr, xf, **kw)))
    v = torch.cat(values)
    return float(v.mean()), float(v.std(unbiased=True)) if n_subsets > 1 else 0.0


def intra_class_kid(real_features, real_labels, fake_features, fake_labels, num_classes: int,
                    subset_size: int = 1000, n_subsets: int = 100, seed: int = 0, *, degree: int = 3,
                    gamma: float | None = None, coef0: float = 1.0) -> tuple[float, list[float]]:
    """Intra-class KID: per class k, KID(real of class k, fakes with target k); returns (mean, per-class means).

    The kernel parameters are :func:`kid`'s (Bińkowski et al.'s cubic kernel by default).

    Subsets per class are ``min(subset_size, n_real_k, n_fake_k)`` (no warning: classes are small by design);
    a class with fewer than 2 samples in either set raises :class:`TooFewSamplesError`.
    """
    real, fake = as_float64_matrix(real_features, "real features"), as_float64_matrix(fake_features, "fake features")
    yr, yf = as_labels(real_labels, real.shape[0], "real labels"), as_labels(fake_labels, fake.shape[0], "fake labels")
    counts = {}
    for k in range(num_classes):
        counts[f"class {k} real"] = int((yr == k).sum())
        counts[f"class {k} fake"] = int((yf == k).sum())
    require_at_least("intra-class KID", counts, 2, "each class needs two samples per set")
    per_class = []
    for k in range(num_classes):
        size = min(subset_size, counts[f"class {k} real"], counts[f"class {k} fake"])
        per_class.append(kid(real[yr == k], fake[yf == k], subset_size=size, n_subsets=n_subsets, seed=seed + k,
                             degree=degree, gamma=gamma, coef0=coef0)[0])
    return sum(per_class) / num_classes, per_class
