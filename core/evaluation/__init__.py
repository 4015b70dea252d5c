"""Evaluation: metrics, evaluation classifiers, reports.

Pure metric functions live in small modules (``fid``, ``kid``, ``prdc``, ``scores``, ``mmd``, ``clustering``,
``kernels`` (the kernels and the unbiased MMD² that ``kid`` and ``mmd`` share),
``classifier_metrics``, ``bootstrap``); :mod:`~condgan.evaluation.metric` defines the :class:`Metric` interface and
:mod:`~condgan.evaluation.metrics_registry` the built-in metrics registered as ``core.<name>``.
The functions ``fid.fid`` and ``kid.kid`` are not re-exported, so ``condgan.evaluation.fid`` stays the module.

The names below are loaded on first use (PEP 562), so importing a submodule such as
:mod:`~condgan.evaluation.commands` (which the CLI does to build its parser) does not import torch.
"""

from __future__ import annotations

import importlib

_EXPORTS: dict[str, str] = {
    "bootstrap_ci": ".bootstrap",
    "class_accuracy": ".classifier_metrics", "class_histogram": ".classifier_metrics",
    "frechet_distance": ".fid", "gaussian_stats": ".fid", "intra_class_fid": ".fid",
    "intra_class_kid": ".kid",
    "EvalInputs": ".metric", "Metric": ".metric", "run_metric": ".metric",
    "DEFAULT_METRICS": ".metrics_registry", "METRICS": ".metrics_registry", "build_metric": ".metrics_registry",
    "density_coverage": ".prdc", "precision_recall": ".prdc",
    "TooFewSamplesError": ".sample_checks", "TooFewSamplesWarning": ".sample_checks",
    "evaluate_run": ".evaluate",
    "load_evaluator": ".evaluators", "train_evaluator": ".evaluators",
    "evaluate_during_training": ".during_training", "make_evaluator": ".during_training",
    "plot_runs": ".plots",
}

__all__ = [
    "DEFAULT_METRICS", "METRICS", "EvalInputs", "Metric", "TooFewSamplesError", "TooFewSamplesWarning",
    "bootstrap_ci", "build_metric", "class_accuracy", "class_histogram", "density_coverage",
    "frechet_distance", "gaussian_stats", "intra_class_fid", "intra_class_kid", "precision_recall",
    "run_metric", "evaluate_run", "load_evaluator", "train_evaluator", "evaluate_during_training",
    "make_evaluator", "plot_runs",
]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
