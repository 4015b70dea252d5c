"""``condgan reproduce league`` (8x8 digits), ``league-fashion`` and ``league-mog``: every class-conditional objective
condgan has, under one protocol per dataset (issue 18, item 2).

A core module, registered by core's plugin (``core.league``, ``core.league_fashion``, ``core.league_mog``), not a
plugin: it spans every plugin's objectives and scores them with core's evaluation internals (``evaluate_run``, the
seed-group curves), which plugins may not import. It names the other plugins' objectives and presets by their
registered names only; an objective whose plugin is not loaded is left out of the league (:func:`available`).

One implementation, several leagues: a :class:`League` spec names the dataset's shared base preset, its objectives,
its budgets, the table's columns and sort key, the claims and the page's words; :func:`reproduce` trains, scores and
writes the page (:mod:`condgan.league_page`) for any of them. The specs: :data:`DIGITS` and :data:`FASHION` here,
:data:`condgan.league_mog.MOG` in :mod:`condgan.league_mog`.

Each objective is trained with its league's networks, budget, optimiser and EMA: on 8x8 digits the preset
``core.digits`` (DCGAN G and spectral-norm D with 32 channels, a 32-d Gaussian latent, Adam 2e-4 (0.5, 0.999), batch
64, EMA 0.999); on Fashion-MNIST ``core.fashion`` (the same networks at 28x28, a 64-d latent). An arm differs from the
base only in its ``[objective]`` table and the extra networks the objective needs (ReACGAN's proxy discriminator
around the league's discriminator as trunk; UAC-GAN's statistics network; a composite's classifier). Where the
objective's plugin has an 8x8-digits preset, the objective table is read from it (the paper's adversarial loss and
weights live there, in one place); otherwise it is written below. The composite mixes (``core.composite`` terms from
several plugins) are arms of the digits league, read from their presets.

Every run of an image league is scored by core's evaluation classifier for its dataset (``EvalNet``, trained once
beside the runs with :func:`condgan.evaluation.evaluators.train_evaluator`) through the registered metrics
(:func:`evaluate_run`): FID, mean intra-class FID, KID, class accuracy of the samples, coverage. Over seeds: the mean
with a 95% bootstrap interval (:func:`condgan.stats.bootstrap_mean_ci`), and each objective against AC-GAN by
:func:`condgan.stats.compare` (one-sided Mann-Whitney U over seeds; :func:`condgan.stats.verdict`'s rule).

Runs are laid out as seed groups, ``<runs>/<objective>/seed-<s>/`` with a ``group.json``, so the FID-against-steps
bands come from :func:`condgan.groups.group_curve` (and ``condgan plot`` / ``condgan evaluate`` work on them). Training
and reuse are :mod:`condgan.experiments`'s: a recorded run is not run again, an interrupted one resumes;
``--vectorize`` (``CONDGAN_VECTORIZE=1``) trains each objective's seeds at once where they can be (the MoG league),
others fall back to the worker processes.

Environment knobs: ``LEAGUE_STEPS``, ``LEAGUE_SEEDS`` (a count or a list such as ``0-2``), ``LEAGUE_OBJECTIVES``
(comma-separated names from the league's objectives), ``LEAGUE_NO_PAGE=1`` (train and record only),
``LEAGUE_DATA_ROOT`` (a folder with the dataset's files, e.g. Fashion-MNIST's IDX files, when they are not installed),
``CONDGAN_WORKERS`` (worker processes, default 2), ``CONDGAN_RUNS`` (parent of the run folders, default ``runs``).
"""

from __future__ import annotations

import copy
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable

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
    # composites no paper trained (core.composite's terms from several plugins), read from their presets
    "mix_ca_gan_tac_twin": ("mix: CA-GAN + TAC-GAN twin", "cagan.composite_mix_ca_gan_tac_twin"),
    "mix_am_gan_cgp": ("mix: AM-GAN + CGPGAN classifier", "amgan.composite_mix_am_gan_cgp"),
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


