"""Contract tests of the amgan objectives, labeling, MS-SSIM and its metric on tiny hand-built models (no loop).

Checks: the heads each objective asks for (K, K+1, adv + K); that every loss trains only its own side (D's losses
give D and not G a gradient, G's loss reaches G); dynamic vs predefined labeling (G's input, the target); the
objective's G loss is the paper's loss of D's outputs (AM-GAN Eq. 14 with argmax targets); the Appendix C terms;
MS-SSIM identities and the intra-class metric. Runs in a few seconds.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from condgan.builtins.sampling import FixedPrior, FixedPriorParams, GaussianLatent, LatentParams, SeparateBatches, SeparateParams
from condgan.conditions import ConditionSpec
from condgan.evaluation.metric import EvalInputs
from condgan.interfaces import Batch, BuildContext, Discriminator, Generator, Models
from condgan.plugins.amgan import labeling as lab
from condgan.plugins.amgan import losses as L
from condgan.plugins.amgan.metrics import IntraClassMSSSIM, IntraClassMSSSIMParams
from condgan.plugins.amgan.msssim import intra_class_ms_ssim, ms_ssim, num_scales
from condgan.plugins.amgan.objectives import OBJECTIVES, KPlusOneParams, AMGANObjective

K = 3


class TinyG(Generator):
    def __init__(self, ctx):
        super().__init__()
        self.net = nn.Linear(ctx.latent_dim + ctx.num_conditions, ctx.data_shape[0])
        self.seen_c = None

    def forward(self, z, c):
        self.seen_c = c
        return self.net(torch.cat([z, c], 1))


class TinyD(Discriminator):
    def __init__(self, ctx):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(ctx.data_shape[0], 8), nn.LeakyReLU(0.2))
        self.heads = self.build_heads(8, ctx.heads)

    def forward(self, x):
        return self.apply_heads(self.heads, self.trunk(x))


def build(name, seed=0, **overrides):
    torch.manual_seed(seed)
    factory, params_cls, _ = OBJECTIVES[name]
    spec = ConditionSpec.single(K)
    ctx = BuildContext(spec=spec, data_shape=(2,), latent_dim=4)
    obj = factory(params_cls(**overrides), ctx)
    m = Models(generator=TinyG(ctx), discriminator=TinyD(ctx.with_heads(obj.heads())),
               prior=FixedPrior(FixedPriorParams(), ctx), composer=SeparateBatches(SeparateParams(), ctx),
               latent=GaussianLatent(LatentParams(4), ctx), spec=spec, steps_per_epoch=10)
    real = Batch(x=torch.randn(12, 2), c=spec.encode(torch.randint(K, (12, 1))))
    return obj, m, real


def grads(module, loss):
    for p in module.parameters():
        p.grad = None
    loss.backward(retain_graph=True)
    return [p.grad for p in module.parameters()]


@pytest.mark.parametrize("name", sorted(OBJECTIVES))
@pytest.mark.parametrize("labeling", ["dynamic", "predefined"])
def test_losses_train_their_own_side(name, labeling):
    """Every D loss gives D (and not G) a gradient; G's loss reaches every G parameter; all finite."""
    obj, m, real = build(name, labeling=labeling)
    out = obj.discriminator_step(m, real, 0)
    assert out.losses and set(out.losses) <= set(obj.losses)
    for key, loss in out.losses.items():
        assert obj.losses[key] == "discriminator" and torch.isfinite(loss)
        assert all(g is None for g in grads(m.generator, loss)), key
        assert any(g is not None and g.abs().sum() > 0 for g in grads(m.discriminator, loss)), key
    g_out = obj.generator_step(m, real, 0)
    assert set(g_out.losses) == {"g"} and torch.isfinite(g_out.losses["g"])
    assert all(g is not None for g in grads(m.generator, g_out.losses["g"]))


def test_heads():
    """K+1 models: K class logits with the fixed 0 fake logit, K+1 with a learned one; AC family: adv + K; GAN: adv."""
    assert build("am_gan")[0].heads() == {"cls": K}
    assert build("label_gan", learned_fake_logit=True)[0].heads() == {"cls": K + 1}
    assert build("ac_gan_star")[0].heads() == {"adv": 1, "cls": K}
    assert build("gan_star")[0].heads() == {"adv": 1, "cls": K}
    assert build("gan")[0].heads() == {"adv": 1}


def test_dynamic_labeling_gives_g_no_class_and_predefined_does():
    """AM-GAN Sec. 5.1: dynamic labeling generates from pure noise (zero condition input); predefined from u(y)."""
    obj, m, real = build("am_gan", labeling="dynamic")
    obj.generator_step(m, real, 0)
    assert torch.equal(m.generator.seen_c, torch.zeros(12, K))
    obj, m, real = build("am_gan", labeling="predefined")
    obj.generator_step(m, real, 0)
    assert torch.equal(m.generator.seen_c.sum(1), torch.ones(12))


