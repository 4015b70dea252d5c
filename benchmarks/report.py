"""Write ``docs/performance.md`` from the JSON the benchmarks wrote; every number on the page comes from a run.

    python -m benchmarks.report    # reads benchmarks/results/{overhead,scaling,profile}.json (or the -quick ones)

A result file from a ``--quick`` run is used only when no full one exists, and the page then says so at the top.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .measure import RESULTS, ROOT

DOC = ROOT / "docs" / "performance.md"
TARGET_RATIO = 1.03
FULL_COMMANDS = """python -m benchmarks.overhead      # framework vs hand-written loop, both configs, every objective
python -m benchmarks.scaling       # K sweep, batch sweep, TAC-GAN / UAC-GAN relative to AC-GAN
python -m benchmarks.profile_loop  # per-step operator and call counts, framework minus hand loop
python -m benchmarks.report        # this page"""


def load(name: str, results: Path) -> dict | None:
    for stem in (name, f"{name}-quick"):
        path = results / f"{stem}.json"
        if path.exists():
            return json.loads(path.read_text())
    return None


def _f(x: float, digits: int = 3) -> str:
    return f"{x:.{digits}g}" if abs(x) < 10 ** digits else f"{x:.0f}"


def machine_lines(r: dict) -> list[str]:
    m = r["machine"]
    gpu = f", GPU {m['gpu']}" if m.get("gpu") else ""
    return [f"- machine: {m['cpu'] or 'CPU'} ({m['cores_usable']} of {m['cores']} cores usable{gpu}), {m['platform']}",
            f"- torch {m['torch']} with {m['torch_threads']} thread(s), Python {m['python']}, condgan {m['condgan']} "
            f"(commit {m['git_commit'] or '?'}), device {m['device']}",
            f"- load average (1, 5, 15 min) at the start {m['load_average']}, at the end {r.get('load_average_end')}; "
            f"{r['wall_s']:.0f} s; {m['date']}",
            f"- command: `{r['command']}`"]


def quick_banner(results: list[dict | None]) -> list[str]:
    if not any(r and r.get("quick") for r in results):
        return []
    return ["> **Placeholder: numbers from `--quick` runs** (a few steps, two repetitions, possibly on a busy machine).",
            "> They show that the machinery runs, not how fast condgan is. Regenerate with the full commands below.", ""]


def overhead_section(r: dict) -> list[str]:
    out = ["## The loop against a hand-written loop", ""]
    out += machine_lines(r) + [""]
    settings = ", ".join(f"{c}: {s['reps']} repetitions of {s['steps']} timed steps after {s['warmup']} warm-up steps"
                         for c, s in r["settings"].items())
    out += [f"Settings: {settings}. Time per step is the median over repetitions; the ratio is the median over "
            f"repetitions of framework time / hand-loop time, each repetition timing both back to back (alternating "
            f"which goes first). CPU-time ratio: the same with the process's CPU time, which a busy machine disturbs "
            f"less. Target: ratio at most {TARGET_RATIO}.", ""]
    for config, c in r["configs"].items():
        rows = c["objectives"]
        worst = max(rows.items(), key=lambda kv: kv[1]["ratio"])
        met = all(v["ratio"] <= TARGET_RATIO for v in rows.values())
        same = all(v["same_weights"]["identical"] for v in rows.values())
        n_same = next(iter(rows.values()))["same_weights"]["steps"]
        mem_kind = next(iter(rows.values())).get("memory", {}).get("kind", "")
        mem_label = {"cpu_peak_rss_growth": "peak RSS growth, MiB", "cuda_peak_allocated_during_step":
                     "peak allocated in a step, MiB"}.get(mem_kind, "memory")
        verdict = ("not judged (a quick run has too few steps)" if r.get("quick")
                   else "met for every objective" if met else "**not met**")
        out += [f"### {c['description']}", "",
                f"Largest ratio: {worst[1]['ratio']:.3f} ({worst[0]}): the target of {TARGET_RATIO} is "
                f"{verdict}. Same weights as the hand loop after "
                f"{n_same} step{'s' if n_same != 1 else ''}, bit for bit: "
                f"{'every objective' if same else '**not every objective**'}.", "",
                f"| objective | framework ms/step | steps/s | hand ms/step | steps/s | ratio | CPU-time ratio | "
                f"{mem_label}: framework | hand | same weights |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|:---:|"]
        for name, v in rows.items():
            mem = v.get("memory", {})
            out.append(f"| `{name}` | {_f(v['framework_ms'])} | {_f(v['framework_steps_per_s'])} | {_f(v['hand_ms'])} | "
                       f"{_f(v['hand_steps_per_s'])} | {v['ratio']:.3f} | {v['cpu_ratio']:.3f} | "
                       f"{_f(mem['framework_mib']) if mem else '-'} | {_f(mem['hand_mib']) if mem else '-'} | "
                       f"{'yes' if v['same_weights']['identical'] else 'NO'} |")
        out.append("")
    return out


