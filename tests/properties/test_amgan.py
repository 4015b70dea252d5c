"""Property tests of the AM-GAN paper's identities (Zhou et al., ICLR 2018) on plugins/amgan/losses.py and
core/evaluation/scores.py. float64 for identities (tolerance 1e-9), float32 where stated (tolerance 1e-5)."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st

from condgan.evaluation import scores as S
from condgan.plugins.amgan import losses as L

# example counts come from the session profile (tests/conftest.py: dev 60, ci 40 derandomized, mutation 8); loading a
# profile here would override it for every test module of the session

F64 = dict(atol=1e-9, rtol=1e-9)
F32 = dict(atol=1e-5, rtol=1e-5)


# ------------------------------------------------------------------------------------------------- strategies

@st.composite
def logits(draw, b=None, n=None, dtype=torch.float64, bound=6.0):
    b = draw(st.integers(1, 5)) if b is None else b
    n = draw(st.integers(2, 9)) if n is None else n
    vals = draw(st.lists(st.floats(-bound, bound, allow_nan=False), min_size=b * n, max_size=b * n))
    return torch.tensor(vals, dtype=dtype).reshape(b, n)


@st.composite
def simplex(draw, b=None, n=None, dtype=torch.float64):
    """Rows on the probability simplex, built as the softmax of bounded logits (no filtering)."""
    return torch.softmax(draw(logits(b=b, n=n, dtype=dtype)), dim=-1)


@st.composite
def shapes(draw):
    return draw(st.integers(1, 5)), draw(st.integers(2, 9))


def H(p, q):
    """Cross-entropy from probabilities, the definition in Sec. 2.1."""
    return -(p * q.log()).sum(-1)


# ------------------------------------------------------------------------------------------------- Lemma 1

@given(st.data(), shapes(), st.sampled_from([torch.float64, torch.float32]))
def test_lemma1_cross_entropy_gradient(data, shape, dtype):
    """AM-GAN Lemma 1 (Eq. 10): -dH(p̂, σ(l))/dl = p̂ - σ(l), by autograd; float64 1e-9, float32 1e-5."""
    b, n = shape
    l = data.draw(logits(b, n, dtype)).requires_grad_(True)
    p_hat = data.draw(simplex(b, n, dtype))
    L.soft_cross_entropy(l, p_hat, reduction="sum").backward()
    tol = F64 if dtype == torch.float64 else F32
    torch.testing.assert_close(-l.grad, p_hat - torch.softmax(l.detach(), -1), **tol)


# ------------------------------------------------------------------------------------------------- Lemma 2

@given(st.data(), shapes())
def test_lemma2_cross_entropy_decomposition(data, shape):
    """AM-GAN Lemma 2 (Eq. 16): H(p̂,p) = p̂_r H(R(p̂),R(p)) + H(F(p̂),F(p)) for any K and distributions (float64)."""
    b, k = shape
    p_hat = data.draw(simplex(b, k + 1))
    p = data.draw(simplex(b, k + 1))
    lhs = H(p_hat, p)
    p_r = p_hat[:, :-1].sum(-1)
    rhs = p_r * H(L.restrict_real(p_hat), L.restrict_real(p)) + H(L.fold_real_fake(p_hat), L.fold_real_fake(p))
    torch.testing.assert_close(lhs, rhs, **F64)
    # the same from logits, as the losses compute it (log p is a valid logit vector)
    terms = L.lemma2_terms(p_hat, p.log())
    torch.testing.assert_close(terms.classifier + terms.real_fake, lhs, **F64)


@given(st.data(), shapes())
def test_lemma2_discriminator_matches_code_form(data, shape):
    """AM-GAN Eq. 15 with the fake logit fixed to 0 equals the reference code's D loss (Lemma 2):
    CE([l_r,0],[1,0]) on real + CE([l_r,0],[0,1]) on fake + CE(l_{1:K} on real, y), l_r = LSE(l_{1:K})."""
    b, k = shape
    cl_real, cl_fake = data.draw(logits(b, k)), data.draw(logits(b, k))
    y = F.one_hot(torch.tensor(data.draw(st.lists(st.integers(0, k - 1), min_size=b, max_size=b))), k).double()
    ours = L.kplus1_discriminator_loss(L.kplus1_logits(cl_real), y, L.kplus1_logits(cl_fake))
    two = lambda lr: torch.stack([lr, torch.zeros_like(lr)], -1)
    code = (F.cross_entropy(two(L.real_logit(cl_real)), torch.zeros(b, dtype=torch.long))
            + F.cross_entropy(two(L.real_logit(cl_fake)), torch.ones(b, dtype=torch.long))
            + F.cross_entropy(cl_real, y.argmax(-1)))
    torch.testing.assert_close(ours, code, **F64)


# --------------------------------------------------------------------------------------------- Eqs. 17-18, 19

@given(st.data(), shapes(), st.booleans())
def test_eq17_18_amgan_generator_decomposes(data, shape, learned_fake):
    """AM-GAN Eqs. 17-18: L_G^am = H(v(y), D(x)) = H(R(v),R(D)) [auxiliary classifier] + L_G^lab [LabelGAN],
    each side computed by the plugin's own loss functions; and L_G^lab = H([1,0],[D_r, D_{K+1}]) (float64)."""
    b, k = shape
    cls = data.draw(logits(b, k))
    fake = data.draw(logits(b, 1))[:, 0] if learned_fake else None
    l = L.kplus1_logits(cls, fake)
    u = data.draw(simplex(b, k)) if data.draw(st.booleans()) else F.one_hot(cls.argmax(-1), k).double()
    am = L.amgan_generator_loss(l, u, reduction="none")
    aux = L.amgan_auxiliary_term(l, u, reduction="none")
    lab = L.labelgan_generator_loss(l, reduction="none")
    torch.testing.assert_close(am, aux + lab, **F64)
    D = torch.softmax(l, -1)
    torch.testing.assert_close(am, H(L.kplus1_target(u), D), **F64)                         # Eq. 14
    torch.testing.assert_close(lab, -torch.log(D[:, :-1].sum(-1)), **F64)                   # Eq. 2
    torch.testing.assert_close(lab, H(torch.tensor([1.0, 0.0], dtype=D.dtype), L.fold_real_fake(D)), **F64)  # Eq. 18
    # the decomposed path of amgan_generator_loss (used for other weights) agrees at weight 1 too
    w = data.draw(st.floats(0.0, 2.0))
    torch.testing.assert_close(L.amgan_generator_loss(l, u, aux_weight=w, reduction="none"), w * aux + lab, **F64)