#: sized to the issue's budget: the three leagues together in <= 3 h on 2 cores (2 workers). 16 objectives x 5 seeds
#: at 300 steps train ~65 min summed over runs (0.15 s per step per worker, measured 2026-11-30 under load), ~35 min
#: on 2 workers with scoring, beside Fashion-MNIST (~55 min) and the MoG (~33 min); 1,500 steps would train ~3.3 h
#: alone (``LEAGUE_STEPS=1500``). See docs/results/league.md, "Budget".
FULL = Budget(steps=300, seeds=tuple(range(5)), objectives=tuple(OBJECTIVES))
#: seconds, for a test: two objectives, two seeds, a few steps
QUICK = Budget(steps=20, seeds=(0, 1), objectives=("ac_gan", "projection"), n_eval=200, curve_points=2,
               curve_samples=200, evaluator_epochs=1)


@attrs.frozen
class League:
    """One league: a dataset's shared base preset, its objectives, budgets, table and page. The leagues differ only
    by this spec; training, scoring over seeds, the comparison with AC-GAN and the page are shared.

    ``objectives``: name -> (label, a preset to read the ``[objective]`` table from, or the table itself).
    ``columns``: record metric key -> (column, lower is better, digits); the table is sorted by ``sort_key`` and
    each objective is tested against ``reference`` on ``versus_keys``. ``score(run) -> record`` and ``during(run)``
    run in the workers (module-level functions); ``protocol(league, budget, card)`` gives the page's first protocol
    bullets; ``evaluator`` names the dataset of core's evaluation classifier (None: the samples are scored raw).
    ``words``: the page's dataset-specific phrases."""

    name: str
    base: str
    objectives: dict = attrs.field(eq=False)
    full: Budget
    quick: Budget
    score: Callable
    protocol: Callable
    words: dict = attrs.field(eq=False)
    during: Callable | None = None
    evaluator: str | None = None
    #: torch threads for training the evaluator (before any run starts, so every core is free)
    evaluator_threads: int = 1
    columns: dict = attrs.field(default=COLUMNS, eq=False)
    sort_key: str = "intra_fid"
    versus_keys: tuple[str, ...] = ("intra_fid", "fid")
    reference: str = REFERENCE
    claims: tuple = ()
    #: the ``run.*`` overrides of every run (the budget's): a function of the budget
    overrides: Callable | None = None
    #: extra figures: ``figures(league, budget, root, fig_dir, records) -> markdown lines``
    figures: Callable | None = None

    def label(self, name: str) -> str:
        return self.objectives[name][0]


def available(names, league: League | None = None) -> tuple[str, ...]:
    """The objectives among ``names`` whose plugin is loaded (objective and preset registered)."""
    from .plugin_manager import get_components

    league = league or DIGITS
    comps, out = get_components(), []
    for n in names:
        source = league.objectives[n][1]
        try:
            if isinstance(source, str):
                comps.get("presets", source)
            comps.get("objectives", arm_config(n, league)["objective"]["type"])
        except Exception:  # noqa: BLE001 - any lookup failure: the plugin is not there
            continue
        out.append(n)
    return tuple(out)


def budget(quick: bool, league: League | None = None) -> Budget:
    """The league's full or quick budget over its available objectives, with the environment knobs applied."""
    from .groups import parse_seeds

    league = league or DIGITS
    b = league.quick if quick else league.full
    b = attrs.evolve(b, objectives=available(b.objectives, league))
    if os.environ.get("LEAGUE_STEPS"):
        b = attrs.evolve(b, steps=int(os.environ["LEAGUE_STEPS"]))
    if os.environ.get("LEAGUE_SEEDS"):
        s = os.environ["LEAGUE_SEEDS"]
        b = attrs.evolve(b, seeds=tuple(range(int(s))) if s.isdigit() else tuple(parse_seeds(s)))
    if os.environ.get("LEAGUE_OBJECTIVES"):
        names = tuple(n for n in os.environ["LEAGUE_OBJECTIVES"].split(",") if n)
        unknown = sorted(set(names) - set(league.objectives))
        if unknown:
            raise ValueError(f"LEAGUE_OBJECTIVES: unknown {unknown}; known: {', '.join(league.objectives)}")
        b = attrs.evolve(b, objectives=names)
    return b


