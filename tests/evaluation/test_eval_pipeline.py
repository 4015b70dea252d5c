"""Evaluation classifiers (safetensors + SHA-256 card), `condgan evaluate` (report, protocol card, same seed ->
same numbers) and `condgan plot`."""

from __future__ import annotations

import json

import pytest
import torch

from condgan.errors import CheckpointError, CondganError
from condgan.evaluation.evaluators import EvalNet, EvalNetConfig, load_evaluator, save_evaluator, train_evaluator
from condgan.evaluation.plots import plot_runs, read_metric


def test_evaluator_round_trip_and_hash_check(tmp_path):
    """Saved weights load back to the same outputs; a changed byte in the weights is refused (SHA-256 mismatch)."""
    torch.manual_seed(0)
    net = EvalNet(EvalNetConfig(1, 8, 10, (4, 8, 8), 6))
    card = save_evaluator(net, tmp_path / "e.safetensors", {"dataset": "test"})
    ev = load_evaluator(tmp_path / "e.safetensors")
    x = torch.rand(5, 1, 8, 8) * 2 - 1
    feats, probs = ev.features_and_probs(x)
    assert feats.shape == (5, 6) and probs.shape == (5, 10) and feats.dtype == torch.float64
    assert torch.allclose(probs.sum(1), torch.ones(5, dtype=torch.float64))
    net.eval()
    assert torch.allclose(probs.float(), torch.softmax(net(x), 1), atol=1e-6)
    assert ev.sha256 == card["sha256"] and len(card["sha256"]) == 64
    data = bytearray((tmp_path / "e.safetensors").read_bytes())
    data[-1] ^= 1
    (tmp_path / "e.safetensors").write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="SHA-256"):
        load_evaluator(tmp_path / "e.safetensors")


def test_missing_evaluator_says_how_to_make_one(tmp_path):
    with pytest.raises(CheckpointError, match="condgan train-evaluator --dataset"):
        load_evaluator(tmp_path / "none.safetensors")


def test_evaluator_resizes_and_converts_inputs(tmp_path):
    """uint8 images, other sizes and RGB inputs are brought to the evaluator's [-1, 1], size and channels."""
    save_evaluator(EvalNet(EvalNetConfig(1, 8, 3, (4, 4, 4), 4)), tmp_path / "e.safetensors", {})
    ev = load_evaluator(tmp_path / "e.safetensors")
    x = ev.prepare(torch.randint(0, 256, (2, 3, 16, 16), dtype=torch.uint8))
    assert x.shape == (2, 1, 8, 8) and x.min() >= -1 and x.max() <= 1


@pytest.mark.slow
def test_train_evaluator_writes_weights_and_card(tmp_path):
    """One short epoch on 300 digits: the card records dataset, accuracy per class, settings and the weights' hash."""
    card = train_evaluator("digits", tmp_path / "d.safetensors", epochs=1, limit=300, log=lambda *a, **k: None)
    assert card["dataset"] == "core.digits" and card["train_samples"] == 300
    assert 0.0 <= card["test_accuracy"] <= 1.0 and len(card["test_accuracy_per_class"]) == 10
    assert json.loads((tmp_path / "d.json").read_text())["sha256"] == card["sha256"]
    assert load_evaluator(tmp_path / "d.safetensors").num_classes == 10


def test_train_evaluator_refuses_vector_data(tmp_path):
    with pytest.raises(CondganError, match="square images"):
        train_evaluator("mog_1d", tmp_path / "m.safetensors", epochs=1)


def test_plot_runs_reads_eval_columns(tmp_path):
    """`condgan plot` finds `eval/fid` for --metric fid, skips empty cells, and writes a PNG for several runs."""
    for name, scale in (("a", 1.0), ("b", 2.0)):
        d = tmp_path / name
        d.mkdir()
        (d / "metrics.csv").write_text("step,d_adv,eval/fid\n10,0.5,\n20,0.4,%s\n40,0.3,%s\n" % (30 * scale, 20 * scale))
    assert read_metric(tmp_path / "a", "fid") == ([20, 40], [30.0, 20.0])
    out = plot_runs([tmp_path / "a", tmp_path / "b"], "fid", tmp_path / "fid.png")
    assert out.stat().st_size > 1000
    with pytest.raises(CondganError, match="no column 'nope'"):
        read_metric(tmp_path / "a", "nope")


def test_evaluate_cli_report_card_and_determinism(tmp_path, monkeypatch, capsys):
    """End to end: train 4 steps on digits, train a tiny evaluator, `condgan evaluate` twice with one seed: the
    report and protocol card are printed and eval.json is identical."""
    from condgan.cli import main

    monkeypatch.setenv("CONDGAN_EVALUATORS", str(tmp_path / "evals"))
    torch.set_num_threads(1)
    train_evaluator("digits", epochs=1, limit=200, log=lambda *a, **k: None)
    assert main(["train", "--preset", "core.digits", "--set", "run.steps=4", "--set", "run.sample_every=0",
                 "--set", "run.checkpoint_every=0", "--set", "run.name=r", "--set", "run.progress=false",
                 "--out", str(tmp_path)]) == 0
    args = ["evaluate", str(tmp_path / "r"), "--samples", "200", "--bootstrap", "5", "--metrics", "fid,class_accuracy"]
    assert main(args) == 0
    first = (tmp_path / "r" / "eval.json").read_text()
    report = capsys.readouterr().out
    assert "Protocol card" in report and "weights SHA-256" in report and "per class [20, 20" in report
    assert main(args) == 0
    assert (tmp_path / "r" / "eval.json").read_text() == first  # byte-identical


@pytest.mark.slow
def test_inception_option_reads_local_weights_only(tmp_path):
    """Inception-v3 is an option with a local state dict (here randomly initialised, so nothing is downloaded):
    2048-d features and 1000 class probabilities, the file's SHA-256 in the card; a missing file says so."""
    from torchvision.models import inception_v3

    torch.manual_seed(0)
    torch.save(inception_v3(weights=None, aux_logits=False, init_weights=False).state_dict(), tmp_path / "inc.pth")
    ev = load_evaluator(tmp_path / "inc.pth")
    feats, probs = ev.features_and_probs(torch.rand(2, 1, 28, 28) * 2 - 1)
    assert feats.shape == (2, 2048) and probs.shape == (2, 1000) and len(ev.sha256) == 64
    with pytest.raises(CheckpointError, match="never downloads"):
        load_evaluator(tmp_path / "missing.pth")
