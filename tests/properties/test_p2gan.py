"""Property tests of the p2gan plugin (Han et al., ICCV 2021): the dual projection logit is a projection with the
embedding difference v^p − v^q; it holds the log-ratio of the two classifiers' posteriors up to an x-only term; the
weighted mix of P2GAN-w at λ = 0 and λ = 1 is exactly its data and its label part, and linear in between; λ's
penalty is −log λ − log(1 − λ). Float64."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from condgan.plugins.p2gan import losses as L
from condgan.testing import assert_close
from condgan.testing import strategies as cst

F64 = torch.float64
SETTINGS = settings(deadline=None)

pytestmark = pytest.mark.usefixtures("one_thread")

vals = st.floats(-3.0, 3.0, allow_nan=False)


@st.composite
def dual_heads(draw):
    """φ (B, F), V^p and V^q (K, F), biases (K,), ψ (B,), labels (B,)."""
    b, k, f = draw(st.integers(1, 6)), draw(st.integers(2, 6)), draw(st.integers(1, 5))

    def t(*shape):
        n = math.prod(shape)
        return torch.tensor(draw(st.lists(vals, min_size=n, max_size=n)), dtype=F64).view(*shape)

    return t(b, f), t(k, f), t(k), t(k, f), t(k), t(b), draw(cst.labels(b, k))


@SETTINGS
@given(dual_heads())
def test_dual_projection_logit_uses_the_embedding_difference(inputs):
    """D(x, y) = ψ(φ) + (v^p_y − v^q_y)ᵀφ + b^p_y − b^q_y with cls = V^pφ + b^p and twin = V^qφ + b^q."""
    phi, Vp, bp, Vq, bq, psi, y = inputs
    c = F.one_hot(y, Vp.shape[0]).to(F64)
    expected = psi + ((Vp[y] - Vq[y]) * phi).sum(1) + bp[y] - bq[y]
    assert_close(L.dual_projection_logit(psi, phi @ Vp.T + bp, phi @ Vq.T + bq, c), expected, scale=10.0)


@SETTINGS
@given(dual_heads())
def test_projection_term_is_the_log_posterior_ratio_up_to_an_x_only_term(inputs):
    """log C^p(y|x) − log C^q(y|x) − (v^p_y − v^q_y)ᵀφ − (b^p_y − b^q_y) is the same for every class y (it is
    LSE(V^qφ + b^q) − LSE(V^pφ + b^p)): the dual projection holds the classifiers' log-ratio, ψ the rest."""
    phi, Vp, bp, Vq, bq, _, _ = inputs
    lp, lq = phi @ Vp.T + bp, phi @ Vq.T + bq
    k = lp.shape[1]
    zero = torch.zeros(len(phi), dtype=F64)
    rows = []
    for y in range(k):
        yy = torch.full((len(phi),), y)
        log_ratio = L.label_matching_loss(lq, yy) - L.label_matching_loss(lp, yy)
        proj = L.dual_projection_logit(zero, lp, lq, F.one_hot(yy, k).to(F64))
        rows.append(log_ratio - proj)
    rows = torch.stack(rows, 1)
    assert_close(rows, (torch.logsumexp(lq, 1) - torch.logsumexp(lp, 1)).unsqueeze(1).expand_as(rows), scale=10.0)


@SETTINGS
@given(cst.logits(batch=(1, 6), classes=(2, 6)), st.data())
def test_label_matching_is_the_class_cross_entropy(logits, data):
    """−log softmax(logits)[y], per sample."""
    y = data.draw(cst.labels(logits.shape[0], logits.shape[1]))
    assert_close(L.label_matching_loss(logits, y), -torch.log_softmax(logits, 1)[torch.arange(len(y)), y], scale=10.0)


@st.composite
def mix_inputs(draw):
    n = draw(st.integers(1, 8))
    data = torch.tensor(draw(st.lists(st.floats(0.0, 10.0), min_size=n, max_size=n)), dtype=F64)
    label = torch.tensor(draw(st.lists(st.floats(0.0, 10.0), min_size=n, max_size=n)), dtype=F64)
    lam = torch.tensor(draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n)), dtype=F64)
    return data, label, lam, draw(st.floats(0.0, 5.0))


@SETTINGS
@given(mix_inputs())
def test_weighted_mix_at_the_limits_is_each_part(inputs):
    """P2GAN-w: λ = 0 gives the data matching loss alone, λ = 1 the weighted label matching loss alone."""
    data, label, _, w = inputs
    assert_close(L.p2gan_mix(data, label, torch.zeros_like(data), w), data)
    assert_close(L.p2gan_mix(data, label, torch.ones_like(data), w), w * label)


@SETTINGS
@given(mix_inputs())
def test_weighted_mix_is_the_convex_combination(inputs):
    """(1 − λ) · data + λ · w_l · label per sample, and P2GAN (no λ) is data + w_l · label."""
    data, label, lam, w = inputs
    assert_close(L.p2gan_mix(data, label, lam, w), (1 - lam) * L.p2gan_mix(data, label, torch.zeros_like(lam), w)
                 + lam * L.p2gan_mix(data, label, torch.ones_like(lam), w), scale=10.0)
    assert_close(L.p2gan_mix(data, label, None, w), data + w * label, scale=10.0)


@SETTINGS
@given(st.lists(st.floats(-12.0, 12.0), min_size=1, max_size=8))  # 1 - σ(s) keeps its digits
def test_weight_penalty_is_minus_log_lambda_minus_log_one_minus_lambda(s):
    """−log σ(s) − log σ(−s) = −log λ − log(1 − λ) for λ = σ(s); symmetric in s; ≥ 2 log 2, with equality at s = 0."""
    s = torch.tensor(s, dtype=F64)
    lam = torch.sigmoid(s)
    pen = L.weight_penalty(s)
    assert_close(pen, -torch.log(lam) - torch.log1p(-lam), scale=100.0)
    assert_close(pen, L.weight_penalty(-s))
    assert bool((pen >= 2 * math.log(2) - 1e-12).all())
    assert_close(L.weight_penalty(torch.zeros(1, dtype=F64)), torch.tensor([2 * math.log(2)], dtype=F64))
