r"""``condgan reproduce cgpgan-clusters``: the CGPGAN paper's four-Gaussian experiment (Section 4.1, Figs. 3, 5, 6).

Runs, all through the core training loop from the preset ``cgpgan.cgpgan_clusters`` with overrides:

* the λ_creg sweep {0, 1, 10, 100} (Fig. 5), seed 0;
* λ_creg = 0.1 over 20 seeds (Fig. 6), at the preset's 3,000 steps and at 4x the steps (``seeds_long``), and with the
  prior updated before the G step (``order_before_generator``: condgan's order until 2026-11-30; the default is
  Algorithm 1's, after the G step);
* λ_creg = 100 at 20,000 steps over 5 seeds (``lambda100_long``; Fig. 5);
* InfoGAN with the optimal prior [0.1, 0.2, 0.3, 0.4] (d_c = 4) over seeds 0-7 (Fig. 3).

Scatter plots are drawn for the sweep, InfoGAN and seeds 0-7 of each group (``figure`` in the spec).

Each run reports the final P(C) (categories under 1% omitted), a scatter plot of its EMA generator (1,000 real points
in grey and round(1000 p_k) generated points per kept category, as the authors' code draws them), the cluster
accuracy and NMI of Q's categories on held-out points against the true cluster labels, and two success criteria:

* **prior**: exactly four categories >= 1% whose sorted probabilities lie within 0.03 of [0.1, 0.2, 0.3, 0.4]
  (the issue's criterion);
* **assignment**: every kept category puts >= 90% of its generated points nearest one centre, and the kept
  categories cover all four centres one-to-one (the paper's "each category is assigned to each cluster correctly").

Runs go in parallel single-thread processes (``workers``, 2 by default). ``quick`` shrinks everything to seconds.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import time
from pathlib import Path

from condgan.experiments import Arm, dataset, load, preset_raw, run_arms

TRUE_PROBS = (0.1, 0.2, 0.3, 0.4)
SWEEP = (0.0, 1.0, 10.0, 100.0)
SEEDS = tuple(range(20))
INFOGAN_SEEDS = tuple(range(8))
LONG_FACTOR = 4
LAMBDA100_STEPS, LAMBDA100_SEEDS = 20_000, tuple(range(5))
FIGURE_SEEDS = 8
PRESET_NAME = "cgpgan.cgpgan_clusters"


def step_overrides(quick: bool, factor: int = 1) -> list[str]:
    """``factor`` times the preset's steps (40 in quick mode, with fewer points and a shorter normalising phase)."""
    base_steps = 40 if quick else int(preset_raw(PRESET_NAME)["run"]["steps"])
    quick_set = ["data.n=2000", "objective.normalize_until_step=12"] if quick else []
    return [f"run.steps={base_steps * factor}", *quick_set]


def run_specs(quick: bool) -> list[dict]:
    """Every run of the reproduction: name, overrides of the preset, its group, and whether it gets a scatter plot."""
    quick_set = step_overrides(quick)[1:]
    steps = step_overrides(quick)
    long_steps = step_overrides(quick, LONG_FACTOR)
    seeds = SEEDS[:2] if quick else SEEDS
    specs = []

    def add(name, group, lam, seed, extra, **more):
        specs.append({"name": name, "group": group, "lambda_creg": lam, "seed": seed,
                      "overrides": ([f"objective.lambda_creg={lam}"] if lam is not None else []) + [f"run.seed={seed}",
                                                                                                    *extra],
                      "figure": group == "sweep" or seed < FIGURE_SEEDS, **more})

    for lam in SWEEP:
        add(f"sweep_lambda{lam:g}", "sweep", lam, 0, steps)
    for s in seeds:
        add(f"cgpgan_lambda0.1_seed{s}", "seeds", 0.1, s, steps)
    for s in (INFOGAN_SEEDS[:2] if quick else INFOGAN_SEEDS):
        add(f"infogan_seed{s}", "infogan", None, s, [o for o in steps if "normalize" not in o], infogan=True)
    # the longest runs first, so that two workers stay busy to the end (the page orders sections by GROUPS)
    for s in (LAMBDA100_SEEDS[:2] if quick else LAMBDA100_SEEDS):
        add(f"lambda100_long_seed{s}", "lambda100_long", 100.0, s,
            [f"run.steps={80 if quick else LAMBDA100_STEPS}", *quick_set])
    for s in seeds:
        add(f"cgpgan_lambda0.1_before_g_seed{s}", "order_before_generator", 0.1, s,
            [*steps, "run.prior_update=before_generator"])
    for s in seeds:
        add(f"cgpgan_lambda0.1_long_seed{s}", "seeds_long", 0.1, s, long_steps)
    return specs


