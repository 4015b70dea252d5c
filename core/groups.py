"""Seed groups: one config trained once per seed, in worker processes, and reported as a mean over seeds.

``condgan train CONFIG --seeds 0-4`` calls :func:`train_group`: the group directory ``<out>/<name>/`` holds
``group.json`` (the config and the seeds) and one run directory per seed, ``seed-<s>/``, trained with
``run.seed = s`` in a :class:`~condgan.interrupts.StoppablePool` of spawn workers (``--workers``, default: the
cores; a worker uses one torch thread unless the config sets ``run.threads``). Each seed is an ordinary run:
locked, checkpointed and resumable on its own. ``--resume <group>`` resumes the unfinished seeds and skips the
finished ones (newest checkpoint at ``run.steps``). Ctrl-C / SIGTERM stop the whole group: every running seed
checkpoints and the command exits 130.

``condgan evaluate <group>`` evaluates every seed (``eval.json`` in each) and writes ``group_eval.json`` and
``group_eval.md`` beside them: per metric value the mean over seeds and a 95% percentile-bootstrap interval over seeds
(:func:`mean_over_seeds`, resampling seeds with :func:`condgan.evaluation.bootstrap.bootstrap_ci`).
``condgan plot <group>`` draws the mean curve with that interval as a band (:func:`group_curve`).

This interval describes the *training* noise (which seed), unlike the per-run intervals of ``condgan evaluate``,
which describe the evaluation noise. A group is one arm of the experiment harness (:mod:`condgan.experiments`),
which the reproductions use for their arms and seeds.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any, Sequence

from .checkpoint import atomic_write_text
from .errors import CondganError, ConfigError

GROUP_FILE = "group.json"
SEED_DIR = re.compile(r"^seed-(\d+)$")


def parse_seeds(text: str) -> list[int]:
    """``"0-4"`` -> [0, 1, 2, 3, 4]; ``"0,3,7"`` -> [0, 3, 7]; ranges and lists mix (``"0-2,9"``). Order kept,
    duplicates dropped.

    >>> parse_seeds("0-2,7")
    [0, 1, 2, 7]
    """
    seeds: list[int] = []
    for part in str(text).replace(" ", "").split(","):
        m = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if not m or (m.group(2) is not None and int(m.group(2)) < int(m.group(1))):
            raise ConfigError([("--seeds", f"'{text}' is not a seed list; write a range such as 0-4, a list such as "
                                           f"0,3,7, or both (0-2,9)")])
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        seeds += [s for s in range(lo, hi + 1) if s not in seeds]
    return seeds


def seed_dir(group: str | Path, seed: int) -> Path:
    return Path(group) / f"seed-{seed}"


def is_group(path: str | Path) -> bool:
    """A seed group's directory: it holds ``group.json``."""
    return (Path(path) / GROUP_FILE).exists()


def seed_runs(group: str | Path) -> list[tuple[int, Path]]:
    """``(seed, run_dir)`` of the group's seeds that have a run directory, in the order of ``group.json``."""
    group = Path(group)
    seeds = json.loads((group / GROUP_FILE).read_text())["seeds"]
    return [(s, seed_dir(group, s)) for s in seeds if (seed_dir(group, s) / "config.json").exists()]


def train_group(raw: dict[str, Any], seeds: Sequence[int], group: str | Path, *, source: str = "<config>",
                workers: int | None = None, resume: bool = False, force: bool = False,
                progress: bool | None = None, vectorize: bool = False) -> list[dict[str, Any]]:
    """Train ``raw`` (a config as read from TOML, overrides applied) once per seed under ``group/seed-<s>/``: one
    arm of the experiment harness (:mod:`condgan.experiments`), without records.

    ``workers`` processes (default: the cores, at most one per seed; 1: in this process). With ``resume``, seeds
    whose newest checkpoint is at ``run.steps`` are skipped and the others resume (or start, when they have no
    checkpoint). Returns the summaries (``seed``, ``step``, ``run_dir``, ``skipped``), in seed order. A signal raises
    :class:`~condgan.interrupts.TrainingInterrupted` once every running seed has checkpointed. ``progress``: one
    line on stderr with the runs done and an ETA (default: ``run.progress``; off when stderr is not a terminal).
    ``vectorize``: train the seeds in this process, one step for all seeds at once (:mod:`condgan.vectorized`);
    when a component cannot be vectorized, a line on stderr names it and the seeds train in worker processes.
    """
    from .experiments import Arm, RunPool, has_checkpoint, plan

    group = Path(group)
    seeds = list(seeds)
    if not seeds:
        raise ConfigError([("--seeds", "no seeds given")])
    run = raw.setdefault("run", {})
    if not resume and not force and any(has_checkpoint(seed_dir(group, s)) for s in seeds):
        from .errors import CheckpointError

        raise CheckpointError(f"{group} already holds runs of these seeds; resume the group with --resume {group}, "
                              f"or choose another run.name (or pass --force to start over)")
    group.mkdir(parents=True, exist_ok=True)
    # the latest config and seeds: what a later --resume of the group reads
    atomic_write_text(group / GROUP_FILE, json.dumps({"seeds": seeds, "source": source, "config": raw}, indent=2,
                                                     default=str) + "\n")
    one = copy.deepcopy(raw)
    if not one["run"].get("threads"):
        one["run"]["threads"] = 1  # workers side by side: one torch thread each unless the config says
    runs = plan([Arm(source, one, seeds=seeds)], group, run_name="seed-{seed}")
    show = run.get("progress", True) if progress is None else progress
    if vectorize:
        done = _train_vectorized(runs, resume=resume, force=force)
        if done is not None:
            return [done[s] for s in seeds]
    summaries = []
    with RunPool(runs, workers=workers, threads=None, progress=show, desc=f"{group.name}: runs", resume=resume,
                 force=force, restart_changed=False) as pool:
        for r, _ in pool:
            summaries.append({"step": r.steps, "run_dir": str(r.run_dir), "interrupted": False, **(r.summary or {}),
                              "seed": r.seed, "skipped": not r.trained})
    return summaries


