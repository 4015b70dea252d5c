"""An evaluator trained on other data is refused before any sample is generated, by `condgan evaluate` and by
evaluation during training, with both datasets and the fix in the message; its card records the data it learned."""

import json
import shutil

import pytest
import torch

from condgan.cli import main
from condgan.data import Dataset
from condgan.errors import EvaluatorMismatchError
from condgan.evaluation.evaluator_match import check_evaluator_data, dataset_fingerprint
from condgan.evaluation.evaluators import EvalNet, EvalNetConfig, load_evaluator, save_evaluator, train_evaluator

RUN = """
[run]
name = "r"
steps = 2
batch_size = 16
sample_every = 0
checkpoint_every = 0
progress = false
threads = 1
eval_every = {eval_every}
eval_samples = 40

[data]
type = "core.digits_attributes"

[latent]
dim = 4

[objective]
type = "core.cgan"

[generator]
type = "core.dcgan_g"
channels = 4

[discriminator]
type = "core.dcgan_d"
channels = 4
"""


@pytest.fixture(scope="module")
def digits_evaluator(tmp_path_factory):
    """A one-epoch evaluator of core.digits (seconds), with the thread count before and after training it."""
    out = tmp_path_factory.mktemp("evals") / "digits.safetensors"
    before = torch.get_num_threads()
    card = train_evaluator("digits", out, epochs=1, limit=200, threads=1 if before != 1 else 2,
                           log=lambda *a, **k: None)
    return out, card, before, torch.get_num_threads()


def test_card_records_the_data_and_threads_are_restored(digits_evaluator):
    path, card, before, after = digits_evaluator
    fp = card["data"]
    assert fp["name"] == "core.digits" and fp["shape"] == [1, 8, 8] and fp["num_classes"] == 10
    assert fp["split"] == "test" and fp["samples"] == 64 and len(fp["samples_sha256"]) == 64
    assert fp["params"]["test_fraction"] == 0.2
    assert json.loads(path.with_suffix(".json").read_text())["data"] == fp
    assert after == before  # train_evaluator(threads=...) left the process's count as it found it


def test_subsets_of_the_training_split_keep_the_fingerprint(components):
    """limit and class_counts subset the training split only: one evaluator serves every run on the same data."""
    entry = components.get("datasets", "core.digits")
    full = dataset_fingerprint(entry.build(None), "core.digits")
    sub = dataset_fingerprint(entry.build(entry.params(limit=100, class_counts=())), "core.digits")
    assert sub["samples_sha256"] == full["samples_sha256"]


def _train_run(tmp_path, eval_every=0):
    cfg = tmp_path / "run.toml"
    cfg.write_text(RUN.format(eval_every=eval_every))
    return main(["train", str(cfg), "--out", str(tmp_path / "runs")])


def test_evaluate_refuses_an_evaluator_of_other_data(tmp_path, digits_evaluator, capsys):
    path, card, _, _ = digits_evaluator
    assert _train_run(tmp_path) == 0
    run = tmp_path / "runs" / "r"
    capsys.readouterr()
    args = ["evaluate", str(run), "--evaluator", str(path), "--samples", "40", "--bootstrap", "0", "--metrics", "fid"]
    assert main(args) == 1
    err = capsys.readouterr().err
    digest = card["data"]["samples_sha256"][:12]
    assert err.startswith(
        f"condgan: evaluator {path} was trained on dataset 'core.digits' (1x8x8, 10 classes, test samples {digest}), "
        f"but this run's data is 'core.digits_attributes' (1x8x8, 2 classes, test samples ")
    assert err.rstrip().endswith(
        "the number of classes and the samples differ, so its features and class probabilities would not measure this "
        "data. Train the right one with `condgan train-evaluator --dataset core.digits_attributes --out "
        "EVAL.safetensors` and pass `--evaluator EVAL.safetensors`, or pass --force-evaluator to use this one anyway "
        "(the mismatch is then written in the protocol card).")
    assert not (run / "eval.json").exists()  # refused before any work

    assert main(args + ["--force-evaluator"]) == 0
    protocol = json.loads((run / "eval.json").read_text())["protocol"]
    assert "was trained on dataset 'core.digits'" in protocol["extractor"]["data_mismatch"]
    assert "evaluator used with --force-evaluator" in (run / "eval.md").read_text()


def test_evaluation_during_training_refuses_it_before_training(tmp_path, digits_evaluator, capsys, monkeypatch):
    """The default file name comes from the dataset's short name; here it holds a digits evaluator."""
    path, _, _, _ = digits_evaluator
    evals = tmp_path / "evals"
    evals.mkdir()
    shutil.copy(path, evals / "digits_attributes.safetensors")
    shutil.copy(path.with_suffix(".json"), evals / "digits_attributes.json")
    monkeypatch.setenv("CONDGAN_EVALUATORS", str(evals))
    assert _train_run(tmp_path, eval_every=1) == 1
    err = capsys.readouterr().err
    assert f"evaluator {evals / 'digits_attributes.safetensors'} was trained on dataset 'core.digits'" in err
    assert (f"Train the right one with `condgan train-evaluator --dataset core.digits_attributes --out "
            f"{evals / 'digits_attributes.safetensors'}` (the file evaluation during training reads), or set "
            f"$CONDGAN_EVALUATORS to a folder holding one for this data, or set run.eval_every = 0.") in err
    assert not (tmp_path / "runs" / "r").exists()  # nothing was trained


def _evaluator_for(ds, name, tmp_path, with_fingerprint=True):
    card = {"dataset": name}
    if with_fingerprint:
        card["data"] = dataset_fingerprint(ds, name)
    save_evaluator(EvalNet(EvalNetConfig(1, 8, 10, (4, 4, 4), 4)), tmp_path / "e.safetensors", card)
    return load_evaluator(tmp_path / "e.safetensors")


def test_same_shape_and_classes_but_other_images_is_refused(tmp_path, components):
    """The case names and shapes cannot catch: same dataset name, same shape and classes, other images."""
    digits = components.get("datasets", "core.digits").build(None)
    ev = _evaluator_for(digits, "core.digits", tmp_path)
    assert check_evaluator_data(ev, digits, "core.digits") is None
    flipped = Dataset("digits", digits.x.flip(-1), digits.y, digits.spec,
                      test=Dataset("digits:test", digits.test.x.flip(-1), digits.test.y, digits.spec))
    with pytest.raises(EvaluatorMismatchError, match=r"\(1x8x8, 10 classes, test samples [0-9a-f]{12}\): the samples "
                                                     r"differ, so its features"):
        check_evaluator_data(ev, flipped, "core.digits", path=tmp_path / "e.safetensors")
    line = check_evaluator_data(ev, flipped, "core.digits", force=True)
    assert line.startswith("evaluator 'condgan-cnn:core.digits' was trained on dataset 'core.digits'")


def test_cards_without_a_fingerprint_are_checked_by_name(tmp_path, components):
    digits = components.get("datasets", "core.digits").build(None)
    ev = _evaluator_for(digits, "core.digits", tmp_path, with_fingerprint=False)
    assert check_evaluator_data(ev, digits, "core.digits") is None
    with pytest.raises(EvaluatorMismatchError, match=r"trained on dataset 'core.digits' \(\?, \? classes\), but this "
                                                     r"run's data is 'core.mnist_like'.*the dataset name differs"):
        check_evaluator_data(ev, digits, "core.mnist_like")
