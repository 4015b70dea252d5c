"""Mutation-killing tests for core/evaluation/fid.py (issue 15).

FID (Heusel et al., 2017, Eq. 6 of the TTUR paper): ||mu_r - mu_g||² + tr(Σ_r + Σ_g - 2 (Σ_r Σ_g)^{1/2}), checked
against an independent SciPy implementation (``scipy.linalg.sqrtm`` of the non-symmetric product, the
pytest-fid/torchmetrics formula) on random inputs, batched and unbatched; intra-class FID (Miyato & Koyama 2018,
CA-GAN's measure) against per-class ``fid`` calls; and the sample-count rules of docs/evaluation.md (errors and
warnings name the metric, the set and the counts).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.linalg
import torch

from condgan.evaluation.fid import fid, frechet_distance, gaussian_stats, intra_class_fid, sqrtm_psd, trace_sqrt_product
from condgan.evaluation.sample_checks import TooFewSamplesError, TooFewSamplesWarning


def np_frechet(mu1, s1, mu2, s2):
    """Heusel et al. 2017: ||mu1 - mu2||² + tr(S1) + tr(S2) - 2 tr sqrtm(S1 S2) (SciPy, independent of eigh)."""
    covmean = scipy.linalg.sqrtm(s1 @ s2)
    covmean = np.real(covmean)
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def rand(n, f, seed, shift=0.0, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(f, f, generator=g, dtype=torch.float64) * scale
    return torch.randn(n, f, generator=g, dtype=torch.float64) @ a + shift


def rand_psd(f, seed, rank=None):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(f, rank or f, generator=g, dtype=torch.float64)
    return a @ a.T


# ------------------------------------------------------------------------------------------------ gaussian_stats

def test_gaussian_stats_match_numpy_unbiased_covariance():
    x = rand(9, 3, 0, shift=1.5)
    mu, sigma = gaussian_stats(x)
    np.testing.assert_allclose(mu.numpy(), x.numpy().mean(0), rtol=1e-12)
    np.testing.assert_allclose(sigma.numpy(), np.cov(x.numpy(), rowvar=False, ddof=1), rtol=1e-10)
    assert mu.dtype == sigma.dtype == torch.float64


def test_gaussian_stats_two_samples_is_enough_one_is_not():
    mu, sigma = gaussian_stats(torch.tensor([[0.0, 1.0], [2.0, 5.0]]))
    assert mu.tolist() == [1.0, 3.0] and sigma.tolist() == [[2.0, 4.0], [4.0, 8.0]]
    with pytest.raises(TooFewSamplesError) as err:
        gaussian_stats(torch.tensor([[0.0, 1.0]]))
    assert str(err.value) == ("Gaussian statistics needs at least 2 samples per set (a covariance needs two "
                              "samples); got features=1.")


# ---------------------------------------------------------------------------------------- matrix square roots

@pytest.mark.parametrize("rank", [None, 2])
def test_sqrtm_psd_squares_back_and_matches_scipy(rank):
    s = rand_psd(4, 1, rank)
    r = sqrtm_psd(s)
    torch.testing.assert_close(r @ r, s, rtol=1e-8, atol=1e-9)
    torch.testing.assert_close(r, r.T, rtol=0, atol=1e-12)
    np.testing.assert_allclose(r.numpy(), np.real(scipy.linalg.sqrtm(s.numpy())), rtol=1e-6, atol=1e-6)


def test_sqrtm_psd_small_eigenvalues_kept_negative_round_off_clamped():
    """Eigenvalues 0.25 and 1e-4 give roots 0.5 and 0.01; a -1e-12 round-off eigenvalue gives 0 (never NaN)."""
    q, _ = torch.linalg.qr(rand_psd(3, 2))
    s = q @ torch.diag(torch.tensor([0.25, 1e-4, -1e-12], dtype=torch.float64)) @ q.T
    r = sqrtm_psd(s)
    assert not torch.isnan(r).any()
    ev = torch.linalg.eigvalsh(r)
    np.testing.assert_allclose(sorted(ev.tolist()), [0.0, 0.01, 0.5], atol=1e-7)


def test_sqrtm_psd_uses_the_symmetric_part():
    """A slightly asymmetric input (round-off) is symmetrised as (S + S^T) / 2 before eigh."""
    s = rand_psd(3, 3)
    skew = torch.tensor([[0.0, 1e-3, 0.0], [-1e-3, 0.0, 0.0], [0.0, 0.0, 0.0]], dtype=torch.float64)
    torch.testing.assert_close(sqrtm_psd(s + skew), sqrtm_psd(s), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(sqrtm_psd(s + skew.T), sqrtm_psd(s), rtol=1e-12, atol=1e-12)


def test_sqrtm_psd_batched():
    """(B, F, F) with B != F: each matrix gets its own root."""
    s = torch.stack([rand_psd(3, 10 + i) for i in range(2)])
    r = sqrtm_psd(s)
    for i in range(2):
        torch.testing.assert_close(r[i], sqrtm_psd(s[i]), rtol=1e-10, atol=1e-12)
        torch.testing.assert_close(r[i] @ r[i], s[i], rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("rank", [None, 1])
def test_trace_sqrt_product_matches_scipy(rank):
    s1, s2 = rand_psd(4, 4, rank), rand_psd(4, 5, rank)
    want = np.trace(np.real(scipy.linalg.sqrtm(s1.numpy() @ s2.numpy())))
    assert float(trace_sqrt_product(s1, s2)) == pytest.approx(want, rel=1e-6, abs=1e-7)
    assert float(trace_sqrt_product(s2, s1)) == pytest.approx(want, rel=1e-6, abs=1e-7)


def test_trace_sqrt_product_hand_values():
    """tr((diag(4, 9) diag(1, 4))^{1/2}) = 2 + 6; a zero eigenvalue adds 0, not 1."""
    d = lambda *v: torch.diag(torch.tensor(v, dtype=torch.float64))  # noqa: E731
    assert float(trace_sqrt_product(d(4.0, 9.0), d(1.0, 4.0))) == pytest.approx(8.0, rel=1e-12)
    assert float(trace_sqrt_product(d(4.0, 0.0), d(1.0, 4.0))) == pytest.approx(2.0, rel=1e-12)
    assert float(trace_sqrt_product(d(0.01, 0.0), d(0.01, 0.0))) == pytest.approx(0.01, rel=1e-10)


def test_trace_sqrt_product_batched():
    s1 = torch.stack([rand_psd(3, 20 + i) for i in range(2)])
    s2 = torch.stack([rand_psd(3, 30 + i) for i in range(2)])
    out = trace_sqrt_product(s1, s2)
    assert out.shape == (2,)
    for i in range(2):
        assert float(out[i]) == pytest.approx(float(trace_sqrt_product(s1[i], s2[i])), rel=1e-10)


# ------------------------------------------------------------------------------------------- Fréchet distance

@pytest.mark.parametrize("seed", [0, 1])
def test_frechet_distance_matches_scipy_reference(seed):
    mu1, mu2 = rand(1, 4, seed)[0], rand(1, 4, seed + 7)[0]
    s1, s2 = rand_psd(4, seed + 40), rand_psd(4, seed + 50)
    want = np_frechet(mu1.numpy(), s1.numpy(), mu2.numpy(), s2.numpy())
    assert float(frechet_distance(mu1, s1, mu2, s2)) == pytest.approx(want, rel=1e-8)
    assert float(frechet_distance(mu2, s2, mu1, s1)) == pytest.approx(want, rel=1e-8)
    # float32 inputs are computed in float64
    out = frechet_distance(mu1.float(), s1.float(), mu2.float(), s2.float())
    assert out.dtype == torch.float64 and float(out) == pytest.approx(want, rel=1e-4)


def test_frechet_distance_hand_value_of_each_term():
    """N(0, diag(4, 1)) vs N((1, 2), diag(1, 9)): 5 + (5 + 10) - 2 (2 + 3) = 10."""
    mu0 = torch.zeros(2, dtype=torch.float64)
    s1, s2 = torch.diag(torch.tensor([4.0, 1.0])), torch.diag(torch.tensor([1.0, 9.0]))
    assert float(frechet_distance(mu0, s1, torch.tensor([1.0, 2.0]), s2)) == pytest.approx(10.0, rel=1e-12)


def test_frechet_distance_batched_matches_unbatched():
    """(B, F) means and (B, F, F) covariances with B != F give one distance per batch element."""
    mus1, mus2 = rand(2, 3, 60), rand(2, 3, 61)
    s1 = torch.stack([rand_psd(3, 62 + i) for i in range(2)])
    s2 = torch.stack([rand_psd(3, 64 + i) for i in range(2)])
    out = frechet_distance(mus1, s1, mus2, s2)
    assert out.shape == (2,)
    for i in range(2):
        want = np_frechet(mus1[i].numpy(), s1[i].numpy(), mus2[i].numpy(), s2[i].numpy())
        assert float(out[i]) == pytest.approx(want, rel=1e-8)


def test_frechet_distance_is_clamped_at_exactly_zero():
    """Equal Gaussians give 0 (round-off below zero is clamped to 0.0, not to any positive number)."""
    s = rand_psd(3, 70)
    mu = torch.zeros(3, dtype=torch.float64)
    assert 0.0 <= float(frechet_distance(mu, s, mu, s)) < 1e-9
    assert float(frechet_distance(mu, s * 0, mu, s * 0)) == 0.0


# ---------------------------------------------------------------------------------------------------- fid()

def test_fid_matches_scipy_reference_on_features():
    x, y = rand(40, 3, 80), rand(30, 3, 81, shift=0.7)
    want = np_frechet(x.numpy().mean(0), np.cov(x.numpy(), rowvar=False), y.numpy().mean(0),
                      np.cov(y.numpy(), rowvar=False))
    assert fid(x, y) == pytest.approx(want, rel=1e-8)
    assert fid(x.float().numpy(), y.float().numpy()) == pytest.approx(want, rel=1e-4)


def test_fid_sample_count_rules_name_metric_and_sets():
    x = rand(6, 3, 90)
    with pytest.raises(ValueError, match="feature widths differ: real 3, fake 2"):
        fid(x, x[:, :2])
    with pytest.raises(TooFewSamplesError) as err:
        fid(x, x[:1])
    assert str(err.value) == "FID needs at least 2 samples per set (a covariance needs two samples); got fake=1."
    with pytest.raises(TooFewSamplesError) as err:
        fid(x[:1], x)
    assert str(err.value) == "FID needs at least 2 samples per set (a covariance needs two samples); got real=1."
    with pytest.warns(TooFewSamplesWarning) as rec:
        fid(x[:3], x[:3])
    assert len(rec) == 1
    assert str(rec[0].message).startswith("FID: real=3, fake=3 samples for 3-dimensional features;")
    with pytest.warns(TooFewSamplesWarning) as rec:
        fid(x[:2], x)
    assert str(rec[0].message).startswith("FID: real=2 samples for 3-dimensional features;")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fid(x[:4], x[:5])          # n > F in both sets: no warning
        fid(x[:2, :1], x[:2, :1])  # two samples of 1-d features: defined, n > F


# ------------------------------------------------------------------------------------------- intra-class FID

def test_intra_class_fid_is_the_mean_of_per_class_fids():
    """CA-GAN's intra-FID: class k of the real set against fakes with target k; one-hot labels read by argmax."""
    xr, xf = rand(30, 2, 100), rand(27, 2, 101, shift=0.5)
    yr, yf = torch.arange(30) % 3, (torch.arange(27) + 1) % 3
    mean, per = intra_class_fid(xr, yr, xf, torch.nn.functional.one_hot(yf, 3), 3)
    want = [fid(xr[yr == k], xf[yf == k]) for k in range(3)]
    assert per == pytest.approx(want, rel=1e-10)
    assert mean == pytest.approx(sum(want) / 3, rel=1e-10)
    assert len(set(round(v, 6) for v in per)) == 3