def before_g_long_spec(seed: int, quick: bool) -> dict:
    """The follow-up of a seed that failed under the old prior-update order: the same run at 4x the steps (does the
    split category merge with training?)."""
    return {"name": f"cgpgan_lambda0.1_before_g_long_seed{seed}", "group": "order_before_generator_long",
            "lambda_creg": 0.1, "seed": seed, "figure": True,
            "overrides": ["objective.lambda_creg=0.1", f"run.seed={seed}", *step_overrides(quick, LONG_FACTOR),
                          "run.prior_update=before_generator"]}


def follow_ups(results: list[dict], quick: bool) -> list[dict]:
    """:func:`before_g_long_spec` for every seed of the old-order group that missed the prior criterion."""
    return [before_g_long_spec(r["seed"], quick) for r in results
            if r["group"] == "order_before_generator" and not r["success_prior"]]


def _infogan_raw(raw: dict) -> dict:
    """The preset turned into InfoGAN with the optimal fixed prior over d_c = 4 categories."""
    raw = json.loads(json.dumps(raw))
    raw["objective"] = {"type": "cgpgan.infogan", "lambda_cls": 1.0, "lambda_r2": 1.0}
    raw["prior"] = {"type": "core.fixed", "probs": list(TRUE_PROBS)}
    raw["data"]["categories"] = 4
    return raw


def success(kept: list[float], tol: float = 0.03) -> bool:
    """Four categories >= 1% whose sorted probabilities are within ``tol`` of the true [0.1, 0.2, 0.3, 0.4]."""
    return len(kept) == 4 and all(abs(a - b) <= tol for a, b in zip(sorted(kept), TRUE_PROBS))


def assignment(fake, labels, keep: list[int], centers, purity: float = 0.9) -> tuple[bool, dict]:
    """Each kept category's generated points: share nearest each centre; success when one-to-one and pure."""
    import torch

    c = torch.tensor(centers, dtype=fake.dtype)
    nearest = torch.cdist(fake, c).argmin(1)
    table, owner = {}, []
    for k in keep:
        sel = nearest[labels == k]
        if len(sel) == 0:
            continue
        share = torch.bincount(sel, minlength=len(centers)).double() / len(sel)
        table[k] = [round(float(v), 3) for v in share]
        owner.append(int(share.argmax()) if float(share.max()) >= purity else -1)
    ok = len(owner) == len(centers) and -1 not in owner and sorted(owner) == list(range(len(centers)))
    return ok, table


def arms(specs: list[dict]) -> list[Arm]:
    """The harness's arms: one per spec, its seed in its overrides and its run directory named after it."""
    return [Arm(sp["name"], _infogan_raw(preset_raw(PRESET_NAME)) if sp.get("infogan") else PRESET_NAME,
                sp["overrides"], seeds=(sp.get("seed", 0),), info=sp) for sp in specs]


def score(run, fig_dir: str) -> dict:
    """The harness's evaluate: :func:`evaluate_run` of one trained run, in the worker."""
    return evaluate_run(dict(run.arm.info), run.run_dir, fig_dir, seconds=run.train_s)


