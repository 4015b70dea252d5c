"""``condgan evaluate RUN_DIR``: generate class-balanced samples from a trained run, read them through the evaluation
classifier, compute the chosen metrics with bootstrap intervals, and write ``eval.json`` plus a readable ``eval.md``
with a protocol card (what exactly was measured, so another person can reproduce the number).

Determinism: the noise comes from ``torch.Generator().manual_seed(seed)``, targets are class-balanced in a fixed
order, every metric sees canonically ordered inputs and a seeded bootstrap: the same run, seed and evaluator give
identical numbers.
"""

from __future__ import annotations

import json
import math
import platform
import time
from pathlib import Path
from typing import Any, Sequence

import torch

from ..checkpoint import atomic_write_text
from ..sampling import generate_by_assigned_class
from .metric import EvalInputs, Metric, run_metric
from .metrics_registry import DEFAULT_METRICS

#: metrics whose class index must mean the same on the generated and the real side
LABEL_ALIGNED = {"core.intra_fid", "core.intra_kid", "core.class_accuracy", "core.mode_score", "core.am_score"}


def resolve_metrics(names: Sequence[str] | None, ctx=None, components=None) -> dict[str, Metric]:
    """Registered metric names (``fid`` means ``core.fid``; plugins' names are ``plugin.name``) -> built metrics."""
    from ..plugin_manager import get_components

    components = components or get_components()
    out = {}
    for name in (names or DEFAULT_METRICS):
        qualified = name if "." in name else f"core.{name}"
        out[qualified] = components.get("metrics", qualified).build(None, ctx)
    return out


def _flat_labels(y: torch.Tensor, spec) -> torch.Tensor:
    """(N, G) group labels -> index of the combination of groups (first group slowest)."""
    y = y if y.dim() == 2 else y[:, None]
    flat = torch.zeros(len(y), dtype=torch.long)
    for j, g in enumerate(spec.groups):
        flat = flat * g.size + y[:, j].long()
    return flat


def _num_combinations(spec) -> int:
    return math.prod(g.size for g in spec.groups)


@torch.no_grad()
def generate_balanced(generator, latent, spec, per_class: int, seed: int, device="cpu", batch: int = 500):
    """``per_class`` samples for every condition combination, noise from a generator seeded with ``seed``.

    Returns ``(x (K * per_class, ...), flat labels (K * per_class,))``; deterministic for a seed on the CPU.
    """
    noise = torch.Generator().manual_seed(seed)
    was = generator.training
    generator.eval()
    conds = spec.all_combinations()
    labels = torch.arange(len(conds)).repeat_interleave(per_class)
    cs = conds.repeat_interleave(per_class, dim=0)
    xs = []
    for i in range(0, len(cs), batch):
        c = cs[i:i + batch]
        z = latent.sample(len(c), torch.device("cpu"), generator=noise).to(device)
        xs.append(generator(z, c.to(device)).float().cpu())
    generator.train(was)
    return torch.cat(xs), labels


def _versions(manifest: dict) -> dict[str, Any]:
    import numpy

    from .. import __version__
    out = {"condgan": __version__, "torch": torch.__version__, "numpy": numpy.__version__,
           "python": platform.python_version()}
    plugins = manifest.get("plugins") or manifest.get("versions")
    if plugins:
        out["plugins"] = plugins
    return out


