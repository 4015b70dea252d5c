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
which describe the evaluation noise. The reproductions still run their own seed loops; they are to move to
:func:`train_group`.
"""

from __future__ import annotations

import copy
import json
import multiprocessing
import os
import re
import sys
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


def _finished(run_dir: Path, steps: int) -> bool:
    from .checkpoint import list_checkpoints

    done = list_checkpoints(run_dir / "checkpoints")
    return bool(done) and int(re.match(r"step_(\d+)", done[-1].name).group(1)) >= steps


def _train_seed(raw: dict, source: str, seed: int, run_dir: str, resume: bool, force: bool) -> dict[str, Any]:
    """One seed, in a worker process: build and train; a stop becomes TrainingInterrupted (StoppablePool)."""
    from .experiment import run_experiment
    from .interrupts import raise_if_interrupted

    try:
        summary = run_experiment(raw, run_dir=run_dir, resume=run_dir if resume else None, force=force,
                                 source=f"{source} (seed {seed})", log=lambda *a, **k: None)
    except CondganError as exc:  # plain CondganError: a ConfigError's constructor does not survive pickling
        raise CondganError(f"seed {seed} ({run_dir}): {exc}") from None
    return raise_if_interrupted({**summary, "seed": seed})


def train_group(raw: dict[str, Any], seeds: Sequence[int], group: str | Path, *, source: str = "<config>",
                workers: int | None = None, resume: bool = False, force: bool = False,
                progress: bool | None = None, vectorize: bool = False) -> list[dict[str, Any]]:
    """Train ``raw`` (a config as read from TOML, overrides applied) once per seed under ``group/seed-<s>/``.

    ``workers`` processes (default: the cores, at most one per seed). With ``resume``, seeds whose newest checkpoint
    is at ``run.steps`` are skipped and the others resume (or start, when they have no checkpoint). Returns the
    summaries (``seed``, ``step``, ``run_dir``, ``skipped``), in seed order. A signal raises
    :class:`~condgan.interrupts.TrainingInterrupted` once every running seed has checkpointed. ``progress``: one
    line on stderr with the runs done and an ETA (default: ``run.progress``; off when stderr is not a terminal).
    ``vectorize``: train the seeds in this process, one step for all seeds at once (:mod:`condgan.vectorized`);
    when a component cannot be vectorized, a line on stderr names it and the seeds train in worker processes.
    """
    from concurrent.futures import as_completed

    from tqdm.auto import tqdm

    from .interrupts import StoppablePool

    group = Path(group)
    seeds = list(seeds)
    if not seeds:
        raise ConfigError([("--seeds", "no seeds given")])
    run = raw.setdefault("run", {})
    steps = int(run.get("steps", 1000))
    if not resume and not force and any(_has_checkpoint(seed_dir(group, s)) for s in seeds):
        from .errors import CheckpointError

        raise CheckpointError(f"{group} already holds runs of these seeds; resume the group with --resume {group}, "
                              f"or choose another run.name (or pass --force to start over)")
    group.mkdir(parents=True, exist_ok=True)
    # the latest config and seeds: what a later --resume of the group reads
    atomic_write_text(group / GROUP_FILE, json.dumps({"seeds": seeds, "source": source, "config": raw}, indent=2,
                                                     default=str) + "\n")
    tasks, summaries = [], {}
    for s in seeds:
        d = seed_dir(group, s)
        if resume and _finished(d, steps):
            summaries[s] = {"seed": s, "step": steps, "run_dir": str(d), "skipped": True, "interrupted": False}
            continue
        one = copy.deepcopy(raw)
        one["run"]["seed"] = s
        one["run"]["progress"] = False  # one line for the group instead
        if not one["run"].get("threads"):
            one["run"]["threads"] = 1  # workers side by side: one torch thread each unless the config says
        tasks.append((one, s, str(d), resume and (d / "config.json").exists() and _has_checkpoint(d)))
    show = run.get("progress", True) if progress is None else progress
    bar = tqdm(total=len(seeds), initial=len(summaries), desc=f"{group.name}: runs", unit="run", file=sys.stderr,
               dynamic_ncols=True, disable=None if show else True)
    if tasks and vectorize:
        from .vectorized import VectorizeRefused, train_vectorized

        try:
            outs = train_vectorized([t[0] for t in tasks], [t[1] for t in tasks], [t[2] for t in tasks],
                                    resume=[t[3] for t in tasks], force=force, source=source)
        except VectorizeRefused as exc:
            print(f"condgan: --vectorize: {exc}; training the seeds in worker processes instead", file=sys.stderr)
        else:
            from .interrupts import raise_if_interrupted

            for out in outs:
                summaries[out["seed"]] = {**raise_if_interrupted(out), "skipped": False}
            bar.close()
            return [summaries[s] for s in seeds]
    try:
        if tasks:
            n = max(1, min(workers or os.cpu_count() or 1, len(tasks)))
            with StoppablePool(n, multiprocessing.get_context("spawn")) as pool:
                futures = [pool.submit(_train_seed, one, source, s, d, res, force) for one, s, d, res in tasks]
                for fut in as_completed(futures):
                    out = fut.result()
                    summaries[out["seed"]] = {**out, "skipped": False}
                    bar.update(1)
    finally:
        bar.close()
    return [summaries[s] for s in seeds]


def _has_checkpoint(run_dir: Path) -> bool:
    from .checkpoint import list_checkpoints

    return bool(list_checkpoints(run_dir / "checkpoints"))


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
