"""KID (Bińkowski et al. 2018): unbiasedness, agreement with the generic unbiased MMD², order invariance, sample counts."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings, strategies as st

from condgan.evaluation import kernels, mmd
from condgan.evaluation.kernels import mmd2_unbiased_from_kernels as mmd2_unbiased
from condgan.evaluation.kid import intra_class_kid, kid


def polynomial_kernel(x, y):
    """KID's kernel: Bińkowski et al.'s (x·y / F + 1)^3."""
    return kernels.polynomial_kernel(x, y, degree=3)
from condgan.evaluation.sample_checks import TooFewSamplesError, TooFewSamplesWarning


def test_kid_is_unbiased_on_identical_distributions():
    """E[KID] = 0 when both sets come from one distribution (the U-statistic is unbiased; Bińkowski et al. Sec. 3):
    over 200 independent pairs of 50-sample sets the mean is within 3 standard errors of 0, while the biased
    V-statistic (diagonals kept) is positive by many standard errors."""
    g = torch.Generator().manual_seed(0)
    vals, biased = [], []
    for _ in range(200):
        x, y = torch.randn(50, 8, generator=g, dtype=torch.float64), torch.randn(50, 8, generator=g, dtype=torch.float64)
        kxx, kyy, kxy = polynomial_kernel(x, x), polynomial_kernel(y, y), polynomial_kernel(x, y)
        vals.append(float(mmd2_unbiased(kxx, kyy, kxy)))
        biased.append(float(kxx.mean() + kyy.mean() - 2 * kxy.mean()))
    v, b = torch.tensor(vals), torch.tensor(biased)
    se_v, se_b = v.std() / 200 ** 0.5, b.std() / 200 ** 0.5
    assert abs(float(v.mean())) < 3 * float(se_v)
    assert float(b.mean()) > 10 * float(se_b)


def test_kid_detects_a_shift():
    """A mean shift of 1 in 4-D gives KID far above its subset standard deviation."""
    g = torch.Generator().manual_seed(1)
    x, y = torch.randn(400, 4, generator=g), torch.randn(400, 4, generator=g) + 1
    mean, std = kid(x, y, subset_size=200, n_subsets=20)
    assert mean > 5 * std > 0


@settings(deadline=None, max_examples=10)
@given(seed=st.integers(0, 10_000), m=st.integers(3, 30), n=st.integers(3, 30), f=st.integers(1, 6))
def test_kid_mmd_agrees_with_the_generic_mmd_module(seed, m, n, f):
    """The unbiased MMD² of Gretton et al. 2012 (Eq. 3) from KID's kernel matrices equals the one from the samples
    (condgan.evaluation.mmd.mmd2_unbiased with the degree-3 polynomial kernel: kernel sums in blocks or by the
    feature expansion, two other computations of the same sums), float64 to 1e-10."""
    g = torch.Generator().manual_seed(seed)
    x, y = torch.randn(m, f, generator=g, dtype=torch.float64), torch.randn(n, f, generator=g, dtype=torch.float64)
    ours = mmd2_unbiased(polynomial_kernel(x, x), polynomial_kernel(y, y), polynomial_kernel(x, y))
    ref = mmd.mmd2_unbiased(x, y, degree=3)
    assert float(ours) == pytest.approx(float(ref), rel=1e-10, abs=1e-10)


def test_kid_is_invariant_to_sample_order():
    """Subsets are drawn from the canonically sorted sets, so permuting the samples gives bit-identical KID."""
    g = torch.Generator().manual_seed(2)
    x, y = torch.randn(120, 5, generator=g), torch.randn(100, 5, generator=g) + 0.3
    a = kid(x, y, subset_size=50, n_subsets=10, seed=3)
    b = kid(x[torch.randperm(120, generator=g)], y[torch.randperm(100, generator=g)], subset_size=50, n_subsets=10, seed=3)
    assert a == b


def test_kid_shrinks_subsets_with_a_warning_and_refuses_one_sample():
    """Subsets larger than a set shrink to that set with a warning; a 1-sample set raises (no U-statistic)."""
    x = torch.randn(30, 3)
    with pytest.warns(TooFewSamplesWarning, match=r"using subsets of 30"):
        kid(x, x + 1, subset_size=100, n_subsets=2)
    with pytest.raises(TooFewSamplesError, match=r"KID needs at least 2 samples per set .* got fake=1"):
        kid(x, x[:1])


def test_intra_class_kid_per_class_values(make_inputs):
    """Intra-class KID = mean over classes of KID(real_k, fake_k) with subsets capped at the class counts."""
    inp = make_inputs(n_real=90, n_fake=60, k=3, f=3)
    mean, per = intra_class_kid(inp.real_features, inp.real_labels, inp.fake_features, inp.fake_labels, 3,
                                subset_size=1000, n_subsets=4)
    assert len(per) == 3 and mean == pytest.approx(sum(per) / 3)
    first = kid(inp.real_features[inp.real_labels == 0], inp.fake_features[inp.fake_labels == 0], 20, 4, seed=0)[0]
    assert per[0] == pytest.approx(first, rel=1e-12)