# -- the arms ---------------------------------------------------------------------------------------------------------
def arm_config(name: str, league: League | None = None) -> dict:
    """The config of one objective: the league's base preset with the objective's ``[objective]`` table, plus what
    the objective needs beyond the base's networks (a wrapping discriminator around the base's trunk, a statistics
    network or classifier and its optimiser), read from the objective's preset."""
    league = league or DIGITS
    raw = preset_raw(league.base)
    source = league.objectives[name][1]
    if isinstance(source, dict):
        raw["objective"] = copy.deepcopy(source)
        return raw
    preset = preset_raw(source)
    raw["objective"] = preset["objective"]
    for table, value in preset.items():  # networks the base does not have (UAC-GAN's T, a composite's Q)
        if table not in raw:
            raw[table] = value
    for net, value in preset.get("optimizers", {}).items():
        raw["optimizers"].setdefault(net, value)
    d = preset["discriminator"]
    if "trunk" in d and d["type"] != raw["discriminator"]["type"]:
        # a wrapper (ReACGAN's proxies) around the league's own discriminator as its trunk; any other discriminator
        # of the preset (its dataset's plain D, its normalisation) gives way to the league's
        base_d = {k: v for k, v in raw["discriminator"].items() if k != "type"}
        raw["discriminator"] = {"type": d["type"], "trunk": raw["discriminator"]["type"], "trunk_params": base_d,
                                **{k: v for k, v in d.items() if k not in ("type", "trunk", "trunk_params")}}
    return raw


def arms(b: Budget, info: dict, league: League | None = None) -> list[Arm]:
    league = league or DIGITS
    return [Arm(n, arm_config(n, league), seeds=b.seeds, label=league.label(n), info=dict(info)) for n in b.objectives]


def ema_decay(steps: int) -> float:
    """The base's EMA decay (0.999) unless the budget is too short for it: the EMA's horizon 1 / (1 - decay) is at
    most a tenth of the steps (decay 0.5 at least). At 400 steps, 0.999 left the EMA generator mostly at its initial
    weights: measured FID 256 against the raw generator's 51 for the conditional GAN."""
    return round(min(0.999, max(0.5, 1.0 - 10.0 / steps)), 6)


def common_overrides(b: Budget) -> list[str]:
    """The image leagues' run settings: the budget, its EMA decay (:func:`ema_decay`), on the CPU, FID every
    ``steps / curve_points`` steps, two checkpoints (for resuming)."""
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
def summarize(records: list[dict], objectives, columns: dict | None = None) -> dict[str, dict[str, Any]]:
    """Per objective and metric key (of ``columns``, the digits league's by default): the per-seed values and their
    mean with a 95% bootstrap interval."""
    from .stats import bootstrap_mean_ci

    out = {}
    for name in objectives:
        recs = sorted((r for r in records if r["objective"] == name), key=lambda r: r["seed"])
        if not recs:
            continue
        out[name] = {"seeds": [r["seed"] for r in recs], "train_s": [r["train_s"] for r in recs], "metrics": {}}
        for key in (columns or COLUMNS):
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


def adversarial_loss(name: str, league: League | None = None) -> str:
    """The adversarial loss an objective trains with: its table's ``adversarial``, else its parameter's default, else
    (AM-GAN's family) its built-in cross-entropy and its generator loss; a composite: its terms."""
    from .plugin_manager import get_components

    table = arm_config(name, league)["objective"]
    if "terms" in table:  # core.composite: its terms, each named once
        return "composite of " + " + ".join(dict.fromkeys(t["name"] for t in table["terms"]))
    if "adversarial" in table:
        return table["adversarial"]
    entry = get_components().get("objectives", table["type"])
    fields = attrs.fields_dict(entry.params) if entry.params is not None else {}
    if "adversarial" in fields:
        return fields["adversarial"].default
    g = table.get("generator_loss", fields["generator_loss"].default if "generator_loss" in fields else "")
    return f"built-in cross-entropy, G {g}" if g else "built-in"


