"""Hand-computed values of core's loss math (condgan.losses, where the functions live since issue 17, and the
components of condgan.builtins.adversarial, .regularizers, .objectives that call them), written to
kill the mutants that issue 15's mutation run (.ci/mutation/run.py) left alive. Each test names the paper and
equation it checks; every value is computed by hand in its docstring or comment."""

from __future__ import annotations

import math

import pytest
import torch

from condgan import losses as L
from condgan.builtins import adversarial as A

T = torch.tensor([-2.0, -0.5, 0.0, 0.5, 2.0], dtype=torch.float64)


def sp(x: float) -> float:
    """softplus(x) = log(1 + e^x), by hand."""
    return math.log1p(math.exp(x))


def values(fn, t=T) -> list[float]:
    return [float(v) for v in fn(t)]


def close(actual, expected):
    assert actual == pytest.approx(expected, abs=1e-12), (actual, expected)


# --- the adversarial families (the table of condgan.builtins.adversarial) ---------------------------------------


def test_goodfellow2014_minimax_values():
    """Goodfellow et al. 2014, Eq. 1: D minimises -log σ(t) on real, -log(1-σ(t)) on fake; the minimax G minimises
    log(1-σ(t)) = -softplus(t)."""
    close(values(L.minimax_d_real), [sp(-t) for t in T.tolist()])
    close(values(L.minimax_d_fake), [sp(t) for t in T.tolist()])
    close(values(L.minimax_g), [-sp(t) for t in T.tolist()])
    close(values(L.minimax_d_real, torch.tensor([0.0], dtype=torch.float64)), [math.log(2)])


def test_goodfellow2014_non_saturating_values():
    """Goodfellow et al. 2014, Sec. 3: the non-saturating G minimises -log σ(t) = softplus(-t); D as in minimax."""
    close(values(L.non_saturating_g), [sp(-t) for t in T.tolist()])
    close(values(L.non_saturating_d_real), [sp(-t) for t in T.tolist()])
    close(values(L.non_saturating_d_fake), [sp(t) for t in T.tolist()])


def test_mao2017_lsgan_eq2_values_and_default_targets():
    """Mao et al. 2017, Eq. 2 with a=0, b=c=1 (their Eq. 9 choice): D: (t-1)² on real, t² on fake; G: (t-1)²."""
    close(values(L.least_squares_d_real), [(t - 1) ** 2 for t in T.tolist()])
    close(values(L.least_squares_d_fake), [t ** 2 for t in T.tolist()])
    close(values(L.least_squares_g), [(t - 1) ** 2 for t in T.tolist()])
    close(values(lambda t: L.least_squares_d_real(t, 3.0)), [(t - 3) ** 2 for t in T.tolist()])
    close(values(lambda t: L.least_squares_d_fake(t, -1.0)), [(t + 1) ** 2 for t in T.tolist()])
    close(values(lambda t: L.least_squares_g(t, 0.5)), [(t - 0.5) ** 2 for t in T.tolist()])


def test_mao2017_lsgan_eq2_targets_a_b_c_reach_their_own_terms():
    """Mao et al. 2017, Eq. 2: D pushes real to b and fake to a, G pushes fake to c; the family built from
    LeastSquaresParams must hand each target to its own term (defaults a=0, b=1, c=1)."""
    p = A.LeastSquaresParams()
    assert (p.a, p.b, p.c) == (0.0, 1.0, 1.0)
    fam = A.least_squares(A.LeastSquaresParams(a=-1.0, b=2.0, c=0.5))
    assert fam.name == "least_squares"
    close(values(fam.d_real), [(t - 2) ** 2 for t in T.tolist()])
    close(values(fam.d_fake), [(t + 1) ** 2 for t in T.tolist()])
    close(values(fam.g), [(t - 0.5) ** 2 for t in T.tolist()])
    default = A.least_squares()
    close(values(default.d_real), [(t - 1) ** 2 for t in T.tolist()])
    close(values(default.d_fake), [t ** 2 for t in T.tolist()])
    close(values(default.g), [(t - 1) ** 2 for t in T.tolist()])


