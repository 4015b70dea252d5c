"""From a checked config to built components: dataset, objective, networks, prior, composer, latent, optimizers.

Requirements are checked here, before step 1: the objective's required components and discriminator heads, that
the networks make and read samples of the data's shape (:mod:`condgan.shapes`), and that every optimizer the
objective's losses name has a component with parameters.
"""

from __future__ import annotations

import os
from typing import Any, Mapping

import attrs
import torch

from .config import ExperimentConfig, OptimizerParams, structure_params
from .data import Dataset
from .errors import CondganError, ConfigError, DataError
from .interfaces import BatchComposer, BuildContext, LatentSampler, Models, Objective, PriorUpdater
from .registry import Components
from .shapes import check_networks_fit_data, discriminator_feature_dim


@attrs.define(eq=False)
class Experiment:
    config: ExperimentConfig
    dataset: Dataset
    objective: Objective
    models: Models
    ctx: BuildContext


def pick_device(name: str) -> torch.device:
    """``auto``: CUDA when available, else the CPU. Under torchrun an unnumbered ``cuda`` is this process's GPU,
    ``cuda:$LOCAL_RANK``."""
    dev = torch.device(("cuda" if torch.cuda.is_available() else "cpu") if name == "auto" else name)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError([("$.run.device", f"device '{name}' asked for, but CUDA is not available here; use 'cpu' or 'auto'")])
    if dev.type == "cuda" and dev.index is None and "LOCAL_RANK" in os.environ:
        dev = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
    return dev


def make_resolver(components: Components):
    def resolve(kind: str, name: str, params: Any = None, ctx: Any = None) -> Any:
        """Build component ``name``; ``params`` is its params instance, None (defaults) or a dict of settings,
        checked against its params class as a config table is (a ConfigError names every problem)."""
        entry = components.get(kind, name)
        if isinstance(params, Mapping):
            params = structure_params(entry, params, f"$.{kind}[{name}]", components)
        return entry.build(params, ctx)

    return resolve


def build_dataset(cfg: ExperimentConfig) -> Dataset:
    comp = cfg.components["data"]
    try:
        ds = comp.entry.build(comp.params, None)
    except DataError as exc:
        raise ConfigError([("$.data", str(exc))], source=cfg.source) from None
    except Exception as exc:  # noqa: BLE001 - a plugin's factory that raises: named, without a traceback
        raise ConfigError([("$.data", factory_raised(comp, exc))], source=cfg.source) from None
    if not isinstance(ds, Dataset):
        raise ConfigError([("$.data", f"dataset '{comp.type}' returned {type(ds).__name__}, not a condgan.data.Dataset")])
    return ds


def who(comp) -> str:
    """``generator 'fake.g' (plugin 'fake')``: how messages about a built component name it."""
    return f"{_singular(comp.entry.kind)} '{comp.type}' (plugin '{comp.entry.plugin}')"


def _singular(kind: str) -> str:
    from .hookspecs import SINGULAR

    return SINGULAR.get(kind, kind).replace("_", " ")


def factory_raised(comp, exc: BaseException) -> str:
    return (f"{who(comp)} failed to build: its factory {comp.entry.source} raised {type(exc).__name__}: {exc}. "
            f"This is a bug in the plugin or a parameter it cannot handle; see `condgan describe {comp.type}`.")


#: table -> (the type the factory must return, how messages call it)
EXPECTED_TYPES = {
    "generator": (torch.nn.Module, "a torch.nn.Module (condgan.interfaces.Generator)"),
    "discriminator": (torch.nn.Module, "a torch.nn.Module (condgan.interfaces.Discriminator)"),
    "classifier": (torch.nn.Module, "a torch.nn.Module (condgan.interfaces.Classifier)"),
    "statistics_network": (torch.nn.Module, "a torch.nn.Module (condgan.interfaces.StatisticsNetwork)"),
    "prior": (PriorUpdater, "a condgan.interfaces.PriorUpdater"),
    "composer": (BatchComposer, "a condgan.interfaces.BatchComposer"),
    "latent": (LatentSampler, "a condgan.interfaces.LatentSampler"),
    "objective": (Objective, "a condgan.interfaces.Objective"),
}


