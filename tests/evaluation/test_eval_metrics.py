"""Every registered metric: order invariance, too-few-samples behaviour, requirements; classifier-based metrics'
ranges (Inception Score in [1, K], AM-GAN Eq. 21) and bootstrap intervals."""

from __future__ import annotations

import math
import warnings

import pytest
import torch
from hypothesis import given, settings, strategies as st

from condgan.evaluation.bootstrap import bootstrap_ci, resample_indices
from condgan.evaluation.classifier_metrics import class_accuracy, class_histogram
from condgan.evaluation.metric import EvalInputs, Metric, run_metric
from condgan.evaluation.metrics_registry import DEFAULT_METRICS, METRICS, build_metric
from condgan.evaluation.sample_checks import TooFewSamplesError, TooFewSamplesWarning

NAMES = sorted(METRICS)


def _small(name: str):
    """Fast parameters for the tests (fewer KID subsets, small MMD resample)."""
    factory, params_cls, _ = METRICS[name]
    if name in ("kid", "intra_kid"):
        return build_metric(name, params_cls(subset_size=50, n_subsets=5))
    if name == "mmd":
        return build_metric(name, params_cls(n=300))
    if name == "inception_score":
        return build_metric(name, params_cls(splits=3))
    return build_metric(name)


def test_registry_entries_are_well_formed():
    """METRICS maps local names to (Metric factory, frozen attrs params class or None, one-line description)."""
    import attrs
    for name, (factory, params_cls, desc) in METRICS.items():
        assert name.isidentifier() and name == name.lower()
        assert isinstance(desc, str) and desc and "\n" not in desc
        m = build_metric(name)
        assert isinstance(m, Metric) and m.keys and m.requires
        if params_cls is not None:
            assert attrs.has(params_cls) and params_cls.__setattr__ is not object.__setattr__  # frozen
    assert set(DEFAULT_METRICS) <= set(METRICS)


@pytest.mark.parametrize("name", NAMES)
def test_every_metric_is_invariant_to_sample_order(name, make_inputs):
    """Shuffling the real and the generated samples (with their labels) gives identical values and intervals."""
    inp = make_inputs(n_real=90, n_fake=75, k=3, f=4)
    g = torch.Generator().manual_seed(5)
    shuffled = inp.select(torch.randperm(inp.n_real, generator=g), torch.randperm(inp.n_fake, generator=g))
    metric = _small(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TooFewSamplesWarning)
        a, b = run_metric(metric, inp, n_boot=5), run_metric(metric, shuffled, n_boot=5)
    assert a["values"] == b["values"]
    assert a["ci"] == b["ci"]
    for key in metric.keys:
        assert isinstance(a["values"][key], float) and math.isfinite(a["values"][key])


@pytest.mark.parametrize("name", NAMES)
def test_every_metric_says_so_when_handed_too_few_samples(name, make_inputs):
    """One generated sample per set: each metric raises TooFewSamplesError or warns; none returns silent noise."""
    inp = make_inputs(n_real=90, n_fake=75, k=3, f=4)
    tiny = inp.select(None, torch.tensor([0]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            run_metric(_small(name), tiny)
        except TooFewSamplesError as err:
            assert "got" in str(err)
            return
    assert any(issubclass(w.category, TooFewSamplesWarning) for w in caught), f"{name} stayed silent"


def test_missing_inputs_are_named():
    """A metric whose inputs are absent says which fields it needs."""
    with pytest.raises(ValueError, match=r"needs \['real_features'\]"):
        run_metric(build_metric("fid"), EvalInputs(3, fake_features=torch.zeros(10, 2)))


@settings(deadline=None, max_examples=30)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 40), k=st.integers(2, 12), scale=st.floats(0, 10))
def test_inception_score_lies_in_one_to_k(seed, n, k, scale):
    """IS = exp(E KL(C(x) || C̄)) is in [1, K] for any probabilities (AM-GAN Eq. 21; softmax of bounded logits)."""
    g = torch.Generator().manual_seed(seed)
    probs = torch.softmax(scale * torch.randn(n, k, generator=g, dtype=torch.float64), dim=1)
    value = run_metric(build_metric("inception_score", METRICS["inception_score"][1](splits=1)),
                       EvalInputs(k, fake_probs=probs))["values"]["is"]
    assert 1.0 - 1e-12 <= value <= k + 1e-9


def test_class_accuracy_and_histogram_known_values():
    """Label consistency and class histogram on a hand-made example (TV = 1/2 sum |h - pi|, KL(pi || soft h))."""
    probs = torch.tensor([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]] * 3, dtype=torch.float64)
    acc, per = class_accuracy(probs, torch.tensor([0, 0, 1, 1] * 3))
    assert acc == 0.75 and per == [1.0, 0.5]
    h = class_histogram(probs)
    assert h["histogram"] == [0.75, 0.25] and h["tv"] == pytest.approx(0.25)
    soft = torch.tensor([0.65, 0.35], dtype=torch.float64)
    assert h["kl"] == pytest.approx(float((0.5 * (0.5 / soft).log()).sum()), rel=1e-12)


def test_class_accuracy_names_classes_without_samples():
    """A target class never generated gets NaN accuracy and a warning naming it."""
    with pytest.warns(TooFewSamplesWarning, match=r"classes \[2\]"):
        _, per = class_accuracy(torch.eye(3)[:2], torch.tensor([0, 1]), num_classes=3)
    assert math.isnan(per[2])


def test_bootstrap_interval_covers_and_is_reproducible():
    """The percentile interval of a sample mean covers the population mean, and a seed fixes it exactly."""
    x = torch.randn(400, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    stat = lambda i: {"mean": float(x[i].mean())}  # noqa: E731
    a = bootstrap_ci(stat, [400], n_boot=200, seed=1)
    assert a["mean"]["low"] < 0.0 < a["mean"]["high"]
    assert a == bootstrap_ci(stat, [400], n_boot=200, seed=1)
    assert a["mean"]["std"] == pytest.approx(1 / 20, rel=0.25)  # sigma / sqrt(n)


def test_stratified_resampling_keeps_class_counts():
    """Stratified bootstrap keeps every class's count, so per-class metrics stay defined in every replicate."""
    labels = torch.tensor([2, 0, 1, 0, 2, 2, 1, 0, 0])
    idx = resample_indices(9, torch.Generator().manual_seed(0), labels)
    assert torch.equal(torch.bincount(labels[idx]), torch.bincount(labels))


def test_run_metric_reports_warnings_and_intervals(make_inputs):
    """run_metric attaches the too-few-samples warnings and a CI around the value."""
    inp = make_inputs(n_real=60, n_fake=60, k=3, f=25)
    with pytest.warns(TooFewSamplesWarning):
        out = run_metric(build_metric("intra_fid"), inp, n_boot=20)
    assert out["warnings"] and "rank-deficient" in out["warnings"][0]
    ci = out["ci"]["intra_fid"]
    assert ci["low"] <= ci["high"] and ci["n_boot"] == 20
