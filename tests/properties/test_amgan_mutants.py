"""Value tests of plugins/amgan/losses.py that the mutation run (issue 15, .ci/mutation/run.py) showed were missing:
each pins a formula of the AM-GAN paper (Zhou et al., ICLR 2018) by a hand-computed value or an identity that a wrong
formula breaks (a flipped sign, a swapped axis, a dropped option, a wrong reduction). Plain examples, float64,
milliseconds each (they run once per mutant)."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from condgan.plugins.amgan import losses as L

D64 = torch.float64
TOL = dict(atol=1e-12, rtol=1e-12)

# B = 3 samples, K = 2 classes + the fake logit (distinct values so that no axis swap or tie hides an error)
LOGITS = torch.tensor([[2.0, 0.0, 1.0], [0.0, 1.0, -1.0], [-0.5, 0.25, 0.75]], dtype=D64)
U = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]], dtype=D64)


def H(p, q):
    """Cross-entropy from probabilities (Sec. 2.1)."""
    return -(p * q.log()).sum(-1)


def check_reductions(fn, per_sample):
    """``reduction`` = none / sum / mean of a per-sample loss ``fn(reduction=...)``."""
    torch.testing.assert_close(fn(reduction="none"), per_sample, **TOL)
    torch.testing.assert_close(fn(reduction="sum"), per_sample.sum(), **TOL)
    torch.testing.assert_close(fn(reduction="mean"), per_sample.mean(), **TOL)
    torch.testing.assert_close(fn(), per_sample.mean(), **TOL)
    with pytest.raises(ValueError):
        fn(reduction="avg")


# --------------------------------------------------------------------------------------------- the K+1 head

def test_sec2_kplus1_logits_fixed_and_learned_fake_logit():
    """AM-GAN Sec. 2.1 / reference note §2.1: the fake logit is appended last, 0 by default, or the learned one,
    for any leading batch shape."""
    cls = torch.arange(12, dtype=D64).reshape(2, 3, 2)
    got = L.kplus1_logits(cls)
    assert got.shape == (2, 3, 3)
    torch.testing.assert_close(got[..., :-1], cls, **TOL)
    assert torch.equal(got[..., -1], torch.zeros(2, 3, dtype=D64))
    fake = torch.tensor([[7.0, 8.0, 9.0], [1.0, 2.0, 3.0]], dtype=D64)
    got = L.kplus1_logits(cls, fake)
    torch.testing.assert_close(got[..., -1], fake, **TOL)
    torch.testing.assert_close(L.kplus1_logits(cls[0], fake[0].reshape(3, 1))[:, -1], fake[0], **TOL)


def test_lemma2_real_and_binary_logit_values():
    """AM-GAN Lemma 2: l_r = LSE(l_{1:K}) and σ(l_r - l_{K+1}) = D_r = Σ_{k≤K} D_k."""
    torch.testing.assert_close(L.real_logit(LOGITS), torch.log(LOGITS.exp().sum(-1)), **TOL)
    t = L.binary_logit(LOGITS)
    torch.testing.assert_close(t, torch.log(LOGITS[:, :-1].exp().sum(-1)) - LOGITS[:, -1], **TOL)
    torch.testing.assert_close(torch.sigmoid(t), torch.softmax(LOGITS, -1)[:, :-1].sum(-1), **TOL)


def test_lemma2_restrict_and_fold_on_batched_distributions():
    """AM-GAN Lemma 2: R(p) = p_{1:K}/p_r and F(p) = [p_r, p_{K+1}] row by row, for leading shape (2, 3)."""
    p = torch.softmax(torch.arange(24, dtype=D64).reshape(2, 3, 4).sin() * 3, -1)
    r = L.restrict_real(p)
    assert r.shape == (2, 3, 3)
    torch.testing.assert_close(r, p[..., :3] / p[..., :3].sum(-1, keepdim=True), **TOL)
    f = L.fold_real_fake(p)
    assert f.shape == (2, 3, 2)
    torch.testing.assert_close(f[..., 0], p[..., :3].sum(-1), **TOL)
    torch.testing.assert_close(f[..., 1], p[..., 3], **TOL)


def test_lemma2_terms_hand_value_and_fake_target():
    """AM-GAN Lemma 2 (Eq. 16): for the real target v = [0.6, 0.2, 0.2] (p̂_r = 0.8) the classifier term is
    0.8·H([3/4, 1/4], softmax(l_{1:K})) and the real/fake term H([0.8, 0.2], [D_r, D_{K+1}]); for the fake target
    v(K+1) (p̂_r = 0) the classifier term is 0 and the other is -log D_{K+1}."""
    l = LOGITS[:1]
    v = torch.tensor([[0.6, 0.2, 0.2]], dtype=D64)
    D = torch.softmax(l, -1)
    terms = L.lemma2_terms(v, l)
    torch.testing.assert_close(terms.classifier, 0.8 * H(torch.tensor([0.75, 0.25], dtype=D64), torch.softmax(l[:, :2], -1)), **TOL)
    torch.testing.assert_close(terms.real_fake, H(torch.tensor([0.8, 0.2], dtype=D64), L.fold_real_fake(D)), **TOL)
    fake = L.lemma2_terms(torch.tensor([[0.0, 0.0, 1.0]] * 3, dtype=D64), LOGITS)
    assert torch.equal(fake.classifier, torch.zeros(3, dtype=D64))
    torch.testing.assert_close(fake.real_fake, -torch.log_softmax(LOGITS, -1)[:, -1], **TOL)
    # leading shape (2, 3): per row
    l3 = torch.stack([LOGITS, LOGITS.flip(-1)])
    v3 = torch.softmax(l3.cos(), -1)
    t3 = L.lemma2_terms(v3, l3)
    torch.testing.assert_close(t3.classifier + t3.real_fake, H(v3, torch.softmax(l3, -1)), **TOL)


def test_eq19_hierarchical_probs_values():
    """AM-GAN Eq. 19: [D_r · C(x), D_f] with D_r = σ(adv), C = softmax(cls); a distribution over K+1."""
    adv = torch.tensor([0.0, math.log(3.0)], dtype=D64)            # D_r = 1/2, 3/4
    cls = torch.tensor([[0.0, math.log(3.0)], [math.log(2.0), 0.0]], dtype=D64)   # C = [1/4, 3/4], [2/3, 1/3]
    want = torch.tensor([[1 / 8, 3 / 8, 1 / 2], [1 / 2, 1 / 4, 1 / 4]], dtype=D64)
    torch.testing.assert_close(L.hierarchical_probs(adv, cls), want, **TOL)


# ------------------------------------------------------------------------------------------ cross-entropies

def test_lemma1_soft_cross_entropy_reductions():
    """AM-GAN Lemma 1 (Eq. 10): H(p̂, softmax(l)) per sample, and its batch reductions."""
    p = torch.softmax(LOGITS.cos(), -1)
    check_reductions(lambda **kw: L.soft_cross_entropy(LOGITS, p, **kw), H(p, torch.softmax(LOGITS, -1)))


def test_appendix_a_binary_cross_entropy_soft_target():
    """AM-GAN Appendix A Eq. 24: H([a, 1-a], [σ(t), 1-σ(t)]) for a smoothed a = 0.8, and its reductions."""
    t = torch.tensor([1.0, -2.0, 0.5], dtype=D64)
    s = torch.sigmoid(t)
    check_reductions(lambda **kw: L.binary_cross_entropy(t, 0.8, **kw), -(0.8 * s.log() + 0.2 * (1 - s).log()))


def test_eq20_uniform_classifier_loss_reductions():
    """AM-GAN Eq. 20: H(u(·), C(x)) = -(1/K) Σ_k log C_k per sample, and its reductions."""
    cls = LOGITS[:, :2]
    check_reductions(lambda **kw: L.uniform_classifier_loss(cls, **kw), -torch.log_softmax(cls, -1).mean(-1))


def test_eq9_auxiliary_classifier_loss_reductions():
    """AM-GAN Eqs. 7, 9: H(u(y), C(x)) per sample, and its reductions."""
    cls = LOGITS[:, :2]
    check_reductions(lambda **kw: L.auxiliary_classifier_loss(cls, U, **kw), H(U, torch.softmax(cls, -1)))


# --------------------------------------------------------------------------------------- targets, smoothing

def test_sec2_kplus1_target_scalar_and_per_sample_mass():
    """AM-GAN Sec. 2.1 / Appendix B Eq. 33: v = [m · p̂, 1 - m], with m a number or one mass per sample."""
    torch.testing.assert_close(L.kplus1_target(U), torch.cat([U, torch.zeros(3, 1, dtype=D64)], -1), **TOL)
    got = L.kplus1_target(U, 0.9)
    assert got.dtype == D64
    torch.testing.assert_close(got, torch.cat([0.9 * U, torch.full((3, 1), 0.1, dtype=D64)], -1), **TOL)
    m = torch.tensor([1.0, 0.5, 0.25], dtype=torch.float32)       # converted to the target's dtype
    got = L.kplus1_target(U, m)
    assert got.dtype == D64
    torch.testing.assert_close(got, torch.cat([m.double()[:, None] * U, 1 - m.double()[:, None]], -1), **TOL)
    # leading shape (2, 3) with a mass per row of shape (2, 3)
    u3 = torch.stack([U, U.flip(-1)])
    m3 = torch.tensor([[1.0, 0.5, 0.25], [0.0, 0.75, 1.0]], dtype=D64)
    got = L.kplus1_target(u3, m3)
    torch.testing.assert_close(got, torch.cat([m3[..., None] * u3, 1 - m3[..., None]], -1), **TOL)


def test_sec2_kplus1_target_follows_the_targets_device():
    """A per-sample mass tensor is moved to the target's device (meta device stands in for a GPU)."""
    u = torch.zeros(3, 2, dtype=D64, device="meta")
    got = L.kplus1_target(u, torch.tensor([1.0, 0.5, 0.25]))
    assert got.device.type == "meta" and got.shape == (3, 3)


