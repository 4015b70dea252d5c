"""The training loop: one explicit function, read it top to bottom.

Per step: real batch -> discriminator-side losses -> one backward per optimizer into its own parameters -> step;
every ``g_every`` steps the generator side; then the prior update, the generator EMA, logging, samples, evaluation and
checkpoints. No hook is called inside the loop; the objective is plain Python.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import json
import math
import platform
import random
import signal
import sys
import time
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import torch

from . import __version__
from .allocator import keep_freed_memory
from .build import Experiment, make_optimizers
from .checkpoint import atomic_write_text, list_checkpoints, load_file, load_latest, save_checkpoint
from .config import dumps_json, dumps_toml
from .data import BatchStream, PrefetchingStream
from .distributed import (Dist, average_gradients, broadcast_tensors, check_ranks_agree, check_sync_batchnorm,
                          convert_sync_batchnorm, gather_rows, init_distributed, mean_scalars, state_tensors)
from .errors import CheckpointError, NonFiniteLossError
from .interfaces import StepOutput
from .runlock import RunLock
from .sampling import sample_figure
from .shapes import check_same_data_shape
from .step_check import check_objective_step
from .tensorboard_log import open_tensorboard
from .threads import num_threads


# -- small pieces the loop uses ----------------------------------------------------------------------------------
class GeneratorEMA:
    """Exponential moving average of the generator's weights (buffers are copied)."""

    def __init__(self, generator: torch.nn.Module, decay: float):
        self.decay = decay
        self.module = copy.deepcopy(generator).eval().requires_grad_(False)
        self._src = [p for p in generator.parameters()]
        self._dst = [p for p in self.module.parameters()]

    @torch.no_grad()
    def update(self, generator: torch.nn.Module) -> None:
        torch._foreach_lerp_(self._dst, self._src, 1.0 - self.decay)
        for b_dst, b_src in zip(self.module.buffers(), generator.buffers()):
            b_dst.copy_(b_src)


class MetricsLog:
    """``metrics.csv``: one row per logged step; a new column rewrites the header. Rows after a resumed step are cut."""

    def __init__(self, path: Path, resume_step: int | None, mirror=None):
        self.path = path
        self.mirror = mirror  # a TensorBoardLog: every appended row is also written there
        self.rows: list[dict[str, Any]] = []
        if resume_step is not None and path.exists():
            with open(path, newline="") as f:
                self.rows = [r for r in csv.DictReader(f) if int(float(r["step"])) <= resume_step]
        self.columns = list(self.rows[0].keys()) if self.rows else ["step"]
        self._rewrite()

    def _rewrite(self) -> None:
        with open(self.path, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=self.columns)
            w.writeheader()
            w.writerows(self.rows)

    def append(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        if self.mirror is not None:
            self.mirror.row(row)
        if any(k not in self.columns for k in row):
            self.columns += [k for k in row if k not in self.columns]
            self._rewrite()
            return
        with open(self.path, "a", newline="") as f:
            csv.DictWriter(f, fieldnames=self.columns).writerow(row)


def is_finite(t: torch.Tensor) -> bool:
    """Every value of ``t`` is finite. A one-element loss is read once (``item``) instead of three tensor ops."""
    return math.isfinite(t.item()) if t.numel() == 1 else bool(torch.isfinite(t.detach()).all())


def rng_state() -> dict[str, Any]:
    np_state = np.random.get_state()
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "numpy": [np_state[0], torch.from_numpy(np_state[1].astype(np.int64)), int(np_state[2]), int(np_state[3]), float(np_state[4])],
        "python": [random.getstate()[0], list(random.getstate()[1]), random.getstate()[2]],
    }


def set_rng_state(s: dict[str, Any]) -> None:
    torch.set_rng_state(s["torch"])
    if s.get("cuda") and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(s["cuda"])
    n = s["numpy"]
    np.random.set_state((n[0], n[1].numpy().astype(np.uint32), n[2], n[3], n[4]))
    p = s["python"]
    random.setstate((p[0], tuple(p[1]), p[2]))


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


