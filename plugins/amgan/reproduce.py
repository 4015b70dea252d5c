"""``condgan reproduce amgan.fashion`` / ``amgan.digits``: AM-GAN Tables 1-2 at CPU scale.

Trains GAN, AC-GAN*, AC-GAN*+, LabelGAN and AM-GAN with the same networks, optimiser and steps (dynamic labeling,
as in the paper's main comparison, Sec. 7.1.2), then scores each generator with an evaluation classifier trained
here on the same data's training split (named in the page, with its test accuracy):

* AM Score (Eq. 23; reference C̄^train = the classifier's mean prediction over the training split) and its terms,
* Inception Score (Eq. 21, 10 splits) with that classifier,
* max over classes of the mean intra-class MS-SSIM (Table 2), classes = argmax of the trained D's class logits
  (the authors' protocol for dynamic labeling; GAN has no class logits, so the evaluation classifier's argmax).

The page goes to ``out_dir/amgan.md`` (Fashion-MNIST, the issue's reproduction) or ``out_dir/amgan-digits.md``, the
sample grids to ``out_dir/amgan/``; run directories to
``runs/amgan_reproduce/``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import attrs
import torch

from condgan.evaluation import scores as S
from condgan.experiments import Arm, RunPool, dataset, plan

from .msssim import intra_class_ms_ssim

MODELS = [("gan", "GAN"), ("ac_gan_star", "AC-GAN*"), ("ac_gan_star_plus", "AC-GAN*+"), ("label_gan", "LabelGAN"),
          ("am_gan", "AM-GAN")]


@attrs.frozen
class Setting:
    dataset: str            # preset prefix: "digits" or "fashion"
    steps: int
    channels: int
    overrides: tuple[str, ...] = ()
    n_eval: int = 2000
    window: int = 3
    sigma: float = 0.8
    seed: int = 0
    labelings: tuple[str, ...] = ("dynamic", "predefined")
    eval_dataset: str = "digits"   # the registered dataset core's evaluation classifier is trained on
    eval_limit: int = 0            # its first n training images (0: all), the GANs' training split


SETTINGS = {
    "digits": Setting("digits", steps=1500, channels=32, window=3, sigma=0.8),
    "fashion": Setting("fashion", steps=1500, channels=16, overrides=("data.limit=10000",), window=7, sigma=1.5,
                       eval_dataset="fashion_mnist", eval_limit=10_000),
}


@torch.no_grad()
def probs_of(clf, x: torch.Tensor) -> torch.Tensor:
    """C's class probabilities (float64) of images ``x`` in [-1, 1]."""
    return clf.features_and_probs(x)[1]


def _steps(setting: Setting, quick: bool) -> int:
    return 60 if quick else setting.steps


def arms(setting: Setting) -> list[Arm]:
    """The ten arms: five objectives under each labeling, presets ``amgan.<dataset>_<objective>_<labeling>``."""
    return [Arm(f"{setting.dataset}_{obj}_{lab}", f"amgan.{setting.dataset}_{obj}_{lab}", seeds=(setting.seed,),
                label=label, info={"labeling": lab, "objective": obj})
            for lab in setting.labelings for obj, label in MODELS]


def common_overrides(setting: Setting, quick: bool) -> list[str]:
    """What every arm shares: the steps, one thread on the CPU, no sample grids or interim checkpoints, the widths."""
    return [f"run.steps={_steps(setting, quick)}", "run.sample_every=0", "run.checkpoint_every=0", "run.log_every=50",
            "run.device=cpu", f"generator.channels={setting.channels}", f"discriminator.channels={setting.channels}",
            *setting.overrides]


