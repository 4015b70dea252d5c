"""Torch's CPU thread count, set for a block and restored after it.

``torch.set_num_threads`` is process-wide; float reductions split over a different number of threads add in a
different order, so a count left behind by one piece of code changes the bits another piece computes (it once broke
the bit-exact resume test). Code in condgan that needs a count sets it with :func:`num_threads` only.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import torch


@contextmanager
def num_threads(n: int | None) -> Iterator[int]:
    """``with num_threads(n):`` runs the block with ``n`` torch CPU threads and restores the previous count after,
    also on an exception. ``n`` of 0 or None leaves the count as it is. Yields the count in force."""
    before = torch.get_num_threads()
    if not n or n == before:
        yield before
        return
    torch.set_num_threads(n)
    try:
        yield n
    finally:
        torch.set_num_threads(before)
