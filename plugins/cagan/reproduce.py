"""``condgan reproduce cagan.fashion`` and ``cagan.imbalanced``: the CA-GAN paper's experiments at CPU scale.

* ``fashion``: CA-GAN vs modified AC-GAN (λ_cls = 1), LSGAN loss, DCGAN without batch norm (paper Sec. 6.2,
  Fig. 14), on Fashion-MNIST instead of MNIST; mean per-class FID against steps.
* ``imbalanced``: 5500 images of class 0 and 500 of each other class, a batch-normalised discriminator, uniform
  target conditions, with and without mixed batches (Sec. 6.3, Figs. 15-16); the generated class histogram against
  the uniform target, and the mean per-class FID.

Measure: per-class ("intra-class") FID computed by :func:`condgan.evaluation.fid.intra_class_fid` on the 64-d
penultimate features of core's evaluation classifier (:mod:`condgan.evaluation.evaluators`) trained here for one
epoch on the full Fashion-MNIST training set (its test accuracy is reported on the page). Real reference: the
Fashion-MNIST test set (1000 per class). This is *not* the paper's Inception FID; numbers are only comparable
within this page.

Each arm writes its numbers to ``<out>/cagan/<experiment>.json``; the page ``<out>/cagan.md`` is rebuilt from all
JSON files present, so the two reproductions can run separately (or in parallel).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import torch

from condgan.experiments import Arm, RunPool, plan

FASHION_PRESETS = {"CA-GAN": "fashion_ca_gan.toml", "modified AC-GAN (λ_cls = 1)": "fashion_modified_ac_gan.toml"}
IMBALANCED_PRESETS = {"CA-GAN, mixed batches": "imbalanced_ca_gan_mixed.toml",
                      "CA-GAN, separate batches": "imbalanced_ca_gan_separate.toml"}
IMBALANCED_ACGAN_PRESETS = {"modified AC-GAN, mixed batches": "imbalanced_modified_ac_gan_mixed.toml",
                            "modified AC-GAN, separate batches": "imbalanced_modified_ac_gan_separate.toml"}
PER_CLASS = 250
SEED = 0


# ---------------------------------------------------------------------------------------------------------------
# evaluation classifier: core's (condgan.evaluation.evaluators)
# ---------------------------------------------------------------------------------------------------------------


def evaluator_for(quick: bool, log=print):
    """Core's evaluation classifier for Fashion-MNIST (``EvalNet``, 64-d features), trained once by
    ``train_evaluator`` for one epoch (quick: the first 19,200 images, 150 batches) and kept beside the runs."""
    from condgan.evaluation.evaluators import load_evaluator, train_evaluator

    path = Path("runs") / "cagan_reproduce" / ("evaluator_quick.safetensors" if quick else "evaluator.safetensors")
    if not path.exists():
        card = train_evaluator("fashion_mnist", path, epochs=1, limit=150 * 128 if quick else 0, seed=SEED, threads=1,
                               log=lambda *a, **k: None)
        log(f"cagan: evaluation CNN trained ({card['training']['seconds']:.0f} s), test accuracy "
            f"{card['test_accuracy']:.4f}")
    return load_evaluator(path)


def make_evaluate(net, test_x: torch.Tensor, test_y: torch.Tensor, history: list, per_class: int = PER_CLASS):
    """The loop's ``evaluate(exp, generator, step)``: mean per-class FID, class accuracy and generated histogram."""
    from condgan.evaluation.classifier_metrics import class_accuracy, class_histogram
    from condgan.evaluation.fid import intra_class_fid
    from condgan.sampling import generate_per_condition

    real_f, _ = net.features_and_probs(test_x)
    noise = torch.Generator().manual_seed(4242)

    def evaluate(exp, generator, step):
        m = exp.models
        x, y = generate_per_condition(generator, m.latent, m.spec, per_class, m.device, noise=noise)
        f, p = net.features_and_probs(x.clamp(-1, 1))
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mean_fid, per = intra_class_fid(real_f, test_y, f, y[:, 0], 10)
            acc, _ = class_accuracy(p, y[:, 0], 10)
            hist = class_histogram(p)
        row = {"step": step, "mean_class_fid": mean_fid, "class_fid": per, "class_accuracy": acc,
               "histogram": hist["histogram"], "tv_to_uniform": hist["tv"]}
        history.append(row)
        return {"mean_class_fid": mean_fid, "class_accuracy": acc, "tv_to_uniform": hist["tv"],
                "fraction_class0": hist["histogram"][0]}

    return evaluate


