"""Value tests of plugins/cagan/losses.py and plugins/cagan/composers.py that the mutation run (issue 15,
.ci/mutation/run.py) showed were missing. Each pins an equation of CA-GAN (Cho & Yoon, IEEE Access; equation numbers
of that text) by a hand-computed value or an identity a wrong formula breaks. Plain examples, float64, milliseconds
each (they run once per mutant)."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from condgan import losses as CL
from condgan.plugins.cagan import losses as L

D64 = torch.float64
TOL = dict(atol=1e-12, rtol=1e-12)

# B_r = 3 real and B_g = 2 generated samples, K = 3 conditions (multi-hot), distinct logits
T_R = torch.tensor([[0.5, 2.0, -1.5], [1.5, 0.0, 0.25], [-0.5, 1.0, 3.0]], dtype=D64)
C_R = torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 1.0, 0.0]], dtype=D64)
T_G = torch.tensor([[0.2, -0.4, 1.2], [2.5, 0.75, -0.3]], dtype=D64)
C_G = torch.tensor([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]], dtype=D64)


def test_sec3_every_family_by_name_has_its_elementwise_terms():
    """CA-GAN Sec. 3 (Eqs. 11-14 for any f): family(name) gives the named family's f_r^d, f_g^d, f^g at t = 0.5."""
    t = torch.tensor([0.5], dtype=D64)
    sp = lambda x: math.log1p(math.exp(x))
    want = {"minimax": (sp(-0.5), sp(0.5), -sp(0.5)), "non_saturating": (sp(-0.5), sp(0.5), sp(-0.5)),
            "least_squares": (0.25, 0.25, 0.25), "hinge": (0.5, 1.5, -0.5), "wasserstein": (-0.5, 0.5, -0.5)}
    for name, (dr, df, g) in want.items():
        fam = L.family(name)
        assert fam.name == name
        got = [float(fam.d_real(t)), float(fam.d_fake(t)), float(fam.g(t))]
        assert got == pytest.approx([dr, df, g], rel=1e-12), name


def test_reduce_batch_mean_sum_none():
    """The paper's E[·] (mean, default), the code's sum, or per-sample values."""
    v = torch.tensor([1.0, 2.0, 6.0], dtype=D64)
    assert float(CL.reduce(v)) == 3.0
    assert float(CL.reduce(v, "mean")) == 3.0
    assert float(CL.reduce(v, "sum")) == 9.0
    assert CL.reduce(v, "none") is v


def test_eq19_20_conditional_activation_hand_values_all_reductions():
    """CA-GAN Eqs. 17-20 (least squares): per sample Σ_c (D_c(x) - 1)² cnd_c on real, Σ_c D_c(x')² cnd'_c on
    generated (D), Σ_c (D_c(x') - 1)² cnd'_c (G); mean, sum, none."""
    real = ((T_R - 1) ** 2 * C_R).sum(1)
    fake = (T_G ** 2 * C_G).sum(1)
    gen = ((T_G - 1) ** 2 * C_G).sum(1)
    torch.testing.assert_close(real, torch.tensor([0.25 + 6.25, 1.0, 2.25 + 0.0], dtype=D64), **TOL)  # by hand
    pr, pf = L.conditional_activation_d_per_sample(T_R, C_R, T_G, C_G)
    torch.testing.assert_close(pr, real, **TOL)
    torch.testing.assert_close(pf, fake, **TOL)
    torch.testing.assert_close(L.conditional_activation_d_loss(T_R, C_R, T_G, C_G), real.mean() + fake.mean(), **TOL)
    torch.testing.assert_close(L.conditional_activation_d_loss(T_R, C_R, T_G, C_G, reduction="sum"),
                               real.sum() + fake.sum(), **TOL)
    torch.testing.assert_close(L.conditional_activation_d_loss(T_R, C_R, T_G, C_G, reduction="none"),
                               torch.cat([real, fake]), **TOL)
    torch.testing.assert_close(L.conditional_activation_g_per_sample(T_G, C_G), gen, **TOL)
    torch.testing.assert_close(L.conditional_activation_g_loss(T_G, C_G), gen.mean(), **TOL)
    torch.testing.assert_close(L.conditional_activation_g_loss(T_G, C_G, reduction="sum"), gen.sum(), **TOL)
    torch.testing.assert_close(L.conditional_activation_g_loss(T_G, C_G, reduction="none"), gen, **TOL)
    torch.testing.assert_close(L.lsgan_conditional_activation_d_loss(T_R, C_R, T_G, C_G), real.mean() + fake.mean(), **TOL)
    torch.testing.assert_close(L.lsgan_conditional_activation_d_loss(T_R, C_R, T_G, C_G, reduction="sum"),
                               real.sum() + fake.sum(), **TOL)
    torch.testing.assert_close(L.lsgan_conditional_activation_g_loss(T_G, C_G), gen.mean(), **TOL)
    torch.testing.assert_close(L.lsgan_conditional_activation_g_loss(T_G, C_G, reduction="sum"), gen.sum(), **TOL)


