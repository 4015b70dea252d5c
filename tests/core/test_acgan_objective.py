"""core.ac_gan, the one AC-GAN (issue 17): its step losses are the AC-GAN terms of condgan.losses, and the papers'
registered AC-GANs are presets (cagan) or thin subclasses (uacgan) of it."""

from __future__ import annotations

import pytest
import torch

import condgan
from condgan import losses as L
from condgan.testing import tiny_config


def _built(components, objective: str, **params):
    from condgan.build import build_experiment
    from condgan.config import parse_config

    cfg = tiny_config(objective, objective_params=params, batch_size=16)
    return build_experiment(parse_config(cfg, components), components, device=torch.device("cpu"))


@pytest.mark.parametrize("cls_fake_in_d", [True, False])
@pytest.mark.parametrize("adversarial", ["core.non_saturating", "core.least_squares"])
def test_discriminator_and_generator_losses_are_the_acgan_terms(components, cls_fake_in_d, adversarial):
    """Cho & Yoon Eqs. 1/7 and 2/8: d_adv + d_cls = acgan_discriminator_loss(L_adv^d, L_cls^r, L_cls^g) and
    g_adv + g_cls = acgan_generator_loss(L_adv^g, L_cls^g), recomputed here from D's outputs on the same batches."""
    exp = _built(components, "core.ac_gan", adversarial=adversarial, lambda_cls=0.3, cls_fake_in_d=cls_fake_in_d)
    obj, m = exp.objective, exp.models
    fam = L.family(adversarial.split(".")[1])
    real = exp.dataset.batch(torch.arange(16))
    torch.manual_seed(0)
    d = obj.discriminator_step(m, real, 0)
    torch.manual_seed(0)
    ds = m.discriminate(real, 0)
    l_adv = L.adversarial_d_loss(ds.out_real.adv, ds.out_fake.adv, fam)
    l_r, l_g = L.class_cross_entropy(ds.out_real.cls, ds.real.c), L.class_cross_entropy(ds.out_fake.cls, ds.fake.c)
    want = L.acgan_discriminator_loss(l_adv, l_r, l_g, lambda_cls=0.3, cls_fake_in_d=cls_fake_in_d)
    torch.testing.assert_close(d.losses["d_adv"] + d.losses["d_cls"], want)
    torch.manual_seed(1)
    g = obj.generator_step(m, real, 0)
    torch.manual_seed(1)
    fake = m.generate(len(real))
    out = m.discriminator(fake.x)
    want = L.acgan_generator_loss(L.adversarial_g_loss(out.adv, fam), L.class_cross_entropy(out.cls, fake.c),
                                  lambda_cls=0.3)
    torch.testing.assert_close(g.losses["g_adv"] + g.losses["g_cls"], want)


def test_papers_acgans_are_the_core_objective():
    """One AC-GAN: cagan's two names are core.ac_gan with the paper's defaults; uacgan's subclass it and only
    rename its switches (ac_weight = lambda_cls, ac_on_fake = cls_fake_in_d)."""
    core = condgan.get_component("objectives", "core.ac_gan").factory
    assert condgan.ACGANObjective is core
    for name in ("cagan.ac_gan", "cagan.modified_ac_gan"):
        assert condgan.get_component("objectives", name).factory is core
    for name in ("uacgan.ac_gan", "uacgan.tac_gan", "uacgan.uac_gan"):
        assert issubclass(condgan.get_component("objectives", name).factory, core)
    entry = condgan.get_component("objectives", "uacgan.ac_gan")
    p = entry.factory.acgan_params(entry.params(ac_weight=0.4, ac_on_fake=False))
    assert (p.lambda_cls, p.cls_fake_in_d, p.adversarial) == (0.4, False, "core.non_saturating")
    assert condgan.get_component("objectives", "cagan.ac_gan").params().adversarial == "core.minimax"
    assert condgan.get_component("objectives", "cagan.modified_ac_gan").params().cls_fake_in_d is False
