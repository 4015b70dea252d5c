"""Where the framework's loop does more work than the hand-written loop: counts, not timings, so that they read the
same on a busy machine.

    python -m benchmarks.profile_loop                          # the representative objectives, 2-D MLP config
    python -m benchmarks.profile_loop --objectives core.cgan --top 25

Runs ``warmup + steps`` steps of each loop under a counting ``sys.setprofile`` hook (Python function calls, C calls
included) and under a ``TorchDispatchMode`` (torch operators dispatched, backward included), and reports the
per-step differences framework - hand: how many more operators and calls, and which. On the CPU an extra operator
costs a few microseconds (on a GPU a kernel launch), an extra Python call a fraction of one. Counts include each
framework segment's set-up (``train()`` writes the run directory, builds the optimizers), spread over its steps.
Writes ``benchmarks/results/profile.json``.
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path
from typing import Any, Callable

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from .configs import CONFIGS, experiment_config
from .hand_loops import REPRESENTATIVES, HandLoop
from .measure import RESULTS, command_line, condgan_run_settings, framework_segment, hand_segment, machine_info, progress, write_json
from .overhead import build, components, load_dataset


class CountOps(TorchDispatchMode):
    """Counts every torch operator dispatched while active."""

    def __init__(self):
        super().__init__()
        self.counts: collections.Counter = collections.Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.counts[str(func.overloadpacket)] += 1
        return func(*args, **(kwargs or {}))


def count_calls(fn: Callable[[], object]) -> collections.Counter:
    """Python and C function calls made by ``fn()``, by function."""
    counts: collections.Counter = collections.Counter()

    def hook(frame, event, arg):
        if event == "call":
            code = frame.f_code
            counts[f"{code.co_filename.rsplit('/', 2)[-1]}:{code.co_firstlineno}({code.co_name})"] += 1
        elif event == "c_call":
            counts[f"~({getattr(arg, '__qualname__', getattr(arg, '__name__', str(arg)))})"] += 1

    sys.setprofile(hook)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return counts


def count_ops(fn: Callable[[], object]) -> collections.Counter:
    with CountOps() as mode:
        fn()
    return mode.counts


def per_step_difference(fw: collections.Counter, hand: collections.Counter, n: int, top: int) -> list[list]:
    diff = collections.Counter(fw)
    diff.subtract(hand)
    rows = sorted(diff.items(), key=lambda kv: -abs(kv[1]))[:top]
    return [[key, round(d / n, 2)] for key, d in rows if abs(d) / n >= 0.05]


def profile_objective(config: str, objective: str, comps, dataset, steps: int, warmup: int, top: int) -> dict[str, Any]:
    raw = experiment_config(config, objective)
    fw = build({**raw, "run": {**raw["run"], **condgan_run_settings(warmup, steps)}}, comps, dataset)
    hand = HandLoop(build(raw, comps, dataset))
    runs = {"framework": lambda: framework_segment(fw, warmup, steps), "hand": lambda: hand_segment(hand, warmup, steps)}
    for run in runs.values():
        run()  # warm-up: lazy initialisation is not a per-step cost
    n = warmup + steps
    calls = {k: count_calls(r) for k, r in runs.items()}
    ops = {k: count_ops(r) for k, r in runs.items()}
    return {
        "steps": n,
        "framework_ops": sum(ops["framework"].values()) / n, "hand_ops": sum(ops["hand"].values()) / n,
        "framework_calls": sum(calls["framework"].values()) / n, "hand_calls": sum(calls["hand"].values()) / n,
        "extra_ops": per_step_difference(ops["framework"], ops["hand"], n, top),
        "extra_calls": per_step_difference(calls["framework"], calls["hand"], n, top),
    }


def main(argv: list[str] | None = None) -> Path:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.profile_loop", description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", default="mlp", choices=list(CONFIGS))
    ap.add_argument("--objectives", nargs="+", default=None,
                    help="default: the objectives with a hand-written loop (hand_loops.REPRESENTATIVES)")
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=50, help="a multiple of --steps")
    ap.add_argument("--top", type=int, default=12)
    ap.add_argument("--out", type=Path, default=RESULTS / "profile.json")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    comps = components()
    objectives = args.objectives or list(REPRESENTATIVES)
    dataset = load_dataset(experiment_config(args.config, objectives[0]), comps)
    rows = {}
    for o in objectives:
        progress(f"[profile] {args.config} {o}")
        r = rows[o] = profile_objective(args.config, o, comps, dataset, args.steps, args.warmup, args.top)
        print(f"{o} on {args.config}, per step: torch ops framework {r['framework_ops']:.1f} hand {r['hand_ops']:.1f} "
              f"(+{r['framework_ops'] - r['hand_ops']:.1f}); Python calls framework {r['framework_calls']:.0f} "
              f"hand {r['hand_calls']:.0f} (+{r['framework_calls'] - r['hand_calls']:.0f})")
        for name in ("extra_ops", "extra_calls"):
            print(f"  {name.replace('_', ' ')}: " + ", ".join(f"{k} {d:+g}" for k, d in r[name]))
    result = {"benchmark": "profile", "command": command_line("benchmarks.profile_loop", sys.argv[1:] if argv is None else argv),
              "machine": machine_info(torch.device("cpu")), "config": args.config, "objectives": rows}
    write_json(args.out, result)
    progress(f"[profile] wrote {args.out}")
    return args.out


if __name__ == "__main__":
    main()
