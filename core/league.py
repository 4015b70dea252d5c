"""``condgan reproduce league``: every class-conditional objective condgan has, under one protocol (issue 18, item 2).

A core module, registered by core's plugin (``core.league``), not a plugin: it spans every plugin's objectives and
scores them with core's evaluation internals (``evaluate_run``, the seed-group curves), which plugins may not
import. It names the other plugins' objectives and presets by their registered names only; an objective whose
plugin is not loaded is left out of the league (:func:`available`).

Each objective is trained on 8x8 digits with the same networks, budget, optimiser and EMA (the preset
``core.digits``: DCGAN G and spectral-norm D with 32 channels, a 32-d Gaussian latent, Adam 2e-4 (0.5, 0.999), batch
64, EMA 0.999). An arm differs from that base only in its ``[objective]`` table and the extra networks the objective
needs (ReACGAN's proxy discriminator around the same trunk; UAC-GAN's statistics network). Where the objective's
plugin has an 8x8-digits preset, the objective table is read from it (the paper's adversarial loss and weights live
there, in one place); otherwise it is written below.

Every run is scored by core's evaluation classifier for digits (``EvalNet``, trained once beside the runs with
:func:`condgan.evaluation.evaluators.train_evaluator`) through the registered metrics (:func:`evaluate_run`): FID,
mean intra-class FID, KID, class accuracy of the samples, coverage. Over seeds: the mean with a 95% bootstrap
interval (:func:`condgan.stats.bootstrap_mean_ci`), and each objective against AC-GAN by
:func:`condgan.stats.compare` (one-sided Mann-Whitney U over seeds; :func:`condgan.stats.verdict`'s rule).

Runs are laid out as seed groups, ``<runs>/<objective>/seed-<s>/`` with a ``group.json``, so the FID-against-steps
bands come from :func:`condgan.groups.group_curve` (and ``condgan plot`` / ``condgan evaluate`` work on them). Training
and reuse are :mod:`condgan.experiments`'s: a recorded run is not run again, an interrupted one resumes.

Environment knobs: ``LEAGUE_STEPS``, ``LEAGUE_SEEDS`` (a count or a list such as ``0-2``), ``LEAGUE_OBJECTIVES``
(comma-separated names from :data:`OBJECTIVES`), ``LEAGUE_NO_PAGE=1`` (train and record only), ``CONDGAN_WORKERS``
(worker processes, default 2), ``CONDGAN_RUNS`` (parent of the run folders, default ``runs``).
"""

from __future__ import annotations

import copy
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import attrs

from .experiments import Arm, load_records, markdown_table, plan, preset_raw, run_arms

#: the shared base: networks, optimiser, batch, EMA
BASE_PRESET = "core.digits"

#: name -> (label, the objective: a preset to read its ``[objective]`` table from, or the table itself)
OBJECTIVES: dict[str, tuple[str, Any]] = {
    "cgan": ("conditional GAN (core)", {"type": "core.cgan", "adversarial": "core.non_saturating"}),
    "ca_gan": ("CA-GAN", {"type": "cagan.ca_gan", "adversarial": "core.least_squares", "reduction": "mean"}),
    "modified_ac_gan": ("modified AC-GAN", {"type": "cagan.modified_ac_gan", "adversarial": "core.least_squares",
                                            "lambda_cls": 1.0}),
    # the reference: Odena et al.'s AC-GAN (L_cls^r + L_cls^g in both losses) with the non-saturating G loss of
    # their code (cagan.ac_gan's default is the minimax loss as the CA-GAN paper prints it)
    "ac_gan": ("AC-GAN (original)", {"type": "cagan.ac_gan", "adversarial": "core.non_saturating"}),
    "ac_gan_star": ("AC-GAN*", "amgan.digits_ac_gan_star_predefined"),
    "ac_gan_star_plus": ("AC-GAN*+", "amgan.digits_ac_gan_star_plus_predefined"),
    "label_gan": ("LabelGAN (predefined labels)", "amgan.digits_label_gan_predefined"),
    "am_gan": ("AM-GAN (predefined labels)", "amgan.digits_am_gan_predefined"),
    "tac_gan": ("TAC-GAN", {"type": "uacgan.tac_gan"}),
    "uac_gan": ("UAC-GAN", "uacgan.fashion_uac_gan"),   # its image setup (projection T on D's trunk), on digits
    "projection": ("projection", "projection.digits_projection"),
    "adc_gan": ("ADC-GAN", "adcgan.digits_adc_gan"),
    "reacgan": ("ReACGAN", "reacgan.digits_reacgan"),
    "p2gan": ("P2GAN", "p2gan.digits_p2gan"),
}
REFERENCE = "ac_gan"