def test_appendix_a_class_smoothing_values():
    """The code's fkSmoothed (AM-GAN Appendix A, label smoothing on the K classes): (1-ε)p̂ + ε/K; ε = 0 is the
    identity, ε = 1 the uniform target."""
    assert L.smooth_classes(U, 0.0) is U
    torch.testing.assert_close(L.smooth_classes(U, 0.2), 0.8 * U + 0.1, **TOL)
    torch.testing.assert_close(L.smooth_classes(U, 1.0), torch.full_like(U, 0.5), **TOL)
    u4 = F.one_hot(torch.tensor([3, 0]), 4).double()
    torch.testing.assert_close(L.smooth_classes(u4, 0.4), 0.6 * u4 + 0.1, **TOL)


def test_eq15_discriminator_loss_with_class_smoothing_and_reductions():
    """AM-GAN Eq. 15 with Appendix A/B smoothing: real target [(1-λ₂)·smooth_ε(u(y)), λ₂], fake target
    [λ₁/K, ..., λ₁/K, 1-λ₁]; "none" concatenates real then fake, "sum"/"mean" reduce each half and add."""
    lr, lf = LOGITS, LOGITS.flip(0) * 1.5
    lam1, lam2, eps = 0.1, 0.2, 0.3
    t_real = torch.cat([(1 - lam2) * ((1 - eps) * U + eps / 2), torch.full((3, 1), lam2, dtype=D64)], -1)
    t_fake = torch.tensor([[lam1 / 2, lam1 / 2, 1 - lam1]] * 3, dtype=D64)
    real, fake = H(t_real, torch.softmax(lr, -1)), H(t_fake, torch.softmax(lf, -1))
    plain = H(L.kplus1_target(U), torch.softmax(lr, -1)).mean() - torch.log_softmax(lf, -1)[:, -1].mean()
    torch.testing.assert_close(L.kplus1_discriminator_loss(lr, U, lf), plain, **TOL)          # no smoothing by default
    kw = dict(real_smoothing=lam2, fake_smoothing=lam1, class_smoothing=eps)
    torch.testing.assert_close(L.kplus1_discriminator_loss(lr, U, lf, reduction="none", **kw), torch.cat([real, fake]), **TOL)
    torch.testing.assert_close(L.kplus1_discriminator_loss(lr, U, lf, reduction="sum", **kw), real.sum() + fake.sum(), **TOL)
    torch.testing.assert_close(L.kplus1_discriminator_loss(lr, U, lf, **kw), real.mean() + fake.mean(), **TOL)
    # fake half of another size, K = 3: the uniform fake mass is λ₁/K over K = 3 classes
    lf4 = torch.tensor([[0.3, -0.2, 1.0, 0.5]], dtype=D64)
    lr4 = torch.tensor([[1.0, 0.0, -1.0, 0.2], [0.0, 2.0, 0.5, -0.3]], dtype=D64)
    u3 = torch.tensor([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]], dtype=D64)
    got = L.kplus1_discriminator_loss(lr4, u3, lf4, fake_smoothing=0.3, reduction="none")
    want_fake = H(torch.tensor([[0.1, 0.1, 0.1, 0.7]], dtype=D64), torch.softmax(lf4, -1))
    torch.testing.assert_close(got, torch.cat([H(L.kplus1_target(u3), torch.softmax(lr4, -1)), want_fake]), **TOL)