@given(st.data(), shapes())
def test_eq19_acgan_is_hierarchical_kplus1(data, shape):
    """AM-GAN Eq. 19: L_G^ac = H([1,0],[D_r,D_f]) + H(u(y),C(x)) = H(v(y), [D_r·C(x), D_f]) (float64)."""
    b, k = shape
    adv, cls = data.draw(logits(b, 1))[:, 0], data.draw(logits(b, k))
    y = torch.tensor(data.draw(st.lists(st.integers(0, k - 1), min_size=b, max_size=b)))
    u = F.one_hot(y, k).double()
    ac = L.acgan_generator_loss(adv, cls, u, reduction="none")
    torch.testing.assert_close(ac, H(L.kplus1_target(u), L.hierarchical_probs(adv, cls)), **F64)


# ------------------------------------------------------------------------------------------------- Eqs. 11-13

@given(st.data(), shapes(), st.sampled_from([torch.float64, torch.float32]))
def test_eq11_13_labelgan_class_aware_gradient(data, shape, dtype):
    """AM-GAN Eqs. 11-13: for L_G^lab, -dL/dl_k = (1-D_r) D_k/D_r (k ≤ K) and -dL/dl_{K+1} = -(1-D_r), by autograd."""
    b, k = shape
    l = data.draw(logits(b, k + 1, dtype)).requires_grad_(True)
    L.labelgan_generator_loss(l, reduction="sum").backward()
    D = torch.softmax(l.detach(), -1)
    d_r = D[:, :-1].sum(-1, keepdim=True)
    alpha = torch.cat([D[:, :-1] / d_r, -torch.ones_like(d_r)], -1)                         # Eq. 13
    tol = F64 if dtype == torch.float64 else F32
    torch.testing.assert_close(-l.grad, (1 - d_r) * alpha, **tol)                           # Eq. 12


# ---------------------------------------------------------------------------------------- Appendix A, Eqs. 26, 29

