"""Meta-tests: every hook is documented with its exact signature and tested; every registered component has a
description and appears in the generated config reference, which must be current."""

import inspect
import textwrap
import warnings
from pathlib import Path

import pytest

from condgan import hookspecs
from condgan.docs_gen import config_reference
from condgan.plugin_manager import PluginManager
from condgan.plugins import DEFAULT_PLUGINS

ROOT = Path(__file__).resolve().parents[1]

#: one test plugin per hook: the hook registers one component; the test checks it arrives prefixed
HOOK_TESTS = {
    "register_datasets": "datasets",
    "register_objectives": "objectives",
    "register_adversarial_losses": "adversarial_losses",
    "register_regularizers": "regularizers",
    "register_losses": "losses",
    "register_generators": "generators",
    "register_discriminators": "discriminators",
    "register_classifiers": "classifiers",
    "register_statistics_networks": "statistics_networks",
    "register_prior_updaters": "prior_updaters",
    "register_batch_composers": "batch_composers",
    "register_latent_samplers": "latent_samplers",
    "register_metrics": "metrics",
    "register_presets": "presets",
    "register_reproductions": "reproductions",
}


def test_every_hook_has_a_test():
    assert set(HOOK_TESTS) == set(hookspecs.KINDS.values()), "add the new hook to HOOK_TESTS (and docs/plugins.md)"


@pytest.mark.parametrize("hook", sorted(hookspecs.KINDS.values()))
def test_every_hook_is_documented_with_its_signature(hook):
    docs = (ROOT / "docs" / "plugins.md").read_text()
    sig = inspect.signature(getattr(hookspecs, hook))
    assert f"`{hook}({', '.join(sig.parameters)})`" in docs, f"docs/plugins.md lacks `{hook}{sig}`"


@pytest.mark.parametrize("hook", sorted(HOOK_TESTS))
def test_hook(hook, tmp_path, monkeypatch):
    kind = HOOK_TESTS[hook]
    (tmp_path / f"hookplug_{kind}.py").write_text(textwrap.dedent(f"""
        from condgan import hookimpl
        @hookimpl
        def {hook}(register):
            register("thing", lambda params, ctx: "built", description="a test {kind} entry")
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the registration must not warn
        comps = PluginManager(load_entry_points=False, builtins={"hp": f"hookplug_{kind}"}).components()
    entry = comps.get(kind, "hp.thing")
    assert entry.plugin == "hp" and entry.description == f"a test {kind} entry"
    assert entry.build() == "built"


def test_config_reference_is_current(components):
    path = ROOT / "docs" / "config-reference.md"
    assert path.read_text() == config_reference(components), (
        "docs/config-reference.md is stale: run `python -m condgan.docs_gen docs/config-reference.md`")


def test_every_component_is_described_and_in_the_reference(components):
    ref = config_reference(components)
    for kind, reg in components.registries.items():
        for e in reg:
            assert e.description, f"{e.name} has no description"
            if kind not in ("presets", "reproductions") and e.plugin in DEFAULT_PLUGINS:
                assert f"### `{e.name}`" in ref
