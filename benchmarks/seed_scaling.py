"""Wall time of a seed group against its number of seeds: vectorized (one process, one step for all seeds,
:mod:`condgan.vectorized`) and in worker processes, on one core.

    python -m benchmarks.seed_scaling                                  # MoG TAC-GAN, 1 4 8 16 seeds, 200 steps
    python -m benchmarks.seed_scaling --presets uacgan.mog_tac_gan core.digits_mlp --seeds 1 4 8 16 32 --steps 300

Every measurement is one ``condgan train`` command in a fresh process, pinned to one core (``taskset -c 0``, one
torch thread; ``--workers 1`` for the processes mode, since more workers on one core only take turns), timed from
outside (``wall_s``: interpreter start, imports, building, training, the final checkpoint and sample picture of
every seed), and ``cpu_s``, the CPU time the command and its workers used (less sensitive to the other jobs of a
shared machine than the wall time). ``loop_s`` is the training loop alone, read from metrics.csv (``time_s`` of the last row): for the
vectorized group the loop of all seeds at once, for the processes the sum over seeds. ``one run`` is a plain
``condgan train`` of seed 0 (no group), the 1x reference. Results: benchmarks/results/seed_scaling.json; the table
in docs/performance.md ("Many seeds at once") is written from it by hand.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

from .measure import RESULTS, command_line, machine_info, progress, write_json

SETTINGS = ["run.threads=1", "run.progress=false", "run.tensorboard=false", "run.sample_every=0",
            "run.checkpoint_every=0"]


def _pin() -> list[str]:
    return ["taskset", "-c", "0"] if shutil.which("taskset") else []


def _last_time(run_dir: Path) -> float:
    with open(run_dir / "metrics.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r.get("time_s")]
    return float(rows[-1]["time_s"])


def measure(preset: str, mode: str, seeds: int, steps: int) -> dict:
    """One command: ``mode`` is "one" (a plain run), "vectorized" or "processes"."""
    with tempfile.TemporaryDirectory() as out:
        cmd = [*_pin(), sys.executable, "-m", "condgan", "train", "--preset", preset, "--out", out,
               "--set", f"run.steps={steps}", "--set", "run.name=b"]
        for s in SETTINGS:
            cmd += ["--set", s]
        if mode != "one":
            cmd += ["--seeds", f"0-{seeds - 1}"]
            cmd += ["--vectorize"] if mode == "vectorized" else ["--workers", "1"]
        load = os.getloadavg()[0]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if r.returncode:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{r.stderr[-2000:]}")
        if "cannot vectorize" in r.stderr:
            raise RuntimeError(f"{preset} was not vectorized: {r.stderr.strip().splitlines()[-1]}")
        base = Path(out) / "b"
        if mode == "one":
            loop = _last_time(base)
        elif mode == "vectorized":
            loop = _last_time(base / "seed-0")
        else:
            loop = sum(_last_time(base / f"seed-{s}") for s in range(seeds))
    return {"preset": preset, "mode": mode, "seeds": seeds, "steps": steps, "wall_s": round(wall, 2),
            "cpu_s": round(cpu, 2), "loop_s": round(loop, 3), "load_before": round(load, 2), "load_after": round(os.getloadavg()[0], 2)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--presets", nargs="+", default=["uacgan.mog_tac_gan"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[1, 4, 8, 16])
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--modes", nargs="+", default=["vectorized", "processes"])
    ap.add_argument("--out", default=str(RESULTS / "seed_scaling.json"))
    args = ap.parse_args(argv)
    results = []
    for preset in args.presets:
        results.append(measure(preset, "one", 1, args.steps))
        progress(f"{preset} one run: {results[-1]}")
        for n in args.seeds:
            for mode in args.modes:
                results.append(measure(preset, mode, n, args.steps))
                progress(f"{preset} {mode} {n}: {results[-1]}")
    write_json(Path(args.out), {
        "command": command_line("benchmarks.seed_scaling", argv if argv is not None else sys.argv[1:]),
        "machine": machine_info(torch.device("cpu")), "pinned": " ".join(_pin()) or "(taskset not found)",
        "note": "a shared machine: 2 cores, other jobs running (load_before/after: the 1-minute load average)",
        "results": results})
    print(render(results))
    return 0


def render(results: list[dict]) -> str:
    """The markdown table of docs/performance.md: per preset and seed count, wall and loop time of both modes."""
    lines = ["| preset | seeds | vectorized wall s | vectorized CPU s | vectorized loop s | processes wall s | "
             "processes CPU s | processes loop s | vectorized loop / one run's loop | load (1 min) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for preset in dict.fromkeys(r["preset"] for r in results):
        one = next(r for r in results if r["preset"] == preset and r["mode"] == "one")
        lines.append(f"| {preset} | one run | {one['wall_s']} | {one['cpu_s']} | {one['loop_s']} | | | | 1 | "
                     f"{one['load_before']} |")
        for n in sorted({r["seeds"] for r in results if r["preset"] == preset and r["mode"] != "one"}):
            v = next((r for r in results if r["preset"] == preset and r["mode"] == "vectorized" and r["seeds"] == n), None)
            p = next((r for r in results if r["preset"] == preset and r["mode"] == "processes" and r["seeds"] == n), None)
            cell = lambda r, k: str(r[k]) if r else "-"  # noqa: E731
            ratio = f"{v['loop_s'] / one['loop_s']:.2f}" if v else "-"
            lines.append(f"| {preset} | {n} | {cell(v, 'wall_s')} | {cell(v, 'cpu_s')} | {cell(v, 'loop_s')} | "
                         f"{cell(p, 'wall_s')} | {cell(p, 'cpu_s')} | {cell(p, 'loop_s')} | {ratio} | "
                         f"{cell(v or p, 'load_before')} |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