@given(st.data(), st.integers(1, 5), st.floats(0.0, 0.5))
def test_appendix_a_eq26_eq29_logit_gradients(data, b, lam):
    """AM-GAN Appendix A: with 2-class logits [l_r, l_f] and D_r = softmax(.)_r,
    Eq. 26: -dL_G^{log(1-D)}/dl_r = D_r - λ₁ (target [λ₁, 1-λ₁]);
    Eq. 29: -dL_G^{log D}/dl_r = (1-λ) - D_r (target [1-λ, λ]). Autograd, float64."""
    lr = data.draw(logits(b, 1))[:, 0].requires_grad_(True)
    lf = data.draw(logits(b, 1))[:, 0]
    d_r = torch.sigmoid(lr.detach() - lf)
    L.gan_generator_loss(lr - lf, saturating=True, smoothing=lam, reduction="sum").backward()
    torch.testing.assert_close(-lr.grad, d_r - lam, **F64)
    lr.grad = None
    L.gan_generator_loss(lr - lf, saturating=False, smoothing=lam, reduction="sum").backward()
    torch.testing.assert_close(-lr.grad, (1 - lam) - d_r, **F64)


@given(st.data(), shapes(), st.floats(0.0, 0.5), st.floats(0.0, 0.5))
def test_appendix_a_smoothed_discriminator_targets(data, shape, lam1, lam2):
    """AM-GAN Appendix A Eq. 24 / Appendix B Eq. 33: the smoothed K+1 D loss equals H(v̂, D) with the real target
    [(1-λ₂)u(y), λ₂] and the fake target [λ₁/K, ..., λ₁/K, 1-λ₁]; its F(·) parts are [1-λ₂, λ₂] and [λ₁, 1-λ₁]."""
    b, k = shape
    lr, lf = data.draw(logits(b, k + 1)), data.draw(logits(b, k + 1))
    u = F.one_hot(lr[:, :-1].argmax(-1), k).double()
    got = L.kplus1_discriminator_loss(lr, u, lf, real_smoothing=lam2, fake_smoothing=lam1, reduction="none")
    t_real = torch.cat([(1 - lam2) * u, torch.full((b, 1), lam2, dtype=u.dtype)], -1)
    t_fake = torch.cat([torch.full((b, k), lam1 / k, dtype=u.dtype), torch.full((b, 1), 1 - lam1, dtype=u.dtype)], -1)
    want = torch.cat([H(t_real, torch.softmax(lr, -1)), H(t_fake, torch.softmax(lf, -1))])
    torch.testing.assert_close(got, want, **F64)
    torch.testing.assert_close(L.fold_real_fake(t_fake)[:, 0], torch.full((b,), lam1, dtype=u.dtype), **F64)


# ------------------------------------------------------------------------------------------- labeling, Eq. 20

@given(st.data(), shapes())
def test_dynamic_target_is_argmax_without_gradient(data, shape):
    """AM-GAN Sec. 5.1: the dynamic label is one-hot(argmax_k D_k(x)) of the same sample, with no gradient path."""
    b, k = shape
    cls = data.draw(logits(b, k)).requires_grad_(True)
    t = L.dynamic_target(cls)
    assert not t.requires_grad
    D = torch.softmax(L.kplus1_logits(cls.detach()), -1)[:, :-1]
    assert torch.equal(D.gather(1, t.argmax(-1, keepdim=True))[:, 0], D.max(-1).values)   # a maximal D_k (ties: any)
    torch.testing.assert_close(t.sum(-1), torch.ones(b, dtype=t.dtype), **F64)


@given(st.data(), shapes())
def test_eq20_uniform_classifier_loss(data, shape):
    """AM-GAN Eq. 20 (AC-GAN*+): H(u(·), C(x)) with u uniform equals -(1/K)Σ log C_k and is ≥ log K (float64)."""
    b, k = shape
    cls = data.draw(logits(b, k))
    got = L.uniform_classifier_loss(cls, reduction="none")
    torch.testing.assert_close(got, H(torch.full((k,), 1.0 / k, dtype=cls.dtype), torch.softmax(cls, -1)), **F64)
    assert bool((got >= math.log(k) - 1e-12).all())


# ------------------------------------------------------------------------------------------ Appendix C, Eq. 35

@given(st.data(), shapes())
def test_eq35_reference_marginal_loss(data, shape):
    """AM-GAN Appendix C Eq. 35: H(p_ref, R(E_x[D(x)])) computed in log space equals the direct formula (float64)."""
    b, k = shape
    l = data.draw(logits(b, k + 1))
    p_ref = data.draw(simplex(1, k))[0]
    mean = torch.softmax(l, -1).mean(0)
    torch.testing.assert_close(L.reference_marginal_loss(l, p_ref), H(p_ref, L.restrict_real(mean)), **F64)


# --------------------------------------------------------------------------------------- scores: Lemma 3, 40-41

