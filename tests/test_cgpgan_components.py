"""Contract and end-to-end tests of the cgpgan plugin: objectives, priors, networks, datasets, the 2-D preset.

Tiny networks (width 8) and a handful of steps; the whole file takes a few seconds on one core.
"""

from __future__ import annotations

import math

import pytest
import torch

from condgan.conditions import ConditionSpec
from condgan.interfaces import Batch, BuildContext, Models
from condgan.plugins.cgpgan import losses as L
from condgan.plugins.cgpgan import nets, objectives, priors
from condgan.plugins.cgpgan.datasets import ClustersParams, clusters

K, ZD = 5, 3


class _Separate(torch.nn.Module):
    def split(self, b, step, epoch):
        return b, b

    def discriminate(self, D, xr, xf):
        return D(xr), D(xf)


class _Latent(torch.nn.Module):
    dim = ZD

    def sample(self, n, device=None, generator=None):
        return torch.randn(n, ZD, generator=generator)


def _models(objective, prior, with_q=True, steps_per_epoch=10):
    torch.manual_seed(0)
    spec = ConditionSpec.single(K)
    ctx = BuildContext(spec=spec, data_shape=(2,), latent_dim=ZD)
    p = nets.MLPParams(width=8, depth=2)
    return Models(generator=nets.MLPGenerator(p, ctx), discriminator=nets.MLPDiscriminator(p, ctx.with_heads(objective.heads())),
                  prior=prior(ctx), composer=_Separate(), latent=_Latent(), spec=spec,
                  classifier=nets.MLPClassifier(p, ctx) if with_q else None, steps_per_epoch=steps_per_epoch)


def _ctx():
    from condgan.build import make_resolver
    from condgan.plugin_manager import get_components

    return BuildContext(spec=ConditionSpec.single(K), data_shape=(2,), latent_dim=ZD,
                        resolve=make_resolver(get_components()))


def _grads(loss, module):
    ps = [p for p in module.parameters() if p.requires_grad]
    gs = torch.autograd.grad(loss, ps, retain_graph=True, allow_unused=True)
    return sum(float(g.abs().sum()) for g in gs if g is not None)


def _real(n=6):
    return Batch(x=torch.randn(n, 2))


def test_cgpgan_losses_reach_exactly_their_optimizers():
    """Algorithm 1 lines 15-18, 23-24: L_d trains D only, L_q (Eq. 7) trains Q only, L_g (Eq. 9) trains G only."""
    obj = objectives.CGPGANObjective(objectives.CGPGANParams(lambda_creg=1.0, normalize_until_step=5), _ctx())
    m = _models(obj, lambda c: priors.EMAPrior(priors.EMAPriorParams(), c))
    out = obj.discriminator_step(m, _real(), step=0)
    assert set(out.losses) == {"d_adv", "d_r2", "q_cls", "q_creg"}
    for name, loss in out.losses.items():
        owner = {"discriminator": m.discriminator, "classifier": m.classifier}[obj.losses[name]]
        other = m.classifier if owner is m.discriminator else m.discriminator
        assert _grads(loss, owner) > 0, name
        assert _grads(loss, other) == 0, name
        assert _grads(loss, m.generator) == 0, name
    g = obj.generator_step(m, _real(), step=0)
    assert set(g.losses) == {"g_adv"}
    assert _grads(g.losses["g_adv"], m.generator) > 0
    assert _grads(g.losses["g_adv"], m.classifier) == 0  # no classification loss in G (Eq. 9)


def test_cgpgan_real_labels_normalised_early_then_free():
    """Algorithm 1 lines 9-12 and 25: early on, the probabilities handed to the prior average to 1/d_c; later not."""
    obj = objectives.CGPGANObjective(objectives.CGPGANParams(normalize_until_step=3), _ctx())
    m = _models(obj, lambda c: priors.EMAPrior(priors.EMAPriorParams(decay=0.5), c))
    early = obj.discriminator_step(m, _real(), step=0)
    torch.testing.assert_close(early.class_probs.mean(0), torch.full((K,), 1.0 / K), atol=1e-6, rtol=0)
    m.prior.update(early.class_probs)
    torch.testing.assert_close(m.prior.probs(), torch.full((K,), 1.0 / K), atol=1e-6, rtol=0)
    late = obj.discriminator_step(m, _real(), step=3)
    assert not torch.allclose(late.class_probs.mean(0), torch.full((K,), 1.0 / K), atol=1e-4)
    assert torch.all(late.class_probs >= 0)