@torch.no_grad()
def evaluate(exp, clf, ref: torch.Tensor, setting: Setting, labeling: str, n: int, grid_path: Path, label: str) -> dict:
    from condgan.visual import class_columns_grid

    from . import labeling as lab

    m, obj = exp.models, exp.objective
    torch.manual_seed(setting.seed + 1)
    m.generator.eval()
    batches = [lab.generate(m, min(500, n - i), labeling) for i in range(0, n, 500)]
    m.generator.train()
    x = torch.cat([b.x for b in batches])
    p = probs_of(clf, x)
    am = S.am_score_terms(p, ref)
    is_mean, is_std = S.inception_score_splits(p, 10)
    if labeling == "predefined":      # the authors: the input label is the class
        classes, source = torch.cat([b.c for b in batches]).argmax(-1), "input label"
    else:                             # the authors: argmax of D's K class logits
        classes, source = obj.assign_classes(m, x), "D"
        if classes is None:
            classes, source = p.argmax(-1), "C"
    per_class, counts = intra_class_ms_ssim(x, classes, m.spec.num_conditions, max_per_class=50,
                                            window=setting.window, sigma=setting.sigma)
    # sample grid: 8 samples of each class as D (or C, or the input label) assigns them, one column per class
    k = m.spec.num_conditions
    class_columns_grid(x, classes, k, 8, [str(i) for i in range(k)], grid_path,
                       title=f"{label} (columns: class by {source})")
    return {"am_score": float(am.score), "am_marginal_kl": float(am.marginal_kl), "am_mean_entropy": float(am.mean_entropy),
            "is": float(is_mean), "is_std": float(is_std), "ms_ssim_max": float(per_class.nan_to_num(nan=float("-inf")).max()),
            "ms_ssim_mean": float(per_class.nanmean()), "class_source": source,
            "class_counts": [int(c) for c in counts], "ms_ssim_per_class": [round(float(v), 4) for v in per_class]}


def classifier_for(setting: Setting, runs: Path, quick: bool):
    """The evaluation classifier C: core's (:mod:`condgan.evaluation.evaluators`, ``EvalNet``) trained once per
    dataset and seed on the GANs' training split and kept beside the runs (weights + card with its SHA-256)."""
    from condgan.evaluation.evaluators import load_evaluator, train_evaluator

    path = runs / f"evaluator_{setting.dataset}_seed{setting.seed}{'_quick' if quick else ''}.safetensors"
    if not path.exists():
        train_evaluator(setting.eval_dataset, path, seed=setting.seed,
                        limit=setting.eval_limit, threads=1, log=lambda *a, **k: None)
    return load_evaluator(path)


def run(setting: Setting, out_dir: Path, quick: bool, name: str, workers: int | None = None) -> Path:
    """Train the ten models in ``workers`` single-thread processes (``$CONDGAN_WORKERS``, 2 by default) while this
    process trains C, then score each model as its run finishes. Finished runs on disk are reused; a stopped run
    resumes from its checkpoint."""
    import os

    torch.set_num_threads(1)
    t_start = time.perf_counter()
    out_dir = Path(out_dir)
    fig_dir = out_dir / "amgan"
    fig_dir.mkdir(parents=True, exist_ok=True)
    runs = Path(os.environ.get("CONDGAN_RUNS", "runs")) / ("amgan_reproduce_quick" if quick else "amgan_reproduce")
    workers = workers or int(os.environ.get("CONDGAN_WORKERS", "2"))
    todo = plan(arms(setting), runs, overrides=common_overrides(setting, quick), run_name="{arm}")
    with RunPool(todo, workers=workers) as pool:
        return _score(setting, out_dir, fig_dir, runs, quick, name, pool, workers, t_start)


