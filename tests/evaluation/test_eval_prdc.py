"""Precision/recall (Kynkäänniemi et al. 2019) and density/coverage (Naeem et al. 2020) against a brute-force oracle."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings, strategies as st

from condgan.evaluation.prdc import density_coverage, knn_radii, precision_recall
from condgan.evaluation.sample_checks import TooFewSamplesError


def _oracle(real, fake, k_pr, k_dc):
    """Per-sample Python loops straight from the papers' definitions (tiny sets only)."""
    def radius(s, i, k):
        d = sorted(float((s[i] - s[j]).norm()) for j in range(len(s)) if j != i)
        return d[k - 1]
    rr = [radius(real, i, k_pr) for i in range(len(real))]
    rf = [radius(fake, j, k_pr) for j in range(len(fake))]
    prec = sum(any(float((y - real[i]).norm()) <= rr[i] for i in range(len(real))) for y in fake) / len(fake)
    rec = sum(any(float((x - fake[j]).norm()) <= rf[j] for j in range(len(fake))) for x in real) / len(real)
    rd = [radius(real, i, k_dc) for i in range(len(real))]
    dens = sum(float((y - real[i]).norm()) <= rd[i] for y in fake for i in range(len(real))) / (k_dc * len(fake))
    cov = sum(min(float((real[i] - y).norm()) for y in fake) <= rd[i] for i in range(len(real))) / len(real)
    return prec, rec, dens, cov


@settings(deadline=None, max_examples=10)
@given(seed=st.integers(0, 10_000), n=st.integers(7, 18), m=st.integers(7, 18), shift=st.floats(0, 2))
def test_prdc_matches_brute_force_definition(seed, n, m, shift):
    """Vectorised chunked PRDC equals the per-sample definitions (Kynkäänniemi Eqs. 1-2, Naeem Eqs. 3-4)."""
    g = torch.Generator().manual_seed(seed)
    real = torch.randn(n, 3, generator=g, dtype=torch.float64)
    fake = torch.randn(m, 3, generator=g, dtype=torch.float64) + shift
    p, r, d, c = _oracle(real, fake, 3, 5)
    assert precision_recall(real, fake, k=3) == pytest.approx((p, r), abs=1e-12)
    assert density_coverage(real, fake, k=5) == pytest.approx((d, c), abs=1e-12)


@settings(deadline=None, max_examples=10)
@given(seed=st.integers(0, 10_000), n=st.integers(6, 80), f=st.integers(1, 10))
def test_precision_recall_coverage_are_one_on_identical_sets(seed, n, f):
    """Every sample lies in its own ball: precision = recall = coverage = 1 when fake = real."""
    x = torch.randn(n, f, generator=torch.Generator().manual_seed(seed))
    assert precision_recall(x, x) == (1.0, 1.0)
    assert density_coverage(x, x)[1] == 1.0


def test_prdc_zero_on_disjoint_sets():
    """Far-apart supports: no fake in any real ball and vice versa."""
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(50, 2, generator=g), torch.randn(50, 2, generator=g) + 100
    assert precision_recall(x, y) == (0.0, 0.0)
    assert density_coverage(x, y) == (0.0, 0.0)


def test_prdc_invariant_to_order_and_chunking():
    """Permuting either set, or the row chunk size, leaves all four values unchanged."""
    g = torch.Generator().manual_seed(1)
    x, y = torch.randn(70, 4, generator=g), torch.randn(60, 4, generator=g) + 0.4
    base = precision_recall(x, y) + density_coverage(x, y)
    px, py = x[torch.randperm(70, generator=g)], y[torch.randperm(60, generator=g)]
    assert precision_recall(px, py) + density_coverage(px, py) == base
    assert torch.allclose(knn_radii(x.double(), 3, chunk=7), knn_radii(x.double(), 3), rtol=1e-12)


def test_prdc_refuses_sets_not_larger_than_k():
    """With n <= k there is no k-th other neighbour: the error says so."""
    with pytest.raises(TooFewSamplesError, match=r"precision/recall needs at least 4 samples .* got fake=3"):
        precision_recall(torch.randn(10, 2), torch.randn(3, 2), k=3)