def evaluate_run(spec: dict, run_dir: Path, fig_dir: str, seconds: float | None = None) -> dict:
    """Evaluate a finished run directory: final P(C), scatter plot of the EMA generator, success criteria, cluster
    accuracy and NMI of Q on the held-out points. Works on any run of :func:`arms`."""
    import csv

    import torch

    from condgan import visual
    from condgan.evaluation.clustering import cluster_accuracy, nmi

    from .losses import prior_entropy, reported_prior

    run_dir = Path(run_dir)
    exp, gen = load(run_dir)
    ds = dataset(json.loads((run_dir / "config.json").read_text()))
    m = exp.models
    probs = m.prior.probs().detach().cpu()
    keep, kept = reported_prior(probs)
    g = torch.Generator().manual_seed(1234)
    counts = [int(round(1000 * probs[k].item())) for k in keep]
    c = torch.cat([torch.nn.functional.one_hot(torch.full((n,), k), len(probs)).float() for k, n in zip(keep, counts)])
    with torch.no_grad():
        fake = gen(torch.randn(len(c), m.latent.dim, generator=g), c)
        test_x, test_y = ds.test.x, ds.test.y[:, 0]
        pred = m.classifier(test_x).argmax(1)
    real = ds.x[torch.randperm(len(ds.x), generator=g)[:1000]]
    labels = c.argmax(1)
    title = f"{spec['name']}: P(C) = [{', '.join(f'{v:.3f}' for v in kept)}]"
    fig = Path(fig_dir) / f"{spec['name']}.png"
    # colours by rank among the kept categories (the first tab10 colours; index 7 of tab10 is the real points' grey)
    rank = torch.full((len(probs),), -1, dtype=torch.long)
    rank[torch.tensor(keep, dtype=torch.long)] = torch.arange(len(keep))
    if spec.get("figure", True):
        visual.scatter_2d(real, fake, rank[labels], [f"c{k}: {probs[k]:.3f}" for k in keep], fig, title=title)
    ok_assign, table = assignment(fake, labels, keep, ds.info["centers"])
    entropy, last_time = [], None
    metrics = run_dir / "metrics.csv"
    if metrics.exists():
        with open(metrics) as f:
            rows = list(csv.DictReader(f))
        entropy = [(int(float(r["step"])), float(r["prior_entropy"])) for r in rows if r.get("prior_entropy")]
        last_time = float(rows[-1]["time_s"]) if rows and rows[-1].get("time_s") else None
    cfg = json.loads((run_dir / "config.json").read_text())
    return {
        **{k: v for k, v in spec.items() if k != "overrides"}, "overrides": spec.get("overrides", []),
        "seconds": round(seconds if seconds is not None else (last_time or 0.0), 1),
        "steps": cfg["run"]["steps"], "batch_size": cfg["run"]["batch_size"],
        "prior": [round(float(v), 4) for v in probs], "kept": [round(v, 4) for v in kept], "kept_index": keep,
        "entropy": float(prior_entropy(probs)), "entropy_curve": entropy,
        "success_prior": success(kept), "success_assignment": ok_assign, "assignment_table": table,
        "cluster_accuracy": cluster_accuracy(test_y, pred),
        "cluster_accuracy_hungarian": cluster_accuracy(test_y, pred, "hungarian"),
        "nmi": nmi(test_y, pred), "figure": fig.name if spec.get("figure", True) else None,
        "prior_update": cfg["run"].get("prior_update", "end_of_step"),
    }