#: the registered metrics scored on every run (condgan.evaluation), and the keys the table shows
METRICS = ("fid", "intra_fid", "kid", "class_accuracy", "density_coverage")
#: key -> (column, lower is better, digits)
COLUMNS = {"intra_fid": ("intra-FID", True, 2), "fid": ("FID", True, 2), "kid": ("KID", True, 3),
           "class_accuracy": ("class acc.", False, 3), "coverage": ("coverage", False, 3)}


@attrs.frozen
class Budget:
    """One league's size: steps per run, seeds, generated samples scored per run, the in-training FID cadence."""

    steps: int
    seeds: tuple[int, ...]
    objectives: tuple[str, ...]
    n_eval: int = 1000
    curve_points: int = 5
    curve_samples: int = 500
    evaluator_epochs: int | None = None   # None: train_evaluator's default (30 for digits)


#: sized to the issue's budget (<= 3 h for the digits league on 2 cores, 2 workers; see docs/results/league.md)
FULL = Budget(steps=1500, seeds=tuple(range(5)), objectives=tuple(OBJECTIVES))
#: seconds, for a test: two objectives, two seeds, a few steps
QUICK = Budget(steps=20, seeds=(0, 1), objectives=("ac_gan", "projection"), n_eval=200, curve_points=2,
               curve_samples=200, evaluator_epochs=1)


def available(names) -> tuple[str, ...]:
    """The objectives among ``names`` whose plugin is loaded (objective and preset registered)."""
    from .plugin_manager import get_components

    comps, out = get_components(), []
    for n in names:
        source = OBJECTIVES[n][1]
        try:
            if isinstance(source, str):
                comps.get("presets", source)
            comps.get("objectives", arm_config(n)["objective"]["type"])
        except Exception:  # noqa: BLE001 - any lookup failure: the plugin is not there
            continue
        out.append(n)
    return tuple(out)


def budget(quick: bool) -> Budget:
    """:data:`FULL` or :data:`QUICK` over the available objectives, with the environment knobs applied."""
    from .groups import parse_seeds

    b = QUICK if quick else FULL
    b = attrs.evolve(b, objectives=available(b.objectives))
    if os.environ.get("LEAGUE_STEPS"):
        b = attrs.evolve(b, steps=int(os.environ["LEAGUE_STEPS"]))
    if os.environ.get("LEAGUE_SEEDS"):
        s = os.environ["LEAGUE_SEEDS"]
        b = attrs.evolve(b, seeds=tuple(range(int(s))) if s.isdigit() else tuple(parse_seeds(s)))
    if os.environ.get("LEAGUE_OBJECTIVES"):
        names = tuple(n for n in os.environ["LEAGUE_OBJECTIVES"].split(",") if n)
        unknown = sorted(set(names) - set(OBJECTIVES))
        if unknown:
            raise ValueError(f"LEAGUE_OBJECTIVES: unknown {unknown}; known: {', '.join(OBJECTIVES)}")
        b = attrs.evolve(b, objectives=names)
    return b


# -- the arms ---------------------------------------------------------------------------------------------------------
def arm_config(name: str) -> dict:
    """The config of one objective: the base preset with the objective's ``[objective]`` table, plus what the
    objective needs beyond the base's networks (a wrapping discriminator around the base's trunk, a statistics
    network and its optimiser), read from the objective's preset."""
    raw = preset_raw(BASE_PRESET)
    source = OBJECTIVES[name][1]
    if isinstance(source, dict):
        raw["objective"] = copy.deepcopy(source)
        return raw
    preset = preset_raw(source)
    raw["objective"] = preset["objective"]
    for table, value in preset.items():  # networks the base does not have (UAC-GAN's T)
        if table not in raw:
            raw[table] = value
    for net, value in preset.get("optimizers", {}).items():
        raw["optimizers"].setdefault(net, value)
    d = preset["discriminator"]
    if d["type"] != raw["discriminator"]["type"]:  # a wrapper (ReACGAN's proxies) around the base's trunk
        base_d = {k: v for k, v in raw["discriminator"].items() if k != "type"}
        if d.get("trunk") != raw["discriminator"]["type"]:
            raise ValueError(f"{source}: discriminator {d['type']} wraps {d.get('trunk')!r}, not the league's "
                             f"{raw['discriminator']['type']}")
        raw["discriminator"] = {"type": d["type"], "trunk": d["trunk"], "trunk_params": base_d,
                                **{k: v for k, v in d.items() if k not in ("type", "trunk", "trunk_params")}}
    return raw


