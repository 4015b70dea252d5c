"""Mutation-killing tests for core/evaluation/prdc.py (issue 15).

Improved precision and recall (Kynkäänniemi et al., NeurIPS 2019, Eqs. 1-2: k-NN balls around each real / fake
sample, a point counts when it lies in at least one ball, distance <= radius) and density and coverage (Naeem et
al., ICML 2020, Eqs. 3-4: density counts the real balls holding each fake, divided by k M; coverage is the fraction of
real samples whose nearest fake lies inside their own ball). Checked against an independent NumPy brute force on
random inputs, with row chunks smaller than the sets, and on integer points where distances tie with radii exactly.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from condgan.evaluation.prdc import _ball_hits, density_coverage, knn_radii, precision_recall
from condgan.evaluation.sample_checks import TooFewSamplesError


def np_dist(a, b):
    return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))


def np_radii(x, k):
    """Distance to the k-th nearest other sample (the sorted row's index k; index 0 is the sample itself)."""
    return np.sort(np_dist(x, x), axis=1)[:, k]


def np_prdc(real, fake, k_pr=3, k_dc=5):
    d_fr = np_dist(fake, real)                      # (M, N)
    r_pr, s_pr = np_radii(real, k_pr), np_radii(fake, k_pr)
    precision = np.mean([(d_fr[j] <= r_pr).any() for j in range(len(fake))])
    recall = np.mean([(d_fr[:, i] <= s_pr).any() for i in range(len(real))])
    r_dc = np_radii(real, k_dc)
    density = (d_fr <= r_dc[None, :]).sum() / (k_dc * len(fake))
    coverage = np.mean(d_fr.min(axis=0) <= r_dc)
    return precision, recall, density, coverage


def rand(n, f, seed, shift=0.0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, f, generator=g, dtype=torch.float64) + shift


def grid(n, f, seed, shift=0):
    """Integer points: many exact ties between distances and radii."""
    g = torch.Generator().manual_seed(seed)
    return (torch.randint(0, 4, (n, f), generator=g) + shift).double()


SETS = [(rand(13, 3, 0), rand(11, 3, 1, 0.6)), (grid(14, 2, 2), grid(9, 2, 3, 1)), (rand(8, 2, 4), rand(15, 2, 5, 1.5))]


@pytest.mark.parametrize("real,fake", SETS)
def test_kynkaanniemi_precision_recall_eqs_1_2_match_reference(real, fake):
    want = np_prdc(real.numpy(), fake.numpy())
    assert precision_recall(real, fake) == pytest.approx(want[:2], abs=1e-12)
    want_k2 = np_prdc(real.numpy(), fake.numpy(), k_pr=2)
    assert precision_recall(real, fake, k=2) == pytest.approx(want_k2[:2], abs=1e-12)


@pytest.mark.parametrize("real,fake", SETS)
def test_naeem_density_coverage_eqs_3_4_match_reference(real, fake):
    want = np_prdc(real.numpy(), fake.numpy())
    assert density_coverage(real, fake) == pytest.approx(want[2:], abs=1e-12)
    want_k3 = np_prdc(real.numpy(), fake.numpy(), k_dc=3)
    assert density_coverage(real, fake, k=3) == pytest.approx(want_k3[2:], abs=1e-12)


def test_hand_example_1d_boundaries_count():
    """Real {0, 1, 3, 6}, k = 1: radii (1, 1, 2, 3). Fakes on the ball boundaries count (distance <= radius)."""
    real = torch.tensor([[0.0], [1.0], [3.0], [6.0]], dtype=torch.float64)
    fake = torch.tensor([[-1.0], [9.0], [10.0]], dtype=torch.float64)
    assert knn_radii(real, 1).tolist() == [1.0, 1.0, 2.0, 3.0]
    # fake -1 is in B(0, 1) (distance 1 = radius), 9 in B(6, 3), 10 in none
    p, _ = precision_recall(real, fake, k=1)
    assert p == pytest.approx(2 / 3)
    # density with k=1: fake -1 lies in 1 ball (B(1,1) no: distance 2 > 1), 9 in one, 10 none -> 2 / (1 * 3)
    # coverage: nearest fake of 0 is -1 (1 <= 1), of 1 is -1 (2 > 1), of 3 is -1 (4 > 2), of 6 is 9 (3 <= 3)
    d, c = density_coverage(real, fake, k=1)
    assert d == pytest.approx(2 / 3) and c == pytest.approx(0.5)


def test_knn_radii_chunked_and_kth():
    x = rand(7, 2, 6)
    want = np_radii(x.numpy(), 2)
    np.testing.assert_allclose(knn_radii(x, 2).numpy(), want, rtol=1e-12)
    np.testing.assert_allclose(knn_radii(x, 2, chunk=3).numpy(), want, rtol=1e-12)
    np.testing.assert_allclose(knn_radii(x, 2, chunk=1).numpy(), want, rtol=1e-12)


def test_ball_hits_counts_and_nearest_chunked():
    pts, ctr = grid(7, 2, 7), grid(5, 2, 8, 1)
    radii = torch.tensor([0.0, 1.0, 1.5, 2.0, 3.0], dtype=torch.float64)
    d = np_dist(pts.numpy(), ctr.numpy())
    want_counts, want_near = (d <= radii.numpy()[None]).sum(1), d.min(1)
    for chunk in (1024, 3, 1):
        counts, near = _ball_hits(pts, ctr, radii, chunk=chunk)
        assert counts.tolist() == want_counts.tolist()
        np.testing.assert_allclose(near.numpy(), want_near, rtol=1e-12)


def test_identical_sets_and_far_sets():
    x = rand(10, 3, 9)
    assert precision_recall(x, x) == (1.0, 1.0)
    assert density_coverage(x, x)[1] == 1.0
    assert precision_recall(x, x + 100) == (0.0, 0.0)
    assert density_coverage(x, x + 100) == (0.0, 0.0)


def test_sample_count_rules_name_metric_and_k():
    x = rand(6, 2, 10)
    precision_recall(x[:4], x[:4], k=3)          # n = k + 1 is enough
    density_coverage(x[:6], x[:6], k=5)
    with pytest.raises(ValueError, match="feature widths differ: real 2, fake 1"):
        precision_recall(x, x[:, :1])
    with pytest.raises(ValueError, match="feature widths differ: real 2, fake 1"):
        density_coverage(x, x[:, :1])
    with pytest.raises(TooFewSamplesError) as err:
        precision_recall(x, x[:3], k=3)
    assert str(err.value) == ("precision/recall needs at least 4 samples per set (a k-NN radius with k=3 needs k other "
                              "samples); got fake=3.")
    with pytest.raises(TooFewSamplesError) as err:
        density_coverage(x[:5], x, k=5)
    assert str(err.value) == ("density/coverage needs at least 6 samples per set (a k-NN radius with k=5 needs k other "
                              "samples); got real=5.")


def test_input_errors_name_the_argument():
    x = rand(6, 2, 11)
    bad = x.clone()
    bad[0, 0] = float("inf")
    for fn in (precision_recall, density_coverage):
        with pytest.raises(ValueError, match=r"^real features contain NaN or infinite values"):
            fn(bad, x)
        with pytest.raises(ValueError, match=r"^fake features contain NaN or infinite values"):
            fn(x, bad)