def _score(setting, out_dir, fig_dir, runs, quick, name, pool, workers, t_start) -> Path:
    ds = dataset(f"amgan.{setting.dataset}_am_gan_dynamic", setting.overrides)
    clf = classifier_for(setting, runs, quick)
    acc, sha = float(clf.card["test_accuracy"]), clf.sha256
    print(f"amgan: evaluation classifier test accuracy {acc:.4f}, sha256 {sha}", flush=True)
    p_train = probs_of(clf, ds.to_float(ds.x))
    ref = S.class_marginal(p_train)
    p_test = probs_of(clf, ds.test.to_float(ds.test.x))
    real_x = ds.test.to_float(ds.test.x)
    real_ms, _ = intra_class_ms_ssim(real_x, ds.test.y[:, 0], ds.spec.num_conditions, max_per_class=50,
                                     window=setting.window, sigma=setting.sigma)
    real_am = S.am_score_terms(p_test, ref)
    real_is = S.inception_score_splits(p_test, 10)
    rows = {"real (test split)": {"am_score": float(real_am.score), "am_marginal_kl": float(real_am.marginal_kl),
                                  "am_mean_entropy": float(real_am.mean_entropy), "is": float(real_is[0]),
                                  "is_std": float(real_is[1]), "ms_ssim_max": float(real_ms.nan_to_num(nan=float("-inf")).max()),
                                  "ms_ssim_mean": float(real_ms.nanmean()), "class_source": "label"}}
    timings: dict = {}
    results: dict = {"real (test split)": rows}
    n_eval = 500 if quick else setting.n_eval
    steps = _steps(setting, quick)
    page = out_dir / ("amgan.md" if setting.dataset == "fashion" else f"amgan-{setting.dataset}.md")
    for run, _ in pool:
        labeling, obj, label = run.arm.info["labeling"], run.arm.info["objective"], run.arm.label
        results.setdefault(labeling, {})
        exp = run.load(use_ema=False)[0]  # the raw (not EMA) generator weights, as trained
        timings[f"{labeling}/{label}"] = secs = run.train_s
        results[labeling][label] = evaluate(exp, clf, ref, setting, labeling, n_eval,
                                            fig_dir / f"{setting.dataset}_{labeling}_{obj}.png", f"{label}, {labeling}")
        r = results[labeling][label]
        print(f"amgan: {labeling:10s} {label:9s} AM {r['am_score']:.3f}  IS {r['is']:.2f}  max MS-SSIM "
              f"{r['ms_ssim_max']:.3f}  ({secs:.0f} s)", flush=True)
        (fig_dir / f"{setting.dataset}_results.json").write_text(json.dumps(
            {"classifier_test_accuracy": acc, "classifier_sha256": sha, "results": results, "train_seconds": timings,
             "wall_seconds": time.perf_counter() - t_start, "workers": workers}, indent=1))
        page.write_text(_page(setting, name, quick, acc, results, timings, steps, n_eval, len(ds), sha,
                              time.perf_counter() - t_start, workers))
    return page


def _table(rows: dict, timings: dict, prefix: str) -> list[str]:
    out = ["| model | AM Score ↓ | KL(C̄^train ‖ C̄^G) | E_x H(C(x)) | IS ↑ (C) | max intra-class MS-SSIM | "
           "mean intra-class MS-SSIM | classes by | train s |", "|---|---|---|---|---|---|---|---|---|"]
    for label, r in rows.items():
        t = f"{timings[prefix + label]:.0f}" if prefix + label in timings else "-"
        out.append(f"| {label} | {r['am_score']:.3f} | {r['am_marginal_kl']:.3f} | {r['am_mean_entropy']:.3f} | "
                   f"{r['is']:.3f} ± {r['is_std']:.3f} | {r['ms_ssim_max']:.3f} | {r['ms_ssim_mean']:.3f} | "
                   f"{r['class_source']} | {t} |")
    return out