def build_inputs(exp, generator, dataset, n_samples: int, seed: int, evaluator=None, reference: str = "test",
                 device: str = "cpu", max_real: int = 10_000) -> tuple[EvalInputs, dict[str, Any]]:
    """Generated and reference samples -> :class:`EvalInputs` and the facts for the protocol card."""
    spec = exp.models.spec
    k = _num_combinations(spec)
    per_class = max(1, math.ceil(n_samples / k))
    by_class = generate_by_assigned_class(exp, generator, per_class, torch.Generator().manual_seed(seed))
    if by_class is None:
        x_fake, y_fake = generate_balanced(generator, exp.models.latent, spec, per_class, seed, device)
    else:  # the objective decides a sample's class (e.g. AM-GAN dynamic labeling); short classes stay short
        x_fake, y_fake = by_class
    if reference == "test" and dataset.test is not None:
        ref, ref_name = dataset.test, "test"
    else:
        ref, ref_name = dataset, "train"
    x_real = ref.x
    y_real = _flat_labels(ref.y, dataset.spec)
    if len(x_real) > max_real:  # a seeded subset, stratification kept by sorting
        keep = torch.randperm(len(x_real), generator=torch.Generator().manual_seed(seed + 1))[:max_real].sort().values
        x_real, y_real = x_real[keep], y_real[keep]
    x_real_f = dataset.to_float(x_real)
    k_data = _num_combinations(dataset.spec)
    unsupervised = bool(getattr(exp.objective, "unsupervised", False)) or spec != dataset.spec
    fields: dict[str, Any] = dict(real_labels=y_real, fake_labels=y_fake,
                                  real_samples=x_real_f.flatten(1), fake_samples=x_fake.flatten(1))
    if evaluator is not None:
        fields["real_features"], fields["real_probs"] = evaluator.features_and_probs(x_real_f)
        fields["fake_features"], fields["fake_probs"] = evaluator.features_and_probs(x_fake)
        extractor = {"name": evaluator.name, "sha256": evaluator.sha256, "feature_dim": evaluator.feature_dim,
                     "test_accuracy": evaluator.card.get("test_accuracy"), "input": "bilinear+antialias resize to "
                     f"{evaluator.card['arch']['size']} px when sizes differ; [-1, 1]"}
        if evaluator.num_classes != k_data:
            fields.pop("real_probs"), fields.pop("fake_probs")
    else:
        fields["real_features"], fields["fake_features"] = fields["real_samples"].double(), fields["fake_samples"].double()
        extractor = {"name": "identity (raw samples)", "sha256": None, "feature_dim": fields["real_features"].shape[1]}
    if exp.models.classifier is not None and unsupervised:
        with torch.no_grad():
            logits = torch.cat([exp.models.classifier(x_real_f[i:i + 500].to(device)).cpu()
                                for i in range(0, len(x_real_f), 500)])
        fields["real_model_labels"] = logits.argmax(1)
    inputs = EvalInputs(num_classes=k if not unsupervised else k_data, **fields)
    facts = {
        "extractor": extractor,
        "reference": {"split": ref_name, "dataset": dataset.name, "count": len(x_real),
                      "per_class": torch.bincount(y_real, minlength=k_data).tolist()},
        "generated": {"count": len(x_fake), "per_class": torch.bincount(y_fake, minlength=k).tolist(),
                      "label_sampling": "class-balanced (every condition combination equally often)" if by_class is None
                      else f"classes assigned by the objective ({type(exp.objective).__name__}.classes_of_samples); "
                           f"up to {per_class} per class",
                      "categories_unsupervised": unsupervised},
        "seed": seed, "dtype": "float64 statistics",
    }
    return inputs, facts


def evaluate_run(run_dir: str | Path, metrics: Sequence[str] | None = None, n_samples: int = 5000, seed: int = 0, *,
                 evaluator: str | Path | None = None, reference: str = "test", n_boot: int = 100, device: str = "cpu",
                 write: bool = True, log=print, force_evaluator: bool = False) -> dict:
    """Evaluate a trained run; write ``eval.json`` and ``eval.md`` into it (``write``); return the result dict.

    Before any sample is generated: the data must have the shape the run was trained on, and the evaluator must
    have been trained on this data (:func:`~.evaluator_match.check_evaluator_data`; ``force_evaluator`` uses it
    anyway and writes the mismatch into the protocol card).
    """
    from ..build import build_dataset
    from ..sampling import load_run
    from ..shapes import check_same_data_shape
    from .evaluator_match import check_evaluator_data
    from .evaluators import default_evaluator_path, load_evaluator

    run_dir = Path(run_dir)
    t0 = time.perf_counter()
    exp, gen, state = load_run(run_dir, device=device)
    dataset = build_dataset(exp.config)
    data = exp.config.components["data"]
    check_same_data_shape(exp.dataset.data_shape, dataset, data.type, f"run {run_dir} was trained on", data.params)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    ev, mismatch = None, None
    if len(dataset.data_shape) == 3:
        path = Path(evaluator) if evaluator else default_evaluator_path(data.type)
        ev = load_evaluator(path, device)
        mismatch = check_evaluator_data(ev, dataset, data.type, data.params, path=path, force=force_evaluator)
    inputs, facts = build_inputs(exp, gen, dataset, n_samples, seed, ev, reference, device)
    if mismatch:
        facts["extractor"]["data_mismatch"] = mismatch
    built = resolve_metrics(metrics, exp.ctx)
    results, skipped = {}, {}
    for name, metric in built.items():
        if facts["generated"]["categories_unsupervised"] and name in LABEL_ALIGNED:
            skipped[name] = "generated categories are not the data's classes (unsupervised objective)"
            continue
        missing = metric.missing(inputs)
        if missing:
            skipped[name] = f"needs {sorted(missing)}" + (" (the evaluator's classes differ from the data's)"
                                                          if "fake_probs" in missing and ev is not None else "")
            continue
        results[name] = run_metric(metric, inputs, n_boot=n_boot, seed=seed)
    ckpt = sorted((run_dir / "checkpoints").glob("step_*.pt"))
    sidecar = ckpt[-1].with_name(ckpt[-1].name + ".sha256") if ckpt else None
    protocol = {
        **facts,
        "run": {"dir": str(run_dir), "step": int(state["step"]), "checkpoint": ckpt[-1].name if ckpt else None,
                "checkpoint_sha256": sidecar.read_text().strip() if sidecar and sidecar.exists() else None,
                "generator": "EMA" if state.get("ema") is not None else "raw"},
        "bootstrap": {"replicates": n_boot, "level": 0.95, "method": "percentile, stratified by class, seeded"},
        "versions": _versions(manifest),
    }
    out = {"metrics": results, "skipped": skipped, "protocol": protocol,
           "seconds": round(time.perf_counter() - t0, 1)}
    if write:
        # wall-clock time stays out of the file, so the same seed writes a byte-identical eval.json
        atomic_write_text(run_dir / "eval.json", json.dumps(_jsonable({k: v for k, v in out.items() if k != "seconds"}),
                                                            indent=2) + "\n")
        atomic_write_text(run_dir / "eval.md", render_report(out))
    return out


