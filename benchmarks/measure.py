"""How the benchmarks measure: the framework's loop and a hand-written loop taking turns inside one ``train()`` call,
timed segments of each on their own, peak memory, the machine they ran on, and the JSON they write.

* Interleaved (:func:`interleaved_segments`, the overhead benchmark): the hand loop runs ``steps`` steps from
  ``train()``'s evaluate callback every ``steps`` steps; the framework's segment is the time between callbacks.
  :func:`pair_ratios` divides each framework segment by the mean of the hand segments around it, which cancels a
  machine speed that drifts over seconds (a shared VM's does, by up to 25%). :func:`interleaved_hands` is the
  control: two identical hand loops in the same pattern.
* Framework segment: :func:`condgan.train.train` itself, called as a user calls it, on a fresh run directory. Its
  ``evaluate`` callback (called every ``run.eval_every = steps`` steps; ``warmup`` is a multiple of ``steps``, so no
  callback falls inside the timed steps) reads the clock after step ``warmup`` and after step ``warmup + steps``, and
  then stops the run by raising :class:`SegmentDone`, so the final checkpoint and sample grid (not part of a step)
  are skipped. Timed: every step of the loop with its logging every ``log_every`` steps, and the bookkeeping the
  loop does after the first callback returns (a ``metrics.csv`` row, the RNG restore: some 0.1 ms per segment,
  counted against the framework).
* Hand segment: ``warmup`` untimed steps, then ``steps`` timed steps of the hand-written loop.
* Both record wall time (``time.perf_counter``, the result) and the process's CPU time (``time.process_time``),
  which a busy machine disturbs less: with one torch thread it is the time the step computed, not the time it
  waited for a core.
* On a GPU the clock is read after ``torch.cuda.synchronize()``, and the peak memory of a segment is
  ``torch.cuda.max_memory_allocated()`` during it minus the memory allocated when it started.
* On the CPU the peak memory of one side is measured in a forked child process (:func:`in_child`): the growth of
  its peak resident set size (``VmHWM``) over its size at the fork, while it builds the experiment and trains
  ``steps`` steps: model, optimizer state, activations and the framework's own objects.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any, Callable

import torch

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


class SegmentDone(Exception):
    """Raised from the evaluate callback once a framework segment is timed: ends :func:`condgan.train.train` early."""


def sync_for(device: torch.device) -> Callable[[], None]:
    return torch.cuda.synchronize if device.type == "cuda" else (lambda: None)


def _cuda_peak_start(device: torch.device) -> int:
    if device.type != "cuda":
        return 0
    torch.cuda.reset_peak_memory_stats(device)
    return torch.cuda.memory_allocated(device)


def _cuda_peak_since(device: torch.device, start: int) -> int | None:
    return torch.cuda.max_memory_allocated(device) - start if device.type == "cuda" else None


def train_until_done(exp, on_eval: Callable[[Any, Any, int], dict], run_dir: Path | None = None) -> None:
    """:func:`condgan.train.train` on a fresh run directory (a temporary one unless given), silently, with
    ``on_eval`` as its evaluate callback; the callback ends the run by raising :class:`SegmentDone`, which skips the
    final checkpoint and sample grid (not part of a step)."""
    from condgan.train import train

    with tempfile.TemporaryDirectory() as tmp:
        try:
            train(exp, Path(run_dir or tmp) / "run", force=True, log=lambda *a, **k: None, evaluate=on_eval)
        except SegmentDone:
            pass


def framework_segment(exp, warmup: int, steps: int, run_dir: Path | None = None) -> dict[str, Any]:
    """Seconds per step of ``steps`` steps of :func:`condgan.train.train` after ``warmup`` steps (a fresh call).

    ``exp.config.run`` must hold :func:`condgan_run_settings` ``(warmup, steps)``.
    """
    run = exp.config.run
    if run.eval_every != steps or warmup % steps or run.steps < warmup + steps:
        raise ValueError("warmup must be a multiple of steps, with run.eval_every = steps and run.steps >= warmup + "
                         "steps (condgan_run_settings)")
    device, sync = exp.models.device, sync_for(exp.models.device)
    marks: dict[str, Any] = {}

    def on_eval(_exp, _generator, step: int) -> dict:
        if step == warmup:
            sync()
            marks["mem0"] = _cuda_peak_start(device)
            marks["t0"], marks["c0"] = time.perf_counter(), time.process_time()
        elif step == warmup + steps:
            sync()
            marks["t1"], marks["c1"] = time.perf_counter(), time.process_time()
            marks["peak"] = _cuda_peak_since(device, marks["mem0"])
            raise SegmentDone
        return {}

    train_until_done(exp, on_eval, run_dir)
    if "t1" not in marks:
        raise RuntimeError("the framework segment ended before it was timed")
    return {"s_per_step": (marks["t1"] - marks["t0"]) / steps, "cpu_s_per_step": (marks["c1"] - marks["c0"]) / steps,
            "peak_bytes": marks["peak"]}


def train_steps(exp, steps: int, at_end: Callable[[], Any] | None = None) -> Any:
    """Run :func:`condgan.train.train` for ``steps`` steps (``exp.config.run.eval_every`` must divide ``steps``), then
    call ``at_end()`` and stop before the final checkpoint and sample grid; returns what ``at_end`` returned."""
    if exp.config.run.eval_every <= 0 or steps % exp.config.run.eval_every:
        raise ValueError("run.eval_every must divide steps")
    result: dict[str, Any] = {}

    def on_eval(_exp, _generator, step: int) -> dict:
        if step == steps:
            result["value"] = at_end() if at_end is not None else None
            raise SegmentDone
        return {}

    train_until_done(exp, on_eval)
    if "value" not in result:
        raise RuntimeError(f"the run ended before step {steps}")
    return result["value"]


def hand_segment(hand, warmup: int, steps: int) -> dict[str, Any]:
    """Seconds per step of ``steps`` steps of a hand-written loop after ``warmup`` untimed steps (from step 0)."""
    sync = sync_for(hand.device)
    hand.run(0, warmup)
    sync()
    mem0 = _cuda_peak_start(hand.device)
    t0, c0 = time.perf_counter(), time.process_time()
    hand.run(warmup, steps)
    sync()
    t1, c1 = time.perf_counter(), time.process_time()
    return {"s_per_step": (t1 - t0) / steps, "cpu_s_per_step": (c1 - c0) / steps,
            "peak_bytes": _cuda_peak_since(hand.device, mem0)}


def interleaved_segments(exp, hand, warmup: int, steps: int, pairs: int) -> dict[str, list[float]]:
    """The framework and the hand loop taking turns every ``steps`` steps inside one :func:`condgan.train.train` call.

    ``train`` runs ``warmup`` untimed steps (``hand`` should have run its own warm-up), then, from its ``evaluate``
    callback (``run.eval_every = steps``), each callback times ``steps`` steps of the hand loop; the framework's
    segment is the time between the end of one callback and the start of the next, so everything the loop does
    outside the callback (its steps, its logging, its ``metrics.csv`` row and RNG fork around each callback) counts
    against the framework. Segments: hand 0, framework 1, hand 1, ..., framework ``pairs``, hand ``pairs``: each
    framework segment sits between two hand segments, so :func:`pair_ratios` cancels a machine speed that drifts over
    seconds. Returns seconds per step of each segment (wall and CPU time); the hand loop runs inside the callback's
    RNG fork, so the framework's random stream is unchanged.
    """
    run = exp.config.run
    if run.eval_every != steps or warmup % steps or run.steps < warmup + pairs * steps:
        raise ValueError("warmup must be a multiple of steps, with run.eval_every = steps and run.steps >= warmup + "
                         "pairs * steps (interleaved_run_settings)")
    sync = sync_for(exp.models.device)
    out: dict[str, list[float]] = {"framework": [], "hand": [], "framework_cpu": [], "hand_cpu": []}
    state = {"hand_step": warmup, "t": 0.0, "c": 0.0}
    end = warmup + pairs * steps

    def on_eval(_exp, _generator, step: int) -> dict:
        if step < warmup:
            return {}
        sync()
        t0, c0 = time.perf_counter(), time.process_time()
        if step > warmup:
            out["framework"].append((t0 - state["t"]) / steps)
            out["framework_cpu"].append((c0 - state["c"]) / steps)
        hand.run(state["hand_step"], steps)
        sync()
        t1, c1 = time.perf_counter(), time.process_time()
        out["hand"].append((t1 - t0) / steps), out["hand_cpu"].append((c1 - c0) / steps)
        state["hand_step"] += steps
        if step >= end:
            raise SegmentDone
        state["t"], state["c"] = time.perf_counter(), time.process_time()
        return {}

    train_until_done(exp, on_eval)
    if len(out["framework"]) != pairs:
        raise RuntimeError(f"the interleaved run ended after {len(out['framework'])} of {pairs} framework segments")
    return out


def interleaved_hands(hand_a, hand_b, warmup: int, steps: int, pairs: int) -> dict[str, list[float]]:
    """The control of :func:`interleaved_segments`: two identical hand loops taking turns in the same pattern (``b``
    where the framework would be), so their :func:`pair_ratios` show the measurement's own noise on this machine."""
    sync = sync_for(hand_a.device)
    hand_a.run(0, warmup), hand_b.run(0, warmup)
    out: dict[str, list[float]] = {"framework": [], "hand": [], "framework_cpu": [], "hand_cpu": []}
    for i in range(2 * pairs + 1):
        loop, key = (hand_a, "hand") if i % 2 == 0 else (hand_b, "framework")
        sync()
        t0, c0 = time.perf_counter(), time.process_time()
        loop.run(warmup + (i // 2) * steps, steps)
        sync()
        out[key].append((time.perf_counter() - t0) / steps), out[key + "_cpu"].append((time.process_time() - c0) / steps)
    return out


def pair_ratios(framework: list[float], hand: list[float]) -> list[float]:
    """Framework segment i over the mean of the hand segments just before and just after it (``len(hand)`` is
    ``len(framework) + 1``): a speed that changes linearly over the three segments cancels."""
    if len(hand) != len(framework) + 1:
        raise ValueError("need one more hand segment than framework segments")
    return [f / (0.5 * (hand[i] + hand[i + 1])) for i, f in enumerate(framework)]


def interleaved_run_settings(warmup: int, steps: int, pairs: int) -> dict[str, int]:
    """``[run]`` values :func:`interleaved_segments` needs: ``steps`` (room for one more segment) and ``eval_every``."""
    if warmup < steps or warmup % steps:
        raise ValueError(f"warm-up steps ({warmup}) must be a multiple of the segment's steps ({steps})")
    return {"steps": warmup + (pairs + 1) * steps, "eval_every": steps}


def condgan_run_settings(warmup: int, steps: int) -> dict[str, int]:
    """``[run]`` values a timed framework segment needs: ``steps`` and ``eval_every`` (the callback's period)."""
    if warmup < steps or warmup % steps:
        raise ValueError(f"warm-up steps ({warmup}) must be a multiple of the timed steps ({steps}), so that no "
                         f"evaluate callback falls among the timed steps")
    return {"steps": warmup + steps, "eval_every": steps}


# -- memory --------------------------------------------------------------------------------------------------------
def _status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def reset_peak_rss() -> int:
    """Reset this process's peak RSS to its current RSS (Linux ``clear_refs``); returns the current RSS in bytes."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    return _status_kib("VmRSS") * 1024


def peak_rss() -> int:
    """This process's peak resident set size in bytes (``VmHWM``)."""
    return _status_kib("VmHWM") * 1024


def release_free_memory() -> None:
    """Return freed heap memory to the system (glibc ``malloc_trim``), so a forked child's RSS growth is its own."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def in_child(fn: Callable[[], dict]) -> dict:
    """Run ``fn`` in a forked child process and return its JSON-able result (errors come back as ``error``).

    The parent must not have started torch's thread pools with more than one thread (call
    ``torch.set_num_threads(1)`` first): a fork copies only the calling thread.
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        try:
            payload = {"ok": fn()}
        except BaseException:  # noqa: BLE001 - reported to the parent
            payload = {"error": traceback.format_exc()}
        with os.fdopen(write_fd, "w") as w:
            w.write(json.dumps(payload))
        os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd) as r:
        data = r.read()
    os.waitpid(pid, 0)
    payload = json.loads(data) if data else {"error": "the child process died without an answer"}
    if "error" in payload:
        raise RuntimeError("benchmark child process failed:\n" + payload["error"])
    return payload["ok"]


# -- statistics, machine, JSON ------------------------------------------------------------------------------------
def median(xs: list[float]) -> float:
    return float(statistics.median(xs))


def machine_info(device: torch.device) -> dict[str, Any]:
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    import condgan

    return {
        "cpu": cpu, "cores": os.cpu_count(), "cores_usable": len(os.sched_getaffinity(0)),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "torch": torch.__version__, "torch_threads": torch.get_num_threads(), "python": platform.python_version(),
        "platform": platform.platform(), "device": str(device),
        "gpu": torch.cuda.get_device_name(device) if device.type == "cuda" else None,
        "condgan": condgan.__version__, "git_commit": commit,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def command_line(module: str, argv: list[str]) -> str:
    return " ".join(["python", "-m", module, *argv])


def write_json(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n")
    tmp.replace(path)
    return path


def progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)
