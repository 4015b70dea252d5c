"""The Metric interface: what a metric consumes (:class:`EvalInputs`), what it returns, and how it is run with a CI.

A metric is a small object built as ``Metric(params, ctx)`` (``ctx`` may be None) that declares the fields of
:class:`EvalInputs` it ``requires`` and returns a flat ``{name: float | list[float]}`` mapping from
:meth:`Metric.compute`. Scalars are headline numbers (the first key in ``keys`` is *the* value, e.g. for plots);
lists are per-class breakdowns. :func:`run_metric` adds bootstrap intervals for the scalars and collects the
too-few-samples warnings, so ``eval.json`` carries them beside the number they qualify.

A plugin adds a metric through the ``register_metrics`` hook::

    @condgan.hookimpl
    def register_metrics(register):
        register("my_score", MyScore, params=MyScoreParams, description="...")

with ``class MyScore(Metric)`` setting ``requires``, ``keys``, ``higher_is_better`` and ``compute``.
"""

from __future__ import annotations

import abc
import warnings
from typing import Any, ClassVar, Mapping

import attrs
import torch
from torch import Tensor

from .arrays import canonical_order
from .bootstrap import bootstrap_ci
from .sample_checks import TooFewSamplesWarning

REAL_FIELDS = ("real_features", "real_labels", "real_probs", "real_samples", "real_model_labels")
FAKE_FIELDS = ("fake_features", "fake_labels", "fake_probs", "fake_samples")


@attrs.frozen
class EvalInputs:
    """Everything a metric may read; absent fields are None. N real rows, M generated rows, K classes.

    real_features:     (N, F) evaluator penultimate features of the reference split
    real_labels:       (N,) their true classes
    real_probs:        (N, K) evaluator class probabilities on the reference split (C̄^train for the AM Score)
    real_samples:      (N, D) raw samples flattened (for MMD on low-dimensional data)
    real_model_labels: (N,) categories the *trained model's own* classifier assigns to the reals (clustering)
    fake_features:     (M, F) evaluator features of generated samples
    fake_labels:       (M,) the target class each sample was generated for
    fake_probs:        (M, K) evaluator class probabilities on generated samples
    fake_samples:      (M, D) generated samples flattened
    target_prior:      (K,) the class distribution the targets were drawn from (None: uniform)
    """

    num_classes: int
    real_features: Tensor | None = None
    real_labels: Tensor | None = None
    real_probs: Tensor | None = None
    real_samples: Tensor | None = None
    real_model_labels: Tensor | None = None
    fake_features: Tensor | None = None
    fake_labels: Tensor | None = None
    fake_probs: Tensor | None = None
    fake_samples: Tensor | None = None
    target_prior: Tensor | None = None

    def available(self) -> frozenset[str]:
        return frozenset(f.name for f in attrs.fields(type(self)) if getattr(self, f.name) is not None)

    @property
    def n_real(self) -> int:
        return next((len(getattr(self, f)) for f in REAL_FIELDS if getattr(self, f) is not None), 0)

    @property
    def n_fake(self) -> int:
        return next((len(getattr(self, f)) for f in FAKE_FIELDS if getattr(self, f) is not None), 0)

    def select(self, real_index: Tensor | None = None, fake_index: Tensor | None = None) -> "EvalInputs":
        """The same inputs restricted to (or resampled by) the given row indices of each side."""
        changes: dict[str, Any] = {}
        for names, index in ((REAL_FIELDS, real_index), (FAKE_FIELDS, fake_index)):
            if index is None:
                continue
            for name in names:
                value = getattr(self, name)
                if value is not None:
                    changes[name] = value[index]
        return attrs.evolve(self, **changes)

    def canonical(self) -> "EvalInputs":
        """Rows of each side sorted by (label, data) so that any permutation of the samples gives the same inputs."""
        def order(names: tuple[str, ...], label_name: str) -> Tensor | None:
            cols = [getattr(self, n).reshape(len(getattr(self, n)), -1).double() for n in names
                    if getattr(self, n) is not None and n != label_name]
            labels = getattr(self, label_name)
            if not cols and labels is None:
                return None
            key = torch.cat(cols, dim=1) if cols else labels.reshape(-1, 1).double()
            return canonical_order(key.cpu(), labels.cpu() if labels is not None else None)
        return self.select(order(REAL_FIELDS, "real_labels"), order(FAKE_FIELDS, "fake_labels"))


class Metric(abc.ABC):
    """A registered evaluation metric. Subclasses set the class attributes and implement :meth:`compute`."""

    #: fields of EvalInputs that must be present
    requires: ClassVar[frozenset[str]] = frozenset()
    #: scalar output names; the first is the headline value
    keys: ClassVar[tuple[str, ...]] = ()
    #: direction of the headline value (None: neither, e.g. a histogram)
    higher_is_better: ClassVar[bool | None] = None
    #: whether bootstrap intervals make sense (False for metrics that are already averages over random subsets)
    bootstrap: ClassVar[bool] = True

    def __init__(self, params=None, ctx=None):
        self.params = params
        self.ctx = ctx

    @abc.abstractmethod
    def compute(self, inputs: EvalInputs) -> dict[str, float | list[float]]:
        """Scalars (at least every name in ``keys``) and optional per-class lists."""

    def missing(self, inputs: EvalInputs) -> frozenset[str]:
        return self.requires - inputs.available()


def run_metric(metric: Metric, inputs: EvalInputs, n_boot: int = 0, level: float = 0.95, seed: int = 0) -> dict:
    """Compute ``metric`` on canonically ordered inputs; add bootstrap intervals and the warnings it raised.

    Returns ``{"values": {...}, "ci": {name: {"low", "high", "std", "n_boot"}}, "warnings": [...]}``.
    Raises ValueError naming the missing inputs when a required field is absent.
    """
    missing = metric.missing(inputs)
    if missing:
        raise ValueError(f"{type(metric).__name__} needs {sorted(missing)}, which this evaluation does not provide")
    inputs = inputs.canonical()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TooFewSamplesWarning)
        values = metric.compute(inputs)
    for w in caught:  # re-emit so callers and logs see them too
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    result: dict[str, Any] = {"values": values, "ci": {}, "warnings": sorted({str(w.message) for w in caught
                                                                                if issubclass(w.category, TooFewSamplesWarning)})}
    if n_boot > 0 and metric.bootstrap:
        strata = [inputs.real_labels, inputs.fake_labels]

        def statistic(ri: Tensor, fi: Tensor) -> Mapping[str, float]:
            out = metric.compute(inputs.select(ri if inputs.n_real else None, fi if inputs.n_fake else None))
            return {k: v for k, v in out.items() if isinstance(v, float)}

        result["ci"] = bootstrap_ci(statistic, [max(inputs.n_real, 1), max(inputs.n_fake, 1)],
                                    strata=strata, n_boot=n_boot, level=level, seed=seed)
    return result