def test_eq17_18_conditional_activation_with_another_family():
    """CA-GAN Eqs. 17-18 with the hinge family: f_r^d = relu(1 - t), f_g^d = relu(1 + t), f^g = -t, weighted by cnd."""
    fam = L.family("hinge")
    real = (F.relu(1 - T_R) * C_R).sum(1)
    fake = (F.relu(1 + T_G) * C_G).sum(1)
    torch.testing.assert_close(L.conditional_activation_d_loss(T_R, C_R, T_G, C_G, fam, "none"), torch.cat([real, fake]), **TOL)
    torch.testing.assert_close(L.conditional_activation_g_loss(T_G, C_G, fam, "none"), (-T_G * C_G).sum(1), **TOL)


def test_eq13_16_per_condition_losses_hand_values():
    """CA-GAN Eqs. 13-16: GAN c sees only the rows having c; "sum" adds them, "mean" divides by the whole batch
    size (B_r = 3, B_g = 2), so the K entries add up to the inner-product form."""
    real_k = torch.stack([((T_R[:, k] - 1) ** 2 * C_R[:, k]).sum() for k in range(3)])
    fake_k = torch.stack([(T_G[:, k] ** 2 * C_G[:, k]).sum() for k in range(3)])
    gen_k = torch.stack([((T_G[:, k] - 1) ** 2 * C_G[:, k]).sum() for k in range(3)])
    torch.testing.assert_close(L.per_condition_d_losses(T_R, C_R, T_G, C_G, reduction="sum"), real_k + fake_k, **TOL)
    torch.testing.assert_close(L.per_condition_d_losses(T_R, C_R, T_G, C_G), real_k / 3 + fake_k / 2, **TOL)
    torch.testing.assert_close(L.per_condition_g_losses(T_G, C_G, reduction="sum"), gen_k, **TOL)
    torch.testing.assert_close(L.per_condition_g_losses(T_G, C_G), gen_k / 2, **TOL)
    with pytest.raises(ValueError):
        L.per_condition_d_losses(T_R, C_R, T_G, C_G, reduction="none")


def test_attribute_targets_first_column_of_each_pair():
    """The authors' sigmoid AC-GAN baseline on CelebA: the target of attribute j is the 'a' column of [a, not-a]."""
    c = torch.tensor([[1.0, 0.0, 0.0, 1.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.0, 1.0, 0.0]], dtype=D64)
    got = CL.attribute_targets(c, (slice(0, 2), slice(2, 4), slice(4, 6)))
    assert torch.equal(got, torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]], dtype=D64))
    with pytest.raises(ValueError):
        CL.attribute_targets(c, (slice(0, 3),))


