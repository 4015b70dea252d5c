"""A training run killed with SIGKILL after a checkpoint, then resumed, ends with the same weights as a run that was
never interrupted (CPU, deterministic algorithms, the same number of threads)."""

import os
import signal
import subprocess
import sys
import time

import torch

from condgan.checkpoint import list_checkpoints, load_file
from condgan.cli import main

CFG = """
[run]
name = "k"
steps = {steps}
batch_size = 16
log_every = 1
sample_every = 0
checkpoint_every = 2
keep_checkpoints = 100
progress = false
threads = 1          # the killed subprocess and this process must reduce floats in the same order

[data]
type = "core.digits"

[latent]
dim = 8

[objective]
type = "core.cgan"

[generator]
type = "core.dcgan_g"
channels = 8

[discriminator]
type = "core.dcgan_d"
channels = 8
"""


def test_sigkill_then_resume_matches_uninterrupted(tmp_path):
    cfg = tmp_path / "long.toml"
    cfg.write_text(CFG.format(steps=100000))
    proc = subprocess.Popen([sys.executable, "-m", "condgan", "train", str(cfg), "--out", str(tmp_path / "killed")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ})
    ckpts = tmp_path / "killed" / "k" / "checkpoints"
    deadline = time.time() + 240
    while not any(p.name.endswith(".sha256") for p in (ckpts.iterdir() if ckpts.exists() else [])):
        assert time.time() < deadline and proc.poll() is None, "no checkpoint appeared"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    last = int(load_file(list_checkpoints(ckpts)[-1])["step"])  # newest readable checkpoint
    target = last + 3
    assert main(["train", "--resume", str(tmp_path / "killed" / "k"), "--set", f"run.steps={target}"]) == 0
    ref = tmp_path / "ref.toml"
    ref.write_text(CFG.format(steps=target))
    assert main(["train", str(ref), "--out", str(tmp_path / "straight")]) == 0
    a = load_file(list_checkpoints(tmp_path / "killed" / "k" / "checkpoints")[-1])
    b = load_file(list_checkpoints(tmp_path / "straight" / "k" / "checkpoints")[-1])
    assert a["step"] == b["step"] == target
    for net in ("generator", "discriminator"):
        for k, v in b["models"][net].items():
            assert torch.equal(a["models"][net][k], v), f"{net}.{k} differs after kill + resume"
