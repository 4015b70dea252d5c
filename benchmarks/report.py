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
FULL_COMMANDS = """python -m benchmarks.overhead      # framework vs hand-written loop, the three configs, the representative objectives
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
            f"- command: `{r['command']}`"] + [
        f"- the {'configs' if 'configs' in e else 'parts'} {', '.join(e.get('configs') or e.get('parts', []))} come "
        f"from an earlier run in the same file: `{e['command']}` "
        f"(commit {e['machine'].get('git_commit') or '?'}, {e['machine']['date']}, load average at the start "
        f"{e['machine']['load_average']}, {e.get('wall_s', 0):.0f} s)" for e in r.get("earlier_runs", [])]


def quick_banner(results: list[dict | None]) -> list[str]:
    if not any(r and r.get("quick") for r in results):
        return []
    return ["> **Placeholder: numbers from `--quick` runs** (a few steps, two repetitions, possibly on a busy machine).",
            "> They show that the machinery runs, not how fast condgan is. Regenerate with the full commands below.", ""]


def overhead_section(r: dict) -> list[str]:
    out = ["## The loop against a hand-written loop", ""]
    out += machine_lines(r) + [""]
    settings = "; ".join(f"{c}: {s['blocks']} blocks x {s['pairs']} pairs of {s['steps']}-step segments after "
                         f"{s['warmup']} warm-up steps" for c, s in r["settings"].items())
    out += [f"Settings: {settings}. Time per step: the median over segments. Ratio: the median, over all pairs, of a "
            f"framework segment's time over the mean of the two hand-loop segments just before and after it, with a "
            f"95% bootstrap interval of that median. CPU-time ratio: the same with the process's CPU time. Target: "
            f"ratio at most {TARGET_RATIO}.", ""]
    from .configs import CONFIGS

    for config, c in sorted(r["configs"].items(), key=lambda kv: list(CONFIGS).index(kv[0]) if kv[0] in CONFIGS else 99):
        rows = c["objectives"]
        worst = max(rows.items(), key=lambda kv: kv[1]["ratio"])
        met = all(v["ratio"] <= TARGET_RATIO for v in rows.values())
        same = all(v["same_weights"]["identical"] for v in rows.values())
        n_same = next(iter(rows.values()))["same_weights"]["steps"]
        mem_kind = next(iter(rows.values())).get("memory", {}).get("kind", "")
        mem_label = {"cpu_peak_rss_growth": "peak RSS growth, MiB", "cuda_peak_allocated_during_step":
                     "peak allocated in a step, MiB"}.get(mem_kind, "memory")
        judged = config != "mlp"  # the small MLP is a stress test of the loop's own cost, not a target config
        noise = c["noise_control"]
        m = r["machine"]
        loaded = m["load_average"] and m["load_average"][0] > m["cores_usable"]  # more runnable jobs than cores
        verdict = ("not judged (a quick run has too few steps)" if r.get("quick")
                   else "met for every objective" if met else "**not met**")
        if loaded and not r.get("quick"):
            lo, hi = noise["ratio_ci95"]
            verdict = (f"not judged on this run: the machine was loaded (load average {m['load_average'][0]} on "
                       f"{m['cores_usable']} cores); identical loops measured the same way (the noise control) gave "
                       f"{lo:.3f}-{hi:.3f}, so an objective's ratio is resolved to about "
                       f"±{100 * max(1 - lo, hi - 1):.0f}% only")
        elif not judged and not r.get("quick"):
            verdict = (("met" if met else "**not met**") + " here, where the step is only about 2 ms, so the loop's "
                       "own tens of microseconds show (column *overhead*). The target is judged on the paper-scale "
                       "MLP and the DCGAN configs")
        ratios = sorted(v["ratio"] for v in rows.values())
        uppers = [v["ratio_ci95"][1] for v in rows.values()]
        pooled = (f"Over the {len(ratios)} objectives: median ratio {ratios[len(ratios) // 2]:.3f}, "
                  f"{sum(x > TARGET_RATIO for x in ratios)} above {TARGET_RATIO}; "
                  f"{sum(u > TARGET_RATIO for u in uppers)} whose 95% interval reaches above {TARGET_RATIO}. "
                  f"Noise control: the hand loop of `{noise['objective']}` timed the same way against a copy of "
                  f"itself gave {noise['ratio']:.3f} ({noise['ratio_ci95'][0]:.3f}-{noise['ratio_ci95'][1]:.3f}).")
        out += [f"### {c['description']}", "", pooled, "",
                f"Largest ratio: {worst[1]['ratio']:.3f} ({worst[0]}): the target of {TARGET_RATIO} is "
                f"{verdict}. Same weights as the hand loop after "
                f"{n_same} step{'s' if n_same != 1 else ''}, bit for bit: "
                f"{'every objective' if same else '**not every objective**'}.", "",
                f"| objective | framework ms/step | steps/s | hand ms/step | steps/s | ratio | 95% interval | "
                f"CPU-time ratio | overhead µs/step | {mem_label}: framework | hand | same weights |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|"]
        for name, v in rows.items():
            mem = v.get("memory", {})
            out.append(f"| `{name}` | {_f(v['framework_ms'])} | {_f(v['framework_steps_per_s'])} | {_f(v['hand_ms'])} | "
                       f"{_f(v['hand_steps_per_s'])} | {v['ratio']:.3f} | {v['ratio_ci95'][0]:.3f}-{v['ratio_ci95'][1]:.3f} | "
                       f"{v['cpu_ratio']:.3f} | "
                       f"{1e3 * (v['ratio'] - 1) * v['hand_ms']:.0f} | "
                       f"{_f(mem['framework_mib']) if mem else '-'} | {_f(mem['hand_mib']) if mem else '-'} | "
                       f"{'yes' if v['same_weights']['identical'] else 'NO'} |")
        out.append("")
    return out


READING = """### Reading these numbers (by hand, 2026-11-29)

