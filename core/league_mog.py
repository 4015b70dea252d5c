"""``condgan reproduce league-mog``: the league on UAC-GAN's 1-D mixture of Gaussians (issue 18, item 2).

The spec of one more :class:`~condgan.league.League`; training, summaries, the comparison with AC-GAN and the page are
:mod:`condgan.league`'s and :mod:`condgan.league_page`'s.

Base: the preset ``uacgan.mog_ac_gan`` (the authors' MINE-script setup of UAC-GAN Table 1: G z in R^2 + Embedding(3, 2)
through a Tanh MLP, D 3x(Linear 10 + Tanh) with N(0, 0.02) init, Adam 2e-3 (0.5, 0.999), batch 256, G every 10 D
steps). Every objective builds on those two networks (their heads are whatever the objective asks for); an objective
changes only its ``[objective]`` table and adds the networks it needs (UAC-GAN's statistics network: its MoG preset's;
ReACGAN's proxies around the MoG D as trunk). AC-GAN, TAC-GAN and UAC-GAN read their tables from their MoG presets,
the others from their digits presets (their papers' losses), as in the digits league. Every objective of the digits
league builds and trains on these networks, vectorized or not (tried at 50 steps, 2 seeds), except the two composite
mixes, which are left out: they are mixes defined for 8x8 digits (AM-GAN + CGPGAN's mix needs a DCGAN classifier Q).

Scoring (:func:`score`): the uacgan reproduction's protocol: 10,000 points per class from the raw generator (no EMA,
as the authors), noise from ``torch.Generator().manual_seed(10_000 + seed)`` (:func:`generate`), then
:func:`condgan.evaluation.mmd.mog_distances` against the training points: poly-2 MMD² (the paper's), Gaussian-kernel
MMD² and W1, per class and for the marginal. The table is sorted by the mean over the three classes of the Gaussian
MMD² (the poly-2 kernel sees only two moments).

Runs: ``--vectorize`` (``CONDGAN_VECTORIZE=1``) trains each objective's seeds at once (:mod:`condgan.vectorized`);
the seeds then match their single runs to float tolerance. The league's knobs apply (``LEAGUE_STEPS`` counts D steps).
"""

from __future__ import annotations

import math
from pathlib import Path

import torch

from .league import OBJECTIVES, Budget, League

#: objectives that are left out of the MoG league, and why
LEFT_OUT = {
    "mix_ca_gan_tac_twin": "a composite defined for 8x8 digits (its preset's DCGAN networks), no published objective",
    "mix_am_gan_cgp": "a composite defined for 8x8 digits; its classifier Q is a DCGAN classifier for images",
}
#: name -> (label, source): the digits league's objectives, with AC-GAN, TAC-GAN and UAC-GAN from their MoG presets
MOG_OBJECTIVES = {n: v for n, v in OBJECTIVES.items() if n not in LEFT_OUT}
MOG_OBJECTIVES.update({
    "ac_gan": ("AC-GAN", "uacgan.mog_ac_gan"),
    "tac_gan": ("TAC-GAN", "uacgan.mog_tac_gan"),
    "uac_gan": ("UAC-GAN", "uacgan.mog_uac_gan"),
})

#: the distances of :func:`~condgan.evaluation.mmd.mog_distances`: key -> (name, digits)
DISTANCES = {"mmd_gauss": ("Gaussian MMD²", 4), "mmd": ("poly-2 MMD²", 3), "w1": ("W1", 3)}
#: record metric key -> (column, lower is better, digits): each distance's mean over classes, then its marginal
COLUMNS = {f"{k}{part}": (f"{name} ({'class mean' if not part else 'marginal'})", True, d)
           for k, (name, d) in DISTANCES.items() for part in ("", "_marginal")}

