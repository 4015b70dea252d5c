"""What trains, against the equations: the losses the projection, adcgan, reacgan and p2gan objectives return from
their discriminator and generator steps on a tiny MLP experiment, against the formulas written out here with torch's
own relu / cross_entropy / logsumexp on the same network outputs (hinge loss, the objectives' default). The random
draws of a step (z, y) are replayed by seeding torch before the step and before the replay (float32, 1e-5)."""

from __future__ import annotations

import copy
import warnings

import pytest
import torch
import torch.nn.functional as F

from condgan.build import build_experiment
from condgan.config import parse_config
from condgan.testing import tiny_config

TOL = dict(rel=1e-5, abs=1e-6)
MLP_TRUNK = {"trunk": "core.mlp_d", "trunk_params": {"hidden": 16, "layers": 2}}

pytestmark = pytest.mark.usefixtures("one_thread")


def _build(components, objective: str, discriminator: str | None = None, **params):
    extra = {"discriminator": {"type": discriminator, **MLP_TRUNK}} if discriminator else None
    cfg = tiny_config(objective, objective_params=params, extra=extra)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_experiment(parse_config(copy.deepcopy(cfg), components), components, device=torch.device("cpu"))


def _v(t) -> float:
    return float(t.detach())


def _sel(out, c):
    return out[torch.arange(len(c)), c.argmax(1)]


def _steps(exp, seed: int = 5):
    """The objective's D and G step outputs, and the replayed draws: (real, D-side fake, D(real), D(fake), G-side fake,
    D(G-side fake))."""
    m, real = exp.models, exp.dataset.batch(torch.arange(8))
    torch.manual_seed(seed)
    d_out = exp.objective.discriminator_step(m, real, 0)
    torch.manual_seed(seed)
    fake = m.generate(8)
    o_r, o_f = m.discriminator(real.x), m.discriminator(fake.x)
    torch.manual_seed(seed + 1)
    g_out = exp.objective.generator_step(m, real, 0)
    torch.manual_seed(seed + 1)
    g_fake = m.generate(8, grad=True)
    return d_out, g_out, real, fake, o_r, o_f, g_fake, m.discriminator(g_fake.x)


def test_projection_steps(components):
    """L_D = E relu(1 − f(x, y)) + E relu(1 + f(G, y)), L_G = −E f(G, y), f = ψ + v_yᵀφ + b_y (adv + cond[y])."""
    d, g, real, fake, o_r, o_f, g_fake, o_g = _steps(_build(components, "projection.projection"))
    f_r, f_f = o_r.adv + _sel(o_r.cond, real.c), o_f.adv + _sel(o_f.cond, fake.c)
    assert set(d.losses) == {"d_adv"} and set(g.losses) == {"g_adv"}
    assert _v(d.losses["d_adv"]) == pytest.approx(_v(F.relu(1 - f_r).mean() + F.relu(1 + f_f).mean()), **TOL)
    assert _v(g.losses["g_adv"]) == pytest.approx(_v(-(o_g.adv + _sel(o_g.cond, g_fake.c)).mean()), **TOL)


def test_adcgan_steps(components):
    """L_D = hinge + λ_D [CE(C_d(x), 2y) + CE(C_d(G), 2y + 1)];  L_G = −E D(G) + λ_G E[o_{2y+1} − o_{2y}]."""
    d, g, real, fake, o_r, o_f, g_fake, o_g = _steps(_build(components, "adcgan.adc_gan", d_lambda=0.7, g_lambda=0.3))
    y_r, y_f, y_g = real.c.argmax(1), fake.c.argmax(1), g_fake.c.argmax(1)
    assert o_r.cls.shape[1] == 2 * real.c.shape[1]
    assert _v(d.losses["d_adv"]) == pytest.approx(_v(F.relu(1 - o_r.adv).mean() + F.relu(1 + o_f.adv).mean()), **TOL)
    adc = F.cross_entropy(o_r.cls, 2 * y_r) + F.cross_entropy(o_f.cls, 2 * y_f + 1)
    assert _v(d.losses["d_adc"]) == pytest.approx(0.7 * _v(adc), **TOL)
    idx = torch.arange(8)
    assert _v(g.losses["g_adv"]) == pytest.approx(_v(-o_g.adv.mean()), **TOL)
    assert _v(g.losses["g_adc"]) == pytest.approx(0.3 * _v((o_g.cls[idx, 2 * y_g + 1] - o_g.cls[idx, 2 * y_g]).mean()),
                                                  **TOL)


def _d2d(embed, proxy_cos, y, m_p=0.98, m_n=0.02, tau=0.5):
    """D2D-CE written out: −log(e^{p_i} / (e^{p_i} + Σ_{j: y_j ≠ y_i} e^{n_ij})), p = min(cos_p − m_p, 0)/τ,
    n = max(cos(f_i, f_j) − m_n, 0)/τ."""
    f = embed / embed.norm(dim=1, keepdim=True)
    pos = torch.exp(torch.clamp(proxy_cos - m_p, max=0) / tau)
    neg = torch.exp(torch.clamp(f @ f.T - m_n, min=0) / tau) * (y[:, None] != y[None, :])
    return (-torch.log(pos / (pos + neg.sum(1)))).mean()