def test_lim_ye2017_hinge_values():
    """Lim & Ye 2017 / Miyato et al. 2018, Eq. 16-17: D minimises relu(1-t) on real and relu(1+t) on fake; G minimises
    -t (so hinge_g(2) = -2, not +2)."""
    close(values(L.hinge_d_real), [max(0.0, 1 - t) for t in T.tolist()])
    close(values(L.hinge_d_fake), [max(0.0, 1 + t) for t in T.tolist()])
    close(values(L.hinge_g), [-t for t in T.tolist()])


def test_arjovsky2017_wgan_values():
    """Arjovsky et al. 2017, Eq. 3 / Algorithm 1: the critic minimises -t on real and +t on fake; G minimises -t."""
    close(values(L.wasserstein_d_real), [-t for t in T.tolist()])
    close(values(L.wasserstein_d_fake), [t for t in T.tolist()])
    close(values(L.wasserstein_g), [-t for t in T.tolist()])


@pytest.mark.parametrize("name, d_real, d_fake, g", [
    ("minimax", lambda t: sp(-t), lambda t: sp(t), lambda t: -sp(t)),
    ("non_saturating", lambda t: sp(-t), lambda t: sp(t), lambda t: sp(-t)),
    ("least_squares", lambda t: (t - 1) ** 2, lambda t: t ** 2, lambda t: (t - 1) ** 2),
    ("hinge", lambda t: max(0.0, 1 - t), lambda t: max(0.0, 1 + t), lambda t: -t),
    ("wasserstein", lambda t: -t, lambda t: t, lambda t: -t),
])
def test_every_family_factory_builds_its_papers_three_functions(name, d_real, d_fake, g):
    """The registry entry ``core.<name>`` (FAMILIES) builds the family with the paper's three functions in the right
    slots (Goodfellow 2014 Eq. 1, Mao 2017 Eq. 2, Lim & Ye 2017, Arjovsky 2017): name, d_real, d_fake, g."""
    build, params_cls, _ = A.FAMILIES[name]
    fam = build(params_cls())
    assert fam.name == name
    close(values(fam.d_real), [d_real(t) for t in T.tolist()])
    close(values(fam.d_fake), [d_fake(t) for t in T.tolist()])
    close(values(fam.g), [g(t) for t in T.tolist()])


# --- gradient regularizers (condgan.builtins.regularizers), through the component the objectives call -----------

from condgan.builtins import regularizers as R  # noqa: E402