#: the page's sections, in order: group -> heading (``{n}`` seeds, ``{steps}`` steps)
GROUPS = {
    "sweep": "## λ_creg sweep (Fig. 5)",
    "seeds": "## λ_creg = 0.1 over {n} seeds (Fig. 6)",
    "seeds_long": "## λ_creg = 0.1 over the same {n} seeds at 4x the steps ({steps:,} steps)",
    "order_before_generator": "## λ_creg = 0.1 with P(C) updated before the G step (condgan's order until "
                              "2026-11-30), the same {n} seeds",
    "order_before_generator_long": "## λ_creg = 0.1, the old order's failed seeds again at 4x the steps "
                                   "({steps:,} steps)",
    "lambda100_long": "## λ_creg = 100 at {steps:,} steps over {n} seeds (Fig. 5)",
    "infogan": "## InfoGAN with the optimal prior [0.1, 0.2, 0.3, 0.4] over {n} seeds (Fig. 3)",
}


def _tv_truth(r: dict) -> float:
    from .claims import TRUE_PRIOR, sorted_tv

    return sorted_tv(r["prior"], TRUE_PRIOR)


def comparisons(by: dict[str, list[dict]]) -> list[str]:
    """Computed answers: does a failed seed recover with 4x the steps; does the prior update's order matter (the
    same seeds under both orders: success counts and a two-sided Wilcoxon signed-rank test on the total variation
    to the true P(C))."""
    out = []
    base = {r["seed"]: r for r in by.get("seeds", [])}
    long = {r["seed"]: r for r in by.get("seeds_long", [])}
    both = sorted(set(base) & set(long))
    if both:
        fail = [s for s in both if not base[s]["success_prior"]]
        fixed = [s for s in fail if long[s]["success_prior"]]
        broke = [s for s in both if base[s]["success_prior"] and not long[s]["success_prior"]]
        out += ["", "## Computed: does training 4x longer merge the split categories?", "",
                f"- Seeds failing the prior criterion at {base[both[0]]['steps']:,} steps: {fail or 'none'}; of those, "
                f"recovered at {long[both[0]]['steps']:,} steps: {fixed or 'none'}; succeeding at the short budget but "
                f"failing at the long one: {broke or 'none'} ({len(both)} seeds in both groups).",
                f"- Success: {sum(base[s]['success_prior'] for s in both)} of {len(both)} short, "
                f"{sum(long[s]['success_prior'] for s in both)} of {len(both)} long; mean total variation to the true "
                f"P(C) {sum(_tv_truth(base[s]) for s in both) / len(both):.4f} short, "
                f"{sum(_tv_truth(long[s]) for s in both) / len(both):.4f} long."]
    failed = {r["seed"]: r for r in by.get("order_before_generator", []) if not r["success_prior"]}
    again = {r["seed"]: r for r in by.get("order_before_generator_long", [])}
    if failed:
        out += ["", "## Computed: do the old order's split categories merge with 4x the steps?", ""]
        for seed in sorted(failed):
            r = again.get(seed)
            out.append(f"- seed {seed}: P(C) {_fmt(sorted(failed[seed]['kept']))} at {failed[seed]['steps']:,} steps; "
                       + (f"{_fmt(sorted(r['kept']))} at {r['steps']:,} steps: "
                          f"**{'merged (success)' if r['success_prior'] else 'still not four categories within 0.03'}**."
                          if r else "its long run was not made."))
    other = {r["seed"]: r for r in by.get("order_before_generator", [])}
    both = sorted(set(base) & set(other))
    if both:
        from scipy.stats import wilcoxon

        a = [_tv_truth(base[s]) for s in both]
        b = [_tv_truth(other[s]) for s in both]
        diff = [x - y for x, y in zip(a, b)]
        p = float(wilcoxon(a, b).pvalue) if any(abs(d) > 0 for d in diff) else 1.0
        out += ["", "## Computed: does the order of the prior update matter?", "",
                f"- The same {len(both)} seeds, P(C) updated after the G step (Algorithm 1) vs before it: success "
                f"{sum(base[s]['success_prior'] for s in both)} vs {sum(other[s]['success_prior'] for s in both)} of "
                f"{len(both)}; one-to-one {sum(base[s]['success_assignment'] for s in both)} vs "
                f"{sum(other[s]['success_assignment'] for s in both)}; mean total variation to the true P(C) "
                f"{sum(a) / len(a):.4f} vs {sum(b) / len(b):.4f} (median paired difference "
                f"{sorted(diff)[len(diff) // 2]:+.4f}; Wilcoxon signed-rank, two-sided, p = {p:.3g}).",
                "- Seeds whose success differs between the orders: "
                f"{[s for s in both if base[s]['success_prior'] != other[s]['success_prior']] or 'none'}."]
    return out