- **A loaded machine.** This run (`--blocks 2 --pairs 15`: 2 blocks of 15 pairs instead of the full settings' 4 of
  30-40; 19 min) shared the 2 cores with five other engineers' jobs: load average 7.7 at the start and 11.5 at the end,
  every step 4-10 times slower than on the quiet machine (4x512 MLP: 63-125 ms instead of 14-23 ms; DCGAN:
  365-720 ms instead of 56-111 ms). Both loops slow alike (they take turns every few steps), but the noise controls
  (identical loops measured the same way) spread to 0.93-1.05, against 0.976-1.002 on the quiet machine: a single
  objective's ratio is resolved to about ±5% here, so these numbers do not judge the 3% target; the column
  *overhead* (µs per step) is inflated by the same factor.
- **Consistent with the quiet run.** The median ratios over the 7 objectives, 1.015 (4x512 MLP), 1.044 (small MLP)
  and 1.011 (DCGAN), match those of the same 7 objectives in the earlier full run on a quiet machine (load 1,
  commit fb24646, all 18 objectives): 1.013, 1.043 and 1.005 (all 18 there: 1.012, 1.042, 1.006, largest 1.021 on
  the 4x512 MLP and 1.012 on the DCGAN, the 3% target met for every objective on both). The ratios above 1.03 here
  on the judged configs (UAC-GAN 1.039 on the 4x512 MLP; AM-GAN 1.048 and AC-GAN 1.040 on the DCGAN) have intervals
  that reach down to 1.00 or below; on the quiet machine the same objectives gave 1.019, 1.006 and 1.006.
- **Same work.** After the same steps from the same seed the framework and the hand-written loop hold identical
  weights, bit for bit, for every objective on every config: the framework computes nothing the paper's method
  does not.
