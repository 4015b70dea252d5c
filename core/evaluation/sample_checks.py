"""Sample-count checks shared by the metrics: too few samples is an error or a warning, never silent noise.

Rules (each metric's docstring repeats the one it applies):

* a statistic that is undefined for ``n`` samples (a covariance from one sample, a k-NN radius from ``k`` samples)
  raises :class:`TooFewSamplesError` naming the metric, the set (or class) and the counts;
* a statistic that is defined but strongly biased (a Fréchet distance whose covariance is rank-deficient because
  ``n <= feature_dim``) emits :class:`TooFewSamplesWarning` with the same details and what to do instead.
"""

from __future__ import annotations

import warnings
from typing import Mapping

from ..errors import CondganError


class TooFewSamplesError(CondganError, ValueError):
    """A metric was handed fewer samples than its definition needs."""


class TooFewSamplesWarning(UserWarning):
    """A metric is defined for this many samples but its estimate is unreliable (biased or very noisy)."""


def require_at_least(metric: str, counts: Mapping[str, int], minimum: int, why: str) -> None:
    """Raise :class:`TooFewSamplesError` if any named count is below ``minimum``.

    Example:
        >>> try:
        ...     require_at_least("FID", {"real": 5, "fake": 1}, 2, "a covariance needs two samples")
        ... except TooFewSamplesError as err:
        ...     print(err)
        FID needs at least 2 samples per set (a covariance needs two samples); got fake=1.
    """
    low = {k: v for k, v in counts.items() if v < minimum}
    if low:
        got = ", ".join(f"{k}={v}" for k, v in low.items())
        raise TooFewSamplesError(f"{metric} needs at least {minimum} samples per set ({why}); got {got}.")


def warn_if_rank_deficient(metric: str, counts: Mapping[str, int], feature_dim: int, stacklevel: int = 3) -> list[str]:
    """Warn when a covariance is estimated from ``n <= feature_dim`` samples (rank at most n - 1 < F).

    Returns the warning texts (also stored by the evaluator in ``eval.json``); empty when all counts suffice.
    """
    low = {k: v for k, v in counts.items() if v <= feature_dim}
    if not low:
        return []
    got = ", ".join(f"{k}={v}" for k, v in low.items())
    msg = (f"{metric}: {got} samples for {feature_dim}-dimensional features; the covariance is rank-deficient "
           f"(rank <= n-1 < {feature_dim}) and the distance is biased upward. Use more than {feature_dim} samples "
           f"per set (ideally >= {10 * feature_dim}), lower-dimensional features, or KID, which is unbiased.")
    warnings.warn(msg, TooFewSamplesWarning, stacklevel=stacklevel)
    return [msg]


def warn_if_few_per_class(metric: str, n: int, num_classes: int, per_class: int = 5, stacklevel: int = 3) -> list[str]:
    """Warn when ``n`` samples give fewer than ``per_class`` per class on average: a K-class marginal (the Inception,
    Mode and AM Scores, class histograms, cluster mappings) estimated from so few is mostly sampling noise."""
    if n >= per_class * num_classes:
        return []
    msg = (f"{metric}: {n} samples for {num_classes} classes (fewer than {per_class} per class); the class marginal "
           f"is mostly sampling noise. Use at least {per_class * num_classes}, ideally {100 * num_classes}.")
    warnings.warn(msg, TooFewSamplesWarning, stacklevel=stacklevel)
    return [msg]