def scaling_section(r: dict) -> list[str]:
    out = ["## How the step time grows", ""] + machine_lines(r) + [""]
    s = r["settings"]["mlp"]
    out += [f"Framework step times (ms, median of {s['reps']} interleaved repetitions of {s['steps']} steps on the "
            f"2-D MLP config).", ""]
    if "k_sweep" in r:
        ks = sorted({row["K"] for row in r["k_sweep"]["rows"]})
        out += ["### Number of conditions K", "",
                f"K clusters on a circle, batch {r['k_sweep']['batch_size']}. Linear growth would multiply the step "
                f"time by {ks[-1] // ks[0]} from K = {ks[0]} to {ks[-1]}; the log-log slope is 1 for linear growth, "
                f"0 for none.", "",
                "| head | " + " | ".join(f"K = {k}" for k in ks) + f" | t({ks[-1]}) / t({ks[0]}) | log-log slope | sub-linear |",
                "|---|" + "---:|" * len(ks) + "---:|---:|:---:|"]
        for head, g in r["k_sweep"]["growth"].items():
            times = {row["K"]: row["ms"] for row in r["k_sweep"]["rows"] if row["head"] == head}
            out.append(f"| {head} (`{next(row['objective'] for row in r['k_sweep']['rows'] if row['head'] == head)}`) | "
                       + " | ".join(_f(times[k]) for k in ks)
                       + f" | {g['time_ratio']:.2f} | {g['loglog_slope']:.2f} | {'yes' if g['sub_linear'] else 'NO'} |")
        out.append("")
    if "batch_sweep" in r:
        bs = sorted({row["batch_size"] for row in r["batch_sweep"]["rows"]})
        out += ["### Batch size", "", f"K = {r['batch_sweep']['K']}; ms per step (µs per sample).", "",
                "| head | " + " | ".join(f"B = {b}" for b in bs) + " |", "|---|" + "---:|" * len(bs)]
        for head in dict.fromkeys(row["head"] for row in r["batch_sweep"]["rows"]):
            rows = {row["batch_size"]: row for row in r["batch_sweep"]["rows"] if row["head"] == head}
            out.append(f"| {head} | " + " | ".join(f"{_f(rows[b]['ms'])} ({_f(rows[b]['us_per_sample'])})" for b in bs) + " |")
        out.append("")
    if "relative_to_ac_gan" in r:
        out += ["### TAC-GAN and UAC-GAN relative to AC-GAN", "",
                "The same networks and batch; UAC-GAN's MINE statistics network is `uacgan.projection` on the "
                "discriminator's features (its default). Step time relative to `uacgan.ac_gan`'s (dcgan: median of "
                f"{r['settings']['dcgan']['reps']} repetitions of {r['settings']['dcgan']['steps']} steps).", "",
                "| config | AC-GAN ms/step | TAC-GAN | UAC-GAN |", "|---|---:|---:|---:|"]
        for config, c in r["relative_to_ac_gan"].items():
            rows = {row["method"]: row for row in c["rows"]}
            out.append(f"| {config} | {_f(rows['AC-GAN']['ms'])} | {rows['TAC-GAN']['relative']:.3f} "
                       f"({_f(rows['TAC-GAN']['ms'])} ms) | {rows['UAC-GAN']['relative']:.3f} ({_f(rows['UAC-GAN']['ms'])} ms) |")
        out.append("")
    return out


def profile_section(r: dict, before: dict | None) -> list[str]:
    n = next(iter(r["objectives"].values()))["steps"]
    out = ["## Work per step beyond the hand-written loop (counts)", "",
           f"`{r['command']}`: torch operators and Python calls per step on the {r['config']} config, counted (not "
           f"timed): framework minus hand loop, each framework segment's set-up spread over its {n} steps. Counts do "
           f"not depend on the machine's load. What remains is mostly the non-finite-loss check (one read of each "
           f"optimizer's loss per step, `_local_scalar_dense`) and the Objective/Models/Batch calls."]
    if before:
        out += ["", f"*Before fixes*: the same counts for condgan at commit {before['machine']['git_commit']}, before "
                    f"the loop's per-step `Module.train()` walk, label range check, disabled autocast, three-operator "
                    f"finite check and every-step log metrics were removed (`git log benchmarks core/train.py`)."]
    head = "| objective | torch ops: framework | hand | extra |" + (" extra before fixes |" if before else "")
    head += " Python calls: framework | hand | extra |" + (" extra before fixes |" if before else "")
    out += ["", head + " largest extra operators |",
            "|---|" + "---:|" * (8 if before else 6) + "---|"]
    for name, v in r["objectives"].items():
        b = before["objectives"].get(name) if before else None
        ops = ", ".join(f"{k} {d:+g}" for k, d in v["extra_ops"][:4])
        row = f"| `{name}` | {v['framework_ops']:.1f} | {v['hand_ops']:.1f} | {v['framework_ops'] - v['hand_ops']:+.1f} |"
        if before:
            row += f" {b['framework_ops'] - b['hand_ops']:+.1f} |" if b else " - |"
        row += f" {v['framework_calls']:.0f} | {v['hand_calls']:.0f} | {v['framework_calls'] - v['hand_calls']:+.0f} |"
        if before:
            row += f" {b['framework_calls'] - b['hand_calls']:+.0f} |" if b else " - |"
        out.append(row + f" {ops} |")
    return out + [""]


