"""Property tests of CGPGAN's identities (Cho 2024, Eqs. 1-13, Algorithm 1) and of the clustering metrics.

Inputs are built directly: probability rows are softmaxes of bounded logits, one-hot rows come from integer
draws. Identities run in float64 (tolerance 1e-12); gradients in float64 as well.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from condgan.builtins.adversarial import FAMILIES
from condgan.evaluation.clustering import cluster_accuracy, cluster_mapping, nmi
from condgan.plugins.cgpgan import losses as L

SETTINGS = settings(deadline=None, max_examples=40)
FAMILY_NAMES = sorted(FAMILIES)


def _family(name):
    factory, params, _ = FAMILIES[name]
    return factory(params(), None)


@st.composite
def logits(draw, b=st.integers(1, 8), k=st.integers(2, 6), bound=5.0):
    """A (B, K) float64 tensor of bounded logits."""
    b, k = draw(b), draw(k)
    vals = draw(st.lists(st.floats(-bound, bound), min_size=b * k, max_size=b * k))
    return torch.tensor(vals, dtype=torch.float64).reshape(b, k)


@st.composite
def onehots(draw, b: int, k: int):
    idx = draw(st.lists(st.integers(0, k - 1), min_size=b, max_size=b))
    return F.one_hot(torch.tensor(idx), k).double()


# ----------------------------------------------------------------------------------------------------- Eq. 13


@SETTINGS
@given(logits())
def test_prob_normalize_batch_average_is_uniform(l):
    """Eq. 13: batch_average(prob_normalize(c)) = [1/d_c, ..., 1/d_c] for any batch of probability rows."""
    c = F.softmax(l, dim=1)
    avg = L.prob_normalize(c).mean(0)
    torch.testing.assert_close(avg, torch.full_like(avg, 1.0 / c.shape[1]), atol=1e-12, rtol=0)


@SETTINGS
@given(logits())
def test_prob_normalize_keeps_row_sums(l):
    """Eq. 13: each row of a normalised softmax still sums to 1 (c - mean(c) + 1/d_c, summed over d_c entries)."""
    c = F.softmax(l, dim=1)
    torch.testing.assert_close(L.prob_normalize(c).sum(1), torch.ones(c.shape[0], dtype=c.dtype), atol=1e-12, rtol=0)


# ----------------------------------------------------------------------------------------------------- Eq. 11


@SETTINGS
@given(logits())
def test_argmax_onehot_is_onehot_at_the_maximum(l):
    """Eq. 11: argmax_onehot replaces the row maximum by 1 and every other entry by 0."""
    oh = L.argmax_onehot(l)
    assert oh.shape == l.shape
    assert torch.all((oh == 0) | (oh == 1))
    assert torch.all(oh.sum(1) == 1)
    picked = (oh * l).sum(1)
    assert torch.all(picked == l.max(1).values)


@SETTINGS
@given(logits(k=st.integers(2, 5)), st.sampled_from(FAMILY_NAMES), st.booleans(), st.data())
def test_d_loss_with_predicted_labels_equals_eq11_by_hand(q_logits, fam, normalize, data):
    """Eq. 11 (with Algorithm 1 lines 9-12): the CA-GAN loss fed argmax_onehot(Q(x)) equals
    mean_i f_r(D(x_i)[argmax_k Q(x_i)_k]) + mean_j f_g(D(x'_j)[c_f index]) computed by hand, per sample."""
    b, k = q_logits.shape
    family = _family(fam)
    d_real = data.draw(logits(b=st.just(b), k=st.just(k)))
    d_fake = data.draw(logits(b=st.just(b), k=st.just(k)))
    c_fake = data.draw(onehots(b, k))
    probs = F.softmax(q_logits, 1)
    if normalize:
        probs = L.prob_normalize(probs)
    c_real = L.argmax_onehot(probs)
    got = L.conditional_d_loss(d_real, c_real, d_fake, c_fake, family)
    idx_r = probs.argmax(1).tolist()
    idx_f = c_fake.argmax(1).tolist()
    by_hand = sum(float(family.d_real(d_real[i, idx_r[i]])) for i in range(b)) / b
    by_hand += sum(float(family.d_fake(d_fake[j, idx_f[j]])) for j in range(b)) / b
    assert math.isclose(float(got), by_hand, rel_tol=1e-12, abs_tol=1e-12)
    # and the inner-product form printed in the paper: f(D(x) . c)
    inner_form = family.d_real((d_real * c_real).sum(1)).mean() + family.d_fake((d_fake * c_fake).sum(1)).mean()
    assert math.isclose(float(got), float(inner_form), rel_tol=1e-12, abs_tol=1e-12)


@SETTINGS
@given(logits(), st.sampled_from(FAMILY_NAMES), st.data())
def test_g_loss_is_eq12(d_fake, fam, data):
    """Eq. 12: L_adv^g = E[A_g(D(G(z, c_f)) . c_f)], the generator's only loss (Eq. 9)."""
    b, k = d_fake.shape
    family = _family(fam)
    c = data.draw(onehots(b, k))
    expected = family.g((d_fake * c).sum(1)).mean()
    torch.testing.assert_close(L.conditional_g_loss(d_fake, c, family), expected, atol=1e-12, rtol=1e-12)


# ----------------------------------------------------------------------------------------------------- Eqs. 4, 10


@SETTINGS
@given(logits(), st.data())
def test_classification_loss_is_cross_entropy(l, data):
    """Eq. 4: L_cls = E[-c_f . log Q(G(z, c_f))] equals PyTorch's cross-entropy for one-hot c_f."""
    c = data.draw(onehots(*l.shape))
    torch.testing.assert_close(L.classification_loss(l, c), F.cross_entropy(l, c.argmax(1)), atol=1e-12, rtol=1e-12)


def _linear_q(seed: int, d: int, k: int):
    g = torch.Generator().manual_seed(seed)
    w = torch.randn(d, k, generator=g, dtype=torch.float64)
    bias = torch.randn(k, generator=g, dtype=torch.float64)
    return w, bias


@SETTINGS
@given(st.integers(0, 10_000), st.integers(1, 6), st.integers(1, 4), st.integers(2, 5), st.floats(0.1, 3.0), st.data())
def test_creg_nonnegative_and_matches_analytic_gradient(seed, b, d, k, scale, data):
    """Eq. 10: L_creg = E||∇_x (1 - softmax(Q(x)) . c_f)^2||² is >= 0, and for a linear Q(x) = xW + b it equals the
    closed form ||-2(1 - p) W (diag(s) - s s^T) c||² with s = softmax(Q(x)), p = s . c."""
    w, bias = _linear_q(seed, d, k)
    w = w * scale
    x = torch.randn(b, d, generator=torch.Generator().manual_seed(seed + 1), dtype=torch.float64, requires_grad=True)
    c = data.draw(onehots(b, k))
    per = L.classifier_gradient_penalty(x @ w + bias, c, x, reduction="none")
    assert torch.all(per >= 0)
    s = F.softmax(x.detach() @ w + bias, 1)
    p = (s * c).sum(1)
    jac = torch.diag_embed(s) - s[:, :, None] * s[:, None, :]  # (B, K, K) d softmax / d logits
    grad = -2 * (1 - p)[:, None] * torch.einsum("dk,bkj,bj->bd", w, jac, c)
    torch.testing.assert_close(per, grad.pow(2).sum(1), atol=1e-12, rtol=1e-10)


@SETTINGS
@given(logits(), st.integers(1, 4), st.data())
def test_creg_zero_for_constant_classifier(l, d, data):
    """Eq. 10: a classifier whose output does not depend on x has L_creg = 0 (connected to x or not)."""
    b, k = l.shape
    x = torch.randn(b, d, dtype=torch.float64, requires_grad=True)
    c = data.draw(onehots(b, k))
    assert float(L.classifier_gradient_penalty(l + 0.0 * x.sum(), c, x)) == 0.0
    assert float(L.classifier_gradient_penalty(l, c, x)) == 0.0


def test_creg_trains_the_classifier():
    """Eq. 10's L_creg (q_creg in Eq. 7's L_q) back-propagates into Q's weights through the double backward."""
    w = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    x = torch.randn(5, 2, dtype=torch.float64, requires_grad=True)
    c = F.one_hot(torch.tensor([0, 1, 2, 0, 1]), 3).double()
    loss = L.classifier_gradient_penalty(x @ w, c, x)
    (gw,) = torch.autograd.grad(loss, w)
    assert gw.abs().sum() > 0


# ----------------------------------------------------------------------------------------------------- R2


@SETTINGS
@given(logits(), st.integers(1, 4), st.data())
def test_r2_zero_for_discriminator_constant_in_x(d_out, d, data):
    """Section 4.1: L_r2 = E||∇_{x'}(D(x') . c_f)||² is 0 when D is constant in x."""
    b, k = d_out.shape
    x = torch.randn(b, d, dtype=torch.float64, requires_grad=True)
    c = data.draw(onehots(b, k))
    assert float(L.conditional_r2_penalty(d_out + 0.0 * x.sum(), c, x)) == 0.0
    assert float(L.conditional_r2_penalty(d_out, c, x)) == 0.0


@SETTINGS
@given(st.integers(0, 10_000), st.integers(1, 6), st.integers(1, 4), st.integers(2, 5), st.data())
def test_r2_of_linear_discriminator_is_squared_column_norm(seed, b, d, k, data):
    """Section 4.1: for D(x) = xW + b, ∇_x (D(x) . c) = W c, so L_r2 = mean ||W c||²."""
    w, bias = _linear_q(seed, d, k)
    x = torch.randn(b, d, dtype=torch.float64, requires_grad=True)
    c = data.draw(onehots(b, k))
    expected = (c @ w.t()).pow(2).sum(1).mean()
    torch.testing.assert_close(L.conditional_r2_penalty(x @ w + bias, c, x), expected, atol=1e-12, rtol=1e-12)


# ----------------------------------------------------------------------------------------------------- prior


@SETTINGS
@given(st.integers(2, 8), st.lists(st.tuples(st.integers(1, 6), st.integers(0, 10_000), st.booleans()),
                                   min_size=1, max_size=30), st.floats(0.0, 0.9999))
def test_ema_prior_stays_a_probability_vector(k, batches, decay):
    """Algorithm 1 line 25: P(C) <- decay P(C) + (1 - decay) batch_average(c'_r) stays on the simplex, whether c'_r
    is a softmax or its prob-normalised version (Eq. 13, whose entries may be negative)."""
    p = torch.full((k,), 1.0 / k, dtype=torch.float64)
    for b, seed, normalize in batches:
        g = torch.Generator().manual_seed(seed)
        probs = F.softmax(torch.randn(b, k, generator=g, dtype=torch.float64) * 4, 1)
        if normalize:
            probs = L.prob_normalize(probs)
        p = L.ema_prior_update(p, probs, decay)
        assert torch.all(p >= -1e-15)
        assert abs(float(p.sum()) - 1.0) < 1e-12


@SETTINGS
@given(logits(), st.floats(0.0, 0.9999), st.integers(1, 20))
def test_ema_prior_uniform_while_normalising(l, decay, steps):
    """Section 3: with prob_normalize on (early training), a uniform P(C) stays uniform."""
    k = l.shape[1]
    p = torch.full((k,), 1.0 / k, dtype=torch.float64)
    for _ in range(steps):
        p = L.ema_prior_update(p, L.prob_normalize(F.softmax(l, 1)), decay)
    torch.testing.assert_close(p, torch.full_like(p, 1.0 / k), atol=1e-12, rtol=0)


@SETTINGS
@given(logits(b=st.just(1)), st.floats(0.05, 2.0))
def test_gumbel_softmax_rows_on_simplex_and_differentiable(theta, t):
    """Elastic-InfoGAN (Section 2): Gumbel-softmax samples lie on the simplex and carry a gradient to the prior."""
    theta = theta[0].clone().requires_grad_(True)
    s = L.gumbel_softmax_sample(theta, 7, temperature=t, generator=torch.Generator().manual_seed(0))
    assert torch.all(s >= 0)
    torch.testing.assert_close(s.sum(1), torch.ones(7, dtype=s.dtype), atol=1e-12, rtol=0)
    (s[:, 0] * torch.arange(7.0, dtype=s.dtype)).sum().backward()
    assert theta.grad is not None and torch.isfinite(theta.grad).all()


def test_gumbel_argmax_frequencies_follow_the_prior():
    """Gumbel-max trick behind Elastic-InfoGAN: argmax of Gumbel-softmax samples is distributed as softmax(θ)
    (20k draws, tolerance 0.015 absolute, about 5 standard errors)."""
    theta = torch.log(torch.tensor([0.1, 0.2, 0.3, 0.4], dtype=torch.float64))
    s = L.gumbel_softmax_sample(theta, 20_000, temperature=0.5, generator=torch.Generator().manual_seed(1))
    freq = torch.bincount(s.argmax(1), minlength=4).double() / 20_000
    torch.testing.assert_close(freq, torch.tensor([0.1, 0.2, 0.3, 0.4], dtype=torch.float64), atol=0.015, rtol=0)
    hard = L.gumbel_softmax_sample(theta, 5, hard=True, generator=torch.Generator().manual_seed(2))
    assert torch.all((hard == 0) | (hard == 1)) and torch.all(hard.sum(1) == 1)


def test_prior_entropy_and_reporting():
    """Figs. 5, 11: entropy of [0.1, 0.2, 0.3, 0.4] is 1.2799 nats; categories under 1% are omitted."""
    p = torch.tensor([0.1, 0.2, 0.005, 0.3, 0.395], dtype=torch.float64)
    assert math.isclose(float(L.prior_entropy(torch.tensor([0.1, 0.2, 0.3, 0.4]))), 1.2798542, rel_tol=1e-6)
    keep, vals = L.reported_prior(p)
    assert keep == [0, 1, 3, 4] and vals == pytest.approx([0.1, 0.2, 0.3, 0.395])


@SETTINGS
@given(st.integers(2, 32))
def test_standardized_onehot_has_zero_mean_unit_variance(k):
    """Authors' code (reference note §3.1): G's categorical input (c d_c - 1)/sqrt(d_c - 1) has mean 0, variance 1."""
    c = torch.eye(k, dtype=torch.float64)
    s = L.standardize_onehot(c)
    torch.testing.assert_close(s.mean(1), torch.zeros(k, dtype=torch.float64), atol=1e-12, rtol=0)
    torch.testing.assert_close(s.pow(2).mean(1), torch.ones(k, dtype=torch.float64), atol=1e-12, rtol=0)


# ----------------------------------------------------------------------------------------------------- InfoGAN


@SETTINGS
@given(logits(), st.sampled_from(FAMILY_NAMES), st.floats(0.0, 5.0), st.data())
def test_infogan_losses_eqs_1_to_6(q, fam, lam, data):
    """InfoGAN Eqs. 1, 2, 5: L_q = λ L_cls, L_d = E[A_d] (L_g, Eqs. 3, 6, as the objective composes it:
    tests/test_cgpgan_objective_values.py)."""
    b, k = q.shape
    family = _family(fam)
    c = data.draw(onehots(b, k))
    adv_r = data.draw(logits(b=st.just(b), k=st.just(1)))[:, 0]
    adv_f = data.draw(logits(b=st.just(b), k=st.just(1)))[:, 0]
    lcls = F.cross_entropy(q, c.argmax(1))
    torch.testing.assert_close(L.infogan_q_loss(q, c, lam), lam * lcls, atol=1e-12, rtol=1e-12)
    torch.testing.assert_close(L.infogan_d_loss(adv_r, adv_f, family),
                               family.d_real(adv_r).mean() + family.d_fake(adv_f).mean(), atol=1e-12, rtol=1e-12)


def test_nt_xent_prefers_matching_pairs():
    """Elastic-InfoGAN's identity-preserving loss (NT-Xent, SimCLR): identical views score lower than shuffled ones."""
    g = torch.Generator().manual_seed(0)
    z = torch.randn(8, 4, generator=g, dtype=torch.float64)
    assert float(L.nt_xent(z, z)) < float(L.nt_xent(z, z[torch.randperm(8, generator=g)]))


# ----------------------------------------------------------------------------------------------------- clustering


@st.composite
def labelings(draw):
    n = draw(st.integers(1, 60))
    classes = draw(st.integers(1, 5))
    cats = draw(st.integers(1, 8))
    t = draw(st.lists(st.integers(0, classes - 1), min_size=n, max_size=n))
    p = draw(st.lists(st.integers(0, cats - 1), min_size=n, max_size=n))
    return np.array(t), np.array(p)


@SETTINGS
@given(labelings())
def test_cluster_accuracy_orders_and_bounds(tp):
    """Cluster accuracy variants (core/evaluation/clustering.py): hungarian <= hungarian_majority <= majority <= 1."""
    t, p = tp
    h = cluster_accuracy(t, p, "hungarian")
    hm = cluster_accuracy(t, p, "hungarian_majority")
    m = cluster_accuracy(t, p, "majority")
    assert 0.0 <= h <= hm + 1e-12 <= m + 2e-12 <= 1.0 + 2e-12


@SETTINGS
@given(labelings(), st.randoms(use_true_random=False))
def test_cluster_accuracy_invariant_to_category_names(tp, rnd):
    """Renaming categories (a permutation of the predicted ids) changes neither accuracy nor NMI."""
    t, p = tp
    perm = list(range(8))
    rnd.shuffle(perm)
    q = np.array([perm[v] for v in p])
    for mode in ("hungarian", "majority", "hungarian_majority"):
        assert math.isclose(cluster_accuracy(t, p, mode), cluster_accuracy(t, q, mode), abs_tol=1e-12)
    assert math.isclose(nmi(t, p), nmi(t, q), abs_tol=1e-9)


def test_cluster_accuracy_split_class():
    """A class split into two categories (the paper's Fig. 7: digit 2 in two columns) is fully right under
    hungarian_majority, partly under hungarian."""
    t = [0, 0, 0, 0, 1, 1, 2, 2]
    p = [0, 0, 3, 3, 1, 1, 2, 2]
    assert cluster_accuracy(t, p) == 1.0
    assert cluster_accuracy(t, p, "hungarian") == 0.75
    assert cluster_mapping(t, p) == {0: 0, 1: 1, 2: 2, 3: 0}
    assert nmi(t, t) == pytest.approx(1.0)


@SETTINGS
@given(labelings())
def test_nmi_matches_scikit_learn(tp):
    """NMI (arithmetic normalisation) computed from the contingency table equals scikit-learn's."""
    from sklearn.metrics import normalized_mutual_info_score

    t, p = tp
    assert math.isclose(nmi(t, p), normalized_mutual_info_score(t, p), abs_tol=1e-9)