def _train_vectorized(runs, *, resume: bool, force: bool) -> dict[int, dict[str, Any]] | None:
    """The seeds of ``runs`` in this process, one step for all at once (:func:`condgan.experiments.vectorize_runs`);
    ``None`` when they cannot be vectorized (the caller trains them in worker processes)."""
    from .experiments import vectorize_runs

    done = vectorize_runs(runs, resume=resume, force=force, restart_changed=False)
    if done is None:
        return None
    return {r.seed: {"step": r.steps, "run_dir": str(r.run_dir), "interrupted": False, **(r.summary or {}),
                     "seed": r.seed, "skipped": not r.trained} for r in done}


# -- results over seeds --------------------------------------------------------------------------------------------
def mean_over_seeds(values: dict[str, list[float]], n_boot: int = 1000, level: float = 0.95,
                    seed: int = 0) -> dict[str, dict[str, float]]:
    """``{name: per-seed values}`` -> ``{name: {"mean", "low", "high", "n"}}``: the mean over seeds and its
    percentile-bootstrap interval (seeds resampled with replacement; one seed: the interval is the value)."""
    import torch

    from .evaluation.bootstrap import bootstrap_ci

    vals = {k: torch.tensor(v, dtype=torch.float64) for k, v in values.items() if v}
    sizes = {len(v) for v in vals.values()}
    out = {k: {"mean": float(v.mean()), "low": float(v.mean()), "high": float(v.mean()), "n": len(v)}
           for k, v in vals.items()}
    for n in sizes:
        if n < 2 or n_boot <= 0:
            continue
        same = {k: v for k, v in vals.items() if len(v) == n}
        ci = bootstrap_ci(lambda i: {k: float(v[i].mean()) for k, v in same.items()}, [n], n_boot=n_boot,
                          level=level, seed=seed)
        for k, c in ci.items():
            out[k].update(low=c["low"], high=c["high"])
    return out


def evaluate_group(group: str | Path, evaluate_one, n_boot: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Evaluate every seed with ``evaluate_one(run_dir) -> evaluate_run's result`` and write ``group_eval.json`` and
    ``group_eval.md`` into ``group``: each scalar metric value's mean over seeds with its 95% interval."""
    group = Path(group)
    runs = seed_runs(group)
    if not runs:
        raise CondganError(f"{group}: no seed has a run directory yet; train the group first")
    per_seed: dict[int, dict[str, float]] = {}
    for s, d in runs:
        out = evaluate_one(d)
        per_seed[s] = {key: float(v) for res in out["metrics"].values() for key, v in res["values"].items()
                       if isinstance(v, (int, float))}
    keys = [k for k in per_seed[runs[0][0]] if all(k in p for p in per_seed.values())]
    summary = mean_over_seeds({k: [per_seed[s][k] for s, _ in runs] for k in keys}, n_boot=n_boot, seed=seed)
    result = {"seeds": [s for s, _ in runs], "mean": summary, "per_seed": {str(s): v for s, v in per_seed.items()},
              "interval": f"95% percentile bootstrap over seeds, {n_boot} replicates, seed {seed}"}
    atomic_write_text(group / "group_eval.json", json.dumps(result, indent=2) + "\n")
    atomic_write_text(group / "group_eval.md", render_group(result))
    return result


def render_group(result: dict[str, Any]) -> str:
    seeds = result["seeds"]
    lines = [f"# Evaluation over {len(seeds)} seeds ({', '.join(map(str, seeds))})", "",
             "| metric | mean | 95% CI over seeds | " + " | ".join(f"seed {s}" for s in seeds) + " |",
             "|---|---|---|" + "---|" * len(seeds)]
    for k, m in result["mean"].items():
        per = " | ".join(f"{result['per_seed'][str(s)][k]:.4g}" for s in seeds)
        lines.append(f"| {k} | {m['mean']:.4g} | [{m['low']:.4g}, {m['high']:.4g}] | {per} |")
    lines += ["", f"Interval: {result['interval']}. Each seed's own report is in seed-<s>/eval.md."]
    return "\n".join(lines) + "\n"


def group_curve(group: str | Path, metric: str, n_boot: int = 200, seed: int = 0):
    """``(steps, mean, low, high)`` of ``metric`` over the group's seeds at the steps every seed logged."""
    from .evaluation.plots import read_metric

    runs = seed_runs(group)
    if not runs:
        raise CondganError(f"{group}: no seed has a run directory yet")
    curves = [dict(zip(*read_metric(d, metric))) for _, d in runs]
    steps = sorted(set.intersection(*(set(c) for c in curves)))
    mean, low, high = [], [], []
    for st in steps:
        m = mean_over_seeds({"v": [c[st] for c in curves]}, n_boot=n_boot, seed=seed)["v"]
        mean.append(m["mean"])
        low.append(m["low"])
        high.append(m["high"])
    return steps, mean, low, high
