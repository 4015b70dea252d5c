"""The framework's training loop against a hand-written PyTorch loop of the same networks, losses and optimizers:
steps/s and peak memory for the representative objectives of each built-in plugin
(:data:`benchmarks.hand_loops.REPRESENTATIVES`) on the 2-D MLP and the 28x28 DCGAN configs.

    python -m benchmarks.overhead            # full run, writes benchmarks/results/overhead.json
    python -m benchmarks.overhead --quick    # a few seconds per objective, writes benchmarks/results/overhead-quick.json

For each config, three phases over every objective (see :mod:`benchmarks.measure` for how each is measured):

1. same work: the framework and the hand loop, each from a fresh build of the config (same seed, so same initial
   weights), train a few steps; their weights must be identical, bit for bit. This also brings every code path
   into memory before phase 2;
2. memory: on the CPU two forked children, one trains with :func:`condgan.train.train`, one with the hand-written
   loop; each reports the growth of its peak RSS. On a GPU, the peak allocated memory of one timed segment of each;
3. time: ``blocks`` blocks, each from fresh builds of both sides, in which one ``train()`` call and the hand loop
   take turns every ``steps`` steps, ``pairs`` times (:func:`benchmarks.measure.interleaved_segments`); the ratio is
   the median, over all pairs, of a framework segment's time over the mean of the two hand segments around it, with
   a bootstrap 95% interval. A noise control times one objective's hand loop against a copy of itself the same way.
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import os
import random
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import torch

from .configs import CONFIGS, experiment_config
from .hand_loops import HAND_STEPS, REPRESENTATIVES, HandLoop, seed_like_train
from .measure import (RESULTS, command_line, condgan_run_settings, framework_segment, hand_segment, in_child, interleaved_hands, interleaved_run_settings, interleaved_segments,
                      machine_info, median, pair_ratios, peak_rss, progress, release_free_memory, reset_peak_rss,
                      train_steps, write_json)

#: per mode and config: untimed warm-up steps (a multiple of the segment's steps), steps per timed segment, segment
#: pairs per block, blocks (fresh builds), steps of the memory and of the same-weights runs. Segments of 30-60 ms
#: alternate fast enough that the drift of a shared machine's speed (seconds) cancels in each pair; the full run
#: takes about 20 minutes on 2 quiet cores (torch 2.x, 1 thread).
SETTINGS = {
    "full": {"mlp512": {"warmup": 20, "steps": 4, "pairs": 40, "blocks": 4, "memory_steps": 5, "same_steps": 3},
             "mlp": {"warmup": 100, "steps": 20, "pairs": 30, "blocks": 4, "memory_steps": 20, "same_steps": 10},
             "dcgan": {"warmup": 3, "steps": 1, "pairs": 30, "blocks": 4, "memory_steps": 4, "same_steps": 3}},
    "quick": {"mlp512": {"warmup": 1, "steps": 1, "pairs": 2, "blocks": 1, "memory_steps": 1, "same_steps": 1},
              "mlp": {"warmup": 4, "steps": 4, "pairs": 2, "blocks": 1, "memory_steps": 4, "same_steps": 2},
              "dcgan": {"warmup": 1, "steps": 1, "pairs": 2, "blocks": 1, "memory_steps": 1, "same_steps": 1}},
}
#: the objective whose hand loop is also timed against a copy of itself (the noise control), per run
CONTROL = "core.cgan"
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


def cuda_peaks(raw: dict, comps, dataset, steps: int) -> dict[str, float]:
    """Peak allocated GPU memory (MiB) of ``steps`` timed steps of each side, after as many warm-up steps."""
    fw = build({**raw, "run": {**raw["run"], **condgan_run_settings(steps, steps)}}, comps, dataset)
    out = {"framework_mib": framework_segment(fw, steps, steps)["peak_bytes"] / MiB}
    del fw
    out["hand_mib"] = hand_segment(HandLoop(build(raw, comps, dataset)), steps, steps)["peak_bytes"] / MiB
    return out


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


def bootstrap_median_ci(xs: list[float], n: int = 2000, seed: int = 0) -> tuple[float, float]:
    """95% percentile-bootstrap interval of the median of ``xs``."""
    rng = random.Random(seed)
    meds = sorted(median(rng.choices(xs, k=len(xs))) for _ in range(n))
    return meds[int(0.025 * n)], meds[int(0.975 * n) - 1]


def summarize(segs: list[dict[str, list[float]]]) -> dict[str, Any]:
    """Medians, pair ratios and their bootstrap interval over the blocks of one objective."""
    ratios = [r for b in segs for r in pair_ratios(b["framework"], b["hand"])]
    cpu = [r for b in segs for r in pair_ratios(b["framework_cpu"], b["hand_cpu"])]
    fw = [t for b in segs for t in b["framework"]]
    hd = [t for b in segs for t in b["hand"]]
    lo, hi = bootstrap_median_ci(ratios)
    return {
        "framework_ms": 1e3 * median(fw), "hand_ms": 1e3 * median(hd),
        "ratio": median(ratios), "ratio_ci95": [lo, hi],
        "ratio_of_sums": sum(fw) / sum(0.5 * (b["hand"][i] + b["hand"][i + 1]) for b in segs
                                       for i in range(len(b["framework"]))),
        "block_ratios": [median(pair_ratios(b["framework"], b["hand"])) for b in segs],
        "framework_steps_per_s": 1.0 / median(fw), "hand_steps_per_s": 1.0 / median(hd),
        "framework_cpu_ms": 1e3 * median([t for b in segs for t in b["framework_cpu"]]),
        "hand_cpu_ms": 1e3 * median([t for b in segs for t in b["hand_cpu"]]),
        "cpu_ratio": median(cpu), "pairs": len(ratios),
    }


def time_objective(raw: dict, comps, dataset, s: dict[str, int]) -> dict[str, Any]:
    """``blocks`` blocks, each from fresh builds of both sides, of ``pairs`` interleaved segment pairs
    (:func:`benchmarks.measure.interleaved_segments`). Where a module's tensors lie in memory changes its speed by
    up to about 1% (the same backward on two builds of one config, interleaved: 40-90 µs apart on the 4x512 MLP,
    and the side built first was the slower one), so each block builds afresh and the side built first alternates."""
    segs = []
    timed_raw = {**raw, "run": {**raw["run"], **interleaved_run_settings(s["warmup"], s["steps"], s["pairs"])}}
    for block in range(s["blocks"]):
        if block % 2 == 0:  # the side built first gets other heap addresses than the second: alternate
            fw_exp, hand = build(timed_raw, comps, dataset), HandLoop(build(raw, comps, dataset))
        else:
            hand = HandLoop(build(raw, comps, dataset))
            fw_exp = build(timed_raw, comps, dataset)
        torch.use_deterministic_algorithms(fw_exp.config.run.deterministic, warn_only=True)
        hand.run(0, s["warmup"])
        segs.append(interleaved_segments(fw_exp, hand, s["warmup"], s["steps"], s["pairs"]))
        del fw_exp, hand
        gc.collect()
    return summarize(segs)


def hand_pair_blocks(raw_a: dict, raw_b: dict, comps, dataset, s: dict[str, int]) -> dict[str, Any]:
    """The hand loop of ``raw_b`` against the hand loop of ``raw_a``, in the pattern of :func:`time_objective`
    (:func:`benchmarks.measure.interleaved_hands`; ``b`` where the framework would be), the side built first
    alternating between blocks. With ``raw_a == raw_b`` it is the noise control: the ratio the method reports for no
    difference."""
    segs = []
    for block in range(s["blocks"]):
        if block % 2 == 0:
            a, b = HandLoop(build(raw_a, comps, dataset)), HandLoop(build(raw_b, comps, dataset))
        else:
            b = HandLoop(build(raw_b, comps, dataset))
            a = HandLoop(build(raw_a, comps, dataset))
        torch.use_deterministic_algorithms(raw_a["run"].get("deterministic", True), warn_only=True)
        segs.append(interleaved_hands(a, b, s["warmup"], s["steps"], s["pairs"]))
        del a, b
        gc.collect()
    return summarize(segs)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.overhead", description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a few steps and two repetitions (checks that it runs)")
    ap.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    ap.add_argument("--objectives", nargs="+", default=None,
                    help="default: the objectives with a hand-written loop (hand_loops.REPRESENTATIVES)")
    ap.add_argument("--pairs", type=int, default=None, help="framework/hand segment pairs per block (default: the mode's)")
    ap.add_argument("--blocks", type=int, default=None, help="blocks, each from fresh builds (default: the mode's)")
    ap.add_argument("--steps", type=int, default=None, help="steps per timed segment (default: the mode's)")
    ap.add_argument("--warmup", type=int, default=None,
                    help="untimed steps before each segment, a multiple of --steps (default: the mode's)")
    ap.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1, for stable timings)")
    ap.add_argument("--data-root", default="",
                    help="Fashion-MNIST folder for the dcgan config (data.root; default: the Debian package's files)")
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
    objectives = args.objectives or list(REPRESENTATIVES)
    missing = [o for o in objectives if o not in HAND_STEPS]
    if missing:
        raise SystemExit(f"no hand-written loop for {missing}: the benchmark times the representatives "
                         f"{', '.join(REPRESENTATIVES)} (benchmarks/hand_loops.py)")
    out_path = args.out or RESULTS / f"overhead{'-quick' if args.quick else ''}.json"
    result: dict[str, Any] = {
        "benchmark": "overhead", "quick": args.quick,
        "command": command_line("benchmarks.overhead", sys.argv[1:] if argv is None else argv),
        "machine": machine_info(device), "settings": {}, "configs": {},
    }
    t_start = time.perf_counter()
    for config in args.configs:
        s = dict(SETTINGS[mode][config])
        s.update({k: v for k, v in (("pairs", args.pairs), ("blocks", args.blocks), ("steps", args.steps),
                                    ("warmup", args.warmup)) if v})
        result["settings"][config] = s
        kw = {"threads": args.threads, "device": args.device, "data_root": args.data_root}
        dataset = load_dataset(experiment_config(config, objectives[0], **kw), comps)
        raws = {o: experiment_config(config, o, **kw) for o in objectives}
        rows: dict[str, dict] = {o: {} for o in objectives}
        for o in objectives:  # also warms every code path up before the memory children are forked
            progress(f"[overhead] {config} {o}: same weights")
            rows[o]["same_weights"] = same_weights(raws[o], comps, dataset, s["same_steps"])
        if device.type != "cpu":
            for o in objectives:
                progress(f"[overhead] {config} {o}: memory")
                rows[o]["memory"] = {"kind": "cuda_peak_allocated_during_step", "steps": s["memory_steps"],
                                     **cuda_peaks(raws[o], comps, dataset, s["memory_steps"])}
        else:
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
            row.update(time_objective(raws[o], comps, dataset, s))
            progress(f"    framework {row['framework_ms']:.3f} ms/step, hand {row['hand_ms']:.3f} ms/step, "
                     f"ratio {row['ratio']:.3f} (95% interval {row['ratio_ci95'][0]:.3f}-{row['ratio_ci95'][1]:.3f}; "
                     f"CPU time {row['cpu_ratio']:.3f}), "
                     f"same weights: {row['same_weights']['identical']}")
            gc.collect()
        control = CONTROL if CONTROL in objectives else objectives[0]
        progress(f"[overhead] {config} {control}: noise control (hand loop against a copy of itself)")
        noise = {"objective": control, **hand_pair_blocks(raws[control], raws[control], comps, dataset, s)}
        progress(f"    ratio {noise['ratio']:.3f} (95% interval {noise['ratio_ci95'][0]:.3f}-{noise['ratio_ci95'][1]:.3f})")
        result["configs"][config] = {"description": CONFIGS[config], "objectives": rows, "noise_control": noise}
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
