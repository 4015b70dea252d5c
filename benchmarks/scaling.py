"""How the framework's step time grows: with the number of conditions K (CA-GAN, AM-GAN and AC-GAN heads), with the
batch size, and UAC-GAN's and TAC-GAN's step time relative to AC-GAN's.

    python -m benchmarks.scaling            # full run, writes benchmarks/results/scaling.json
    python -m benchmarks.scaling --quick    # seconds, writes benchmarks/results/scaling-quick.json

Every number is the step time of :func:`condgan.train.train` (a framework segment, :mod:`benchmarks.measure`).
Within each group (one K sweep, one batch sweep, one AC/TAC/UAC comparison) the variants are interleaved: each
repetition times one segment of every variant, in an order rotated by one per repetition; the result is the median
over repetitions.

* K sweep: the 2-D MLP config with K clusters on a circle (K = 10, 100, 1000), batch 64. CA-GAN
  (``cagan.ca_gan``: K conditional outputs), AM-GAN (``amgan.am_gan``: K class logits + the fixed fake logit) and
  AC-GAN (``uacgan.ac_gan``: an adversarial logit + K class logits). Growth is sub-linear in K when the log-log
  slope ``log(t(K=1000) / t(K=10)) / log(100)`` is below 1.
* Batch sweep: the same three heads at K = 10, batch 16 .. 256.
* Relative cost: ``uacgan.tac_gan`` and ``uacgan.uac_gan`` over ``uacgan.ac_gan`` on every config (the UAC-GAN
  paper calls MINE's cost negligible): the framework's step times as above, and a paired measurement that settles
  a few percent: the hand-written loops of AC-GAN and of the other method take turns every few steps
  (:func:`benchmarks.measure.interleaved_hands`, the overhead benchmark's segments), ratio = the median over pairs
  of the other method's segment over the mean of the AC-GAN segments around it, with a bootstrap 95% interval.
  The hand loops do the framework's arithmetic (same weights, bit for bit), so the ratio is the methods' own cost.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import torch

from .configs import CONFIGS, experiment_config
from .measure import (RESULTS, command_line, condgan_run_settings, framework_segment, machine_info, median, progress,
                      write_json)
from .overhead import SETTINGS as OVERHEAD_SETTINGS
from .overhead import build, components, hand_pair_blocks, load_dataset

HEADS = {"CA-GAN": "cagan.ca_gan", "AM-GAN": "amgan.am_gan", "AC-GAN": "uacgan.ac_gan"}
RELATIVE = {"AC-GAN": "uacgan.ac_gan", "TAC-GAN": "uacgan.tac_gan", "UAC-GAN": "uacgan.uac_gan"}
SETTINGS = {
    "full": {"ks": (10, 100, 1000), "batches": (16, 32, 64, 128, 256),
             "mlp": {"warmup": 50, "steps": 50, "reps": 9}, "mlp512": {"warmup": 10, "steps": 10, "reps": 9},
             "dcgan": {"warmup": 3, "steps": 3, "reps": 9}},
    "quick": {"ks": (10, 100, 1000), "batches": (16, 64),
              "mlp": {"warmup": 3, "steps": 3, "reps": 2}, "mlp512": {"warmup": 1, "steps": 1, "reps": 2},
              "dcgan": {"warmup": 1, "steps": 1, "reps": 2}},
}


def time_group(variants: dict[str, Any], s: dict[str, int], label: str) -> dict[str, dict[str, Any]]:
    """Interleaved framework segments of every variant (name -> built experiment); medians per variant."""
    names = list(variants)
    times: dict[str, list[float]] = {n: [] for n in names}
    for rep in range(s["reps"]):
        progress(f"[scaling] {label}: repetition {rep + 1}/{s['reps']}")
        order = names[rep % len(names):] + names[:rep % len(names)]
        for n in order:
            times[n].append(framework_segment(variants[n], s["warmup"], s["steps"])["s_per_step"])
    return {n: {"ms": 1e3 * median(t), "steps_per_s": 1.0 / median(t), "ms_reps": [1e3 * x for x in t]}
            for n, t in times.items()}


def _exp(config: str, objective: str, s: dict[str, int], kw: dict, comps, datasets: dict, **cfg) -> Any:
    raw = experiment_config(config, objective, **kw, **cfg)
    raw["run"].update(condgan_run_settings(s["warmup"], s["steps"]))
    key = (config, cfg.get("num_classes"))
    if key not in datasets:
        datasets[key] = load_dataset(raw, comps)
    return build(raw, comps, datasets[key])


def paired_relative(config: str, base: str, other: str, kw: dict, comps, datasets: dict, quick: bool) -> dict[str, Any]:
    """Hand loop of ``other`` against the hand loop of ``base``, interleaved (see the module docstring)."""
    s = dict(OVERHEAD_SETTINGS["quick" if quick else "full"][config])
    s.update(blocks=1 if quick else 2, pairs=2 if quick else 30)
    raw_a, raw_b = experiment_config(config, base, **kw), experiment_config(config, other, **kw)
    key = (config, None)
    if key not in datasets:
        datasets[key] = load_dataset(raw_a, comps)
    r = hand_pair_blocks(raw_a, raw_b, comps, datasets[key], s)
    return {"ratio": r["ratio"], "ratio_ci95": r["ratio_ci95"], "base_ms": r["hand_ms"], "ms": r["framework_ms"],
            "pairs": r["pairs"], "steps_per_segment": s["steps"]}


def loglog_slope(t_small: float, t_large: float, k_small: int, k_large: int) -> float:
    """d log t / d log K between two points: 1 is linear growth, 0 no growth."""
    return math.log(t_large / t_small) / math.log(k_large / k_small)


def main(argv: list[str] | None = None):
    ap = argparse.ArgumentParser(prog="python -m benchmarks.scaling", description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a few steps (checks that it runs)")
    ap.add_argument("--parts", nargs="+", default=["k", "batch", "relative"], choices=["k", "batch", "relative"])
    ap.add_argument("--merge", action="store_true", help="keep the parts already in the JSON file that are not run now")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--data-root", default="",
                    help="Fashion-MNIST folder for the dcgan config (data.root; default: the Debian package's files)")
    ap.add_argument("--out", default=None, help="JSON file (default benchmarks/results/scaling[-quick].json)")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    mode = SETTINGS["quick" if args.quick else "full"]
    comps = components()
    kw = {"threads": args.threads, "device": args.device, "data_root": args.data_root}
    datasets: dict = {}
    result: dict[str, Any] = {
        "benchmark": "scaling", "quick": args.quick,
        "command": command_line("benchmarks.scaling", sys.argv[1:] if argv is None else argv),
        "machine": machine_info(torch.device(args.device)),
        "settings": {"mlp": mode["mlp"], "mlp512": mode["mlp512"], "dcgan": mode["dcgan"], "ks": list(mode["ks"]), "batches": list(mode["batches"])},
    }
    t0 = time.perf_counter()
    s = mode["mlp"]
    if "k" in args.parts:
        variants = {f"{h}|{k}": _exp("mlp", o, s, kw, comps, datasets, num_classes=k)
                    for h, o in HEADS.items() for k in mode["ks"]}
        timed = time_group(variants, s, "K sweep")
        rows = [{"head": h, "objective": HEADS[h], "K": k, **timed[f"{h}|{k}"]} for h in HEADS for k in mode["ks"]]
        k0, k1 = min(mode["ks"]), max(mode["ks"])
        growth = {}
        for h in HEADS:
            t_a, t_b = timed[f"{h}|{k0}"]["ms"], timed[f"{h}|{k1}"]["ms"]
            growth[h] = {"K_from": k0, "K_to": k1, "time_ratio": t_b / t_a, "loglog_slope": loglog_slope(t_a, t_b, k0, k1),
                         "sub_linear": t_b / t_a < k1 / k0}
        result["k_sweep"] = {"config": "mlp", "batch_size": 64, "rows": rows, "growth": growth}
        del variants
    if "batch" in args.parts:
        variants = {f"{h}|{b}": _exp("mlp", o, s, kw, comps, datasets, num_classes=10, batch_size=b)
                    for h, o in HEADS.items() for b in mode["batches"]}
        timed = time_group(variants, s, "batch sweep")
        rows = [{"head": h, "objective": HEADS[h], "batch_size": b, **timed[f"{h}|{b}"],
                 "us_per_sample": 1e3 * timed[f"{h}|{b}"]["ms"] / b} for h in HEADS for b in mode["batches"]]
        result["batch_sweep"] = {"config": "mlp", "K": 10, "rows": rows}
        del variants
    if "relative" in args.parts:
        result["relative_to_ac_gan"] = {}
        for config in CONFIGS:
            sc = mode[config]
            variants = {name: _exp(config, o, sc, kw, comps, datasets) for name, o in RELATIVE.items()}
            timed = time_group(variants, sc, f"AC/TAC/UAC on {config}")
            base = timed["AC-GAN"]["ms"]
            rows = [{"method": n, "objective": RELATIVE[n], **timed[n], "relative": timed[n]["ms"] / base}
                    for n in RELATIVE]
            for row in rows[1:]:
                progress(f"[scaling] {row['method']} against AC-GAN on {config}: paired hand loops")
                row["paired"] = paired_relative(config, RELATIVE["AC-GAN"], row["objective"], kw, comps, datasets,
                                                args.quick)
            result["relative_to_ac_gan"][config] = {"rows": rows}
            del variants
    result["wall_s"] = time.perf_counter() - t0
    result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    out = Path(args.out) if args.out else RESULTS / f"scaling{'-quick' if args.quick else ''}.json"
    if args.merge and out.exists():  # the parts not run now keep their numbers, and their run is named
        import json

        old = json.loads(out.read_text())
        kept = [p for p in ("k_sweep", "batch_sweep", "relative_to_ac_gan") if p in old and p not in result]
        result.update({p: old[p] for p in kept})
        if kept:
            result["earlier_runs"] = old.get("earlier_runs", []) + [
                {k: old[k] for k in ("command", "machine", "wall_s") if k in old} | {"parts": kept}]
    write_json(out, result)
    progress(f"[scaling] wrote {out} ({result['wall_s']:.0f} s)")
    return out


if __name__ == "__main__":
    main()