def arms(b: Budget, evaluator: Path, grids: Path) -> list[Arm]:
    return [Arm(n, arm_config(n), seeds=b.seeds, label=OBJECTIVES[n][0],
                info={"evaluator": str(evaluator), "grids": str(grids), "n_eval": b.n_eval,
                      "curve_samples": b.curve_samples})
            for n in b.objectives]


def ema_decay(steps: int) -> float:
    """The base's EMA decay (0.999) unless the budget is too short for it: the EMA's horizon 1 / (1 - decay) is at
    most a tenth of the steps (decay 0.5 at least). At 400 steps, 0.999 left the EMA generator mostly at its initial
    weights: measured FID 256 against the raw generator's 51 for the conditional GAN."""
    return round(min(0.999, max(0.5, 1.0 - 10.0 / steps)), 6)


def common_overrides(b: Budget) -> list[str]:
    """The budget, its EMA decay (:func:`ema_decay`), on the CPU, FID every ``steps / curve_points`` steps, two
    checkpoints (for resuming)."""
    every = max(1, b.steps // b.curve_points)
    return [f"run.steps={b.steps}", f"run.ema_decay={ema_decay(b.steps)}", f"run.eval_every={every}",
            f"run.log_every={every}", "run.sample_every=0", f"run.checkpoint_every={max(1, b.steps // 2)}",
            "run.device=cpu"]


# -- in the workers ---------------------------------------------------------------------------------------------------
class _DuringFID:
    """The in-training FID on the league's evaluator (built on the first call: the evaluator is loaded once)."""

    def __init__(self, evaluator: str, n: int, seed: int):
        self.evaluator, self.n, self.seed, self.fn = evaluator, n, seed, None

    def __call__(self, exp, generator, step: int) -> dict:
        if self.fn is None:
            from .evaluation.during_training import make_evaluator

            self.fn = make_evaluator(exp, ("fid",), self.n, Path(self.evaluator), seed=self.seed)
        return self.fn(exp, generator, step)


def during(run) -> _DuringFID:
    return _DuringFID(run.arm.info["evaluator"], run.arm.info["curve_samples"], run.seed)


def score(run) -> dict:
    """One run's record: the registered metrics on ``n_eval`` class-balanced samples of the (EMA) generator against
    the digits test split, in the evaluator's features; seed 0 also draws the objective's sample grid."""
    import torch

    from .evaluation.evaluate import evaluate_run
    from .sampling import sample_figure

    out = evaluate_run(run.run_dir, METRICS, n_samples=run.arm.info["n_eval"], seed=run.seed,
                       evaluator=run.arm.info["evaluator"], n_boot=0, write=True, log=lambda *a, **k: None)
    values = {k: float(v) for res in out["metrics"].values() for k, v in res["values"].items()
              if isinstance(v, (int, float))}
    if run.seed == min(run.arm.seeds):
        exp, gen = run.load()
        grid = Path(run.arm.info["grids"]) / f"{run.arm.name}.png"
        grid.parent.mkdir(parents=True, exist_ok=True)
        sample_figure(exp, gen, grid, torch.Generator().manual_seed(0))
    return {"objective": run.arm.name, "seed": run.seed, "steps": run.steps, "train_s": round(run.train_s, 1),
            "metrics": values, "skipped": out["skipped"], "generator": out["protocol"]["run"]["generator"],
            "generated": out["protocol"]["generated"]["count"], "reference": out["protocol"]["reference"]["count"]}


# -- the page ---------------------------------------------------------------------------------------------------------
def summarize(records: list[dict], objectives) -> dict[str, dict[str, Any]]:
    """Per objective and metric key: the per-seed values and their mean with a 95% bootstrap interval."""
    from .stats import bootstrap_mean_ci

    out = {}
    for name in objectives:
        recs = sorted((r for r in records if r["objective"] == name), key=lambda r: r["seed"])
        if not recs:
            continue
        out[name] = {"seeds": [r["seed"] for r in recs], "train_s": [r["train_s"] for r in recs], "metrics": {}}
        for key in COLUMNS:
            vals = [r["metrics"][key] for r in recs if key in r["metrics"]]
            if vals:
                out[name]["metrics"][key] = {"values": vals, "ci": bootstrap_mean_ci(vals)}
    return out


def versus(values, reference, lower_is_better: bool):
    """The claim "this objective beats the reference" over seeds (:func:`condgan.stats.compare`, unpaired: the same
    seed number does not make two objectives' runs related). Returns ``(word, comparison)``: "better" when the claim
    holds, "worse" when the evidence is against it, "no reliable difference" otherwise."""
    from .stats import DOES_NOT_HOLD, HOLDS, compare

    c = compare(values, reference, "less" if lower_is_better else "greater")
    return {HOLDS: "better", DOES_NOT_HOLD: "worse"}.get(c.verdict, "no reliable difference"), c


def _ci(m: dict, digits: int) -> str:
    ci = m["ci"]
    if ci.n < 2:
        return f"{ci.mean:.{digits}f}"
    return f"{ci.mean:.{digits}f} [{ci.low:.{digits}f}, {ci.high:.{digits}f}]"


def _verdict_cell(s, ref, key: str) -> str:
    if ref is None or key not in s["metrics"] or key not in ref["metrics"]:
        return "–"
    word, c = versus(s["metrics"][key]["values"], ref["metrics"][key]["values"], COLUMNS[key][1])
    return f"{word} (p = {c.p:.3f} / {c.p_opposite:.3f})"


#: what the papers claim against another objective of the league: (objective, rival, metric, the claim's source)
PAPER_CLAIMS = [
    ("ca_gan", "modified_ac_gan", "intra_fid", "CA-GAN (Cho & Yoon, Fig. 14): CA-GAN's FID averaged over conditions "
                                                "below the modified AC-GAN's, on Fashion-MNIST"),
    ("am_gan", "label_gan", "fid", "AM-GAN (Zhou et al., Table 1): AM-GAN above LabelGAN (Inception and AM Score, "
                                   "CIFAR-10; here FID)"),
    ("am_gan", "ac_gan_star_plus", "fid", "AM-GAN (Zhou et al., Table 1): AM-GAN above AC-GAN*+ (Inception and AM "
                                          "Score; here FID)"),
    ("ac_gan_star_plus", "ac_gan_star", "fid", "AM-GAN paper (Table 1): AC-GAN*+ above AC-GAN* (Inception and AM "
                                               "Score; here FID)"),
    ("tac_gan", "ac_gan", "intra_fid", "TAC-GAN (Gong et al., NeurIPS 2019): TAC-GAN matches the class-conditional "
                                       "distributions better than AC-GAN"),
    ("uac_gan", "ac_gan", "fid", "UAC-GAN (Han et al., Table 2): UAC-GAN's FID below AC-GAN's on MNIST and CIFAR-10"),
    ("uac_gan", "tac_gan", "fid", "UAC-GAN (Han et al., Table 2): UAC-GAN's FID below TAC-GAN's"),
    ("projection", "ac_gan", "intra_fid", "projection (Miyato & Koyama, ICLR 2018): projection's intra-FID below "
                                          "AC-GAN's on ImageNet"),
    ("adc_gan", "ac_gan", "fid", "ADC-GAN (Hou et al., ICML 2022): ADC-GAN's FID below AC-GAN's"),
    ("adc_gan", "tac_gan", "fid", "ADC-GAN (Hou et al.): ADC-GAN's FID below TAC-GAN's"),
    ("reacgan", "ac_gan", "fid", "ReACGAN (Kang et al., NeurIPS 2021): ReACGAN's FID below AC-GAN's"),
    ("reacgan", "projection", "fid", "ReACGAN (Kang et al.): ReACGAN's FID below projection's"),
    ("p2gan", "projection", "fid", "P2GAN (Han et al., ICCV 2021): P2GAN's FID below projection's"),
    ("p2gan", "tac_gan", "fid", "P2GAN (Han et al.): P2GAN's FID below TAC-GAN's"),
]


def claim_lines(summary: dict) -> list[str]:
    out = []
    for obj, rival, key, source in PAPER_CLAIMS:
        if obj not in summary or rival not in summary:
            continue
        a, b = summary[obj]["metrics"].get(key), summary[rival]["metrics"].get(key)
        if a is None or b is None:
            continue
        word, c = versus(a["values"], b["values"], COLUMNS[key][1])
        agree = {"better": "agrees", "worse": "**disagrees**"}.get(word, "**not confirmed** at this n")
        out.append(f"- {source}. Here on {COLUMNS[key][0]}: {OBJECTIVES[obj][0]} {a['ci'].mean:.2f} vs "
                   f"{OBJECTIVES[rival][0]} {b['ci'].mean:.2f}: {word} (one-sided Mann-Whitney p = {c.p:.3f}; "
                   f"opposite direction p = {c.p_opposite:.3f}; verdict: {c.verdict}) — {agree}.")
    return out


def write_page(page: Path, fig_rel: str, records: list[dict], b: Budget, quick: bool, card: dict, wall_s: float,
               curves: list[str], grids: dict[str, str], command: str, load: str = "",
               invocations: list[dict] = ()) -> Path:
    from .stats import MIN_N_FOR_INTERVAL

    summary = summarize(records, b.objectives)
    order = sorted(summary, key=lambda n: summary[n]["metrics"].get("intra_fid", {"ci": None})["ci"].mean
                   if "intra_fid" in summary[n]["metrics"] else float("inf"))
    ref = summary.get(REFERENCE)
    n_min = min((len(s["seeds"]) for s in summary.values()), default=0)
    train_total = sum(r["train_s"] for r in records)
    header = ["rank", "objective", "seeds", *(f"{COLUMNS[k][0]} {'↓' if COLUMNS[k][1] else '↑'}" for k in COLUMNS),
              "vs AC-GAN on intra-FID", "vs AC-GAN on FID", "train s / run"]
    rows = []
    for i, n in enumerate(order, 1):
        s = summary[n]
        cells = [_ci(s["metrics"][k], COLUMNS[k][2]) if k in s["metrics"] else "–" for k in COLUMNS]
        same = n == REFERENCE
        rows.append([i, OBJECTIVES[n][0], len(s["seeds"]), *cells,
                     "(reference)" if same else _verdict_cell(s, ref, "intra_fid"),
                     "(reference)" if same else _verdict_cell(s, ref, "fid"),
                     f"{sum(s['train_s']) / len(s['train_s']):.0f}"])
    title = "reduced run" if (b.steps < FULL.steps or len(b.seeds) < len(FULL.seeds)) and not quick else \
        ("quick check" if quick else "full digits league")
    lines = [
        f"# The league: every class-conditional objective under one protocol ({title})", "",
        f"Written by `{command}` (`condgan.league`, `core/league.py`) from the per-run records in "
        f"`{fig_rel}/runs/` (one JSON file per run).", "",
        "## Protocol", "",
        "- Data: scikit-learn's 8x8 digits (`core.digits`, 10 classes; the test split is the reference).",
        "- Same for every objective (the preset `core.digits`): DCGAN generator and spectral-norm DCGAN discriminator "
        "with 32 channels, 32-d Gaussian latent, Adam lr 2e-4, betas (0.5, 0.999) for G and D, batch 64, "
        f"one D step per G step, EMA of G with decay {ema_decay(b.steps)} (`core.digits`' 0.999, shortened to a "
        "horizon of a tenth of the budget; the EMA generator is scored). An objective changes only the "
        "`[objective]` table (from its plugin's digits preset where there is one: its paper's adversarial loss and "
        "weights) and adds the networks it needs: ReACGAN's embedding and class proxies around the same trunk, "
        "UAC-GAN's projection statistics network on D's trunk (its Fashion-MNIST preset's setting). AM-GAN and "
        "LabelGAN use predefined labels (the class is the input label).",
        f"- Budget: **{b.steps:,} steps per run, seeds {', '.join(map(str, b.seeds))}** "
        f"({len(b.objectives)} objectives, {len(b.objectives) * len(b.seeds)} runs).",
        f"- Evaluator: core's evaluation CNN for digits (`EvalNet`, `train_evaluator`, "
        f"{card.get('epochs', '?')} epochs, seed 0), **test accuracy {card.get('test_accuracy', float('nan')):.4f}**, "
        f"SHA-256 `{card.get('sha256', '?')}`; FID/KID/coverage on its 64-d penultimate features.",
        f"- Metrics (registered in `condgan.evaluation`, via `evaluate_run`): {', '.join(METRICS)}, on "
        f"{b.n_eval} class-balanced generated samples per run against the test split; coverage with k = 5. "
        "Mean over seeds with a 95% percentile-bootstrap interval (`condgan.stats.bootstrap_mean_ci`, 10,000 "
        "resamples). Per-class FIDs rest on the test split's ~36 images per class, so intra-FID carries a large "
        "small-sample bias; it ranks objectives under one protocol, it is not comparable with published values.",
        "- Against AC-GAN (original): the claim \"better than AC-GAN\" tested over seeds by `condgan.stats.compare` "
        "(one-sided Mann-Whitney U, unpaired; the verdict rule of `condgan.stats.verdict`: better = p < 0.05 with "
        "no evidence against, worse = the opposite test p < 0.05 or, from 5 seeds per side, the bootstrap interval "
        "of the difference wholly on the wrong side). The cell shows both one-sided p-values (better / worse). "
        f"With n seeds per side the smallest possible p is 1 / C(2n, n): {_min_p(n_min):.3f} here"
        + (", **so no verdict can be reached at this n**" if n_min and _min_p(n_min) >= 0.05 else "") + ".",
        f"- Wall time of this invocation: {wall_s / 60:.1f} min (runs reused from an earlier invocation are not in "
        f"it); training time summed over all runs "
        f"{train_total / 60:.1f} min; {os.environ.get('CONDGAN_WORKERS', '2')} worker processes of one torch thread"
        + (f"; machine load {load}" if load else "") + ".",
        "",
        *scope_lines(b, quick, records),
        "## Table (sorted by mean intra-class FID, lower is better)", "",
        *markdown_table(header, rows), "",
        "Cells: mean [95% bootstrap interval over seeds]. Per-seed values are in the JSON records. "
        "\"train s / run\" follows the machine's load while each run trained (runs start in table-definition "
        "order), so it is not a cost comparison of the objectives.",
        *reading_lines(summary, order),
    ]
    if n_min and n_min < MIN_N_FOR_INTERVAL:
        lines += ["", f"With {n_min} seeds per objective the bootstrap intervals are narrow by construction "
                      f"(they are resamples of {n_min} values); read them as a spread, not as coverage."]
    claims = claim_lines(summary)
    losses = {}
    for n in order:
        losses.setdefault(adversarial_loss(n), []).append(OBJECTIVES[n][0])
    lines += ["", "Adversarial losses (each objective's own: its digits preset's, its table's above, or its default): "
              + "; ".join(f"`{k}`: {', '.join(v)}" for k, v in losses.items()) + ". The loss is part of what is "
              "compared: at this budget the ranking may reflect how fast a loss trains as much as the objective."]
    lines += ["", "## Where the ranking disagrees with the papers' claims", "",
              "Each paper's headline claim against another member of the league, tested on this league's numbers "
              "(the papers measured on CIFAR-10/100, Tiny-ImageNet, ImageNet or Fashion-MNIST at far larger "
              "budgets; a disagreement here is a statement about 8x8 digits at this budget, not a refutation).", "",
              *(claims or ["- No pair of a claim has finished runs yet."])]
    if claims:
        agree, disagree = sum("— agrees" in c for c in claims), sum("**disagrees**" in c for c in claims)
        lines += ["", f"In all: {agree} of {len(claims)} claims agree, {disagree} disagree (the opposite order is "
                      f"reliable here), {len(claims) - agree - disagree} not confirmed at this n."]
    if curves:
        lines += ["", "## FID against steps (mean over seeds, 95% bootstrap band)", "",
                  f"In-training FID on {b.curve_samples} samples of the EMA generator every "
                  f"{max(1, b.steps // b.curve_points)} steps (`run.eval_every`), drawn (log scale) by "
                  "`condgan.evaluation.plots.plot_runs` from the seed groups (`condgan.groups.group_curve`).", ""]
        lines += [f"![FID against steps]({fig_rel}/{c})" for c in curves]
    if grids:
        lines += ["", "## Samples (first seed of each objective, EMA generator; one column per class)", ""]
        for n in order:
            if n in grids:
                lines += [f"**{OBJECTIVES[n][0]}**", "", f"![{OBJECTIVES[n][0]} samples]({fig_rel}/{grids[n]})", ""]
    if invocations:
        lines += ["", "## Invocations (wall time)", "", "Every invocation that wrote this page, from "
                  f"`{fig_rel}/invocations.json`:", "",
                  *markdown_table(["start (UTC)", "command", "wall", "load"],
                                  [[i["start_utc"], f"`{i['command']}`", f"{i['wall_s'] / 60:.1f} min", i["load"]]
                                   for i in invocations])]
    lines += ["", "## Commands", "", "```", command,
              "condgan plot <runs>/<objective> --metric fid    # one objective's seed group, as above", "```", ""]
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text("\n".join(lines))
    return page


def adversarial_loss(name: str) -> str:
    """The adversarial loss an objective trains with: its table's ``adversarial``, else its parameter's default, else
    (AM-GAN's family) its built-in cross-entropy and its generator loss."""
    from .plugin_manager import get_components

    table = arm_config(name)["objective"]
    if "adversarial" in table:
        return table["adversarial"]
    entry = get_components().get("objectives", table["type"])
    fields = attrs.fields_dict(entry.params) if entry.params is not None else {}
    if "adversarial" in fields:
        return fields["adversarial"].default
    g = table.get("generator_loss", fields["generator_loss"].default if "generator_loss" in fields else "")
    return f"built-in cross-entropy, G {g}" if g else "built-in"


def reading_lines(summary: dict, order: list[str]) -> list[str]:
    """Facts read off the table that change how a row is read: samples that ignore their label (class accuracy of
    the evaluator at most twice chance) have an intra-FID that measures that, whatever their FID."""
    k = 10
    blind = [n for n in order if "class_accuracy" in summary[n]["metrics"]
             and summary[n]["metrics"]["class_accuracy"]["ci"].mean <= 2.0 / k]
    if not blind:
        return []
    names = ", ".join(OBJECTIVES[n][0] for n in blind)
    text = (f"Class accuracy at most twice chance ({2.0 / k:.1f}): {names}. These samples largely ignore their "
            "input label, so their intra-class FID is large even where their FID (class-blind) is not.")
    if "label_gan" in blind:
        text += (" For LabelGAN this is its design: its generator loss maximises the total real-class mass and names "
                 "no target class (AM-GAN paper, Eqs. 2-5), so under predefined labels nothing ties a sample to its "
                 "input label.")
    return ["", text]


def scope_lines(b: Budget, quick: bool, records: list[dict]) -> list[str]:
    """What this page is against the issue's league, and the full league's cost at this run's measured speed."""
    workers = int(os.environ.get("CONDGAN_WORKERS", "2"))
    rate = [r["train_s"] / r["steps"] for r in records if r.get("steps")]
    full_runs = len(FULL.objectives) * len(FULL.seeds)
    out = ["## Scope", ""]
    if quick:
        out.append("- A quick check of the machinery (a few steps, two objectives): the numbers mean nothing.")
    elif b.steps < FULL.steps or len(b.seeds) < len(FULL.seeds):
        out.append(f"- **A reduced run**: {b.steps:,} steps and {len(b.seeds)} seeds per objective instead of the full "
                   f"digits league's {FULL.steps:,} steps and {len(FULL.seeds)} seeds (`condgan reproduce league`, "
                   "no knobs), on a 2-core machine shared with other jobs. At this budget the GANs are early in "
                   "training; the ranking is of early training, and the full league is left for a later session.")
    if rate:
        per_step = sum(rate) / len(rate)
        hours = full_runs / workers * FULL.steps * per_step / 3600
        out.append(f"- Measured here: {per_step:.3f} s per training step per worker (training time / steps, "
                   f"mean over runs, with the in-training FID). At that speed the full digits league ({full_runs} "
                   f"runs of {FULL.steps:,} steps, {workers} workers) would train for about {hours:.1f} h, plus "
                   "scoring; the issue's budget (<= 3 h for digits, Fashion-MNIST and the MoG together) needs a "
                   "machine at least as free as this one was.")
    out += ["- Not built yet: the issue's Fashion-MNIST league (>= 6 objectives, >= 3 seeds; the presets "
            "`*.fashion_*` exist, the dataset is not installed here) and the 1-D MoG league (`condgan reproduce "
            "uacgan.mog` covers AC-GAN, TAC-GAN and UAC-GAN there).", ""]
    return out


def _min_p(n: int) -> float:
    from math import comb

    return 1.0 / comb(2 * n, n) if n else float("nan")


def evaluator_for(runs: Path, b: Budget) -> tuple[Path, dict]:
    """Core's digits evaluation classifier, trained once (seed 0) beside the runs; its card."""
    from .evaluation.evaluators import load_evaluator, train_evaluator

    path = runs / ("evaluator_digits_seed0" + (f"_e{b.evaluator_epochs}" if b.evaluator_epochs else "")
                   + ".safetensors")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        train_evaluator("digits", path, epochs=b.evaluator_epochs, seed=0, threads=1, log=lambda *a, **k: None)
    ev = load_evaluator(path)
    card = dict(ev.card)
    card["sha256"] = ev.sha256
    card.setdefault("epochs", (card.get("training") or {}).get("epochs", b.evaluator_epochs))
    return path, card


def log_invocation(path: Path, entry: dict) -> list[dict]:
    """Append this invocation (command, start, wall time, load) to ``path``; return every entry."""
    from .checkpoint import atomic_write_text

    entries = json.loads(path.read_text()) if path.exists() else []
    entries.append(entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(entries, indent=1) + "\n")
    return entries


def _write_groups(todo, root: Path) -> None:
    """``group.json`` per objective, so its ``seed-<s>`` run directories read as a seed group."""
    from .checkpoint import atomic_write_text

    by_arm: dict[str, list] = {}
    for r in todo:
        by_arm.setdefault(r.arm.name, []).append(r)
    for name, rs in by_arm.items():
        d = root / name
        d.mkdir(parents=True, exist_ok=True)
        atomic_write_text(d / "group.json", json.dumps({"seeds": [r.seed for r in rs], "source": f"league {name}",
                                                        "config": rs[0].raw}, indent=1, default=str) + "\n")


def reproduce_league(out_dir: Path, quick: bool) -> Path:
    import torch

    from .evaluation.plots import plot_runs
    from .experiments import has_checkpoint

    torch.set_num_threads(1)
    t0, load0 = time.perf_counter(), os.getloadavg()
    b = budget(quick)
    out_dir = Path(out_dir)
    name = "league-quick" if quick else "league"
    fig_dir = out_dir / name
    records = fig_dir / "runs"
    root = Path(os.environ.get("CONDGAN_RUNS", "runs")) / name / f"steps{b.steps}"
    evaluator, card = evaluator_for(root.parent, b)  # one evaluator for every budget
    league = arms(b, evaluator, fig_dir / "samples")
    kw = dict(overrides=common_overrides(b), run_name="{arm}/seed-{seed}", records=records,
              record_name="{arm}_s{seed}_{steps}.json")
    _write_groups(plan(league, root, **kw), root)
    run_arms(league, root, evaluate=score, during=during, workers=int(os.environ.get("CONDGAN_WORKERS", "2")),
             log=lambda run, r: print(f"league: {r['objective']} seed {r['seed']}: intra-FID "
                                      f"{r['metrics'].get('intra_fid', float('nan')):.2f} FID "
                                      f"{r['metrics'].get('fid', float('nan')):.2f} ({r['train_s']:.0f} s)",
                                      file=sys.stderr, flush=True), **kw)
    if os.environ.get("LEAGUE_NO_PAGE"):
        return records
    recs = [r for r in load_records(records, f"*_{b.steps}.json")
            if r["seed"] in b.seeds and r["objective"] in b.objectives]
    groups = [(n, root / n) for n in b.objectives
              if all(has_checkpoint(root / n / f"seed-{s}") for s in b.seeds)]
    curves = []
    half = (len(groups) + 1) // 2
    for i, part in enumerate([groups[:half], groups[half:]] if len(groups) > 7 else [groups]):
        if part:
            png = f"fid_steps_{i + 1}.png"
            plot_runs([d for _, d in part], "fid", fig_dir / png, labels=[OBJECTIVES[n][0] for n, _ in part],
                      log_y=True)
            curves.append(png)
    grids = {n: f"samples/{n}.png" for n in b.objectives if (fig_dir / "samples" / f"{n}.png").exists()}
    env = " ".join(f"{k}={os.environ[k]}" for k in ("LEAGUE_STEPS", "LEAGUE_SEEDS", "LEAGUE_OBJECTIVES",
                                                      "CONDGAN_WORKERS") if os.environ.get(k))
    command = (env + " " if env else "") + "condgan reproduce league" + (" --quick" if quick else "") + \
        (f" --out {out_dir}" if str(out_dir) != "docs/results" else "")
    load = f"{load0[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end (1-minute averages)"
    invocations = log_invocation(fig_dir / "invocations.json", {
        "command": command, "start_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - (
            time.perf_counter() - t0))), "wall_s": round(time.perf_counter() - t0, 1), "load": load})
    return write_page(out_dir / f"{name}.md", name, recs, b, quick, card, time.perf_counter() - t0, curves, grids,
                      command, load, invocations)