- **The loop's own cost** (quiet run, commit fb24646) **is 0.1-0.3 ms per step**: about 120 µs on the small MLP
  (its median ratio 1.042: a 2 ms step shows it; up to 376 µs for UAC-GAN with its statistics network), 180 µs on
  the 4x512 MLP. It is the objective's Python (the `Models`, `Batch` and `StepOutput` objects, the composer's split,
  one finiteness read per optimizer): the framework's step written out inline, timed call by call against the hand
  loop's, costs 75-90 µs more on the small MLP; the largest piece is the discriminator side (30 µs), `apply`'s loss
  table and finiteness checks cost 5 µs. On the DCGAN (60-120 ms per step) it is below the resolution.
- **Why the method changed.** This machine's speed drifts by up to 25% over seconds (a shared VM). Timing each
  side in its own repetitions, seconds apart, gave single-objective ratios scattered by ±5% and an A/A test of that
  method (the hand loop against itself) 0.96-1.06; the interleaved segments and the noise control above replace it.
  Which side is built first also matters: two builds of one config, same code, differed by 40-90 µs per 4x512
  backward depending on where their tensors landed; the blocks alternate the order.
- **MINE's cost** (section *TAC-GAN and UAC-GAN relative to AC-GAN*, paired column): UAC-GAN's step costs 1.024x
  AC-GAN's on the DCGAN and 1.088x on the 4x512 MLP, TAC-GAN's 1.014x and 1.018x. The UAC-GAN paper's "negligible"
  holds at image scale; on the small 2-D MLP, where the statistics network is as large as the rest, it is 1.44x.
  The framework columns (separate repetitions, the old method) scatter by up to 10% around these.
- **What the profile found and removed earlier** (section below): per-step `Module.train()` walks, per-batch label
  range checks, logged metrics computed every step instead of on log steps, an entered-and-exited disabled
  autocast, and, the largest, glibc returning large freed blocks to the system every step (`run.tune_malloc`,
  about 20% of the 4x512 MLP step).
