"""Hypothesis strategies for condgan's math: logits, probability simplexes, labels, condition vectors and specs,
small image batches. Inputs are built directly (a softmax of bounded logits is a simplex), never filtered.

>>> from hypothesis import given
>>> @given(simplex(max_classes=5))
... def test_sums_to_one(p):
...     assert abs(float(p.sum()) - 1) < 1e-9
"""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ..conditions import ConditionSpec, Group

F32 = dict(width=32, allow_nan=False, allow_infinity=False, allow_subnormal=False)
F64 = dict(allow_nan=False, allow_infinity=False, allow_subnormal=False)


def _floats(dtype, lo: float, hi: float):
    return st.floats(lo, hi, **(F32 if dtype == np.float32 else F64))


@st.composite
def logits(draw, batch: tuple[int, int] = (1, 8), classes: tuple[int, int] = (2, 12), bound: float = 30.0,
           dtype=torch.float64) -> torch.Tensor:
    """A ``(B, K)`` tensor of bounded logits."""
    npd = np.float32 if dtype == torch.float32 else np.float64
    b, k = draw(st.integers(*batch)), draw(st.integers(*classes))
    return torch.from_numpy(draw(hnp.arrays(npd, (b, k), elements=_floats(npd, -bound, bound))))


@st.composite
def simplex(draw, max_classes: int = 12, min_classes: int = 2, batch: int | None = None, spread: float = 20.0,
            dtype=torch.float64) -> torch.Tensor:
    """A probability vector ``(K,)`` (or ``(batch, K)``), the softmax of bounded logits: strictly positive, sums to 1."""
    k = draw(st.integers(min_classes, max_classes))
    shape = (k,) if batch is None else (batch, k)
    z = draw(hnp.arrays(np.float64, shape, elements=_floats(np.float64, -spread, spread)))
    return torch.softmax(torch.from_numpy(z), -1).to(dtype)


def labels(batch: int, num_classes: int):
    """``(batch,)`` int64 labels in ``[0, num_classes)``."""
    return st.lists(st.integers(0, num_classes - 1), min_size=batch, max_size=batch).map(lambda v: torch.tensor(v, dtype=torch.long))


@st.composite
def condition_specs(draw, max_groups: int = 3, max_size: int = 5) -> ConditionSpec:
    """Specs with 1-3 groups of 2-5 values (a group of 2 is a binary attribute)."""
    sizes = draw(st.lists(st.integers(2, max_size), min_size=1, max_size=max_groups))
    return ConditionSpec(tuple(Group(f"g{i}", s) for i, s in enumerate(sizes)))


@st.composite
def conditions(draw, spec: ConditionSpec | None = None, batch: tuple[int, int] = (1, 8)) -> tuple[ConditionSpec, torch.Tensor]:
    """``(spec, c)`` with ``c: (B, K)`` valid condition vectors (one one-hot per group)."""
    spec = spec or draw(condition_specs())
    b = draw(st.integers(*batch))
    cols = [draw(labels(b, g.size)) for g in spec.groups]
    return spec, spec.encode(torch.stack(cols, 1))


@st.composite
def binary_conditions(draw, batch: tuple[int, int] = (1, 8), width: tuple[int, int] = (1, 8)) -> torch.Tensor:
    """``(B, K)`` arbitrary 0/1 vectors (CA-GAN's multi-condition case; all-zero rows allowed)."""
    b, k = draw(st.integers(*batch)), draw(st.integers(*width))
    bits = draw(st.lists(st.integers(0, 1), min_size=b * k, max_size=b * k))
    return torch.tensor(bits, dtype=torch.float64).view(b, k)


@st.composite
def image_batches(draw, batch: tuple[int, int] = (1, 4), channels: tuple[int, ...] = (1, 3), size: int = 8,
                  dtype=torch.float32) -> torch.Tensor:
    """``(B, C, size, size)`` images in [-1, 1]."""
    npd = np.float32 if dtype == torch.float32 else np.float64
    b, c = draw(st.integers(*batch)), draw(st.sampled_from(channels))
    return torch.from_numpy(draw(hnp.arrays(npd, (b, c, size, size), elements=_floats(npd, -1.0, 1.0))))


seeds = st.integers(0, 2**31 - 1)