# ---------------------------------------------------------------------------------------------------------------
# experiments
# ---------------------------------------------------------------------------------------------------------------


def overrides_for(quick: bool, seed: int) -> list[str]:
    steps, every = (60, 30) if quick else (None, None)
    out = [f"run.seed={seed}", "run.progress=false"]
    if quick:
        out += [f"run.steps={steps}", f"run.eval_every={every}"]
    return out


def arms(presets: dict, quick: bool, seed: int = SEED) -> list[Arm]:
    """One arm per preset file name (``"fashion_ca_gan.toml"`` is the preset ``cagan.fashion_ca_gan``)."""
    return [Arm(preset[:-5], f"cagan.{preset[:-5]}", overrides_for(quick, seed), seeds=(seed,), label=label)
            for label, preset in presets.items()]


def run_arms_with_fid(arms_: list[Arm], run_name: str, net, test_x, test_y, records: Path | None,
                      log=print, record_name: str = "{arm}.json") -> list[tuple]:
    """Train ``arms_`` one after another in this process, each evaluated every ``run.eval_every`` steps by
    :func:`make_evaluate`; returns ``(run, record)`` with the evaluation history in the record. A recorded arm is
    not trained again; an unfinished one starts over (its history lives in memory)."""
    histories: dict = {}

    def during(run):
        log(f"cagan: training {run.arm.title} (cagan.{run.arm.name}, seed {run.seed}) ...")
        return make_evaluate(net, test_x, test_y, histories.setdefault((run.arm.name, run.seed), []))

    def score(run):
        return {"seconds": run.train_s, "steps": run.steps, "seed": run.seed,
                "summary_losses": (run.summary or {}).get("losses", {}),
                "preset": run.arm.config if isinstance(run.arm.config, str) else run.arm.info.get("preset"),
                "overrides": list(run.arm.overrides), "history": histories[(run.arm.name, run.seed)],
                "run_dir": str(run.run_dir)}

    runs = plan(arms_, Path("runs") / "cagan_reproduce", run_name=run_name, records=records, record_name=record_name)
    with RunPool(runs, evaluate=score, during=during, workers=1, resume=False, force=True) as pool:
        return list(pool)


def _experiment(name: str, presets: dict, out_dir: Path, quick: bool, log=print) -> Path:
    torch.set_num_threads(1)
    from condgan.builtins.datasets import ImageDataParams, fashion_mnist

    fig_dir = out_dir / "cagan"
    fig_dir.mkdir(parents=True, exist_ok=True)
    net = evaluator_for(quick, log)
    test = fashion_mnist(ImageDataParams()).test
    test_x, test_y = test.to_float(test.x), test.y[:, 0]
    result = {"experiment": name, "quick": quick, "seed": SEED, "evaluator_test_accuracy": net.card["test_accuracy"],
              "evaluator": {"name": net.name, "sha256": net.sha256, "training": net.card["training"],
                            "train_samples": net.card["train_samples"]},
              "per_class_samples": PER_CLASS, "arms": {}}
    sfx = "_quick" if quick else ""
    for run, info in run_arms_with_fid(arms(presets, quick), "{arm}" + sfx, net, test_x, test_y,
                                       fig_dir / f"runs{sfx}", log):
        info = dict(info)
        grid = fig_dir / f"{name}_{run.arm.name}{sfx}_samples.png"
        if (run.run_dir / "samples.png").exists():
            shutil.copy(run.run_dir / "samples.png", grid)
            info["samples"] = grid.name
        result["arms"][run.arm.title] = info
        history = info["history"]
        log(f"cagan: {name}: {run.arm.title}: {info['seconds']:.0f} s, last eval {history[-1] if history else None}")
    (fig_dir / f"{name}{sfx}.json").write_text(json.dumps(result, indent=1))
    _plots(name, result, fig_dir, quick)
    return write_page(out_dir)


