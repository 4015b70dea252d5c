"""Text generated from the registry: ``condgan describe`` and the config reference in docs/."""

from __future__ import annotations

import inspect

import attrs

from .hookspecs import SINGULAR
from .registry import Entry


def _field_doc(cls: type, name: str) -> str:
    """The ``#:`` comment above a field in the class source, or in the nearest base class that documents it (a
    params class that only changes defaults, such as ``cagan.modified_ac_gan``'s, inherits the meanings)."""
    for klass in getattr(cls, "__mro__", (cls,)):
        try:
            src = inspect.getsource(klass).splitlines()
        except (OSError, TypeError):
            continue
        for i, line in enumerate(src):
            s = line.strip()
            if s.startswith(f"{name}:") and i > 0 and src[i - 1].strip().startswith("#:"):
                return src[i - 1].strip()[2:].strip()
    return ""


def _type_name(t) -> str:
    if t is None:
        return "?"
    if isinstance(t, str):  # annotations stay strings until cattrs resolves them: render both forms alike
        return t
    if isinstance(t, type) and not getattr(t, "__args__", None):
        return t.__name__
    return str(t).replace("typing.", "")


def param_rows(params: type | None) -> list[tuple[str, str, str, str]]:
    if params is None:
        return []
    rows = []
    for f in attrs.fields(params):
        default = f.default.factory() if isinstance(f.default, attrs.Factory) else f.default
        rows.append((f.name, _type_name(f.type), repr(default), _field_doc(params, f.name)))
    return rows


def describe_entry(e: Entry) -> str:
    lines = [f"{e.name}  ({SINGULAR[e.kind]}, plugin '{e.plugin}')",
             f"  {e.description}"]
    describe = getattr(e.factory, "describe", None)  # a loss term describes itself (equation, sides, reads)
    doc = describe() if callable(describe) else inspect.getdoc(e.factory) if callable(e.factory) else None
    if doc:
        lines += ["", *("  " + line for line in doc.splitlines()[:12])]
    rows = param_rows(e.params)
    if rows:
        lines += ["", "  parameters:"]
        for name, typ, default, doc in rows:
            lines.append(f"    {name} : {typ} = {default}" + (f"\n        {doc}" if doc else ""))
    elif e.kind not in ("presets", "reproductions"):
        lines += ["", "  (no parameters)"]
    return "\n".join(lines)


def config_reference(components, plugins=None) -> str:
    """Markdown: every built-in component (or those of ``plugins``) with its parameters (docs/config-reference.md)."""
    from condgan.plugins import DEFAULT_PLUGINS

    plugins = set(DEFAULT_PLUGINS) if plugins is None else set(plugins)
    out = ["# Config reference", "",
           "Generated from the registered components' parameter classes by `python -m condgan.docs_gen`. "
           "Do not edit by hand; `tests/test_docs_and_hooks.py` checks it is current.", ""]
    from .config import OptimizerParams, RunParams

    for title, cls in (("[run]", RunParams), ("[optimizers.<component>]", OptimizerParams)):
        out += [f"## `{title}`", "", (cls.__doc__ or "").strip().splitlines()[0], "",
                "| key | type | default | meaning |", "|---|---|---|---|"]
        out += [f"| `{n}` | `{t}` | `{d}` | {doc} |" for n, t, d, doc in param_rows(cls)] + [""]
    for kind, reg in components.registries.items():
        if kind in ("presets", "reproductions"):
            continue
        out += [f"## {kind}", ""]
        for e in (e for e in reg if e.plugin in plugins):
            out += [f"### `{e.name}`", "", e.description or "(no description)", ""]
            rows = param_rows(e.params)
            if rows:
                out += ["| key | type | default | meaning |", "|---|---|---|---|"]
                out += [f"| `{n}` | `{t}` | `{d}` | {doc} |" for n, t, d, doc in rows]
            else:
                out.append("No parameters.")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    import sys
    from pathlib import Path

    from .plugin_manager import get_components

    text = config_reference(get_components())
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(text)
    else:
        print(text)
