"""Plugin discovery and loading: built-ins and entry points through one path, surviving broken plugins.

* Built-ins come from :data:`condgan.plugins.DEFAULT_PLUGINS` (plugin name -> module); third-party plugins from the
  entry-point group ``condgan.plugins`` (entry-point name = plugin name = component prefix).
* A plugin that fails to import, implements an unknown hook, raises inside a hook or registers a bad component is
  skipped with a warning naming its distribution; none of its registrations are kept. It becomes an error only
  when a config uses it.
* Two distributions declaring one plugin name: neither is loaded (a third-party name equal to a built-in's loses),
  and the message names both.
* ``CONDGAN_DISABLE_PLUGINS=a,b`` blocks plugins; ``CONDGAN_PLUGIN_ERRORS=raise`` makes load failures fatal.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata as md
import os
import warnings
from typing import Any

import attrs
import pluggy

from . import hookspecs
from .errors import PluginLoadError, did_you_mean
from .registry import Components, Entry, Registry, make_register

ENTRY_POINT_GROUP = "condgan.plugins"


class CondganPluginWarning(UserWarning):
    """A plugin was skipped; the message says which, from which distribution, and why."""


@attrs.define
class PluginInfo:
    """What ``condgan plugins`` shows for one plugin."""

    name: str
    module: str
    distribution: str
    version: str
    status: str = "active"  # active | disabled | failed
    error: str = ""
    hooks: list[str] = attrs.field(factory=list)
    counts: dict[str, int] = attrs.field(factory=dict)
    builtin: bool = False

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


def _env_list(name: str) -> set[str]:
    return {s.strip() for s in os.environ.get(name, "").split(",") if s.strip()}


def _dist_of(ep: md.EntryPoint) -> tuple[str, str]:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return ("unknown", "?")
    return (dist.metadata["Name"] or "unknown", dist.version or "?")


class PluginManager:
    """Loads plugins once and collects their components into :class:`~condgan.registry.Components`."""

    def __init__(self, *, load_entry_points: bool = True, builtins: dict[str, str] | None = None,
                 disabled: set[str] | None = None, raise_errors: bool | None = None):
        from condgan.plugins import DEFAULT_PLUGINS

        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.infos: dict[str, PluginInfo] = {}
        self.disabled = _env_list("CONDGAN_DISABLE_PLUGINS") if disabled is None else set(disabled)
        self.raise_errors = (os.environ.get("CONDGAN_PLUGIN_ERRORS") == "raise") if raise_errors is None else raise_errors
        self._components: Components | None = None
        from condgan import __version__

        for name, modname in (DEFAULT_PLUGINS if builtins is None else builtins).items():
            self._load(name, modname, lambda m=modname: importlib.import_module(m), "condgan", __version__, builtin=True)
        if load_entry_points:
            self._load_entry_points()

    # -- loading -------------------------------------------------------------------------------------------------
    def _load_entry_points(self) -> None:
        by_name: dict[str, list[md.EntryPoint]] = {}
        for ep in md.entry_points(group=ENTRY_POINT_GROUP):
            by_name.setdefault(ep.name, []).append(ep)
        for name, eps in sorted(by_name.items()):
            dists = [_dist_of(ep) for ep in eps]
            # the same distribution found twice on sys.path (e.g. editable + site) is one provider
            unique = sorted(set(dists))
            if name in self.infos or len(unique) > 1:
                providers = ([f"condgan {self.infos[name].version} (built-in)"] if name in self.infos else [])
                providers += [f"{d} {v}" for d, v in unique]
                msg = (f"two installed distributions declare plugin '{name}' in entry-point group "
                       f"'{ENTRY_POINT_GROUP}':\n" + "\n".join(f"  - {p}" for p in providers)
                       + "\nOnly one can be loaded. Uninstall one of them.")
                if name in self.infos:  # the built-in stays
                    self._fail(PluginInfo(name + "@" + unique[0][0], eps[0].value, *unique[0]), msg, warn_name=name)
                else:
                    self._fail(PluginInfo(name, eps[0].value, *unique[0]), msg)
                continue
            ep = eps[0]
            self._load(name, ep.value, ep.load, *unique[0], builtin=False)

    def _load(self, name: str, modname: str, loader, dist: str, version: str, builtin: bool) -> None:
        info = PluginInfo(name, modname, dist, version, builtin=builtin)
        if name in self.disabled:
            info.status = "disabled"
            self.infos[name] = info
            return
        try:
            module = loader()
        except Exception as exc:  # noqa: BLE001 - any import failure of a plugin is isolated
            self._fail(info, f"{type(exc).__name__}: {exc}")
            return
        unknown = [
            attr for attr in dir(module)
            if hasattr(getattr(module, attr, None), f"{hookspecs.PROJECT}_impl") and not hasattr(self.pm.hook, attr)
        ]
        if unknown:
            hint = did_you_mean(unknown[0], hookspecs.KINDS.values())
            self._fail(info, f"implements unknown hook '{unknown[0]}'.{hint}")
            return
        try:
            self.pm.register(module, name=name)
        except Exception as exc:  # noqa: BLE001 - pluggy validation; it does not roll back, so we do
            if self.pm.get_plugin(name) is module:
                self.pm.unregister(module)
            self._fail(info, f"{type(exc).__name__}: {exc}")
            return
        info.hooks = sorted(h.name for h in (self.pm.get_hookcallers(module) or []))
        self.infos[name] = info

    def _fail(self, info: PluginInfo, error: str, warn_name: str | None = None) -> None:
        info.status, info.error = "failed", error
        self.infos[info.name] = info
        shown = warn_name or info.name
        if self.pm.get_plugin(info.name) is not None:
            self.pm.unregister(name=info.name)
        msg = (f"plugin '{shown}' from {info.distribution} {info.version} failed to load and was skipped: {error}\n"
               f"(set CONDGAN_PLUGIN_ERRORS=raise to make this fatal, CONDGAN_DISABLE_PLUGINS={shown} to silence it)")
        if self.raise_errors:
            raise PluginLoadError(msg)
        warnings.warn(msg, CondganPluginWarning, stacklevel=3)

    # -- components ---------------------------------------------------------------------------------------------
    def components(self, kinds: tuple[str, ...] | None = None) -> Components:
        """All registered components, collected once per manager. A plugin whose hook raises is dropped whole.

        ``kinds`` collects only those kinds (``condgan list presets`` needs no network, so it imports no torch);
        a partial result is not cached, and a plugin whose hook for another kind is broken is found only by a
        full collection."""
        if self._components is not None:
            return self._components
        wanted = {kind: hook for kind, hook in hookspecs.KINDS.items() if kinds is None or kind in kinds}
        regs = {kind: Registry(kind) for kind in hookspecs.KINDS}
        for name, info in list(self.infos.items()):
            if info.status != "active":
                continue
            module = self.pm.get_plugin(name)
            staged = {kind: Registry(kind) for kind in wanted}
            try:
                for kind, hook in wanted.items():
                    impl = getattr(module, hook, None)
                    if impl is None or not hasattr(impl, f"{hookspecs.PROJECT}_impl"):
                        continue
                    impl(register=make_register(staged[kind], name))
            except Exception as exc:  # noqa: BLE001 - isolate the plugin
                self._fail(info, f"{type(exc).__name__} in {hook}: {exc}")
                continue
            for kind, reg in staged.items():
                for entry in reg:
                    regs[kind].add(entry)
                if len(reg) and kinds is None:
                    info.counts[kind] = len(reg)
        loaded = tuple(n for n, i in self.infos.items() if i.status == "active")
        failed = {n: i.error for n, i in self.infos.items() if i.status == "failed"}
        found = Components(regs, loaded, failed)
        if kinds is None:
            self._components = found
        return found

    def plugins(self) -> list[PluginInfo]:
        self.components()
        return sorted(self.infos.values(), key=lambda i: (not i.builtin, i.name))

    def versions(self) -> dict[str, dict[str, str]]:
        """Plugin name -> distribution and version, for the run manifest."""
        return {i.name: {"distribution": i.distribution, "version": i.version, "status": i.status} for i in self.plugins()}


@functools.cache
def get_plugin_manager() -> PluginManager:
    """The process-wide default manager (built-ins + entry points), created on first use."""
    return PluginManager()


def reset_plugin_manager() -> None:
    get_plugin_manager.cache_clear()


def get_components(kinds: tuple[str, ...] | None = None) -> Components:
    """The default manager's components; ``kinds`` collects only those (see :meth:`PluginManager.components`)."""
    return get_plugin_manager().components(kinds)


def list_components(kind: str, pattern: str = "*", exclude=()) -> list[str]:
    """Names of the registered components of ``kind`` matching the fnmatch ``pattern`` and none of ``exclude``
    (like timm's ``list_models``): ``list_components("objectives", "cagan.*")``."""
    return [e.name for e in get_components()[kind].list(pattern, exclude)]


def get_component(kind: str, name: str) -> Entry:
    """The registry entry of one component: ``entry.factory``, ``entry.params`` (its attrs class or None),
    ``entry.description``, and ``entry.build(params, ctx)``. An unknown name raises
    :class:`~condgan.errors.UnknownComponentError` with a did-you-mean."""
    return get_components().get(kind, name)


def build_component(kind: str, name: str, ctx: Any = None, **params: Any) -> Any:
    """Build one component by name with keyword parameters, validated as a config's would be, e.g.
    ``build_component("adversarial_losses", "core.least_squares", b=0.9)``."""
    from .config import structure_params

    entry = get_component(kind, name)
    return entry.build(structure_params(entry, params, f"$.{kind}"), ctx)