"""


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
        paired = any("paired" in row for c in r["relative_to_ac_gan"].values() for row in c["rows"])
        out += ["### TAC-GAN and UAC-GAN relative to AC-GAN", "",
                "The same networks and batch; UAC-GAN's MINE statistics network is `uacgan.projection` on the "
                "discriminator's features (its default). *Framework*: step time relative to `uacgan.ac_gan`'s "
                f"(medians of {r['settings']['mlp']['reps']} repetitions; dcgan {r['settings']['dcgan']['reps']} "
                f"repetitions of {r['settings']['dcgan']['steps']} steps)." + (
                    " *Paired*: the hand-written loops of the method and of AC-GAN taking turns every few steps, "
                    "median of the pair ratios with its 95% bootstrap interval (the methods' own cost, settled to "
                    "about 1%)." if paired else ""), "",
                "| config | AC-GAN ms/step | TAC-GAN: framework |" + (" paired |" if paired else "") +
                " UAC-GAN: framework |" + (" paired |" if paired else ""),
                "|---|---:|---:|" + ("---:|" if paired else "") + "---:|" + ("---:|" if paired else "")]
        for config, c in r["relative_to_ac_gan"].items():
            rows = {row["method"]: row for row in c["rows"]}
            cells = []
            for method in ("TAC-GAN", "UAC-GAN"):
                row = rows[method]
                cells.append(f"{row['relative']:.3f} ({_f(row['ms'])} ms)")
                if paired:
                    p = row.get("paired")
                    cells.append(f"{p['ratio']:.3f} ({p['ratio_ci95'][0]:.3f}-{p['ratio_ci95'][1]:.3f})" if p else "-")
            out.append(f"| {config} | {_f(rows['AC-GAN']['ms'])} | " + " | ".join(cells) + " |")
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
  shared CPU).
- **Interleaving** (`benchmarks/measure.py`, `interleaved_segments`): this machine's speed drifts by up to 25% over
  a few seconds (other tenants of the VM host), so the two loops take turns every few steps inside one `train()`
  call: its `evaluate` callback, called every `steps` steps, times `steps` steps of the hand loop, and the
  framework's segment is the time from the end of one callback to the start of the next. Everything the loop does
  outside the callback counts against the framework, including what it does around every callback (a
  `metrics.csv` row and an RNG fork: about 20 µs per segment, measured 16 µs and 4 µs). Each framework segment is divided by the mean of the
  two hand segments around it, so a drift that is linear over the three segments cancels; the ratio is the median
  of these pair ratios over all pairs, pooled over blocks that each start from fresh builds of both sides, with a
  95% bootstrap interval. Which side is built first alternates between blocks: where a module's tensors land
  changes its step by up to about 1%, and the side built first was the slower one. The hand loop runs inside the
  callback's RNG fork, so the framework's random stream is unchanged. *Noise control*: the hand loop of one
  objective against a second, identical hand loop, timed in the same pattern, gives the ratio the method reports
  for no difference.
- **Hand-written loop** (`benchmarks/hand_loops.py`): the same modules (built from the same config, so the same
  initial weights), the same loss functions (the plugins' pure functions, called inline), the same Adam optimizers
  and batches, with none of the framework's objects; it reads the loss values every 50 steps. Both loops draw random
  numbers in the same order and back-propagate into each optimizer's own parameters, so after the same steps from
  the same seed their weights are identical, bit for bit (column *same weights*, checked on every run and in
  `tests/test_benchmarks.py`): the time difference is the framework's orchestration alone.
- **Configs** (`benchmarks/configs.py`): the 2-D MLP config is the four 2-D Gaussian clusters with the CGPGAN
  paper's 2-D networks, `core.mlp_g` / `core.mlp_d` of 4 hidden layers of 512 units, latent 256, batch 16 (13-30 ms
  per step); a small 2-D MLP (3 hidden layers of 64, latent 16, batch 64: the CPU scale of
  `cgpgan.cgpgan_clusters`, about 2 ms per step) is kept as a stress test that makes the loop's own cost visible
  (column *overhead*: (ratio - 1) x the hand loop's step time, µs per step; the K and batch sweeps use it too); the 28x28 DCGAN config is Fashion-MNIST with 16-channel `core.dcgan_g` / `core.dcgan_d`, latent 64, batch 32
  (the CPU scale of the cagan Fashion presets). Every objective runs with its defaults; CGPGAN gets the config's
  classifier (`core.mlp_q` / `core.dcgan_q`), UAC-GAN its default statistics network. CGPGAN is unsupervised: it
  trains on the same data and ignores its labels.
- **Objectives** (`hand_loops.REPRESENTATIVES`): one per built-in plugin, chosen for the shape of its step, and
  UAC-GAN's three (the scaling section compares them): `core.cgan` (one conditional output), `cagan.ca_gan` (K
  outputs), `amgan.am_gan` (K+1 class logits, targets from D), `cgpgan.cgpgan` (D, Q and G, two double-backward
  penalties, a prior updated every step), `uacgan.ac_gan`, `uacgan.tac_gan`, `uacgan.uac_gan` (a statistics network
  trained with D). The loop's work does not depend on what a loss computes, so the other objectives are not
  written a second time; until commit 9e5f12a every built-in objective had a hand loop (18; the results of that
  run, on a quiet machine, are quoted in the reading below).
- **Memory**: on the CPU, each side runs in a forked child process that builds the experiment and trains a few
  steps; the number is the growth of its peak resident set size (`VmHWM`) over its size at the fork: weights,
  optimizer state, activations, the framework's objects, and a few MiB that torch allocates in any fresh child
  process. On a GPU: `torch.cuda.max_memory_allocated` during a timed segment minus the memory allocated at its start.
- **Allocator**: `train()` applies `run.tune_malloc` (default on for the CPU, `core/allocator.py`): glibc's malloc then
  keeps freed memory instead of mmap/munmap-ing large tensors every step. It is process-wide and set before the first
  timed segment, so the hand-written loop in the same process gets it too. Without it the 4x512 MLP step took about
  15.5 ms instead of 12.5, and with the earlier method (a fresh `train()` call per timed segment, so fresh
  optimizer state) the framework's segments paid more page faults than the hand loop's: ratios of 1.02-1.19 on that config, which were allocator effects and
  not loop work (with the tuning set through `GLIBC_TUNABLES` the same run gave 1.01-1.03).
- Numbers are from one machine and one run; compare the two loops with each other, not with other machines.
"""