def _page(setting: Setting, name: str, quick: bool, acc: float, results: dict, timings: dict, steps: int,
          n_eval: int, n_train: int, sha: str = "", wall: float = 0.0, workers: int = 1) -> str:
    cmd = f"condgan reproduce amgan.{name}{' --quick' if quick else ''} --out docs/results"
    lines = [
        "# AM-GAN (Zhou et al., ICLR 2018): Tables 1-2 at CPU scale", "",
        f"Command: `{cmd}` (written by `plugins/amgan/reproduce.py`; seed {setting.seed}; "
        f"{'QUICK smoke run, numbers are not meaningful' if quick else 'full run'}). The page is rewritten after "
        "every model, so a partial page shows the models finished so far. "
        f"Wall time so far: {wall / 60:.1f} min ({workers} worker process{'es' if workers > 1 else ''} of one thread each "
        "training the models while the main process trains and applies C; training seconds per model in the "
        "tables, 0 where a finished run on disk was reused).", "",
        "## Setup", "",
        f"- Data: `{setting.dataset}` ({n_train} training images{', ' + ', '.join(setting.overrides) if setting.overrides else ''}).",
        f"- Five objectives with **dynamic** labeling (the paper's main comparison, Sec. 7.1.2) and with **predefined** "
        f"labeling (class condition), identical networks and schedule: presets "
        f"`amgan.{setting.dataset}_<objective>_<labeling>` with `core.dcgan_g` / `core.dcgan_d` "
        f"(channels {setting.channels}, batch norm in D), Adam(0.5, 0.999), lr G 2e-4 / D 4e-4 (D = 2x G as in the "
        f"authors' code), batch 64, **{steps} steps**, 1 D : 1 G step, seed {setting.seed}, **one seed per model** "
        "(no error bars across seeds).",
        "- Shrunk from the paper (CIFAR-10 32x32 colour, ~1M iterations, 50k evaluation samples, weight norm, "
        "D input noise and dropout 0.3, the extra D layer for class-condition runs, a DenseNet-BC evaluation "
        "classifier) to fit a shared 2-core CPU.",
        f"- Evaluation classifier C (for AM Score and IS): core's evaluation CNN (`condgan.evaluation.evaluators`, "
        f"`EvalNet`: three conv-BN-ReLU blocks, 64-d features), trained here on the training split by "
        f"`train_evaluator` (its default epochs: 30 for 8x8 digits, 4 for 28x28 images); **test accuracy {acc:.4f}**; SHA-256 of "
        f"its weights file `{sha}`. C̄^train = its mean prediction on the "
        "training split. IS is therefore at most 10 (K = 10), not comparable with the ImageNet-Inception IS.",
        f"- {n_eval} generated samples per model (generator in eval mode). IS: 10 splits, mean ± std over splits. "
        f"MS-SSIM: up to 50 samples per class, all pairs, window {setting.window}, sigma {setting.sigma} "
        f"(scales as in `plugins/amgan/msssim.py`); class = argmax of the trained D's class logits for dynamic "
        "labeling, the input label for predefined (the authors' protocol); GAN with dynamic labeling has no class "
        "logits, so C's argmax is used. Table 2's statistic is the max over classes.", "",
        "## Results", "", "Real data (test split, for scale):", "",
        *_table(results["real (test split)"], timings, ""), ""]
    paper = {"dynamic": "AM Score GAN 0.45, AC-GAN* 0.17, AC-GAN*+ 0.10, LabelGAN 0.13, AM-GAN 0.08; IS 7.04 / 7.41 / "
                        "8.56 / 8.63 / 8.83; max MS-SSIM AC-GAN* 0.61, AC-GAN*+ 0.39, LabelGAN 0.35, AM-GAN 0.36.",
             "predefined": "AM Score GAN 0.43, AC-GAN* 0.16, AC-GAN*+ 0.14, LabelGAN 0.25, AM-GAN 0.05; IS 7.27 / "
                           "7.79 / 8.01 / 7.88 / 8.35; max MS-SSIM AC-GAN* 0.35, AC-GAN*+ 0.36, LabelGAN 0.32, "
                           "AM-GAN 0.36."}
    for labeling in setting.labelings:
        rows = results.get(labeling, {})
        lines += [f"### {labeling} labeling", "", *_table(rows, timings, f"{labeling}/"), "",
                  f"Paper (CIFAR-10, {labeling}): {paper[labeling]}", "",
                  "The paper's claims for this labeling are judged, like with like and over seeds, in the claims table "
                  "at the top of the page (`condgan claims amgan`).", ""]
    lines += ["## Samples", "",
              "One column per class (dynamic: as the trained D assigns it, C for GAN; predefined: the input label), "
              "8 samples per column; black cells mean the class got fewer than 8 of the generated samples.", ""]
    for labeling in setting.labelings:
        for obj, label in MODELS:
            if label in results.get(labeling, {}):
                lines.append(f"![{label}, {labeling}](amgan/{setting.dataset}_{labeling}_{obj}.png)")
    lines += ["", f"Raw numbers: `amgan/{setting.dataset}_results.json`.", ""]
    return "\n".join(lines)


def reproduce_fashion(out_dir: Path, quick: bool) -> Path:
    """Fashion-MNIST (first 10k training images, channels 16): about 0.25-0.5 s/step on a shared 2-core CPU."""
    return run(SETTINGS["fashion"], out_dir, quick, "fashion")


def reproduce_digits(out_dir: Path, quick: bool) -> Path:
    """scikit-learn 8x8 digits (1437 training images, channels 32): about 0.15 s/step on a shared 2-core CPU."""
    return run(SETTINGS["digits"], out_dir, quick, "digits")


# ------------------------------------------------------------------------------------------- Fig. 5 (synthetic)