def test_cgpgan_normalize_switch_by_epoch():
    """"Early in training" by epoch (the paper's epoch 30): epoch = step // steps_per_epoch."""
    obj = objectives.CGPGANObjective(objectives.CGPGANParams(normalize_until_epoch=2), _ctx())
    m = _models(obj, lambda c: priors.EMAPrior(priors.EMAPriorParams(), c), steps_per_epoch=10)
    assert obj.normalizing(m, 19) and not obj.normalizing(m, 20)


def test_ema_prior_state_and_sampling():
    """Algorithm 1 line 25: the EMA prior moves toward the batch mean, checkpoints through state_dict, samples one-hots
    with its probabilities."""
    prior = priors.EMAPrior(priors.EMAPriorParams(decay=0.0), _ctx())
    prior.update(torch.tensor([[1.0, 0, 0, 0, 0], [0, 1.0, 0, 0, 0]]))
    torch.testing.assert_close(prior.probs(), torch.tensor([0.5, 0.5, 0, 0, 0]))
    other = priors.EMAPrior(priors.EMAPriorParams(), _ctx())
    other.load_state_dict(prior.state_dict())
    torch.testing.assert_close(other.probs(), prior.probs())
    s = prior.sample(2000, generator=torch.Generator().manual_seed(0))
    assert torch.all(s.sum(1) == 1) and s[:, 2:].sum() == 0
    assert abs(float(s[:, 0].mean()) - 0.5) < 0.05


def test_infogan_and_vanilla_losses():
    """InfoGAN Eqs. 1-3: Q and G both minimise L_cls; D sees the adversarial loss and R2. Vanilla: no Q at all."""
    obj = objectives.InfoGANObjective(objectives.InfoGANParams(), _ctx())
    m = _models(obj, lambda c: priors.FixedPrior(priors.FixedPriorParams((0.1, 0.2, 0.3, 0.2, 0.2)), c))
    d = obj.discriminator_step(m, _real(), 0)
    assert _grads(d.losses["q_cls"], m.classifier) > 0 and _grads(d.losses["d_adv"], m.discriminator) > 0
    g = obj.generator_step(m, _real(), 0)
    assert _grads(g.losses["g_cls"], m.generator) > 0
    van = objectives.VanillaCategoricalObjective(objectives.VanillaParams(), _ctx())
    mv = _models(van, lambda c: priors.FixedPrior(priors.FixedPriorParams(), c), with_q=False)
    assert set(van.discriminator_step(mv, _real(), 0).losses) == {"d_adv", "d_r2"}
    assert float(van.generator_step(mv, _real(), 0).losses["g_cls"]) == 0.0


def test_elastic_infogan_learns_prior_only_after_start():
    """Elastic-InfoGAN: the prior logits get a gradient from the generator loss through Gumbel-softmax samples, only
    from the prior's start epoch on."""
    obj = objectives.ElasticInfoGANObjective(objectives.InfoGANParams(), _ctx())
    m = _models(obj, lambda c: priors.GumbelPrior(priors.GumbelPriorParams(start_epoch=1, temperature=0.5), c),
                steps_per_epoch=10)
    assert "prior_g" not in obj.generator_step(m, _real(), 5).losses
    late = obj.generator_step(m, _real(), 10)
    assert _grads(late.losses["prior_g"], m.prior) > 0
    torch.testing.assert_close(m.prior.probs().sum(), torch.tensor(1.0))


def test_fixed_prior_rejects_bad_probabilities():
    with pytest.raises(ValueError, match="sum to 1"):
        priors.FixedPrior(priors.FixedPriorParams((0.5, 0.6, 0, 0, 0)), _ctx())


