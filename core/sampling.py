"""Sampling from a generator: the fixed-noise grid saved during training, and ``condgan sample RUN_DIR``.

Grids: rows share z, columns share the condition (every combination of the condition groups, at most 24 columns).
2-D data is drawn as a scatter plot coloured by condition, 1-D data as per-class densities.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from einops import repeat
from torch import Tensor

from . import visual
from .interfaces import Objective


def grid_inputs(z: Tensor, conds: Tensor, rows: int) -> tuple[Tensor, Tensor]:
    """The generator's inputs for a grid of ``rows`` x ``len(conds)`` tiles, row-major as
    :func:`condgan.visual.image_grid` lays them out: row ``r`` shares the noise ``z[r]``, column ``k`` the
    condition ``conds[k]``. ``z``: ``(rows, Z)``; returns ``(rows*K, Z)`` and ``(rows*K, D)``."""
    k = len(conds)
    return repeat(z, "r d -> (r k) d", k=k), repeat(conds, "k d -> (r k) d", r=rows)


def conditions_for_grid(spec, max_cols: int = 24) -> tuple[Tensor, list[str]]:
    c = spec.all_combinations()
    labels = spec.combination_labels()
    return c[:max_cols], labels[:max_cols]


@torch.no_grad()
def generate_per_condition(generator, latent, spec, per_class: int, device, noise: torch.Generator | None = None,
                           batch: int = 500) -> tuple[Tensor, Tensor]:
    """``per_class`` samples for every condition combination: ``(x, labels)`` with labels ``(N, G)``."""
    was_training = generator.training
    generator.eval()
    conds = spec.all_combinations().to(device)
    cs = repeat(conds, "k d -> (k n) d", n=per_class)  # per_class rows of each condition, in order
    xs = []
    for i in range(0, len(cs), batch):
        c = cs[i:i + batch]
        z = latent.sample(len(c), torch.device("cpu"), generator=noise).to(device) if noise is not None else latent.sample(len(c), device)
        xs.append(generator(z, c).float().cpu())
    generator.train(was_training)
    return torch.cat(xs), spec.decode(cs.cpu())


@torch.no_grad()
def generate_by_assigned_class(exp, generator, per_class: int, noise: torch.Generator, batch: int = 500,
                               max_draws: int = 20) -> tuple[Tensor, Tensor] | None:
    """Up to ``per_class`` samples of every condition combination for an objective whose generator's class is not
    its condition input (``objective.classes_of_samples``, e.g. AM-GAN's dynamic labeling); ``None`` otherwise.

    Draws latent codes from ``noise`` in rounds of ``batch`` until every class has ``per_class`` samples or
    ``max_draws * per_class * K`` codes were drawn (a class the generator never produces stays short).
    Returns ``(x, flat labels)`` in class order.
    """
    if type(exp.objective).classes_of_samples is Objective.classes_of_samples:
        return None
    models, k = exp.models, len(exp.models.spec.all_combinations())
    before = noise.get_state()  # a None answer must leave the caller's noise where it was
    found: list[list[Tensor]] = [[] for _ in range(k)]
    counts = [0] * k
    drawn, budget = 0, max_draws * per_class * k
    was = generator.training
    generator.eval()
    try:
        while drawn < budget and min(counts) < per_class:
            z = models.latent.sample(batch, torch.device("cpu"), generator=noise).to(models.device)
            out = exp.objective.classes_of_samples(models, z, generator)
            if out is None:
                noise.set_state(before)
                return None
            x, cls = out[0].float().cpu(), out[1].cpu()
            drawn += batch
            for j in range(k):
                take = x[cls == j][: per_class - counts[j]]
                found[j].append(take)
                counts[j] += len(take)
    finally:
        generator.train(was)
    xs = [torch.cat(f) for f in found]
    labels = torch.cat([torch.full((len(t),), j, dtype=torch.long) for j, t in enumerate(xs)])
    return torch.cat(xs), labels


@torch.no_grad()
def sample_figure(exp, generator, path: Path, noise: torch.Generator, rows: int = 8) -> Path:
    """The picture of a run: a sample grid for images, a scatter for 2-D data, densities for 1-D data."""
    spec, shape, device = exp.models.spec, exp.dataset.data_shape, exp.models.device
    latent = exp.models.latent
    state = noise.get_state()
    try:
        if len(shape) == 3:
            by_class = generate_by_assigned_class(exp, generator, rows, noise)
            if by_class is not None:  # columns = the class each sample was assigned (empty cells stay black)
                x, flat = by_class
                cols = min(len(spec.all_combinations()), 24)
                counts = torch.bincount(flat, minlength=cols)
                labels = [f"{name} ({int(counts[j])})" if counts[j] < rows else name
                          for j, name in enumerate(spec.combination_labels()[:cols])]
                return visual.class_columns_grid(x, flat, cols, rows, labels, path,
                                                 title="columns: class assigned by the objective")
            conds, labels = conditions_for_grid(spec)
            cols = len(conds)
            z = latent.sample(rows, torch.device("cpu"), generator=noise).to(device)
            was = generator.training
            generator.eval()
            z, c = grid_inputs(z, conds.to(device), rows)
            x = generator(z, c).float()
            generator.train(was)
            return visual.image_grid(x, rows, cols, labels, path)
        per = 300 if shape == (2,) else 2000
        labels = spec.combination_labels()
        by_class = generate_by_assigned_class(exp, generator, per, noise)
        if by_class is not None:
            x, flat = by_class
        else:
            x, y = generate_per_condition(generator, latent, spec, per, device, noise)
            flat = _flat_label(y, spec)
        n_real = min(len(exp.dataset), 3000)
        real = exp.dataset.to_float(exp.dataset.x[:n_real])
        if shape == (2,):
            return visual.scatter_2d(real, x, flat, labels, path)
        if shape == (1,):
            real_labels = _flat_label(exp.dataset.y[:n_real], exp.dataset.spec) if spec == exp.dataset.spec else torch.full((n_real,), -1)
            return visual.density_1d(real, real_labels, x, flat, labels, path)
        return path
    finally:
        noise.set_state(state)


def _flat_label(y: Tensor, spec) -> Tensor:
    """(N, G) group labels -> index of the combination (first group slowest)."""
    flat = torch.zeros(len(y), dtype=torch.long)
    for j, g in enumerate(spec.groups):
        flat = flat * g.size + y[:, j].long()
    return flat


def load_run(run_dir: Path, components=None, device: str = "cpu", use_ema: bool = True):
    """Rebuild a run's experiment from its saved config and manifest, with the newest checkpoint's weights.

    Returns ``(exp, generator)`` where the generator holds EMA weights when the run kept them. The dataset is not
    read: a one-sample stand-in with the saved spec and shape is used.
    """
    from .build import build_experiment
    from .checkpoint import load_latest
    from .conditions import ConditionSpec
    from .config import parse_config
    from .data import Dataset
    from .errors import CheckpointError
    from .plugin_manager import get_components

    run_dir = Path(run_dir)
    for f in ("config.json", "manifest.json"):
        if not (run_dir / f).exists():
            raise CheckpointError(f"{run_dir} is not a condgan run directory (no {f})")
    raw = json.loads((run_dir / "config.json").read_text())
    manifest = json.loads((run_dir / "manifest.json").read_text())
    raw["run"]["device"] = device
    components = components or get_components()
    cfg = parse_config(raw, components, source=str(run_dir / "config.json"))
    data_spec = ConditionSpec.from_dict(manifest.get("data_spec", manifest["spec"]))
    shape = tuple(manifest["data_shape"])
    stand_in = Dataset(manifest["dataset"], torch.zeros((1, *shape)), torch.zeros((1, len(data_spec.groups)), dtype=torch.long), data_spec)
    exp = build_experiment(cfg, components, device=torch.device(device), dataset=stand_in)
    state, _ = load_latest(run_dir / "checkpoints", map_location=device)
    for name in ("generator", "discriminator", "classifier", "statistics_network", "prior", "composer", "latent"):
        mod = getattr(exp.models, name)
        if mod is not None and name in state["models"]:
            mod.load_state_dict(state["models"][name])
    gen = exp.models.generator
    if use_ema and state.get("ema") is not None:
        gen.load_state_dict(state["ema"])
    gen.eval()
    return exp, gen, state