def _plots(name: str, result: dict, fig_dir: Path, quick: bool) -> None:
    from condgan import visual

    sfx = "_quick" if quick else ""
    series = {label: ([h["step"] for h in a["history"]], [h["mean_class_fid"] for h in a["history"]])
              for label, a in result["arms"].items()}
    visual.curves(series, "mean per-class FID (eval-CNN features)", fig_dir / f"{name}_fid{sfx}.png",
                  title=f"{name}: mean per-class FID vs step (seed {result['seed']})")
    if name.startswith("imbalanced"):
        groups = {"uniform target": [0.1] * 10}
        data_prior = [0.55] + [0.05] * 9
        groups["training data"] = data_prior
        for label, a in result["arms"].items():
            groups[label] = a["history"][-1]["histogram"]
        visual.bars(groups, [f"class {k}" for k in range(10)], fig_dir / f"{name}_histogram{sfx}.png",
                    ylabel="fraction of generated samples", title="generated class histogram (eval-CNN argmax)")


def run_fashion(out_dir: Path, quick: bool) -> Path:
    return _experiment("fashion", FASHION_PRESETS, Path(out_dir), quick, log=lambda *a: print(*a, file=sys.stderr))


def run_imbalanced(out_dir: Path, quick: bool) -> Path:
    return _experiment("imbalanced", IMBALANCED_PRESETS, Path(out_dir), quick,
                       log=lambda *a: print(*a, file=sys.stderr))


def run_imbalanced_acgan(out_dir: Path, quick: bool) -> Path:
    return _experiment("imbalanced_acgan", IMBALANCED_ACGAN_PRESETS, Path(out_dir), quick,
                       log=lambda *a: print(*a, file=sys.stderr))


# ---------------------------------------------------------------------------------------------------------------
# imbalanced 8x8 digits over seeds (Sec. 6.3 at a size that allows 5 seeds)
# ---------------------------------------------------------------------------------------------------------------
#: 8x8 digits training split with Sec. 6.3's proportions: class 0 55%, each other class 5% (132 + 9 x 12 = 240)
DIGITS_CLASS_COUNTS = (132,) + (12,) * 9
DIGITS_SEEDS = tuple(range(5))
DIGITS_PRESETS = {**IMBALANCED_PRESETS, **IMBALANCED_ACGAN_PRESETS}


def digits_arms(quick: bool, seeds=DIGITS_SEEDS) -> list[Arm]:
    """The four imbalanced presets (CA-GAN and modified AC-GAN, mixed and separate batches) on imbalanced 8x8
    digits: the data table replaced, everything else as the preset (batch-norm D, 1,200 steps of batch 32)."""
    from condgan.experiments import preset_raw

    out = []
    for label, preset in DIGITS_PRESETS.items():
        raw = preset_raw(f"cagan.{preset[:-5]}")
        raw["data"] = {"type": "core.digits", "class_counts": list(DIGITS_CLASS_COUNTS)}
        raw["run"]["name"] = f"digits_{preset[:-5]}"
        raw["run"]["eval_every"] = 200
        out.append(Arm(f"digits_{preset[:-5]}", raw, [o for o in overrides_for(quick, 0) if not o.startswith("run.seed")],
                       seeds=tuple(seeds[:2] if quick else seeds), label=label, info={"preset": f"cagan.{preset[:-5]}"}))
    return out