def quadratic_critic(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """D(x) = Σ_j w_j x_j² per sample: ∇_x D = 2 w x, so ||∇D||² = 4 Σ_j w_j² x_j² (computed by hand below)."""
    return (w * x.flatten(1).pow(2)).sum(1)


X = torch.tensor([[[[1.0, -2.0, 0.5]], [[0.0, 3.0, -1.0]]],
                  [[[2.0, 0.0, 1.0]], [[-1.0, 1.0, 0.0]]]], dtype=torch.float64)  # (2, 2, 1, 3)
W = torch.tensor([1.0, 0.5, 2.0, -1.0, 0.25, 3.0], dtype=torch.float64)


def hand_grad_norms(x: torch.Tensor) -> list[float]:
    return [float(sum(4 * w ** 2 * v ** 2 for w, v in zip(W.tolist(), row))) for row in x.flatten(1).tolist()]


def test_mescheder2018_r1_eq9_per_sample_gradient_norm_by_hand():
    """Mescheder et al. 2018, Eq. 9: R1 = E ||∇_x D(x)||². For D(x) = Σ w_j x_j², ||∇D||² = 4 Σ w_j² x_j²:
    sample 0: 4(1 + 0.25·4 + 4·0.25 + 0 + 0.0625·9 + 9·1) = 50.25, sample 1: 4(4 + 0 + 4 + 1 + 0.0625 + 0) = 36.25."""
    x = X.clone().requires_grad_(True)
    norms = L.grad_norm_squared(quadratic_critic(x, W), x)
    assert hand_grad_norms(X) == pytest.approx([50.25, 36.25])
    close([float(v) for v in norms.detach()], [50.25, 36.25])
    close(float(L.r1_penalty(quadratic_critic(x, W), x).detach()), (50.25 + 36.25) / 2)
    close(float(L.r2_penalty(quadratic_critic(x, W), x).detach()), (50.25 + 36.25) / 2)


def test_mescheder2018_r1_trains_the_discriminator():
    """Mescheder et al. 2018, Eq. 9: R1 is a loss of D, so it must be differentiable in D's parameters
    (create_graph=True). For D(x) = Σ w_j x_j², R1 = mean_i 4 Σ_j w_j² x_ij², so ∂R1/∂w_j = mean_i 8 w_j x_ij²."""
    w = W.clone().requires_grad_(True)
    x = X.clone().requires_grad_(True)
    L.r1_penalty(quadratic_critic(x, w), x).backward()
    expected = [8 * wj * float(X.flatten(1)[:, j].pow(2).mean()) for j, wj in enumerate(W.tolist())]
    close(w.grad.tolist(), expected)


def interp_critic(x: torch.Tensor) -> torch.Tensor:
    """D(x) = ½||x||² per sample: ∇D = x, so ||∇D(x̂)|| = ||x̂||."""
    return 0.5 * x.flatten(1).pow(2).sum(1)


def test_gulrajani2017_wgan_gp_eq3_value_on_interpolates():
    """Gulrajani et al. 2017, Eq. 3 / Algorithm 1 lines 4-6: x̂ = εx + (1-ε)x̃, ε ~ U[0, 1] per sample, penalty
    E(||∇D(x̂)|| - 1)². With D = ½||x||², ||∇D(x̂)|| = ||x̂||, and ε is the seeded generator's first draw."""
    xr = torch.tensor([[[[3.0, 0.0]]], [[[0.0, 1.0]]], [[[1.0, 1.0]]]], dtype=torch.float64)  # (3, 1, 1, 2)
    xf = torch.tensor([[[[0.0, 4.0]]], [[[2.0, 0.0]]], [[[-1.0, 2.0]]], [[[9.0, 9.0]]]], dtype=torch.float64)
    eps = torch.rand((3, 1, 1, 1), dtype=torch.float64, generator=torch.Generator().manual_seed(3)).flatten().tolist()
    norms = [math.hypot(*(e * a + (1 - e) * b for a, b in zip(r, f)))
             for e, r, f in zip(eps, xr.flatten(1).tolist(), xf.flatten(1).tolist())]
    for center in (1.0, 0.0, 2.5):
        expected = sum((n - center) ** 2 for n in norms) / 3
        got = L.wgan_gp_penalty(interp_critic, xr, xf, generator=torch.Generator().manual_seed(3), center=center)
        assert float(got.detach()) == pytest.approx(expected, rel=1e-9)
    default = L.wgan_gp_penalty(interp_critic, xr, xf, generator=torch.Generator().manual_seed(3))
    assert float(default.detach()) == pytest.approx(sum((n - 1) ** 2 for n in norms) / 3, rel=1e-9)


def test_gulrajani2017_wgan_gp_eq3_unit_gradient_is_free_and_slope_three_costs_four():
    """Gulrajani et al. 2017, Eq. 3: for a linear critic with ||w|| = 3 every interpolate has ||∇D|| = 3, so the
    penalty is (3 - 1)² = 4; with ||w|| = 1 it is 0 (up to the 1e-12 under the square root)."""
    w = torch.tensor([0.0, 3.0, 0.0, 0.0], dtype=torch.float64)
    xr, xf = torch.randn(5, 4, dtype=torch.float64), torch.randn(6, 4, dtype=torch.float64)
    assert float(L.wgan_gp_penalty(lambda x: x @ w, xr, xf)) == pytest.approx(4.0, rel=1e-9)
    assert float(L.wgan_gp_penalty(lambda x: x @ (w / 3), xr, xf)) < 1e-10


def test_wgan_gp_trains_the_critic():
    """Gulrajani et al. 2017, Algorithm 1: the penalty is part of the critic's loss, so it has a gradient in the
    critic's parameters: for D(x) = a·(x @ w) with ||w|| = 1, penalty (|a| - 1)², d/da = 2(a - 1) at a > 0."""
    w = torch.tensor([0.6, 0.8], dtype=torch.float64)
    a = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    L.wgan_gp_penalty(lambda x: a * (x @ w), torch.randn(4, 2, dtype=torch.float64),
                      torch.randn(4, 2, dtype=torch.float64)).backward()
    assert float(a.grad) == pytest.approx(4.0, rel=1e-9)


@pytest.fixture
def regs(components):
    """The regularizer components as an objective resolves them (Regularizer.resolve through the registry)."""
    from condgan.build import build_experiment
    from condgan.config import parse_config
    from condgan.testing import tiny_config

    def make(name: str, weight: float):
        raw = tiny_config("core.cgan", objective_params={"regularizer": name, "regularizer_weight": weight})
        return build_experiment(parse_config(raw, components, source="test"), components).objective.reg

    return make


def test_mescheder2018_r1_r2_components_differentiate_real_resp_fake(regs):
    """Mescheder et al. 2018, Eq. 9 (R1 at real data) and the R2 of CGPGAN Sec. 4.1 (at generated data), as the
    components ``core.r1``/``core.r2`` the objectives call: inputs prepared on the right side, weight times the
    penalty of the right side's values. Real D = Σ w x², fake D = 2 Σ w x² (so R2 = 4 R1 on the same x)."""
    r1_value = (50.25 + 36.25) / 2
    for name, weight, real_grad in (("core.r1", 2.5, True), ("core.r2", 0.5, False)):
        reg = regs(name, weight)
        assert (reg.weight, reg.every) == (weight, 1)
        xr, xf = reg.prepare_inputs(X.clone(), X.clone())
        assert (xr.requires_grad, xf.requires_grad) == (real_grad, not real_grad)
        if real_grad:
            xf.requires_grad_(True)
        else:
            xr.requires_grad_(True)
        t_r, t_f = quadratic_critic(xr, W), 2 * quadratic_critic(xf, W)
        got = reg.penalty(None, xr, xf, t_r, t_f)
        close(float(got.detach()), weight * (r1_value if real_grad else 4 * r1_value))


def test_r1_prepare_inputs_detaches_from_the_generator(regs):
    """R1/R2 differentiate D at the data only: the prepared inputs are fresh leaves, detached from G's graph."""
    src = X.clone().requires_grad_(True)
    for name in ("core.r1", "core.r2"):
        xr, xf = regs(name, 1.0).prepare_inputs(src * 1, src * 1)
        assert xr.is_leaf and xf.is_leaf


def test_gulrajani2017_wgan_gp_component_weight_times_eq3(regs):
    """The ``core.wgan_gp`` component: inputs unchanged, penalty = weight · (||w|| - 1)² for a linear critic."""
    reg = regs("core.wgan_gp", 3.0)
    xr, xf = torch.randn(4, 2, dtype=torch.float64), torch.randn(4, 2, dtype=torch.float64)
    pr, pf = reg.prepare_inputs(xr, xf)
    assert pr is xr and pf is xf
    w = torch.tensor([0.0, 2.0], dtype=torch.float64)
    assert float(reg.penalty(lambda x: x @ w, xr, xf, None, None)) == pytest.approx(3.0 * (2.0 - 1.0) ** 2, rel=1e-9)


def test_regularizer_params_defaults_and_bounds():
    """RegularizerParams: weight 10 (Gulrajani et al.'s λ = 10), every 1; weight >= 0 and every >= 1 accepted at
    their bounds, rejected beyond."""
    p = R.RegularizerParams()
    assert (p.weight, p.every) == (10.0, 1)
    assert R.RegularizerParams(weight=0.0, every=1).weight == 0.0
    with pytest.raises(ValueError):
        R.RegularizerParams(weight=-0.1)
    with pytest.raises(ValueError):
        R.RegularizerParams(every=0)
    assert R.Regularizer("r1", 1.0).every == 1


@pytest.mark.parametrize("kind", ["r1", "r2", "wgan_gp"])
def test_registered_factories_build_their_kind(kind):
    """REGULARIZERS[kind] builds Regularizer(kind, weight, every) from its params."""
    build = R.REGULARIZERS[kind][0]
    assert build.__name__ == kind
    reg = build(R.RegularizerParams(weight=3.0, every=4))
    assert (reg.kind, reg.weight, reg.every) == (kind, 3.0, 4)


@pytest.mark.parametrize("kind", ["r1", "r2", "wgan_gp"])
def test_regularizer_factory_called_at_test_time_builds_its_kind(kind):
    """The factory REGULARIZERS is filled from at import (R1/R2: Mescheder et al. 2018, Eq. 9; WGAN-GP: Gulrajani et
    al. 2017, Eq. 3), called here again so that a mutation run, which forks after the imports, reaches it: the
    builder is named after its kind and builds Regularizer(kind, weight, every)."""
    build = R._factory(kind)
    assert build.__name__ == kind
    reg = build(R.RegularizerParams(weight=3.0, every=4))
    assert (reg.kind, reg.weight, reg.every) == (kind, 3.0, 4)


# --- the plain conditional GAN objective (condgan.builtins.objectives) -------------------------------------------

from condgan.builtins import objectives as O  # noqa: E402


def test_cgan_selected_logit_is_the_own_conditions_output_averaged_over_groups():
    """t = <D_cond(x), c> / G (Mirza & Osindero's conditional GAN, one output per condition as in CA-GAN Eq. 11):
    rows [1, 2, 3, 4]·[0, 1, 1, 0] = 5, over 2 groups 2.5; [-1, 0, 2, 0.5]·[1, 0, 0, 1] = -0.5 -> -0.25."""
    d = torch.tensor([[1.0, 2.0, 3.0, 4.0], [-1.0, 0.0, 2.0, 0.5]], dtype=torch.float64)
    c = torch.tensor([[0.0, 1.0, 1.0, 0.0], [1.0, 0.0, 0.0, 1.0]], dtype=torch.float64)
    close(L.selected_logit(d, c, 2).tolist(), [2.5, -0.25])
    close(L.selected_logit(d, c).tolist(), [5.0, -0.5])


def cgan(components, **params):
    from condgan.build import build_experiment
    from condgan.config import parse_config
    from condgan.interfaces import Batch
    from condgan.testing import tiny_config

    exp = build_experiment(parse_config(tiny_config("core.cgan", objective_params=params), components, source="test"),
                           components)
    ds = exp.dataset
    return exp.objective, exp.models, Batch(x=ds.x[:8].float(), c=ds.spec.encode(ds.y[:8]))


def test_cgan_params_defaults():
    """The baseline's defaults: non-saturating loss (Goodfellow et al. 2014, Sec. 3), no regularizer, weight 10,
    conditional."""
    p = O.CGANParams()
    assert (p.adversarial, p.regularizer, p.regularizer_weight, p.conditional) == ("core.non_saturating", "", 10.0, True)
    assert O.CGANParams(regularizer_weight=0.0).regularizer_weight == 0.0
    with pytest.raises(ValueError):
        O.CGANParams(regularizer_weight=-1.0)


def test_cgan_discriminator_step_hinge_plus_weighted_r1_by_replay(components):
    """L_D = E_real f_r^d(t) + E_fake f_g^d(t) + w·R1 (hinge: Lim & Ye 2017; R1: Mescheder et al. 2018, Eq. 9), with
    t = <D_cond(x), c>: the step's losses equal the formula recomputed from the same seeded real/fake batch."""
    obj, m, real = cgan(components, adversarial="core.hinge", regularizer="core.r1", regularizer_weight=2.0)
    assert obj.heads() == {"cond": 4} and obj.groups == 1
    torch.manual_seed(0)
    out = obj.discriminator_step(m, real, 0)
    torch.manual_seed(0)
    d = m.discriminate(real, 0, obj.reg)
    t_r, t_f = (d.out_real.cond * d.real.c).sum(1), (d.out_fake.cond * d.fake.c).sum(1)
    expected = torch.relu(1 - t_r).mean() + torch.relu(1 + t_f).mean()
    (g,) = torch.autograd.grad(t_r.sum(), d.x_real)
    assert set(out.losses) == {"d_adv", "d_reg"}
    close(float(out.losses["d_adv"].detach()), float(expected.detach()))
    close(float(out.losses["d_reg"].detach()), float(2.0 * g.pow(2).sum(1).mean()))
    assert out.losses["d_reg"].requires_grad
    close(float(out.logs["d_real"]().detach()), float(t_r.mean().detach()))
    close(float(out.logs["d_fake"]().detach()), float(t_f.mean().detach()))
    assert set(obj.losses.items()) == {("d_adv", "discriminator"), ("d_reg", "discriminator"),
                                       ("g_adv", "generator")}


def test_cgan_wgan_gp_penalty_uses_the_conditional_critic(components):
    """WGAN-GP (Gulrajani et al. 2017, Eq. 3) inside the conditional baseline: the critic at x̂ is the output of the
    real rows' conditions, <D_cond(x̂), c_real>; recomputed from the same seed."""
    obj, m, real = cgan(components, adversarial="core.wasserstein", regularizer="core.wgan_gp", regularizer_weight=3.0)
    torch.manual_seed(1)
    out = obj.discriminator_step(m, real, 0)
    torch.manual_seed(1)
    d = m.discriminate(real, 0, obj.reg)
    t_r, t_f = (d.out_real.cond * d.real.c).sum(1), (d.out_fake.cond * d.fake.c).sum(1)
    gp = L.wgan_gp_penalty(lambda x: (m.discriminator(x).cond * d.real.c).sum(1), d.x_real, d.x_fake)
    close(float(out.losses["d_adv"].detach()), float((-t_r.mean() + t_f.mean()).detach()))
    close(float(out.losses["d_reg"].detach()), float(3.0 * gp.detach()))


def test_cgan_no_penalty_without_regularizer_or_at_weight_zero(components):
    """No regularizer (the default ""), or weight 0: the discriminator step has only d_adv."""
    for params in ({}, {"regularizer": "core.r1", "regularizer_weight": 0.0}):
        obj, m, real = cgan(components, **params)
        torch.manual_seed(0)
        assert set(obj.discriminator_step(m, real, 0).losses) == {"d_adv"}


def test_cgan_generator_step_non_saturating_by_replay(components):
    """L_G = E_fake f^g(t), non-saturating f^g(t) = softplus(-t) (Goodfellow et al. 2014, Sec. 3), on the conditional
    logit; differentiable in G."""
    obj, m, real = cgan(components)
    torch.manual_seed(0)
    out = obj.generator_step(m, real, 0)
    torch.manual_seed(0)
    fake = m.generate(len(real), grad=True)
    t = (m.discriminator(fake.x).cond * fake.c).sum(1)
    close(float(out.losses["g_adv"].detach()), float(torch.nn.functional.softplus(-t).mean().detach()))
    assert out.losses["g_adv"].requires_grad
    out.losses["g_adv"].backward()
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in m.generator.parameters())


