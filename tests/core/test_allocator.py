"""``run.tune_malloc``: glibc's malloc keeps freed memory (no mmap/munmap of large tensors every step)."""

from __future__ import annotations

import platform

import pytest

from condgan import allocator


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_keep_freed_memory_is_accepted_by_glibc_once():
    assert allocator.keep_freed_memory() is True
    assert allocator.keep_freed_memory() is True  # applied once per process; later calls report the same


def test_run_option_defaults_on_and_can_be_turned_off():
    from condgan.config import RunParams

    assert RunParams().tune_malloc is True
    assert RunParams(tune_malloc=False).tune_malloc is False