def _fmt(v: list[float]) -> str:
    return "[" + ", ".join(f"{x:.3f}" for x in v) + "]"


def write_page(results: list[dict], out_dir: Path, fig_rel: str, quick: bool, wall: float, command: str) -> Path:
    by = {g: [r for r in results if r["group"] == g] for g in GROUPS}
    r0 = results[0]
    lines = [
        "# CGPGAN: four 2-D Gaussian clusters (paper Section 4.1, Figs. 3, 5, 6)",
        "",
        f"Produced by `{command}`{' (QUICK mode: a smoke run, not a result)' if quick else ''} "
        f"in {wall / 60:.1f} minutes of wall time. Every number below comes from that run; the per-run JSON is "
        f"`{fig_rel}/results.json`.",
        "",
        "Setting (what was shrunk from the paper, and why, is in the preset `cgpgan.cgpgan_clusters`): data = the "
        "authors' four clusters, centres (-1, 1), (0, -2), (1, -1), (2, 1), probabilities [0.1, 0.2, 0.3, 0.4], std 0.3, "
        f"20,000 training points; {r0['steps']} steps of batch {r0['batch_size']} unless a section says otherwise; "
        "d_c = 16 for CGPGAN, 4 for InfoGAN; P(C) updated after the G step (Algorithm 1). The first centre (-1, 1) is "
        "the authors' code's (`Dataset.py`); the paper's Fig. 1 caption says (-1, 2) (`data.paper_centers = true`).",
        "",
        "## λ_creg sweep (Fig. 5)",
        "",
        "| λ_creg | recovered P(C) (>= 1%) | paper's P(C) | entropy (nats) | 4 within 0.03 | one-to-one | cluster acc. | NMI | time (s) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    paper = {0.0: [0.2003, 0.3029, 0.0994, 0.3973], 1.0: [0.1973, 0.0956, 0.4054, 0.3018], 10.0: [0.0992, 0.4002, 0.5006],
             100.0: [0.9002, 0.0998]}
    for r in by["sweep"]:
        lines.append(f"| {r['lambda_creg']:g} | {_fmt(sorted(r['kept']))} | {_fmt(sorted(paper.get(r['lambda_creg'], [])))} | "
                     f"{r['entropy']:.3f} | {'yes' if r['success_prior'] else 'no'} | {'yes' if r['success_assignment'] else 'no'} | "
                     f"{r['cluster_accuracy']:.3f} | {r['nmi']:.3f} | {r['seconds']:.0f} |")
    lines += ["", "True probabilities sorted: [0.100, 0.200, 0.300, 0.400], entropy 1.280 nats.", ""]
    lines += [f"![{r['name']}]({fig_rel}/{r['figure']})" for r in by["sweep"]]
    for group, head in GROUPS.items():
        rs = by[group]
        if not rs or group == "sweep":
            continue
        n_p = sum(r["success_prior"] for r in rs)
        n_a = sum(r["success_assignment"] for r in rs)
        lines += ["", head.format(n=len(rs), steps=rs[0]["steps"]), "",
                  f"Four categories within 0.03 of the true probabilities: **{n_p} of {len(rs)}** seeds. "
                  f"Each category on its own cluster (>= 90% of its points nearest one centre, one-to-one): "
                  f"**{n_a} of {len(rs)}**.", "",
                  "| seed | P(C) (>= 1%) | 4 within 0.03 | one-to-one | cluster acc. | NMI | share of each category's points nearest each centre |",
                  "|---|---|---|---|---|---|---|"]
        for r in rs:
            table = "; ".join(f"c{k}: {v}" for k, v in r["assignment_table"].items())
            lines.append(f"| {r['seed']} | {_fmt(sorted(r['kept']))} | {'yes' if r['success_prior'] else 'no'} | "
                         f"{'yes' if r['success_assignment'] else 'no'} | {r['cluster_accuracy']:.3f} | {r['nmi']:.3f} | {table} |")
        lines += [""] + [f"![{r['name']}]({fig_rel}/{r['figure']})" for r in rs if r.get("figure")]
    lines += comparisons(by)
    lines += ["", "For InfoGAN the prior is fixed at the truth, so the prior criterion holds by construction; the "
              "one-to-one column is the paper's claim (\"never all four classes assigned correctly\").", "",
              "Cluster accuracy is `condgan.evaluation.clustering.cluster_accuracy` (mode `hungarian_majority`: "
              "many-to-one, every true cluster owning at least one category) of argmax Q(x) on 5,000 held-out points; "
              "NMI uses the arithmetic normalisation.", ""]
    page = out_dir / "cgpgan.md"
    page.write_text("\n".join(lines) + "\n")
    return page


