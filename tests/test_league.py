"""``condgan reproduce league`` (core/league.py): one protocol for every class-conditional objective.

* (every objective's config sharing the base preset is tests/test_league_specs.py's, for all three leagues)
* the verdict against AC-GAN reads the one-sided tests the right way round;
* ``--quick`` end to end (two objectives, one seed, a few steps): records, table, plot, sample grids; a repeat
  reuses the records instead of training again.
"""

from __future__ import annotations

import json

import pytest

from condgan.cli import main
from condgan import league as L

pytestmark = pytest.mark.usefixtures("one_thread")

def test_every_registered_class_conditional_objective_is_in_the_league():
    types = {L.arm_config(n)["objective"]["type"] for n in L.OBJECTIVES}
    for t in ("core.cgan", "cagan.ca_gan", "cagan.modified_ac_gan", "cagan.ac_gan", "amgan.am_gan",
              "amgan.ac_gan_star", "amgan.ac_gan_star_plus", "amgan.label_gan", "uacgan.tac_gan", "uacgan.uac_gan",
              "projection.projection", "adcgan.adc_gan", "reacgan.reacgan", "p2gan.p2gan"):
        assert t in types


def test_versus_reads_the_direction_of_each_metric():
    low, high = [1.0, 1.1, 1.2, 1.3, 1.4], [5.0, 5.1, 5.2, 5.3, 5.4]
    assert L.versus(low, high, lower_is_better=True)[0] == "better"      # lower FID than AC-GAN's
    assert L.versus(high, low, lower_is_better=True)[0] == "worse"
    assert L.versus(high, low, lower_is_better=False)[0] == "better"     # higher accuracy than AC-GAN's
    assert L.versus(low, high, lower_is_better=False)[0] == "worse"
    mixed = [1.0, 5.0, 1.1, 5.1, 1.2]
    assert L.versus(mixed, [1.05, 5.05, 1.15, 5.15, 1.25], lower_is_better=True)[0] == "no reliable difference"
    # three seeds a side cannot reach p < 0.05 (1 / C(6, 3) = 0.05): the page says so
    assert L.versus(low[:3], high[:3], lower_is_better=True)[0] == "no reliable difference"
    assert L._min_p(3) == pytest.approx(0.05) and L._min_p(4) < 0.05


def test_summary_ranks_by_intra_fid():
    recs = [{"objective": o, "seed": s, "train_s": 1.0, "metrics": {"intra_fid": v + s, "fid": 1.0}}
            for o, v in (("ac_gan", 10.0), ("projection", 3.0)) for s in range(2)]
    summary = L.summarize(recs, ["ac_gan", "projection"])
    assert summary["projection"]["metrics"]["intra_fid"]["ci"].mean == pytest.approx(3.5)
    assert summary["ac_gan"]["metrics"]["intra_fid"]["values"] == [10.0, 11.0]


def test_quick_league_end_to_end_and_reuse(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONDGAN_WORKERS", "1")
    monkeypatch.setenv("LEAGUE_SEEDS", "1")
    monkeypatch.setenv("LEAGUE_STEPS", "6")
    out = tmp_path / "results"
    assert main(["reproduce", "league", "--quick", "--out", str(out)]) in (0, None)
    page = (out / "league-quick.md").read_text()
    for text in ("AC-GAN (original)", "projection", "intra-FID", "coverage", "(reference)",
                 "fid_steps_1.png", "samples/ac_gan.png", "LEAGUE_STEPS=6 LEAGUE_SEEDS=1"):
        assert text in page, text
    recs = sorted((out / "league-quick" / "runs").glob("*.json"))
    assert [p.name for p in recs] == ["ac_gan_s0_6.json", "projection_s0_6.json"]
    r = json.loads(recs[0].read_text())
    assert {"fid", "intra_fid", "kid", "class_accuracy", "coverage"} <= set(r["metrics"])
    assert r["generator"] == "EMA" and r["steps"] == 6
    for f in ("fid_steps_1.png", "samples/ac_gan.png", "samples/projection.png"):
        assert (out / "league-quick" / f).stat().st_size > 0
    # the seed groups read by the band plot: a curve from the in-training FID
    from condgan.groups import group_curve

    steps, mean, _, _ = group_curve(tmp_path / "runs" / "league-quick" / "steps6" / "ac_gan", "fid")
    assert steps == [3, 6] and all(v > 0 for v in mean)
    stamps = [p.stat().st_mtime_ns for p in recs]
    assert main(["reproduce", "league", "--quick", "--out", str(out)]) in (0, None)  # reused, not rerun
    assert [p.stat().st_mtime_ns for p in recs] == stamps


def test_adversarial_loss_is_read_from_the_config_or_the_objective():
    assert L.adversarial_loss("projection") == "core.hinge"          # the preset's table
    assert L.adversarial_loss("tac_gan") == "core.non_saturating"    # the objective's default
    assert L.adversarial_loss("am_gan") == "built-in cross-entropy, G log_d"


def test_league_lists_only_loaded_objectives(monkeypatch):
    assert L.available(L.OBJECTIVES) == tuple(L.OBJECTIVES)   # every built-in plugin is loaded
    monkeypatch.setitem(L.OBJECTIVES, "missing", ("a missing plugin", {"type": "nowhere.objective"}))
    assert "missing" not in L.available(L.OBJECTIVES)