def mode_dropping_curves(n: int = 100, repeats: int = 1000, seed: int = 12345) -> dict:
    """AM-GAN Fig. 5: N one-hot "classes" C(x_i) = v(i) with densities w; keep m at random; log IS = E KL(C(x) ‖ C̄^G).

    Uniform densities give exactly ln m. "Gaussian": w = |N(0,1)| draws (seeded as the reference note says),
    normalised; for each m, ``repeats`` random choices of the kept classes, the log IS computed by
    :func:`condgan.evaluation.scores.log_inception_score` on the weighted one-hot rows (weights as multiplicities
    would need integers, so the kept rows are fed as the exact mixture: C̄^G = renormalised kept w).
    Returns m, the uniform curve, and the Gaussian mean/min/max.
    """
    import numpy as np

    rng = np.random.RandomState(seed)
    w = np.sort(np.abs(rng.randn(n)))
    w = torch.tensor(w / w.sum(), dtype=torch.float64)
    ms = list(range(1, n + 1))
    uniform = [float(S.log_inception_score(torch.eye(n, dtype=torch.float64)[:m])) for m in ms]
    g = torch.Generator().manual_seed(seed)
    keep = torch.rand(repeats, n, generator=g, dtype=torch.float64).argsort(1)
    gmean, gmin, gmax = [], [], []
    for m in ms:
        wk = w[keep[:, :m]]                                   # (repeats, m) kept densities
        p = wk / wk.sum(1, keepdim=True)                      # C̄^G of one-hot samples = the kept mixture weights
        vals = S.entropy(p)                                   # E_x KL(v(i) ‖ C̄^G) = Σ p_i (-log p_i)
        gmean.append(float(vals.mean())), gmin.append(float(vals.min())), gmax.append(float(vals.max()))
    return {"m": ms, "uniform": uniform, "gauss_mean": gmean, "gauss_min": gmin, "gauss_max": gmax}


