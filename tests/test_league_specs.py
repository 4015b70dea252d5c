"""The leagues' specs (core/league.py's ``League``, core/league_mog.py): each objective of the digits, Fashion-MNIST
and MoG leagues shares its league's base (only its objective and the networks it needs differ) and parses; the composite mixes of the digits league build on
its networks; the MoG league's generation and class means."""

from __future__ import annotations

import math

import pytest
import torch

from condgan import league as L
from condgan import league_mog as M

pytestmark = pytest.mark.usefixtures("one_thread")

#: the tables an objective may change; everything else is its league's shared protocol
OBJECTIVE_TABLES = {"objective", "discriminator", "statistics_network", "classifier"}


def _shares_the_base(league, name):
    from condgan.config import parse_config
    from condgan.plugin_manager import get_components

    base = L.preset_raw(league.base)
    raw = L.arm_config(name, league)
    for table in set(base) | set(raw):
        if table == "optimizers":
            for net in ("generator", "discriminator"):
                assert raw["optimizers"][net] == base["optimizers"][net]
        elif table not in OBJECTIVE_TABLES:
            assert raw[table] == base[table], table
    d = raw["discriminator"]
    if d["type"] != base["discriminator"]["type"]:  # a wrapper around the league's own discriminator
        assert d["trunk"] == base["discriminator"]["type"]
        assert d["trunk_params"] == {k: v for k, v in base["discriminator"].items() if k != "type"}
    else:
        assert d == base["discriminator"]
    cfg = parse_config(raw, get_components(), source=name)
    assert cfg.components["objective"].type == raw["objective"]["type"]
    return raw


@pytest.mark.parametrize("name", list(L.OBJECTIVES))
def test_digits_objective_shares_the_protocol(name):
    raw = _shares_the_base(L.DIGITS, name)
    assert raw["data"]["type"] == L.preset_raw(L.DIGITS.base)["data"]["type"]


@pytest.mark.parametrize("name", list(M.MOG_OBJECTIVES))
def test_mog_objective_shares_the_mog_base(name):
    raw = _shares_the_base(M.MOG, name)
    assert raw["generator"]["type"] == "uacgan.mog_g" and raw["run"]["g_every"] == 10


@pytest.mark.parametrize("name", L.FASHION.full.objectives)
def test_fashion_objective_shares_the_fashion_base(name):
    raw = _shares_the_base(L.FASHION, name)
    assert raw["data"]["type"] == "core.fashion_mnist" and raw["latent"]["dim"] == 64


def test_mog_league_covers_every_objective_but_the_stated_ones():
    assert set(L.OBJECTIVES) - set(M.MOG_OBJECTIVES) == set(M.LEFT_OUT)
    assert M.MOG.full.objectives == tuple(M.MOG_OBJECTIVES)
    # AC-GAN, TAC-GAN and UAC-GAN are the uacgan reproduction's presets; the reference is AC-GAN
    assert {n: M.MOG_OBJECTIVES[n][1] for n in ("ac_gan", "tac_gan", "uac_gan")} == {
        "ac_gan": "uacgan.mog_ac_gan", "tac_gan": "uacgan.mog_tac_gan", "uac_gan": "uacgan.mog_uac_gan"}
    assert L.arm_config("ac_gan", M.MOG) == L.preset_raw("uacgan.mog_ac_gan")
    # ReACGAN's proxies wrap the MoG discriminator
    assert L.arm_config("reacgan", M.MOG)["discriminator"]["trunk"] == "uacgan.mog_d"


def test_fashion_league_spans_the_family():
    b = L.FASHION.full
    types = {L.arm_config(n, L.FASHION)["objective"]["type"] for n in b.objectives}
    assert len(b.objectives) >= 6 and len(types) == len(b.objectives) and len(b.seeds) >= 3
    assert {"cagan.ac_gan", "uacgan.tac_gan", "projection.projection", "adcgan.adc_gan"} <= types
    assert L.FASHION.reference in b.objectives and L.FASHION.evaluator == "fashion_mnist"


@pytest.mark.parametrize("name", ["mix_ca_gan_tac_twin", "mix_am_gan_cgp"])
def test_composite_mix_builds_on_the_digits_networks(name):
    from condgan.build import build_experiment
    from condgan.config import parse_config
    from condgan.plugin_manager import get_components

    raw = L.arm_config(name)
    assert raw["objective"]["type"] == "core.composite"
    assert raw["objective"] == L.preset_raw(L.OBJECTIVES[name][1])["objective"]   # read from its preset
    exp = build_experiment(parse_config(raw, get_components(), source=name), get_components())
    base = build_experiment(parse_config(L.preset_raw(L.BASE_PRESET), get_components(), source="base"),
                            get_components())
    assert type(exp.models.generator) is type(base.models.generator)
    assert L.adversarial_loss(name).startswith("composite of ")


