"""``condgan reproduce cagan.fashion`` and ``cagan.imbalanced``: the CA-GAN paper's experiments at CPU scale.

* ``fashion``: CA-GAN vs modified AC-GAN (λ_cls = 1), LSGAN loss, DCGAN without batch norm (paper Sec. 6.2,
  Fig. 14), on Fashion-MNIST instead of MNIST; mean per-class FID against steps.
* ``imbalanced``: 5500 images of class 0 and 500 of each other class, a batch-normalised discriminator, uniform
  target conditions, with and without mixed batches (Sec. 6.3, Figs. 15-16); the generated class histogram against
  the uniform target, and the mean per-class FID.

Measure: per-class ("intra-class") FID computed by :func:`condgan.evaluation.fid.intra_class_fid` on the 64-d
penultimate features of a small CNN evaluation classifier trained here on the full Fashion-MNIST training set
(condgan.evaluation has no shipped evaluator yet; its test accuracy is reported on the page). Real reference: the
Fashion-MNIST test set (1000 per class). This is *not* the paper's Inception FID; numbers are only comparable
within this page.

Each arm writes its numbers to ``<out>/cagan/<experiment>.json``; the page ``<out>/cagan.md`` is rebuilt from all
JSON files present, so the two reproductions can run separately (or in parallel).
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

import torch
from torch import nn

from condgan.experiments import Arm, RunPool, plan

FASHION_PRESETS = {"CA-GAN": "fashion_ca_gan.toml", "modified AC-GAN (λ_cls = 1)": "fashion_modified_ac_gan.toml"}
IMBALANCED_PRESETS = {"CA-GAN, mixed batches": "imbalanced_ca_gan_mixed.toml",
                      "CA-GAN, separate batches": "imbalanced_ca_gan_separate.toml"}
IMBALANCED_ACGAN_PRESETS = {"modified AC-GAN, mixed batches": "imbalanced_modified_ac_gan_mixed.toml",
                            "modified AC-GAN, separate batches": "imbalanced_modified_ac_gan_separate.toml"}
PER_CLASS = 250
SEED = 0


# ---------------------------------------------------------------------------------------------------------------
# evaluation classifier (fallback until condgan.evaluation ships one)
# ---------------------------------------------------------------------------------------------------------------


class EvalCNN(nn.Module):
    """A small CNN for 28x28 grey images: 64-d penultimate features and 10 logits."""

    def __init__(self, classes: int = 10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * 7 * 7, 64), nn.ReLU())
        self.head = nn.Linear(64, classes)

    def forward(self, x):
        return self.head(self.features(x))


def train_evaluator(path: Path, quick: bool, log=print) -> tuple[EvalCNN, float]:
    """Train (or load from ``path``) the evaluation CNN on Fashion-MNIST train; returns it and its test accuracy."""
    from condgan.builtins.datasets import ImageDataParams, fashion_mnist

    ds = fashion_mnist(ImageDataParams())
    torch.manual_seed(1234)  # the initial weights (torch's own start seed differs from process to process)
    net = EvalCNN()
    if path.exists():
        state = torch.load(path, weights_only=True)
        net.load_state_dict(state["weights"])
        return net.eval(), float(state["test_accuracy"])
    g = torch.Generator().manual_seed(1234)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    steps = 150 if quick else 500  # about 1 epoch at batch 128
    t0 = time.perf_counter()
    for step in range(steps):
        idx = torch.randint(len(ds.x), (128,), generator=g)
        x, y = ds.to_float(ds.x[idx]), ds.y[idx, 0]
        loss = nn.functional.cross_entropy(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    net.eval()
    with torch.no_grad():
        test = ds.test
        pred = torch.cat([net(test.to_float(test.x[i:i + 1000])).argmax(1) for i in range(0, len(test.x), 1000)])
        acc = float((pred == test.y[:, 0]).float().mean())
    log(f"cagan: evaluation CNN trained ({steps} steps, {time.perf_counter() - t0:.0f} s), test accuracy {acc:.4f}")
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"weights": net.state_dict(), "test_accuracy": acc, "steps": steps}, path)
    return net, acc


@torch.no_grad()
def _features(net: EvalCNN, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    feats, probs = [], []
    for i in range(0, len(x), 1000):
        f = net.features(x[i:i + 1000])
        feats.append(f)
        probs.append(net.head(f).softmax(1))
    return torch.cat(feats), torch.cat(probs)


def make_evaluate(net: EvalCNN, test_x: torch.Tensor, test_y: torch.Tensor, history: list, per_class: int = PER_CLASS):
    """The loop's ``evaluate(exp, generator, step)``: mean per-class FID, class accuracy and generated histogram."""
    from condgan.evaluation.classifier_metrics import class_accuracy, class_histogram
    from condgan.evaluation.fid import intra_class_fid
    from condgan.sampling import generate_per_condition

    real_f, _ = _features(net, test_x)
    noise = torch.Generator().manual_seed(4242)

    def evaluate(exp, generator, step):
        m = exp.models
        x, y = generate_per_condition(generator, m.latent, m.spec, per_class, m.device, noise=noise)
        f, p = _features(net, x.clamp(-1, 1))
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