def test_cgan_unconditional_uses_the_adv_head(components):
    """conditional = false: the unconditional GAN on the single ``adv`` head (the "GAN" row of the papers' tables)."""
    obj, m, real = cgan(components, conditional=False, adversarial="core.least_squares")
    assert obj.heads() == {"adv": 1}
    torch.manual_seed(0)
    out = obj.discriminator_step(m, real, 0)
    torch.manual_seed(0)
    d = m.discriminate(real, 0, obj.reg)
    t_r, t_f = d.out_real.adv.reshape(-1), d.out_fake.adv.reshape(-1)
    close(float(out.losses["d_adv"].detach()), float((((t_r - 1) ** 2).mean() + (t_f ** 2).mean()).detach()))
    torch.manual_seed(0)
    g = obj.generator_step(m, real, 0)
    torch.manual_seed(0)
    fake = m.generate(len(real), grad=True)
    close(float(g.losses["g_adv"].detach()), float(((m.discriminator(fake.x).adv.reshape(-1) - 1) ** 2).mean()))


def test_gulrajani2017_wgan_gp_draws_epsilon_on_the_datas_device():
    """Gulrajani et al. 2017, Algorithm 1 line 4: ε ~ U[0, 1] is drawn beside the data; on the ``meta`` device
    (shapes only, no CPU tensors allowed) the penalty is computed there, as it must be on a GPU."""
    xr, xf = torch.randn(3, 2, device="meta"), torch.randn(3, 2, device="meta")
    w = torch.ones(2, device="meta")
    out = L.wgan_gp_penalty(lambda x: x @ w, xr, xf)
    assert out.device.type == "meta" and out.shape == ()