def _min_p(n: int) -> float:
    from math import comb

    return 1.0 / comb(2 * n, n) if n else float("nan")


def evaluator_for(runs: Path, b: Budget, league: League | None = None) -> tuple[Path, dict]:
    """Core's evaluation classifier for the league's dataset, trained once (seed 0) beside the runs; its card."""
    from .evaluation.evaluators import load_evaluator, train_evaluator

    league = league or DIGITS
    name = league.evaluator
    path = runs / (f"evaluator_{name}_seed0" + (f"_e{b.evaluator_epochs}" if b.evaluator_epochs else "")
                   + ".safetensors")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        train_evaluator(name, path, epochs=b.evaluator_epochs, seed=0, threads=league.evaluator_threads,
                        root=data_root(), log=lambda *a, **k: None)
    ev = load_evaluator(path)
    card = dict(ev.card)
    card["sha256"] = ev.sha256
    card.setdefault("epochs", (card.get("training") or {}).get("epochs", b.evaluator_epochs))
    return path, card


def data_root() -> str:
    """``LEAGUE_DATA_ROOT``: a folder holding the dataset's files (Fashion-MNIST's IDX files) where they are not in
    the default places; "" (the default) leaves the configs' ``data.root`` alone."""
    return os.environ.get("LEAGUE_DATA_ROOT", "")


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


def budget_records(folder: Path, b: Budget) -> list[dict]:
    """The records in ``folder`` of the runs of budget ``b``: its steps, seeds and objectives (none if the folder
    does not exist)."""
    return [r for r in load_records(folder, f"*_{b.steps}.json")
            if r["seed"] in b.seeds and r["objective"] in b.objectives]


def fid_curves(league: League, b: Budget, root: Path, fig_dir: Path, recs: list[dict]) -> tuple[list[str], str]:
    """The FID-against-steps figures (PNG names under ``fig_dir``) and a note for the page. Drawn from the seed
    groups under ``root`` when every objective's runs are there (two figures past seven objectives), with
    ``fid_steps.json`` naming the objectives of each figure. When some run directories are missing (records reused
    from another machine) the figures already in ``fig_dir`` are kept as drawn; without them only the objectives
    whose runs are here are drawn. The note names the objectives with records that no figure shows."""
    import json

    from .evaluation.plots import plot_runs
    from .experiments import has_checkpoint

    groups = [(n, root / n) for n in b.objectives if all(has_checkpoint(root / n / f"seed-{s}") for s in b.seeds)]
    index = fig_dir / "fid_steps.json"
    kept = len(groups) < len(b.objectives) and index.exists()
    if kept:
        drawn = json.loads(index.read_text())
    else:
        half = (len(groups) + 1) // 2
        drawn = {}
        for i, part in enumerate([groups[:half], groups[half:]] if len(groups) > 7 else [groups]):
            if part:
                png = f"fid_steps_{i + 1}.png"
                plot_runs([d for _, d in part], "fid", fig_dir / png, labels=[league.label(n) for n, _ in part],
                          log_y=True)
                drawn[png] = [n for n, _ in part]
        if drawn:
            index.write_text(json.dumps(drawn, indent=1) + "\n")
    shown = {n for names in drawn.values() for n in names}
    lacking = [league.label(n) for n in b.objectives if n not in shown and any(r["objective"] == n for r in recs)]
    note = ("These figures were drawn by an earlier invocation, which had the runs' directories (this one has only "
            "their records)") if kept else ""
    if lacking:
        note += ("; not in them: " if kept else "Not in these figures (their runs' directories are not here, only "
                 "their records): ") + ", ".join(lacking)
    return list(drawn), note + "." if note else ""