def run_imbalanced_digits(out_dir: Path, quick: bool, log=lambda *a: print(*a, file=sys.stderr)) -> Path:
    """Sec. 6.3 on 8x8 digits, 5 seeds: each seed's four arms scored by one evaluation classifier (core's, on the
    digits training split) against the balanced real digits (train + test, about 180 per class). One JSON per seed,
    ``<out>/cagan/imbalanced_digits[_quick]/seed<s>.json``, in the layout of ``imbalanced.json``."""
    torch.set_num_threads(1)
    from condgan.builtins.datasets import DigitsParams, digits
    from condgan.evaluation.evaluators import load_evaluator, train_evaluator

    out_dir = Path(out_dir)
    sfx = "_quick" if quick else ""
    rec_dir = out_dir / "cagan" / f"imbalanced_digits{sfx}"
    rec_dir.mkdir(parents=True, exist_ok=True)
    path = Path("runs") / "cagan_reproduce" / f"evaluator_digits{sfx}.safetensors"
    if not path.exists():
        train_evaluator("digits", path, seed=SEED, threads=1, log=lambda *a, **k: None)
    net = load_evaluator(path)
    ds = digits(DigitsParams())
    real_x = torch.cat([ds.to_float(ds.x), ds.test.to_float(ds.test.x)])
    real_y = torch.cat([ds.y[:, 0], ds.test.y[:, 0]])
    runs = run_arms_with_fid(digits_arms(quick), "{arm}_s{seed}" + sfx, net, real_x, real_y, rec_dir / "runs", log,
                             record_name="{arm}_s{seed}.json")
    for seed in sorted({run.seed for run, _ in runs}):
        result = {"experiment": "imbalanced_digits", "quick": quick, "seed": seed,
                  "evaluator_test_accuracy": net.card["test_accuracy"],
                  "evaluator": {"name": net.name, "sha256": net.sha256, "training": net.card["training"],
                                "train_samples": net.card["train_samples"]},
                  "class_counts": list(DIGITS_CLASS_COUNTS), "per_class_samples": PER_CLASS,
                  "arms": {run.arm.title: {k: v for k, v in info.items() if k != "run_dir"}
                           for run, info in runs if run.seed == seed}}
        (rec_dir / f"seed{seed}.json").write_text(json.dumps(result, indent=1))
    return write_page(out_dir)


def _digits_section(records: list[dict], sfx: str) -> list[str]:
    from condgan.experiments import mean_std, pm

    labels = list(records[0]["arms"])
    out = ["## Imbalanced 8x8 digits, 5 seeds: mixed vs separate batches (CA-GAN Fig. 16, modified AC-GAN Fig. 15; "
           "Sec. 6.3)", "",
           f"Command: `condgan reproduce cagan.imbalanced_digits{' --quick' if sfx else ''}` (seeds "
           f"{', '.join(str(r['seed']) for r in records)}). Training data: the 8x8 digits training split cut to "
           f"{records[0]['class_counts'][0]} images of digit 0 and {records[0]['class_counts'][1]} of each other digit "
           "(55% / 5%, the paper's proportions); target conditions uniform; the presets of the Fashion-MNIST sections "
           "(batch-norm D, 1,200 steps of batch 32) with the data table replaced. Evaluation: core's digits "
           f"evaluator (test accuracy {records[0]['evaluator_test_accuracy']:.4f}, SHA-256 "
           f"`{records[0]['evaluator']['sha256']}`), {PER_CLASS} generated samples per target class, mean per-class "
           "FID against all real digits (train + test). Per-seed JSON: "
           f"`cagan/imbalanced_digits{sfx}/seed<s>.json`.", "",
           "| arm | n | final TV(hist, uniform) | final fraction of class 0 | final class acc. | final mean per-class FID "
           "| wall time per run (s) |", "|---|---|---|---|---|---|---|"]
    for lab in labels:
        hs = [r["arms"][lab]["history"][-1] for r in records if lab in r["arms"]]
        secs = [r["arms"][lab]["seconds"] for r in records if lab in r["arms"]]
        out.append(f"| {lab} | {len(hs)} | {pm(*mean_std([h['tv_to_uniform'] for h in hs]))} | "
                   f"{pm(*mean_std([h['histogram'][0] for h in hs]))} | "
                   f"{pm(*mean_std([h['class_accuracy'] for h in hs]))} | "
                   f"{pm(*mean_std([h['mean_class_fid'] for h in hs]))} | {sum(secs) / len(secs):.0f} |")
    out += ["", "Mean ± std over seeds; the claims table at the top tests mixed against separate batches paired by "
            "seed.", "", "Per seed (final TV to uniform / mean per-class FID):", ""]
    for r in records:
        out.append(f"- seed {r['seed']}: " + "; ".join(
            f"{lab} {a['history'][-1]['tv_to_uniform']:.3f} / {a['history'][-1]['mean_class_fid']:.2f}"
            for lab, a in r["arms"].items()))
    return out + [""]


