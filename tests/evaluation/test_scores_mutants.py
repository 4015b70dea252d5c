"""Mutation-killing tests for core/evaluation/scores.py (issue 15): every score of AM-GAN (Zhou et al., ICLR 2018)
checked against an independent NumPy implementation written from the paper's equations on random inputs, plus
hand values for the ``eps`` floor (the Numerics paragraph of the module docstring).

Eq. 21 Inception Score, Eq. 22 its entropy decomposition, Eq. 23 AM Score, Eq. 37 H / cross-entropy / KL,
Eq. 38 Mode Score; "IS ± std over splits" is Salimans et al. (2016)'s protocol (chunks of N // splits, ddof 0).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from condgan.evaluation import scores as S

EPS = 1e-12


# ----------------------------------------------------------------------------- independent reference (NumPy)

def np_entropy(p):
    """Eq. 37: H(p) = -Σ p log p, 0 log 0 = 0, over the last axis."""
    p = np.asarray(p, dtype=np.float64)
    safe = np.where(p > 0, p, 1.0)
    return -(p * np.log(safe)).sum(-1)


def np_cross_entropy(p, q, eps=EPS):
    """Eq. 37: H(p, q) = -Σ p log max(q, eps), 0 log x = 0."""
    p = np.asarray(p, dtype=np.float64)
    q = np.maximum(np.asarray(q, dtype=np.float64), eps)
    return -(np.where(p > 0, p * np.log(q), 0.0)).sum(-1)


def np_kl(p, q, eps=EPS):
    return np_cross_entropy(p, q, eps) - np_entropy(p)


def np_log_is(p, eps=EPS):
    """Eq. 21 before the exp: mean over samples of KL(C(x) ‖ C̄^G)."""
    return np_kl(p, p.mean(0, keepdims=True), eps).mean()


def np_is_splits(p, splits, eps=EPS):
    n = p.shape[0] // splits
    vals = np.array([math.exp(np_log_is(p[i * n:(i + 1) * n], eps)) for i in range(splits)])
    return vals.mean(), vals.std()


def np_log_mode(p, ref, eps=EPS):
    """Eq. 38 before the exp."""
    return np_kl(p, ref[None], eps).mean() - np_kl(p.mean(0), ref, eps)


def np_am(p, ref, eps=EPS):
    """Eq. 23: KL(C̄^train ‖ C̄^G) + E_x[H(C(x))]."""
    kl = np_kl(ref, p.mean(0), eps)
    h = np_entropy(p).mean()
    return kl + h, kl, h


def random_probs(n, k, seed, scale=2.0, zeros=False):
    g = torch.Generator().manual_seed(seed)
    p = torch.softmax(scale * torch.randn(n, k, generator=g, dtype=torch.float64), 1)
    if zeros:                                   # some exact zeros, so 0 log 0 and the eps floor matter
        p[::3, 0] = 0.0
        p = p / p.sum(1, keepdim=True)
    return p


CASES = [(7, 3, 0), (13, 5, 1), (10, 4, 2)]


# ------------------------------------------------------------------------------------- elementary pieces, Eq. 37

def test_eq37_entropy_cross_entropy_kl_rowwise_match_reference():
    """Eq. 37 on a (N, K) matrix with N != K: the default dim is the class axis (last), one value per row."""
    p, q = random_probs(4, 3, 10), random_probs(4, 3, 11)
    np.testing.assert_allclose(S.entropy(p).numpy(), np_entropy(p.numpy()), rtol=1e-12)
    np.testing.assert_allclose(S.cross_entropy(p, q).numpy(), np_cross_entropy(p.numpy(), q.numpy()), rtol=1e-12)
    np.testing.assert_allclose(S.kl_divergence(p, q).numpy(), np_kl(p.numpy(), q.numpy()), rtol=1e-10)
    # explicit dim=0 sums over the sample axis instead
    np.testing.assert_allclose(S.entropy(p.T, dim=0).numpy(), np_entropy(p.numpy()), rtol=1e-12)
    np.testing.assert_allclose(S.kl_divergence(p.T, q.T, dim=0).numpy(), np_kl(p.numpy(), q.numpy()), rtol=1e-10)


def test_eq37_eps_floor_hand_values():
    """Module docstring (Numerics): a zero-mass class in the second argument costs -log(eps), eps = 1e-12."""
    assert S.EPS == 1e-12
    p, q = torch.tensor([1.0, 0.0], dtype=torch.float64), torch.tensor([0.0, 1.0], dtype=torch.float64)
    assert float(S.cross_entropy(p, q)) == pytest.approx(-math.log(1e-12), rel=1e-12)
    assert float(S.kl_divergence(p, q)) == pytest.approx(-math.log(1e-12), rel=1e-12)
    assert float(S.cross_entropy(p, q, eps=1e-3)) == pytest.approx(-math.log(1e-3), rel=1e-12)
    assert float(S.kl_divergence(p, q, eps=1e-3)) == pytest.approx(-math.log(1e-3), rel=1e-12)


def test_eq23_eps_floor_reaches_am_score_and_streaming_stats():
    """AM Score (Eq. 23) of a generator that never produces class 0: KL(train ‖ G) pays 0.5 (log 0.5 - log eps)."""
    probs = torch.tensor([[0.0, 1.0], [0.0, 1.0]], dtype=torch.float64)
    ref = torch.tensor([0.5, 0.5], dtype=torch.float64)
    want = 0.5 * (math.log(0.5) - math.log(1e-12)) + 0.5 * math.log(0.5)
    want_e = 0.5 * (math.log(0.5) - math.log(1e-6)) + 0.5 * math.log(0.5)
    assert float(S.am_score(probs, ref)) == pytest.approx(want, rel=1e-12)
    assert float(S.am_score(probs, ref, eps=1e-6)) == pytest.approx(want_e, rel=1e-12)
    st = S.ClassProbabilityStats.from_probs(probs)
    assert float(st.am_score(ref)) == pytest.approx(want, rel=1e-12)
    assert float(st.am_score(ref, eps=1e-6)) == pytest.approx(want_e, rel=1e-12)
    assert float(st.am_score_terms(ref, eps=1e-6).marginal_kl) == pytest.approx(want_e, rel=1e-12)


def test_eq21_eq38_eps_argument_is_used():
    """IS (Eq. 21) and Mode Score (Eq. 38) pass their eps to the KL: a large eps (0.5 floors every marginal entry
    of K = 4 classes) changes the value as the reference implementation with the same eps does."""
    p = random_probs(9, 4, 3, scale=4.0, zeros=True)
    ref = torch.tensor([0.0, 0.2, 0.3, 0.5], dtype=torch.float64)
    for eps in (EPS, 0.05, 0.5):
        assert float(S.log_inception_score(p, eps=eps)) == pytest.approx(np_log_is(p.numpy(), eps), rel=1e-10)
        if eps == 0.5:
            assert abs(np_log_is(p.numpy(), eps) - np_log_is(p.numpy())) > 0.1
        assert float(S.inception_score(p, eps=eps)) == pytest.approx(math.exp(np_log_is(p.numpy(), eps)), rel=1e-10)
        m, s = S.inception_score_splits(p, splits=2, eps=eps)
        wm, ws = np_is_splits(p.numpy(), 2, eps)
        assert float(m) == pytest.approx(wm, rel=1e-10) and float(s) == pytest.approx(ws, rel=1e-9, abs=1e-12)
        assert float(S.log_mode_score(p, ref, eps=eps)) == pytest.approx(np_log_mode(p.numpy(), ref.numpy(), eps),
                                                                         rel=1e-9, abs=1e-12)
        assert float(S.mode_score(p, ref, eps=eps)) == pytest.approx(
            math.exp(np_log_mode(p.numpy(), ref.numpy(), eps)), rel=1e-9)
        t = S.am_score_terms(p, ref, eps=eps)
        w = np_am(p.numpy(), ref.numpy(), eps)
        assert float(t.score) == pytest.approx(w[0], rel=1e-10)
        assert float(S.am_score(p, ref, eps=eps)) == pytest.approx(w[0], rel=1e-10)


def test_class_marginal_is_the_mean_row():
    p = random_probs(5, 3, 4)
    np.testing.assert_allclose(S.class_marginal(p).numpy(), p.numpy().mean(0), rtol=1e-14)
    assert S.class_marginal(p).dtype == torch.float64
    # a single (K,) row is promoted to (1, K): its marginal is itself
    np.testing.assert_allclose(S.class_marginal(p[0]).numpy(), p[0].numpy(), rtol=1e-14)


# ------------------------------------------------------------------------------------------ Eqs. 21, 22, 23, 38

@pytest.mark.parametrize("n,k,seed", CASES)
def test_eq21_inception_score_matches_reference(n, k, seed):
    p = random_probs(n, k, seed, zeros=True)
    want = np_log_is(p.numpy())
    assert float(S.log_inception_score(p)) == pytest.approx(want, rel=1e-10)
    assert float(S.inception_score(p)) == pytest.approx(math.exp(want), rel=1e-10)
    assert S.inception_score(p).dtype == torch.float64
    assert float(S.inception_score(p.float())) == pytest.approx(math.exp(want), rel=1e-5)


@pytest.mark.parametrize("n,k,seed", CASES)
def test_eq22_decomposition_matches_reference(n, k, seed):
    p = random_probs(n, k, seed, zeros=True)
    d = S.inception_score_decomposition(p)
    h_marg, h_mean = np_entropy(p.numpy().mean(0)), np_entropy(p.numpy()).mean()
    assert float(d.marginal_entropy) == pytest.approx(h_marg, rel=1e-12)
    assert float(d.mean_entropy) == pytest.approx(h_mean, rel=1e-12)
    assert float(d.log_score) == pytest.approx(h_marg - h_mean, rel=1e-10)
    assert float(d.score) == pytest.approx(math.exp(h_marg - h_mean), rel=1e-10)


@pytest.mark.parametrize("n,splits", [(10, 3), (11, 2), (12, 4), (9, 1), (5, 5)])
def test_salimans_splits_match_reference(n, splits):
    """IS ± std (Eq. 21 per chunk): chunks of N // splits rows, the remainder dropped, C̄^G per chunk, ddof 0."""
    p = random_probs(n, 4, n + splits, scale=3.0)
    m, s = S.inception_score_splits(p, splits=splits)
    wm, ws = np_is_splits(p.numpy(), splits)
    assert float(m) == pytest.approx(wm, rel=1e-10)
    assert float(s) == pytest.approx(ws, rel=1e-9, abs=1e-14)


