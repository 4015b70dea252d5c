"""Contract checks for components, the same ones the built-ins pass. Each raises AssertionError with a message.

* networks: output shape and dtype, every parameter receives a non-zero gradient, same seed -> same output;
* objectives: a tiny experiment trains two steps; every optimizer the objective names changes its parameters;
  every parameter of every trained network gets a gradient from some loss; same seed -> same weights;
* priors: probabilities per group sum to 1, samples are valid conditions, state round-trips;
* datasets: shapes, labels inside the spec.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import torch

from ..conditions import ConditionSpec
from ..interfaces import BuildContext, DiscriminatorOutput


def small_context(kind: str, *, image: bool = False, spec: ConditionSpec | None = None, heads=None) -> BuildContext:
    spec = spec or ConditionSpec.single(3)
    shape = (1, 8, 8) if image else (2,)
    return BuildContext(spec=spec, data_shape=shape, latent_dim=4, heads=heads or {"adv": 1, "cls": spec.num_conditions,
                                                                                   "cond": spec.num_conditions, "twin": spec.num_conditions})


def _build(entry, ctx):
    return entry.build(None, ctx)


def _outputs(kind: str, module, ctx: BuildContext, batch: int = 4):
    x = torch.randn(batch, *ctx.data_shape).clamp(-1, 1)
    c = ConditionSpec.encode(ctx.spec, torch.zeros(batch, len(ctx.spec.groups), dtype=torch.long))
    if kind == "generators":
        return module(torch.randn(batch, ctx.latent_dim), c)
    if kind == "discriminators":
        return module(x)
    if kind == "classifiers":
        return module(x)
    if kind == "statistics_networks":
        feats = torch.randn(batch, 16) if getattr(module, "uses_features", False) else None
        return module(x, c, feats) if feats is not None else module(x, c)
    raise ValueError(kind)


def _flat(out) -> torch.Tensor:
    if isinstance(out, DiscriminatorOutput):
        parts = [v.flatten(1) if v.dim() > 1 else v[:, None] for k, v in vars_of(out).items() if v is not None and k != "features"]
        return torch.cat(parts, 1)
    return out


def vars_of(out: DiscriminatorOutput) -> dict[str, Any]:
    return {"adv": out.adv, "cls": out.cls, "cond": out.cond, "twin": out.twin, "features": out.features}


def check_network(entry, *, image: bool | None = None, spec: ConditionSpec | None = None, batch: int = 4) -> None:
    """Shapes, dtype, gradient to every parameter, determinism under a seed for one registered network."""
    kind = entry.kind
    images = [image] if image is not None else [False, True]
    checked = 0
    for img in images:
        ctx = small_context(kind, image=img, spec=spec)
        torch.manual_seed(0)
        try:
            net = _build(entry, ctx)
        except ValueError as exc:  # e.g. an image-only network asked for vector data: skip that geometry
            if "image" in str(exc) or "shape" in str(exc):
                continue
            raise
        checked += 1
        net.train()
        torch.manual_seed(1)
        out = _outputs(kind, net, ctx, batch)
        K = ctx.spec.num_conditions
        if kind == "generators":
            assert tuple(out.shape) == (batch, *ctx.data_shape), f"{entry.name}: output shape {tuple(out.shape)} != {(batch, *ctx.data_shape)}"
        elif kind == "discriminators":
            assert isinstance(out, DiscriminatorOutput), f"{entry.name}: must return a DiscriminatorOutput"
            for head, width in ctx.heads.items():
                v = getattr(out, head)
                assert v is not None, f"{entry.name}: head '{head}' was asked for but is missing"
                want = (batch,) if head == "adv" else (batch, width)
                assert tuple(v.shape) == want, f"{entry.name}: head '{head}' shape {tuple(v.shape)} != {want}"
        elif kind == "classifiers":
            assert tuple(out.shape) == (batch, K), f"{entry.name}: logits shape {tuple(out.shape)} != {(batch, K)}"
        elif kind == "statistics_networks":
            assert tuple(out.shape) == (batch,), f"{entry.name}: T shape {tuple(out.shape)} != {(batch,)}"
        flat = _flat(out)
        assert flat.dtype == torch.float32, f"{entry.name}: output dtype {flat.dtype}"
        assert torch.isfinite(flat).all(), f"{entry.name}: non-finite output"
        net.zero_grad()
        (flat.float() * torch.randn_like(flat.float())).sum().backward()
        missing = [n for n, p in net.named_parameters() if p.requires_grad and (p.grad is None or not p.grad.abs().sum() > 0)]
        assert not missing, f"{entry.name}: parameters without gradient: {missing[:5]}"
        torch.manual_seed(0)
        net2 = _build(entry, ctx)
        net2.load_state_dict(net.state_dict())
        net.eval(), net2.eval()
        torch.manual_seed(3)
        a = _flat(_outputs(kind, net, ctx, batch))
        torch.manual_seed(3)
        b = _flat(_outputs(kind, net2, ctx, batch))
        assert torch.equal(a, b), f"{entry.name}: same weights and seed gave different outputs"
    assert checked, f"{entry.name}: could not be built for vector or image data"


def check_prior(entry, spec: ConditionSpec | None = None) -> None:
    spec = spec or ConditionSpec.single(4)
    ctx = BuildContext(spec=spec, data_shape=(2,), latent_dim=4)
    prior = _build(entry, ctx)
    p = prior.probs().detach()
    assert p.shape == (spec.num_conditions,), f"{entry.name}: probs shape {tuple(p.shape)}"
    for s in spec.slices:
        assert (p[s] >= 0).all() and math.isclose(float(p[s].sum()), 1.0, abs_tol=1e-5), f"{entry.name}: group does not sum to 1"
    c = prior.sample(32)
    for s in spec.slices:
        assert torch.equal(c[:, s].sum(1), torch.ones(32, dtype=c.dtype)), f"{entry.name}: samples are not one-hot per group"
    prior.update(torch.softmax(torch.randn(16, spec.num_conditions), 1))
    p2 = prior.probs().detach()
    assert math.isclose(float(p2.sum()), len(spec.groups), abs_tol=1e-4), f"{entry.name}: probs left the simplex after update"
    clone = _build(entry, ctx)
    clone.load_state_dict(copy.deepcopy(prior.state_dict()))
    assert torch.allclose(clone.probs(), prior.probs()), f"{entry.name}: state_dict does not round-trip"


def check_dataset(ds) -> None:
    from ..data import Dataset

    assert isinstance(ds, Dataset)
    assert ds.x.shape[0] == ds.y.shape[0] > 0
    assert ds.y.shape[1] == len(ds.spec.groups)
    ds.spec.encode(ds.y[:8])


def tiny_config(objective: str, *, data: str = "core.gaussian_clusters", objective_params: dict | None = None,
                extra: dict | None = None, steps: int = 2, batch_size: int = 8) -> dict[str, Any]:
    """The smallest config that trains ``objective``: 2-D clusters, 2x16 MLPs, a classifier and statistics network
    when required (the first registered ones)."""
    cfg = {
        "run": {"name": "contract", "steps": steps, "batch_size": batch_size, "log_every": 1, "sample_every": 0,
                "checkpoint_every": 0, "progress": False, "seed": 0},
        "data": {"type": data, **({"n": 256} if data == "core.gaussian_clusters" else {})},
        "objective": {"type": objective, **(objective_params or {})},
        "latent": {"type": "core.gaussian", "dim": 4},
        "generator": {"type": "core.mlp_g", "hidden": 16, "layers": 2},
        "discriminator": {"type": "core.mlp_d", "hidden": 16, "layers": 2},
    }
    for k, v in (extra or {}).items():
        cfg[k] = v
    return cfg


def write_tiny_config(path: Path, objective: str = "core.cgan", *, run: dict | None = None, **kw) -> Path:
    """:func:`tiny_config` written as a TOML file at ``path`` (its ``[run]`` table updated with ``run``), for tests
    that train through the command line or a config file. Returns ``path``.

    >>> import tempfile, tomllib
    >>> p = write_tiny_config(Path(tempfile.mkdtemp()) / "c.toml", run={"name": "t", "steps": 3})
    >>> tomllib.loads(p.read_text())["run"]["steps"]
    3
    """
    from ..config import dumps_toml

    cfg = tiny_config(objective, **kw)
    cfg["run"].update(run or {})
    path = Path(path)
    path.write_text(dumps_toml(cfg))
    return path


def check_objective(name: str, components=None, tmp: Path | None = None, config: dict | None = None) -> None:
    """Two training steps of a tiny experiment: each optimizer named by the objective's losses changes its network,
    every trainable parameter gets a gradient from some loss, and the same seed gives the same weights."""
    import tempfile

    from ..build import build_experiment
    from ..config import parse_config
    from ..plugin_manager import get_components
    from ..train import train

    components = components or get_components()
    entry = components.get("objectives", name)
    cfg_raw = config or tiny_config(name)
    req = getattr(entry.factory, "requires", frozenset())
    if "classifier" in req and "classifier" not in cfg_raw:
        cfg_raw["classifier"] = {"type": "core.mlp_q", "hidden": 16, "layers": 2}
    if "statistics_network" in req and "statistics_network" not in cfg_raw:
        names = components["statistics_networks"].names()
        assert names, f"{name} requires a statistics network but none is registered"
        cfg_raw["statistics_network"] = {"type": names[0]}
    finals = []
    for _ in range(2):
        cfg = parse_config(copy.deepcopy(cfg_raw), components)
        exp = build_experiment(cfg, components, device=torch.device("cpu"))
        before = {k: copy.deepcopy(m.state_dict()) for k, m in exp.models.trainable().items()}
        with tempfile.TemporaryDirectory() as d:
            train(exp, Path(tmp or d) / "run", log=lambda *a, **k: None, force=True)
        after = {k: m.state_dict() for k, m in exp.models.trainable().items()}
        trained = {o for targets in exp.objective.losses.values() for o in ((targets,) if isinstance(targets, str) else targets)}
        for comp in trained & set(after):
            changed = any(not torch.equal(before[comp][k], v) for k, v in after[comp].items() if v.is_floating_point())
            assert changed, f"{name}: optimizer '{comp}' is named by its losses but its parameters did not change"
        for comp, module in exp.models.trainable().items():
            if comp in trained:
                missing = [n for n, p in module.named_parameters() if p.requires_grad and p.grad is None]
                # the last step's G update leaves G's grads; D's are left from the D update
                assert not missing or comp not in ("generator", "discriminator"), f"{name}: {comp} parameters without gradient: {missing[:5]}"
        finals.append({k: {n: t.clone() for n, t in v.items()} for k, v in after.items()})
    for comp in finals[0]:
        for k in finals[0][comp]:
            assert torch.equal(finals[0][comp][k], finals[1][comp][k]), f"{name}: same seed, different weights ({comp}.{k})"


def check_registered(entry) -> None:
    """Dispatch on kind: what a contract test parametrised over the registry calls."""
    kind = entry.kind
    assert entry.description, f"{entry.name}: registered without a description"
    if kind in ("generators", "discriminators", "classifiers", "statistics_networks"):
        check_network(entry)
    elif kind == "prior_updaters":
        check_prior(entry)
    elif kind == "objectives":
        check_objective(entry.name)
