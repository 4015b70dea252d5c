"""Evaluation every N training steps, logged beside the losses in ``metrics.csv`` as ``eval/<key>`` columns.

The loop calls ``evaluate(exp, generator, step) -> {key: float}`` every ``run.eval_every`` steps;
:func:`make_evaluator` builds that callable once (evaluator loaded, reference features cached), and
:func:`evaluate_during_training` is the plain function behind it (no hooks, usable from any loop).
"""

from __future__ import annotations

import math
import warnings
from typing import Callable, Sequence

import torch

from .evaluate import build_inputs, resolve_metrics
from .metric import run_metric

#: what is computed during training when run.eval_metrics is empty: cheap and informative
TRAINING_METRICS = ("fid", "class_accuracy")


def evaluate_during_training(exp, generator, step: int, metrics: dict, n_samples: int, evaluator=None,
                             seed: int = 0) -> dict[str, float]:
    """Headline scalars of ``metrics`` (name -> built Metric) for ``generator`` at ``step``; no bootstrap.

    Metrics whose inputs are missing are left out; too-few-samples warnings are silenced here (the final
    ``condgan evaluate`` reports them) and non-finite values are logged as NaN.
    """
    inputs, _ = build_inputs(exp, generator, exp.dataset, n_samples, seed, evaluator, "test", str(exp.models.device),
                             max_real=n_samples)
    out: dict[str, float] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, metric in metrics.items():
            if metric.missing(inputs):
                continue
            values = run_metric(metric, inputs)["values"]
            for key in metric.keys:
                v = values.get(key)
                out[key] = float(v) if v is not None and math.isfinite(v) else float("nan")
    return out


def make_evaluator(exp, metric_names: Sequence[str] = (), n_samples: int = 1000, evaluator_path=None,
                   seed: int = 0) -> Callable[..., dict[str, float]]:
    """The ``evaluate(exp, generator, step)`` callable for ``train(..., evaluate=...)``.

    Image data needs an evaluation classifier (``evaluator_path`` or the default location); without one the
    feature metrics run on the raw samples and a warning says so. One trained on other data is an error
    (:class:`~condgan.errors.EvaluatorMismatchError`), raised here, before training starts.
    """
    from .evaluator_match import check_evaluator_data
    from .evaluators import default_evaluator_path, load_evaluator

    ev = None
    data = exp.config.components["data"]
    if len(exp.dataset.data_shape) == 3:
        path = evaluator_path or default_evaluator_path(data.type)
        try:
            ev = load_evaluator(path, exp.models.device)
        except Exception as exc:  # noqa: BLE001 - training goes on; the user learns why the numbers are raw
            warnings.warn(f"evaluation during training uses raw pixels: {exc}", RuntimeWarning, stacklevel=2)
        if ev is not None:
            check_evaluator_data(ev, exp.dataset, data.type, data.params, path=path, during_training=True)
    metrics = resolve_metrics(tuple(metric_names) or TRAINING_METRICS, exp.ctx)

    def evaluate(exp_, generator, step: int) -> dict[str, float]:
        with torch.no_grad():
            return evaluate_during_training(exp_, generator, step, metrics, n_samples, ev, seed)

    return evaluate