def check_prior_probs(prior: PriorUpdater, spec) -> str | None:
    """None when ``prior.probs()`` is a ``(K,)`` vector, non-negative, summing to one over every condition group."""
    with torch.no_grad():
        p = prior.probs()
    if not isinstance(p, torch.Tensor) or tuple(p.shape) != (spec.num_conditions,):
        return (f"probs() returned {tuple(p.shape) if isinstance(p, torch.Tensor) else type(p).__name__}; "
                f"expected a tensor of shape ({spec.num_conditions},), one probability per condition")
    p = p.detach().double().cpu()
    for group, s in zip(spec.groups, spec.slices):
        total = float(p[s].sum())
        if not (p[s] >= 0).all() or not abs(total - 1.0) <= 1e-4:
            return (f"probs() of condition group '{group.name}' sum to {total:.6g} (min {float(p[s].min()):.6g}); "
                    f"expected non-negative probabilities that sum to 1 in every group")
    return None


def build_experiment(cfg: ExperimentConfig, components: Components, device: torch.device | None = None,
                     dataset: Dataset | None = None) -> Experiment:
    """Build every component of ``cfg``. All requirement problems are reported together as a ConfigError."""
    device = device or pick_device(cfg.run.device)
    torch.manual_seed(cfg.run.seed)  # initial weights are a function of the seed
    ds = dataset if dataset is not None else build_dataset(cfg)
    latent_comp = cfg.components["latent"]
    try:
        latent = latent_comp.entry.build(latent_comp.params, None)
    except CondganError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise ConfigError([("$.latent", factory_raised(latent_comp, exc))], source=cfg.source) from None
    if not isinstance(latent, LatentSampler):
        raise ConfigError([("$.latent", f"{who(latent_comp)} returned {type(latent).__qualname__}; expected "
                                        f"{EXPECTED_TYPES['latent'][1]}")], source=cfg.source)
    obj_comp = cfg.components["objective"]
    spec = ds.spec
    if hasattr(obj_comp.entry.factory, "condition_spec"):
        spec = obj_comp.entry.factory.condition_spec(obj_comp.params, ds.spec)
    ctx = BuildContext(spec=spec, data_shape=ds.data_shape, latent_dim=latent.dim, device=device,
                       resolve=make_resolver(components))
    problems: list[tuple[str, str]] = []

    def build(table: str, c: BuildContext) -> Any:
        comp = cfg.components[table]
        try:
            built = comp.entry.build(comp.params, c)
        except CondganError as exc:
            problems.append((f"$.{table}", str(exc)))
            return None
        except (ValueError, TypeError) as exc:
            problems.append((f"$.{table}", f"{comp.type}: {exc}"))
            return None
        except Exception as exc:  # noqa: BLE001 - a plugin's factory that raises: named, without a traceback
            problems.append((f"$.{table}", factory_raised(comp, exc)))
            return None
        return checked_type(table, comp, built)

    def checked_type(table: str, comp, built: Any) -> Any:
        want, what = EXPECTED_TYPES[table]
        if isinstance(built, want):
            return built
        problems.append((f"$.{table}", f"{who(comp)} returned {type(built).__module__}.{type(built).__qualname__}; "
                                       f"expected {what}"))
        return None

    objective = build("objective", ctx)
    if objective is None:
        raise ConfigError(problems, source=cfg.source)
    if not ds.labeled and not objective.unsupervised:
        problems.append(("$.data", f"dataset '{cfg.components['data'].type}' has no labels, but objective "
                                   f"'{cfg.components['objective'].type}' needs them"))
    for kind in sorted(objective.requires):
        if kind not in cfg.components:
            reg = components[{"classifier": "classifiers", "statistics_network": "statistics_networks"}.get(kind, kind)]
            problems.append((f"$.{kind}", f"objective '{cfg.components['objective'].type}' requires a {kind.replace('_', ' ')}, "
                                          f"but the config has no [{kind}] table. Registered: {', '.join(reg.names()) or '(none)'}."))
    heads = objective.heads()
    d_entry = cfg.components["discriminator"].entry
    supported = getattr(d_entry.factory, "supported_heads", None)
    if supported is not None and not set(heads) <= set(supported):
        problems.append(("$.discriminator", f"discriminator '{d_entry.name}' cannot build the heads "
                                            f"{sorted(set(heads) - set(supported))} that objective "
                                            f"'{cfg.components['objective'].type}' needs"))
    if problems:
        raise ConfigError(problems, source=cfg.source)

    G = build("generator", ctx)
    D = build("discriminator", ctx.with_heads(heads))
    Q = build("classifier", ctx) if "classifier" in cfg.components else None
    # before step 1, and before anything else runs D: the networks make and read samples of the data's shape
    shape_problems = check_networks_fit_data({"generator": G, "discriminator": D, "classifier": Q}, latent, spec, ds,
                                             cfg, device, heads)
    if shape_problems:
        raise ConfigError(problems + shape_problems, source=cfg.source)
    t_ctx = attrs.evolve(ctx, feature_dim=discriminator_feature_dim(D, ds.data_shape, device)) if D is not None else ctx
    T = build("statistics_network", t_ctx) if "statistics_network" in cfg.components else None
    prior = build("prior", ctx)
    composer = build("composer", ctx)
    if prior is not None and (bad := check_prior_probs(prior, spec)):
        problems.append(("$.prior", f"{who(cfg.components['prior'])}: {bad}"))
    if problems:
        raise ConfigError(problems, source=cfg.source)
    models = Models(generator=G, discriminator=D, prior=prior, composer=composer, latent=latent, spec=spec,
                    classifier=Q, statistics_network=T, device=device)
    for mod in (G, D, Q, T, prior, composer, latent):
        if mod is not None:
            mod.to(device)
    trainable = models.trainable()
    for loss, targets in objective.losses.items():
        for opt in (targets,) if isinstance(targets, str) else targets:
            if opt not in trainable and opt != "prior":
                problems.append(("$.objective", f"loss '{loss}' updates '{opt}', but the experiment has no {opt} with parameters"))
    if problems:
        raise ConfigError(problems, source=cfg.source)
    return Experiment(cfg, ds, objective, models, ctx)


