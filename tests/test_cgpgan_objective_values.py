"""CGPGAN Eq. 7 and InfoGAN Eqs. 1-6, checked on what trains: the losses the CGPGAN and InfoGAN objectives return from
their steps (tiny MLPs), against the equations written here with torch's own ops on the same network outputs. The
random draws of a step (z, c) are replayed by seeding torch before the step and before the replay."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from condgan.conditions import ConditionSpec
from condgan.interfaces import Batch, BuildContext, Models
from condgan.plugins.cgpgan import nets, objectives, priors
from test_cgpgan_components import ZD, _Latent, _Separate  # the same stub composer and latent (tests/ is on sys.path)

K = 4
TOL = dict(rel=1e-5, abs=1e-6)


def _models(objective, prior) -> Models:
    torch.manual_seed(0)
    spec = ConditionSpec.single(K)
    ctx = BuildContext(spec=spec, data_shape=(2,), latent_dim=ZD)
    p = nets.MLPParams(width=8, depth=2)
    return Models(generator=nets.MLPGenerator(p, ctx), discriminator=nets.MLPDiscriminator(p, ctx.with_heads(objective.heads())),
                  prior=prior(ctx), composer=_Separate(), latent=_Latent(), spec=spec,
                  classifier=nets.MLPClassifier(p, ctx), steps_per_epoch=10)


def _ctx():
    from condgan.build import make_resolver
    from condgan.plugin_manager import get_components

    return BuildContext(spec=ConditionSpec.single(K), data_shape=(2,), latent_dim=ZD,
                        resolve=make_resolver(get_components()))


def _ce(logits, c):
    return -(c * F.log_softmax(logits, -1)).sum(-1).mean()


def _v(t) -> float:
    return float(t.detach())


def test_cgpgan_classifier_losses_are_eq7():
    """Eq. 7: L_q = λ_cls L_cls + λ_creg L_creg on generated data, L_cls = E[-c_f · log softmax Q(x')] (Eq. 4) and
    L_creg = E ||∇_{x'} (1 - softmax(Q(x')) · c_f)^2||² (Eq. 10); λ_cls = 0.7, λ_creg = 3."""
    obj = objectives.CGPGANObjective(objectives.CGPGANParams(lambda_cls=0.7, lambda_creg=3.0), _ctx())
    m = _models(obj, lambda c: priors.EMAPrior(priors.EMAPriorParams(), c))
    real = Batch(x=torch.randn(6, 2))
    torch.manual_seed(3)
    out = obj.discriminator_step(m, real, 0)
    torch.manual_seed(3)
    fake = m.generate(6, grad=False)
    x = fake.x.detach().requires_grad_(True)
    q = m.classifier(x)
    assert _v(out.losses["q_cls"]) == pytest.approx(0.7 * _v(_ce(q, fake.c)), **TOL)
    (g,) = torch.autograd.grad((1 - (F.softmax(q, -1) * fake.c).sum(-1)).pow(2).sum(), x)
    assert _v(out.losses["q_creg"]) == pytest.approx(3.0 * _v(g.pow(2).sum(1).mean()), **TOL)
    assert _v(out.losses["q_creg"]) > 0


@pytest.mark.parametrize("family,f_g", [("core.non_saturating", lambda t: F.softplus(-t)), ("core.hinge", lambda t: -t)])
def test_infogan_generator_losses_are_eq3(family, f_g):
    """InfoGAN Eqs. 3, 6: L_g = E f^g(D(G(z, c))) + λ_cls E[-c · log softmax Q(G(z, c))], c ~ P(C); f^g of the
    non-saturating family softplus(-t) (equal to its f_r^d), of the hinge family -t (not); λ_cls = 0.5."""
    obj = objectives.InfoGANObjective(objectives.InfoGANParams(lambda_cls=0.5, loss=family), _ctx())
    m = _models(obj, lambda c: priors.FixedPrior(priors.FixedPriorParams((0.1, 0.2, 0.3, 0.4)), c))
    real = Batch(x=torch.randn(6, 2))
    torch.manual_seed(4)
    out = obj.generator_step(m, real, 0)
    torch.manual_seed(4)
    c = m.sample_conditions(6)
    fake = m.generate(6, c=c, grad=True)
    assert set(out.losses) == {"g_adv", "g_cls"}
    assert _v(out.losses["g_adv"]) == pytest.approx(_v(f_g(m.discriminator(fake.x).adv).mean()), **TOL)
    assert _v(out.losses["g_cls"]) == pytest.approx(0.5 * _v(_ce(m.classifier(fake.x), c)), **TOL)
