"""The four plugins of issue 18 (projection, adcgan, reacgan, p2gan) as a plugin author would test them:
condgan.testing's contract checks on every objective and option, each 8x8 digits preset trained a few steps through
the CLI, and the errors a wrong discriminator or a multi-label dataset gives (a few seconds each)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from condgan.cli import main
from condgan.testing import check_objective, tiny_config

pytestmark = pytest.mark.usefixtures("one_thread")

MLP_TRUNK = {"trunk": "core.mlp_d", "trunk_params": {"hidden": 16, "layers": 2}}

#: objective (+ params) -> extra config tables of its tiny contract run
CONTRACTS = {
    "projection.projection": ({}, {}),
    "projection.projection+r1": ({"regularizer": "core.r1", "regularizer_weight": 1.0}, {}),
    "adcgan.adc_gan": ({}, {}),
    "reacgan.reacgan": ({"embed_dim": 8}, {"discriminator": {"type": "reacgan.proxy_d", **MLP_TRUNK}}),
    "reacgan.reacgan+shift": ({"embed_dim": 8, "negative_shift": True},
                              {"discriminator": {"type": "reacgan.proxy_d", **MLP_TRUNK}}),
    "p2gan.p2gan": ({}, {}),
    "p2gan.p2gan+amortised": ({"weighting": "amortised"}, {"discriminator": {"type": "p2gan.weighted_d", **MLP_TRUNK}}),
}


@pytest.mark.parametrize("case", sorted(CONTRACTS))
def test_contract(case, components):
    """Two tiny training steps: every optimizer the losses name moves its network, every parameter gets a gradient,
    the same seed gives the same weights (condgan.testing.check_objective)."""
    name = case.split("+")[0]
    params, extra = CONTRACTS[case]
    check_objective(name, components, config=tiny_config(name, objective_params=params, extra=extra))


def _rows(run: Path) -> list[dict]:
    with open(run / "metrics.csv", newline="") as f:
        return list(csv.DictReader(f))


PRESETS = {
    "projection.digits_projection": ("d_adv", "g_adv"),
    "adcgan.digits_adc_gan": ("d_adv", "d_adc", "g_adv", "g_adc", "p_real_adc"),
    "reacgan.digits_reacgan": ("d_adv", "d_d2d", "g_adv", "g_d2d", "proxy_cos_real"),
    "p2gan.digits_p2gan": ("d_p2", "g_adv", "d_data", "d_label"),
    "p2gan.digits_p2gan_w": ("d_p2", "d_weight", "g_adv", "lambda_real", "lambda_fake"),
}


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_digits_preset_trains(preset, tmp_path):
    """Each digits preset trains 3 steps through `condgan train`: its losses are logged and finite."""
    rc = main(["train", "--preset", preset, "--out", str(tmp_path), "--set", "run.steps=3", "--set", "run.batch_size=8",
               "--set", "run.log_every=1", "--set", "run.progress=false", "--set", "run.sample_every=0",
               "--set", "run.checkpoint_every=0", "--set", "run.name=r"])
    assert rc in (0, None)
    rows = _rows(tmp_path / "r")
    assert len(rows) == 3
    for key in PRESETS[preset]:
        assert all(r[key] != "" and math.isfinite(float(r[key])) for r in rows), key


def test_p2gan_w_weight_starts_at_one_half(tmp_path):
    """P2GAN-w's weight layer starts at zero: λ = σ(0) = ½ on the first step (the authors' zero init)."""
    main(["train", "--preset", "p2gan.digits_p2gan_w", "--out", str(tmp_path), "--set", "run.steps=1",
          "--set", "run.batch_size=8", "--set", "run.log_every=1", "--set", "run.progress=false",
          "--set", "run.sample_every=0", "--set", "run.checkpoint_every=0", "--set", "run.name=r"])
    row = _rows(tmp_path / "r")[0]
    assert float(row["lambda_real"]) == pytest.approx(0.5) and float(row["lambda_fake"]) == pytest.approx(0.5)
    assert float(row["d_weight"]) == pytest.approx(4 * math.log(2), rel=1e-6)  # two means of 2 log 2


@pytest.mark.parametrize("objective,params,needs", [("reacgan.reacgan", {"embed_dim": 8}, "reacgan.proxy_d"),
                                                    ("p2gan.p2gan", {"weighting": "amortised"}, "p2gan.weighted_d")])
def test_wrong_discriminator_is_named(objective, params, needs, tmp_path):
    """A core discriminator cannot hold ReACGAN's proxies or P2GAN-w's detached weight: the error names the one to use."""
    import condgan

    with pytest.raises(condgan.ConfigError, match=needs):
        condgan.run_experiment(tiny_config(objective, objective_params=params), out=tmp_path, log=lambda *a, **k: None)


@pytest.mark.parametrize("objective", ["adcgan.adc_gan", "reacgan.reacgan", "p2gan.p2gan"])
def test_several_label_groups_are_a_config_error(objective, tmp_path):
    """The classifier-based objectives classify one label; a dataset with several condition groups is refused
    before training, naming the objective table."""
    import condgan

    cfg = tiny_config(objective, data="core.digits_attributes")
    cfg["generator"] = {"type": "core.mlp_g", "hidden": 16, "layers": 2}
    with pytest.raises(condgan.ConfigError, match=r"\$\.objective.*groups"):
        condgan.run_experiment(cfg, out=tmp_path, log=lambda *a, **k: None)


def test_unknown_trunk_parameter_is_named(tmp_path):
    """A typo in the wrapped discriminator's parameters names the key and the valid ones, before training."""
    import condgan

    cfg = tiny_config("reacgan.reacgan", objective_params={"embed_dim": 8},
                      extra={"discriminator": {"type": "reacgan.proxy_d", "trunk": "core.mlp_d",
                                               "trunk_params": {"hiden": 16}}})
    with pytest.raises(condgan.ConfigError, match=r"\$\.discriminator.*unknown key\(s\) hiden.*Valid keys: .*hidden"):
        condgan.run_experiment(cfg, out=tmp_path, log=lambda *a, **k: None)
