"""The experiment harness (condgan.experiments): arms x seeds, one record per run, finished runs and records reused,
a stop in the middle resumed where it stopped (bit-exact), and the sweep / table helpers."""

import json
import os
import signal

import pytest
import torch

from condgan.checkpoint import list_checkpoints, load_file
from condgan.experiments import Arm, load_records, markdown_table, mean_std, plan, pm, run_arms, sweep
from condgan.interrupts import TrainingInterrupted
from condgan.testing import write_tiny_config


def config(tmp_path, steps=4):
    return write_tiny_config(tmp_path / "c.toml", run=dict(name="h", steps=steps, batch_size=16, checkpoint_every=2,
                                                           keep_checkpoints=100, eval_every=1))


def last(run_dir):
    return load_file(list_checkpoints(run_dir / "checkpoints")[-1])


def same_weights(a, b):
    return all(torch.equal(v, b["models"][n][k]) for n in ("generator", "discriminator") for k, v in a["models"][n].items())


def score(run):
    """A paper-specific metric stand-in: the generator's weight norm, with the run's identity."""
    exp, _ = run.load(use_ema=False)
    norm = sum(float(p.detach().double().pow(2).sum()) for p in exp.models.generator.parameters())
    return {"arm": run.arm.name, "seed": run.seed, "steps": run.steps, "norm": norm, "trained": run.trained}


def mtimes(folder):
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_arms_times_seeds_records_and_reuse(tmp_path):
    cfg = config(tmp_path)
    arms = [Arm("a", cfg, seeds=[0, 1]), Arm("b", cfg, ["generator.hidden=8"], seeds=[0, 1])]
    root, records = tmp_path / "runs", tmp_path / "records"
    out = run_arms(arms, root, evaluate=score, records=records, workers=1)
    assert [(r["arm"], r["seed"]) for r in out] == [("a", 0), ("a", 1), ("b", 0), ("b", 1)]
    assert all(r["trained"] and r["steps"] == 4 for r in out)
    for r in out:  # each run: its own directory, its seed and overrides in its config, its record on disk
        saved = json.loads((root / f"{r['arm']}_s{r['seed']}" / "config.json").read_text())
        assert saved["run"]["seed"] == r["seed"] and last(root / f"{r['arm']}_s{r['seed']}")["step"] == 4
        assert json.loads((records / f"{r['arm']}_s{r['seed']}.json").read_text()) == r
    assert json.loads((root / "b_s0" / "config.json").read_text())["generator"]["hidden"] == 8
    assert not same_weights(last(root / "a_s0"), last(root / "a_s1"))
    assert load_records(records) == out  # file-name order is plan order here
    # repeated: every record is reused, nothing is trained or evaluated again
    before = mtimes(tmp_path)
    assert run_arms(arms, root, evaluate=score, records=records, workers=1) == out
    assert mtimes(tmp_path) == before
    # a record lost, its run directory finished: evaluated again, not trained again
    (records / "b_s1.json").unlink()
    ckpts = mtimes(root / "b_s1" / "checkpoints")
    again = run_arms(arms, root, evaluate=score, records=records, workers=1)
    assert again[3] == {**out[3], "trained": False} and mtimes(root / "b_s1" / "checkpoints") == ckpts
    # a changed config is a new run: the directory starts over
    changed = run_arms([Arm("a", cfg, ["run.batch_size=8"], seeds=[0])], root, evaluate=score, workers=1)
    assert changed[0]["trained"] and changed[0]["norm"] != out[0]["norm"]


def test_a_stop_in_the_middle_resumes_where_it_stopped(tmp_path, monkeypatch):
    """SIGINT while arm b trains: arm a is recorded, b checkpoints at the step it stopped and has no record; the
    repeated call trains only the rest of b, and b ends with the weights of an uninterrupted run."""
    cfg = config(tmp_path, steps=6)
    arms = [Arm("a", cfg), Arm("b", cfg, ["generator.hidden=8"])]
    root, records = tmp_path / "runs", tmp_path / "records"

    def stop_b_at_step_3(run):
        def evaluate(exp, generator, step):
            if run.arm.name == "b" and step == 3 and not (tmp_path / "stopped").exists():
                (tmp_path / "stopped").touch()
                os.kill(os.getpid(), signal.SIGINT)
            return {}
        return evaluate

    with pytest.raises(TrainingInterrupted, match="b_s0"):
        run_arms(arms, root, evaluate=score, records=records, workers=1, during=stop_b_at_step_3)
    assert (records / "a_s0.json").exists() and not (records / "b_s0.json").exists()
    assert 3 <= last(root / "b_s0")["step"] < 6
    a_files = mtimes(root / "a_s0")
    out = run_arms(arms, root, evaluate=score, records=records, workers=1, during=stop_b_at_step_3)
    assert mtimes(root / "a_s0") == a_files and last(root / "b_s0")["step"] == 6
    ref = run_arms([Arm("b", cfg, ["generator.hidden=8"])], tmp_path / "ref", evaluate=score, workers=1)
    assert same_weights(last(root / "b_s0"), last(tmp_path / "ref" / "b_s0"))
    assert out[1]["norm"] == ref[0]["norm"]


def test_plan_sweep_and_tables(tmp_path):
    cfg = config(tmp_path)
    arms = sweep(Arm("w", cfg, label="width"), "generator.hidden", [8, 32], name="{name}{value}",
                 label="width {value}")
    assert [(a.name, a.label, a.overrides, a.info["value"]) for a in arms] == [
        ("w8", "width 8", ("generator.hidden=8",), 8), ("w32", "width 32", ("generator.hidden=32",), 32)]
    runs = plan(arms, tmp_path / "r", overrides=["run.steps=7"], records=tmp_path / "rec", record_name="{arm}_{steps}.json")
    assert [r.run_dir.name for r in runs] == ["w8_s0", "w32_s0"]
    assert [r.raw["generator"]["hidden"] for r in runs] == [8, 32] and runs[0].steps == 7
    assert runs[1].record_path == tmp_path / "rec" / "w32_7.json"
    with pytest.raises(ValueError, match="share the run directory"):
        plan([Arm("x", cfg, seeds=[0, 1])], tmp_path / "r", run_name="{arm}")
    assert mean_std([1.0, 3.0]) == (2.0, pytest.approx(2 ** 0.5)) and mean_std([4.0]) == (4.0, 0.0)
    assert pm(1.23456, 0.1) == "1.235 ± 0.100"
    assert markdown_table(["a", "b"], [[1, "x"]]) == ["| a | b |", "|---|---|", "| 1 | x |"]