def test_intra_class_fid_sample_count_rules():
    xr = rand(12, 2, 110)
    yr = torch.tensor([0] * 2 + [1] * 10)
    with pytest.warns(TooFewSamplesWarning) as rec:
        mean, per = intra_class_fid(xr, yr, xr, yr, 2)
    assert per[0] == pytest.approx(0.0, abs=1e-9) and per[1] == pytest.approx(0.0, abs=1e-9)
    assert len(rec) == 1
    assert str(rec[0].message).startswith("intra-class FID: class 0 real=2, class 0 fake=2 samples for 2-dimensional")
    y1 = torch.tensor([0] * 1 + [1] * 11)
    with pytest.raises(TooFewSamplesError) as err:
        intra_class_fid(xr, y1, xr, yr, 2)
    assert str(err.value) == ("intra-class FID needs at least 2 samples per set (each class needs a covariance "
                              "from each set); got class 0 real=1.")
    with pytest.raises(TooFewSamplesError) as err:
        intra_class_fid(xr, yr, xr, y1, 2)
    assert str(err.value).endswith("got class 0 fake=1.")


def test_symmetrisation_cancels_an_antisymmetric_part_batched_and_unbatched():
    """Both symmetric steps (the input of eigh and the product Σ_1^{1/2} Σ_2 Σ_1^{1/2} before eigvalsh) take
    (A + A^T) / 2, which removes any antisymmetric part exactly, for (F, F) and (B, F, F) inputs alike."""
    s1 = torch.stack([rand_psd(3, 120 + i) for i in range(2)])
    s2 = torch.stack([rand_psd(3, 130 + i) for i in range(2)])
    skew = torch.tensor([[0.0, 0.3, -0.1], [-0.3, 0.0, 0.2], [0.1, -0.2, 0.0]], dtype=torch.float64)
    torch.testing.assert_close(sqrtm_psd(s1 + skew), sqrtm_psd(s1), rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(sqrtm_psd(s1[0] + skew), sqrtm_psd(s1[0]), rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(trace_sqrt_product(s1, s2 + skew), trace_sqrt_product(s1, s2), rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(trace_sqrt_product(s1[1], s2[1] + skew), trace_sqrt_product(s1[1], s2[1]), rtol=1e-10,
                               atol=1e-12)


def test_input_errors_name_the_argument():
    """as_float64_matrix / as_labels errors name which input is wrong (real or fake features / labels)."""
    x = rand(6, 2, 140)
    bad = x.clone()
    bad[0, 0] = float("nan")
    y = torch.arange(6) % 2
    cases = [
        (lambda: fid(bad, x), r"^real features contain NaN"), (lambda: fid(x, bad), r"^fake features contain NaN"),
        (lambda: fid(x[None], x), r"^real features must be \(N, F\)"),
        (lambda: fid(x, x[None]), r"^fake features must be \(N, F\)"),
        (lambda: intra_class_fid(bad, y, x, y, 2), r"^real features contain NaN"),
        (lambda: intra_class_fid(x, y, bad, y, 2), r"^fake features contain NaN"),
        (lambda: intra_class_fid(x, y[:5], x, y, 2), r"^real labels must be \(6,\)"),
        (lambda: intra_class_fid(x, y, x, y[:5], 2), r"^fake labels must be \(6,\)"),
    ]
    for call, msg in cases:
        with pytest.raises(ValueError, match=msg):
            call()