def test_equalized_mlp_and_standardised_condition():
    """Section 4.1 / authors' code: equalized-LR weights are N(0, 1) scaled by sqrt(1/fan_in) at run time; G reads
    (c d_c - 1)/sqrt(d_c - 1)."""
    torch.manual_seed(0)
    lin = nets.EqualizedLinear(400, 300)
    assert abs(float(lin.weight.std()) - 1.0) < 0.02 and lin.scale == pytest.approx(1 / math.sqrt(400))
    assert float(lin.bias.abs().sum()) == 0.0
    g = nets.MLPGenerator(nets.MLPParams(width=8, depth=1), _ctx())
    c = torch.eye(K)[:2]
    z = torch.zeros(2, ZD)
    first = g.trunk[0]
    expected = torch.nn.functional.leaky_relu(first(torch.cat([z, L.standardize_onehot(c)], 1)), 0.2)
    torch.testing.assert_close(g.trunk(torch.cat([z, L.standardize_onehot(c)], 1)), expected)
    assert g(z, c).shape == (2, 2)


def test_unlabeled_clusters_dataset():
    """The four clusters with d_c = 16 categories: unlabeled for training, true labels kept; the paper's first centre
    (-1, 2) is an option."""
    ds = clusters(ClustersParams(n=400))
    assert ds.spec.num_conditions == 16 and not ds.labeled and int(ds.y.max()) <= 3
    assert ds.info["centers"][0] == [-1.0, 1.0]
    assert clusters(ClustersParams(n=400, paper_centers=True)).info["centers"][0] == [-1.0, 2.0]
    with pytest.raises(ValueError, match="categories"):
        clusters(ClustersParams(n=400, categories=3))


def test_preset_trains_end_to_end(tmp_path):
    """The registered preset builds through the config system and trains a few steps in the core loop; the prior
    stays uniform while prob_normalize is on (Section 3) and the entropy is logged."""
    from condgan.build import build_experiment
    from condgan.config import apply_overrides, parse_config
    from condgan.plugin_manager import get_components
    from condgan.experiments import preset_raw
    from condgan.plugins.cgpgan.reproduce import PRESET_NAME
    from condgan.train import train

    torch.set_num_threads(1)
    comps = get_components()
    raw = apply_overrides(preset_raw(PRESET_NAME), [
        "run.steps=6", "run.progress=false", "run.log_every=3", "data.n=200", "objective.normalize_until_step=100",
        "generator.width=8", "discriminator.width=8", "classifier.width=8", f"run.out_dir={tmp_path}"])
    exp = build_experiment(parse_config(raw, comps), comps, device=torch.device("cpu"))
    summary = train(exp, tmp_path / "run", log=lambda *a, **k: None)
    assert summary["step"] == 6
    torch.testing.assert_close(exp.models.prior.probs(), torch.full((16,), 1 / 16), atol=1e-5, rtol=0)
    assert summary["losses"]["prior_entropy"] == pytest.approx(math.log(16), abs=1e-4)


@pytest.mark.parametrize("order", ["end_of_step", "before_generator"])
def test_loop_updates_prior_where_run_prior_update_says(tmp_path, monkeypatch, order):
    """Algorithm 1 (and the authors' Train.py) update P(C) after the G step, so the G step of step t draws its
    conditions from the prior the D step of step t saw (``run.prior_update = "end_of_step"``, the default); the
    older order ``"before_generator"`` hands G the prior already moved by step t's probabilities. Checked on the
    loop itself: the prior as each side sees it, on every step, with the prior free to move (no normalising)."""
    from condgan.build import build_experiment
    from condgan.config import apply_overrides, parse_config
    from condgan.experiments import preset_raw
    from condgan.plugin_manager import get_components
    from condgan.plugins.cgpgan.reproduce import PRESET_NAME
    from condgan.train import train

    seen = {"d": [], "g": []}
    d_step, g_step = objectives.CGPGANObjective.discriminator_step, objectives.CGPGANObjective.generator_step

    def spy_d(self, m, real, step):
        seen["d"].append(m.prior.probs().detach().clone())
        return d_step(self, m, real, step)

    def spy_g(self, m, real, step):
        seen["g"].append(m.prior.probs().detach().clone())
        return g_step(self, m, real, step)

    monkeypatch.setattr(objectives.CGPGANObjective, "discriminator_step", spy_d)
    monkeypatch.setattr(objectives.CGPGANObjective, "generator_step", spy_g)
    torch.set_num_threads(1)
    comps = get_components()
    raw = apply_overrides(preset_raw(PRESET_NAME), [
        "run.steps=4", "run.progress=false", "run.log_every=2", "data.n=200", "objective.normalize_until_step=0",
        "prior.decay=0.5", "generator.width=8", "discriminator.width=8", "classifier.width=8",
        f"run.out_dir={tmp_path}", f"run.prior_update={order}"])
    exp = build_experiment(parse_config(raw, comps), comps, device=torch.device("cpu"))
    train(exp, tmp_path / "run", log=lambda *a, **k: None)
    seen = {k: v[-4:] for k, v in seen.items()}  # the training steps (a first call may be the loop's step check)
    for t in range(4):
        same = torch.equal(seen["g"][t], seen["d"][t])
        assert same == (order == "end_of_step"), t
        if t + 1 < 4:  # either way the next D step sees the prior after step t's update
            assert not torch.equal(seen["d"][t + 1], seen["d"][t])


