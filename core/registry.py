"""The component registry: one table per kind, qualified names ``<plugin>.<name>``, wildcard listing.

Built fresh for each plugin manager by :func:`condgan.plugins_manager.collect` (no import-time globals).
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any, Callable, Iterator

import attrs

from .errors import DuplicateComponentError, UnknownComponentError, did_you_mean
from .hookspecs import KINDS, SINGULAR

LOCAL_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@attrs.frozen
class Entry:
    """One registered component."""

    kind: str
    name: str  # qualified: "<plugin>.<local>"
    factory: Callable[..., Any]
    params: type | None
    description: str
    plugin: str
    source: str  # "module:qualname" of the factory, for messages

    def build(self, params: Any = None, ctx: Any = None) -> Any:
        """``factory(params, ctx)``; ``params`` defaults to the params class's defaults."""
        if params is None and self.params is not None:
            params = self.params()
        return self.factory(params, ctx)


def _source(obj: Any) -> str:
    mod = getattr(obj, "__module__", None) or type(obj).__module__
    qual = getattr(obj, "__qualname__", None) or getattr(obj, "name", None) or type(obj).__qualname__
    return f"{mod}:{qual}"


class Registry:
    """All components of one kind."""

    def __init__(self, kind: str):
        if kind not in KINDS:
            raise ValueError(f"unknown component kind {kind!r}; kinds are {', '.join(KINDS)}")
        self.kind = kind
        self._entries: dict[str, Entry] = {}

    @property
    def singular(self) -> str:
        return SINGULAR[self.kind]

    def add(self, entry: Entry) -> None:
        old = self._entries.get(entry.name)
        if old is not None:
            raise DuplicateComponentError(
                f"{self.singular} '{entry.name}' is registered twice by plugin '{entry.plugin}': "
                f"first by {old.source}, again by {entry.source}"
            )
        self._entries[entry.name] = entry

    def __contains__(self, name: str) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[Entry]:
        return iter(sorted(self._entries.values(), key=lambda e: e.name))

    def __len__(self) -> int:
        return len(self._entries)

    def names(self) -> list[str]:
        return sorted(self._entries)

    def list(self, include: str = "*", exclude: tuple[str, ...] | list[str] = ()) -> list[Entry]:
        """Entries whose name matches the fnmatch pattern ``include`` and none of ``exclude``."""
        return [
            e for e in self
            if fnmatch.fnmatchcase(e.name, include) and not any(fnmatch.fnmatchcase(e.name, x) for x in exclude)
        ]

    def get(self, name: str, failed_plugins: dict[str, str] | None = None, loaded_plugins=()) -> Entry:
        """The entry for ``name``, or :class:`UnknownComponentError` with a did-you-mean and where to look."""
        if name in self._entries:
            return self._entries[name]
        raise UnknownComponentError(self.unknown_message(name, failed_plugins or {}, loaded_plugins))

    def unknown_message(self, name: str, failed_plugins: dict[str, str], loaded_plugins=()) -> str:
        plugin = name.split(".", 1)[0] if "." in name else ""
        if plugin and plugin in failed_plugins:
            return f"plugin '{plugin}' failed to load, so {self.singular} '{name}' is unavailable: {failed_plugins[plugin]}"
        if "." not in name:
            qualified = [n for n in self._entries if n.split(".", 1)[1] == name]
            hint = f" Did you mean '{qualified[0]}'?" if qualified else did_you_mean(name, self._entries)
            return (f"{self.singular} name '{name}' must be qualified as '<plugin>.<name>'.{hint} "
                    f"See all with `condgan list {self.kind}`.")
        if plugin and loaded_plugins and plugin not in loaded_plugins:
            return (f"no plugin named '{plugin}' is loaded.{did_you_mean(plugin, loaded_plugins)} "
                    f"See `condgan plugins`.")
        msg = f"unknown {self.singular} '{name}'.{did_you_mean(name, self._entries)}"
        same = [n for n in self.names() if n.startswith(plugin + ".")] if plugin else []
        if same:
            shown = ", ".join(same[:8]) + (", ..." if len(same) > 8 else "")
            msg += f"\n  Known {self.kind.replace('_', ' ')} from plugin '{plugin}': {shown}."
        msg += f" See all {len(self)} with `condgan list {self.kind}`."
        return msg