def test_salimans_splits_default_is_ten():
    p = random_probs(23, 3, 5, scale=3.0)
    m, s = S.inception_score_splits(p)
    wm, ws = np_is_splits(p.numpy(), 10)
    assert float(m) == pytest.approx(wm, rel=1e-10)
    assert float(s) == pytest.approx(ws, rel=1e-9)


def test_salimans_splits_bounds():
    p = random_probs(4, 3, 6)
    S.inception_score_splits(p, splits=1)
    S.inception_score_splits(p, splits=4)
    for bad in (0, 5):
        with pytest.raises(ValueError, match="splits"):
            S.inception_score_splits(p, splits=bad)


@pytest.mark.parametrize("n,k,seed", CASES)
def test_eq38_mode_score_matches_reference(n, k, seed):
    p = random_probs(n, k, seed)
    ref = random_probs(1, k, seed + 100)[0]
    want = np_log_mode(p.numpy(), ref.numpy())
    assert float(S.log_mode_score(p, ref)) == pytest.approx(want, rel=1e-9)
    assert float(S.mode_score(p, ref)) == pytest.approx(math.exp(want), rel=1e-9)


@pytest.mark.parametrize("n,k,seed", CASES)
def test_eq23_am_score_matches_reference(n, k, seed):
    p = random_probs(n, k, seed, zeros=True)
    ref = random_probs(1, k, seed + 100)[0]
    w = np_am(p.numpy(), ref.numpy())
    t = S.am_score_terms(p, ref)
    assert float(t.score) == pytest.approx(w[0], rel=1e-10)
    assert float(t.marginal_kl) == pytest.approx(w[1], rel=1e-10)
    assert float(t.mean_entropy) == pytest.approx(w[2], rel=1e-12)
    assert float(S.am_score(p, ref)) == pytest.approx(w[0], rel=1e-10)
    # train_marginal may come as (1, K) or float32: reshaped and cast
    assert float(S.am_score(p, ref.reshape(1, k).float())) == pytest.approx(w[0], rel=1e-5)


