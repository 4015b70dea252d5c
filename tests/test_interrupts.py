"""SIGTERM stops a whole reproduction, not just the run it is training: `condgan reproduce` exits 130 with a message
naming the run that stopped, the stopped runs keep their checkpoint and the runs after them never start. Once for runs
trained one after another (a reproduction from a fake installed plugin) and once for runs trained side by side in
worker processes (CGPGAN's real reproduction with long runs)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from condgan.interrupts import TrainingInterrupted, raise_if_interrupted

ARMS_PLUGIN = '''
from pathlib import Path

from condgan.hookspecs import hookimpl


def reproduce_arms(out_dir, quick):
    """Three long runs in a row, as the reproductions train their arms."""
    from condgan.build import build_experiment
    from condgan.config import parse_config
    from condgan.interrupts import raise_if_interrupted
    from condgan.plugin_manager import get_components
    from condgan.train import train

    comps = get_components()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for arm in range(3):
        (out_dir / f"arm{arm}.started").touch()
        raw = {"run": {"name": f"arm{arm}", "steps": 10**7, "batch_size": 8, "log_every": 1, "sample_every": 0,
                       "checkpoint_every": 0, "progress": False, "threads": 1},
               "data": {"type": "core.gaussian_clusters", "n": 64}, "objective": {"type": "core.cgan"},
               "latent": {"dim": 2}, "generator": {"type": "core.mlp_g", "hidden": 8, "layers": 1},
               "discriminator": {"type": "core.mlp_d", "hidden": 8, "layers": 1}}
        exp = build_experiment(parse_config(raw, comps), comps)
        raise_if_interrupted(train(exp, out_dir / f"arm{arm}", force=True, log=lambda *a, **k: None))
    return out_dir / "page.md"


@hookimpl
def register_reproductions(register):
    register("arms", reproduce_arms, description="test: three runs in a row")
'''


def test_raise_if_interrupted():
    done = {"step": 5, "run_dir": "runs/a", "interrupted": False}
    assert raise_if_interrupted(done) is done
    with pytest.raises(TrainingInterrupted, match=r"^training in runs/a was stopped by a signal at step 3 \(checkpoint "
                                                  r"saved\); the runs after it were not started$"):
        raise_if_interrupted({"step": 3, "run_dir": "runs/a", "interrupted": True})
    assert issubclass(TrainingInterrupted, KeyboardInterrupt)  # `except Exception` in a reproduction cannot eat it


def _logged_steps(run_dir: Path) -> int:
    f = run_dir / "metrics.csv"
    return max(0, len(f.read_text().splitlines()) - 1) if f.exists() else 0


def _wait_for(cond, proc, what: str, timeout: float = 240) -> None:
    deadline = time.time() + timeout
    while not cond():
        if proc.poll() is not None:
            raise AssertionError(f"the reproduction exited ({proc.returncode}) before {what}: {proc.stderr.read()}")
        assert time.time() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"  # a zombie has stopped running


def _stop(proc, signum=signal.SIGTERM, timeout: float = 120) -> tuple[int, str, float]:
    t0 = time.time()
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=timeout)
    return proc.returncode, err, time.time() - t0


def test_sigterm_stops_runs_trained_one_after_another(tmp_path):
    site = tmp_path / "site"
    (site / "armstest-1.0.dist-info").mkdir(parents=True)
    (site / "armstest-1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: armstest\nVersion: 1.0\n")
    (site / "armstest-1.0.dist-info" / "entry_points.txt").write_text("[condgan.plugins]\narmstest = arms_plugin\n")
    (site / "arms_plugin.py").write_text(ARMS_PLUGIN)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-m", "condgan", "reproduce", "armstest.arms", "--out", str(out)],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for(lambda: _logged_steps(out / "arm0") >= 2, proc, "the first run trained two steps")
    code, err, seconds = _stop(proc)
    assert code == 130, err
    assert seconds < 60
    step = int(err.split("at step ")[1].split(" ")[0])
    assert err.strip().endswith(f"condgan: interrupted: training in {out / 'arm0'} was stopped by a signal at step "
                                f"{step} (checkpoint saved); the runs after it were not started"), err
    assert (out / "arm0" / "checkpoints" / f"step_{step:08d}.pt").exists()
    assert not (out / "arm1.started").exists()  # the next run never started


def test_sigterm_stops_the_cgpgan_worker_pool(tmp_path):
    """`condgan reproduce cgpgan-clusters` with 2 spawn workers and 4 long runs: SIGTERM while the first two train."""
    script = f"""
import sys
import condgan.plugins.cgpgan.reproduce as R
from condgan.cli import main
R.run_specs = lambda quick: [
    {{"name": f"a{{i}}", "group": "sweep", "lambda_creg": 0.0, "seed": 0,
      "overrides": ["run.steps=10000000", "data.n=256", "run.log_every=1", "run.batch_size=16",
                    "run.checkpoint_every=0", "run.sample_every=0", "run.threads=1"]}} for i in range(4)]
sys.exit(main(["reproduce", "cgpgan-clusters", "--quick", "--out", {str(tmp_path / "out")!r}]))
"""
    runs = tmp_path / "runs" / "cgpgan-clusters-quick"
    env = {**os.environ, "CONDGAN_RUNS": str(tmp_path / "runs"), "CONDGAN_WORKERS": "2"}
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    _wait_for(lambda: _logged_steps(runs / "a0") >= 2 and _logged_steps(runs / "a1") >= 2, proc,
              "both workers trained two steps")
    workers = _children(proc.pid)
    assert len(workers) >= 2, workers  # the two spawn workers (and multiprocessing's resource tracker)
    code, err, seconds = _stop(proc)
    assert code == 130, err
    assert seconds < 90
    assert "condgan: interrupted: stopped by signal 15; 0 of 4 tasks had finished, the others were stopped or not " \
           f"started: training in {runs}/a" in err, err
    for arm in ("a0", "a1"):  # each worker's train() got the signal, finished its step and saved a checkpoint
        assert list((runs / arm / "checkpoints").glob("step_*.pt")), arm
    assert not (runs / "a2").exists() and not (runs / "a3").exists()  # queued runs never started
    deadline = time.time() + 20
    while not all(_gone(pid) for pid in workers):
        assert time.time() < deadline, f"worker processes {workers} outlived the reproduction"
        time.sleep(0.1)


def test_every_reproduction_stops_when_its_run_is_interrupted():
    """No plugin's reproduce.py calls ``train(...)`` itself: its runs go through the experiment harness, whose
    ``train_run`` wraps ``run_experiment`` in ``raise_if_interrupted`` (so a signal that stops one run stops the
    reproduction: the wiring the two tests above exercise end to end)."""
    import ast
    import inspect

    from condgan import experiments

    root = Path(__file__).resolve().parents[1] / "plugins"
    files = sorted(root.glob("*/reproduce.py"))
    assert len(files) >= 4
    for path in files:
        tree = ast.parse(path.read_text())
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
                 and getattr(node.func, "id", None) in ("train", "run_experiment")]
        assert not calls, f"{path}:{calls[0].lineno}: train the runs through condgan.experiments"
        assert "condgan.experiments" in path.read_text(), path
    src = inspect.getsource(experiments.train_run)
    assert "raise_if_interrupted(summary)" in src and "run_experiment(" in src