def reproductions_section(r: dict) -> list[str]:
    """Wall times of the long reproductions (issue 8: the CGPGAN sweep, the UAC-GAN MoG benchmark), as recorded in
    ``reproductions.json`` from the runs' own ``/usr/bin/time`` output."""
    out = ["## Wall time of the reproductions", "", r.get("note", ""), "",
           "| reproduction | runs | processes x threads | wall time | load average during the run | budget | date | command |",
           "|---|---|---|---|---|---|---|---|"]
    for e in r["entries"]:
        out.append(f"| {e['name']} | {e['runs']} | {e['processes']} x 1 | {e['wall_s'] / 60:.1f} min | {e['load']} | "
                   f"{e['budget_min']} min | {e['date']} | `{e['command']}` |")
    return out + [""]


def startup_section(r: dict) -> list[str]:
    """Start-up time of the ``condgan`` command before and after the lazy imports of issue 17, as recorded in
    ``startup.json`` (whole-process wall times, old and new code run in turn)."""
    out = ["## Start-up", "", r["note"], "", "Measure (from a shell; the median of the five):", "",
           "```", r["command"], "```", "",
           f"| command | before (s) | after (s) | after / before | date |", "|---|---|---|---|---|"]
    for e in r["entries"]:
        out.append(f"| `{e['command']}` | {e['before_s']:.2f} | {e['after_s']:.2f} | {e['ratio']:.3f} | {r['date']} |")
    return out + [""]


def render(results: Path = RESULTS) -> str:
    overhead, scaling, profile = (load(n, results) for n in ("overhead", "scaling", "profile"))
    lines = ["# Performance", "",
             "<!-- generated by `python -m benchmarks.report` from benchmarks/results/*.json; do not edit by hand -->", ""]
    lines += quick_banner([overhead, scaling])
    lines += ["The training loop should add nothing measurable to a hand-written PyTorch loop of the same model "
              "(the design goal for speed). This page measures that for representative objectives of each built-in "
              "plugin, and how the "
              "step time grows with the number of conditions and the batch size.", "",
              "Reproduce (from the repository root; about 30 minutes on 2 quiet CPU cores, torch 2.x):", "",
              "```", FULL_COMMANDS, "```", "",
              "Each benchmark has `--quick` (seconds; checks that the machinery runs) and writes "
              "`benchmarks/results/<name>[-quick].json`; `--device cuda` runs on a GPU. See `benchmarks/README.md`.", ""]
    lines += METHOD.splitlines() + [""]
    if overhead:
        lines += overhead_section(overhead)
        if not overhead.get("quick"):
            lines += READING.splitlines() + [""]
    if scaling:
        lines += scaling_section(scaling)
    if profile:
        lines += profile_section(profile, load("profile-before-fixes", results))
    reproductions = load("reproductions", results)
    if reproductions:
        lines += reproductions_section(reproductions)
    startup = load("startup", results)
    if startup:
        lines += startup_section(startup)
    seeds = load("seed_scaling", results)
    if seeds:
        from .seed_scaling import section as seed_scaling_section

        lines += seed_scaling_section(seeds)
    lines += ["## GPU flags and several processes", "",
              "bf16 autocast, `channels_last`, `torch.compile`, fused optimizers, pinned memory and torchrun data "
              "parallelism (gloo on the CPU, NCCL on GPUs) are described, with their tests and tolerances, in "
              "`docs/distributed.md`.", ""]
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