METHOD = """## What is measured

- **Framework**: `condgan.train.train` itself, called as a user calls it, with the `[run]` settings of a timed run:
  `log_every = 50` (the default), no sample grids or checkpoints during the run, no progress bar, no generator EMA,
  fp32, deterministic algorithms on (the default), 1 torch thread (`torch.set_num_threads(1)`: stable timings on a
  shared CPU). Each repetition is a fresh `train()` call; its `evaluate` callback reads the clock after the warm-up
  steps and after the timed steps, then ends the run, so the final checkpoint and sample grid are not timed (they
  are not part of a step). The loop's bookkeeping after the first callback (a `metrics.csv` row, some 0.1 ms) falls
  in the timed window and counts against the framework.
- **Hand-written loop** (`benchmarks/hand_loops.py`): the same modules (built from the same config, so the same
  initial weights), the same loss functions (the plugins' pure functions, called inline), the same Adam optimizers
  and batches, with none of the framework's objects; it reads the loss values every 50 steps. Both loops draw random
  numbers in the same order and back-propagate into each optimizer's own parameters, so after the same steps from
  the same seed their weights are identical, bit for bit (column *same weights*, checked on every run and in
  `tests/test_benchmarks.py`): the time difference is the framework's orchestration alone.
- **Configs** (`benchmarks/configs.py`): the 2-D MLP config is the four 2-D Gaussian clusters with `core.mlp_g` /
  `core.mlp_d` of 3 hidden layers of 64 units, latent 16, batch 64 (the CPU scale of `cgpgan.cgpgan_clusters`);
  the 28x28 DCGAN config is Fashion-MNIST with 16-channel `core.dcgan_g` / `core.dcgan_d`, latent 64, batch 32
  (the CPU scale of the cagan Fashion presets). Every objective runs with its defaults; objectives that need a
  classifier get the config's (`core.mlp_q` / `core.dcgan_q`), UAC-GAN its default statistics network, and
  Elastic-InfoGAN's learned prior starts at epoch 0 so that the step does all of the method's work.
  The CGPGAN-paper objectives are unsupervised: they train on the same data and ignore its labels.
- **Memory**: on the CPU, each side runs in a forked child process that builds the experiment and trains a few
  steps; the number is the growth of its peak resident set size (`VmHWM`) over its size at the fork: weights,
  optimizer state, activations, the framework's objects, and a few MiB that torch allocates in any fresh child
  process. On a GPU: `torch.cuda.max_memory_allocated` during a timed segment minus the memory allocated at its start.
- Numbers are from one machine and one run; compare the two loops with each other, not with other machines.
"""


def render(results: Path = RESULTS) -> str:
    overhead, scaling, profile = (load(n, results) for n in ("overhead", "scaling", "profile"))
    lines = ["# Performance", "",
             "<!-- generated by `python -m benchmarks.report` from benchmarks/results/*.json; do not edit by hand -->", ""]
    lines += quick_banner([overhead, scaling])
    lines += ["The training loop should add nothing measurable to a hand-written PyTorch loop of the same model "
              "(the design goal for speed). This page measures that for every built-in objective, and how the "
              "step time grows with the number of conditions and the batch size.", "",
              "Reproduce (from the repository root; about 6-9 minutes on 2 quiet CPU cores, torch 2.x):", "",
              "```", FULL_COMMANDS, "```", "",
              "Each benchmark has `--quick` (seconds; checks that the machinery runs) and writes "
              "`benchmarks/results/<name>[-quick].json`; `--device cuda` runs on a GPU. See `benchmarks/README.md`.", ""]
    lines += METHOD.splitlines() + [""]
    if overhead:
        lines += overhead_section(overhead)
    if scaling:
        lines += scaling_section(scaling)
    if profile:
        lines += profile_section(profile, load("profile-before-fixes", results))
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> Path:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.report", description=__doc__.split("\n\n")[0])
    ap.add_argument("--results", type=Path, default=RESULTS)
    ap.add_argument("--out", type=Path, default=DOC)
    args = ap.parse_args(argv)
    args.out.write_text(render(args.results))
    print(f"wrote {args.out}")
    return args.out


if __name__ == "__main__":
    main()
