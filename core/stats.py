"""Statistics over seeds for the claims tables (issue 16): bootstrap intervals, one-sided rank tests, a verdict.

Pure functions of per-seed values (sequences of floats), with scipy for the tests and torch's seeded generator
for the resampling (imported when called, so importing this module stays cheap). The claims tables
(:mod:`condgan.claims`) call :func:`compare`, which chains the rest:

* :func:`bootstrap_mean_ci`: the mean over seeds with a percentile-bootstrap interval (seeded generator; the
  replicates of :func:`condgan.evaluation.bootstrap.bootstrap_ci`, drawn at once);
* :func:`bootstrap_difference_ci`: the same for a difference of means (paired by seed, or two independent groups);
* :func:`mann_whitney_p` (two groups), :func:`signed_rank_p` (paired differences, or values against a constant):
  one-sided p-values from scipy's exact tests where the sample allows;
* :func:`verdict`: holds / does not hold / inconclusive at this n (the rule is in its docstring).

Directions are scipy's: ``"less"`` claims that the first sample lies below the second, ``"greater"`` above.
"""

from __future__ import annotations

import math
import warnings
from typing import Sequence

import attrs
import numpy as np

#: significance level of the one-sided tests
ALPHA = 0.05
#: coverage of the bootstrap intervals
LEVEL = 0.95
#: bootstrap resamples
RESAMPLES = 10_000
#: the "whole interval on the wrong side" rule decides a verdict only from this many seeds per side: below it the
#: percentile bootstrap of a mean is far too narrow (n = 2 gives the two values themselves as the interval)
MIN_N_FOR_INTERVAL = 5

HOLDS = "holds"
DOES_NOT_HOLD = "does not hold"
INCONCLUSIVE = "inconclusive at this n"
DIRECTIONS = ("less", "greater")


@attrs.frozen
class Interval:
    """A mean with its bootstrap interval over ``n`` values (``low``/``high`` are NaN when ``n < 2``)."""

    mean: float
    low: float
    high: float
    n: int


@attrs.frozen
class Comparison:
    """The outcome of :func:`compare`: the test's name, both one-sided p-values, the effect's interval, the verdict.

    ``effect`` is ``mean(a) - reference`` where the reference is ``factor * mean(b)`` or the constant."""

    test: str
    p: float
    p_opposite: float
    effect: Interval
    verdict: str


def opposite(direction: str) -> str:
    """``"less"`` <-> ``"greater"``."""
    _check_direction(direction)
    return "greater" if direction == "less" else "less"


def _check_direction(direction: str) -> None:
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")


def _array(values: Sequence[float]) -> np.ndarray:
    x = np.asarray(values, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(x)):
        raise ValueError(f"per-seed values must be finite, got {x.tolist()}")
    return x


def _replicate_means(x: np.ndarray, resamples: int, generator) -> np.ndarray:
    """The means of ``resamples`` resamples of x drawn with replacement: one (resamples, n) index draw from the
    torch generator (the draws of :func:`condgan.evaluation.bootstrap.bootstrap_ci`), averaged in numpy (torch's
    thread pool costs more than the work on a busy machine)."""
    import torch

    idx = torch.randint(0, len(x), (resamples, len(x)), generator=generator).numpy()
    return x[idx].mean(axis=1)


