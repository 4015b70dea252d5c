"""The experiment harness: arms x seeds, trained in a worker pool that stops cleanly, one JSON record per run,
finished runs reused, and the table helpers the results pages share.

A reproduction (``plugins/<paper>/reproduce.py``) states only its arms, its paper-specific metric and its page::

    from condgan.experiments import Arm, run_arms

    arms = [Arm("ac_gan", "uacgan.mog_ac_gan", seeds=range(5)),
            Arm("tac_gan", "uacgan.mog_tac_gan", seeds=range(5))]

    def score(run):                     # in the worker, after training: the paper's metric of one run
        exp, _ = run.load(use_ema=False)
        return {"arm": run.arm.name, "seed": run.seed, "mmd": ...}

    records = run_arms(arms, "runs/uacgan-mog", evaluate=score, records="docs/results/uacgan/runs", workers=2)

* An :class:`Arm` is a config (a preset name, a TOML file or a dict) with overrides and seeds; :func:`sweep` makes
  one arm per value of one config key. Each (arm, seed) is a :class:`Run`: ``run.seed = seed``, run directory
  ``<root>/<run_name>`` (default ``{arm}_s{seed}``), planned by :func:`plan`.
* Every run trains through :func:`condgan.run_experiment` (the call ``condgan train`` makes), in a
  :class:`~condgan.interrupts.StoppablePool` of spawn workers (``workers > 1``) or in this process one after
  another (``workers = 1``, lazily: a run trains when its result is asked for). A worker runs with ``threads`` torch
  threads (default 1), training and evaluation alike. Ctrl-C / SIGTERM stop every running run at a checkpoint and
  raise :class:`~condgan.interrupts.TrainingInterrupted` (``condgan reproduce`` exits 130).
* Reuse: a run whose record exists is not run again (neither trained nor evaluated). A run directory whose newest
  checkpoint is at ``run.steps`` is not trained again; one with an earlier checkpoint resumes from it (bit-exact); a
  run directory trained from another config starts over (``restart_changed``, the default for reproductions).
  So an interrupted reproduction, repeated, continues where it stopped.
* ``evaluate(run) -> dict`` (a module-level function: it is sent to the workers) is called in the worker after
  training; what it returns is the run's record, written as JSON to ``<records>/<record_name>`` (default
  ``{arm}_s{seed}.json``). ``during(run) -> evaluate(exp, generator, step)`` is the in-training evaluation
  ``run.eval_every`` calls.

Seed groups (``condgan train --seeds``, :func:`condgan.groups.train_group`) are one arm of this harness.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import attrs

__all__ = ["Arm", "Run", "RunPool", "dataset", "finished", "has_checkpoint", "load", "load_records", "markdown_table",
           "mean_std", "plan", "pm", "preset_raw", "run_arms", "sweep", "train_run"]

#: the file in each run directory where the harness keeps the config a run was trained from and its training time
RUN_FILE = "harness.json"


def _tuple(v) -> tuple:
    return tuple(v)


@attrs.frozen
class Arm:
    """One setting of an experiment: ``config`` (a preset name, a TOML file or a config dict) with ``overrides``
    (``TABLE.KEY=VALUE``) trained once per seed. ``label`` names it in tables (default: ``name``); ``info`` carries
    what the reproduction needs to describe it (a λ, a group), untouched by the harness."""

    name: str
    config: Any
    overrides: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    seeds: tuple[int, ...] = attrs.field(default=(0,), converter=_tuple)
    label: str = ""
    info: Mapping[str, Any] = attrs.field(factory=dict, eq=False)

    @property
    def title(self) -> str:
        return self.label or self.name


def preset_raw(name: str) -> dict[str, Any]:
    """The config dict of the registered preset ``name``, to edit before it becomes an arm's ``config`` (when
    overrides cannot say it, e.g. replacing a whole table)."""
    from .experiment import preset_raw as read

    return read(name)


def sweep(base: Arm, key: str, values: Iterable[Any], name: str = "{name}_{value}", label: str | None = None) -> list[Arm]:
    """One arm per value of the config key ``key`` (``TABLE.KEY``), each a copy of ``base`` with the override
    ``key=value`` added. ``name`` / ``label`` are format strings with ``{name}`` (the base's), ``{key}`` and
    ``{value}`` (e.g. ``"sweep_lambda{value:g}"``); the value is in ``info["value"]``.

    >>> [a.name for a in sweep(Arm("cg", "cgpgan.cgpgan_clusters"), "objective.lambda_creg", [0.0, 10.0],
    ...                         name="{name}_lambda{value:g}")]
    ['cg_lambda0', 'cg_lambda10']
    """
    out = []
    for v in values:
        fields = {"name": base.name, "key": key, "value": v}
        out.append(attrs.evolve(base, name=name.format(**fields), overrides=(*base.overrides, f"{key}={_toml(v)}"),
                                label=label.format(**fields) if label else base.label,
                                info={**base.info, "value": v}))
    return out


def _toml(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    return str(v)


@attrs.frozen
class Run:
    """One seed of one arm, as the workers see it: the config it trains (``raw``), where, and (after training) for how
    long. ``trained`` is False when a finished run directory was reused."""

    arm: Arm
    seed: int
    run_dir: Path
    raw: dict = attrs.field(eq=False)
    record_path: Path | None = None
    train_s: float = 0.0
    trained: bool = False
    summary: dict | None = attrs.field(default=None, eq=False)

    @property
    def steps(self) -> int:
        return _steps(self.raw)

    def load(self, use_ema: bool = True):
        """``(exp, generator)`` of the finished run: its saved config and newest checkpoint (the generator holds
        the EMA weights when the run kept them and ``use_ema``). The dataset is a stand-in: see :meth:`dataset`."""
        return load(self.run_dir, use_ema)

    def dataset(self):
        """The run's dataset, built from its config (training split; ``.test`` the held-out one)."""
        return dataset(self.raw)


def load(run_dir: str | Path, use_ema: bool = True):
    """``(exp, generator)`` of a trained run directory, on the CPU: its saved config and newest checkpoint (the
    generator holds the EMA weights when the run kept them and ``use_ema``; the dataset is a stand-in)."""
    from .sampling import load_run

    return load_run(Path(run_dir), device="cpu", use_ema=use_ema)[:2]


def dataset(config: Any, overrides: Sequence[str] = ()):
    """The dataset that ``config`` (a preset name, a TOML file or a config dict) with ``overrides`` trains on, built
    as training builds it: the training split, ``.test`` the held-out one."""
    from .build import build_dataset
    from .config import apply_overrides, parse_config
    from .experiment import read_raw_config
    from .plugin_manager import get_components

    raw, source = read_raw_config(config, None)
    return build_dataset(parse_config(apply_overrides(raw, list(overrides)), get_components(), source=source))


def _steps(raw: Mapping[str, Any]) -> int:
    """``run.steps``, or :class:`condgan.config.RunParams`' default when the config does not set it."""
    from .config import RunParams

    return int(raw.get("run", {}).get("steps", attrs.fields(RunParams).steps.default))


def plan(arms: Sequence[Arm], root: str | Path, *, overrides: Sequence[str] = (), run_name: str = "{arm}_s{seed}",
         records: str | Path | None = None, record_name: str = "{arm}_s{seed}.json") -> list[Run]:
    """The runs of ``arms`` in order (arm by arm, seed by seed). Each run's config: the arm's config, the arm's
    overrides, then ``overrides`` (common to every arm), then ``run.seed`` and ``run.progress = false``; the run
    trains in ``root/<run_name>``. ``run_name`` and ``record_name`` are format strings with ``{arm}``, ``{seed}``
    and ``{steps}``; two runs in one directory are refused."""
    from .config import apply_overrides
    from .experiment import read_raw_config

    root = Path(root)
    runs, seen = [], set()
    for arm in arms:
        base, _ = read_raw_config(arm.config, None)
        base = apply_overrides(base, [*arm.overrides, *overrides])
        base.setdefault("run", {})
        for seed in arm.seeds:
            names = {"arm": arm.name, "seed": seed, "steps": _steps(base)}
            name = run_name.format(**names)
            if name in seen:
                raise ValueError(f"two runs share the run directory {root / name}; give the arms distinct names "
                                 f"or put {{seed}} in run_name")
            seen.add(name)
            raw = json.loads(json.dumps(base))
            raw["run"].update(seed=seed, progress=False)
            rec = Path(records) / record_name.format(**names) if records is not None else None
            runs.append(Run(arm, seed, root / name, raw, rec))
    return runs


# -- one run: train (or reuse) and evaluate, in a worker ----------------------------------------------------------
def _saved_raw(run_dir: Path) -> dict | None:
    f = run_dir / RUN_FILE
    return json.loads(f.read_text())["config"] if f.exists() else None


def finished(run_dir: str | Path, steps: int) -> bool:
    """The run directory's newest checkpoint is at ``steps`` (or beyond): the run needs no more training."""
    from .checkpoint import NAME, list_checkpoints

    done = list_checkpoints(Path(run_dir) / "checkpoints")
    return bool(done) and int(NAME.match(done[-1].name).group(1)) >= steps


def has_checkpoint(run_dir: str | Path) -> bool:
    from .checkpoint import list_checkpoints

    return bool(list_checkpoints(Path(run_dir) / "checkpoints"))


def train_run(run: Run, *, during: Callable | None = None, restart_changed: bool = True, resume: bool = True,
              force: bool = False, log: Callable[..., None] | None = None) -> Run:
    """Train one run through :func:`condgan.run_experiment`, reusing what its directory holds: nothing to do when
    it is finished, resume from its newest checkpoint when it is not (``resume``), start over otherwise. A directory
    trained from another config is started over when ``restart_changed``; else resuming it is refused unless
    ``force`` (as ``condgan train --resume``). Returns the run with ``train_s`` and ``trained`` set. A stop raises
    :class:`~condgan.interrupts.TrainingInterrupted` once the run has checkpointed."""
    from .checkpoint import atomic_write_text
    from .errors import CondganError
    from .experiment import run_experiment
    from .interrupts import raise_if_interrupted

    d = run.run_dir
    saved = _saved_raw(d)
    changed = saved is not None and saved != run.raw
    if resume and not changed and finished(d, run.steps):
        secs = json.loads((d / RUN_FILE).read_text()).get("train_s", 0.0) if saved is not None else 0.0
        return attrs.evolve(run, train_s=secs, trained=False, summary=None)
    partial = resume and has_checkpoint(d) and not (changed and restart_changed)
    t0 = time.perf_counter()
    try:
        summary = run_experiment(run.raw, run_dir=d, resume=d if partial else None, force=force or not partial,
                                 source=f"{run.arm.name} (seed {run.seed})", log=log or (lambda *a, **k: None),
                                 evaluate=during(run) if during else None)
    except CondganError as exc:  # plain CondganError: a ConfigError's constructor does not survive pickling
        raise CondganError(f"{run.arm.name} seed {run.seed} ({d}): {exc}") from None
    raise_if_interrupted(summary)
    secs = (json.loads((d / RUN_FILE).read_text()).get("train_s", 0.0) if partial and saved is not None else 0.0) \
        + time.perf_counter() - t0
    atomic_write_text(d / RUN_FILE, json.dumps({"config": run.raw, "train_s": secs}, indent=1, default=str) + "\n")
    return attrs.evolve(run, train_s=secs, trained=True, summary=summary)


def vectorize_runs(runs: Sequence[Run], *, resume: bool = True, force: bool = False,
                   restart_changed: bool = True) -> list[Run] | None:
    """Train ``runs`` (the seeds of one arm: configs equal but for ``run.seed``) in this process, one step for all
    of them at once (:mod:`condgan.vectorized`), reusing what their directories hold as :func:`train_run` does.
    Returns the runs (``trained``, ``train_s`` = the group's wall time shared equally, ``summary``) in order, each
    with its run file written, so a :class:`RunPool` over them only evaluates. ``None``, with a line on stderr
    naming the component, when the runs cannot be vectorized: train them with :class:`RunPool` instead."""
    from .checkpoint import atomic_write_text
    from .interrupts import raise_if_interrupted
    from .vectorized import VectorizeRefused, train_vectorized

    out: dict[int, Run] = {}
    todo, partial = [], []
    for i, r in enumerate(runs):
        saved = _saved_raw(r.run_dir)
        changed = saved is not None and saved != r.raw
        if resume and not changed and finished(r.run_dir, r.steps):
            out[i] = attrs.evolve(r, trained=False)
            continue
        todo.append(i)
        partial.append(resume and has_checkpoint(r.run_dir) and not (changed and restart_changed))
    if todo:
        first = runs[todo[0]]
        t0 = time.perf_counter()
        try:
            sums = train_vectorized([runs[i].raw for i in todo], [runs[i].seed for i in todo],
                                    [runs[i].run_dir for i in todo], resume=partial,
                                    force=force or not all(partial), source=first.arm.name,
                                    log=lambda *a, **k: None)
        except VectorizeRefused as exc:
            print(f"condgan: --vectorize: {exc}; the seeds of {first.arm.name} train in worker processes instead",
                  file=sys.stderr)
            return None
        secs = (time.perf_counter() - t0) / len(todo)
        for i, summary in zip(todo, sums):
            raise_if_interrupted(summary)  # every seed checkpointed at the same step: none is marked trained
        for i, summary in zip(todo, sums):
            r = runs[i]
            atomic_write_text(r.run_dir / RUN_FILE, json.dumps({"config": r.raw, "train_s": secs,
                                                                "vectorized_with": len(todo)}, indent=1,
                                                               default=str) + "\n")
            out[i] = attrs.evolve(r, train_s=secs, trained=True, summary=summary)
    return [out[i] for i in range(len(runs))]


def _execute(run: Run, evaluate, during, threads: int | None, train_kw: dict) -> tuple[Run, Any]:
    """A worker's task: train (or reuse) one run, then ``evaluate`` it and write its record, with ``threads`` torch
    threads throughout."""
    from .checkpoint import atomic_write_text
    from .threads import num_threads

    with num_threads(threads):
        run = train_run(run, during=during, **train_kw)
        record = evaluate(run) if evaluate is not None else None
    if record is not None and run.record_path is not None:
        run.record_path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(run.record_path, json.dumps(record, indent=1) + "\n")
    return run, record


class _Deferred:
    """A ``Future``'s ``result()`` for ``workers = 1``: the call runs (once) when its result is first asked for."""

    def __init__(self, fn, *args):
        self.fn, self.args, self.done = fn, args, False

    def result(self):
        if not self.done:
            self.value, self.done = self.fn(*self.args), True
        return self.value


class _Ready(_Deferred):
    def __init__(self, value):
        self.value, self.done = value, True


class RunPool:
    """``with RunPool(runs, evaluate=..., workers=2) as pool:`` starts every run not yet recorded; iterating yields
    ``(run, record)`` in plan order as each finishes, so the caller can work while the workers train (train an
    evaluation classifier, write the page after each run). A record found on disk is yielded without running."""

    def __init__(self, runs: Sequence[Run], *, evaluate: Callable[[Run], Any] | None = None,
                 during: Callable | None = None, workers: int | None = 1, threads: int | None = 1,
                 progress: bool = False, desc: str = "runs", **train_kw):
        self.runs, self.evaluate, self.during = list(runs), evaluate, during
        self.workers, self.threads, self.train_kw = workers, threads, train_kw
        self.progress, self.desc = progress, desc
        self._pool = None
        self._futures: list = []

    def __enter__(self) -> "RunPool":
        import os

        from tqdm.auto import tqdm

        from .interrupts import StoppablePool

        recorded = [r.record_path is not None and r.record_path.exists() for r in self.runs]
        todo = len(recorded) - sum(recorded)
        self._bar = tqdm(total=len(self.runs), initial=sum(recorded), desc=self.desc, unit="run",
                         file=sys.stderr, dynamic_ncols=True, disable=None if self.progress else True)
        n = max(1, min(self.workers or os.cpu_count() or 1, todo))
        if n > 1:
            self._pool = StoppablePool(n, multiprocessing.get_context("spawn")).__enter__()
        for r, done in zip(self.runs, recorded):
            if done:
                self._futures.append(_Ready((r, json.loads(r.record_path.read_text()))))
            elif self._pool is not None:
                fut = self._pool.submit(_execute, r, self.evaluate, self.during, self.threads, self.train_kw)
                fut.add_done_callback(lambda f: self._bar.update(1))
                self._futures.append(fut)
            else:
                self._futures.append(_Deferred(self._in_process, r))
        return self

    def _in_process(self, run: Run):
        out = _execute(run, self.evaluate, self.during, self.threads, self.train_kw)
        self._bar.update(1)
        return out

    def __iter__(self) -> Iterator[tuple[Run, Any]]:
        for fut in self._futures:
            yield fut.result()

    def __exit__(self, *exc) -> bool:
        try:
            if self._pool is not None:
                return self._pool.__exit__(*exc)
            return False
        finally:
            self._bar.close()


def run_arms(arms: Sequence[Arm], root: str | Path, *, evaluate: Callable[[Run], Any] | None = None,
             records: str | Path | None = None, overrides: Sequence[str] = (), run_name: str = "{arm}_s{seed}",
             record_name: str = "{arm}_s{seed}.json", workers: int | None = 1, threads: int | None = 1,
             during: Callable | None = None, log: Callable[..., None] | None = None,
             vectorize: bool = False) -> list[Any]:
    """Plan the runs of ``arms`` (:func:`plan`), run them (:class:`RunPool`) and return their records in plan order
    (the ``evaluate`` results; without ``evaluate``, the :class:`Run` objects). ``log(run, record)`` is called for
    each as it comes in. ``vectorize``: first train each arm's unrecorded seeds at once (:func:`vectorize_runs`;
    an arm that cannot be vectorized trains in the pool as usual, and ``during`` is not called for vectorized
    runs); the pool then evaluates them."""
    runs = plan(arms, root, overrides=overrides, run_name=run_name, records=records, record_name=record_name)
    if vectorize:
        for arm in arms:
            mine = [r for r in runs if r.arm is arm and not (r.record_path is not None and r.record_path.exists())]
            if len(mine) > 1:
                vectorize_runs(mine)
    out = []
    with RunPool(runs, evaluate=evaluate, during=during, workers=workers, threads=threads) as pool:
        for run, record in pool:
            out.append(record if evaluate is not None else run)
            if log is not None:
                log(run, record)
    return out


def load_records(folder: str | Path, pattern: str = "*.json") -> list[dict]:
    """The records in ``folder`` matching ``pattern``, in file-name order (a page is written from whatever runs
    are finished)."""
    return [json.loads(p.read_text()) for p in sorted(Path(folder).glob(pattern))]


# -- tables --------------------------------------------------------------------------------------------------------
def mean_std(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (ddof 1; 0 for one value) over seeds."""
    import numpy as np

    v = np.asarray(values, dtype=float)
    return float(v.mean()), float(v.std(ddof=1)) if len(v) > 1 else 0.0


def pm(mean: float, std: float, digits: int = 3) -> str:
    """``"1.234 ± 0.056"``."""
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    """Lines of a Markdown table (cells as given, already formatted)."""
    return ["| " + " | ".join(map(str, header)) + " |", "|" + "---|" * len(header),
            *("| " + " | ".join(map(str, r)) + " |" for r in rows)]