class StopRequested:
    """SIGINT/SIGTERM set a flag; the loop finishes the step, checkpoints, and returns."""

    def __init__(self):
        self.signal: int | None = None
        self._old = {}

    def __enter__(self):
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                self._old[sig] = signal.signal(sig, self._handle)
            except ValueError:  # not the main thread
                pass
        return self

    def _handle(self, signum, frame):
        if self.signal is not None:  # a second Ctrl-C stops at once
            raise KeyboardInterrupt
        self.signal = signum

    def __exit__(self, *exc):
        for sig, old in self._old.items():
            signal.signal(sig, old)
        return False


def checkpoint_state(step: int, models: dict[str, Any], optimizers: dict[str, Any], ema: dict[str, Any] | None,
                     rng: dict[str, Any]) -> dict[str, Any]:
    """A run's checkpoint: the state dicts of its modules, optimizers and generator EMA and the RNG states
    (:func:`rng_state`) at ``step``. The one layout :func:`train` and the vectorized seed groups
    (:mod:`condgan.vectorized`) save and resume from."""
    return {"format": 1, "step": step, "models": models, "optimizers": optimizers, "ema": ema, "rng": rng}


# -- the loop ----------------------------------------------------------------------------------------------------
def prepare_run_dir(exp: Experiment, run_dir: Path, versions: dict[str, Any], resume: bool, force: bool = False) -> None:
    """Write the resolved config and the manifest; refuse to resume with a changed config unless forced."""
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "samples").mkdir(exist_ok=True)
    resolved = exp.config.resolved()
    cfg_path = run_dir / "config.json"
    if resume and cfg_path.exists():
        old = json.loads(cfg_path.read_text())
        diffs = _diff(old, json.loads(dumps_json(resolved)))
        allowed = {"run.steps", "run.progress", "run.device", "run.log_every", "run.tensorboard"}
        serious = [d for d in diffs if d.split(":")[0] not in allowed and not _added_at_default(exp.config, d)]
        if serious and not force:
            raise CheckpointError("the config differs from the run's saved config; resume refused (use --force to "
                                  "resume anyway):\n" + "\n".join(f"  {d}" for d in serious))
        saved = json.loads((run_dir / "manifest.json").read_text()) if (run_dir / "manifest.json").exists() else {}
        if "data_shape" in saved:  # the checkpoint's networks are for that shape, whatever --force allowed
            data = exp.config.components["data"]
            check_same_data_shape(saved["data_shape"], exp.dataset, data.type, f"run {run_dir} was trained on",
                                  data.params)
    elif not resume and list_checkpoints(run_dir / "checkpoints") and not force:
        raise CheckpointError(f"{run_dir} already holds a run; resume it with --resume {run_dir}, or choose another "
                              f"run.name (or pass --force to start over)")
    atomic_write_text(cfg_path, dumps_json(resolved))
    atomic_write_text(run_dir / "config.toml", dumps_toml(resolved))
    manifest = {
        "condgan": __version__, "torch": torch.__version__, "python": platform.python_version(),
        "platform": platform.platform(), "plugins": versions, "source": exp.config.source,
        "spec": exp.models.spec.to_dict(), "data_spec": exp.dataset.spec.to_dict(), "data_shape": list(exp.dataset.data_shape),
        "dataset": exp.dataset.name, "num_train": len(exp.dataset), "class_counts": exp.dataset.class_counts(),
        "latent_dim": exp.ctx.latent_dim,
    }
    atomic_write_text(run_dir / "manifest.json", dumps_json(manifest))


def _added_at_default(config, diff: str) -> bool:
    """A difference ``"table.key: (absent) -> value"`` where the run's config has no such key because a later condgan
    added the setting, and its value now is the setting's default: resuming keeps the old behaviour only if the
    default is the old behaviour, which is how settings are added (e.g. ``run.prior_update``, 2026-11-30)."""
    path, _, change = diff.partition(": ")
    if not change.startswith("(absent) -> ") or path.count(".") != 1:
        return False
    table, key = path.split(".")
    params = config.run if table == "run" else getattr(config.components.get(table), "params", None)
    field = next((f for f in attrs.fields(type(params)) if f.name == key), None) if attrs.has(type(params)) else None
    if field is None or field.default is attrs.NOTHING:
        return False
    default = field.default.factory() if isinstance(field.default, attrs.Factory) else field.default
    return json.loads(dumps_json(default)) == json.loads(dumps_json(getattr(params, key)))