def _percentiles(replicates: np.ndarray, level: float) -> tuple[float, float]:
    """The ((1 - level)/2, (1 + level)/2) quantiles, linearly interpolated (as ``torch.quantile``)."""
    low, high = np.quantile(replicates, [(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    return float(low), float(high)


def bootstrap_mean_ci(values: Sequence[float], *, level: float = LEVEL, resamples: int = RESAMPLES,
                      seed: int = 0) -> Interval:
    """Mean of ``values`` with a percentile-bootstrap interval.

    Draw ``resamples`` samples of size n with replacement from the values (``torch.Generator().manual_seed(seed)``),
    take each one's mean m*_b; the interval is the ((1 - level)/2, (1 + level)/2) quantiles of the m*_b (linear
    interpolation). These are the replicates :func:`condgan.evaluation.bootstrap.bootstrap_ci` draws for one sample
    set with the same seed, drawn at once instead of one by one. One value has no interval (NaN bounds); none has
    no mean either."""
    import torch

    x = _array(values)
    n = len(x)
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, 0)
    if n == 1:
        return Interval(float(x[0]), math.nan, math.nan, 1)
    means = _replicate_means(x, resamples, torch.Generator().manual_seed(seed))
    return Interval(float(x.mean()), *_percentiles(means, level), n)


def bootstrap_difference_ci(a: Sequence[float], b: Sequence[float], *, paired: bool, level: float = LEVEL,
                            resamples: int = RESAMPLES, seed: int = 0) -> Interval:
    """mean(a) - mean(b) with a percentile-bootstrap interval; ``n`` is the smaller group's size.

    Paired (``a[i]`` and ``b[i]`` share seed i): the interval of the mean of the differences a_i - b_i
    (:func:`bootstrap_mean_ci`). Unpaired: a and b are resampled independently (a's resamples drawn first, then
    b's, from one seeded generator), each pair giving mean(a*) - mean(b*). No interval (NaN bounds) when either
    group has fewer than two values."""
    import torch

    x, y = _array(a), _array(b)
    if paired:
        if len(x) != len(y):
            raise ValueError(f"paired samples need equal lengths, got {len(x)} and {len(y)}")
        return bootstrap_mean_ci(x - y, level=level, resamples=resamples, seed=seed)
    n = min(len(x), len(y))
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, 0)
    diff = float(x.mean() - y.mean())
    if n == 1:
        return Interval(diff, math.nan, math.nan, 1)
    gen = torch.Generator().manual_seed(seed)
    mx = _replicate_means(x, resamples, gen)
    my = _replicate_means(y, resamples, gen)
    return Interval(diff, *_percentiles(mx - my, level), n)


def mann_whitney_p(a: Sequence[float], b: Sequence[float], direction: str) -> float:
    """One-sided p-value of the Mann-Whitney U test (``scipy.stats.mannwhitneyu``, exact when there are no ties).

    H1 for ``"less"``: a is stochastically smaller than b, P(a < b) > 1/2 (``"greater"``: larger). NaN when a
    group is empty. The smallest p-value with n and m values is 1 / C(n + m, n): 0.167 for 2 vs 2, 0.004 for 5 vs 5."""
    from scipy import stats

    _check_direction(direction)
    x, y = _array(a), _array(b)
    if len(x) == 0 or len(y) == 0:
        return math.nan
    return float(stats.mannwhitneyu(x, y, alternative=direction).pvalue)


def signed_rank_p(differences: Sequence[float], direction: str) -> float:
    """One-sided p-value of the Wilcoxon signed-rank test of differences d_i (``scipy.stats.wilcoxon``).

    H1 for ``"less"``: the d_i are centred below 0 (``"greater"``: above). Used for paired seeds (d_i = a_i - b_i)
    and for values against a constant (d_i = a_i - c). Zero differences are dropped (Wilcoxon's rule); when all
    are zero there is no evidence either way (p = 1). NaN when there are no differences. The smallest p-value with
    n non-zero differences is 2^-n: 0.25 for 2 seeds, 0.031 for 5."""
    from scipy import stats

    _check_direction(direction)
    d = _array(differences)
    if len(d) == 0:
        return math.nan
    if not np.any(d):
        return 1.0
    with warnings.catch_warnings():  # one non-zero difference: scipy's normal approximation divides by zero
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(stats.wilcoxon(d, alternative=direction).pvalue)


def verdict(p: float, p_opposite: float, effect: Interval, direction: str, *, alpha: float = ALPHA,
            min_n: int = MIN_N_FOR_INTERVAL) -> str:
    """The verdict on a claim "a lies ``direction`` of the reference" from its two one-sided tests and its effect.

    * **for** the claim: the test in the claimed direction has p < ``alpha``;
    * **against** it: the test in the opposite direction has p < ``alpha``, or, with at least ``min_n`` values
      per side, the effect's whole interval lies on the wrong side of 0 (low > 0 when ``"less"`` is claimed,
      high < 0 when ``"greater"`` is);
    * **holds** when there is evidence for and none against; **does not hold** when there is evidence against and
      none for; otherwise (neither, or a rank test and the means' interval disagreeing) **inconclusive at this n**.

    NaN p-values (empty samples) count as no evidence."""
    _check_direction(direction)
    claimed = p < alpha
    wrong_side = effect.n >= min_n and (effect.low > 0 if direction == "less" else effect.high < 0)
    against = p_opposite < alpha or wrong_side
    if claimed and not against:
        return HOLDS
    if against and not claimed:
        return DOES_NOT_HOLD
    return INCONCLUSIVE


def compare(a: Sequence[float], b: Sequence[float] | float, direction: str, *, paired: bool = False,
            factor: float = 1.0, seed: int = 0) -> Comparison:
    """Test the claim "a lies ``direction`` of b" over seeds and give the verdict (:func:`verdict`).

    ``b`` is a second group, compared as ``factor * b`` (e.g. "a is more than 10x b": ``factor=10``), or a number
    (a constant threshold; ``factor`` does not apply). Two groups: Mann-Whitney U, or with ``paired`` (a[i] and
    b[i] share seed i) the Wilcoxon signed-rank test of a_i - factor * b_i. A constant c: the signed-rank test of
    a_i - c. The effect is the difference of means with its bootstrap interval (seeded by ``seed``)."""
    _check_direction(direction)
    x = _array(a)
    if isinstance(b, (int, float)):
        d = x - float(b)
        test = "Wilcoxon signed-rank against the constant"
        p, p_opp = signed_rank_p(d, direction), signed_rank_p(d, opposite(direction))
        effect = bootstrap_mean_ci(d, seed=seed)
    else:
        y = factor * _array(b)
        if paired:
            test = "Wilcoxon signed-rank, paired by seed"
            if len(x) != len(y):
                raise ValueError(f"paired samples need equal lengths, got {len(x)} and {len(y)}")
            p, p_opp = signed_rank_p(x - y, direction), signed_rank_p(x - y, opposite(direction))
        else:
            test = "Mann-Whitney U"
            p, p_opp = mann_whitney_p(x, y, direction), mann_whitney_p(x, y, opposite(direction))
        effect = bootstrap_difference_ci(x, y, paired=paired, seed=seed)
    return Comparison(test, p, p_opp, effect, verdict(p, p_opp, effect, direction))
