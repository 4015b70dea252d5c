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


#: composites of objectives that draw a batch's conditions before its noise (Models.generate draws the noise first):
#: the same math, compared with the noise and the conditions drawn from two separate random streams
SAME_MATH_SEPARATE_STREAMS = {
    "amgan.composite_am_gan": {"type": "amgan.am_gan", "labeling": "predefined"},
    "amgan.composite_label_gan": {"type": "amgan.label_gan", "labeling": "predefined"},
    "amgan.composite_ac_gan_star_plus": {"type": "amgan.ac_gan_star_plus", "labeling": "predefined"},
    "cgpgan.composite_infogan": {"type": "cgpgan.infogan", "lambda_cls": 1.0, "lambda_r2": 1.0},
}


@pytest.fixture
def separate_streams(monkeypatch):
    """Noise and conditions from their own seeded generators, so the order of the two draws does not matter."""
    from condgan.interfaces import Models

    def install():
        gens = {"z": torch.Generator().manual_seed(11), "c": torch.Generator().manual_seed(12)}
        monkeypatch.setattr(Models, "sample_latent",
                            lambda self, n: self.latent.sample(n, self.device, generator=gens["z"]))
        monkeypatch.setattr(Models, "sample_conditions",
                            lambda self, n: self.prior.sample(n, generator=gens["c"]).to(self.device))

    return install


@pytest.mark.parametrize("name", sorted(SAME_MATH_SEPARATE_STREAMS))
def test_a_composite_preset_trains_like_its_objective_on_separate_streams(name, comps, tmp_path, one_thread,
                                                                          separate_streams):
    raw = shrink(preset(comps, name))
    objective = copy.deepcopy(raw)
    objective["objective"] = SAME_MATH_SEPARATE_STREAMS[name]
    separate_streams()
    a = trajectory(objective, comps, tmp_path / "objective")
    separate_streams()  # the same streams again
    assert_same_trajectory(a, trajectory(raw, comps, tmp_path / "composite"))


def test_a_changed_term_does_not_match(comps, tmp_path, one_thread):
    """The comparison has power: D's term weighted 1.01 instead of 1 gives another trajectory."""
    raw = shrink(preset(comps, "cagan.composite_ca_gan"))
    objective = copy.deepcopy(raw)
    objective["objective"] = SAME_MATH["cagan.composite_ca_gan"]
    raw["objective"]["terms"][0]["weight"] = 1.01
    with pytest.raises(AssertionError):
        assert_same_trajectory(trajectory(objective, comps, tmp_path / "objective"),
                               trajectory(raw, comps, tmp_path / "composite"))


# -- mixes no paper trained ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, heads", [
    ("cagan.composite_mix_ca_gan_tac_twin", {"cond": 10, "twin": 10}),
    ("amgan.composite_mix_am_gan_cgp", {"cls": 10}),
])
def test_a_mix_trains_end_to_end_from_its_preset(name, heads, comps, tmp_path, one_thread):
    from condgan import run_experiment

    raw = shrink(preset(comps, name), steps=4)
    exp = build_experiment(parse_config(raw, comps, source=name), comps)
    assert exp.objective.heads() == heads
    summary = run_experiment(raw, [], tmp_path, log=lambda *a, **k: None)
    assert summary["step"] == 4
    rows = list(csv.DictReader(open(Path(summary["run_dir"]) / "metrics.csv")))
    assert len(rows) == 4
    for name_ in exp.objective.losses:
        values = [float(r[name_]) for r in rows]
        assert all(v == v and abs(v) < 1e6 for v in values), (name_, values)


def test_the_am_gan_cgp_mix_trains_the_classifier_with_both_terms(comps):
    raw = preset(comps, "amgan.composite_mix_am_gan_cgp")
    exp = build_experiment(parse_config(shrink(raw), comps, source="mix"), comps)
    assert exp.objective.requires == {"classifier"}
    assert exp.objective.losses == {"d_kplus1_d": "discriminator", "d_classification": "classifier",
                                    "d_classifier_gradient_penalty": "classifier", "g_am_g": "generator",
                                    "g_classification": "generator"}
    assert not exp.objective.unsupervised
    m = exp.models
    batch = m.generate(16)  # stands in for a real batch (x, c)
    out = exp.objective.discriminator_step(m, batch, 0)
    assert set(out.losses) == {"d_kplus1_d", "d_classification", "d_classifier_gradient_penalty"}
    assert out.losses["d_classifier_gradient_penalty"].requires_grad
    grads = torch.autograd.grad(out.losses["d_classifier_gradient_penalty"], list(m.classifier.parameters()),
                                allow_unused=True)
    assert any(g is not None and g.abs().sum() > 0 for g in grads), "the penalty trains Q"


# -- checked when the config is read -------------------------------------------------------------------------------
def _composite(*terms: dict, **tables) -> dict:
    from condgan.testing import tiny_config

    raw = tiny_config("core.composite")
    raw["objective"]["terms"] = list(terms)
    raw.update(tables)
    return raw


def problems(raw, comps) -> list[tuple[str, str]]:
    with pytest.raises(ConfigError) as info:
        parse_config(raw, comps, source="test")
    return info.value.problems


def test_a_term_that_reads_a_classifier_needs_one(comps):
    raw = _composite({"name": "core.adversarial_d"}, {"name": "cgpgan.classification", "side": "discriminator"},
                     {"name": "core.adversarial_g"})
    (path, msg), = problems(raw, comps)
    assert path == "$.objective.terms[1]" and "no [classifier] table" in msg
    raw["classifier"] = {"type": "core.mlp_q"}
    parse_config(raw, comps)