def test_cgan_r2_penalty_differentiates_the_fake_logits(components):
    """R2 (CGPGAN Sec. 4.1; Mescheder et al. 2018 Sec. 4.1) in the conditional baseline: w · E_fake ||∇_x t_fake||²,
    from the fake rows' own logits (recomputed from the same seed)."""
    obj, m, real = cgan(components, regularizer="core.r2", regularizer_weight=1.5)
    torch.manual_seed(2)
    out = obj.discriminator_step(m, real, 0)
    torch.manual_seed(2)
    d = m.discriminate(real, 0, obj.reg)
    t_f = (d.out_fake.cond * d.fake.c).sum(1)
    (g,) = torch.autograd.grad(t_f.sum(), d.x_fake)
    close(float(out.losses["d_reg"].detach()), float(1.5 * g.pow(2).sum(1).mean()))


def test_cgan_logit_averages_over_the_objectives_groups(components):
    """With G condition groups (CA-GAN's multi-attribute case, Cho & Yoon Eq. 11 summed over groups) the logit is the
    mean over groups of the active conditions' outputs: the objective passes its group count to selected_logit.
    (The objective's count is set to 2 here; building a 2-group dataset would need the digits data.)"""
    from types import SimpleNamespace

    obj, _, _ = cgan(components)
    d = torch.tensor([[1.0, 2.0, 3.0, 4.0]], dtype=torch.float64)
    c = torch.tensor([[0.0, 1.0, 1.0, 0.0]], dtype=torch.float64)
    close(obj.logit(SimpleNamespace(cond=d), c).tolist(), [5.0])
    obj.groups = 2
    close(obj.logit(SimpleNamespace(cond=d), c).tolist(), [2.5])


