"""Contract tests of the uacgan components: AC-GAN / TAC-GAN / UAC-GAN objectives, the MINE statistics networks
(concatenation and projection, shared or separate trunk) and the 1-D MoG reference networks.

Checks: the core contract checks (shapes, gradients, determinism, 2 training steps); the heads each objective asks
for; that ``ac_on_fake = false`` leaves the fake classification term out of D's loss (UAC-GAN Eq. 1 switch); that
the MINE loss reaches D's trunk only when T shares it (reference note §1.2); that MINE's moving average lives in T's
buffer and follows ``ma <- ma + rate (et - ma)``; that the MoG networks are the reference shapes. About 10 s.
"""

from __future__ import annotations

import copy
import math
import warnings

import pytest
import torch

from condgan.build import build_experiment
from condgan.config import parse_config
from condgan.testing import contracts
from condgan import losses as CL
from condgan.plugins.uacgan import losses as L
from condgan.plugins.uacgan.nets import MoGDiscriminator, MoGDiscriminatorParams, MoGGenerator, MoGGeneratorParams


pytestmark = pytest.mark.usefixtures("one_thread")


def tiny(objective: str, t: dict | None = None, **objective_params) -> dict:
    cfg = contracts.tiny_config(objective, objective_params=objective_params)
    if t is not None:
        cfg["statistics_network"] = t
    return cfg


def build(cfg, components):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_experiment(parse_config(copy.deepcopy(cfg), components), components, device=torch.device("cpu"))


@pytest.mark.parametrize("name", ["uacgan.concat_mlp", "uacgan.projection", "uacgan.mog_g", "uacgan.mog_d"])
def test_networks_pass_core_contract(components, name):
    """Core network contract (shapes, every parameter gets a gradient, determinism) for T networks and MoG nets."""
    contracts.check_network(components.get(_kind(name), name))


def _kind(name: str) -> str:
    return {"concat_mlp": "statistics_networks", "projection": "statistics_networks", "mog_g": "generators",
            "mog_d": "discriminators"}[name.split(".")[1]]


@pytest.mark.parametrize("objective,t", [
    ("uacgan.ac_gan", None),
    ("uacgan.tac_gan", None),
    ("uacgan.uac_gan", {"type": "uacgan.concat_mlp"}),
    ("uacgan.uac_gan", {"type": "uacgan.projection", "shared_trunk": True}),
    ("uacgan.uac_gan", {"type": "uacgan.projection", "shared_trunk": False, "use_cy": True, "softmax": True}),
])
def test_objectives_pass_core_contract(components, objective, t):
    """Core objective contract: 2 steps of a tiny experiment; every optimizer named by the losses changes its
    network; same seed -> same weights (UAC-GAN with each statistics network form)."""
    cfg = tiny(objective, t)
    if objective == "uacgan.uac_gan":
        cfg["objective"]["adaptive_clip"] = True
    contracts.check_objective(objective, components, config=cfg)


def test_heads_and_requirements(components):
    """AC-GAN asks for adv + cls (Eq. 1), TAC-GAN adds the twin head C^mi (Eq. 4); UAC-GAN requires a statistics
    network and defaults to the projection form when the config has no [statistics_network] table."""
    ac = build(tiny("uacgan.ac_gan"), components)
    tac = build(tiny("uacgan.tac_gan"), components)
    uac = build(tiny("uacgan.uac_gan"), components)
    assert ac.objective.heads() == {"adv": 1, "cls": 4}
    assert tac.objective.heads() == {"adv": 1, "cls": 4, "twin": 4}
    assert type(uac.models.statistics_network).__name__ == "ProjectionT"
    assert uac.models.statistics_network.uses_features
    assert set(uac.objective.optimizers_of("t_mine")) == {"statistics_network", "discriminator"}


def test_ac_on_fake_switch_in_discriminator_step(components):
    """UAC-GAN Eq. 1 switch: with ac_on_fake = false D's classification loss is CE(C(x_real), y) only; with true it
    adds CE(C(G(z, y)), y) (float32, 1e-6)."""
    for flag in (False, True):
        exp = build(tiny("uacgan.ac_gan", ac_on_fake=flag), components)
        m = exp.models
        real = exp.dataset.batch(torch.arange(8))
        torch.manual_seed(5)
        out = exp.objective.discriminator_step(m, real, 0)
        ce_real = CL.class_cross_entropy(m.discriminator(real.x).cls, real.c)
        if flag:
            torch.manual_seed(5)
            fake = m.generate(8)
            ce_fake = CL.class_cross_entropy(m.discriminator(fake.x).cls, fake.c)
            assert float(out.losses["d_cls"].detach()) == pytest.approx(float((ce_real + ce_fake).detach()), abs=1e-6)
        else:
            assert float(out.losses["d_cls"].detach()) == pytest.approx(float(ce_real.detach()), abs=1e-6)