def test_eq1_8_gan_discriminator_loss_values_and_reductions():
    """AM-GAN Eqs. 1, 8 with Appendix A Eq. 24: real target [1-λ₂, λ₂], fake target [λ₁, 1-λ₁] on D_r = σ(adv)."""
    ar = torch.tensor([1.0, -0.5, 2.0], dtype=D64)
    af = torch.tensor([0.5, -1.0], dtype=D64)
    sr, sf = torch.sigmoid(ar), torch.sigmoid(af)
    real = -(0.8 * sr.log() + 0.2 * (1 - sr).log())
    fake = -(0.1 * sf.log() + 0.9 * (1 - sf).log())
    kw = dict(real_smoothing=0.2, fake_smoothing=0.1)
    torch.testing.assert_close(L.gan_discriminator_loss(ar, af, reduction="none", **kw), torch.cat([real, fake]), **TOL)
    torch.testing.assert_close(L.gan_discriminator_loss(ar, af, reduction="sum", **kw), real.sum() + fake.sum(), **TOL)
    torch.testing.assert_close(L.gan_discriminator_loss(ar, af, **kw), real.mean() + fake.mean(), **TOL)
    torch.testing.assert_close(L.gan_discriminator_loss(ar, af), -sr.log().mean() - (1 - sf).log().mean(), **TOL)