def test_mao2017_lsgan_eq9_family_defaults_a0_b1_c1():
    """Mao et al. 2017, Eq. 9 (the 0-1 coding, a=0, b=c=1) is ``condgan.losses.family("least_squares")``'s default:
    D pushes fake logits to a=0 (t², not (t-1)²), real ones to b=1, and G pushes fake to c=1. CA-GAN's
    ``LEAST_SQUARES`` is built with these defaults at import."""
    fam = L.family("least_squares")
    close(values(fam.d_fake), [t ** 2 for t in T.tolist()])
    close(values(fam.d_real), [(t - 1) ** 2 for t in T.tolist()])
    close(values(fam.g), [(t - 1) ** 2 for t in T.tolist()])


def acgan(components, **params):
    from condgan.build import build_experiment
    from condgan.config import parse_config
    from condgan.interfaces import Batch
    from condgan.testing import tiny_config

    exp = build_experiment(parse_config(tiny_config("core.ac_gan", objective_params=params), components,
                                        source="test"), components)
    ds = exp.dataset
    return exp.objective, exp.models, Batch(x=ds.x[:8].float(), c=ds.spec.encode(ds.y[:8]))


def hand_ce_sum(logits, c):
    """Σ_i -Σ_k c_ik log softmax(l_i)_k, written out (one condition group)."""
    return -(c * (logits - logits.exp().sum(1, keepdim=True).log())).sum()


