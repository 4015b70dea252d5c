"""End-to-end tests of the cagan presets: every preset trains a few steps through the real loop with tiny overrides
(2-3 steps, 4-channel nets, 128 training images), with alternating and simultaneous updates; the multi-attribute
preset's sample grid has one column per attribute combination; the results page builds from result JSON.
The Fashion-MNIST presets read the small stand-in written by condgan.testing.write_fashion_mnist (``data.root``), so
they run with or without the Debian dataset. 46 s in all on the shared 2-core CPU under load (the multi-attribute case is the slowest, 13 s).
"""

from __future__ import annotations

import json
import math
from importlib.resources import files
from pathlib import Path

import pytest
import torch

from condgan.build import build_dataset, build_experiment
from condgan.config import apply_overrides, parse_config, read_config
from condgan.plugin_manager import get_components
from condgan.train import train

PRESETS = sorted(p.name for p in (files("condgan.plugins.cagan") / "presets").iterdir() if p.name.endswith(".toml"))
TINY = ["run.steps=3", "run.batch_size=8", "run.eval_every=0", "run.progress=false", "run.log_every=1",
        "generator.channels=4", "discriminator.channels=4"]


def _build(preset: str, overrides: list[str], fashion_root: str = ""):
    comps = get_components()
    raw = read_config(str(files("condgan.plugins.cagan") / "presets" / preset))
    if raw["data"]["type"] == "core.fashion_mnist":
        raw["data"]["root"] = fashion_root
        if "class_counts" in raw["data"]:
            raw["data"]["class_counts"] = [20] + [4] * 9
        else:
            overrides = ["data.limit=128", *overrides]
    cfg = parse_config(apply_overrides(raw, overrides), comps, source=preset)
    key = json.dumps(apply_overrides(raw, overrides)["data"], sort_keys=True)
    if key not in _DATA:  # read each dataset once per session
        _DATA[key] = build_dataset(cfg)
    return build_experiment(cfg, comps, dataset=_DATA[key])


_DATA: dict = {}


def test_all_presets_listed():
    """The issue's presets exist: CA-GAN vs modified AC-GAN, L_cls^g switch, no-adversarial variant, original AC-GAN,
    the imbalanced set with and without mixed batches, and the multi-attribute example."""
    assert {"fashion_ca_gan.toml", "fashion_modified_ac_gan.toml", "fashion_ac_gan_cls_fake.toml",
            "fashion_ac_gan_no_adv.toml", "fashion_ac_gan_original.toml", "imbalanced_ca_gan_mixed.toml",
            "imbalanced_ca_gan_separate.toml", "imbalanced_modified_ac_gan_mixed.toml",
            "imbalanced_modified_ac_gan_separate.toml", "digits_attributes_ca_gan.toml"} <= set(PRESETS)


CASES = [(p, "alternating") for p in PRESETS] + [(p, "simultaneous") for p in
                                                  ("fashion_ca_gan.toml", "imbalanced_modified_ac_gan_mixed.toml")]


@pytest.mark.parametrize("preset,update", CASES)
def test_preset_trains_a_few_steps(preset, update, tmp_path, fashion_mnist_root):
    """Every cagan preset builds and trains through the core loop with finite losses (alternating updates;
    simultaneous updates, as in the authors' code, for one separate- and one mixed-batch preset)."""
    torch.set_num_threads(1)
    exp = _build(preset, [*TINY, f"run.update={update}"], fashion_mnist_root)
    before = [p.detach().clone() for p in exp.models.discriminator.parameters()]
    summary = train(exp, tmp_path / "run", log=lambda *a, **k: None)
    assert summary["step"] == 3
    assert summary["losses"] and all(math.isfinite(v) for v in summary["losses"].values())
    after = list(exp.models.discriminator.parameters())
    assert any(not torch.equal(a, b) for a, b in zip(before, after))
    assert (tmp_path / "run" / "samples.png").exists()


