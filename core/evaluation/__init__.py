"""Evaluation: metrics, evaluation classifiers, reports.

Pure metric functions live in small modules (``fid``, ``kid``, ``prdc``, ``scores``, ``mmd``, ``clustering``,
``classifier_metrics``, ``bootstrap``); :mod:`~condgan.evaluation.metric` defines the :class:`Metric` interface and
:mod:`~condgan.evaluation.metrics_registry` the built-in metrics registered as ``core.<name>``.
The functions ``fid.fid`` and ``kid.kid`` are not re-exported, so ``condgan.evaluation.fid`` stays the module.
"""

from .bootstrap import bootstrap_ci
from .classifier_metrics import class_accuracy, class_histogram
from .fid import frechet_distance, gaussian_stats, intra_class_fid
from .kid import intra_class_kid
from .metric import EvalInputs, Metric, run_metric
from .metrics_registry import DEFAULT_METRICS, METRICS, build_metric
from .prdc import density_coverage, precision_recall
from .sample_checks import TooFewSamplesError, TooFewSamplesWarning
from .evaluate import evaluate_run
from .evaluators import load_evaluator, train_evaluator
from .during_training import evaluate_during_training, make_evaluator
from .plots import plot_runs

__all__ = [
    "DEFAULT_METRICS", "METRICS", "EvalInputs", "Metric", "TooFewSamplesError", "TooFewSamplesWarning",
    "bootstrap_ci", "build_metric", "class_accuracy", "class_histogram", "density_coverage",
    "frechet_distance", "gaussian_stats", "intra_class_fid", "intra_class_kid", "precision_recall",
    "run_metric", "evaluate_run", "load_evaluator", "train_evaluator", "evaluate_during_training",
    "make_evaluator", "plot_runs",
]