def test_reproduction_plan_and_criteria():
    """`condgan reproduce cgpgan_clusters`: the sweep {0, 1, 10, 100}, 20 seeds of λ_creg = 0.1 at the preset's steps,
    at 4x the steps and under the old prior-update order, λ_creg = 100 at 20,000 steps over 5 seeds, 8 InfoGAN seeds;
    the success criterion is four kept categories within 0.03 of [0.1, 0.2, 0.3, 0.4] (any order); the assignment
    check asks for one pure category per centre."""
    from condgan.plugins.cgpgan.reproduce import assignment, run_specs, success

    specs = run_specs(quick=False)
    group = lambda g: [s for s in specs if s["group"] == g]  # noqa: E731
    assert [s["lambda_creg"] for s in group("sweep")] == [0.0, 1.0, 10.0, 100.0]
    for g in ("seeds", "seeds_long", "order_before_generator"):
        assert [s["seed"] for s in group(g)] == list(range(20)) and {s["lambda_creg"] for s in group(g)} == {0.1}
    assert all("run.steps=3000" in s["overrides"] for s in group("seeds") + group("order_before_generator"))
    assert all("run.steps=12000" in s["overrides"] for s in group("seeds_long"))
    assert all("run.prior_update=before_generator" in s["overrides"] for s in group("order_before_generator"))
    assert not any("prior_update" in o for s in group("seeds") for o in s["overrides"])
    assert [s["seed"] for s in group("lambda100_long")] == list(range(5))
    assert all("run.steps=20000" in s["overrides"] and s["lambda_creg"] == 100.0 for s in group("lambda100_long"))
    assert [s["seed"] for s in group("infogan")] == list(range(8))
    assert success([0.4011, 0.0955, 0.3037, 0.1989])
    assert not success([0.0535, 0.0979, 0.4042, 0.3028, 0.1412])
    assert not success([0.0952, 0.4007, 0.5034])
    centers = [[0.0, 0.0], [5.0, 0.0]]
    fake = torch.tensor([[0.1, 0.0], [0.0, 0.1], [5.0, 0.1], [4.9, 0.0]])
    ok, table = assignment(fake, torch.tensor([2, 2, 7, 7]), [2, 7], centers)
    assert ok and table == {2: [1.0, 0.0], 7: [0.0, 1.0]}
    ok, _ = assignment(fake, torch.tensor([2, 7, 2, 7]), [2, 7], centers)
    assert not ok


def test_elastic_infogan_contrastive_option_trains_q_on_kornia_views():
    """``lambda_contrastive > 0``: Q gets the NT-Xent identity-preserving loss between two kornia augmentations of
    real images (logged as ``q_contrastive``) and the whole objective still meets its contract; vector data is refused
    with a message."""
    from condgan.testing import check_objective, tiny_config

    extra = {"prior": {"type": "cgpgan.gumbel", "start_epoch": 0}}
    cfg = tiny_config("cgpgan.elastic_infogan", data="core.digits", objective_params={"lambda_contrastive": 1.0},
                      extra=extra)
    check_objective("cgpgan.elastic_infogan", config=cfg)

    obj = objectives.ElasticInfoGANObjective(objectives.InfoGANParams(lambda_contrastive=1.0), _ctx())
    torch.manual_seed(0)
    q = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, K))
    m = type("M", (), {"classifier": q})()
    x = torch.rand(8, 1, 8, 8) * 2 - 1
    loss = obj.contrastive(m, x)
    assert torch.isfinite(loss) and _grads(loss, q) > 0
    with pytest.raises(ValueError, match="image data"):
        obj.contrastive(m, torch.randn(8, 2))