def test_mog_generation_is_the_uacgan_reproductions():
    """core's generation (condgan.league_mog.generate, on condgan.sampling) draws exactly what the uacgan
    reproduction's does: same latent codes, same class order."""
    from condgan.build import build_experiment
    from condgan.config import parse_config
    from condgan.plugin_manager import get_components
    from condgan.plugins.uacgan.reproduce import generate as uacgan_generate

    raw = L.preset_raw("uacgan.mog_tac_gan")
    exp = build_experiment(parse_config(raw, get_components(), source="t"), get_components())
    x, y = M.generate(exp, 50, seed=3)
    ux, uy = uacgan_generate(exp, 50, 3)
    assert torch.equal(y, uy) and torch.equal(x, ux)
    assert x.shape == (150,) and y.tolist() == [0] * 50 + [1] * 50 + [2] * 50


def test_class_mean_of_mog_distances():
    assert M.class_mean([1.0, 2.0, 6.0, 100.0], 3) == pytest.approx(3.0)   # the marginal is not a class
    assert M.class_mean([1.0, float("nan"), 6.0, 1.0], 3) == math.inf       # a diverged class
    assert M.COLUMNS["mmd_gauss"][0] == "Gaussian MMD² (class mean)" and all(c[1] for c in M.COLUMNS.values())
    assert M.MOG.sort_key == "mmd_gauss"


def test_budget_line_sums_each_leagues_invocations(tmp_path):
    """The page's budget line adds up every invocation of every league found under the results folder and compares
    the total with the issue's 3 h; a league with no invocation log is named as not run."""
    import json

    from condgan.league_page import budget_lines

    for name, walls in {"league": [600.0, 1200.0], "league-mog": [3000.0]}.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "invocations.json").write_text(json.dumps([{"wall_s": w} for w in walls]))
    line = budget_lines(tmp_path, quick=False)[0]
    assert "`league` 30 min" in line and "`league-mog` 50 min" in line and "in all 80 min" in line
    assert "league-fashion not run" in line and "within the 3 h" in line
    (tmp_path / "league-fashion").mkdir()
    (tmp_path / "league-fashion" / "invocations.json").write_text(json.dumps([{"wall_s": 6060.0}]))
    assert "in all 181 min, over the 3 h" in budget_lines(tmp_path, quick=False)[0]
    assert budget_lines(tmp_path, quick=True) == []


def test_fid_curves_kept_when_the_run_directories_are_gone(tmp_path):
    """A page rewritten from reused records, without the runs' directories, keeps the FID figures an earlier
    invocation drew (``fid_steps.json`` names their objectives) and says which objectives with records they lack;
    with no figures to keep it draws only the objectives whose runs are here and names the others."""
    import json

    b = L.Budget(steps=10, seeds=(0,), objectives=("ac_gan", "projection", "tac_gan"))
    fig_dir = tmp_path / "league"
    fig_dir.mkdir()
    recs = [{"objective": n, "seed": 0} for n in ("ac_gan", "projection")]
    curves, note = L.fid_curves(L.DIGITS, b, tmp_path / "runs", fig_dir, recs)
    assert curves == [] and note.endswith("only their records): AC-GAN (original), projection.")
    (fig_dir / "fid_steps.json").write_text(json.dumps({"fid_steps_1.png": ["ac_gan"]}))
    curves, note = L.fid_curves(L.DIGITS, b, tmp_path / "runs", fig_dir, recs)
    assert curves == ["fid_steps_1.png"]
    assert note.endswith("not in them: projection.") and "TAC-GAN" not in note


def test_across_the_leagues_ranks_and_verdicts(tmp_path):
    """The cross-league table reads each league's records at its full budget: ranks by that league's own sort key
    and the verdict against AC-GAN there; an objective better than AC-GAN in both leagues is named as such, one
    better in one and worse in the other as split."""
    import json

    from condgan.league_page import across_lines
    from condgan.league_mog import MOG

    def write(league, key, values):
        d = tmp_path / league.name / "runs"
        d.mkdir(parents=True)
        for obj, base in values.items():
            for seed in league.full.seeds:
                rec = {"objective": obj, "seed": seed, "steps": league.full.steps, "train_s": 1.0,
                       "metrics": {key: base + 0.01 * seed}}
                (d / f"{obj}_s{seed}_{league.full.steps}.json").write_text(json.dumps(rec))

    write(L.DIGITS, "intra_fid", {"ac_gan": 40.0, "ca_gan": 20.0, "tac_gan": 100.0})
    assert across_lines(tmp_path, quick=False) == []   # one league: nothing to compare across
    write(MOG, "mmd_gauss", {"ac_gan": 0.2, "ca_gan": 0.001, "tac_gan": 0.002})
    lines = across_lines(tmp_path, quick=False)
    rows = [ln for ln in lines if ln.startswith("| ") and "rank by" not in ln]
    assert rows[0].startswith("| CA-GAN | 1 / 3 (better) | 1 / 3 (better) |")
    assert "| TAC-GAN | 3 / 3 (worse) | 2 / 3 (better) |" in rows
    assert "| AC-GAN (original) | 2 / 3 (reference) | 3 / 3 (reference) |" in rows
    assert lines[-2] == ("Reliably better than AC-GAN in every league it ran in (two or more): CA-GAN. "
                         "Better in one league and worse in another: TAC-GAN.")
    assert across_lines(tmp_path, quick=True) == []