def reproduce(league: League, out_dir: Path, quick: bool) -> Path:
    """Train (or reuse) every run of ``league`` at its budget, score each, write the page ``<out>/<name>.md``."""
    import torch

    torch.set_num_threads(1)
    t0, load0 = time.perf_counter(), os.getloadavg()
    b = budget(quick, league)
    out_dir = Path(out_dir)
    name = league.name + ("-quick" if quick else "")
    fig_dir = out_dir / name
    records = fig_dir / "runs"
    root = Path(os.environ.get("CONDGAN_RUNS", "runs")) / name / f"steps{b.steps}"
    info: dict[str, Any] = {"n_eval": b.n_eval}
    card: dict = {}
    if league.evaluator:
        evaluator, card = evaluator_for(root.parent, b, league)  # one evaluator for every budget
        info.update(evaluator=str(evaluator), grids=str(fig_dir / "samples"), curve_samples=b.curve_samples)
    todo = arms(b, info, league)
    overrides = (league.overrides or common_overrides)(b) + ([f"data.root={data_root()}"] if data_root() else [])
    kw = dict(overrides=overrides, run_name="{arm}/seed-{seed}", records=records,
              record_name="{arm}_s{seed}_{steps}.json")
    _write_groups(plan(todo, root, **kw), root)
    shown = league.versus_keys
    run_arms(todo, root, evaluate=league.score, during=league.during,
             workers=int(os.environ.get("CONDGAN_WORKERS", "2")), vectorize=os.environ.get("CONDGAN_VECTORIZE") == "1",
             log=lambda run, r: print(f"{league.name}: {r['objective']} seed {r['seed']}: " + " ".join(
                 f"{league.columns[k][0]} {r['metrics'].get(k, float('nan')):.{league.columns[k][2]}f}"
                 for k in shown) + f" ({r['train_s']:.0f} s)", file=sys.stderr, flush=True), **kw)
    if os.environ.get("LEAGUE_NO_PAGE"):
        return records
    recs = budget_records(records, b)
    curves, curve_note = fid_curves(league, b, root, fig_dir, recs) if league.during is not None else ([], "")
    grids = {n: f"samples/{n}.png" for n in b.objectives if (fig_dir / "samples" / f"{n}.png").exists()}
    figures = league.figures(league, b, root, fig_dir, recs) if league.figures else []
    env = " ".join(f"{k}={os.environ[k]}" for k in ("LEAGUE_STEPS", "LEAGUE_SEEDS", "LEAGUE_OBJECTIVES",
                                                      "LEAGUE_DATA_ROOT", "CONDGAN_WORKERS") if os.environ.get(k))
    command = (env + " " if env else "") + f"condgan reproduce {league.name}" + (" --quick" if quick else "") + \
        (" --vectorize" if os.environ.get("CONDGAN_VECTORIZE") == "1" else "") + \
        (f" --out {out_dir}" if str(out_dir) != "docs/results" else "")
    load = f"{load0[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end (1-minute averages)"
    invocations = log_invocation(fig_dir / "invocations.json", {
        "command": command, "start_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - (
            time.perf_counter() - t0))), "wall_s": round(time.perf_counter() - t0, 1), "load": load})
    from .league_page import write_page

    return write_page(out_dir / f"{name}.md", league, name, recs, b, quick, card, time.perf_counter() - t0, curves,
                      grids, command, load, invocations, figures, curve_note)


def reproduce_league(out_dir: Path, quick: bool) -> Path:
    """``condgan reproduce league``: the 8x8-digits league."""
    return reproduce(DIGITS, out_dir, quick)


def reproduce_league_fashion(out_dir: Path, quick: bool) -> Path:
    """``condgan reproduce league-fashion``: the Fashion-MNIST league."""
    return reproduce(FASHION, out_dir, quick)


def reproduce_league_mog(out_dir: Path, quick: bool) -> Path:
    """``condgan reproduce league-mog``: the 1-D mixture-of-Gaussians league (:mod:`condgan.league_mog`)."""
    from .league_mog import MOG

    return reproduce(MOG, out_dir, quick)


# -- the leagues ------------------------------------------------------------------------------------------------------
def _image_protocol(league: League, b: Budget, card: dict) -> list[str]:
    from .league_page import image_protocol

    return image_protocol(league, b, card)


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