# ---------------------------------------------------------------------------------------------------------------
# results page
# ---------------------------------------------------------------------------------------------------------------


def _table(result: dict, keys: list[tuple[str, str]]) -> list[str]:
    labels = list(result["arms"])
    steps = [h["step"] for h in result["arms"][labels[0]]["history"]]
    lines = ["| step | " + " | ".join(f"{lab}: {title}" for lab in labels for _, title in keys) + " |",
             "|---|" + "---|" * (len(labels) * len(keys))]
    for i, s in enumerate(steps):
        cells = []
        for lab in labels:
            h = result["arms"][lab]["history"]
            for k, _ in keys:
                cells.append(f"{h[i][k]:.3f}" if i < len(h) else "")
        lines.append(f"| {s} | " + " | ".join(cells) + " |")
    return lines


def _fashion_section(r: dict, sfx: str) -> list[str]:
    labels = list(r["arms"])
    ca, ac = (r["arms"][lab]["history"] for lab in labels)
    n = min(len(ca), len(ac))
    wins = sum(ca[i]["mean_class_fid"] < ac[i]["mean_class_fid"] for i in range(n))
    out = ["## CA-GAN vs modified AC-GAN on Fashion-MNIST (paper Sec. 6.2, Fig. 14)", "",
           f"Command: `condgan reproduce cagan.fashion{' --quick' if r['quick'] else ''}` (seed {r['seed']}; "
           f"{PER_CLASS} generated samples per class per evaluation).", "",
           "| arm | preset | overrides | steps | wall time (s) |", "|---|---|---|---|---|"]
    for lab, a in r["arms"].items():
        out.append(f"| {lab} | `{a['preset']}` | `{' '.join(a['overrides'])}` | {a['steps']} | {a['seconds']:.0f} |")
    out += ["", *_table(r, [("mean_class_fid", "mean per-class FID"), ("class_accuracy", "class acc.")]), "",
            f"![mean per-class FID](cagan/fashion_fid{sfx}.png)", "",
            f"CA-GAN has the lower mean per-class FID at {wins} of {n} evaluation points; final values: CA-GAN "
            f"{ca[-1]['mean_class_fid']:.3f} vs modified AC-GAN {ac[-1]['mean_class_fid']:.3f}; label consistency "
            f"(evaluator accuracy on generated samples) {ca[-1]['class_accuracy']:.3f} vs {ac[-1]['class_accuracy']:.3f}.",
            ""]
    for lab, a in r["arms"].items():
        if "samples" in a:
            out += [f"Samples, {lab} (rows share z, columns are the 10 classes):", "",
                    f"![{lab}](cagan/{a['samples']})", ""]
    return out


def _imbalanced_section(r: dict, sfx: str) -> list[str]:
    name = r["experiment"]
    which = "modified AC-GAN, Fig. 15" if name == "imbalanced_acgan" else "CA-GAN, Fig. 16"
    out = [f"## Imbalanced Fashion-MNIST with a batch-norm discriminator: mixed vs separate batches ({which}; Sec. 6.3)",
           "", f"Command: `condgan reproduce cagan.{name}{' --quick' if r['quick'] else ''}` (seed {r['seed']}). "
           "Training data: 5500 images of class 0 (T-shirt/top) and 500 of each other class (10,000; 55% / 5%); "
           "target conditions uniform (10% each). The histogram counts the evaluation CNN's argmax over "
           f"{PER_CLASS} generated samples per target class, i.e. over exactly uniform input conditions.", "",
           "| arm | preset | steps | wall time (s) | final TV(hist, uniform) | final fraction of class 0 | "
           "final class acc. | final mean per-class FID |", "|---|---|---|---|---|---|---|---|"]
    for lab, a in r["arms"].items():
        h = a["history"][-1]
        out.append(f"| {lab} | `{a['preset']}` | {a['steps']} | {a['seconds']:.0f} | {h['tv_to_uniform']:.3f} | "
                   f"{h['histogram'][0]:.3f} | {h['class_accuracy']:.3f} | {h['mean_class_fid']:.3f} |")
    out += ["", *_table(r, [("tv_to_uniform", "TV to uniform"), ("mean_class_fid", "mean per-class FID")]), "",
            f"![histogram](cagan/{name}_histogram{sfx}.png)", "", f"![FID](cagan/{name}_fid{sfx}.png)", ""]
    for lab, a in r["arms"].items():
        out.append("Final histogram, " + lab + ": [" + ", ".join(f"{v:.3f}" for v in a["history"][-1]["histogram"]) + "]")
        out.append("")
    for lab, a in r["arms"].items():
        if "samples" in a:
            out += [f"Samples, {lab}:", "", f"![{lab}](cagan/{a['samples']})", ""]
    return out


