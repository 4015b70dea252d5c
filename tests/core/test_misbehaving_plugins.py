"""Plugins that misbehave at run time fail before step 1 with an error naming the plugin, the component and what was
expected (exit 2, no traceback, no run directory), and the objective's dry step that finds some of them changes no
number of a run (condgan.step_check)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from torch import nn

from condgan import plugin_manager
from condgan.build import build_experiment
from condgan.builtins.objectives import CGANObjective, CGANParams
from condgan.cli import main
from condgan.experiment import preset_raw as _preset_raw
from condgan.config import apply_overrides, parse_config
from condgan.interfaces import Discriminator, DiscriminatorOutput, PriorUpdater
from condgan.registry import make_register
from condgan.train import train

CFG = """
[run]
name = "bad"
steps = 2
batch_size = 8
log_every = 1
sample_every = 0
checkpoint_every = 0
progress = false
threads = 1

[data]
type = "core.gaussian_clusters"
n = 64

[latent]
dim = 4

[objective]
type = "{objective}"

[generator]
type = "{generator}"
{gen_params}

[discriminator]
type = "{discriminator}"
{disc_params}

[prior]
type = "{prior}"
"""


@pytest.fixture
def fake(monkeypatch):
    """Register components of a fake plugin 'fake' into a fresh registry that the CLI then uses."""
    comps = plugin_manager.PluginManager(load_entry_points=False).components()
    monkeypatch.setattr(plugin_manager, "get_components", lambda: comps)

    def register(kind, name, factory):
        make_register(comps[kind], "fake")(name, factory, description="a misbehaving test fake")

    return register


def run_cli(tmp_path, capsys, objective="core.cgan", generator="core.mlp_g", discriminator="core.mlp_d",
            prior="core.fixed"):
    cfg = tmp_path / "c.toml"
    gen_params = "hidden = 16\nlayers = 2" if generator == "core.mlp_g" else ""
    disc_params = "hidden = 16\nlayers = 2" if discriminator == "core.mlp_d" else ""
    cfg.write_text(CFG.format(objective=objective, generator=generator, discriminator=discriminator, prior=prior,
                              gen_params=gen_params, disc_params=disc_params))
    capsys.readouterr()
    code = main(["train", str(cfg), "--out", str(tmp_path / "runs")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    assert not (tmp_path / "runs").exists(), "nothing may be written before the error"
    return err


def test_a_factory_that_raises_is_named(tmp_path, capsys, fake):
    def factory(params, ctx):
        raise RuntimeError("the plugin's own bug")

    fake("generators", "boom", factory)
    err = run_cli(tmp_path, capsys, generator="fake.boom")
    assert "$.generator: generator 'fake.boom' (plugin 'fake') failed to build" in err
    assert "raised RuntimeError: the plugin's own bug" in err


def test_a_factory_that_returns_the_wrong_type_is_named(tmp_path, capsys, fake):
    fake("prior_updaters", "dict", lambda params, ctx: {"probs": [0.5, 0.5]})
    err = run_cli(tmp_path, capsys, prior="fake.dict")
    assert ("$.prior: prior updater 'fake.dict' (plugin 'fake') returned builtins.dict; expected a "
            "condgan.interfaces.PriorUpdater") in err


class _HeadsD(Discriminator):
    def __init__(self, ctx, mode):
        super().__init__()
        self.mode, self.lin = mode, nn.Linear(ctx.data_shape[0], ctx.num_conditions)

    def forward(self, x):
        h = self.lin(x)
        if self.mode == "missing":
            return DiscriminatorOutput(adv=h[:, 0])
        return DiscriminatorOutput(cond=h[:, :1])  # (B, 1) instead of (B, K)


@pytest.mark.parametrize("mode", ["missing", "shape"])
def test_a_discriminator_with_missing_or_misshapen_heads_is_named(tmp_path, capsys, fake, mode):
    fake("discriminators", "heads", lambda params, ctx: _HeadsD(ctx, mode))
    err = run_cli(tmp_path, capsys, discriminator="fake.heads")
    name = "$.discriminator: discriminator 'fake.heads' (plugin 'fake')"
    if mode == "missing":
        assert f"{name} returned no 'cond' head; the objective reads it and expects shape (2, 4) for 2 samples" in err
    else:
        assert f"{name} returned head 'cond' of shape (2, 1) for 2 samples; expected (2, 4)" in err


class _BadObjective(CGANObjective):
    mode = ""

    def discriminator_step(self, m, real, step):
        out = super().discriminator_step(m, real, step)
        loss = out.losses["d_adv"]
        if self.mode == "vector":
            out.losses["d_adv"] = loss * torch.ones(3)
        elif self.mode == "nan":
            out.losses["d_adv"] = loss * float("nan")
        elif self.mode == "unnamed":
            out.losses["d_extra"] = loss * 0
        return out


@pytest.mark.parametrize("mode, expected", [
    ("vector", "discriminator_step returned loss 'd_adv' of shape (3,); expected a scalar (one-element) tensor"),
    ("nan", "discriminator_step returned loss 'd_adv' = nan on the first batch with freshly built weights; "
            "expected a finite value"),
    ("unnamed", "discriminator_step returned loss 'd_extra', which its `losses` table (d_adv, d_reg, g_adv) does "
                "not name"),
])
def test_an_objective_whose_step_the_loop_cannot_use_fails_before_step_1(tmp_path, capsys, fake, mode, expected):
    cls = type("Bad", (_BadObjective,), {"mode": mode})
    fake("objectives", "bad", lambda params, ctx: cls(CGANParams(), ctx))
    err = run_cli(tmp_path, capsys, objective="fake.bad")
    assert "$.objective: objective 'fake.bad' (plugin 'fake') failed its dry step before step 1: " + expected in err


class _HalfPrior(PriorUpdater):
    def __init__(self, spec):
        super().__init__(spec)
        self.register_buffer("p", torch.full((spec.num_conditions,), 0.5))

    def probs(self):
        return self.p


def test_a_prior_whose_probabilities_do_not_sum_to_one_is_named(tmp_path, capsys, fake):
    fake("prior_updaters", "half", lambda params, ctx: _HalfPrior(ctx.spec))
    err = run_cli(tmp_path, capsys, prior="fake.half")
    assert ("$.prior: prior updater 'fake.half' (plugin 'fake'): probs() of condition group 'class' sum to 2 "
            "(min 0.5); expected non-negative probabilities that sum to 1 in every group") in err


# -- the dry step changes no number ------------------------------------------------------------------------------
def _state(exp, ema_dir):
    out = {f"{k}.{n}": t.clone() for k in ("generator", "discriminator", "classifier", "statistics_network", "prior",
                                           "composer", "latent")
           if getattr(exp.models, k) is not None for n, t in getattr(exp.models, k).state_dict().items()}
    out["rng.torch"] = torch.get_rng_state()
    out["rng.numpy"] = torch.from_numpy(np.random.get_state()[1].astype(np.int64))
    return out


@pytest.mark.parametrize("preset, sets", [
    ("uacgan.mog_uac_gan", ["data.n_per_class=100", "run.g_every=1"]),  # T's mine_log_ma buffer, a statistics network
    ("cgpgan.cgpgan_clusters", ["run.batch_size=16"]),                    # the EMA prior's state, a classifier
    ("core.digits", ["run.batch_size=8", "generator.channels=8", "discriminator.channels=8"]),  # BatchNorm statistics
])
def test_the_dry_step_changes_no_weight_buffer_or_random_number(tmp_path, preset, sets):
    raw = apply_overrides(_preset_raw(preset), sets + ["run.steps=3", "run.progress=false", "run.threads=1",
                                                      "run.sample_every=0", "run.checkpoint_every=0"])
    comps = plugin_manager.get_components()
    states = []
    for check in (True, False):
        exp = build_experiment(parse_config(copy.deepcopy(raw), comps), comps, device=torch.device("cpu"))
        train(exp, tmp_path / f"{check}", log=lambda *a, **k: None, check_step=check)
        states.append(_state(exp, tmp_path / f"{check}"))
    on, off = states
    assert on.keys() == off.keys()
    for k in on:
        assert torch.equal(on[k], off[k]) or (on[k].isnan().all() and off[k].isnan().all()), k


def test_the_dry_step_leaves_every_random_number_generator_where_it_was():
    import random

    from condgan.step_check import check_objective_step

    raw = apply_overrides(_preset_raw("uacgan.mog_uac_gan"), ["data.n_per_class=100", "run.progress=false"])
    comps = plugin_manager.get_components()
    exp = build_experiment(parse_config(raw, comps), comps, device=torch.device("cpu"))
    before = (torch.get_rng_state(), np.random.get_state()[1].copy(), random.getstate())
    check_objective_step(exp)
    assert torch.equal(before[0], torch.get_rng_state())
    assert (before[1] == np.random.get_state()[1]).all() and before[2] == random.getstate()