DIGITS = League(
    name="league", base=BASE_PRESET, objectives=OBJECTIVES, full=FULL, quick=QUICK, score=score, during=during,
    protocol=_image_protocol, evaluator="digits", claims=tuple(PAPER_CLAIMS),
    words={"short": "digits", "heading": "The league", "sort": "mean intra-class FID, lower is better",
           "data": "scikit-learn's 8x8 digits (`core.digits`, 10 classes; the test split is the reference).",
           "base": "DCGAN generator and spectral-norm DCGAN discriminator with 32 channels, 32-d Gaussian latent, "
                   "Adam lr 2e-4, betas (0.5, 0.999) for G and D, batch 64",
           "evaluator": "digits",
           "per_class": "Per-class FIDs rest on the test split's ~36 images per class, so intra-FID carries a large "
                        "small-sample bias; it ranks objectives under one protocol, it is not comparable with "
                        "published values.",
           "losses_from": "its digits preset's",
           "claims": "the papers measured on CIFAR-10/100, Tiny-ImageNet, ImageNet or Fashion-MNIST at far larger "
                     "budgets; a disagreement here is a statement about 8x8 digits at this budget, not a refutation"})

#: the Fashion-MNIST league's objectives: the digits league's definitions (one per objective), six spanning the
#: family: the reference, a twin classifier, projection, the 2K-way classifier, conditional activation, K+1 classes
FASHION_OBJECTIVES = ("ac_gan", "tac_gan", "projection", "adc_gan", "ca_gan", "am_gan")
#: sized to about 55 min for 6 objectives x 3 seeds on 2 cores (measured 2026-11-30 on a loaded machine, one torch
#: thread: 0.28-0.45 s per step (AM-GAN 0.28, projection 0.29, CA-GAN 0.30, ADC-GAN 0.35, TAC-GAN 0.44, AC-GAN 0.45),
#: ~50 s per run to start, track FID (5 x 500 samples) and score (28 s for 1,000 samples); 18 runs on 2 workers ~45
#: min; the evaluator's 4 epochs on 60,000 images ~11 min on one thread (1 epoch on 6,000 images and the test pass:
#: 22 s), ~6 min on the two it gets)
FASHION_FULL = Budget(steps=700, seeds=(0, 1, 2), objectives=FASHION_OBJECTIVES, n_eval=1000, curve_points=5,
                      curve_samples=500)
FASHION_QUICK = Budget(steps=20, seeds=(0, 1), objectives=("ac_gan", "projection"), n_eval=100, curve_points=2,
                       curve_samples=100, evaluator_epochs=1)
FASHION = League(
    name="league-fashion", base="core.fashion", objectives=OBJECTIVES, full=FASHION_FULL, quick=FASHION_QUICK,
    score=score, during=during, protocol=_image_protocol, evaluator="fashion_mnist", evaluator_threads=2,
    claims=tuple(PAPER_CLAIMS),
    words={"short": "Fashion-MNIST", "heading": "The Fashion-MNIST league", "sort": "mean intra-class FID, lower is "
           "better",
           "data": "Fashion-MNIST 28x28 (`core.fashion_mnist`, 10 classes, 60,000 training images; the test split "
                   "of 10,000 is the reference).",
           "base": "DCGAN generator and spectral-norm DCGAN discriminator with 32 channels, 64-d Gaussian latent, "
                   "Adam lr 2e-4, betas (0.5, 0.999) for G and D, batch 64 (the plugins' Fashion-MNIST presets' "
                   "CPU-scale networks)",
           "evaluator": "Fashion-MNIST",
           "per_class": "Per-class FIDs rest on at most 1,000 test images and 100 generated samples per class (with "
                        "1,000 samples per run), so intra-FID carries a small-sample bias; it ranks objectives under "
                        "one protocol, it is not comparable with published values.",
           "losses_from": "its digits preset's",
           "claims": "the papers measured on CIFAR-10/100, Tiny-ImageNet, ImageNet or Fashion-MNIST at far larger "
                     "budgets; a disagreement here is a statement about Fashion-MNIST at this budget, not a "
                     "refutation"})
