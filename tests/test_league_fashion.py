"""``condgan reproduce league-fashion --quick`` end to end on the Fashion-MNIST stand-in (``fashion_mnist_root``,
through ``LEAGUE_DATA_ROOT``): core's Fashion-MNIST evaluator trained beside the runs, records with the FID family,
the page's table, FID curve and sample grids, and finished runs reused on a rerun."""

from __future__ import annotations

import json

import pytest

from condgan.cli import main

pytestmark = pytest.mark.usefixtures("one_thread")


def test_quick_fashion_league_end_to_end_and_reuse(tmp_path, monkeypatch, fashion_mnist_root):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONDGAN_WORKERS", "1")
    monkeypatch.setenv("LEAGUE_SEEDS", "1")
    monkeypatch.setenv("LEAGUE_STEPS", "4")
    monkeypatch.setenv("LEAGUE_DATA_ROOT", fashion_mnist_root)
    monkeypatch.delenv("CONDGAN_VECTORIZE", raising=False)
    out = tmp_path / "results"
    assert main(["reproduce", "league-fashion", "--quick", "--out", str(out)]) in (0, None)
    page = (out / "league-fashion-quick.md").read_text()
    for text in ("The Fashion-MNIST league", "Fashion-MNIST 28x28", "`core.fashion`", "AC-GAN (original)",
                 "projection", "intra-FID ↓", "coverage ↑", "vs AC-GAN on intra-FID", "(reference)",
                 "core's evaluation CNN for Fashion-MNIST", "fid_steps_1.png", "samples/ac_gan.png",
                 "condgan reproduce league-fashion --quick"):
        assert text in page, text
    recs = sorted((out / "league-fashion-quick" / "runs").glob("*.json"))
    assert [p.name for p in recs] == ["ac_gan_s0_4.json", "projection_s0_4.json"]
    r = json.loads(recs[0].read_text())
    assert {"fid", "intra_fid", "kid", "class_accuracy", "coverage"} <= set(r["metrics"])
    assert r["generator"] == "EMA" and r["steps"] == 4 and r["generated"] == 100
    evaluator = list((tmp_path / "runs" / "league-fashion-quick").glob("evaluator_fashion_mnist_seed0_e1*"))
    assert evaluator, "the Fashion-MNIST evaluator is trained beside the runs"
    cfg = json.loads((tmp_path / "runs" / "league-fashion-quick" / "steps4" / "ac_gan" / "seed-0" / "harness.json")
                     .read_text())["config"]
    assert cfg["data"] == {"type": "core.fashion_mnist", "root": fashion_mnist_root}
    assert cfg["generator"]["type"] == "core.dcgan_g" and cfg["latent"]["dim"] == 64
    for f in ("fid_steps_1.png", "samples/ac_gan.png", "samples/projection.png"):
        assert (out / "league-fashion-quick" / f).stat().st_size > 0
    stamps = [p.stat().st_mtime_ns for p in recs]
    assert main(["reproduce", "league-fashion", "--quick", "--out", str(out)]) in (0, None)  # reused, not rerun
    assert [p.stat().st_mtime_ns for p in recs] == stamps
