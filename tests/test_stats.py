"""condgan.stats: the bootstrap intervals, the one-sided tests and the verdict rule behind the claims tables.

Each expected value is worked out by hand (exact rank-test p-values, the bootstrap distribution of two values), so
a swapped direction, a wrong tail or a changed constant fails here."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from condgan import stats
from condgan.evaluation.bootstrap import bootstrap_ci
from condgan.stats import DOES_NOT_HOLD, HOLDS, INCONCLUSIVE, Interval, bootstrap_mean_ci, compare, verdict

LOW, HIGH = [1.0, 2.0, 3.0, 4.0, 5.0], [6.0, 7.0, 8.0, 9.0, 10.0]


# -- bootstrap -----------------------------------------------------------------------------------------------------
def test_the_constants_the_pages_state():
    assert (stats.ALPHA, stats.LEVEL, stats.RESAMPLES, stats.MIN_N_FOR_INTERVAL) == (0.05, 0.95, 10_000, 5)


def test_bootstrap_of_two_values_has_the_known_distribution():
    """Resampling {0, 1} gives means 0, 1/2, 1 with probabilities 1/4, 1/2, 1/4: the 95% interval is [0, 1] and the
    40% interval (the 30% and 70% quantiles) is [1/2, 1/2]; a wrong tail ((1 - level) instead of its half, or the
    level itself) gives other bounds."""
    assert bootstrap_mean_ci([0.0, 1.0]) == Interval(0.5, 0.0, 1.0, 2)
    assert bootstrap_mean_ci([0.0, 1.0], level=0.4) == Interval(0.5, 0.5, 0.5, 2)
    assert bootstrap_mean_ci([0.0, 1.0], level=0.8) == Interval(0.5, 0.0, 1.0, 2)  # 10% < P(mean = 0) = 25%


def test_bootstrap_draws_the_replicates_of_condgans_bootstrap():
    """One concept: the interval is the one condgan.evaluation.bootstrap.bootstrap_ci gives for the mean."""
    x = [1.0, 2.5, 3.0, 4.0, 7.2, -1.0]
    t = torch.tensor(x, dtype=torch.float64)
    ref = bootstrap_ci(lambda i: {"m": float(t[i].mean())}, [len(x)], n_boot=500, level=0.9, seed=7)["m"]
    iv = bootstrap_mean_ci(x, level=0.9, resamples=500, seed=7)
    assert iv.low == pytest.approx(ref["low"], abs=1e-12) and iv.high == pytest.approx(ref["high"], abs=1e-12)
    assert iv.mean == pytest.approx(np.mean(x)) and iv.n == 6


def test_bootstrap_is_seeded():
    x = [0.3, 1.9, 2.2, 5.0, 0.1, 3.3, 2.8]
    assert bootstrap_mean_ci(x, seed=1) == bootstrap_mean_ci(x, seed=1)
    assert bootstrap_mean_ci(x, seed=1) != bootstrap_mean_ci(x, seed=2)


def test_bootstrap_covers_the_mean_about_as_often_as_it_says():
    """Percentile bootstrap of a normal mean, n = 20, 100 samples: coverage near 95% (a little under: it is known to
    run a bit narrow); 99% intervals cover more often. A wrong tail would cover about 5% or 100% of the time."""
    samples = np.random.default_rng(0).normal(2.0, 1.0, size=(100, 20))

    def coverage(level):
        ivs = [bootstrap_mean_ci(s, level=level, resamples=500, seed=i) for i, s in enumerate(samples)]
        return np.mean([iv.low <= 2.0 <= iv.high for iv in ivs])

    cover95, cover99 = coverage(0.95), coverage(0.99)
    assert 0.85 <= cover95 <= 0.99
    assert cover99 >= cover95 and cover99 >= 0.93


@given(st.lists(st.floats(-100, 100), min_size=2, max_size=8), st.floats(-50, 50), st.floats(0.1, 10))
def test_bootstrap_moves_with_a_shift_and_a_scale(values, shift, scale):
    """Resampling the same indices: the interval of a*x + b is a*interval + b; it lies within [min, max]."""
    base = bootstrap_mean_ci(values, resamples=200)
    moved = bootstrap_mean_ci([scale * v + shift for v in values], resamples=200)
    assert moved.low == pytest.approx(scale * base.low + shift, abs=1e-6)
    assert moved.high == pytest.approx(scale * base.high + shift, abs=1e-6)
    assert min(values) - 1e-9 <= base.low <= base.mean + 1e-9 and base.mean - 1e-9 <= base.high <= max(values) + 1e-9


def test_bootstrap_of_one_or_no_value():
    one = bootstrap_mean_ci([3.0])
    assert one.mean == 3.0 and one.n == 1 and math.isnan(one.low) and math.isnan(one.high)
    assert bootstrap_mean_ci([]).n == 0 and math.isnan(bootstrap_mean_ci([]).mean)
    with pytest.raises(ValueError, match="finite"):
        bootstrap_mean_ci([1.0, float("nan")])


def test_difference_interval_paired_and_unpaired():
    a, b = [1.0, 2.0, 3.0, 4.0], [0.5, 1.0, 3.5, 2.0]
    assert stats.bootstrap_difference_ci(a, b, paired=True) == bootstrap_mean_ci(np.subtract(a, b))
    un = stats.bootstrap_difference_ci(a, b, paired=False)
    assert un.mean == pytest.approx(np.mean(a) - np.mean(b)) and un.n == 4 and un.low < un.mean < un.high
    shifted = stats.bootstrap_difference_ci(a, [v + 10 for v in b], paired=False)  # same draws, moved by -10
    assert (shifted.low, shifted.high) == pytest.approx((un.low - 10, un.high - 10))
    # a group of one value makes no interval; unequal pairs are an error
    assert math.isnan(stats.bootstrap_difference_ci(a, [1.0], paired=False).low)
    with pytest.raises(ValueError, match="equal lengths"):
        stats.bootstrap_difference_ci(a, b[:3], paired=True)


# -- tests ---------------------------------------------------------------------------------------------------------
def test_mann_whitney_exact_p_values_and_directions():
    """5 vs 5 fully separated: one-sided p = 1 / C(10, 5) = 1/252 in the true direction."""
    assert stats.mann_whitney_p(LOW, HIGH, "less") == pytest.approx(1 / 252)
    assert stats.mann_whitney_p(HIGH, LOW, "greater") == pytest.approx(1 / 252)
    assert stats.mann_whitney_p(LOW, HIGH, "greater") == pytest.approx(1.0)
    assert stats.mann_whitney_p([1.0, 2.0], [3.0, 4.0], "less") == pytest.approx(1 / 6)  # C(4, 2) = 6
    assert math.isnan(stats.mann_whitney_p([], HIGH, "less"))


def test_signed_rank_exact_p_values_and_directions():
    """n differences all of one sign: one-sided p = 2^-n in that direction, 1 in the other."""
    neg = [-1.0, -2.0, -3.0, -4.0, -5.0]
    assert stats.signed_rank_p(neg, "less") == pytest.approx(1 / 32)
    assert stats.signed_rank_p(neg, "greater") == pytest.approx(1.0)
    assert stats.signed_rank_p([-1.0, -2.0], "less") == pytest.approx(0.25)
    assert stats.signed_rank_p([2.0], "greater") == pytest.approx(0.5)
    # ranks, not signs: one large positive difference outweighs two small negative ones (W+ = 3 of 6)
    assert stats.signed_rank_p([-0.1, -0.2, 5.0], "less") == pytest.approx(0.625)
    assert stats.signed_rank_p([0.0, 0.0], "less") == 1.0 and math.isnan(stats.signed_rank_p([], "less"))


def test_directions_are_checked():
    with pytest.raises(ValueError, match="direction"):
        stats.mann_whitney_p(LOW, HIGH, "two-sided")
    with pytest.raises(ValueError, match="direction"):
        verdict(0.01, 0.9, Interval(0, 0, 0, 5), "lower")
    assert stats.opposite("less") == "greater" and stats.opposite("greater") == "less"


# -- the verdict rule ----------------------------------------------------------------------------------------------
FLAT = Interval(0.0, -1.0, 1.0, 8)


@pytest.mark.parametrize("p, p_opp, effect, direction, expected", [
    (0.049, 0.9, FLAT, "less", HOLDS),
    (0.05, 0.9, FLAT, "less", INCONCLUSIVE),            # strict: p must be below alpha
    (0.3, 0.049, FLAT, "less", DOES_NOT_HOLD),
    (0.3, 0.3, FLAT, "less", INCONCLUSIVE),
    (0.3, 0.3, Interval(2.0, 0.5, 3.0, 5), "less", DOES_NOT_HOLD),     # whole interval above 0, "less" claimed
    (0.3, 0.3, Interval(2.0, 0.5, 3.0, 4), "less", INCONCLUSIVE),      # ... but from 4 seeds only
    (0.3, 0.3, Interval(2.0, 0.5, 3.0, 5), "greater", INCONCLUSIVE),   # the right side for "greater"
    (0.3, 0.3, Interval(-2.0, -3.0, -0.5, 5), "greater", DOES_NOT_HOLD),
    (0.3, 0.3, Interval(-2.0, -3.0, -0.5, 5), "less", INCONCLUSIVE),
    (0.01, 0.3, Interval(2.0, 0.5, 3.0, 6), "less", INCONCLUSIVE),     # ranks and means disagree
    (math.nan, math.nan, Interval(math.nan, math.nan, math.nan, 0), "less", INCONCLUSIVE),
])
def test_verdict_rule(p, p_opp, effect, direction, expected):
    assert verdict(p, p_opp, effect, direction) == expected


# -- compare: the whole chain --------------------------------------------------------------------------------------
def test_compare_two_groups():
    c = compare(LOW, HIGH, "less")
    assert (c.test, c.verdict) == ("Mann-Whitney U", HOLDS) and c.p == pytest.approx(1 / 252)
    assert c.effect.mean == pytest.approx(-5.0)
    assert compare(LOW, HIGH, "greater").verdict == DOES_NOT_HOLD
    assert compare(LOW[:2], HIGH[:2], "less").verdict == INCONCLUSIVE  # 2 vs 2: p >= 1/6


def test_compare_with_a_factor():
    """"a is more than 10x b": compared against 10 * b."""
    a, b = [11.0, 12.0, 13.0, 14.0, 15.0], [1.0, 1.01, 0.99, 1.02, 0.98]
    assert compare(a, b, "greater", factor=10).verdict == HOLDS
    assert compare(a, b, "greater", factor=20).verdict == DOES_NOT_HOLD
    assert compare(a, b, "greater", factor=20).effect.mean == pytest.approx(np.mean(a) - 20 * np.mean(b))


def test_compare_paired_and_against_a_constant():
    a, b = [1.0, 2.0, 3.0, 4.0, 5.0], [1.5, 2.6, 3.2, 4.9, 5.05]  # a below b on every seed
    c = compare(a, b, "less", paired=True)
    assert c.test.startswith("Wilcoxon") and c.p == pytest.approx(1 / 32) and c.verdict == HOLDS
    assert compare(b, a, "less", paired=True).verdict == DOES_NOT_HOLD
    with pytest.raises(ValueError, match="equal lengths"):
        compare(a, b[:4], "less", paired=True)
    k = compare([0.01, 0.02, 0.005, 0.015, 0.012], 0.03, "less")
    assert k.p == pytest.approx(1 / 32) and k.verdict == HOLDS and k.effect.mean == pytest.approx(0.0124 - 0.03)
    assert compare([0.01, 0.02], 0.03, "less").verdict == INCONCLUSIVE
