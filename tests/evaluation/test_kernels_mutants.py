"""Mutation-killing tests for core/evaluation/kernels.py (issue 15): the memory contract of the blocked kernel sums
and the choice of method of the unbiased MMD² (Gretton et al., JMLR 2012, Lemma 6).

The value of a blocked kernel sum does not depend on the block size (up to rounding), so a wrong block size is
invisible in the value; what the blocks promise is memory: :func:`kernel_sum` evaluates the kernel on blocks of
``max(1, max_block_elements // n)`` whole rows of x against all n rows of y, so at most ``max_block_elements`` values
exist at once (one row when a row alone is larger). A kernel that records the shapes it is called on checks that.
The ``auto`` method is checked bit for bit: the feature expansion and the kernel blocks round differently, so the
value tells which one ran.
"""

from __future__ import annotations

import pytest
import torch

from condgan.evaluation import kernels as KE


def rand(n, *dims, seed=0, shift=0.0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, *dims, generator=g, dtype=torch.float64) + shift


class Recorder:
    """The degree-2 polynomial kernel, recording the shape of every block it is called on."""

    def __init__(self):
        self.shapes = []

    def __call__(self, a, b):
        self.shapes.append((a.shape[0], b.shape[0]))
        return KE.polynomial_kernel(a, b, degree=2)


@pytest.mark.parametrize("m,n,block,rows", [(5, 3, 7, 2), (5, 1, 3, 3), (4, 3, 2, 1), (3, 2, 1 << 22, 3),
                                            (6, 4, 8, 2)])
def test_kernel_sum_blocks_are_the_largest_whole_rows_that_fit(m, n, block, rows):
    """Blocks of max(1, block // n) rows of x against all of y: (5, 3, 7) -> 2 rows (6 <= 7 values; 3 rows would be
    9); (5, 1, 3) -> 3 rows; (4, 3, 2) -> 1 row (a row alone is 3 > 2 values); the default 2^22 -> all rows."""
    x, y = rand(m, 2, seed=1), rand(n, 2, seed=2)
    rec = Recorder()
    KE.kernel_sum(rec, x, y, max_block_elements=block)
    want = [(min(rows, m - s), n) for s in range(0, m, rows)]
    assert rec.shapes == want
    rec = Recorder()
    KE.kernel_sum(rec, x, x, exclude_diagonal=True, max_block_elements=block)
    rows_x = max(1, block // m)
    starts = range(0, m, rows_x)
    # the off-diagonal sum's blocks, then the diagonal's square blocks of the same rows
    assert rec.shapes == [(min(rows_x, m - s), m) for s in starts] + [(min(rows_x, m - s),) * 2 for s in starts]


def test_mmd2_unbiased_blocks_respect_max_block_elements():
    """mmd2_unbiased passes max_block_elements to each of its three kernel sums (x-x, y-y, x-y)."""
    x, y = rand(5, 2, seed=3), rand(4, 2, seed=4, shift=0.5)
    rec = Recorder()
    KE.mmd2_unbiased(x, y, rec, max_block_elements=8)
    assert rec.shapes == ([(1, 5)] * 5 + [(1, 1)] * 5      # x-x: 8 // 5 = 1 row per block
                          + [(2, 4)] * 2 + [(2, 2)] * 2    # y-y: 8 // 4 = 2 rows
                          + [(2, 4)] * 2 + [(1, 4)])       # x-y: 8 // 4 = 2 rows, 5 rows of x
    assert float(KE.mmd2_unbiased(x, y, rec, max_block_elements=8)) == pytest.approx(
        float(KE.mmd2_unbiased(x, y, degree=2, method="blocks")), rel=1e-12)


def test_mmd2_unbiased_auto_is_features_up_to_4096_then_blocks(monkeypatch):
    """method="auto" is the feature expansion (:func:`polynomial_kernel_sum`) while dim**degree <= 4096 and the kernel
    blocks (:func:`kernel_sum`) above (docstring): features at dim 64 (64² = 4096) and at dim 16, degree 3 (16³ =
    4096) and dim 4096, degree 1, blocks at dim 65, dim 17 and dim 4097, degree 1; any other kernel always uses blocks. Both give the value of the explicit
    U-statistic; which one ran is read from the calls."""
    calls = []
    for name in ("kernel_sum", "polynomial_kernel_sum"):
        real = getattr(KE, name)
        monkeypatch.setattr(KE, name, lambda *a, _real=real, _name=name, **k: calls.append(_name) or _real(*a, **k))
    for dim, degree, used in ((64, 2, "polynomial_kernel_sum"), (65, 2, "kernel_sum"),
                              (16, 3, "polynomial_kernel_sum"), (17, 3, "kernel_sum"), (1, 2, "polynomial_kernel_sum"),
                              (4096, 1, "polynomial_kernel_sum"), (4097, 1, "kernel_sum")):
        x, y = rand(4, dim, seed=dim), rand(3, dim, seed=dim + 100, shift=0.5)
        calls.clear()
        value = KE.mmd2_unbiased(x, y, degree=degree)
        assert calls == [used] * 3, (dim, degree)
        assert float(value) == pytest.approx(float(KE.mmd2_unbiased(x, y, degree=degree, method="blocks")), rel=1e-9)
    calls.clear()
    KE.mmd2_unbiased(rand(4, 1, seed=7), rand(3, 1, seed=8), "gaussian", bandwidth=1.0)
    assert calls == ["kernel_sum"] * 3
