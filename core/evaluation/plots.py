"""``condgan plot RUN_DIR [RUN_DIR ...] --metric NAME``: one metric against the step for several runs in one PNG
(the papers' FID-against-epoch figures). Reads each run's ``metrics.csv``; ``NAME`` matches a column exactly or
as ``eval/NAME``. A seed group (condgan.groups) is drawn as its mean over seeds with a 95% interval band."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Sequence

from ..errors import CondganError


def read_metric(run_dir: str | Path, metric: str) -> tuple[list[int], list[float]]:
    """(steps, values) of one column of ``run_dir/metrics.csv``; rows without a value are skipped."""
    path = Path(run_dir) / "metrics.csv"
    if not path.exists():
        raise CondganError(f"{run_dir} has no metrics.csv (is it a condgan run directory?)")
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    columns = rows[0].keys() if rows else []
    column = metric if metric in columns else f"eval/{metric}"
    if column not in columns:
        raise CondganError(f"{path}: no column '{metric}' or 'eval/{metric}'; columns: {', '.join(columns)}")
    steps, values = [], []
    for row in rows:
        v = row.get(column)
        if v not in (None, ""):
            try:
                x = float(v)
            except ValueError:
                continue
            if math.isfinite(x):
                steps.append(int(float(row["step"])))
                values.append(x)
    return steps, values


def plot_runs(run_dirs: Sequence[str | Path], metric: str, out_png: str | Path, labels: Sequence[str] | None = None,
              log_y: bool = False) -> Path:
    """Draw ``metric`` against the step for every run (legend: the run folder names) into ``out_png``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..groups import group_curve, is_group, seed_runs

    fig, ax = plt.subplots(figsize=(6, 4), dpi=120)
    for i, run in enumerate(run_dirs):
        label = labels[i] if labels else Path(run).name
        if is_group(run):  # a seed group: the mean over seeds, and its 95% bootstrap interval as a band
            steps, values, low, high = group_curve(run, metric)
            label += f" (mean of {len(seed_runs(run))} seeds, 95% CI)"
        else:
            steps, values = read_metric(run, metric)
        if not steps:
            raise CondganError(f"{run}: column '{metric}' holds no values")
        line, = ax.plot(steps, values, marker="o" if len(steps) < 30 else None, ms=3, label=label)
        if is_group(run):
            ax.fill_between(steps, low, high, color=line.get_color(), alpha=0.25, linewidth=0)
    ax.set_xlabel("step")
    ax.set_ylabel(metric)
    if log_y:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    out_png = Path(out_png)
    out_png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_png)
    plt.close(fig)
    return out_png