# ---------------------------------------------------------------------------------------------- generators

def test_eq6_25_28_gan_generator_loss_values():
    """AM-GAN Eq. 6 (-log D_r), Eq. 25 (log(1-D_r), saturating) and Eq. 28 (smoothed target [1-λ, λ])."""
    t = torch.tensor([1.0, -0.5, 2.0], dtype=D64)
    s = torch.sigmoid(t)
    check_reductions(lambda **kw: L.gan_generator_loss(t, **kw), -s.log())
    torch.testing.assert_close(L.gan_generator_loss(t, saturating=True, reduction="none"), (1 - s).log(), **TOL)
    torch.testing.assert_close(L.gan_generator_loss(t, smoothing=0.1, reduction="none"),
                               -(0.9 * s.log() + 0.1 * (1 - s).log()), **TOL)
    torch.testing.assert_close(L.gan_generator_loss(t, saturating=True, smoothing=0.1, reduction="sum"),
                               (0.1 * s.log() + 0.9 * (1 - s).log()).sum(), **TOL)


def test_eq2_labelgan_generator_loss_values():
    """AM-GAN Eq. 2: -log D_r on K+1 logits; Eq. 25 saturating log(1 - D_r); Eq. 28 smoothing; reductions."""
    d_r = torch.softmax(LOGITS, -1)[:, :-1].sum(-1)
    check_reductions(lambda **kw: L.labelgan_generator_loss(LOGITS, **kw), -d_r.log())
    torch.testing.assert_close(L.labelgan_generator_loss(LOGITS, saturating=True, reduction="none"), (1 - d_r).log(), **TOL)
    torch.testing.assert_close(L.labelgan_generator_loss(LOGITS, smoothing=0.25, reduction="none"),
                               -(0.75 * d_r.log() + 0.25 * (1 - d_r).log()), **TOL)


def test_eq17_amgan_auxiliary_term_values():
    """AM-GAN Eq. 17, first term: H(u(y), R(D(x))) with R(D) = softmax(l_{1:K}); reductions."""
    check_reductions(lambda **kw: L.amgan_auxiliary_term(LOGITS, U, **kw), H(U, torch.softmax(LOGITS[:, :-1], -1)))