def entropy_figure(results: list[dict], path: Path) -> None:
    from condgan import visual

    series = {f"λ_creg = {r['lambda_creg']:g}": ([s for s, _ in r["entropy_curve"]], [e for _, e in r["entropy_curve"]])
              for r in results if r["group"] == "sweep" and r["entropy_curve"]}
    if series:
        visual.curves(series, "entropy of P(C) (nats)", path, title="Prior entropy over training (cf. Fig. 11)")


def reproduce_clusters(out_dir: Path, quick: bool, workers: int | None = None, log=print) -> Path:
    """Run every setting (finished runs and records are reused), then write ``out_dir/cgpgan.md`` and figures under
    ``out_dir/cgpgan/``; one JSON record per run in ``out_dir/cgpgan/runs[_quick]/``."""
    out_dir = Path(out_dir)
    fig_dir = out_dir / "cgpgan"
    fig_dir.mkdir(parents=True, exist_ok=True)
    root = Path(os.environ.get("CONDGAN_RUNS", "runs")) / ("cgpgan-clusters-quick" if quick else "cgpgan-clusters")
    t0 = time.perf_counter()

    def train_specs(specs):
        return run_arms(arms(specs), root, evaluate=functools.partial(score, fig_dir=str(fig_dir)),
                        records=fig_dir / ("runs_quick" if quick else "runs"), run_name="{arm}",
                        record_name="{arm}_{steps}.json",
                        workers=workers or int(os.environ.get("CONDGAN_WORKERS", "2")),
                        log=lambda run, r: log(f"cgpgan: {r['name']} P(C)={r['kept']} ({r['seconds']:.0f}s)",
                                               file=sys.stderr))

    specs = run_specs(quick)
    # two phases: the old order's failures are known only after its runs, and their 4x follow-ups go before the
    # long runs of the default order
    results = train_specs([sp for sp in specs if sp["group"] != "seeds_long"])
    results += train_specs(follow_ups(results, quick) + [sp for sp in specs if sp["group"] == "seeds_long"])
    return write_results(results, out_dir, quick, time.perf_counter() - t0)


def write_results(results: list[dict], out_dir: Path, quick: bool, wall: float, note: str = "") -> Path:
    """results.json, the entropy figure and the page ``out_dir/cgpgan.md``."""
    out_dir = Path(out_dir)
    fig_dir = out_dir / "cgpgan"
    (fig_dir / "results.json").write_text(json.dumps(results, indent=1))
    entropy_figure(results, fig_dir / "entropy.png")
    command = "condgan reproduce cgpgan_clusters" + (" --quick" if quick else "") + \
        (f" --out {out_dir}" if str(out_dir) != "docs/results" else "")
    page = write_page(results, out_dir, fig_dir.name, quick, wall, command)
    with open(page, "a") as f:
        if (fig_dir / "entropy.png").exists():
            f.write(f"\n## Prior entropy over training (λ_creg sweep)\n\n![entropy]({fig_dir.name}/entropy.png)\n")
        if note:
            f.write("\n" + note + "\n")
    return page