@attrs.define
class Components:
    """One :class:`Registry` per kind, plus which plugins loaded and which failed."""

    registries: dict[str, Registry]
    loaded_plugins: tuple[str, ...] = ()
    failed_plugins: dict[str, str] = attrs.field(factory=dict)

    def __getitem__(self, kind: str) -> Registry:
        if kind not in self.registries:
            raise KeyError(f"unknown component kind {kind!r}; kinds are {', '.join(self.registries)}")
        return self.registries[kind]

    def get(self, kind: str, name: str) -> Entry:
        return self[kind].get(name, self.failed_plugins, self.loaded_plugins)

    def find(self, name: str) -> list[Entry]:
        """Every entry of any kind called ``name``."""
        return [r._entries[name] for r in self.registries.values() if name in r]


def make_register(registry: Registry, plugin: str) -> Callable[..., None]:
    """The ``register`` callback given to one plugin's hook for one kind: adds the ``<plugin>.`` prefix."""

    def register(name: str, factory: Callable[..., Any], /, *, params: type | None = None, description: str = "") -> None:
        if not isinstance(name, str) or not LOCAL_NAME.match(name):
            raise ValueError(
                f"plugin '{plugin}' registered {registry.singular} name {name!r}: names must match "
                f"^[a-z][a-z0-9_]*$ (the '{plugin}.' prefix is added for you)"
            )
        if not callable(factory) and registry.kind not in ("presets",):
            raise TypeError(f"plugin '{plugin}' registered {registry.singular} '{name}' with a factory that is not callable: {factory!r}")
        if params is not None and not attrs.has(params):
            raise TypeError(
                f"plugin '{plugin}' registered {registry.singular} '{name}' with params={params!r}; "
                f"params must be an attrs class (or None)"
            )
        registry.add(Entry(registry.kind, f"{plugin}.{name}", factory, params, description or "", plugin, _source(factory)))

    return register


def register_preset_folder(register: Callable[..., None], package: str, folder: str = "presets") -> None:
    """Register every ``*.toml`` in ``<package>/<folder>`` as a preset named after the file; the description is
    the file's first comment line. For a plugin's ``register_presets`` hook::

        @hookimpl
        def register_presets(register):
            register_preset_folder(register, __package__)
    """
    from importlib.resources import files

    root = files(package) / folder
    if not root.is_dir():
        return
    for f in sorted(root.iterdir(), key=lambda p: p.name):
        if f.name.endswith(".toml"):
            first = f.read_text().splitlines()[0].lstrip("# ").strip()
            register(f.name[:-5], f, description=first)


def table_hook(table: str, package: str | None = None) -> Callable[..., None]:
    """A plugin's ``register_<kind>`` hook that registers every row of a component table, assigned to the hook's
    name in the plugin's ``__init__.py``::

        register_objectives = table_hook(".objectives:OBJECTIVES", __package__)
        register_generators = table_hook(".nets:NETWORKS[generators]", __package__)

    ``table`` is ``"module:NAME"`` or ``"module:NAME[key]"`` (``NAME[key]`` for one kind of a dict of tables; the
    module is relative to ``package`` when it starts with a dot). The table maps each local name to
    ``(factory, params class or None, one-line description)``, or, in a loss-term table (``register_losses``), to
    ``(LossTerm, one-line description)``: a term's params class is its ``options``. The module is imported when condgan collects that
    kind, not before, as a hand-written hook that imports inside its body (``condgan list presets`` stays free of
    torch). Write the hook by hand for anything that is not such a table (presets, reproductions).
    """
    import importlib

    from .hookspecs import hookimpl

    m = re.fullmatch(r"([.\w]+):(\w+)(?:\[(\w+)\])?", table)
    if m is None:
        raise ValueError(f"table_hook({table!r}): write the table as 'module:NAME' or 'module:NAME[key]'")
    module, name, key = m.groups()

    def register_table(register: Callable[..., None]) -> None:
        rows = getattr(importlib.import_module(module, package), name)
        for local, row in (rows if key is None else rows[key]).items():
            if len(row) == 2:  # a loss term and its description
                (factory, description), params = row, row[0].options
            else:
                factory, params, description = row
            register(local, factory, params=params, description=description)

    register_table.__qualname__ = f"table_hook({table!r})"
    return hookimpl(register_table)