def _diff(a: Any, b: Any, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            p = f"{path}.{k}" if path else k
            if k not in a:
                out.append(f"{p}: (absent) -> {b[k]!r}")
            elif k not in b:
                out.append(f"{p}: {a[k]!r} -> (absent)")
            else:
                out += _diff(a[k], b[k], p)
        return out
    return [] if a == b else [f"{path}: {a!r} -> {b!r}"]


def train(exp: Experiment, run_dir: Path, *, versions: dict[str, Any] | None = None, resume: bool = False,
          force: bool = False, log=print, evaluate=None, check_step: bool = True) -> dict[str, Any]:
    """Train ``exp`` in ``run_dir``. Returns a summary (last step, last logged losses, run_dir).

    ``evaluate(exp, generator, step) -> dict`` is called every ``run.eval_every`` steps when given (rank 0 only).
    Under torchrun (``WORLD_SIZE > 1``) the process group is joined here and destroyed on return; see
    ``docs/distributed.md``. The run directory is locked for the whole call (:mod:`condgan.runlock`): a second
    process training there is refused before it writes anything. ``run.threads`` sets torch's CPU threads for the
    run; the previous count is restored on return (the count changes float reduction order, so it must not leak
    into whatever runs next). ``check_step``: dry-run one step of the objective on copies first
    (:mod:`condgan.step_check`; it changes no number of the run).
    """
    d = init_distributed(exp.models.device)
    lock = None
    try:
        if check_step:  # a misbehaving objective fails here, on copies, before anything is written (condgan.step_check)
            check_objective_step(exp)
        # one writer per run directory, taken before anything is written there; rank 0 holds it (condgan.runlock)
        lock = d.main_only(lambda: RunLock(run_dir).acquire())
        if exp.config.run.tune_malloc and exp.models.device.type == "cpu":
            keep_freed_memory()  # page faults on every step otherwise (condgan.allocator)
        with num_threads(exp.config.run.threads), contextlib.ExitStack() as cleanup:
            summary = _train(exp, run_dir, d, versions=versions, resume=resume, force=force, log=log, evaluate=evaluate,
                             cleanup=cleanup)
        # every rank leaves together: rank 0 still draws the final sample grid, and a rank that destroys the
        # process group while its peer works can abort in gloo's teardown ("terminate called without an active
        # exception", seen once in CI)
        d.barrier()
        return summary
    finally:
        if lock is not None:
            lock.release()
        d.close()


def _train(exp: Experiment, run_dir: Path, d: Dist, *, versions: dict[str, Any] | None, resume: bool, force: bool,
           log, evaluate, cleanup: contextlib.ExitStack) -> dict[str, Any]:
    run, m, obj = exp.config.run, exp.models, exp.objective
    rank, world, is_main = d.rank, d.world, d.is_main
    if run.deterministic:
        torch.use_deterministic_algorithms(True, warn_only=True)
    seed_everything(run.seed)
    check_sync_batchnorm(run.sync_batchnorm, m.device, world)
    d.main_only(lambda: prepare_run_dir(exp, run_dir, versions or {}, resume, force))
    channels_last = run.channels_last and exp.ctx.is_image
    stream = BatchStream(exp.dataset, run.batch_size, run.seed, m.device, rank, world, pin_memory=run.pin_memory,
                         channels_last=channels_last)
    if run.data_workers:
        stream = PrefetchingStream(stream, run.data_workers, run.steps)
    m.steps_per_epoch, m.rank, m.world = stream.steps_per_epoch, rank, world
    if run.sync_batchnorm:
        convert_sync_batchnorm((m.generator, m.discriminator, m.classifier, m.statistics_network), world)
    if channels_last:
        for mod in (m.generator, m.discriminator, m.classifier):
            if mod is not None:
                mod.to(memory_format=torch.channels_last)
    optimizers = make_optimizers(exp)
    params = {name: [p for g in o.param_groups for p in g["params"]] for name, o in optimizers.items()}
    modules = {"generator": m.generator, "discriminator": m.discriminator, "classifier": m.classifier,
               "statistics_network": m.statistics_network, "prior": m.prior, "composer": m.composer, "latent": m.latent}
    modules = {k: v for k, v in modules.items() if v is not None}
    ema = GeneratorEMA(m.generator, run.ema_decay) if run.ema_decay > 0 else None
    if run.compile:  # in place (state_dict keys unchanged); after the EMA copy, which stays eager
        for mod in (m.generator, m.discriminator, m.classifier, m.statistics_network):
            if mod is not None:
                mod.compile()
    fixed = torch.Generator().manual_seed(run.seed + 7919)  # fixed noise of the sample grids

    start = 0
    if resume:  # rank 0 chooses the checkpoint; every rank loads that one file
        chosen = d.main_only(lambda: load_latest(run_dir / "checkpoints", map_location=m.device, log=log))
        path = Path(d.from_main(str(chosen[1]) if is_main else None))
        state = chosen[0] if is_main else load_file(path, map_location=m.device)
        for name, mod in modules.items():
            mod.load_state_dict(state["models"][name])
        for name, opt in optimizers.items():
            opt.load_state_dict(state["optimizers"][name])
        if ema is not None and state.get("ema") is not None:
            ema.module.load_state_dict(state["ema"])
        set_rng_state(state["rng"])
        start = int(state["step"])
        if is_main:
            log(f"condgan: resumed {run_dir} from {path.name} at step {start}", file=sys.stderr)
    agreed = state_tensors(modules, [ema.module] if ema is not None else [])
    broadcast_tensors(agreed, world)  # identical start on every rank, whatever each one built or loaded
    # BatchNorm running statistics are the only state a rank updates from its own rows
    net_buffers = [b for k in ("generator", "discriminator", "classifier", "statistics_network") if k in modules
                   for b in modules[k].buffers()]
    # TensorBoard mirrors metrics.csv (condgan.tensorboard_log); a resume purges the events after its checkpoint
    tb = open_tensorboard(run_dir, run.tensorboard, start if resume else None) if is_main else None
    if tb is not None:
        cleanup.callback(tb.close)  # also when the run stops or fails
    metrics = MetricsLog(run_dir / "metrics.csv", start if resume else None, mirror=tb) if is_main else None

    def checkpoint(step: int) -> None:
        check_ranks_agree(d, agreed, "weights, EMA or prior state")
        d.main_only(lambda: save(step))

    def save(step: int) -> None:
        state = checkpoint_state(step, {name: mod.state_dict() for name, mod in modules.items()},
                                 {name: o.state_dict() for name, o in optimizers.items()},
                                 ema.module.state_dict() if ema is not None else None, rng_state())
        save_checkpoint(state, run_dir / "checkpoints", step, keep=run.keep_checkpoints)
        if tb is not None:
            tb.flush()

    def apply(out: StepOutput, step: int) -> bool:
        """Sum losses per optimizer, backward each into its own parameters, step. False when skipped (non-finite)."""
        totals: dict[str, torch.Tensor] = {}
        for name, loss in out.losses.items():
            for opt in obj.optimizers_of(name):
                totals[opt] = totals[opt] + loss if opt in totals else loss
        for opt, total in totals.items():
            if d.any(not is_finite(total)):  # every rank skips or stops together
                bad = [n for n, v in out.losses.items() if not torch.isfinite(v.detach()).all()] or ["(on another rank)"]
                msg = f"non-finite loss {', '.join(repr(b) for b in bad)} at step {step} (optimizer '{opt}')"
                if run.on_nonfinite == "skip":
                    log(f"condgan: {msg}; step skipped", file=sys.stderr)
                    return False
                raise NonFiniteLossError(msg + "; the last good checkpoint is kept. Lower the learning rate, add a "
                                               "regularizer, or set run.on_nonfinite = \"skip\".")
        items = list(totals.items())
        for i, (opt, total) in enumerate(items):
            optimizers[opt].zero_grad(set_to_none=True)
            total.backward(inputs=params[opt], retain_graph=i < len(items) - 1)
        for opt, _ in items:
            if world > 1:
                average_gradients(params[opt], world)
            optimizers[opt].step()
        return True

    rng_devices = [m.device] if m.device.type == "cuda" else []
    # a disabled autocast still costs its enter/exit every step
    amp = torch.autocast(m.device.type, dtype=torch.bfloat16) if run.precision == "bf16" else contextlib.nullcontext()
    last_logs: dict[str, float] = {}
    progress = None
    if is_main and run.progress:
        from tqdm.auto import tqdm

        progress = tqdm(total=run.steps, initial=start, desc=run.name, dynamic_ncols=True, file=sys.stderr,
                        disable=None)
    t0, step = time.perf_counter(), start
    with StopRequested() as stop, contextlib.closing(stream):
        for step in range(start, run.steps):
            for mod in (m.generator, m.discriminator):  # train mode again after whatever switched it to eval
                if not mod.training:  # (Module.train() walks every submodule: costly on every step)
                    mod.train()
            real = stream.batch(step)
            g_turn = step % run.g_every == 0
            with amp:
                out_d = obj.discriminator_step(m, real, step)
                out_g = obj.generator_step(m, real, step) if g_turn and run.update == "simultaneous" else None
            if out_g is not None:
                apply(out_g, step)
            ok = apply(out_d, step)
            probs = gather_rows(out_d.class_probs.detach(), world) if ok and out_d.class_probs is not None else None
            if probs is not None and run.prior_update == "before_generator":
                m.prior.update(probs)  # the global batch, in order
            if g_turn and out_g is None:
                with amp:
                    out_g = obj.generator_step(m, real, step)
                apply(out_g, step)
            if probs is not None and run.prior_update == "end_of_step":
                m.prior.update(probs)  # Algorithm 1: P(C) after the G step
            broadcast_tensors(net_buffers, world)  # rank 0's BatchNorm statistics, as DDP's broadcast_buffers
            if ema is not None and g_turn:
                ema.update(m.generator)
            done = step + 1
            if done % run.log_every == 0 or done == run.steps:  # every rank joins the mean; rank 0 writes it
                logs = {**(out_d.losses), **(out_g.losses if out_g is not None else {}), **out_d.logs,
                        **(out_g.logs if out_g is not None else {})}
                logs = {k: torch.as_tensor(v()) if callable(v) else v for k, v in logs.items()}  # lazy logs
                last_logs = mean_scalars(logs, world)
                row = {"step": done, "time_s": round(time.perf_counter() - t0, 3), **{k: f"{v:.6g}" for k, v in last_logs.items()}}
                if is_main:
                    metrics.append(row)
                if progress is not None:
                    progress.set_postfix({k: f"{v:.3g}" for k, v in list(last_logs.items())[:4]}, refresh=False)
            if is_main and evaluate is not None and run.eval_every and done % run.eval_every == 0:
                with torch.random.fork_rng(devices=rng_devices):  # rank 0 alone must not move the shared RNG
                    scores = evaluate(exp, ema.module if ema else m.generator, done)
                metrics.append({"step": done, **{f"eval/{k}": v for k, v in scores.items()}})
            if is_main and run.sample_every and done % run.sample_every == 0:
                grid = run_dir / "samples" / f"step_{done:08d}.png"
                with torch.random.fork_rng(devices=rng_devices):
                    sample_figure(exp, ema.module if ema else m.generator, grid, fixed)
                if tb is not None:
                    tb.image("samples", grid, done)
            if run.checkpoint_every and done % run.checkpoint_every == 0:
                checkpoint(done)
            if progress is not None:
                progress.update(1)
            if d.any(stop.signal is not None):  # torchrun signals every rank; they stop at the same step
                checkpoint(done)
                if progress is not None:
                    progress.close()
                if is_main:
                    log(f"condgan: stopped by signal {stop.signal or '(on another rank)'} at step {done}; checkpoint saved. "
                        f"Resume with `condgan train --resume {run_dir}`.", file=sys.stderr)
                return {"step": done, "losses": last_logs, "run_dir": str(run_dir), "interrupted": True}
    if progress is not None:
        progress.close()
    done = max(step + 1, start)
    if not (run.checkpoint_every and done % run.checkpoint_every == 0) or start == run.steps:
        checkpoint(done)
    if is_main:
        sample_figure(exp, ema.module if ema else m.generator, run_dir / "samples.png", fixed)
        if tb is not None:
            tb.image("samples", run_dir / "samples.png", done)
    return {"step": done, "losses": last_logs, "run_dir": str(run_dir), "interrupted": False}