HEADER = """# CA-GAN results (plugin `cagan`)

Reproductions of Cho & Yoon, *Conditional Activation GAN* (IEEE Access version), at a scale that runs on a shared
2-core CPU. This page is rebuilt by `condgan reproduce cagan.fashion` / `cagan.imbalanced` /
`cagan.imbalanced_acgan` (run from the repository root, `--out docs/results` is the default) from the JSON files in
`docs/results/cagan/`; the discussion at the end (`docs/results/cagan/discussion.md`) is written by hand from those
numbers. Wall times were measured while about six other jobs shared the two cores; compare them only within an
experiment.

**Measure.** Mean per-class ("intra-class") FID from `condgan.evaluation.fid.intra_class_fid` on the 64-d
penultimate features of an evaluation CNN trained on the Fashion-MNIST training set (about one epoch; each section
names it, with its test accuracy), real reference = the Fashion-MNIST test set. Runs made before the experiment
harness used a small CNN of the reproduction's own (two conv layers, 500 steps of batch 128; condgan.evaluation did
not ship an evaluation classifier then); runs made since use core's (`condgan.evaluation.evaluators`, `EvalNet`).
FIDs under different evaluators are not comparable. This is not the paper's Inception FID: compare the arms with
each other, not with the paper's values.

**What was shrunk** (paper → here): MNIST → Fashion-MNIST (MNIST is not available offline); the authors' DCGAN
(64-256 channels) → the core DCGAN with 16 channels; latent 128 → 64; lr 3e-6 (18e-6 on the imbalanced set) for
50 epochs → Adam lr 2e-4, betas (0.5, 0.999), 1200 steps of batch 32 (0.64 epoch of Fashion-MNIST; 3.8 epochs of
the 10,000-image imbalanced set); 3 runs averaged → 1 seed per arm (seed 0). The generator uses batch norm (the
authors' code uses instance norm in G; without any norm the CPU-scale G saturated within 150 steps). The
discriminator has no normalisation on the balanced set ("DCGAN without batch normalisation") and batch norm on the
imbalanced set, as in the paper.
"""


def write_page(out_dir: Path) -> Path:
    """Rebuild ``<out>/cagan.md`` from the JSON results present (full runs preferred over quick ones)."""
    out_dir = Path(out_dir)
    fig_dir = out_dir / "cagan"
    lines = [HEADER]
    for name, section in (("fashion", _fashion_section), ("imbalanced", _imbalanced_section),
                          ("imbalanced_acgan", _imbalanced_section)):
        for sfx in ("", "_quick"):
            f = fig_dir / f"{name}{sfx}.json"
            if f.exists():
                r = json.loads(f.read_text())
                ev = r.get("evaluator")
                lines.append(f"Evaluation CNN test accuracy: {r['evaluator_test_accuracy']:.4f}" + (
                    f" (core's `{ev['name']}`, trained on {ev['train_samples']} images, SHA-256 `{ev['sha256']}`).\n"
                    if ev else " (the reproduction's own two-layer CNN, made before the experiment harness).\n"))
                lines += section(r, sfx)
                break
    for sfx in ("", "_quick"):
        recs = sorted(fig_dir.glob(f"imbalanced_digits{sfx}/seed*.json"))
        if recs:
            lines += _digits_section([json.loads(f.read_text()) for f in recs], sfx)
            break
    notes = fig_dir / "discussion.md"
    if notes.exists():
        lines += [notes.read_text()]
    page = out_dir / "cagan.md"
    page.write_text("\n".join(lines) + "\n")
    return page