def test_shape_checks():
    """(K,) is one sample; (N, K) with N, K >= 1 is accepted; other shapes and empty inputs are refused."""
    row = torch.tensor([0.2, 0.3, 0.5], dtype=torch.float64)
    assert float(S.inception_score(row)) == pytest.approx(1.0, rel=1e-12)
    assert float(S.am_score(row, row)) == pytest.approx(float(np_entropy(row.numpy())), rel=1e-12)
    assert float(S.inception_score(torch.ones(1, 1))) == pytest.approx(1.0)
    for bad in (torch.ones(2, 2, 2), torch.ones(0, 3), torch.ones(3, 0), torch.ones(()).reshape(1, 1, 1)):
        with pytest.raises(ValueError, match=r"^probs must (have shape|be non-empty)"):
            S.inception_score(bad)
    eye, bad_ref = torch.eye(3), torch.ones(2) / 2
    for call in (lambda: S.am_score(eye, bad_ref), lambda: S.log_mode_score(eye, bad_ref),
                 lambda: S.ClassProbabilityStats.from_probs(eye).am_score(bad_ref)):
        with pytest.raises(ValueError, match=r"^train_marginal must have 3 entries \(one per class\), got 2$"):
            call()


def test_float32_inputs_are_scored_in_float64():
    """Module docstring: inputs are cast to float64 before any sum (scores and marginals are float64)."""
    p = random_probs(6, 3, 30).float()
    ref = random_probs(1, 3, 31)[0].float()
    for out in (S.class_marginal(p), S.log_inception_score(p), S.inception_score(p), S.log_mode_score(p, ref),
                S.inception_score_splits(p, 2)[0], S.inception_score_decomposition(p).score, S.am_score(p, ref),
                S.ClassProbabilityStats.from_probs(p).sum_probs):
        assert out.dtype == torch.float64
    st = S.ClassProbabilityStats.empty(3)
    assert st.sum_probs.dtype == torch.float64 and st.sum_entropy.dtype == torch.float64
    st.update(p)
    assert st.sum_probs.dtype == torch.float64 and st.sum_entropy.dtype == torch.float64


