"""Seed groups (condgan.groups): `condgan train --seeds` trains one run per seed in worker processes, each an
ordinary resumable run; `--resume GROUP` skips finished seeds; `evaluate` and `plot` report the mean over seeds with
a 95% interval; Ctrl-C stops the whole group with every worker checkpointed (exit 130); one progress line."""

import io
import json
import sys

import pytest
import torch

from condgan.checkpoint import list_checkpoints, load_file
from condgan.cli import main
from condgan.testing import write_tiny_config
from condgan.groups import group_curve, parse_seeds, train_group


def write(tmp_path, steps, ckpt=2):
    return write_tiny_config(tmp_path / "c.toml", run=dict(name="grp", steps=steps, batch_size=16, checkpoint_every=ckpt,
                                                           keep_checkpoints=100))


def last(run_dir):
    return load_file(list_checkpoints(run_dir / "checkpoints")[-1])


def same_weights(a, b):
    return all(torch.equal(v, b["models"][n][k]) for n in ("generator", "discriminator") for k, v in a["models"][n].items())


def test_parse_seeds():
    assert parse_seeds("0-4") == [0, 1, 2, 3, 4]
    assert parse_seeds("0,3,7") == [0, 3, 7]
    assert parse_seeds("0-2,9,1") == [0, 1, 2, 9]
    with pytest.raises(Exception, match="not a seed list"):
        parse_seeds("4-1")


def test_a_group_trains_each_seed_as_its_own_run_then_evaluates_and_plots(tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["train", str(write(tmp_path, 3)), "--out", str(out), "--seeds", "0,1", "--workers", "2"]) == 0
    group = out / "grp"
    assert json.loads((group / "group.json").read_text())["seeds"] == [0, 1]
    for s in (0, 1):
        cfg = json.loads((group / f"seed-{s}" / "config.json").read_text())
        assert cfg["run"]["seed"] == s and cfg["run"]["threads"] == 1 and last(group / f"seed-{s}")["step"] == 3
    assert not same_weights(last(group / "seed-0"), last(group / "seed-1"))
    # seed 1 of the group is the run that `condgan train --set run.seed=1` makes
    assert main(["train", str(write(tmp_path, 3)), "--out", str(tmp_path / "single"), "--set", "run.seed=1",
                 "--set", "run.threads=1"]) == 0
    assert same_weights(last(group / "seed-1"), last(tmp_path / "single" / "grp"))
    capsys.readouterr()
    # evaluate: every seed's eval.json, and the mean over seeds with its interval beside them
    assert main(["evaluate", str(group), "--samples", "200", "--bootstrap", "0", "--metrics", "mmd"]) == 0
    res = json.loads((group / "group_eval.json").read_text())
    per = [json.loads((group / f"seed-{s}" / "eval.json").read_text())["metrics"]["core.mmd"]["values"]["mmd2"]
           for s in (0, 1)]
    m = res["mean"]["mmd2"]
    assert m["mean"] == pytest.approx(sum(per) / 2) and m["n"] == 2
    assert min(per) <= m["low"] <= m["mean"] <= m["high"] <= max(per)
    assert "| mmd2 |" in (group / "group_eval.md").read_text()
    # plot: the mean curve over seeds and its band
    steps, mean, low, high = group_curve(group, "d_adv")
    assert steps == [1, 2, 3]
    cols = [[float(r.split(",")[2]) for r in (group / f"seed-{s}" / "metrics.csv").read_text().splitlines()[1:]]
            for s in (0, 1)]
    header = (group / "seed-0" / "metrics.csv").read_text().splitlines()[0].split(",")
    assert header[2] == "d_adv"
    assert mean == pytest.approx([(a + b) / 2 for a, b in zip(*cols)])
    assert all(lo <= mu <= hi for lo, mu, hi in zip(low, mean, high))
    assert main(["plot", str(group), "--metric", "d_adv", "--out", str(tmp_path / "g.png")]) == 0
    assert (tmp_path / "g.png").stat().st_size > 0


class _TTY(io.StringIO):
    def isatty(self):
        return True


def test_resume_skips_finished_seeds_and_shows_one_progress_line(tmp_path, monkeypatch, capsys):
    out = tmp_path / "o"
    assert main(["train", str(write(tmp_path, 4)), "--out", str(out), "--seeds", "0-1", "--workers", "1"]) == 0
    group = out / "grp"
    # seed 1 lost its last checkpoint (as if killed after step 2); seed 0 is finished
    list_checkpoints(group / "seed-1" / "checkpoints")[-1].unlink()
    before = {p: p.stat().st_mtime_ns for p in (group / "seed-0").rglob("*") if p.is_file()}
    capsys.readouterr()
    err = _TTY()
    monkeypatch.setattr(sys, "stderr", err)
    saved = json.loads((group / "group.json").read_text())
    summaries = train_group(saved["config"], saved["seeds"], group, resume=True, workers=1, progress=True)
    monkeypatch.undo()
    assert [(s["seed"], s["skipped"]) for s in summaries] == [(0, True), (1, False)]
    assert {p: p.stat().st_mtime_ns for p in (group / "seed-0").rglob("*") if p.is_file()} == before
    assert last(group / "seed-1")["step"] == 4
    assert main(["train", str(write(tmp_path, 4)), "--out", str(tmp_path / "single"), "--set", "run.seed=1",
                 "--set", "run.threads=1"]) == 0
    assert same_weights(last(group / "seed-1"), last(tmp_path / "single" / "grp"))
    line = err.getvalue()
    assert "grp: runs" in line and "2/2" in line  # the skipped seed counts as done
    # off without a terminal
    assert main(["train", "--resume", str(group)]) == 0
    assert "grp: runs" not in capsys.readouterr().err


def test_ctrl_c_stops_the_whole_group_with_every_worker_checkpointed(tmp_path, ctrl_c):
    cfg = write(tmp_path, 10**6, ckpt=10**6)  # the only checkpoints are the ones the signal makes
    out = tmp_path / "o"
    rc, err = ctrl_c(["train", str(cfg), "--out", str(out), "--seeds", "0-1", "--workers", "2"],
                     [out / "grp" / f"seed-{s}" / "metrics.csv" for s in (0, 1)])
    assert rc == 130, err
    assert "interrupted" in err
    for s in (0, 1):
        ckpts = list_checkpoints(out / "grp" / f"seed-{s}" / "checkpoints")
        assert len(ckpts) == 1 and 3 <= int(load_file(ckpts[0])["step"]) < 10**6
