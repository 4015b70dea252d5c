"""A regularizer is a component like any other (issue 17, item 4): an objective resolves it by name and calls what
the component built, so a plugin's regularizer runs (even one called ``r1``: core's R1 used to run instead), a bad
name or params fail when the config is read or built, and ``every`` skips the penalty on the steps between.

This module is itself the plugin ``testreg`` (its hooks are below), loaded beside the core plugin."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
import torch

import condgan
from condgan.losses import r1_penalty
from condgan.testing import tiny_config

CALLS: list[tuple[str, int]] = []


@attrs.frozen
class R1Params:
    weight: float = 1.0
    every: int = 2


class CountingR1(condgan.Regularizer):
    """R1 that records each call; ``every`` = 2 by default."""

    def __init__(self, params: R1Params, ctx=None):
        self.weight, self.every = params.weight, params.every

    def prepare_inputs(self, x_real, x_fake):
        CALLS.append(("prepare", len(x_real)))
        return x_real.detach().requires_grad_(True), x_fake

    def penalty(self, critic, x_real, x_fake, t_real, t_fake):
        CALLS.append(("penalty", len(x_real)))
        return self.weight * r1_penalty(t_real, x_real)


@attrs.frozen
class NoWeightParams:
    strength: float = 1.0


@condgan.hookimpl
def register_regularizers(register):
    register("r1", CountingR1, params=R1Params, description="R1 that counts its calls (a test plugin)")
    register("noweight", CountingR1, params=NoWeightParams, description="params without 'weight' (a test plugin)")


@pytest.fixture(scope="module")
def comps():
    from condgan.plugin_manager import PluginManager

    return PluginManager(load_entry_points=False,
                         builtins={"core": "condgan.builtins.plugin", "testreg": __name__}).components()


def experiment(comps, regularizer, weight=2.0, steps=4):
    from condgan.build import build_experiment
    from condgan.config import parse_config

    raw = tiny_config("core.cgan", steps=steps,
                      objective_params={"regularizer": regularizer, "regularizer_weight": weight})
    return build_experiment(parse_config(raw, comps, source="test"), comps)


def run(exp, tmp_path: Path):
    from condgan.train import train

    # without the dry step of condgan.step_check (it runs step 0 once more, on copies, before training)
    return train(exp, tmp_path / "run", log=lambda *a, **k: None, check_step=False)


def test_a_plugins_regularizer_is_resolved_and_called_every_other_step(comps, tmp_path):
    exp = experiment(comps, "testreg.r1", weight=2.0, steps=4)
    reg = exp.objective.reg
    assert isinstance(reg, CountingR1) and (reg.weight, reg.every) == (2.0, 2)  # weight from the objective
    CALLS.clear()
    run(exp, tmp_path)
    assert [kind for kind, _ in CALLS] == ["prepare", "penalty", "prepare", "penalty"]  # steps 0 and 2 of 0..3


def test_every_step_by_step(comps):
    """``applies(step)`` decides both the inputs' preparation and the loss: ``d_reg`` on steps 0 and 2 only."""
    exp = experiment(comps, "testreg.r1")
    m, obj = exp.models, exp.objective
    real = condgan.Batch(x=exp.dataset.x[:8], c=m.spec.encode(exp.dataset.y[:8]))
    seen = []
    for step in range(4):
        CALLS.clear()
        out = obj.discriminator_step(m, real, step)
        seen.append(("d_reg" in out.losses, len(CALLS)))
        if "d_reg" in out.losses:
            assert out.losses["d_reg"] > 0 and out.losses["d_reg"].requires_grad
    assert seen == [(True, 2), (False, 0), (True, 2), (False, 0)]


def test_core_r1_through_the_component_is_the_penalty_function(comps):
    """core.r1 resolved as a component gives weight * R1 of the same inputs, and prepares x_real for it."""
    exp = experiment(comps, "core.r1", weight=3.0)
    reg = exp.objective.reg
    assert (reg.kind, reg.weight, reg.every) == ("r1", 3.0, 1)
    x_real, x_fake = reg.prepare_inputs(torch.randn(5, 2), torch.randn(5, 2))
    assert x_real.requires_grad and not x_fake.requires_grad
    w = torch.tensor([0.6, -0.8])
    torch.testing.assert_close(reg.penalty(None, x_real, x_fake, x_real @ w, x_fake @ w), 3.0 * w.pow(2).sum())


def test_an_unregistered_regularizer_fails_when_the_config_is_read(comps):
    from condgan.config import parse_config

    raw = tiny_config("core.cgan", objective_params={"regularizer": "testreg.r3"})
    with pytest.raises(condgan.ConfigError, match=r"objective\.regularizer.*testreg\.r1"):
        parse_config(raw, comps, source="test")


def test_a_regularizer_whose_params_lack_weight_fails_before_training(comps):
    with pytest.raises(condgan.ConfigError, match="weight"):
        experiment(comps, "testreg.noweight")


def test_models_discriminate_refuses_a_name():
    """The old call with a regularizer's name would silently skip a plugin's preparation: it is refused."""
    from condgan.interfaces import Models

    with pytest.raises(TypeError, match="Regularizer"):
        Models.discriminate(None, None, 0, "r1")
