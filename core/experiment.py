"""One Python call that runs an experiment: :func:`run_experiment` parses a config (a TOML file, a preset name or a
dict), applies ``TABLE.KEY=VALUE`` overrides, builds every component and trains. ``condgan train`` calls it, so the
command line and a script take one path::

    summary = condgan.run_experiment("core.digits", ["run.steps=200"], out="runs")
    summary["step"], summary["run_dir"]        # 200, 'runs/<run.name>'
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from .errors import ConfigError

#: the experiment ``condgan train`` runs when given neither a config nor a preset
DEFAULT_PRESET = "core.digits"


def preset_raw(name: str, components=None) -> dict[str, Any]:
    """The raw (unparsed) dict of the registered preset ``name``."""
    import tomllib

    from .plugin_manager import get_components

    comps = components if components is not None else get_components(("presets",))
    entry = comps.get("presets", name)
    source = entry.factory
    return tomllib.loads(source.read_text() if hasattr(source, "read_text") else Path(str(source)).read_text())


def read_raw_config(config_or_preset: Any, resume: str | Path | None) -> tuple[dict[str, Any], str]:
    """The raw config and its source label: a dict (copied), a TOML file, a preset name, the run's own
    ``config.json`` when resuming without one, or the default preset."""
    from .config import read_config

    if isinstance(config_or_preset, Mapping):
        return json.loads(json.dumps(config_or_preset)), "<dict>"  # a deep copy; overrides must not touch the caller's
    if resume is not None:
        path = Path(resume) / "config.json"
        if not path.exists():
            raise ConfigError([("--resume", f"{resume} is not a run directory (no config.json)")])
        if config_or_preset is None:
            return json.loads(path.read_text()), str(path)
    if config_or_preset is None:
        return preset_raw(DEFAULT_PRESET), f"preset {DEFAULT_PRESET}"
    text = str(config_or_preset)
    if isinstance(config_or_preset, Path) or text.endswith(".toml") or Path(text).is_file():
        return read_config(text), text
    return preset_raw(text), f"preset {text}"


def run_dir_of(raw: Mapping[str, Any], out: str | Path | None = None) -> Path:
    """``out_dir/name`` of a raw config (``out`` replaces ``run.out_dir``), with :class:`~condgan.config.RunParams`'s
    defaults for what it does not set: where ``condgan train`` puts the run (or a seed group)."""
    import attrs

    from .config import RunParams

    fields, run = attrs.fields(RunParams), raw.get("run", {})
    return Path(out if out is not None else run.get("out_dir", fields.out_dir.default)) / run.get("name", fields.name.default)


def run_experiment(config_or_preset: str | Path | Mapping[str, Any] | None = None, overrides: Sequence[str] = (),
                   out: str | Path | None = None, *, resume: str | Path | None = None, force: bool = False,
                   log: Callable[..., None] = print, run_dir: str | Path | None = None,
                   source: str | None = None, evaluate: Callable | None = None) -> dict[str, Any]:
    """Parse, build and train one experiment; return the training summary (``step``, ``losses``, ``run_dir``,
    ``interrupted``).

    ``config_or_preset``: a TOML file, a registered preset name (``"cagan.fashion_cagan"``), a config dict, or None
    (the preset ``core.digits``; with ``resume``, the run's own ``config.json``). ``overrides``: ``TABLE.KEY=VALUE``
    strings, as ``condgan train --set``. ``out``: the parent folder of the run directory (``run.out_dir``).
    ``resume``: a run directory to continue from its newest checkpoint; ``force``: resume with a changed config or
    overwrite a run directory. ``run.eval_every`` evaluates during training as the command does. ``run_dir``: train
    in this folder instead of ``out/run.name`` (a seed of a group, :mod:`condgan.groups`); ``source``: how errors
    name the config; ``evaluate(exp, generator, step) -> dict``: the in-training evaluation ``run.eval_every`` calls,
    instead of the configured metrics (:mod:`condgan.experiments` passes a reproduction's own).
    """
    from .build import build_experiment
    from .config import apply_overrides, parse_config
    from .plugin_manager import get_components, get_plugin_manager
    from .train import train

    raw, read_from = read_raw_config(config_or_preset, resume)
    source = source or read_from
    raw = apply_overrides(raw, list(overrides))
    if out is not None:
        raw.setdefault("run", {})["out_dir"] = str(out)
    comps = get_components()
    cfg = parse_config(raw, comps, source=source)
    exp = build_experiment(cfg, comps)
    if run_dir is None:
        run_dir = resume if resume is not None else Path(cfg.run.out_dir) / cfg.run.name
    if evaluate is None and cfg.run.eval_every:
        from .evaluation.during_training import make_evaluator

        evaluate = make_evaluator(exp, cfg.run.eval_metrics, cfg.run.eval_samples)
    return train(exp, Path(run_dir), versions=get_plugin_manager().versions(), resume=resume is not None, force=force,
                 evaluate=evaluate, log=log)