# ---------------------------------------------------------------------------------------------------------------
# multi-attribute example: do generated digits carry the attributes they were asked for?
# ---------------------------------------------------------------------------------------------------------------


def attribute_check(run_dir: Path, per_combination: int = 500, out_json: Path | None = None) -> dict:
    """For a run of ``cagan.digits_attributes_ca_gan``: classify generated 8x8 digits with a logistic-regression
    digit classifier (trained on the digits training split) and report, per attribute combination, how often the
    predicted digit has the requested attributes (odd = digit odd, large = digit >= 5).

    Chance level for each attribute is about 0.5 and for both together about 0.25.
    """
    from sklearn.linear_model import LogisticRegression

    from condgan.builtins.datasets import DigitsParams, digits
    from condgan.sampling import generate_per_condition, load_run

    torch.set_num_threads(1)
    ds = digits(DigitsParams())
    clf = LogisticRegression(max_iter=2000).fit(ds.to_float(ds.x).flatten(1).numpy(), ds.y[:, 0].numpy())
    test_acc = float(clf.score(ds.to_float(ds.test.x).flatten(1).numpy(), ds.test.y[:, 0].numpy()))
    exp, gen, _ = load_run(Path(run_dir))
    noise = torch.Generator().manual_seed(99)
    x, labels = generate_per_condition(gen, exp.models.latent, exp.models.spec, per_combination, "cpu", noise=noise)
    digit = torch.as_tensor(clf.predict(x.flatten(1).clamp(-1, 1).numpy()))
    # group value 0 means the attribute holds ([a, not-a] encoding)
    want_odd, want_large = labels[:, 0] == 0, labels[:, 1] == 0
    got_odd, got_large = digit % 2 == 1, digit >= 5
    ok_odd, ok_large = got_odd == want_odd, got_large == want_large
    combos = exp.models.spec.combination_labels()
    rows = {}
    for i, name in enumerate(combos):
        sel = slice(i * per_combination, (i + 1) * per_combination)
        rows[name] = {"odd_correct": float(ok_odd[sel].float().mean()), "large_correct": float(ok_large[sel].float().mean()),
                      "both_correct": float((ok_odd[sel] & ok_large[sel]).float().mean()),
                      "digit_histogram": torch.bincount(digit[sel], minlength=10).tolist()}
    result = {"run_dir": str(run_dir), "classifier_test_accuracy": test_acc, "per_combination": per_combination,
              "combinations": rows, "both_correct_mean": sum(r["both_correct"] for r in rows.values()) / len(rows)}
    if out_json is not None:
        Path(out_json).write_text(json.dumps(result, indent=1))
    return result


def fashion_extra_seed(preset: str, seed: int, out_dir: Path = Path("docs/results")) -> dict:
    """One more seed of one ``cagan.fashion`` arm (``preset`` a file name such as ``"fashion_ca_gan.toml"``); writes
    ``<out>/cagan/fashion_<preset>_seed<seed>.json`` and returns the evaluation history. Run from the repo root."""
    from condgan.builtins.datasets import ImageDataParams, fashion_mnist

    torch.set_num_threads(1)
    net = evaluator_for(False)
    test = fashion_mnist(ImageDataParams()).test
    (_, info), = run_arms_with_fid(arms({preset: preset}, False, seed), "{arm}_seed{seed}", net,
                                   test.to_float(test.x), test.y[:, 0], None)
    info = {k: v for k, v in info.items() if k != "run_dir"}
    (Path(out_dir) / "cagan" / f"fashion_{preset[:-5]}_seed{seed}.json").write_text(json.dumps(info, indent=1))
    return info
