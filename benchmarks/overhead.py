"""The framework's training loop against a hand-written PyTorch loop of the same networks, losses and optimizers:
steps/s and peak memory for every built-in objective on the 2-D MLP and the 28x28 DCGAN configs.

    python -m benchmarks.overhead            # full run, writes benchmarks/results/overhead.json
    python -m benchmarks.overhead --quick    # a few seconds per objective, writes benchmarks/results/overhead-quick.json

For each config, three phases over every objective (see :mod:`benchmarks.measure` for how each is measured):

1. same work: the framework and the hand loop, each from a fresh build of the config (same seed, so same initial
   weights), train a few steps; their weights must be identical, bit for bit. This also brings every code path
   into memory before phase 2;
2. memory (CPU): two forked children, one trains with :func:`condgan.train.train`, one with the hand-written loop;
   each reports the growth of its peak RSS. On a GPU the peak allocated memory of the timed segments is used;
3. time: ``reps`` interleaved repetitions (framework then hand loop, the other order in odd repetitions) of a
   segment of ``steps`` timed steps after ``warmup`` untimed ones; the result is the median over repetitions of the
   per-step time and of the paired ratio framework / hand.
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import torch

from .configs import CONFIGS, builtin_objectives, experiment_config
from .hand_loops import HAND_STEPS, HandLoop, seed_like_train
from .measure import (RESULTS, command_line, condgan_run_settings, framework_segment, hand_segment, in_child,
                      machine_info, median, peak_rss, progress, release_free_memory, reset_peak_rss, train_steps,
                      write_json)

#: per mode and config: untimed warm-up steps (a multiple of the timed steps) and timed steps per segment, repetitions,
#: steps of the memory and the
#: same-weights runs. Many short repetitions make the median of the paired ratios robust to a disturbed one. The
#: full run takes about 4-6 minutes on 2 quiet cores (torch 2.x, 1 thread).
SETTINGS = {
    "full": {"mlp512": {"warmup": 20, "steps": 20, "reps": 8, "memory_steps": 5, "same_steps": 3},
             "mlp": {"warmup": 100, "steps": 100, "reps": 10, "memory_steps": 20, "same_steps": 10},
             "dcgan": {"warmup": 3, "steps": 3, "reps": 10, "memory_steps": 4, "same_steps": 3}},
    "quick": {"mlp512": {"warmup": 1, "steps": 1, "reps": 2, "memory_steps": 1, "same_steps": 1},
              "mlp": {"warmup": 8, "steps": 8, "reps": 2, "memory_steps": 4, "same_steps": 2},
              "dcgan": {"warmup": 1, "steps": 1, "reps": 2, "memory_steps": 1, "same_steps": 1}},
}
MiB = 2**20


def components():
    from condgan.plugin_manager import get_components

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return get_components()


def build(raw: dict, comps, dataset=None):
    from condgan.build import build_experiment
    from condgan.config import parse_config

    return build_experiment(parse_config(copy.deepcopy(raw), comps), comps, dataset=dataset)


def load_dataset(raw: dict, comps):
    from condgan.build import build_dataset
    from condgan.config import parse_config

    return build_dataset(parse_config(copy.deepcopy(raw), comps))


def _weights(exp) -> dict[str, torch.Tensor]:
    """Every floating-point parameter and buffer of the trained components, by ``component.name``."""
    return {f"{c}.{k}": v.detach().cpu().clone() for c, mod in exp.models.trainable().items()
            for k, v in mod.state_dict().items() if v.is_floating_point()}


def same_weights(raw: dict, comps, dataset, steps: int) -> dict[str, Any]:
    """Train ``steps`` steps with the framework and with the hand loop from fresh builds; compare the weights."""
    det = raw["run"].get("deterministic", True)
    fw = build({**raw, "run": {**raw["run"], "steps": steps, "eval_every": steps}}, comps, dataset)
    train_steps(fw, steps)
    hand_exp = build(raw, comps, dataset)
    torch.use_deterministic_algorithms(det, warn_only=True)  # what train() sets
    seed_like_train(hand_exp.config.run.seed)
    HandLoop(hand_exp).run(0, steps)
    a, b = _weights(fw), _weights(hand_exp)
    identical = a.keys() == b.keys() and all(torch.equal(a[k], b[k]) or (a[k].isnan() == b[k].isnan()).all()
                                             and torch.equal(a[k].nan_to_num(), b[k].nan_to_num()) for k in a)
    diff = max((float((a[k] - b[k]).abs().nan_to_num().max()) for k in a if a[k].numel()), default=0.0)
    return {"steps": steps, "identical": bool(identical), "max_abs_diff": diff}


def memory_growth(raw: dict, comps, dataset, side: str, steps: int) -> int:
    """Peak-RSS growth (bytes) of a forked child that builds the experiment and trains ``steps`` steps on ``side``."""

    def child() -> dict:
        base = reset_peak_rss()
        if side == "framework":
            exp = build({**raw, "run": {**raw["run"], "steps": steps, "eval_every": steps}}, comps, dataset)
            peak = train_steps(exp, steps, at_end=peak_rss)
        else:
            exp = build(raw, comps, dataset)
            HandLoop(exp).run(0, steps)
            peak = peak_rss()
        return {"growth": peak - base}

    return int(in_child(child)["growth"])


def time_objective(raw: dict, comps, dataset, s: dict[str, int]) -> dict[str, Any]:
    """Interleaved repetitions of a framework segment and a hand-loop segment; medians."""
    fw_exp = build({**raw, "run": {**raw["run"], **condgan_run_settings(s["warmup"], s["steps"])}}, comps, dataset)
    hand = HandLoop(build(raw, comps, dataset))
    torch.use_deterministic_algorithms(fw_exp.config.run.deterministic, warn_only=True)
    fw, hd = {"wall": [], "cpu": [], "peak": []}, {"wall": [], "cpu": [], "peak": []}
    for rep in range(s["reps"]):
        order = ("framework", "hand") if rep % 2 == 0 else ("hand", "framework")
        for side in order:
            if side == "framework":
                r, into = framework_segment(fw_exp, s["warmup"], s["steps"]), fw
            else:
                r, into = hand_segment(hand, s["warmup"], s["steps"]), hd
            into["wall"].append(r["s_per_step"]), into["cpu"].append(r["cpu_s_per_step"]), into["peak"].append(r["peak_bytes"])
    out = {
        "framework_ms": 1e3 * median(fw["wall"]), "hand_ms": 1e3 * median(hd["wall"]),
        "ratio": median([f / h for f, h in zip(fw["wall"], hd["wall"])]),
        "ratio_of_medians": median(fw["wall"]) / median(hd["wall"]),
        "ratio_of_minima": min(fw["wall"]) / min(hd["wall"]),  # noise only adds time: the least disturbed pair
        "framework_steps_per_s": 1.0 / median(fw["wall"]), "hand_steps_per_s": 1.0 / median(hd["wall"]),
        "framework_cpu_ms": 1e3 * median(fw["cpu"]), "hand_cpu_ms": 1e3 * median(hd["cpu"]),
        "cpu_ratio": median([f / h for f, h in zip(fw["cpu"], hd["cpu"])]),
        "framework_ms_reps": [1e3 * t for t in fw["wall"]], "hand_ms_reps": [1e3 * t for t in hd["wall"]],
    }
    fw_peak, hand_peak = fw["peak"], hd["peak"]
    if fw_peak[0] is not None:
        out["memory"] = {"kind": "cuda_peak_allocated_during_step", "framework_mib": max(fw_peak) / MiB,
                         "hand_mib": max(hand_peak) / MiB}
    return out


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.overhead", description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a few steps and two repetitions (checks that it runs)")
    ap.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    ap.add_argument("--objectives", nargs="+", default=None, help="default: every built-in objective")
    ap.add_argument("--reps", type=int, default=None, help="repetitions (default: the mode's)")
    ap.add_argument("--steps", type=int, default=None, help="timed steps per segment (default: the mode's)")
    ap.add_argument("--warmup", type=int, default=None,
                    help="untimed steps before each segment, a multiple of --steps (default: the mode's)")
    ap.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1, for stable timings)")
    ap.add_argument("--out", type=Path, default=None, help="JSON file (default benchmarks/results/overhead[-quick].json)")
    ap.add_argument("--merge", action="store_true",
                    help="keep the other configs already in the JSON file and replace only those run now")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> Path:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)  # before any torch work: the memory children are forked
    device = torch.device(args.device)
    mode = "quick" if args.quick else "full"
    comps = components()
    objectives = args.objectives or builtin_objectives(comps)
    missing = [o for o in objectives if o not in HAND_STEPS]
    if missing:
        raise SystemExit(f"no hand-written loop for {missing}; add one to benchmarks/hand_loops.py")
    out_path = args.out or RESULTS / f"overhead{'-quick' if args.quick else ''}.json"
    result: dict[str, Any] = {
        "benchmark": "overhead", "quick": args.quick,
        "command": command_line("benchmarks.overhead", sys.argv[1:] if argv is None else argv),
        "machine": machine_info(device), "settings": {}, "configs": {},
    }
    t_start = time.perf_counter()
    for config in args.configs:
        s = dict(SETTINGS[mode][config])
        s.update({k: v for k, v in (("reps", args.reps), ("steps", args.steps), ("warmup", args.warmup)) if v})
        result["settings"][config] = s
        kw = {"threads": args.threads, "device": args.device}
        dataset = load_dataset(experiment_config(config, objectives[0], **kw), comps)
        raws = {o: experiment_config(config, o, **kw) for o in objectives}
        rows: dict[str, dict] = {o: {} for o in objectives}
        for o in objectives:  # also warms every code path up before the memory children are forked
            progress(f"[overhead] {config} {o}: same weights")
            rows[o]["same_weights"] = same_weights(raws[o], comps, dataset, s["same_steps"])
        if device.type == "cpu":
            gc.collect()
            release_free_memory()
            for o in objectives:
                progress(f"[overhead] {config} {o}: memory")
                rows[o]["memory"] = {"kind": "cpu_peak_rss_growth", "steps": s["memory_steps"], **{
                    f"{side}_mib": memory_growth(raws[o], comps, dataset, side, s["memory_steps"]) / MiB
                    for side in ("framework", "hand")}}
        for o in objectives:
            progress(f"[overhead] {config} {o}: time")
            row = rows[o]
            timing = time_objective(raws[o], comps, dataset, s)
            row.update({k: v for k, v in timing.items() if k != "memory" or "memory" not in row})
            progress(f"    framework {row['framework_ms']:.3f} ms/step, hand {row['hand_ms']:.3f} ms/step, "
                     f"ratio {row['ratio']:.3f} (CPU time {row['cpu_ratio']:.3f}), "
                     f"same weights: {row['same_weights']['identical']}")
            gc.collect()
        result["configs"][config] = {"description": CONFIGS[config], "objectives": rows}
    result["wall_s"] = time.perf_counter() - t_start
    result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    if args.merge and out_path.exists():  # earlier configs keep their own settings, machine and command
        old = json.loads(out_path.read_text())
        kept = {c: v for c, v in old["configs"].items() if c not in result["configs"]}
        result["configs"] = {**kept, **result["configs"]}
        result["settings"] = {**{c: old["settings"][c] for c in kept}, **result["settings"]}
        result["earlier_runs"] = old.get("earlier_runs", []) + [{k: old[k] for k in ("command", "machine", "wall_s")
                                                                  if k in old} | {"configs": sorted(kept)}]
    write_json(out_path, result)
    progress(f"[overhead] wrote {out_path} ({result['wall_s']:.0f} s)")
    return out_path


if __name__ == "__main__":
    main()