@given(st.data(), st.integers(1, 12), st.integers(2, 9))
def test_lemma3_and_eqs40_41_log_is_equals_log_mode_score(data, n, k):
    """AM-GAN Lemma 3 (Eq. 39) and Eqs. 40-41 (also Eq. 22): E_x H(p(x), p̄) = H(E_x p(x), p̄), hence
    log IS (per-sample KL form) = H(C̄^G) - E_x H(C(x)) = log Mode Score, for any reference C̄^train (float64)."""
    probs = data.draw(simplex(n, k))
    ref = data.draw(simplex(1, k))[0]
    torch.testing.assert_close(H(probs, ref).mean(), H(probs.mean(0), ref), **F64)              # Lemma 3
    log_is = S.log_inception_score(probs)
    dec = S.inception_score_decomposition(probs)
    torch.testing.assert_close(log_is, dec.marginal_entropy - dec.mean_entropy, **F64)         # Eqs. 22, 40
    torch.testing.assert_close(log_is, S.log_mode_score(probs, ref), **F64)                    # Eq. 41
    torch.testing.assert_close(S.ClassProbabilityStats.from_probs(probs).log_inception_score(), log_is, **F64)


@given(st.data(), st.integers(1, 12), st.integers(2, 9))
def test_inception_score_bounds_and_collapse(data, n, k):
    """AM-GAN Sec. 6.3: 1 ≤ IS ≤ K; IS = 1 when all samples share one C(x) (full collapse); AM Score ≥ 0 (Eq. 23)."""
    probs = data.draw(simplex(n, k))
    s = float(S.inception_score(probs))
    assert 1.0 - 1e-9 <= s <= k + 1e-9
    row = data.draw(simplex(1, k))
    assert abs(float(S.inception_score(row.expand(n, k))) - 1.0) < 1e-12
    assert float(S.am_score(probs, data.draw(simplex(1, k))[0])) >= -1e-12


@pytest.mark.parametrize("k", [2, 10, 100])
def test_inception_score_max_and_am_score_min(k):
    """AM-GAN Sec. 6.3 / Eq. 23: balanced one-hot predictions give IS = K and AM Score = 0 (uniform reference)."""
    onehot = torch.eye(k, dtype=torch.float64).repeat(3, 1)
    assert abs(float(S.inception_score(onehot)) - k) < 1e-9
    assert abs(float(S.am_score(onehot, torch.full((k,), 1.0 / k, dtype=torch.float64)))) < 1e-12
    mean, std = S.inception_score_splits(onehot, splits=3)
    assert abs(float(mean) - k) < 1e-9 and float(std) < 1e-9


@given(st.data())
def test_fig5_mode_dropping_uniform_is_ln_m(data):
    """AM-GAN Fig. 5 (a): N = 100 one-hot classes C(x_i) = v(i), keep m of them (random choice):
    E_x[KL(C(x) ‖ C̄^G)] = ln m exactly (uniform density)."""
    n = 100
    m = data.draw(st.integers(1, n))
    kept = torch.tensor(sorted(data.draw(st.permutations(range(n)))[:m]))
    probs = torch.eye(n, dtype=torch.float64)[kept]
    assert abs(float(S.log_inception_score(probs)) - math.log(m)) < 1e-9


@given(st.lists(st.integers(1, 20), min_size=1, max_size=30))
def test_fig5_mode_dropping_weighted_is_entropy_of_kept_densities(counts):
    """AM-GAN Fig. 5 (b): with class i kept with multiplicity w_i, E_x[KL(C(x) ‖ C̄^G)] = H(w / Σw), the entropy of
    the renormalised kept densities (reference note §5a A7)."""
    n = len(counts)
    probs = torch.eye(n, dtype=torch.float64).repeat_interleave(torch.tensor(counts), dim=0)
    w = torch.tensor(counts, dtype=torch.float64)
    w = w / w.sum()
    assert abs(float(S.log_inception_score(probs)) - float(-(w * w.log()).sum())) < 1e-9


@given(st.data(), st.integers(2, 8))
def test_streaming_stats_match_direct_scores(data, k):
    """Eqs. 22-23 from accumulated sufficient statistics equal the one-shot functions (float64)."""
    a, b = data.draw(simplex(None, k)), data.draw(simplex(None, k))
    ref = data.draw(simplex(1, k))[0]
    st_ = S.ClassProbabilityStats.empty(k)
    st_.update(a)
    st_.update(b)
    both = torch.cat([a, b])
    torch.testing.assert_close(st_.inception_score(), S.inception_score(both), **F64)
    torch.testing.assert_close(st_.am_score(ref), S.am_score(both, ref), **F64)
    terms = S.am_score_terms(both, ref)
    torch.testing.assert_close(terms.score, terms.marginal_kl + terms.mean_entropy, **F64)
