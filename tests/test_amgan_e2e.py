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


def test_seeds_page_from_records(tmp_path):
    """`condgan reproduce amgan-digits-seeds` writes its page from one record per run: mean ± std per model over the
    seeds found, every run listed, the claims markers at the top (filled by `condgan claims amgan`)."""
    import json

    from condgan.plugins.amgan import reproduce as R

    rec_dir = R.seeds_record_dir(tmp_path, R.SEEDS_SETTING, quick=False)
    rec_dir.mkdir(parents=True)
    keys = ("am_score", "am_marginal_kl", "am_mean_entropy", "is", "ms_ssim_max", "ms_ssim_mean")
    for obj, base in (("am_gan", 0.2), ("label_gan", 0.3)):
        for seed in (0, 1):
            rec = {"model": dict(R.MODELS)[obj], "objective": obj, "labeling": "dynamic", "seed": seed, "steps": 6000,
                   "train_s": 10.0, "classifier_test_accuracy": 0.99, **{k: base + seed * 0.1 for k in keys}}
            (rec_dir / f"digits_{obj}_dynamic_s{seed}.json").write_text(json.dumps(rec))
    text = R._seeds_page(R.SEEDS_SETTING, R.SEEDS_MODELS, "digits_seeds", False, rec_dir, tmp_path, 60.0, 2)
    assert text.startswith("# AM-GAN on 8x8 digits: 2 seeds at 6,000 steps (dynamic labeling)")
    assert "<!-- claims:begin -->" in text and "(4x that page's)" in text
    assert "| AM-GAN | dynamic | 2 | 0.250 ± 0.071 |" in text and "| LabelGAN | dynamic | 2 | 0.350 ± 0.071 |" in text
    assert text.count("| dynamic | 1 |") == 2 and "amgan/runs/digits_6000/" in text