#: the authors train 30,000 D steps; 12,000 D steps x 5 seeds sizes the whole league to about 33 min with
#: ``--vectorize`` (measured 2026-11-30 on a loaded machine, one torch thread: a vectorized group of 5 seeds costs
#: 6-9 ms per D step for each objective but ReACGAN (49 ms: its 512-d proxies), plus ~10 s per objective to build and
#: dry-run; the groups train one after another in the main process (~30 min), then 70 runs are scored on 2 workers,
#: ~4.5 s each)
MOG_FULL = Budget(steps=12_000, seeds=tuple(range(5)), objectives=tuple(MOG_OBJECTIVES), n_eval=10_000)
MOG_QUICK = Budget(steps=60, seeds=(0, 1), objectives=("ac_gan", "tac_gan", "projection"), n_eval=2000)
EVAL_PER_CLASS = 10_000


@torch.no_grad()
def generate(exp, per_class: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``per_class`` points of every class from ``exp``'s generator in eval mode: ``(x (N,), y (N,))``, class by
    class; the latent codes drawn at once from ``torch.Generator().manual_seed(10_000 + seed)`` (the uacgan
    reproduction's draws)."""
    from .sampling import generate_per_condition

    m = exp.models
    k = m.spec.num_conditions
    x, y = generate_per_condition(m.generator, m.latent, m.spec, per_class, torch.device("cpu"),
                                  noise=torch.Generator().manual_seed(10_000 + seed), batch=per_class * k)
    return x.flatten(), y[:, 0]


def class_mean(values: list[float], k: int) -> float:
    """The mean of the first ``k`` (per-class) distances; +inf when one is not finite (a diverged generator)."""
    v = values[:k]
    return float(sum(v) / k) if all(math.isfinite(x) for x in v) else math.inf


def score(run) -> dict:
    """One run's record: the distances of 10,000 generated points per class (raw generator) to the training points,
    per class and marginal (``mmd``, ``mmd_gauss``, ``w1``: lists of K + 1), and in ``metrics`` their class means and
    marginals (:data:`COLUMNS`)."""
    from .evaluation.mmd import mog_distances

    exp, _ = run.load(use_ema=False)
    data = run.dataset()
    k = exp.models.spec.num_conditions
    gen_x, gen_y = generate(exp, run.arm.info["n_eval"], run.seed)
    dist = mog_distances(gen_x, gen_y, data.x[:, 0], data.y[:, 0], run.seed, num_classes=k)
    metrics = {}
    for key in DISTANCES:
        metrics[key] = class_mean(dist[key], k)
        metrics[f"{key}_marginal"] = dist[key][k] if math.isfinite(dist[key][k]) else math.inf
    return {"objective": run.arm.name, "seed": run.seed, "steps": run.steps, "train_s": round(run.train_s, 1),
            "metrics": metrics, **dist, "generated_per_class": len(gen_x) // k,
            "gen_moments": [[float(gen_x[gen_y == c].mean()), float(gen_x[gen_y == c].std())] for c in range(k)]}


def overrides(b: Budget) -> list[str]:
    """The budget (D steps), two checkpoints (for resuming), on the CPU; no EMA, FID or sample grids."""
    every = max(1, b.steps // 10)
    return [f"run.steps={b.steps}", f"run.log_every={every}", "run.sample_every=0",
            f"run.checkpoint_every={max(1, b.steps // 2)}", "run.device=cpu"]


def protocol(league: League, b: Budget, card: dict) -> list[str]:
    """The MoG league's first protocol bullets."""
    left = "; ".join(f"{n} ({why})" for n, why in LEFT_OUT.items())
    return [
        "- Data: UAC-GAN's 1-D mixture of Gaussians N(0, 1), N(3, 2), N(6, 3) (`core.mog_1d`, 3 classes; the "
        "training points are the reference, as in the paper's protocol).",
        f"- Same for every objective (the preset `{league.base}`, the authors' MINE-script setup): G z in R² + "
        "Embedding(3, 2) through a Tanh MLP, D 3x(Linear 10 + Tanh) with N(0, 0.02) init and whatever heads the "
        "objective asks for, Adam lr 2e-3, betas (0.5, 0.999) for G and D, batch 256, one G step every 10 D steps, "
        "no EMA (the raw generator is scored, as the authors do). An objective changes only the `[objective]` table "
        "(AC-GAN, TAC-GAN, UAC-GAN: their MoG presets'; the others: their digits presets', their papers' losses) and "
        "adds the networks it needs: UAC-GAN's statistics network (its MoG preset's), ReACGAN's proxies around the "
        f"MoG D. Left out: {left}.",
        f"- Budget: **{b.steps:,} D steps per run ({b.steps // 10:,} G steps), seeds "
        f"{', '.join(map(str, b.seeds))}** ({len(b.objectives)} objectives, {len(b.objectives) * len(b.seeds)} runs; "
        "the authors train 30,000 D steps).",
        f"- Metrics (`condgan.evaluation.mmd.mog_distances`): {b.n_eval:,} generated points per class (latent codes "
        "from `torch.Generator().manual_seed(10_000 + seed)`, as `condgan reproduce uacgan.mog`), against the "
        "training points of the class: the unbiased MMD² with the Gaussian kernel (median-heuristic bandwidth, "
        "2,000 points per side), the paper's unbiased MMD² with the (xy + 1)² kernel (10,000 points per side, "
        "drawn with replacement; it sees the first two moments only) and the 1-D Wasserstein-1 distance; each as the "
        "mean over the three classes and for the marginal (a non-finite distance, a diverged run, counts as +inf). "
        "Mean over seeds with a 95% percentile-bootstrap interval (`condgan.stats.bootstrap_mean_ci`, 10,000 "
        "resamples).",
    ]


def figures(league: League, b: Budget, root: Path, fig_dir: Path, records: list[dict]) -> list[str]:
    """The generated class means and standard deviations of the first seed of each objective against the data's."""
    from .experiments import markdown_table

    first = {}
    for r in sorted(records, key=lambda r: r["seed"]):
        first.setdefault(r["objective"], r)
    if not first:
        return []
    truth = [(0.0, 1.0), (3.0, 2.0), (6.0, 3.0)]
    rows = [["data", *(f"{m:.2f} / {s:.2f}" for m, s in truth)]]
    rows += [[league.label(n), *(f"{m:.2f} / {s:.2f}" for m, s in first[n]["gen_moments"])]
             for n in b.objectives if n in first]
    return ["", "## Generated class moments (first seed of each objective: mean / standard deviation)", "",
            *markdown_table(["", "class 0", "class 1", "class 2"], rows)]


MOG = League(
    name="league-mog", base="uacgan.mog_ac_gan", objectives=MOG_OBJECTIVES, full=MOG_FULL, quick=MOG_QUICK,
    score=score, protocol=protocol, columns=COLUMNS, sort_key="mmd_gauss", versus_keys=("mmd_gauss", "w1"),
    overrides=overrides, figures=figures,
    claims=(
        ("tac_gan", "ac_gan", "mmd", "UAC-GAN (Han et al., Table 1): TAC-GAN's MMD² far below AC-GAN's on this MoG "
                                     "(mean over classes)"),
        ("uac_gan", "ac_gan", "mmd", "UAC-GAN (Han et al., Table 1): UAC-GAN's MMD² far below AC-GAN's"),
        ("uac_gan", "tac_gan", "mmd", "UAC-GAN (Han et al., Table 1): UAC-GAN's MMD² at or below TAC-GAN's"),
        ("tac_gan", "ac_gan", "mmd_gauss", "TAC-GAN (Gong et al., NeurIPS 2019, Fig. 2): TAC-GAN fits the "
                                           "class-conditional densities of the MoG where AC-GAN does not"),
    ),
    words={"short": "1-D MoG", "heading": "The 1-D MoG league", "classes": 3,
           "sort": "the mean over classes of the Gaussian MMD², lower is better",
           "losses_from": "its MoG or digits preset's",
           "claims": "UAC-GAN's Table 1 and TAC-GAN's MoG figure are on this mixture, at 30,000 D steps and with the "
                     "poly-2 MMD²; a disagreement here is a statement about this budget"})