def test_eq14_17_amgan_generator_loss_every_setting():
    """AM-GAN Eq. 14 (H(v(y), D)) and its Lemma 2 form Eq. 17 with the options: aux weight w, saturating (Eq. 25),
    smoothing (Eq. 28). Each setting against the formula written out from D = softmax(l)."""
    D = torch.softmax(LOGITS, -1)
    d_r = D[:, :-1].sum(-1)
    aux = H(U, D[:, :-1] / d_r[:, None])
    check_reductions(lambda **kw: L.amgan_generator_loss(LOGITS, U, **kw), H(L.kplus1_target(U), D))
    for w in (0.0, 0.5, 2.0):
        torch.testing.assert_close(L.amgan_generator_loss(LOGITS, U, aux_weight=w, reduction="none"),
                                   w * aux - d_r.log(), **TOL)
    torch.testing.assert_close(L.amgan_generator_loss(LOGITS, U, saturating=True, reduction="none"),
                               aux + (1 - d_r).log(), **TOL)
    for lam in (0.25, 1.0):
        torch.testing.assert_close(L.amgan_generator_loss(LOGITS, U, smoothing=lam, reduction="none"),
                                   aux - ((1 - lam) * d_r.log() + lam * (1 - d_r).log()), **TOL)
    torch.testing.assert_close(L.amgan_generator_loss(LOGITS, U, aux_weight=0.5, smoothing=0.25, reduction="sum"),
                               (0.5 * aux - (0.75 * d_r.log() + 0.25 * (1 - d_r).log())).sum(), **TOL)


def test_eq6_7_acgan_generator_loss_every_setting():
    """AM-GAN Eqs. 6-7: -log D_r + w · H(u(y), C(x)); w = 0 is GAN/GAN*; saturating and smoothed GAN terms."""
    adv = torch.tensor([1.0, -0.5, 2.0], dtype=D64)
    cls = LOGITS[:, :2]
    s = torch.sigmoid(adv)
    ce = H(U, torch.softmax(cls, -1))
    check_reductions(lambda **kw: L.acgan_generator_loss(adv, cls, U, **kw), -s.log() + ce)
    for w in (0.0, 0.1, 2.0):
        torch.testing.assert_close(L.acgan_generator_loss(adv, cls, U, aux_weight=w, reduction="none"),
                                   -s.log() + w * ce, **TOL)
    torch.testing.assert_close(L.acgan_generator_loss(adv, cls, U, aux_weight=0.0, reduction="sum"), -s.log().sum(), **TOL)
    torch.testing.assert_close(L.acgan_generator_loss(adv, cls, U, saturating=True, smoothing=0.1, reduction="none"),
                               (0.1 * s.log() + 0.9 * (1 - s).log()) + ce, **TOL)
    torch.testing.assert_close(L.acgan_generator_loss(adv, cls, U, aux_weight=0.0, saturating=True, reduction="none"),
                               (1 - s).log(), **TOL)
    torch.testing.assert_close(L.acgan_generator_loss(adv, cls, U, smoothing=0.2, reduction="none"),
                               -(0.8 * s.log() + 0.2 * (1 - s).log()) + ce, **TOL)


# ---------------------------------------------------------------------------------------------- labeling

def test_sec5_1_dynamic_target_argmax_and_sharp_option():
    """AM-GAN Sec. 5.1: one-hot(argmax_k l_k) by default; the code's soft option softmax(s · l) for s > 0
    (here s = 0.5 < 1 and s = 2); no gradient either way."""
    cls = LOGITS[:, :2].clone().requires_grad_(True)
    hard = L.dynamic_target(cls)
    assert hard.dtype == D64                                 # a target in the logits' dtype, not one_hot's int64
    assert torch.equal(hard, torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]], dtype=D64))
    assert not hard.requires_grad
    for s in (0.5, 2.0):
        soft = L.dynamic_target(cls, s)
        torch.testing.assert_close(soft, torch.softmax(s * LOGITS[:, :2], -1), **TOL)
        assert not soft.requires_grad
    three = torch.tensor([[0.1, 2.0, -1.0], [3.0, 0.0, 1.0]], dtype=D64)   # argmax along the class axis
    assert torch.equal(L.dynamic_target(three), torch.tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], dtype=D64))


# ---------------------------------------------------------------------------------------------- Appendix C