def collect(out_dir: Path, root: Path, quick: bool = False, wall: float = 0.0, note: str = "") -> Path:
    """Evaluate the finished runs under ``root`` (those with a checkpoint) and write the page from them only."""
    import torch

    torch.set_num_threads(1)
    out_dir, root = Path(out_dir), Path(root)
    (out_dir / "cgpgan").mkdir(parents=True, exist_ok=True)
    specs = run_specs(quick) + [before_g_long_spec(int(d.name.rsplit("seed", 1)[1]), quick)
                                for d in sorted(root.glob("cgpgan_lambda0.1_before_g_long_seed*"))]
    results = [evaluate_run(s, root / s["name"], str(out_dir / "cgpgan")) for s in specs
               if any((root / s["name"] / "checkpoints").glob("*"))]
    return write_results(results, out_dir, quick, wall, note)


def digits_report(run_dir: Path, out_dir: Path, rows: int = 8) -> dict:
    """Evaluate a finished ``cgpgan.cgpgan_digits`` run: kept categories and P(C), cluster accuracy and NMI of
    argmax Q(x) on the held-out digits, the true-digit make-up of each category, and a sample grid with one column per
    kept category (each row one z). Writes ``out_dir/cgpgan/digits_grid.png`` and ``digits.json``."""
    import torch

    torch.set_num_threads(1)
    from condgan import visual
    from condgan.evaluation.clustering import cluster_accuracy, cluster_mapping, contingency, nmi

    from .losses import prior_entropy, reported_prior

    run_dir, fig_dir = Path(run_dir), Path(out_dir) / "cgpgan"
    fig_dir.mkdir(parents=True, exist_ok=True)
    exp, gen = load(run_dir)
    ds = dataset(json.loads((run_dir / "config.json").read_text()))
    m = exp.models
    probs = m.prior.probs().detach().cpu()
    keep, kept = reported_prior(probs)
    with torch.no_grad():
        test_x = ds.test.to_float(ds.test.x)
        pred = m.classifier(test_x).argmax(1)
        g = torch.Generator().manual_seed(0)
        z = torch.randn(rows, m.latent.dim, generator=g).repeat_interleave(len(keep), 0)
        c = torch.nn.functional.one_hot(torch.tensor(keep).repeat(rows), len(probs)).float()
        images = gen(z, c).clamp(-1, 1)
    y = ds.test.y[:, 0]
    n = contingency(y, pred)
    makeup = {int(k): {int(j): int(n[k, j]) for j in range(n.shape[1]) if n[k, j]} for k in range(n.shape[0]) if n[k].sum()}
    mapping = cluster_mapping(y, pred)
    labels = [f"c{k}\n{probs[k]:.3f}" + (f"\n={mapping[k]}" if k in mapping else "") for k in keep]
    grid = fig_dir / "digits_grid.png"
    visual.image_grid(images, rows, len(keep), [f"c{k}:{probs[k]:.2f}" for k in keep], grid,
                      title="CGPGAN, 8x8 digits")
    result = {"kept_index": keep, "kept": [round(v, 4) for v in kept], "entropy": float(prior_entropy(probs)),
              "cluster_accuracy": cluster_accuracy(y, pred), "cluster_accuracy_hungarian": cluster_accuracy(y, pred, "hungarian"),
              "cluster_accuracy_majority": cluster_accuracy(y, pred, "majority"), "nmi": nmi(y, pred),
              "category_makeup_test": makeup, "category_to_digit": mapping, "grid": grid.name, "labels": labels}
    (fig_dir / "digits.json").write_text(json.dumps(result, indent=1))
    return result
