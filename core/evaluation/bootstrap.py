r"""Bootstrap confidence intervals for any metric: resample the sample sets with replacement, recompute, take quantiles.

Percentile bootstrap (Efron & Tibshirani, 1993, Ch. 13): for ``b = 1..B`` draw index vectors with replacement for
every sample set (stratified by label when labels are given, so each class keeps its count and per-class metrics
stay defined), evaluate the statistic, and report the ``(1-level)/2`` and ``(1+level)/2`` quantiles and the standard
deviation of the replicates. The generator is seeded, so the interval is reproducible; callers pass inputs in
canonical order (:func:`~condgan.evaluation.arrays.canonical_order`) to make it order invariant as well.

The interval describes the *evaluation* noise (which samples were drawn), not the training noise: report results
over several training seeds for the latter.
"""

from __future__ import annotations

import math
import warnings
from typing import Callable, Mapping, Sequence

import torch
from torch import Tensor


def resample_indices(n: int, generator: torch.Generator, strata: Tensor | None = None) -> Tensor:
    """n indices drawn with replacement; within each stratum separately when ``strata`` (n,) labels are given.

    Example:
        >>> idx = resample_indices(6, torch.Generator().manual_seed(0), torch.tensor([0, 0, 0, 1, 1, 1]))
        >>> bool((idx[:3] < 3).all() and (idx[3:] >= 3).all())  # labels sorted: each class resampled in place
        True
    """
    if strata is None:
        return torch.randint(0, n, (n,), generator=generator)
    out = torch.empty(n, dtype=torch.int64)
    for value in torch.unique(strata):
        members = torch.nonzero(strata == value).squeeze(1)
        out[members] = members[torch.randint(0, members.numel(), (members.numel(),), generator=generator)]
    return out


def bootstrap_ci(statistic: Callable[..., Mapping[str, float]], sizes: Sequence[int],
                 strata: Sequence[Tensor | None] | None = None, n_boot: int = 200, level: float = 0.95,
                 seed: int = 0) -> dict[str, dict[str, float]]:
    """Percentile bootstrap intervals of every scalar the statistic returns.

    ``statistic(*index_tensors) -> {name: float}`` is called with one index vector per sample set (``sizes[i]``
    long). Returns ``{name: {"low", "high", "std", "n_boot"}}``; replicates that raise or give NaN are dropped
    (counted in ``n_boot``), with a warning when more than 10 % fail.

    Example:
        >>> x = torch.arange(100, dtype=torch.float64)
        >>> ci = bootstrap_ci(lambda i: {"mean": float(x[i].mean())}, [100], n_boot=100)
        >>> ci["mean"]["low"] < 49.5 < ci["mean"]["high"]
        True
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1); got {level}")
    strata = list(strata) if strata is not None else [None] * len(sizes)
    gen = torch.Generator().manual_seed(seed)
    replicates: dict[str, list[float]] = {}
    failed = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the full-sample evaluation already reported them
        for _ in range(n_boot):
            idx = [resample_indices(n, gen, s) for n, s in zip(sizes, strata)]
            try:
                values = statistic(*idx)
            except (ValueError, RuntimeError, torch.linalg.LinAlgError):
                failed += 1
                continue
            for name, v in values.items():
                if isinstance(v, (int, float)) and not math.isnan(v):
                    replicates.setdefault(name, []).append(float(v))
    if failed > 0.1 * n_boot:
        warnings.warn(f"bootstrap: {failed} of {n_boot} replicates failed; the interval rests on the rest.",
                      RuntimeWarning, stacklevel=2)
    out = {}
    for name, vals in replicates.items():
        t = torch.tensor(vals, dtype=torch.float64)
        lo, hi = torch.quantile(t, torch.tensor([(1 - level) / 2, (1 + level) / 2], dtype=torch.float64)).tolist()
        out[name] = {"low": lo, "high": hi, "std": float(t.std()) if t.numel() > 1 else 0.0, "n_boot": t.numel()}
    return out