def test_eq3_4_classification_loss_softmax_sigmoid_values():
    """CA-GAN Eqs. 3-4, 9-10: -Σ_groups Σ_k cnd_k log softmax(l_group)_k (soft targets allowed), or Σ_j BCE."""
    l = torch.tensor([[2.0, 0.0, 1.0, -1.0], [0.0, 1.0, 0.5, 0.5]], dtype=D64)
    y = torch.tensor([[0.25, 0.75, 1.0, 0.0], [1.0, 0.0, 0.0, 1.0]], dtype=D64)
    groups = (slice(0, 2), slice(2, 4))
    per = sum(-(y[:, s] * torch.log_softmax(l[:, s], 1)).sum(1) for s in groups)
    torch.testing.assert_close(CL.classification_loss(l, y, groups, reduction="none"), per, **TOL)
    torch.testing.assert_close(CL.classification_loss(l, y, groups), per.mean(), **TOL)
    torch.testing.assert_close(CL.classification_loss(l, y, groups, reduction="sum"), per.sum(), **TOL)
    one = -(y * torch.log_softmax(l, 1)).sum(1)                         # default: one group over all K columns
    torch.testing.assert_close(CL.classification_loss(l, y, reduction="none"), one, **TOL)
    s = torch.sigmoid(l)
    bce = -(y * s.log() + (1 - y) * (1 - s).log()).sum(1)
    torch.testing.assert_close(CL.classification_loss(l, y, mode="sigmoid", reduction="none"), bce, **TOL)
    torch.testing.assert_close(CL.classification_loss(l, y, groups, mode="sigmoid"), bce.mean(), **TOL)
    with pytest.raises(ValueError):
        CL.classification_loss(l, y, mode="softplus")


def test_eq5_6_adversarial_losses_values():
    """CA-GAN Eq. 5 (minimax: -log D(x) - log(1 - D(x'))) and Eq. 6 (log(1 - D(x'))), any reduction."""
    ar = torch.tensor([1.0, -0.5, 2.0], dtype=D64)
    af = torch.tensor([0.5, -1.0], dtype=D64)
    mm = L.family("minimax")
    real, fake = -torch.sigmoid(ar).log(), -(1 - torch.sigmoid(af)).log()
    torch.testing.assert_close(CL.adversarial_d_loss(ar, af, mm), real.mean() + fake.mean(), **TOL)
    torch.testing.assert_close(CL.adversarial_d_loss(ar, af, mm, "sum"), real.sum() + fake.sum(), **TOL)
    torch.testing.assert_close(CL.adversarial_d_loss(ar, af, mm, "none"), torch.cat([real, fake]), **TOL)
    g = (1 - torch.sigmoid(af)).log()
    torch.testing.assert_close(CL.adversarial_g_loss(af, mm), g.mean(), **TOL)
    torch.testing.assert_close(CL.adversarial_g_loss(af, mm, "sum"), g.sum(), **TOL)
    torch.testing.assert_close(CL.adversarial_g_loss(af, mm, "none"), g, **TOL)


def test_figs9_11_no_adversarial_loss_drops_the_term_entirely():
    """CA-GAN Figs. 9-11 (adv_weight = 0): L_d = L_cls^r (+ L_cls^g), L_g = L_cls^g, whatever the adversarial term
    holds (even a diverged inf/nan one: the term is dropped, not multiplied by 0)."""
    r, g = torch.tensor(2.0, dtype=D64), torch.tensor(4.0, dtype=D64)
    for bad in (math.inf, math.nan):
        a = torch.tensor(bad, dtype=D64)
        assert float(CL.acgan_discriminator_loss(a, r, g, adv_weight=0.0)) == 6.0
        assert float(CL.acgan_discriminator_loss(a, r, adv_weight=0.0, cls_fake_in_d=False, lambda_cls=0.5)) == 1.0
        assert float(CL.acgan_generator_loss(a, g, adv_weight=0.0, lambda_cls=0.5)) == 2.0
        assert float(CL.acgan_generator_loss(a, g, r, adv_weight=0.0)) == 6.0
    a = torch.tensor(2.0, dtype=D64)
    assert float(CL.acgan_discriminator_loss(a, r, g, lambda_cls=0.5, adv_weight=3.0)) == 9.0   # Fig. 12: 3·2 + 0.5·6
    assert float(CL.acgan_generator_loss(a, g, r, lambda_cls=0.5, adv_weight=3.0)) == 9.0       # 3·2 + 0.5·(4 + 2)
    assert float(CL.acgan_discriminator_loss(a, r, g)) == 8.0                                   # Eq. 1
    assert float(CL.acgan_generator_loss(a, g)) == 6.0                                          # Eq. 8, λ = 1
    with pytest.raises(ValueError):
        CL.acgan_discriminator_loss(a, r)


# ------------------------------------------------------------------------------------- Section 4, mixed batches

