"""The C allocator under CPU tensors: keep freed memory instead of handing it back to the system every step.

glibc's malloc serves large blocks (from 128 KiB, adjusted dynamically) with ``mmap`` and returns them with
``munmap``, and trims the top of the heap when enough is free. A training step allocates and frees the same large
tensors (activations, gradients, optimizer temporaries) again and again, so every step pays page faults for memory it
had a moment ago. Measured on the benchmark's 4x512 MLP (``benchmarks/``, one thread): about 15.5 ms per step with
glibc's defaults, 12.5 ms with :func:`keep_freed_memory` (both the framework and a hand-written loop in the same
process speed up alike). The cost: the process keeps its peak heap (up to 1 GiB above it before trimming).

``run.tune_malloc`` (default true) applies it once per process when training on the CPU. Linux with glibc only;
elsewhere it does nothing. Jemalloc or tcmalloc (``LD_PRELOAD``) achieve the same and are left alone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform

#: mallopt parameters (glibc malloc.h)
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
#: glibc accepts mmap thresholds up to 32 MiB on 64-bit systems (DEFAULT_MMAP_THRESHOLD_MAX)
MMAP_THRESHOLD = 32 * 2**20
TRIM_THRESHOLD = 2**30

_applied: bool | None = None


def keep_freed_memory() -> bool:
    """Serve blocks up to 32 MiB from the heap and trim it only past 1 GiB free (process-wide, once).

    Returns whether glibc accepted both settings (False off Linux/glibc)."""
    global _applied
    if _applied is not None:
        return _applied
    _applied = False
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        _applied = bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    except (OSError, AttributeError):
        _applied = False
    return _applied
