"""TensorBoard event files in the run directory mirror metrics.csv (scalars, evaluation metrics) and the sample
grids; a resume continues the curves without duplicated steps; run.tensorboard = false writes none; writing changes
no training number."""

import csv

import pytest
import torch

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402

from condgan.checkpoint import list_checkpoints, load_file  # noqa: E402
from condgan.cli import main  # noqa: E402
from condgan.testing import write_tiny_config  # noqa: E402


def write(tmp_path, steps, eval_every=0):
    return write_tiny_config(tmp_path / "c.toml", run=dict(name="tb", steps=steps, batch_size=16, sample_every=2,
                                                           checkpoint_every=2, keep_checkpoints=100,
                                                           eval_every=eval_every, eval_metrics=["core.mmd"],
                                                           eval_samples=200, threads=1))


def events(run):
    acc = EventAccumulator(str(run), size_guidance={"scalars": 0, "images": 0})
    acc.Reload()
    return acc


def csv_column(run, column):
    with open(run / "metrics.csv", newline="") as f:
        return [(int(r["step"]), float(r[column])) for r in csv.DictReader(f) if r.get(column)]


def test_scalars_eval_metrics_and_grids_are_written(tmp_path):
    assert main(["train", str(write(tmp_path, 4, eval_every=2)), "--out", str(tmp_path / "o")]) == 0
    run = tmp_path / "o" / "tb"
    acc = events(run)
    tags = acc.Tags()
    assert {"d_adv", "g_adv", "d_real", "d_fake", "eval/mmd2"} <= set(tags["scalars"])
    for tag in ("d_adv", "eval/mmd2"):
        got = [(e.step, e.value) for e in acc.Scalars(tag)]
        want = csv_column(run, tag)
        assert [s for s, _ in got] == [s for s, _ in want]
        assert [v for _, v in got] == pytest.approx([v for _, v in want], rel=1e-5)
    assert [e.step for e in acc.Scalars("eval/mmd2")] == [2, 4]
    assert [e.step for e in acc.Images("samples")] == [2, 4, 4]  # the grids at steps 2 and 4, and samples.png


def test_resume_continues_the_curves_without_duplicated_steps(tmp_path):
    out = tmp_path / "o"
    assert main(["train", str(write(tmp_path, 5)), "--out", str(out)]) == 0
    run = out / "tb"
    # a crash after step 5 whose last checkpoints were lost: the resume starts from step 2, and the events at
    # steps 3..5 of the first process are superseded by the resumed ones
    for p in list_checkpoints(run / "checkpoints")[1:]:
        p.unlink()
    assert int(load_file(list_checkpoints(run / "checkpoints")[-1])["step"]) == 2
    assert main(["train", "--resume", str(run), "--set", "run.steps=6"]) == 0
    acc = events(run)
    got = [(e.step, e.value) for e in acc.Scalars("d_adv")]
    assert [s for s, _ in got] == [1, 2, 3, 4, 5, 6]
    assert [v for _, v in got] == pytest.approx([v for _, v in csv_column(run, "d_adv")], rel=1e-5)


def test_tensorboard_off_writes_no_event_file_and_writing_changes_no_number(tmp_path):
    cfg = write(tmp_path, 4)
    assert main(["train", str(cfg), "--out", str(tmp_path / "on")]) == 0
    assert main(["train", str(cfg), "--out", str(tmp_path / "off"), "--set", "run.tensorboard=false"]) == 0
    assert list((tmp_path / "on" / "tb").glob("events.out.tfevents.*"))
    assert not list((tmp_path / "off" / "tb").glob("events.out.tfevents.*"))
    a = load_file(list_checkpoints(tmp_path / "on" / "tb" / "checkpoints")[-1])
    b = load_file(list_checkpoints(tmp_path / "off" / "tb" / "checkpoints")[-1])
    for net in ("generator", "discriminator"):
        for k, v in a["models"][net].items():
            assert torch.equal(v, b["models"][net][k]), f"{net}.{k}"
    assert torch.equal(a["rng"]["torch"], b["rng"]["torch"])