#: optimizers with a fused implementation in torch (CPU and CUDA since torch 2.4)
FUSED_TYPES = ("adam", "adamw", "sgd")


def make_optimizer(params: OptimizerParams, module: torch.nn.Module, device: torch.device) -> torch.optim.Optimizer:
    ps = [p for p in module.parameters() if p.requires_grad]
    fused = {"fused": True} if params.fused else {}
    if params.type == "adam":
        return torch.optim.Adam(ps, lr=params.lr, betas=params.betas, eps=params.eps, weight_decay=params.weight_decay, **fused)
    if params.type == "adamw":
        return torch.optim.AdamW(ps, lr=params.lr, betas=params.betas, eps=params.eps, weight_decay=params.weight_decay, **fused)
    if params.type == "rmsprop":
        return torch.optim.RMSprop(ps, lr=params.lr, eps=params.eps, weight_decay=params.weight_decay)
    return torch.optim.SGD(ps, lr=params.lr, momentum=params.betas[0], weight_decay=params.weight_decay, **fused)


def make_optimizers(exp: Experiment) -> dict[str, torch.optim.Optimizer]:
    """One optimizer per component with parameters; settings from ``[optimizers.<name>]`` (defaults otherwise)."""
    out, problems = {}, []
    for name, module in exp.models.trainable().items():
        params = exp.config.optimizers.get(name, OptimizerParams())
        if params.fused and params.type not in FUSED_TYPES:
            problems.append((f"$.optimizers.{name}.fused", f"torch has no fused '{params.type}'; fused works with "
                                                           f"{', '.join(FUSED_TYPES)}. Set fused = false."))
            continue
        try:
            out[name] = make_optimizer(params, module, exp.models.device)
        except RuntimeError as exc:  # e.g. a torch or device without the fused kernel
            problems.append((f"$.optimizers.{name}.fused" if params.fused else f"$.optimizers.{name}",
                             f"{params.type} could not be built on {exp.models.device}: {exc}"))
    if problems:
        raise ConfigError(problems, source=exp.config.source)
    return out