def test_appendix_c_eq34_semi_supervised_explicit_target_and_reductions():
    """AM-GAN Appendix C Eq. 34: H(v(x), D(x)) with a given (soft) target: v = [p̂, 0]; reductions."""
    p = torch.tensor([[0.3, 0.7], [0.5, 0.5], [1.0, 0.0]], dtype=D64)
    want = H(torch.cat([p, torch.zeros(3, 1, dtype=D64)], -1), torch.softmax(LOGITS, -1))
    check_reductions(lambda **kw: L.semi_supervised_loss(LOGITS, p, **kw), want)


def test_appendix_c_eq35_reference_marginal_hand_value():
    """AM-GAN Appendix C Eq. 35: H(p_ref, R(E_x[D(x)])) with B = 3 ≠ K = 2: the batch mean is taken over the K+1
    softmax, then restricted; p_ref in float32 is used in the logits' dtype."""
    D = torch.softmax(LOGITS, -1)
    r = L.restrict_real(D.mean(0))
    p_ref = torch.tensor([0.25, 0.75], dtype=torch.float32)
    got = L.reference_marginal_loss(LOGITS, p_ref)
    assert got.dtype == D64 and got.dim() == 0
    torch.testing.assert_close(got, -(p_ref.double() * r.log()).sum(), **TOL)
    # float32 logits with a float64 p_ref: the loss stays in the logits' dtype
    got32 = L.reference_marginal_loss(LOGITS.float(), p_ref.double())
    assert got32.dtype == torch.float32
    torch.testing.assert_close(got32, got.float(), atol=1e-6, rtol=1e-6)


# ------------------------------------------------------------------------------------ leading batch dimensions

def test_row_functions_act_on_the_last_axis_for_any_leading_shape():
    """The K (or K+1) axis is the last one: on a (2, 3, ·) stack of batches each function equals itself applied to
    each (3, ·) batch (a (T, B, K) stack of logits, e.g. several discriminator forwards, is scored row by row). This
    pins the class axis of Lemma 1/2, Eqs. 19, 20 and Sec. 5.1 beyond 2-D inputs, where dim=1 and dim=-1 agree."""
    l3 = torch.stack([LOGITS, torch.tensor([[1.5, -1.0, 0.3], [0.2, 0.1, 2.0], [-1.0, -2.0, 0.5]], dtype=D64)])
    p3 = torch.softmax(l3.cos() * 2, -1)
    adv3 = l3[..., 0]

    def per_batch(fn, *args):
        return torch.stack([fn(*(a[i] for a in args)) for i in range(2)])

    cases = [
        (lambda l, p: L.soft_cross_entropy(l, p, reduction="none"), (l3, p3)),
        (lambda l: L.uniform_classifier_loss(l, reduction="none"), (l3,)),
        (L.real_logit, (l3,)),
        (L.binary_logit, (l3,)),
        (L.dynamic_target, (l3[..., :2],)),                 # K = 2 ≠ B = 3: the class count is the last axis
        (lambda l: L.dynamic_target(l, 0.5), (l3,)),
        (lambda p: L.smooth_classes(p, 0.2), (p3[..., :2],)),
        (L.restrict_real, (p3,)),
        (L.fold_real_fake, (p3,)),
        (L.hierarchical_probs, (adv3, l3[..., :2])),
        (lambda p: L.kplus1_target(p, 0.75), (p3[..., :2],)),
        (lambda l: L.kplus1_logits(l), (l3[..., :2],)),
        (lambda p, l: torch.stack(L.lemma2_terms(p, l), -1), (p3, l3)),
        (lambda l, p: L.amgan_auxiliary_term(l, p, reduction="none"), (l3, p3[..., :2])),
    ]
    for fn, args in cases:
        torch.testing.assert_close(fn(*args), per_batch(fn, *args), **TOL)
    # and the 2-D values themselves are the row formulas
    torch.testing.assert_close(L.soft_cross_entropy(l3, p3, reduction="none"), H(p3, torch.softmax(l3, -1)), **TOL)
    torch.testing.assert_close(L.uniform_classifier_loss(l3, reduction="none"), -torch.log_softmax(l3, -1).mean(-1), **TOL)
    torch.testing.assert_close(L.hierarchical_probs(adv3, l3[..., :2]),
                               torch.cat([torch.sigmoid(adv3)[..., None] * torch.softmax(l3[..., :2], -1),
                                          1 - torch.sigmoid(adv3)[..., None]], -1), **TOL)