def test_cho_yoon_eq2_acgan_generator_terms_weights_sum_and_real_cls_by_replay(components):
    """Cho & Yoon Eq. 2 (original AC-GAN G loss, L_cls^r included as printed), with w_adv = 2, λ_cls = 3 and the sum
    reduction: g_adv = 2 Σ_i softplus(-t_i) (non-saturating, Goodfellow et al. 2014 Sec. 3) and
    g_cls = 3 (Σ_i CE(l_i^g, c_i^g) + Σ_i CE(l_i^r, c_i^r)); recomputed from the same D outputs."""
    obj, m, real = acgan(components, adv_weight=2.0, lambda_cls=3.0, real_cls_in_g=True, reduction="sum")
    torch.manual_seed(0)
    fake = m.generate(len(real), grad=True)
    out = m.fake_outputs(real, fake, 0)
    losses = obj.generator_terms(m, real, fake, out)
    g_adv = 2.0 * torch.nn.functional.softplus(-out.adv.flatten()).sum()
    g_cls = 3.0 * (hand_ce_sum(out.cls, fake.c) + hand_ce_sum(m.discriminator(real.x).cls, real.c))
    assert set(losses) == {"g_adv", "g_cls"}
    assert float(losses["g_adv"].detach()) == pytest.approx(float(g_adv.detach()), rel=1e-5)
    assert float(losses["g_cls"].detach()) == pytest.approx(float(g_cls.detach()), rel=1e-5)


