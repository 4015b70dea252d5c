"""Which data an evaluation classifier was trained on, and the check that it is the data being evaluated.

An evaluator's features and class probabilities only measure the data it learned: an MNIST classifier reads
Fashion-MNIST images (same shape, same number of classes) without complaint and gives meaningless FID and class
accuracy. So the card of every evaluator :func:`~condgan.evaluation.evaluators.train_evaluator` writes holds a
fingerprint of its dataset (:func:`dataset_fingerprint`), and evaluation compares it with the run's data before any
sample is generated (:func:`check_evaluator_data`).

The fingerprint is the registered name and parameters, the sample shape, the classes, and a SHA-256 of the first
64 samples and labels of the *test* split (the split the evaluator is measured on and evaluation compares with by
default; the training split when there is no test split). Options that only subset the training data (``limit``,
``class_counts``) leave it unchanged, so one evaluator serves every run on the same data. Two fingerprints match
when shape, number of classes and the sample hash agree; the names may differ (a plugin may re-register a dataset).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import attrs

from ..errors import EvaluatorMismatchError

#: samples (and labels) of the reference split that are hashed
FINGERPRINT_SAMPLES = 64


def _jsonable_params(params: Any) -> dict | None:
    if params is None:
        return None
    if attrs.has(type(params)):
        params = attrs.asdict(params)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in dict(params).items()}


def dataset_fingerprint(dataset, name: str, params: Any = None) -> dict[str, Any]:
    """The identity of ``dataset`` (a :class:`condgan.data.Dataset` registered as ``name`` with ``params``)."""
    ref, split = (dataset.test, "test") if dataset.test is not None else (dataset, "train")
    x = ref.x[:FINGERPRINT_SAMPLES].detach().cpu().contiguous()
    y = ref.y[:FINGERPRINT_SAMPLES].detach().cpu().contiguous()
    h = hashlib.sha256()
    h.update(f"{x.dtype}{tuple(x.shape)}".encode())
    h.update(x.numpy().tobytes())
    h.update(y.numpy().tobytes())
    group = dataset.spec.groups[0]
    return {"name": name, "params": _jsonable_params(params), "shape": list(dataset.data_shape),
            "num_classes": group.size, "classes": list(group.labels) if group.labels else None,
            "split": split, "samples": len(x), "samples_sha256": h.hexdigest()}


def describe(fp: dict[str, Any]) -> str:
    """``'core.mnist' (1x28x28, 10 classes, test samples 3f2a9c01b4d5)``"""
    shape = "x".join(map(str, fp.get("shape") or [])) or "?"
    digest = (fp.get("samples_sha256") or "")[:12]
    return (f"'{fp.get('name')}' ({shape}, {fp.get('num_classes', '?')} classes"
            + (f", {fp.get('split', 'test')} samples {digest}" if digest else "") + ")")


def _differences(trained: dict[str, Any], data: dict[str, Any]) -> list[str]:
    if "samples_sha256" not in trained:  # a card from before fingerprints: only the name is known
        return [] if trained.get("name") == data["name"] else ["name"]
    return [k for k in ("shape", "num_classes", "samples_sha256") if trained.get(k) != data.get(k)]


def check_evaluator_data(evaluator, dataset, name: str, params: Any = None, *, path: str | Path | None = None,
                         force: bool = False, during_training: bool = False) -> str | None:
    """Raise :class:`EvaluatorMismatchError` when ``evaluator`` was trained on other data than ``dataset``.

    Generic extractors (Inception-v3) are not checked. With ``force`` nothing is raised and the mismatch is returned
    as one line, for the protocol card; ``None`` when the data match.
    """
    card = evaluator.card
    if card.get("generic"):
        return None
    trained = card.get("data") or {"name": card.get("dataset")}
    data = dataset_fingerprint(dataset, name, params)
    diffs = _differences(trained, data)
    if not diffs:
        return None
    where = f"evaluator {path}" if path else f"evaluator '{evaluator.name}'"
    parts = [{"shape": "sample shape", "num_classes": "number of classes", "samples_sha256": "samples",
              "name": "dataset name"}[d] for d in diffs]
    what = "the " + " and the ".join(parts) + (" differ" if len(parts) > 1 or parts == ["samples"] else " differs")
    line = (f"{where} was trained on dataset {describe(trained)}, but this run's data is {describe(data)}: "
            f"{what}, so its features and class probabilities would not measure this data.")
    if force:
        return line
    root = (params.root if params is not None and getattr(params, "root", "") else "")
    command = f"condgan train-evaluator --dataset {name}" + (f" --root {root}" if root else "")
    if during_training:
        from .evaluators import default_evaluator_path

        fix = (f"Train the right one with `{command} --out {path or default_evaluator_path(name)}` (the file "
               f"evaluation during training reads), or set $CONDGAN_EVALUATORS to a folder holding one for this data, "
               f"or set run.eval_every = 0.")
    else:
        fix = (f"Train the right one with `{command} --out EVAL.safetensors` and pass `--evaluator EVAL.safetensors`, "
               f"or pass --force-evaluator to use this one anyway (the mismatch is then written in the protocol card).")
    raise EvaluatorMismatchError(f"{line} {fix}")
