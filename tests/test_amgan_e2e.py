"""End-to-end: amgan digits presets train a few steps through `condgan train` with tiny overrides, write their run
directory and log finite losses. Three presets cover both labelings, the K+1 head and the AC family (every preset
is built by tests/test_contracts.py and every objective x labeling is stepped in tests/test_amgan_objectives.py).
A few seconds per preset on an idle CPU."""

from __future__ import annotations

import csv
import math

import pytest

from condgan.cli import main

CASES = [("am_gan", "dynamic"), ("label_gan", "predefined"), ("ac_gan_star_plus", "dynamic")]


@pytest.mark.parametrize(("objective", "labeling"), CASES)
def test_digits_preset_trains(tmp_path, objective, labeling):
    """AM-GAN paper presets (Table 1's five models x dynamic/predefined) run through the CLI and log finite losses."""
    name = f"digits_{objective}_{labeling}"
    rc = main(["train", "--preset", f"amgan.{name}", "--out", str(tmp_path), "--set", "run.steps=3",
               "--set", "run.batch_size=8", "--set", "run.log_every=1", "--set", "run.progress=false",
               "--set", "generator.channels=4", "--set", "discriminator.channels=4", "--set", "run.device=cpu"])
    assert rc == 0
    run = tmp_path / name
    rows = list(csv.DictReader(open(run / "metrics.csv")))
    assert [r["step"] for r in rows] == ["1", "2", "3"]
    losses = [k for k in rows[-1] if k.startswith(("d_", "g"))]
    assert "g" in losses and any(k.startswith("d_") for k in losses)
    assert all(math.isfinite(float(r[k])) for r in rows for k in losses if r[k] != "")
    assert (run / "samples.png").exists() and (run / "config.json").exists()