def test_two_terms_that_disagree_on_a_heads_width(comps):
    raw = _composite({"name": "amgan.kplus1_d", "options": {"learned_fake_logit": True}},
                     {"name": "cagan.class_real", "side": "discriminator"}, {"name": "amgan.am_g"})
    (path, msg), (path2, msg2) = problems(raw, comps)
    assert path == "$.objective.terms[1]" and "head 'cls' with width K" in msg and "terms[0]" in msg
    assert path2 == "$.objective.terms[2]" and "width K" in msg2  # am_g without learned_fake_logit: K too
    raw["objective"]["terms"][2]["options"] = {"learned_fake_logit": True}
    raw["objective"]["terms"][1]["name"] = "amgan.uniform_fake"
    (path, msg), = problems(raw, comps)
    assert path == "$.objective.terms[1]" and "uniform_fake" in msg


def test_a_term_on_a_side_it_cannot_serve(comps):
    raw = _composite({"name": "cagan.ca_d", "side": "generator"}, {"name": "cagan.ca_g"})
    assert problems(raw, comps)[0] == ("$.objective.terms[0].side", "term 'cagan.ca_d' cannot serve the generator "
                                                                    "step; it serves the discriminator step")
    raw = _composite({"name": "cagan.ca_d"}, {"name": "uacgan.twin"}, {"name": "cagan.ca_g"})
    (path, msg), = problems(raw, comps)
    assert path == "$.objective.terms[1].side" and "serves both steps" in msg


def test_unknown_terms_options_and_keys_are_named_with_their_path(comps):
    raw = _composite({"name": "cagan.ca_dd"}, {"name": "cagan.ca_g", "options": {"famly": "core.hinge"}},
                     {"name": "core.adversarial_g", "wieght": 2.0},
                     {"name": "core.adversarial_d", "options": {"family": "core.nope"}})
    got = dict(problems(raw, comps))
    assert "cagan.ca_d" in got["$.objective.terms[0].name"]  # did you mean
    assert "unknown key 'famly'" in got["$.objective.terms[1].options.famly"]
    assert "unknown key 'wieght'" in got["$.objective.terms[2].wieght"]
    assert "core.nope" in got["$.objective.terms[3].options.family"]


def test_a_method_needs_a_term_on_each_side(comps):
    (path, msg), = problems(_composite({"name": "cagan.ca_d"}), comps)
    assert path == "$.objective.terms" and "generator step" in msg


def test_the_resolved_config_round_trips_through_toml(comps):
    from condgan.config import dumps_toml

    cfg = parse_config(preset(comps, "uacgan.composite_mog_tac_gan"), comps)
    again = parse_config(tomllib.loads(dumps_toml(cfg.resolved())), comps)
    assert again.components["objective"].params == cfg.components["objective"].params


# -- the command line ----------------------------------------------------------------------------------------------
def test_list_losses_shows_every_paper_plugins_terms(capsys):
    from condgan.cli import main

    assert main(["list", "losses"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines() if line.strip()]
    for plugin in ("core", "cagan", "amgan", "cgpgan", "uacgan"):
        assert any(n.startswith(plugin + ".") for n in names), plugin


def test_describe_shows_a_term_and_a_composite_presets_order(capsys):
    from condgan.cli import main

    assert main(["describe", "uacgan.twin"]) == 0
    out = capsys.readouterr().out
    assert "loss term" in out and "V_TAC" in out and "discriminator step -> updates discriminator" in out
    assert "reads (generator step, default options): generated twin[K]" in out
    assert main(["describe", "uacgan.composite_mog_tac_gan"]) == 0
    rows = [r.strip() for r in capsys.readouterr().out.split("in the order they run:")[1].strip().splitlines()]
    assert rows == ["discriminator step: d_adv = 1 * core.adversarial_d",
                    "discriminator step: d_cls_real = 1 * cagan.class_real",
                    "discriminator step: d_cls_fake = 1 * cagan.class_fake",
                    "discriminator step: d_twin = 1 * uacgan.twin",
                    "generator step: g_adv = 1 * core.adversarial_g",
                    "generator step: g_cls = 1 * cagan.class_fake",
                    "generator step: g_twin = 1 * uacgan.twin"]


@pytest.mark.parametrize("penalty", ["r1", "r2", "wgan_gp"])
def test_core_penalty_terms_train_like_cgans_regularizers(penalty, comps, tmp_path, one_thread):
    """core.cgan with a regularizer = adversarial terms + the penalty term (inputs prepared by Models.discriminate;
    WGAN-GP's interpolates drawn at the same point of the random stream)."""
    from condgan.testing import tiny_config

    objective = shrink(tiny_config("core.cgan", objective_params={"adversarial": "core.hinge",
                                                                  "regularizer": f"core.{penalty}",
                                                                  "regularizer_weight": 3.0}))
    composite = copy.deepcopy(objective)
    composite["objective"] = {"type": "core.composite", "terms": [
        {"name": "core.adversarial_d", "options": {"family": "core.hinge", "head": "cond"}},
        {"name": f"core.{penalty}", "weight": 3.0, "options": {"head": "cond"}},
        {"name": "core.adversarial_g", "options": {"family": "core.hinge", "head": "cond"}}]}
    assert_same_trajectory(trajectory(objective, comps, tmp_path / "objective"),
                           trajectory(composite, comps, tmp_path / "composite"))
