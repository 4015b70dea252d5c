"""One writer per run directory (condgan.runlock): a second process that trains or resumes in a run directory in use
is refused before it writes anything, naming the holder's PID and host; the lock dies with its holder (SIGKILL), and
evaluating and sampling a locked run still work."""

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from condgan.checkpoint import list_checkpoints, load_file
from condgan.cli import main
from condgan.testing import write_tiny_config
from condgan.runlock import RunDirLocked, RunLock


def write(tmp_path, steps, ckpt=2, name="c.toml"):
    return write_tiny_config(tmp_path / name, run=dict(name="lk", steps=steps, batch_size=16, checkpoint_every=ckpt,
                                                       keep_checkpoints=100, threads=1))


def snapshot(folder):
    """Every file under ``folder``: (mtime_ns, size, SHA-256)."""
    out = {}
    for root, _, files in os.walk(folder):
        for f in files:
            p = os.path.join(root, f)
            st = os.stat(p)
            out[os.path.relpath(p, folder)] = (st.st_mtime_ns, st.st_size, hashlib.sha256(open(p, "rb").read()).hexdigest())
    return out


HOLD = "import sys, time; from condgan.runlock import RunLock; RunLock(sys.argv[1]).acquire(); print('locked', flush=True); time.sleep(600)"


@pytest.fixture
def holder():
    procs = []

    def start(run_dir):
        proc = subprocess.Popen([sys.executable, "-c", HOLD, str(run_dir)], stdout=subprocess.PIPE, text=True)
        procs.append(proc)
        assert proc.stdout.readline().strip() == "locked"
        return proc

    yield start
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()


def test_second_writer_is_refused_before_writing_and_readers_still_work(tmp_path, holder, capsys):
    out = tmp_path / "runs"
    assert main(["train", str(write(tmp_path, 4)), "--out", str(out)]) == 0
    run = out / "lk"
    proc = holder(run)
    before = snapshot(run)
    capsys.readouterr()
    # resume, start over with --force, and a fresh train into the same directory: all refused, nothing written
    for argv in (["train", "--resume", str(run), "--set", "run.steps=6"],
                 ["train", str(write(tmp_path, 6)), "--out", str(out), "--force"]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert f"is in use by another condgan process (PID {proc.pid} on host {socket.gethostname()})" in err, err
        assert "nothing was written" in err
    assert snapshot(run) == before
    # readers need no lock: sampling and evaluating read the last complete checkpoint
    assert main(["sample", str(run), "--out", str(tmp_path / "s.png")]) == 0
    assert (tmp_path / "s.png").exists()
    assert main(["evaluate", str(run), "--samples", "40", "--bootstrap", "0", "--metrics", "mmd"]) == 0
    assert (run / "eval.json").exists()
    # the holder dies without releasing (SIGKILL): the kernel drops the lock, resume works
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert main(["train", "--resume", str(run), "--set", "run.steps=6"]) == 0
    assert int(load_file(list_checkpoints(run / "checkpoints")[-1])["step"]) == 6


def test_lock_is_refused_in_the_same_process_and_released_on_exit(tmp_path):
    with RunLock(tmp_path / "r"):
        with pytest.raises(RunDirLocked, match=f"PID {os.getpid()} on host"):
            RunLock(tmp_path / "r").acquire()
    with RunLock(tmp_path / "r"):  # released by the first one's exit
        pass


def test_training_subprocess_holds_the_lock_until_killed(tmp_path):
    cfg = write(tmp_path, 100000)
    out = tmp_path / "runs"
    proc = subprocess.Popen([sys.executable, "-m", "condgan", "train", str(cfg), "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ckpts = out / "lk" / "checkpoints"
        deadline = time.time() + 120
        while not any(p.name.endswith(".sha256") for p in (ckpts.iterdir() if ckpts.exists() else [])):
            assert time.time() < deadline and proc.poll() is None, "no checkpoint appeared"
            time.sleep(0.05)
        second = subprocess.run([sys.executable, "-m", "condgan", "train", "--resume", str(out / "lk")],
                                capture_output=True, text=True, timeout=120)
        assert second.returncode == 1
        assert f"PID {proc.pid} on host {socket.gethostname()}" in second.stderr, second.stderr
        assert proc.poll() is None  # the first run trains on
        # reading the run while it trains needs no lock: the newest complete checkpoint is sampled
        assert main(["sample", str(out / "lk"), "--out", str(tmp_path / "live.png")]) == 0
        assert (tmp_path / "live.png").exists() and proc.poll() is None
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    last = int(load_file(list_checkpoints(ckpts)[-1])["step"])
    assert main(["train", "--resume", str(out / "lk"), "--set", f"run.steps={last + 2}"]) == 0
