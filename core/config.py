"""Experiment configs: TOML with one table per component (``type`` + parameters), checked all at once.

Every problem (unknown table, unknown component, unknown key, wrong type, out-of-range value, a component naming
another that does not exist) is collected with its ``$.path`` and a did-you-mean, and raised as one
:class:`~condgan.errors.ConfigError` before anything is built.
"""

from __future__ import annotations

import copy
import json
import tomllib
import typing
from pathlib import Path
from typing import Any, Literal, Mapping

import attrs
import cattrs

from .errors import ConfigError, did_you_mean
from .hookspecs import SINGULAR
from .registry import Components, Entry

#: Component tables: table name -> component kind. ``objective`` decides which of the optional ones are needed.
COMPONENT_TABLES: dict[str, str] = {
    "data": "datasets",
    "objective": "objectives",
    "generator": "generators",
    "discriminator": "discriminators",
    "classifier": "classifiers",
    "statistics_network": "statistics_networks",
    "prior": "prior_updaters",
    "composer": "batch_composers",
    "latent": "latent_samplers",
}
REQUIRED_TABLES = ("data", "objective", "generator", "discriminator")
DEFAULT_TYPES = {"prior": "core.fixed", "composer": "core.separate", "latent": "core.gaussian"}
OTHER_TABLES = ("run", "optimizers")
OPTIMIZER_NAMES = ("generator", "discriminator", "classifier", "statistics_network", "prior")


def component_field(kind: str, default: str, **kwargs) -> Any:
    """An attrs field holding the name of another registered component (checked when the config is read).

    >>> adversarial: str = component_field("adversarial_losses", "core.least_squares")
    """
    return attrs.field(default=default, metadata={"component": kind}, **kwargs)


def _choice(*values):
    return attrs.validators.in_(values)


@attrs.frozen
class RunParams:
    """The ``[run]`` table: the loop's settings."""

    #: the run directory's name (``out_dir/name``)
    name: str = "run"
    #: where run directories are created (``out_dir/name``)
    out_dir: str = "runs"
    #: seeds weights, data order, noise and conditions (a run is a function of the config and the seed)
    seed: int = 0
    #: discriminator steps to train (the loop's step counter)
    steps: int = attrs.field(default=1000, validator=attrs.validators.ge(1))
    #: real samples per step (the global batch under torchrun)
    batch_size: int = attrs.field(default=64, validator=attrs.validators.ge(1))
    #: generator update every n discriminator steps
    g_every: int = attrs.field(default=1, validator=attrs.validators.ge(1))
    #: "alternating": D step then G step on fresh fakes; "simultaneous": both losses from the parameters at step t
    update: Literal["alternating", "simultaneous"] = attrs.field(default="alternating", validator=_choice("alternating", "simultaneous"))
    #: when a dynamic prior (``PriorUpdater``) takes the step's class probabilities: "end_of_step", after the
    #: generator's update (CGPGAN Algorithm 1 and the authors' Train.py), or "before_generator", between the D step
    #: and the G step (condgan before 2026-11-30; the G step then draws conditions from the updated prior)
    prior_update: Literal["end_of_step", "before_generator"] = attrs.field(
        default="end_of_step", validator=_choice("end_of_step", "before_generator"))
    #: "auto" (CUDA when available), "cpu", "cuda" or "cuda:N"
    device: str = "auto"
    #: a metrics.csv row (losses averaged over ranks) every n steps
    log_every: int = attrs.field(default=50, validator=attrs.validators.ge(1))
    #: sample grid every n steps (0: only at the end)
    sample_every: int = attrs.field(default=500, validator=attrs.validators.ge(0))
    #: checkpoint every n steps (0: only at the end and on interrupt)
    checkpoint_every: int = attrs.field(default=500, validator=attrs.validators.ge(0))
    #: how many of the newest checkpoints to keep
    keep_checkpoints: int = attrs.field(default=3, validator=attrs.validators.ge(1))
    #: decay of the generator's weight EMA (0 disables it)
    ema_decay: float = attrs.field(default=0.0, validator=[attrs.validators.ge(0.0), attrs.validators.lt(1.0)])
    #: "bf16": the forward passes and losses under torch.autocast(bfloat16) (weights, gradients, optimizer in fp32)
    precision: Literal["fp32", "bf16"] = attrs.field(default="fp32", validator=_choice("fp32", "bf16"))
    #: torch.compile the networks in place (GPUs; on the CPU it needs a C++ compiler and rarely pays off)
    compile: bool = False
    #: NHWC memory layout for image networks and real batches (faster convolutions on GPUs with tensor cores)
    channels_last: bool = False
    #: batches copied to a GPU from pinned host memory with non_blocking copies (no effect on the CPU)
    pin_memory: bool = True
    #: threads that prepare the next batches while a step computes (0: in the loop); the batches, and so the run,
    #: are the same either way. For GPUs: the gather, pin and copy of the next batches overlap the step
    data_workers: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    #: under torchrun, BatchNorm statistics over the global batch (SyncBatchNorm; GPUs only)
    sync_batchnorm: bool = False
    #: torch.use_deterministic_algorithms (bit-exact resume on the CPU)
    deterministic: bool = True
    #: what a NaN or infinite loss does: stop with a message, or skip that step's update
    on_nonfinite: Literal["stop", "skip"] = attrs.field(default="stop", validator=_choice("stop", "skip"))
    #: evaluate every n steps (0: never during training) with these metrics
    eval_every: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    #: metric names for evaluation during training (``condgan list metrics``)
    eval_metrics: tuple[str, ...] = ()
    #: generated samples per evaluation during training
    eval_samples: int = attrs.field(default=1000, validator=attrs.validators.ge(1))
    #: a tqdm progress bar on the terminal
    progress: bool = True
    #: also write the logged scalars, evaluation metrics and sample grids as TensorBoard event files into the run
    #: directory (when the tensorboard package is installed; metrics.csv stays the source of truth)
    tensorboard: bool = True
    #: CPU threads for torch (0: torch's default). 1 is often fastest for small models on a shared machine
    threads: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    #: on the CPU (Linux/glibc): keep freed memory in the heap instead of mmap/munmap every step (condgan.allocator)
    tune_malloc: bool = True