def run_arms_with_fid(arms_: list[Arm], run_name: str, net: EvalCNN, test_x, test_y, records: Path | None,
                      log=print) -> list[tuple]:
    """Train ``arms_`` one after another in this process, each evaluated every ``run.eval_every`` steps by
    :func:`make_evaluate`; returns ``(run, record)`` with the evaluation history in the record. A recorded arm is
    not trained again; an unfinished one starts over (its history lives in memory)."""
    histories: dict = {}

    def during(run):
        log(f"cagan: training {run.arm.title} (cagan.{run.arm.name}) ...")
        return make_evaluate(net, test_x, test_y, histories.setdefault(run.arm.name, []))

    def score(run):
        return {"seconds": run.train_s, "steps": run.steps,
                "summary_losses": (run.summary or {}).get("losses", {}), "preset": run.arm.config,
                "overrides": list(run.arm.overrides), "history": histories[run.arm.name], "run_dir": str(run.run_dir)}

    runs = plan(arms_, Path("runs") / "cagan_reproduce", run_name=run_name, records=records, record_name="{arm}.json")
    with RunPool(runs, evaluate=score, during=during, workers=1, resume=False, force=True) as pool:
        return list(pool)


def _experiment(name: str, presets: dict, out_dir: Path, quick: bool, log=print) -> Path:
    torch.set_num_threads(1)
    from condgan.builtins.datasets import ImageDataParams, fashion_mnist

    fig_dir = out_dir / "cagan"
    fig_dir.mkdir(parents=True, exist_ok=True)
    net, acc = train_evaluator(Path("runs") / "cagan_reproduce" / ("evaluator_quick.pt" if quick else "evaluator.pt"),
                               quick, log)
    test = fashion_mnist(ImageDataParams()).test
    test_x, test_y = test.to_float(test.x), test.y[:, 0]
    result = {"experiment": name, "quick": quick, "seed": SEED, "evaluator_test_accuracy": acc,
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
penultimate features of a small CNN trained by the reproduction on the Fashion-MNIST training set (500 steps of batch 128, about one epoch; test
accuracy below), real reference = the Fashion-MNIST test set. condgan.evaluation did not ship an evaluation
classifier when these runs were made, so this is the best honest measure available, not the paper's Inception FID:
compare the arms with each other, not with the paper's values.

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
                lines.append(f"Evaluation CNN test accuracy: {r['evaluator_test_accuracy']:.4f}.\n")
                lines += section(r, sfx)
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
    net, _ = train_evaluator(Path("runs") / "cagan_reproduce" / "evaluator.pt", False)
    test = fashion_mnist(ImageDataParams()).test
    (_, info), = run_arms_with_fid(arms({preset: preset}, False, seed), "{arm}_seed{seed}", net,
                                   test.to_float(test.x), test.y[:, 0], None)
    info = {k: v for k, v in info.items() if k != "run_dir"}
    (Path(out_dir) / "cagan" / f"fashion_{preset[:-5]}_seed{seed}.json").write_text(json.dumps(info, indent=1))
    return info