def test_reacgan_steps(components):
    """L_D = hinge + λ D2D-CE(real), L_G = −E D(G) + λ D2D-CE(G); cond = cos(f, v_k) of reacgan.proxy_d."""
    exp = _build(components, "reacgan.reacgan", "reacgan.proxy_d", d2d_lambda=0.4, embed_dim=6)
    d, g, real, fake, o_r, o_f, g_fake, o_g = _steps(exp)
    proxies = exp.models.discriminator.proxies
    cos_r = F.cosine_similarity(o_r.cls, proxies[real.c.argmax(1)], dim=1)
    torch.testing.assert_close(_sel(o_r.cond, real.c), cos_r, rtol=1e-5, atol=1e-6)
    assert _v(d.losses["d_adv"]) == pytest.approx(_v(F.relu(1 - o_r.adv).mean() + F.relu(1 + o_f.adv).mean()), **TOL)
    assert _v(d.losses["d_d2d"]) == pytest.approx(0.4 * _v(_d2d(o_r.cls, cos_r, real.c.argmax(1))), **TOL)
    cos_g = F.cosine_similarity(o_g.cls, proxies[g_fake.c.argmax(1)], dim=1)
    assert _v(g.losses["g_adv"]) == pytest.approx(_v(-o_g.adv.mean()), **TOL)
    assert _v(g.losses["g_d2d"]) == pytest.approx(0.4 * _v(_d2d(o_g.cls, cos_g, g_fake.c.argmax(1))), **TOL)


@pytest.mark.parametrize("weighting", ["none", "amortised"])
def test_p2gan_steps(components, weighting):
    """P2GAN: L_D = Σ_{real, fake} E[hinge(D(x, y))] + w_l [CE(cls(x), y) + CE(twin(G), y)], D = ψ + cls[y] − twin[y];
    P2GAN-w: each sample's terms weighted (1 − λ) and λ w_l, λ = σ(cond), + w_p E[−log λ − log(1 − λ)];
    L_G = −E (1 − λ)ᵈᵉᵗ D(G, y)."""
    amortised = weighting == "amortised"
    exp = _build(components, "p2gan.p2gan", "p2gan.weighted_d" if amortised else None, weighting=weighting,
                 label_weight=0.6, penalty_weight=0.2)
    if amortised:  # move the zero-initialised weight layer, so that λ differs from ½ and between samples
        torch.manual_seed(3)
        torch.nn.init.normal_(exp.models.discriminator.weight_logit.weight)
    d, g, real, fake, o_r, o_f, g_fake, o_g = _steps(exp)
    t_r = o_r.adv + _sel(o_r.cls, real.c) - _sel(o_r.twin, real.c)
    t_f = o_f.adv + _sel(o_f.cls, fake.c) - _sel(o_f.twin, fake.c)
    ce_r = F.cross_entropy(o_r.cls, real.c.argmax(1), reduction="none")
    ce_f = F.cross_entropy(o_f.twin, fake.c.argmax(1), reduction="none")
    lam_r = torch.sigmoid(o_r.cond[:, 0]) if amortised else None
    lam_f = torch.sigmoid(o_f.cond[:, 0]) if amortised else None
    if amortised:
        want = ((1 - lam_r) * F.relu(1 - t_r) + 0.6 * lam_r * ce_r).mean() \
            + ((1 - lam_f) * F.relu(1 + t_f) + 0.6 * lam_f * ce_f).mean()
        pen = -(torch.log(lam_r) + torch.log(1 - lam_r)).mean() - (torch.log(lam_f) + torch.log(1 - lam_f)).mean()
        assert float(lam_r.detach().std()) > 0
        assert _v(d.losses["d_weight"]) == pytest.approx(0.2 * _v(pen), **TOL)
    else:
        want = (F.relu(1 - t_r) + 0.6 * ce_r).mean() + (F.relu(1 + t_f) + 0.6 * ce_f).mean()
        assert set(d.losses) == {"d_p2"}
    assert _v(d.losses["d_p2"]) == pytest.approx(_v(want), **TOL)
    t_g = o_g.adv + _sel(o_g.cls, g_fake.c) - _sel(o_g.twin, g_fake.c)
    w_g = 1 - torch.sigmoid(o_g.cond[:, 0]) if amortised else torch.ones_like(t_g)
    assert _v(g.losses["g_adv"]) == pytest.approx(_v(-(w_g * t_g).mean()), **TOL)


def test_p2gan_w_weight_gets_no_gradient_from_g_and_does_not_train_the_trunk(components):
    """P2GAN-w: G's loss does not move the weight layer (1 − λ is detached), and the weight's penalty trains the weight
    layer but gives the trunk no gradient (the layer reads detached features)."""
    exp = _build(components, "p2gan.p2gan", "p2gan.weighted_d", weighting="amortised")
    m, real = exp.models, exp.dataset.batch(torch.arange(8))
    D = m.discriminator
    torch.manual_seed(3)
    torch.nn.init.normal_(D.weight_logit.weight)  # λ ≠ ½, where the penalty has a gradient
    g = exp.objective.generator_step(m, real, 0)
    D.zero_grad()
    g.losses["g_adv"].backward()
    assert D.weight_logit.weight.grad is None or float(D.weight_logit.weight.grad.abs().sum()) == 0.0
    D.zero_grad()
    exp.objective.discriminator_step(m, real, 0).losses["d_weight"].backward()
    assert float(D.weight_logit.weight.grad.abs().sum()) > 0
    assert all(p.grad is None or float(p.grad.abs().sum()) == 0.0 for p in D.trunk.parameters())