@pytest.mark.parametrize("shared", [True, False])
def test_mine_loss_reaches_discriminator_trunk_only_when_shared(components, shared):
    """Reference note §1.2: with T on D's trunk (the authors' default) -V_MINE trains the trunk; with a separate T it
    gives D no gradient."""
    exp = build(tiny("uacgan.uac_gan", {"type": "uacgan.projection", "shared_trunk": shared}), components)
    m = exp.models
    out = exp.objective.discriminator_step(m, exp.dataset.batch(torch.arange(16)), 0)
    trunk = [p for n, p in m.discriminator.named_parameters() if n.startswith("trunk")]
    # weights only: a constant shift of T (ψ's bias) has zero gradient, since DV is shift-invariant
    t_weights = [p for p in m.statistics_network.parameters() if p.dim() >= 2]
    grads = torch.autograd.grad(out.losses["t_mine"], trunk + t_weights, allow_unused=True)
    trunk_g, t_g = grads[:len(trunk)], grads[len(trunk):]
    assert all(g is not None and g.abs().sum() > 0 for g in t_g)
    reached = any(g is not None and g.abs().sum() > 0 for g in trunk_g)
    assert reached == shared


def test_mine_moving_average_is_t_buffer(components):
    """MINE Sec. 3.2 as the authors implement it: the first step sets ma = mean e^{T(x, ȳ)}, later steps follow
    ma <- (1 - r) ma + r et; the state is T's buffer ``mine_log_ma`` (checkpointed with T)."""
    exp = build(tiny("uacgan.uac_gan", {"type": "uacgan.concat_mlp"}, ma_rate=0.25, marginal="prior"), components)
    m, obj, T = exp.models, exp.objective, exp.models.statistics_network
    assert math.isnan(float(T.mine_log_ma))
    real = exp.dataset.batch(torch.arange(8))
    obj.discriminator_step(m, real, 0)
    first = float(T.mine_log_ma)
    assert math.isfinite(first)
    assert "mine_log_ma" in T.state_dict()
    torch.manual_seed(9)
    out = obj.discriminator_step(m, real, 1)
    torch.manual_seed(9)
    fake = m.generate(8)
    cbar = m.prior.sample(8)
    et = torch.exp(T(fake.x, cbar)).mean()
    assert float(T.mine_log_ma.exp()) == pytest.approx(0.75 * math.exp(first) + 0.25 * float(et), rel=1e-5)
    assert "mi_T" in out.logs


def test_uac_generator_step_has_mi_term_and_adaptive_scale(components):
    """UAC-GAN Eq. 10 for G: the loss has g_adv, g_cls and λ_mi·DV (g_mi); with adaptive clipping the logged scale is
    in (0, 1] and g_mi = scale · λ_mi · DV."""
    exp = build(tiny("uacgan.uac_gan", lambda_mi=0.5, adaptive_clip=True), components)
    out = exp.objective.generator_step(exp.models, exp.dataset.batch(torch.arange(8)), 0)
    assert set(out.losses) == {"g_adv", "g_cls", "g_mi"}
    s = float(out.logs["mi_scale"])
    assert 0 < s <= 1 + 1e-6
    assert float(out.losses["g_mi"].detach()) == pytest.approx(s * 0.5 * float(out.logs["mi_G"]), rel=1e-5, abs=1e-7)


def test_mog_reference_network_shapes(components):
    """Reference note §1.5: G = [z (2), Embedding(3, 2)] -> 10 -> 10 (-> 10) -> 1; D = 1 -> 10 -> 10 -> 10 with heads
    on the 10-d features."""
    from condgan.conditions import ConditionSpec
    from condgan.interfaces import BuildContext

    ctx = BuildContext(spec=ConditionSpec.single(3), data_shape=(1,), latent_dim=2, heads={"adv": 1, "cls": 3, "twin": 3})
    g_tac, g_mine = MoGGenerator(MoGGeneratorParams(), ctx), MoGGenerator(MoGGeneratorParams(variant="mine"), ctx)
    lin = lambda net: [(l.in_features, l.out_features) for l in net.net if isinstance(l, torch.nn.Linear)]  # noqa: E731
    assert lin(g_tac) == [(4, 10), (10, 10), (10, 10), (10, 1)]
    assert lin(g_mine) == [(4, 10), (10, 10), (10, 1)]
    d = MoGDiscriminator(MoGDiscriminatorParams(final_tanh=True, init="normal"), ctx)
    out = d(torch.randn(5, 1))
    assert out.features.shape == (5, 10) and out.adv.shape == (5,) and out.twin.shape == (5, 3)
    assert float(out.features.abs().max()) <= 1.0  # final Tanh
    assert float(d.trunk[0].weight.std()) < 0.1  # N(0, 0.02) init


def test_shared_trunk_t_takes_the_discriminator_feature_width_from_the_core(components):
    """``feature_dim = 0``: the core measures D's trunk width (``BuildContext.feature_dim``) and T builds ordinary
    Linear layers of that width, initialised at build time; a wrong explicit width is refused with the right one."""
    from condgan.errors import ConfigError

    exp = build(tiny("uacgan.uac_gan", {"type": "uacgan.projection", "shared_trunk": True}), components)
    t = exp.models.statistics_network
    feats = exp.models.discriminator(exp.dataset.to_float(exp.dataset.x[:4])).features
    assert type(t.proj) is torch.nn.Linear and t.proj.in_features == feats.shape[1]
    with pytest.raises(ConfigError, match=f"set feature_dim = {feats.shape[1]}"):
        build(tiny("uacgan.uac_gan", {"type": "uacgan.projection", "shared_trunk": True,
                                      "feature_dim": feats.shape[1] + 1}), components)