def test_imbalanced_preset_uses_its_subset_and_composer():
    """Sec. 6.3 presets: 5500/500 class counts, batch-norm discriminator, mixed vs separate composer."""
    comps = get_components()
    for name, composer in (("imbalanced_ca_gan_mixed.toml", "cagan.mixed"), ("imbalanced_ca_gan_separate.toml", "core.separate")):
        raw = read_config(str(files("condgan.plugins.cagan") / "presets" / name))
        cfg = parse_config(raw, comps, source=name)
        assert list(raw["data"]["class_counts"]) == [5500] + [500] * 9
        assert cfg.components["discriminator"].params.norm == "batch"
        assert cfg.components["composer"].type == composer


def test_imbalanced_preset_data_has_its_class_counts(fashion_mnist_root):
    """The imbalanced presets' data section, as written, keeps 5500 images of class 0 and 500 of each other class
    (read from the Fashion-MNIST stand-in, which has that many); the test split is untouched."""
    raw = read_config(str(files("condgan.plugins.cagan") / "presets" / "imbalanced_ca_gan_mixed.toml"))
    raw["data"]["root"] = fashion_mnist_root
    ds = build_dataset(parse_config(raw, get_components(), source="imbalanced_ca_gan_mixed.toml"))
    assert ds.class_counts() == [[5500] + [500] * 9]
    assert ds.test is not None and ds.test.class_counts() == [[20] * 10]


def test_multi_attribute_grid_has_every_combination(tmp_path):
    """CA-GAN Figs. 7-8: two binary attribute groups [odd, not-odd] x [large, not-large]; D has one output per
    condition (4) and the grid has one column per combination (4)."""
    exp = _build("digits_attributes_ca_gan.toml", ["run.steps=2", "run.progress=false", "generator.channels=4",
                                                   "discriminator.channels=4"])
    assert exp.objective.heads() == {"cond": 4}
    assert exp.models.spec.num_combinations == 4
    from condgan.sampling import conditions_for_grid

    conds, labels = conditions_for_grid(exp.models.spec)
    assert len(conds) == 4 and len(set(labels)) == 4
    train(exp, tmp_path / "run", log=lambda *a, **k: None)
    assert (tmp_path / "run" / "samples.png").exists()


def test_results_page_builds_from_json(tmp_path):
    """The page writer renders both sections from result JSON (numbers as given, no training)."""
    from condgan.plugins.cagan import reproduce as R

    hist = lambda fid, tv: {"step": 200, "mean_class_fid": fid, "class_fid": [fid] * 10, "class_accuracy": 0.5,  # noqa: E731
                            "histogram": [0.1] * 10, "tv_to_uniform": tv}
    arm = lambda fid, tv: {"preset": "cagan.x", "overrides": ["run.seed=0"], "steps": 200, "seconds": 1.0,  # noqa: E731
                           "history": [hist(fid, tv)]}
    (tmp_path / "cagan").mkdir()
    for name, arms in (("fashion", {"CA-GAN": arm(10.0, 0.1), "AC": arm(12.0, 0.2)}),
                       ("imbalanced", {"mixed": arm(5.0, 0.05), "separate": arm(6.0, 0.4)})):
        (tmp_path / "cagan" / f"{name}.json").write_text(json.dumps(
            {"experiment": name, "quick": False, "seed": 0, "evaluator_test_accuracy": 0.9, "arms": arms}))
    digits = tmp_path / "cagan" / "imbalanced_digits"
    digits.mkdir()
    for seed, tv in ((0, 0.1), (1, 0.3)):  # the 5-seed digits comparison: one file per seed, mean ± std per arm
        (digits / f"seed{seed}.json").write_text(json.dumps(
            {"experiment": "imbalanced_digits", "quick": False, "seed": seed, "evaluator_test_accuracy": 0.9,
             "evaluator": {"name": "EvalNet", "sha256": "ab", "training": {}, "train_samples": 1},
             "class_counts": list(R.DIGITS_CLASS_COUNTS), "arms": {"mixed": arm(5.0, tv)}}))
    text = Path(R.write_page(tmp_path)).read_text()
    assert "CA-GAN has the lower mean per-class FID at 1 of 1 evaluation points" in text
    assert "| mixed | 2 | 0.200 ± 0.141 | 0.100 ± 0.000 |" in text and "(seeds 0, 1)" in text
    assert "| mixed | `cagan.x` | 200 | 1 | 0.050 |" in text