def reproduce_mode_dropping(out_dir: Path, quick: bool) -> Path:
    """Fig. 5 of AM-GAN: writes ``out_dir/amgan/fig5_mode_dropping.png`` and a short page beside it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig_dir = Path(out_dir) / "amgan"
    fig_dir.mkdir(parents=True, exist_ok=True)
    c = mode_dropping_curves(repeats=100 if quick else 1000)
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.plot(c["m"], c["uniform"], label="uniform density (= ln m)")
    ax.plot(c["m"], c["gauss_mean"], label="|N(0,1)| density, mean of random drops")
    ax.fill_between(c["m"], c["gauss_min"], c["gauss_max"], alpha=0.3, label="min-max over drops")
    ax.set_xlabel("number of kept classes m (of N = 100)")
    ax.set_ylabel("E_x KL(C(x) || C̄^G) = log IS")
    ax.set_ylim(0, 5)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(fig_dir / "fig5_mode_dropping.png", dpi=110)
    plt.close(fig)
    page = fig_dir / "fig5.md"
    page.write_text("\n".join([
        "# AM-GAN Fig. 5: Inception Score under mode dropping (synthetic)", "",
        f"Command: `condgan reproduce amgan.mode_dropping{' --quick' if quick else ''} --out docs/results`.", "",
        "N = 100 one-hot classes; m kept. Uniform density: log IS = ln m exactly "
        f"(m = 100: {c['uniform'][-1]:.4f}; ln 100 = 4.6052). |N(0,1)| densities (seed 12345): "
        f"m = 100: {c['gauss_mean'][-1]:.4f}; m = 50: mean {c['gauss_mean'][49]:.4f} "
        f"(min {c['gauss_min'][49]:.4f}, max {c['gauss_max'][49]:.4f}). Monotone in m: uniform "
        f"{all(b > a for a, b in zip(c['uniform'], c['uniform'][1:]))}, Gaussian mean "
        f"{all(b > a for a, b in zip(c['gauss_mean'], c['gauss_mean'][1:]))} (the paper's Fig. 5: increases "
        "monotonically in general).", "", "![Fig. 5](fig5_mode_dropping.png)", ""]))
    return page


# ------------------------------------------------------------------------------------ several seeds, longer runs
#: ``condgan reproduce amgan-digits-seeds``: the dynamic-labeling question at 4x the steps over 5 seeds
#: dynamic labeling only: the predefined-labeling rows at 4x (25 more runs of ~100 s CPU each) did not fit the
#: session that ran this; ``attrs.evolve(SEEDS_SETTING, labelings=("dynamic", "predefined"))`` adds them
SEEDS_SETTING = attrs.evolve(SETTINGS["digits"], steps=4 * SETTINGS["digits"].steps, labelings=("dynamic",))
#: training order: the central dynamic-labeling comparison first, then the other objectives
SEEDS_MODELS = ("label_gan", "am_gan", "ac_gan_star", "ac_gan_star_plus", "gan")
SEEDS = tuple(range(5))


def seeds_record_dir(out_dir: Path, setting: Setting, quick: bool) -> Path:
    return Path(out_dir) / "amgan" / "runs" / f"{setting.dataset}_{_steps(setting, quick)}{'_quick' if quick else ''}"


def run_seeds(setting: Setting, models: tuple[str, ...], seeds: tuple[int, ...], out_dir: Path, quick: bool,
              name: str, workers: int | None = None) -> Path:
    """Train ``models`` under each of ``setting.labelings`` for every seed in ``workers`` processes while this
    process trains each seed's evaluation classifier C (core's, seeded like the run); score each run with its seed's
    C as it finishes. One JSON record per run in ``<out>/amgan/runs/<dataset>_<steps>/``, read by the claims table; the
    page ``<out>/amgan-<dataset>-seeds.md`` (mean ± std over seeds and every run) is rewritten after each run."""
    import os

    torch.set_num_threads(1)
    t_start = time.perf_counter()
    out_dir = Path(out_dir)
    if quick:
        seeds = seeds[:2]
    record_dir = seeds_record_dir(out_dir, setting, quick)
    record_dir.mkdir(parents=True, exist_ok=True)
    fig_dir = out_dir / "amgan"
    runs = Path(os.environ.get("CONDGAN_RUNS", "runs")) / ("amgan_reproduce_quick" if quick else "amgan_reproduce")
    workers = workers or int(os.environ.get("CONDGAN_WORKERS", "2"))
    labels = dict(MODELS)
    arms_ = [Arm(f"{setting.dataset}_{obj}_{lab}", f"amgan.{setting.dataset}_{obj}_{lab}", seeds=tuple(seeds),
                 label=labels[obj], info={"labeling": lab, "objective": obj})
             for lab in setting.labelings for obj in models]
    todo = [r for r in plan(arms_, runs, overrides=common_overrides(setting, quick), run_name="{arm}_s{seed}")
            if not (record_dir / f"{r.arm.name}_s{r.seed}.json").exists()]
    ds = dataset(f"amgan.{setting.dataset}_am_gan_dynamic", setting.overrides)
    refs: dict[int, tuple] = {}

    def reference(seed: int):
        if seed not in refs:
            clf = classifier_for(attrs.evolve(setting, seed=seed), runs, quick)
            refs[seed] = (clf, S.class_marginal(probs_of(clf, ds.to_float(ds.x))))
        return refs[seed]

    page = out_dir / f"amgan-{setting.dataset}-seeds.md"
    with RunPool(todo, workers=workers) as pool:
        for run, _ in pool:
            clf, ref = reference(run.seed)
            lab, obj = run.arm.info["labeling"], run.arm.info["objective"]
            exp = run.load(use_ema=False)[0]
            grid = fig_dir / f"{setting.dataset}_{_steps(setting, quick)}_{lab}_{obj}_s{run.seed}.png"
            r = evaluate(exp, clf, ref, attrs.evolve(setting, seed=run.seed), lab,
                         500 if quick else setting.n_eval, grid, f"{run.arm.label}, {lab}, seed {run.seed}")
            if run.seed != 0:
                grid.unlink(missing_ok=True)  # one sample grid per model (seed 0) is enough for the page
            record = {"model": run.arm.label, "objective": obj, "labeling": lab, "seed": run.seed,
                      "steps": _steps(setting, quick), "train_s": round(run.train_s, 1),
                      "classifier_test_accuracy": float(clf.card["test_accuracy"]), "classifier_sha256": clf.sha256,
                      **r}
            (record_dir / f"{run.arm.name}_s{run.seed}.json").write_text(json.dumps(record, indent=1))
            print(f"amgan: {lab} {run.arm.label} seed {run.seed}: AM {r['am_score']:.3f} IS {r['is']:.2f} max MS-SSIM "
                  f"{r['ms_ssim_max']:.3f} ({run.train_s:.0f} s)", flush=True)
            page.write_text(_seeds_page(setting, models, name, quick, record_dir, out_dir,
                                        time.perf_counter() - t_start, workers))
    page.write_text(_seeds_page(setting, models, name, quick, record_dir, out_dir, time.perf_counter() - t_start,
                                workers))
    return page


def _seeds_page(setting: Setting, models, name: str, quick: bool, record_dir: Path, out_dir: Path, wall: float,
                workers: int) -> str:
    from condgan.experiments import load_records, mean_std, pm

    recs = load_records(record_dir, "*.json")
    steps = _steps(setting, quick)
    labels = dict(MODELS)
    keys = [("am_score", "AM Score ↓"), ("am_marginal_kl", "KL(C̄^train ‖ C̄^G)"), ("am_mean_entropy", "E_x H(C(x))"),
            ("is", "IS ↑ (C)"), ("ms_ssim_max", "max intra-class MS-SSIM"), ("ms_ssim_mean", "mean intra-class MS-SSIM")]
    rel = record_dir.relative_to(out_dir)
    factor = steps / SETTINGS[setting.dataset].steps
    lines = [f"# AM-GAN on 8x8 digits: {len({r['seed'] for r in recs})} seeds at {steps:,} steps "
             f"({', '.join(setting.labelings)} labeling)",
             "", CLAIMS_MARKERS, "",
             f"Written by `condgan reproduce amgan.{name}{' --quick' if quick else ''}` (`plugins/amgan/reproduce.py`, "
             f"`run_seeds`); {wall / 60:.1f} min of wall time in this invocation ({workers} worker processes of one "
             f"thread; runs already recorded are not retrained). Every number comes from the per-run JSON files in "
             f"`{rel}/`.", "",
             "## Setup", "",
             f"- As `amgan-digits.md` (presets `amgan.digits_<objective>_<labeling>`, DCGAN with channels "
             f"{setting.channels}, batch norm in D, Adam(0.5, 0.999), lr G 2e-4 / D 4e-4, batch 64, 1 D : 1 G step), "
             f"at **{steps:,} steps** ({factor:g}x that page's) and **seeds {', '.join(map(str, sorted({r['seed'] for r in recs})))}**"
             f"; models: {', '.join(labels[m] for m in models)} (a model's row shows how many seeds it has).",
             "- Each seed has its own evaluation classifier C (core's `EvalNet`, trained with that seed; test accuracy "
             "and SHA-256 in each record), so the models of one seed are compared on one C: the claims pair runs by "
             f"seed. {setting.n_eval} generated samples per run; MS-SSIM classes from D's class logits.", "",
             "## Mean ± std over seeds", "",
             "| model | labeling | n | " + " | ".join(k[1] for k in keys) + " | train s (mean) |",
             "|---|---|---|" + "---|" * len(keys) + "---|"]
    for lab in setting.labelings:
        for obj in models:
            rs = [r for r in recs if r["objective"] == obj and r["labeling"] == lab]
            if rs:
                lines.append(f"| {labels[obj]} | {lab} | {len(rs)} | "
                             + " | ".join(pm(*mean_std([r[k] for r in rs])) for k, _ in keys)
                             + f" | {sum(r['train_s'] for r in rs) / len(rs):.0f} |")
    lines += ["", "## Every run", "", "| model | labeling | seed | " + " | ".join(k[1] for k in keys) + " | C acc. |",
              "|---|---|---|" + "---|" * len(keys) + "---|"]
    for r in sorted(recs, key=lambda r: (r["labeling"], list(models).index(r["objective"]), r["seed"])):
        lines.append(f"| {r['model']} | {r['labeling']} | {r['seed']} | "
                     + " | ".join(f"{r[k]:.3f}" for k, _ in keys) + f" | {r['classifier_test_accuracy']:.4f} |")
    lines += ["", "## Samples (seed 0)", ""]
    for lab in setting.labelings:
        for obj in models:
            grid = f"amgan/{setting.dataset}_{steps}_{lab}_{obj}_s0.png"
            if (out_dir / grid).exists():
                lines.append(f"![{labels[obj]}, {lab}]({grid})")
    lines += ["", "## Command", "", "```", f"condgan reproduce amgan.{name}{' --quick' if quick else ''} --out docs/results",
              "condgan claims amgan   # the claims table above, from the records", "```", ""]
    return "\n".join(lines)


#: where ``condgan claims`` puts the table on a freshly written page
CLAIMS_MARKERS = "<!-- claims:begin -->\n<!-- claims:end -->"


def reproduce_digits_seeds(out_dir: Path, quick: bool) -> Path:
    """The five objectives of amgan-digits under dynamic labeling on 8x8 digits, 5 seeds at 4x its steps (the
    comparison of AM-GAN, LabelGAN and AC-GAN* trained first)."""
    return run_seeds(SEEDS_SETTING, SEEDS_MODELS, SEEDS, out_dir, quick, "digits_seeds")
