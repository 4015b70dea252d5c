"""TensorBoard event files beside ``metrics.csv``: the logged scalars, the evaluation metrics and the sample grids.

``train`` opens one writer per run (rank 0) when ``run.tensorboard`` is true and the ``tensorboard`` package is
importable (``pip install condgan[tensorboard]``); the event files go into the run directory itself, so
``tensorboard --logdir runs/`` shows every run (and a seed group's seeds) by its folder. ``metrics.csv`` stays the
source of truth: every row written there is mirrored here, nothing else.

Resuming from step ``S`` opens the writer with ``purge_step = S + 1``: TensorBoard drops the events at steps after
``S`` that the interrupted process wrote after its last checkpoint, so the curve continues without duplicated steps
(the same rows ``metrics.csv`` cuts). The writer is flushed at every checkpoint. Writing reads no random number and
changes nothing the run computes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

SKIP = ("step", "time_s")


def tensorboard_available() -> bool:
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        return False
    return True


class TensorBoardLog:
    """A ``SummaryWriter`` on ``run_dir`` that mirrors metric rows and sample grids."""

    def __init__(self, run_dir: str | Path, purge_step: int | None = None):
        from torch.utils.tensorboard import SummaryWriter

        self.writer = SummaryWriter(log_dir=str(run_dir), purge_step=purge_step, flush_secs=60)

    def row(self, row: dict[str, Any]) -> None:
        """Every numeric value of a ``metrics.csv`` row as a scalar at ``row["step"]`` (strings are parsed; lists,
        such as per-class values, are skipped)."""
        step = int(float(row["step"]))
        for key, value in row.items():
            if key in SKIP or isinstance(value, (list, tuple, dict)) or value in (None, ""):
                continue
            try:
                x = float(value)
            except (TypeError, ValueError):
                continue
            self.writer.add_scalar(key, x, step)

    def image(self, tag: str, png: str | Path, step: int) -> None:
        """A PNG the run wrote (a sample grid) as an image at ``step``."""
        import numpy as np
        from PIL import Image

        with Image.open(png) as im:
            self.writer.add_image(tag, np.asarray(im.convert("RGB")), step, dataformats="HWC")

    def flush(self) -> None:
        self.writer.flush()

    def close(self) -> None:
        self.writer.close()


def open_tensorboard(run_dir: str | Path, enabled: bool, resume_step: int | None) -> TensorBoardLog | None:
    """The run's writer, or None when ``run.tensorboard`` is false or the package is not installed."""
    if not enabled or not tensorboard_available():
        return None
    return TensorBoardLog(run_dir, purge_step=None if resume_step is None else resume_step + 1)
