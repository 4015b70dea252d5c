"""UAC-GAN paper Eqs. 1, 5 and 10 and Theorem 1, checked on what trains: the losses the AC-GAN, TAC-GAN and UAC-GAN
objectives return from their discriminator and generator steps (tiny MLP experiment), against the equations written
here with torch's own softplus / log_softmax / logsumexp on the same network outputs. The random draws of a step (z,
y, the permutation ȳ) are replayed by seeding torch before the step and before the replay (float32, 1e-5)."""

from __future__ import annotations

import copy
import math
import warnings

import pytest
import torch
import torch.nn.functional as F

from condgan.build import build_experiment
from condgan.config import parse_config
from condgan.plugins.uacgan import losses as L
from condgan.testing import contracts

TOL = dict(rel=1e-5, abs=1e-6)


pytestmark = pytest.mark.usefixtures("one_thread")


def _build(components, objective: str, t: dict | None = None, **params):
    cfg = contracts.tiny_config(objective, objective_params=params)
    if t is not None:
        cfg["statistics_network"] = t
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_experiment(parse_config(copy.deepcopy(cfg), components), components, device=torch.device("cpu"))


def _ce(logits, c):
    """-E log C(x, y), written out."""
    return -(c * F.log_softmax(logits, -1)).sum(-1).mean()


def _v(t) -> float:
    return float(t.detach())


@pytest.mark.parametrize("objective", ["uacgan.ac_gan", "uacgan.tac_gan"])
@pytest.mark.parametrize("ac_on_fake", [True, False])
def test_discriminator_step_is_eq1_and_eq5(components, objective, ac_on_fake):
    """Eq. 1 for D and C: -(a) = E softplus(-D(x)) + E softplus(D(G)), w[(b) + (c)·ac_on_fake]; Eq. 5 adds
    -w_tac V_TAC = w_tac E[-log C^mi(G, y)] for the twin classifier (w = 0.7, w_tac = 0.3)."""
    extra = {"twin_weight": 0.3} if objective == "uacgan.tac_gan" else {}
    exp = _build(components, objective, ac_weight=0.7, ac_on_fake=ac_on_fake, **extra)
    m, real = exp.models, exp.dataset.batch(torch.arange(8))
    torch.manual_seed(5)
    out = exp.objective.discriminator_step(m, real, 0)
    torch.manual_seed(5)
    fake = m.generate(8)
    o_r, o_f = m.discriminator(real.x), m.discriminator(fake.x)
    assert _v(out.losses["d_adv"]) == pytest.approx(_v(F.softplus(-o_r.adv).mean() + F.softplus(o_f.adv).mean()), **TOL)
    cls = _ce(o_r.cls, real.c) + (_ce(o_f.cls, fake.c) if ac_on_fake else 0.0)
    assert _v(out.losses["d_cls"]) == pytest.approx(0.7 * _v(cls), **TOL)
    if objective == "uacgan.tac_gan":
        assert set(out.losses) == {"d_adv", "d_cls", "d_twin"}
        assert _v(out.losses["d_twin"]) == pytest.approx(0.3 * _v(_ce(o_f.twin, fake.c)), **TOL)
    else:
        assert set(out.losses) == {"d_adv", "d_cls"}


def test_tac_generator_step_is_eq5_and_theorem1(components):
    """Eq. 5 for G: E softplus(-D(G)) + w E[-log C(G, y)] + w_tac E[log C^mi(G, y)]; with w = w_tac = 1 the class
    part is the mean of Theorem 1's Σ_k Q(k|x) r_x(k), r_x = log C^mi - log C, at the sampled one-hot y."""
    exp = _build(components, "uacgan.tac_gan")
    m, real = exp.models, exp.dataset.batch(torch.arange(8))
    torch.manual_seed(7)
    out = exp.objective.generator_step(m, real, 0)
    torch.manual_seed(7)
    fake = m.generate(8, grad=True)
    o = m.discriminator(fake.x)
    assert set(out.losses) == {"g_adv", "g_cls", "g_twin"}
    assert _v(out.losses["g_adv"]) == pytest.approx(_v(F.softplus(-o.adv).mean()), **TOL)
    assert _v(out.losses["g_cls"]) == pytest.approx(_v(_ce(o.cls, fake.c)), **TOL)
    assert _v(out.losses["g_twin"]) == pytest.approx(-_v(_ce(o.twin, fake.c)), **TOL)
    theorem1 = L.twin_pointwise_objective(fake.c, F.log_softmax(o.twin, -1), F.log_softmax(o.cls, -1)).mean()
    assert _v(out.losses["g_cls"] + out.losses["g_twin"]) == pytest.approx(_v(theorem1), **TOL)


def test_uac_generator_step_is_eq10(components):
    """Eq. 10 for G: E softplus(-D(G)) + w E[-log C(G, y)] + λ_mi (E T(G, y) - log E e^{T(G, ȳ)}), ȳ a permutation of
    the batch's y (λ_mi = 0.25, w = 0.5, T = uacgan.concat_mlp)."""
    exp = _build(components, "uacgan.uac_gan", {"type": "uacgan.concat_mlp"}, lambda_mi=0.25, ac_weight=0.5)
    m, real = exp.models, exp.dataset.batch(torch.arange(8))
    torch.manual_seed(11)
    out = exp.objective.generator_step(m, real, 0)
    torch.manual_seed(11)
    fake = m.generate(8, grad=True)
    o = m.discriminator(fake.x)
    c_bar = fake.c[torch.randperm(8)]
    assert not torch.equal(c_bar, fake.c)
    T = m.statistics_network
    t_joint, t_marg = T(fake.x, fake.c), T(fake.x, c_bar)
    dv = t_joint.mean() - (torch.logsumexp(t_marg, 0) - math.log(8))
    assert set(out.losses) == {"g_adv", "g_cls", "g_mi"}
    assert _v(out.losses["g_adv"]) == pytest.approx(_v(F.softplus(-o.adv).mean()), **TOL)
    assert _v(out.losses["g_cls"]) == pytest.approx(0.5 * _v(_ce(o.cls, fake.c)), **TOL)
    assert _v(out.losses["g_mi"]) == pytest.approx(0.25 * _v(dv), **TOL)


def test_nwj_bound_hand_value():
    """NWJ: E_P T - E_Q e^{T-1}; T_joint = (1, 2), T_marginal = (1, 1): 1.5 - 1 = 0.5; with quadrature weights the
    expectations are weighted sums."""
    assert float(L.nwj_bound(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 1.0]))) == pytest.approx(0.5)
    w = torch.log(torch.tensor([0.25, 0.75]))
    t = torch.tensor([1.0, 3.0])
    expected = (0.25 * 1 + 0.75 * 3) - (0.25 * math.exp(0) + 0.75 * math.exp(2))
    assert float(L.nwj_bound(t, t, log_weights_joint=w, log_weights_marginal=w)) == pytest.approx(expected, rel=1e-6)
