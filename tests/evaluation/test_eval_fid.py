"""FID and intra-class FID (Heusel et al. 2017; intra-class FID as in CA-GAN, Cho & Yoon): identities and parity."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings, strategies as st
from torch import nn

from condgan.evaluation.fid import fid, frechet_distance, gaussian_stats, intra_class_fid, sqrtm_psd
from condgan.evaluation.sample_checks import TooFewSamplesError, TooFewSamplesWarning

SETTINGS = settings(deadline=None, max_examples=15)


def _features(seed: int, n: int, f: int, scale: float = 1.0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    mix = torch.randn(f, f, generator=g, dtype=torch.float64)  # correlated features
    return scale * torch.randn(n, f, generator=g, dtype=torch.float64) @ mix + torch.randn(f, generator=g, dtype=torch.float64)


def _spd(seed: int, f: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(f, f, generator=g, dtype=torch.float64)
    return a @ a.T + 0.1 * torch.eye(f, dtype=torch.float64)


@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(12, 60), f=st.integers(1, 8))
def test_fid_of_a_set_with_itself_is_zero(seed, n, f):
    """FID(X, X) = 0 (Heusel et al. 2017, Eq. 6 with equal means and covariances), float64 round-off only."""
    x = _features(seed, n, f)
    scale = float(gaussian_stats(x)[1].trace()) + 1.0
    assert abs(fid(x, x)) <= 1e-9 * scale


@SETTINGS
@given(seed=st.integers(0, 10_000), f=st.integers(1, 6))
def test_frechet_distance_diagonal_closed_form(seed, f):
    """Commuting (diagonal) covariances: FID = ||mu1-mu2||^2 + sum_i (sqrt(a_i) - sqrt(b_i))^2 (Heusel et al. Eq. 6)."""
    g = torch.Generator().manual_seed(seed)
    mu1, mu2 = torch.randn(f, generator=g, dtype=torch.float64), torch.randn(f, generator=g, dtype=torch.float64)
    a, b = torch.rand(f, generator=g, dtype=torch.float64) * 5, torch.rand(f, generator=g, dtype=torch.float64) * 5
    expected = (mu1 - mu2).square().sum() + (a.sqrt() - b.sqrt()).square().sum()
    got = frechet_distance(mu1, torch.diag(a), mu2, torch.diag(b))
    assert torch.allclose(got, expected, rtol=1e-10, atol=1e-10)


@SETTINGS
@given(seed=st.integers(0, 10_000))
def test_frechet_distance_2d_closed_form_non_commuting(seed):
    """2-D, arbitrary SPD covariances: tr sqrt(M) = sqrt(tr M + 2 sqrt(det M)) for 2x2 PSD M, with
    tr M = tr(S1 S2) and det M = det S1 det S2 (Heusel et al. Eq. 6; an independent closed form)."""
    s1, s2 = _spd(seed, 2), _spd(seed + 1, 2)
    g = torch.Generator().manual_seed(seed)
    mu1, mu2 = torch.randn(2, generator=g, dtype=torch.float64), torch.randn(2, generator=g, dtype=torch.float64)
    tr_sqrt = math.sqrt(float((s1 @ s2).trace()) + 2 * math.sqrt(float(torch.det(s1) * torch.det(s2))))
    expected = float((mu1 - mu2).square().sum() + s1.trace() + s2.trace()) - 2 * tr_sqrt
    assert float(frechet_distance(mu1, s1, mu2, s2)) == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_fid_of_samples_approaches_the_gaussians_closed_form():
    """Samples of two 3-D Gaussians (n = 20,000 each): FID of the samples is within 2% of the closed form."""
    f = 3
    s1, s2 = _spd(1, f), _spd(2, f)
    mu1, mu2 = torch.zeros(f, dtype=torch.float64), torch.tensor([1.0, -0.5, 2.0], dtype=torch.float64)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(20_000, f, generator=g, dtype=torch.float64) @ torch.linalg.cholesky(s1).T + mu1
    y = torch.randn(20_000, f, generator=g, dtype=torch.float64) @ torch.linalg.cholesky(s2).T + mu2
    closed = float(frechet_distance(mu1, s1, mu2, s2))
    assert fid(x, y) == pytest.approx(closed, rel=0.02)


@settings(deadline=None, max_examples=5)
@given(seed=st.integers(0, 10_000), n=st.integers(10, 50), f=st.integers(2, 16))
def test_fid_agrees_with_torchmetrics(seed, n, f):
    """Our FID equals torchmetrics' FrechetInceptionDistance fed the same features (identity extractor), float64,
    relative tolerance 1e-6 (torchmetrics takes the square root of eigvals(S1 S2) in complex arithmetic)."""
    from torchmetrics.image.fid import FrechetInceptionDistance

    class Identity(nn.Module):
        num_features = f

        def forward(self, x):
            return x

    x, y = _features(seed, n, f), _features(seed + 1, n + 3, f, scale=1.5)
    tm = FrechetInceptionDistance(feature=Identity())
    tm.update(x, real=True)
    tm.update(y, real=False)
    ours = fid(x, y)
    assert ours == pytest.approx(float(tm.compute()), rel=1e-6, abs=1e-8)


@SETTINGS
@given(seed=st.integers(0, 10_000))
def test_fid_symmetric_nonnegative_and_order_invariant(seed):
    """FID is a squared 2-Wasserstein distance: symmetric, >= 0, and a function of the sample multiset only."""
    x, y = _features(seed, 40, 5), _features(seed + 7, 30, 5, scale=0.7)
    perm = torch.randperm(40, generator=torch.Generator().manual_seed(seed))
    d = fid(x, y)
    assert d >= 0
    assert fid(y, x) == pytest.approx(d, rel=1e-9, abs=1e-12)
    assert fid(x[perm], y) == pytest.approx(d, rel=1e-10, abs=1e-12)  # summation order only


def test_sqrtm_psd_squares_back():
    """The eigh square root R of an SPD matrix S satisfies R R = S and R = R^T."""
    s = _spd(3, 6)
    r = sqrtm_psd(s)
    assert torch.allclose(r @ r, s, atol=1e-10)
    assert torch.allclose(r, r.T, atol=1e-12)


def test_fid_rank_deficient_covariance_is_finite_and_real():
    """Fewer samples than features (rank-deficient covariances) must not give complex or negative FID (the
    pytorch-fid 'imaginary component' failure); it warns instead of staying silent."""
    x, y = _features(0, 5, 20), _features(1, 5, 20)
    with pytest.warns(TooFewSamplesWarning, match=r"rank-deficient"):
        d = fid(x, y)
    assert math.isfinite(d) and d >= 0


def test_fid_too_few_samples_raises_with_counts():
    """One sample has no covariance: FID refuses and says which set and how many."""
    with pytest.raises(TooFewSamplesError, match=r"FID needs at least 2 samples per set .* got fake=1"):
        fid(torch.randn(10, 2), torch.randn(1, 2))


def test_intra_class_fid_is_the_mean_of_per_class_fids(make_inputs):
    """Intra-class FID (CA-GAN's measure) = mean over classes k of FID(real_k, fake with target k)."""
    inp = make_inputs(n_real=150, n_fake=120, k=3, f=3)
    mean, per = intra_class_fid(inp.real_features, inp.real_labels, inp.fake_features, inp.fake_labels, 3)
    expected = [fid(inp.real_features[inp.real_labels == k], inp.fake_features[inp.fake_labels == k]) for k in range(3)]
    assert per == pytest.approx(expected, rel=1e-10)
    assert mean == pytest.approx(sum(expected) / 3, rel=1e-10)


def test_intra_class_fid_names_the_class_with_too_few_samples(make_inputs):
    """A class with one generated sample makes intra-class FID undefined: the error names that class."""
    inp = make_inputs(n_real=60, n_fake=60, k=3, f=2)
    yf = inp.fake_labels.clone()
    yf[yf == 2] = 0
    yf[0] = 2
    with pytest.raises(TooFewSamplesError, match=r"class 2 fake=1"):
        intra_class_fid(inp.real_features, inp.real_labels, inp.fake_features, yf, 3)


def test_intra_class_fid_warns_when_a_class_has_fewer_samples_than_features(make_inputs):
    """20 samples per class for 30-dimensional features: rank-deficient per-class covariances -> a warning."""
    inp = make_inputs(n_real=60, n_fake=60, k=3, f=30)
    with pytest.warns(TooFewSamplesWarning, match=r"class 0 real=20"):
        intra_class_fid(inp.real_features, inp.real_labels, inp.fake_features, inp.fake_labels, 3)