@pytest.mark.parametrize("labeling", ["dynamic", "predefined"])
def test_amgan_generator_step_is_eq14_of_d_outputs(labeling):
    """The objective's G loss equals AM-GAN Eq. 14, H(v(y), D(x)), with y = argmax of D's K logits (dynamic) or
    the condition G was given (predefined), recomputed from the same generated batch."""
    obj, m, real = build("am_gan", labeling=labeling, seed=3)
    torch.manual_seed(7)
    g = obj.generator_step(m, real, 0).losses["g"]
    torch.manual_seed(7)
    fake = lab.generate(m, len(real), labeling, grad=True)
    logits = L.kplus1_logits(m.discriminator(fake.x).cls)
    y = logits[:, :K].argmax(-1) if labeling == "dynamic" else fake.c.argmax(-1)
    want = -torch.log_softmax(logits, -1).gather(1, y[:, None]).mean()
    torch.testing.assert_close(g, want)


def test_acgan_dynamic_target_uses_auxiliary_classifier():
    """AC-GAN* with dynamic labeling: G's target is argmax of the auxiliary classifier C on the same sample
    (reference note §2.2); loss = -log D_r + H(u(y), C(x)) (Eqs. 6-7)."""
    obj, m, real = build("ac_gan_star", seed=4)
    torch.manual_seed(5)
    g = obj.generator_step(m, real, 0).losses["g"]
    torch.manual_seed(5)
    out = m.discriminator(lab.generate(m, len(real), "dynamic", grad=True).x)
    want = (torch.nn.functional.softplus(-out.adv) + torch.logsumexp(out.cls, -1) - out.cls.max(-1).values).mean()
    torch.testing.assert_close(g, want)


def test_ac_family_switches():
    """Original AC-GAN adds the classifier loss on fakes to D; AC-GAN*+ adds Eq. 20; AC-GAN* has neither."""
    keys = lambda n: set(build(n)[0].discriminator_step(*build(n)[1:], 0).losses)
    assert keys("ac_gan_star") == {"d_adv", "d_aux_real"}
    assert keys("ac_gan") == {"d_adv", "d_aux_real", "d_aux_fake"}
    assert keys("ac_gan_star_plus") == {"d_adv", "d_aux_real", "d_aux_uniform"}
    assert keys("gan") == {"d_adv"}


def test_unlabeled_terms_appendix_c():
    """Appendix C: with unlabeled rows, D gets Eq. 34 (dynamic-label CE) and Eq. 35 (reference marginal); with all
    rows unlabeled there is no supervised real term."""
    obj, m, real = build("am_gan", unlabeled_fraction=0.5, reference_weight=1.0, reference="labeled")
    assert set(obj.discriminator_step(m, real, 0).losses) == {"d_real", "d_fake", "d_unlabeled", "d_reference"}
    obj, m, real = build("am_gan", unlabeled_fraction=1.0, reference_weight=0.5)
    assert set(obj.discriminator_step(m, real, 0).losses) == {"d_fake", "d_unlabeled", "d_reference"}


def test_params_validation():
    """Smoothing must be in [0, 0.5); labeling must be dynamic or predefined; K+1 models need one class group."""
    with pytest.raises(ValueError):
        KPlusOneParams(real_smoothing=0.6)
    with pytest.raises(ValueError):
        KPlusOneParams(labeling="fixed")
    with pytest.raises(ValueError, match="single group"):
        AMGANObjective(KPlusOneParams(), BuildContext(spec=ConditionSpec.binary(("odd", "large")), data_shape=(2,)))


# ----------------------------------------------------------------------------------------------------- MS-SSIM

def test_ms_ssim_identities():
    """MS-SSIM: identical images give 1, it is symmetric and in [0, 1]; scale counts for 28x28 and 8x8 inputs."""
    torch.manual_seed(0)
    x, y = torch.rand(6, 1, 28, 28) * 2 - 1, torch.rand(6, 1, 28, 28) * 2 - 1
    torch.testing.assert_close(ms_ssim(x, x), torch.ones(6, dtype=torch.float64))
    torch.testing.assert_close(ms_ssim(x, y), ms_ssim(y, x))
    s = ms_ssim(x, (x + 0.3 * y).clamp(-1, 1))
    assert bool(((s >= 0) & (s <= 1)).all()) and float(s.mean()) > float(ms_ssim(x, y).mean())
    assert num_scales(28, 28, 7) == 3 and num_scales(8, 8, 3) == 2


def test_intra_class_metric_detects_collapse():
    """AM-GAN Table 2: a class whose samples are one repeated image scores 1; distinct images score lower;
    classes with < 2 samples are NaN; the registered metric reports the max over classes."""
    torch.manual_seed(1)
    same = (torch.rand(1, 1, 8, 8) * 2 - 1).repeat(5, 1, 1, 1)
    diff = torch.rand(5, 1, 8, 8) * 2 - 1
    x = torch.cat([same, diff, diff[:1]])
    labels = torch.tensor([0] * 5 + [1] * 5 + [2])
    per, counts = intra_class_ms_ssim(x, labels, 3, window=3, sigma=0.8)
    assert abs(float(per[0]) - 1.0) < 1e-12 and float(per[1]) < 0.9 and torch.isnan(per[2])
    assert counts.tolist() == [5, 5, 1]
    metric = IntraClassMSSSIM(IntraClassMSSSIMParams(window=3, sigma=0.8))
    out = metric.compute(EvalInputs(num_classes=3, fake_samples=x.flatten(1), fake_labels=labels))
    assert abs(out["ms_ssim_max"] - 1.0) < 1e-12
