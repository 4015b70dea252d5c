"""Reliability: a corrupt or truncated newest checkpoint falls back to the previous one with a message; a pickle
that would run code is refused and does not run; writes are atomic; a non-finite loss stops training at its step."""

import io
import pickle

import pytest
import torch

from condgan.checkpoint import list_checkpoints, load_file, load_latest, save_checkpoint
from condgan.errors import CheckpointError


def test_keep_last_k_and_hash_sidecars(tmp_path):
    for step in (1, 2, 3, 4):
        save_checkpoint({"step": step, "w": torch.full((3,), float(step))}, tmp_path, step, keep=2)
    files = list_checkpoints(tmp_path)
    assert [f.name for f in files] == ["step_00000003.pt", "step_00000004.pt"]
    assert all(f.with_name(f.name + ".sha256").exists() for f in files)
    assert not list(tmp_path.glob(".*tmp*"))  # no temporary file left behind


def test_truncated_newest_checkpoint_falls_back_with_a_message(tmp_path):
    save_checkpoint({"step": 1}, tmp_path, 1)
    newest = save_checkpoint({"step": 2}, tmp_path, 2)
    newest.write_bytes(newest.read_bytes()[:40])  # a crash mid-write on a filesystem without atomic rename
    messages = []
    state, path = load_latest(tmp_path, log=lambda *a, **k: messages.append(a[0]))
    assert state["step"] == 1 and path.name == "step_00000001.pt"
    assert "step_00000002.pt is corrupt or truncated (SHA-256 mismatch); trying the previous checkpoint" in messages[0]


def test_all_corrupt_is_an_error(tmp_path):
    p = save_checkpoint({"step": 1}, tmp_path, 1)
    p.write_bytes(b"garbage")
    with pytest.raises(CheckpointError, match="no readable checkpoint"):
        load_latest(tmp_path, log=lambda *a, **k: None)


class Payload:
    def __reduce__(self):
        return (exec, ("import pathlib; pathlib.Path('PWNED').write_text('ran')",))


def test_code_running_pickle_is_refused_and_does_not_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "step_00000001.pt"
    buf = io.BytesIO()
    torch.save({"step": 1, "evil": Payload()}, buf)  # torch.save pickles the payload
    path.write_bytes(buf.getvalue())  # no sidecar: the hash check cannot help, weights_only must
    with pytest.raises(CheckpointError, match="refused|could not be read"):
        load_file(path)
    assert not (tmp_path / "PWNED").exists()


def test_nonfinite_loss_stops_at_its_step(tmp_path, components):
    from condgan.build import build_experiment
    from condgan.config import parse_config
    from condgan.errors import NonFiniteLossError
    from condgan.testing import tiny_config
    from condgan.train import train

    raw = tiny_config("core.cgan", steps=5)
    raw["optimizers"] = {"discriminator": {"lr": 1e30, "type": "sgd"}}
    exp = build_experiment(parse_config(raw, components), components)
    with pytest.raises(NonFiniteLossError, match=r"non-finite loss .* at step \d+"):
        train(exp, tmp_path / "run", log=lambda *a, **k: None)
    raw["run"]["on_nonfinite"] = "skip"
    exp = build_experiment(parse_config(raw, components), components)
    out = train(exp, tmp_path / "run2", log=lambda *a, **k: None)
    assert out["step"] == 5


def test_missing_dataset_path_is_named_with_the_fix(tmp_path, components):
    from condgan.build import build_experiment
    from condgan.config import parse_config
    from condgan.errors import ConfigError

    raw = {"data": {"type": "core.mnist", "root": str(tmp_path / "nowhere")}, "objective": {"type": "core.cgan"},
           "generator": {"type": "core.dcgan_g"}, "discriminator": {"type": "core.dcgan_d"}}
    with pytest.raises(ConfigError, match=r"\$\.data: MNIST not found under '.*nowhere'.*set data.root = ROOT"):
        build_experiment(parse_config(raw, components), components)


def test_impossible_class_counts_are_named(components):
    from condgan.build import build_experiment
    from condgan.config import parse_config
    from condgan.errors import ConfigError

    raw = {"data": {"type": "core.digits", "class_counts": [5000, 10]}, "objective": {"type": "core.cgan"},
           "generator": {"type": "core.dcgan_g"}, "discriminator": {"type": "core.dcgan_d"}}
    with pytest.raises(ConfigError, match=r"class_counts asks for 5000 samples of class 0, which has \d+"):
        build_experiment(parse_config(raw, components), components)


def test_labels_outside_the_declared_classes_are_named_with_the_fix():
    """A dataset declaring 3 classes whose labels run to 4 (a num_classes mismatch between config and data)."""
    from condgan.conditions import ConditionSpec
    from condgan.data import Dataset
    from condgan.errors import DataError

    with pytest.raises(DataError) as info:
        Dataset("mine", torch.zeros(5, 2), torch.arange(5), ConditionSpec.single(3))
    assert str(info.value) == ("dataset 'mine': labels of group 'class' range over 0..4, outside the declared 0..2; "
                               "set num_classes to 5 (or fix the labels)")


def test_nonfinite_loss_of_one_of_several_optimizers_is_named(tmp_path, components):
    """A step side with several optimizers (CGPGAN's D side trains D and Q) reads finiteness once for all of them;
    the message still names the optimizer whose loss went non-finite."""
    from condgan.build import build_experiment
    from condgan.config import parse_config
    from condgan.errors import NonFiniteLossError
    from condgan.testing import tiny_config
    from condgan.train import train

    raw = tiny_config("cgpgan.cgpgan", steps=5)
    raw["classifier"] = {"type": "core.mlp_q"}
    raw["optimizers"] = {"classifier": {"lr": 1e30, "type": "sgd"}}
    exp = build_experiment(parse_config(raw, components), components)
    with pytest.raises(NonFiniteLossError, match=r"non-finite loss .* at step \d+ \(optimizer 'classifier'\)"):
        train(exp, tmp_path / "run", log=lambda *a, **k: None)