def _jsonable(obj):
    """NaN/inf -> None (strict JSON), tuples -> lists."""
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _fmt(v: float) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    return f"{v:.4g}" if abs(v) >= 1e-3 or v == 0 else f"{v:.3e}"


def render_report(out: dict) -> str:
    """The readable report: a metric table (value and 95% interval), per-class rows, warnings, the protocol card."""
    lines = ["# Evaluation", "", "| metric | value | 95% CI |", "|---|---|---|"]
    per_class_rows, warns = [], []
    for name, res in out["metrics"].items():
        for key, value in res["values"].items():
            if isinstance(value, list):
                per_class_rows.append(f"| {key} | " + " ".join(_fmt(v) for v in value) + " |")
                continue
            ci = res["ci"].get(key)
            ci_txt = f"[{_fmt(ci['low'])}, {_fmt(ci['high'])}]" if ci else "-"
            lines.append(f"| {key} | {_fmt(value)} | {ci_txt} |")
        warns += [f"- {name}: {w}" for w in res["warnings"]]
    if per_class_rows:
        lines += ["", "Per class (class 0 first):", "", "| quantity | values |", "|---|---|", *per_class_rows]
    if out["skipped"]:
        lines += ["", "Skipped:", ""] + [f"- {k}: {v}" for k, v in out["skipped"].items()]
    mismatch = out["protocol"]["extractor"].get("data_mismatch")
    if mismatch:
        warns.insert(0, f"- evaluator used with --force-evaluator: {mismatch}")
    if warns:
        lines += ["", "Warnings:", "", *warns]
    p = out["protocol"]
    ex, ref, gen, run = p["extractor"], p["reference"], p["generated"], p["run"]
    lines += ["", "## Protocol card", "",
              f"- feature extractor: {ex['name']}, {ex['feature_dim']}-d features"
              + (f", weights SHA-256 {ex['sha256']}" if ex.get("sha256") else "")
              + (f", test accuracy {ex['test_accuracy']:.4f}" if ex.get("test_accuracy") is not None else ""),
              f"- reference: {ref['dataset']} {ref['split']} split, {ref['count']} samples, per class {ref['per_class']}",
              f"- generated: {gen['count']} samples, {gen['label_sampling']}, per class {gen['per_class']}",
              f"- run: {run['dir']} at step {run['step']} ({run['generator']} generator), checkpoint {run['checkpoint']}"
              + (f" SHA-256 {run['checkpoint_sha256']}" if run.get("checkpoint_sha256") else ""),
              f"- seed {p['seed']}; {p['dtype']}; bootstrap {p['bootstrap']['replicates']} replicates "
              f"({p['bootstrap']['method']})",
              "- versions: " + ", ".join(f"{k} {v}" for k, v in p["versions"].items() if k != "plugins")]
    if "plugins" in p["versions"]:
        lines.append("- plugins: " + json.dumps(p["versions"]["plugins"], sort_keys=True))
    return "\n".join(lines) + "\n"