def test_cho_yoon_eq1_acgan_discriminator_step_wgan_gp_uses_the_adv_head_and_logs_accuracy(components):
    """Cho & Yoon Eq. 1 with WGAN-GP (Gulrajani et al. 2017, Eq. 3) on the adversarial logit: the step hands the
    models to the penalty, whose critic at x̂ is D_adv(x̂) (d_reg = w E[(||∇D_adv(x̂)|| - 1)²], replayed from the same
    seed), and logs the auxiliary classifier's accuracy on real data, mean(argmax l^r = argmax c^r)."""
    obj, m, real = acgan(components, adversarial="core.wasserstein", regularizer="core.wgan_gp", regularizer_weight=2.0)
    torch.manual_seed(0)
    out = obj.discriminator_step(m, real, 0)
    torch.manual_seed(0)
    d = m.discriminate(real, 0, obj.reg)
    gp = L.wgan_gp_penalty(lambda x: m.discriminator(x).adv, d.x_real, d.x_fake)
    assert set(out.losses) == {"d_adv", "d_cls", "d_reg"}
    assert float(out.losses["d_reg"].detach()) == pytest.approx(float(2.0 * gp.detach()), rel=1e-5)
    acc = (d.out_real.cls.argmax(1) == d.real.c.argmax(1)).float().mean()
    assert float(out.logs["acc_real"]()) == pytest.approx(float(acc))


def test_cho_yoon_eq1_acgan_discriminator_terms_weights_sum_and_r1_by_replay(components):
    """Cho & Yoon Eq. 1 (original AC-GAN D loss) with w_adv = 2, λ_cls = 0.5, the sum reduction, hinge (Lim & Ye 2017)
    and R1 (Mescheder et al. 2018, Eq. 9) on the adversarial logit: d_adv = 2 (Σ relu(1 - t_r) + Σ relu(1 + t_g)),
    d_cls = 0.5 (Σ CE(l^r, c^r) + Σ CE(l^g, c^g)), d_reg = 3 E||∇_x D_adv(x_real)||²; from the same D outputs."""
    obj, m, real = acgan(components, adversarial="core.hinge", adv_weight=2.0, lambda_cls=0.5, reduction="sum",
                         regularizer="core.r1", regularizer_weight=3.0)
    torch.manual_seed(0)
    d = m.discriminate(real, 0, obj.reg)
    losses, _ = obj.discriminator_terms(m, d, 0)
    t_r, t_f = d.out_real.adv.flatten(), d.out_fake.adv.flatten()
    d_adv = 2.0 * (torch.relu(1 - t_r).sum() + torch.relu(1 + t_f).sum())
    d_cls = 0.5 * (hand_ce_sum(d.out_real.cls, d.real.c) + hand_ce_sum(d.out_fake.cls, d.fake.c))
    (g,) = torch.autograd.grad(d.out_real.adv.sum(), d.x_real, retain_graph=True)
    assert set(losses) == {"d_adv", "d_cls", "d_reg"}
    assert float(losses["d_adv"].detach()) == pytest.approx(float(d_adv.detach()), rel=1e-5)
    assert float(losses["d_cls"].detach()) == pytest.approx(float(d_cls.detach()), rel=1e-5)
    assert float(losses["d_reg"].detach()) == pytest.approx(float(3.0 * g.flatten(1).pow(2).sum(1).mean()), rel=1e-5)
