"""End to end through the CLI: train a few steps, resume to more steps, sample; a plain training run matches a
stopped-and-resumed one bit for bit; a subprocess run (python -m condgan) works."""

import json
import os
import subprocess
import sys
import textwrap

import torch

from condgan.checkpoint import list_checkpoints, load_file
from condgan.cli import main

CFG = """
[run]
name = "tiny"
steps = {steps}
batch_size = 16
log_every = 2
sample_every = 3
checkpoint_every = 3
ema_decay = 0.9
progress = false

[data]
type = "core.digits"

[latent]
type = "core.gaussian"
dim = 8

[objective]
type = "core.cgan"

[generator]
type = "core.dcgan_g"
channels = 8

[discriminator]
type = "core.dcgan_d"
channels = 8
norm = "batch"
"""


def write(tmp_path, steps):
    p = tmp_path / f"cfg{steps}.toml"
    p.write_text(CFG.format(steps=steps))
    return p


def weights(run_dir):
    state = load_file(list_checkpoints(run_dir / "checkpoints")[-1])
    return state["step"], state["models"]["generator"], state["ema"]


def test_train_resume_sample(tmp_path, capsys):
    out = tmp_path / "runs"
    assert main(["train", str(write(tmp_path, 4)), "--out", str(out)]) == 0
    run = out / "tiny"
    for f in ("config.json", "config.toml", "manifest.json", "metrics.csv", "samples.png", "samples/step_00000003.png"):
        assert (run / f).exists(), f
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["plugins"]["core"]["status"] == "active" and manifest["dataset"] == "digits"
    assert json.loads((run / "config.json").read_text())["generator"]["channels"] == 8  # resolved, defaults filled
    # resume to 7 steps
    assert main(["train", "--resume", str(run), "--set", "run.steps=7"]) == 0
    step, _, _ = weights(run)
    assert step == 7
    rows = (run / "metrics.csv").read_text().splitlines()
    assert [r.split(",")[0] for r in rows[1:]] == ["2", "4", "6", "7"]
    # sample a grid and a folder
    assert main(["sample", str(run), "--per-class", "2", "--out", str(tmp_path / "grid.png")]) == 0
    assert (tmp_path / "grid.png").stat().st_size > 1000
    assert main(["sample", str(run), "--per-class", "3", "--out", str(tmp_path / "s")]) == 0
    s = torch.load(tmp_path / "s" / "samples.pt", weights_only=True)
    assert s["x"].shape == (30, 1, 8, 8) and s["labels"][:, 0].tolist() == sum([[k] * 3 for k in range(10)], [])


def test_resume_is_bit_exact(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["train", str(write(tmp_path, 6)), "--out", str(a)]) == 0
    assert main(["train", str(write(tmp_path, 3)), "--out", str(b)]) == 0
    assert main(["train", "--resume", str(b / "tiny"), "--set", "run.steps=6"]) == 0
    sa, ga, ea = weights(a / "tiny")
    sb, gb, eb = weights(b / "tiny")
    assert sa == sb == 6
    for k in ga:
        assert torch.equal(ga[k], gb[k]), k
    for k in ea:
        assert torch.equal(ea[k], eb[k]), k


def test_resume_with_changed_config_is_refused(tmp_path, capsys):
    out = tmp_path / "runs"
    assert main(["train", str(write(tmp_path, 3)), "--out", str(out)]) == 0
    capsys.readouterr()
    code = main(["train", "--resume", str(out / "tiny"), "--set", "objective.adversarial=core.hinge"])
    err = capsys.readouterr().err
    assert code == 1
    assert "resume refused" in err and "objective.adversarial: 'core.non_saturating' -> 'core.hinge'" in err
    assert main(["train", "--resume", str(out / "tiny"), "--set", "objective.adversarial=core.hinge", "--force",
                 "--set", "run.steps=4"]) == 0


def test_resume_a_run_saved_before_a_setting_existed(tmp_path, capsys):
    """A run whose config.json predates a setting (here ``run.prior_update``, added on 2026-11-30) resumes when the
    setting is at its default (the old behaviour) and is refused when it is not."""
    import json

    out = tmp_path / "runs"
    assert main(["train", str(write(tmp_path, 3)), "--out", str(out)]) == 0
    cfg = out / "tiny" / "config.json"
    saved = json.loads(cfg.read_text())
    del saved["run"]["prior_update"]
    cfg.write_text(json.dumps(saved))
    capsys.readouterr()
    code = main(["train", "--resume", str(out / "tiny"), "--set", "run.prior_update=before_generator",
                 "--set", "run.steps=4"])
    assert code == 1 and "run.prior_update: (absent) -> 'before_generator'" in capsys.readouterr().err
    assert main(["train", "--resume", str(out / "tiny"), "--set", "run.steps=4"]) == 0


def test_existing_run_dir_is_not_overwritten(tmp_path, capsys):
    out = tmp_path / "runs"
    assert main(["train", str(write(tmp_path, 2)), "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["train", str(write(tmp_path, 2)), "--out", str(out)]) == 1
    assert "already holds a run; resume it with --resume" in capsys.readouterr().err


def test_module_entry_point_subprocess(tmp_path):
    env = {**os.environ, "CONDGAN_HYPOTHESIS_PROFILE": "fast"}
    r = subprocess.run([sys.executable, "-m", "condgan", "train", str(write(tmp_path, 2)), "--out", str(tmp_path / "o")],
                       capture_output=True, text=True, env=env, timeout=240)
    assert r.returncode == 0, r.stderr
    assert "condgan: trained 2 steps" in r.stdout


def test_list_and_describe(capsys):
    assert main(["list", "objectives", "core.*"]) == 0
    assert "core.cgan" in capsys.readouterr().out
    assert main(["describe", "core.dcgan_d"]) == 0
    out = capsys.readouterr().out
    assert "norm : " in out and "'batch'" in out
    assert main(["describe", "core.dcgan_dd"]) == 2
    assert "Did you mean 'core.dcgan_d'" in capsys.readouterr().err
    assert main(["presets"]) == 0
    assert "core.digits" in capsys.readouterr().out