def test_sec4_mixing_slots_constant_and_ramp():
    """CA-GAN Sec. 4: s = floor(r · B) real slots (r = 0.5 by default: half and half); the authors' ramp
    r = min(ratio_per_epoch · epoch, ratio); an exact product is not rounded down by float error."""
    from condgan.plugins.cagan.composers import mixing_slots

    assert mixing_slots(32, 0) == 16 and mixing_slots(7, 3) == 3
    assert mixing_slots(10, 0, ratio=0.3) == 3                     # 0.3 · 10 = 2.9999999999999996 in floats
    assert mixing_slots(10, 5, ratio=0.5, ratio_per_epoch=0.06) == 3   # min(0.3, 0.5) · 10
    assert mixing_slots(10, 50, ratio=0.4, ratio_per_epoch=0.06) == 4  # capped at the ratio
    assert mixing_slots(10, 0, ratio=0.5, ratio_per_epoch=0.06) == 0   # epoch 0: separate forwards
    assert mixing_slots(9, 1, ratio=0.25) == 2


def test_sec4_cat_outputs_concatenates_present_heads_and_keeps_absent_ones():
    """The two mixed forwards are put back together head by head; a head D does not have stays None; a single
    output is returned as is."""
    from condgan.interfaces import DiscriminatorOutput
    from condgan.plugins.cagan.composers import cat_outputs

    a = DiscriminatorOutput(adv=torch.tensor([1.0, 2.0]), cond=torch.tensor([[1.0, 0.0], [0.0, 1.0]]))
    b = DiscriminatorOutput(adv=torch.tensor([3.0]), cond=torch.tensor([[0.5, 0.5]]))
    out = cat_outputs([a, b])
    assert torch.equal(out.adv, torch.tensor([1.0, 2.0, 3.0]))
    assert torch.equal(out.cond, torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]))
    assert out.cls is None and out.twin is None and out.features is None
    one = cat_outputs([b])
    assert torch.equal(one.adv, b.adv) and torch.equal(one.cond, b.cond) and one.cls is None


def _recording_d(seen):
    from condgan.interfaces import DiscriminatorOutput

    def D(x):
        seen.append(x.clone())
        return DiscriminatorOutput(adv=x[:, 0] * 10.0)
    return D


def test_sec4_mixed_batches_use_the_epoch_of_the_last_split():
    """CA-GAN Sec. 4 with the authors' ramp r = min(ratio_per_epoch · epoch, ratio): ``split`` fixes the epoch
    that ``discriminate`` mixes with; forward 0 is concat(real[:s], fake[s:]), forward 1 concat(fake[:s], real[s:]),
    and D's outputs come back in input order. Before any split the epoch is 0 (ramp not started: separate
    forwards)."""
    from condgan.plugins.cagan.composers import MixedBatches, MixedParams

    real = torch.arange(10.0)[:, None]
    fake = -torch.arange(1.0, 11.0)[:, None]
    comp = MixedBatches(MixedParams(ratio=0.5, ratio_per_epoch=0.1))
    seen = []
    out_r, out_f = comp.discriminate(_recording_d(seen), real, fake)       # epoch 0: s = 0
    assert len(seen) == 2 and torch.equal(seen[0], real) and torch.equal(seen[1], fake)
    assert comp.split(10, step=7, epoch=2) == (10, 10)                      # r = 0.2: s = 2
    seen.clear()
    out_r, out_f = comp.discriminate(_recording_d(seen), real, fake)
    assert torch.equal(seen[0], torch.cat([real[:2], fake[2:]]))
    assert torch.equal(seen[1], torch.cat([fake[:2], real[2:]]))
    assert torch.equal(out_r.adv, real[:, 0] * 10.0) and torch.equal(out_f.adv, fake[:, 0] * 10.0)
    assert comp.ratio(2) == pytest.approx(0.2) and comp.ratio(0) == 0.0
    const = MixedBatches(MixedParams(ratio=0.3))                            # no ramp: s = 3 from the first step
    assert const.ratio(0) == 0.3 and const.ratio(50) == 0.3
    seen.clear()
    const.discriminate(_recording_d(seen), real, fake)
    assert torch.equal(seen[0], torch.cat([real[:3], fake[3:]]))