@attrs.frozen
class OptimizerParams:
    """One ``[optimizers.<component>]`` table (component: generator, discriminator, classifier, statistics_network,
    prior); a component without one gets these defaults."""

    #: torch.optim.Adam, AdamW, SGD (betas[0] is its momentum) or RMSprop
    type: Literal["adam", "adamw", "sgd", "rmsprop"] = attrs.field(default="adam", validator=_choice("adam", "adamw", "sgd", "rmsprop"))
    #: learning rate
    lr: float = attrs.field(default=2e-4, validator=attrs.validators.gt(0.0))
    #: Adam's (beta1, beta2); the DCGAN default (0.5, 0.999)
    betas: tuple[float, float] = (0.5, 0.999)
    #: L2 penalty (Adam, SGD, RMSprop) or decoupled weight decay (AdamW)
    weight_decay: float = attrs.field(default=0.0, validator=attrs.validators.ge(0.0))
    #: the optimizer's epsilon
    eps: float = attrs.field(default=1e-8, validator=attrs.validators.gt(0.0))
    #: fused optimizer kernels (adam, adamw, sgd; CPU and CUDA); same update as the default up to rounding
    fused: bool = False


@attrs.frozen
class ComponentConfig:
    """A resolved component table: its registered name and its structured parameters."""

    type: str
    params: Any
    entry: Entry


@attrs.frozen
class ExperimentConfig:
    """A fully checked config: run settings, component tables and optimizer settings."""

    run: RunParams
    components: dict[str, ComponentConfig]
    optimizers: dict[str, OptimizerParams]
    raw: dict[str, Any]
    source: str = "<config>"

    def resolved(self) -> dict[str, Any]:
        """Every value, defaults filled in: what the run directory stores and what ``--resume`` compares."""
        out: dict[str, Any] = {"run": _plain(attrs.asdict(self.run))}
        for table, comp in self.components.items():
            params = _plain(attrs.asdict(comp.params)) if comp.params is not None else {}
            out[table] = {"type": comp.type, **params}
        out["optimizers"] = {k: _plain(attrs.asdict(v)) for k, v in self.optimizers.items()}
        return out


