"""Issue 21: a loss term registered by a third-party plugin composes with the built-in terms in ``core.composite``.

This module is itself the plugin ``faketerm`` (its hook is below), loaded beside the core and cagan plugins. It uses
only the public API (``condgan``), as docs/plugins.md shows."""

from __future__ import annotations

import attrs
import pytest
import torch

from condgan import LossTerm, Reads, hookimpl
from condgan.testing import tiny_config

CALLS: list[str] = []


def drift_penalty(t_real):
    """E_real[t²]."""
    return t_real.pow(2).mean()


@attrs.frozen
class DriftOptions:
    #: the head whose real logits drift
    head: str = "adv"


def _compute(view, options, state):
    CALLS.append(view.side)
    return drift_penalty(getattr(view.out_real, options.head))


DRIFT = LossTerm("drift", drift_penalty, _compute, sides={"discriminator": "discriminator"},
                 reads=Reads(real={"adv": 1}), options=DriftOptions, equation="E_real[D(x)²]")


@hookimpl
def register_losses(register):
    register("drift", DRIFT, params=DRIFT.options, description="ε-drift penalty on D's real logits (a test plugin)")


@pytest.fixture(scope="module")
def comps():
    from condgan.plugin_manager import PluginManager

    return PluginManager(load_entry_points=False, builtins={"core": "condgan.builtins.plugin",
                                                            "cagan": "condgan.plugins.cagan",
                                                            "faketerm": __name__}).components()


def config(steps: int = 3) -> dict:
    raw = tiny_config("core.composite", steps=steps)
    raw["objective"]["terms"] = [
        {"name": "core.adversarial_d", "options": {"family": "core.hinge"}},
        {"name": "faketerm.drift", "weight": 0.5},
        {"name": "cagan.class_real", "side": "discriminator"},
        {"name": "core.adversarial_g", "options": {"family": "core.hinge"}},
        {"name": "cagan.class_fake", "side": "generator", "weight": 0.3},
    ]
    return raw


def test_a_plugins_term_is_listed_and_composes_with_the_built_in_terms(comps, tmp_path):
    from condgan.build import build_experiment
    from condgan.config import parse_config
    from condgan.train import train

    assert "faketerm.drift" in comps["losses"].names()
    exp = build_experiment(parse_config(config(), comps, source="test"), comps)
    obj = exp.objective
    assert obj.heads() == {"adv": 1, "cls": exp.ctx.num_conditions}
    assert obj.losses == {"d_adversarial_d": "discriminator", "d_drift": "discriminator",
                          "d_class_real": "discriminator", "g_adversarial_g": "generator", "g_class_fake": "generator"}
    # the term's value is its weight times its function of D's real logits
    m = exp.models
    batch = m.generate(8)
    CALLS.clear()
    out = obj.discriminator_step(m, batch, 0)
    assert CALLS == ["discriminator"]
    torch.testing.assert_close(out.losses["d_drift"], 0.5 * drift_penalty(m.discriminator(batch.x).adv))
    CALLS.clear()
    summary = train(exp, tmp_path / "run", log=lambda *a, **k: None, check_step=False)
    assert summary["step"] == 3 and CALLS == ["discriminator"] * 3


def test_a_plugins_term_is_checked_when_the_config_is_read(comps):
    from condgan.config import parse_config
    from condgan.errors import ConfigError

    raw = config()
    raw["objective"]["terms"][1]["options"] = {"haed": "cls"}
    raw["objective"]["terms"][1]["side"] = "generator"
    with pytest.raises(ConfigError) as info:
        parse_config(raw, comps)
    assert [p for p, _ in info.value.problems] == ["$.objective.terms[1].options.haed"]
    raw["objective"]["terms"][1]["options"] = {}
    with pytest.raises(ConfigError) as info:
        parse_config(raw, comps)
    assert info.value.problems == [("$.objective.terms[1].side", "term 'faketerm.drift' cannot serve the generator "
                                                                 "step; it serves the discriminator step")]