def test_streaming_stats_stay_on_their_device():
    """ClassProbabilityStats moves each batch and the reference marginal to the device of its sums (a GPU in the
    pipeline; the ``meta`` device stands in for it here): CPU inputs never meet device sums unmoved."""
    st = S.ClassProbabilityStats(0, torch.zeros(3, dtype=torch.float64, device="meta"),
                                 torch.zeros((), dtype=torch.float64, device="meta"))
    st.update(torch.eye(3))
    assert st.n == 3 and st.sum_probs.device.type == "meta"
    assert st.am_score_terms(torch.ones(3) / 3).score.device.type == "meta"


# ------------------------------------------------------------------------------------------- streaming statistics

def test_streaming_stats_fields_and_every_score():
    """ClassProbabilityStats holds n, Σ C(x), Σ H(C(x)); its scores equal Eqs. 22 and 23 on the whole set."""
    a, b, c = random_probs(3, 4, 20, zeros=True), random_probs(5, 4, 21), random_probs(2, 4, 22)
    allp = torch.cat([a, b, c]).numpy()
    ref = random_probs(1, 4, 23)[0]
    st = S.ClassProbabilityStats.empty(4)
    assert st.n == 0 and st.sum_probs.shape == (4,) and st.sum_probs.dtype == torch.float64
    assert float(st.sum_entropy) == 0.0 and float(st.sum_probs.abs().sum()) == 0.0
    with pytest.raises(ValueError, match="no samples"):
        st.marginal()
    with pytest.raises(ValueError, match="no samples"):
        st.mean_entropy()
    st.update(a)
    st.update(b)
    merged = st.merge(S.ClassProbabilityStats.from_probs(c))
    for s_ in (merged, S.ClassProbabilityStats.from_probs(torch.cat([a, b, c]))):
        assert s_.n == 10
        np.testing.assert_allclose(s_.sum_probs.numpy(), allp.sum(0), rtol=1e-12)
        assert float(s_.sum_entropy) == pytest.approx(np_entropy(allp).sum(), rel=1e-12)
        np.testing.assert_allclose(s_.marginal().numpy(), allp.mean(0), rtol=1e-12)
        assert float(s_.mean_entropy()) == pytest.approx(np_entropy(allp).mean(), rel=1e-12)
        want_log = np_entropy(allp.mean(0)) - np_entropy(allp).mean()
        assert float(s_.log_inception_score()) == pytest.approx(want_log, rel=1e-10)
        assert float(s_.inception_score()) == pytest.approx(math.exp(want_log), rel=1e-10)
        w = np_am(allp, ref.numpy())
        t = s_.am_score_terms(ref)
        assert float(t.score) == pytest.approx(w[0], rel=1e-10)
        assert float(t.marginal_kl) == pytest.approx(w[1], rel=1e-10)
        assert float(t.mean_entropy) == pytest.approx(w[2], rel=1e-12)
        assert float(s_.am_score(ref)) == pytest.approx(w[0], rel=1e-10)
    # merge does not change its operands
    assert st.n == 8
    with pytest.raises(ValueError, match="classes"):
        st.update(torch.eye(3))