def _plain(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    return obj


# ---------------------------------------------------------------------------------------------------------------
_converter = cattrs.Converter(forbid_extra_keys=False, detailed_validation=True)


def _format_exception(exc: BaseException, type_: Any) -> str:
    if isinstance(exc, KeyError):
        return "required field missing"
    if type_ is not None and typing.get_origin(type_) is Literal:
        return f"must be one of {', '.join(repr(a) for a in typing.get_args(type_))}"
    if type_ in (int, float, bool, str):
        got = str(exc).rsplit(":", 1)[-1].strip() if ":" in str(exc) else ""
        return f"expected {type_.__name__}" + (f", got {got}" if got else "")
    if isinstance(exc, (ValueError, TypeError)) and str(exc) and not str(exc).startswith("invalid value"):
        return str(exc)
    return f"expected {getattr(type_, '__name__', str(type_))}"


def _check_keys(cls: type, data: Mapping[str, Any], path: str, problems: list[tuple[str, str]], what: str) -> dict[str, Any]:
    """Report unknown keys (with a did-you-mean) and return the known ones."""
    fields = {f.name: f for f in attrs.fields(cls)}
    known = {}
    for key, value in data.items():
        if key in fields:
            known[key] = value
        else:
            hint = did_you_mean(key, fields)
            valid = ", ".join(fields) or "(none)"
            problems.append((f"{path}.{key}", f"unknown key '{key}' for {what}.{hint} Valid keys: {valid}"))
    return known


def _structure(cls: type, data: Mapping[str, Any], path: str, problems: list[tuple[str, str]]) -> Any:
    """Structure ``data`` into ``cls``; type and validator errors are added to ``problems``."""
    # TOML arrays arrive as lists; attrs validators on tuples expect tuples
    try:
        return _converter.structure(dict(data), cls)
    except cattrs.ClassValidationError as exc:
        for line in cattrs.transform_error(exc, path=path, format_exception=_format_exception):
            msg, _, where = line.rpartition(" @ ")
            if msg.startswith("'") and where == path:  # an attrs validator: point at its field
                where = f"{path}.{msg.split(chr(39))[1]}"
            problems.append((where, msg))
    except (ValueError, TypeError) as exc:  # an attrs validator inside __init__: the message names the field
        field = str(exc).split("'")[1] if str(exc).startswith("'") else ""
        problems.append((f"{path}.{field}" if field else path, str(exc)))
    return None


def structure_params(entry: Entry, data: Mapping[str, Any], path: str, components: Components | None = None) -> Any:
    """Params of one component from a mapping; raises ConfigError listing every problem."""
    problems: list[tuple[str, str]] = []
    out = _structure_params(entry, data, path, problems, components)
    if problems:
        raise ConfigError(problems)
    return out


def _structure_params(entry: Entry, data: Mapping[str, Any], path: str, problems: list, components: Components | None) -> Any:
    what = f"{SINGULAR[entry.kind]} '{entry.name}'"
    if entry.params is None:
        for key in data:
            problems.append((f"{path}.{key}", f"unknown key '{key}': {what} takes no parameters"))
        return None
    known = _check_keys(entry.params, data, path, problems, what)
    if components is not None:
        for f in attrs.fields(entry.params):
            kind = f.metadata.get("component")
            if kind and isinstance(known.get(f.name), str) and known[f.name] and known[f.name] not in components[kind]:
                msg = components[kind].unknown_message(known[f.name], components.failed_plugins, components.loaded_plugins)
                problems.append((f"{path}.{f.name}", msg))
    n_before = len(problems)
    params = _structure(entry.params, known, path, problems)
    return params if len(problems) == n_before else None


def read_config(path: str | Path) -> dict[str, Any]:
    """Read a TOML file (``*.toml``) into a dict; a clear ConfigError for a missing or malformed file."""
    p = Path(path)
    if not p.exists():
        raise ConfigError([("$", f"config file not found: {p}")], source=str(p))
    try:
        return tomllib.loads(p.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([("$", f"not valid TOML: {exc}")], source=str(p)) from None


def apply_overrides(raw: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """``["run.steps=10", "objective.lambda_cls=0.5"]`` -> a new dict. Values are read as TOML (strings may be bare)."""
    out = copy.deepcopy(raw)
    problems = []
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            problems.append(("--set", f"expected TABLE.KEY=VALUE, got {item!r}"))
            continue
        try:
            parsed = tomllib.loads(f"v = {value}")["v"]
        except tomllib.TOMLDecodeError:
            parsed = value
        parts = key.strip().split(".")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                problems.append((f"$.{key}", f"cannot set a key inside non-table {part!r}"))
                break
        else:
            node[parts[-1]] = parsed
    if problems:
        raise ConfigError(problems)
    return out


def parse_config(raw: Mapping[str, Any], components: Components, source: str = "<config>") -> ExperimentConfig:
    """Check a raw config against the registered components; every problem is reported at once."""
    problems: list[tuple[str, str]] = []
    known_tables = set(COMPONENT_TABLES) | set(OTHER_TABLES)
    for key in raw:
        if key not in known_tables:
            problems.append((f"$.{key}", f"unknown table '{key}'.{did_you_mean(key, known_tables)} "
                                          f"Tables: {', '.join(sorted(known_tables))}"))
    run_raw = raw.get("run", {})
    run = None
    if not isinstance(run_raw, dict):
        problems.append(("$.run", "must be a table"))
    else:
        run = _structure(RunParams, _check_keys(RunParams, run_raw, "$.run", problems, "[run]"), "$.run", problems)
        if run is not None:
            for name in run.eval_metrics:
                if name not in components["metrics"]:
                    problems.append(("$.run.eval_metrics", components["metrics"].unknown_message(name, components.failed_plugins)))

    comps: dict[str, ComponentConfig] = {}
    defaults = dict(DEFAULT_TYPES)
    for table, kind in COMPONENT_TABLES.items():
        if table != "objective" and "objective" in comps:
            # an objective may name the components it works with when the config does not (e.g. a learned prior)
            defaults.update(getattr(comps["objective"].entry.factory, "default_components", {}))
        data = raw.get(table)
        if data is None:
            if table in REQUIRED_TABLES:
                problems.append((f"$.{table}", f"missing table [{table}] (its 'type' names a registered "
                                               f"{components[kind].singular}; see `condgan list {kind}`)"))
                continue
            if table not in defaults:
                continue
            data = {"type": defaults[table]}
        if not isinstance(data, dict):
            problems.append((f"$.{table}", f"must be a table with a 'type' key, got {type(data).__name__}"))
            continue
        type_name = data.get("type", defaults.get(table))  # a table with a default component may omit 'type'
        if not isinstance(type_name, str):
            problems.append((f"$.{table}.type", f"missing 'type': name a registered {components[kind].singular} "
                                                f"(see `condgan list {kind}`)"))
            continue
        if type_name not in components[kind]:
            msg = components[kind].unknown_message(type_name, components.failed_plugins, components.loaded_plugins)
            problems.append((f"$.{table}.type", msg))
            continue
        entry = components[kind].get(type_name)
        rest = {k: v for k, v in data.items() if k != "type"}
        n_before = len(problems)
        params = _structure_params(entry, rest, f"$.{table}", problems, components)
        if len(problems) == n_before:
            comps[table] = ComponentConfig(type_name, params, entry)

    obj = comps.get("objective")
    check = getattr(obj.entry.factory, "check_config", None) if obj is not None else None
    if check is not None:  # an objective that checks more than its params (core.composite: its term list)
        problems.extend(check(obj.params, raw, components))

    optimizers: dict[str, OptimizerParams] = {}
    opt_raw = raw.get("optimizers", {})
    if not isinstance(opt_raw, dict):
        problems.append(("$.optimizers", "must be a table of tables, e.g. [optimizers.generator]"))
        opt_raw = {}
    for name, table in opt_raw.items():
        if name not in OPTIMIZER_NAMES:
            problems.append((f"$.optimizers.{name}", f"unknown optimizer '{name}'.{did_you_mean(name, OPTIMIZER_NAMES)} "
                                                     f"Optimizers are named after the component they train: "
                                                     f"{', '.join(OPTIMIZER_NAMES)}"))
            continue
        if not isinstance(table, dict):
            problems.append((f"$.optimizers.{name}", "must be a table"))
            continue
        known = _check_keys(OptimizerParams, table, f"$.optimizers.{name}", problems, "an optimizer")
        opt = _structure(OptimizerParams, known, f"$.optimizers.{name}", problems)
        if opt is not None:
            optimizers[name] = opt
    if problems:
        raise ConfigError(problems, source=source)
    return ExperimentConfig(run, comps, optimizers, dict(raw), source)


def dumps_json(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=True, default=str)


def dumps_toml(d: Mapping[str, Any]) -> str:
    """A small TOML writer for resolved configs (tables of scalars, arrays and nested tables; no None)."""

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v) if not (isinstance(v, float) and v != v) else "nan"
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(value(x) for x in v) + "]"
        raise TypeError(f"cannot write {type(v).__name__} to TOML")

    lines: list[str] = []

    def is_array_of_tables(v: Any) -> bool:
        return isinstance(v, (list, tuple)) and bool(v) and all(isinstance(x, dict) for x in v)

    def table(prefix: str, t: Mapping[str, Any], header: str = "[{}]") -> None:
        arrays = {k: v for k, v in t.items() if is_array_of_tables(v)}
        scalars = {k: v for k, v in t.items() if not isinstance(v, dict) and v is not None and k not in arrays}
        subs = {k: v for k, v in t.items() if isinstance(v, dict)}
        if prefix and (scalars or not subs or header != "[{}]"):
            lines.append("\n" + header.format(prefix))
        for k, v in scalars.items():
            lines.append(f"{k} = {value(v)}")
        for k, v in subs.items():
            table(f"{prefix}.{k}" if prefix else k, v)
        for k, v in arrays.items():  # [[prefix.k]] per element (composite objectives' terms)
            for item in v:
                table(f"{prefix}.{k}" if prefix else k, item, "[[{}]]")

    table("", d)
    return "\n".join(lines).lstrip() + "\n"
