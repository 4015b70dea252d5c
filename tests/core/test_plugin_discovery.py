"""Plugin discovery with fake installed distributions: a good plugin, a broken one, two with one name, a hook typo,
a plugin raising in its hook; CONDGAN_DISABLE_PLUGINS. One broken plugin never stops the others."""

import json
import textwrap
import warnings

import pytest

from condgan.errors import PluginLoadError
from condgan.plugin_manager import CondganPluginWarning, PluginManager


def make_dist(root, dist, version, module, source, ep_name=None):
    (root / f"{module}.py").write_text(textwrap.dedent(source))
    info = root / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(f"[condgan.plugins]\n{ep_name or module} = {module}\n")


GOOD = """
import attrs
from condgan import hookimpl
from condgan.losses import AdversarialLoss
import torch.nn.functional as F

@hookimpl
def register_adversarial_losses(register):
    register("softplus2", lambda p, c: AdversarialLoss("softplus2", lambda t: F.softplus(-2 * t),
             lambda t: F.softplus(2 * t), lambda t: F.softplus(-2 * t)), description="a test family")
"""

BROKEN = "import module_that_does_not_exist\n"

TYPO = """
from condgan import hookimpl
@hookimpl
def register_lossess(register):
    pass
"""

RAISES = """
from condgan import hookimpl
@hookimpl
def register_adversarial_losses(register):
    register("first", lambda p, c: None, description="registered before the failure")
    raise RuntimeError("boom inside the hook")
"""


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("CONDGAN_DISABLE_PLUGINS", raising=False)
    monkeypatch.delenv("CONDGAN_PLUGIN_ERRORS", raising=False)
    return tmp_path


def load(**kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pm = PluginManager(**kw)
        comps = pm.components()
    return pm, comps, [str(w.message) for w in caught if issubclass(w.category, CondganPluginWarning)]


def test_good_plugin_is_found_and_prefixed(site):
    make_dist(site, "condgan-good", "0.3", "goodplug", GOOD, ep_name="good")
    pm, comps, warns = load()
    assert "good.softplus2" in comps["adversarial_losses"]
    info = {i.name: i for i in pm.plugins()}["good"]
    assert (info.distribution, info.version, info.status) == ("condgan-good", "0.3", "active")
    assert info.counts == {"adversarial_losses": 1}
    assert not warns


def test_broken_plugin_is_skipped_with_a_warning_naming_its_distribution(site):
    make_dist(site, "condgan-broken", "1.2", "brokenplug", BROKEN, ep_name="broken")
    make_dist(site, "condgan-good", "0.3", "goodplug", GOOD, ep_name="good")
    pm, comps, warns = load()
    assert "good.softplus2" in comps["adversarial_losses"]  # the others still load
    assert "core.hinge" in comps["adversarial_losses"]
    assert warns == [
        "plugin 'broken' from condgan-broken 1.2 failed to load and was skipped: ModuleNotFoundError: No module "
        "named 'module_that_does_not_exist'\n(set CONDGAN_PLUGIN_ERRORS=raise to make this fatal, "
        "CONDGAN_DISABLE_PLUGINS=broken to silence it)"
    ]
    info = {i.name: i for i in pm.plugins()}["broken"]
    assert info.status == "failed"
    # using it is an error that says why
    msg = comps["adversarial_losses"].unknown_message("broken.x", comps.failed_plugins, comps.loaded_plugins)
    assert msg.startswith("plugin 'broken' failed to load, so adversarial loss 'broken.x' is unavailable: ModuleNotFoundError")


def test_plugin_errors_raise_when_asked(site, monkeypatch):
    make_dist(site, "condgan-broken", "1.2", "brokenplug", BROKEN, ep_name="broken")
    monkeypatch.setenv("CONDGAN_PLUGIN_ERRORS", "raise")
    with pytest.raises(PluginLoadError, match="plugin 'broken' from condgan-broken 1.2 failed to load"):
        PluginManager()


def test_two_distributions_with_one_plugin_name_are_both_named(site):
    a, b = site / "a", site / "b"
    a.mkdir(), b.mkdir()
    make_dist(a, "dup-a", "0.1", "dupa", GOOD, ep_name="dup")
    make_dist(b, "dup-b", "0.2", "dupb", GOOD, ep_name="dup")
    import sys
    sys.path[:0] = [str(a), str(b)]
    try:
        pm, comps, warns = load()
    finally:
        sys.path.remove(str(a)), sys.path.remove(str(b))
    assert len(warns) == 1
    assert "two installed distributions declare plugin 'dup' in entry-point group 'condgan.plugins':\n  - dup-a 0.1\n  - dup-b 0.2\nOnly one can be loaded. Uninstall one of them." in warns[0]
    assert not [n for n in comps["adversarial_losses"].names() if n.startswith("dup.")]


def test_third_party_cannot_take_a_builtin_name(site):
    make_dist(site, "evil", "0.1", "evilplug", GOOD, ep_name="core")
    pm, comps, warns = load()
    assert "core.hinge" in comps["adversarial_losses"]
    assert "core.softplus2" not in comps["adversarial_losses"]
    assert "two installed distributions declare plugin 'core'" in warns[0] and "condgan 0.1.0 (built-in)" in warns[0]


def test_hook_typo_is_reported_with_did_you_mean(site):
    make_dist(site, "condgan-typo", "0.1", "typoplug", TYPO, ep_name="typo")
    pm, comps, warns = load()
    assert "implements unknown hook 'register_lossess'. Did you mean 'register_classifiers'" in warns[0] or \
           "implements unknown hook 'register_lossess'." in warns[0]


def test_plugin_raising_in_its_hook_keeps_none_of_its_registrations(site):
    make_dist(site, "condgan-raises", "0.1", "raisesplug", RAISES, ep_name="raises")
    make_dist(site, "condgan-good", "0.3", "goodplug", GOOD, ep_name="good")
    pm, comps, warns = load()
    assert "raises.first" not in comps["adversarial_losses"]
    assert "good.softplus2" in comps["adversarial_losses"]
    assert any("RuntimeError in register_adversarial_losses: boom inside the hook" in w for w in warns)


def test_disable_plugins(site, monkeypatch):
    make_dist(site, "condgan-good", "0.3", "goodplug", GOOD, ep_name="good")
    monkeypatch.setenv("CONDGAN_DISABLE_PLUGINS", "good,cagan")
    pm, comps, warns = load()
    status = {i.name: i.status for i in pm.plugins()}
    assert status["good"] == status["cagan"] == "disabled"
    assert not [n for n in comps["objectives"].names() if n.startswith("cagan.")]


def test_plugins_json_lists_distribution_version_status_counts(site, capsys, monkeypatch):
    from condgan import plugin_manager
    from condgan.cli import main

    make_dist(site, "condgan-good", "0.3", "goodplug", GOOD, ep_name="good")
    plugin_manager.reset_plugin_manager()
    try:
        assert main(["plugins", "--json"]) == 0
    finally:
        plugin_manager.reset_plugin_manager()
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["good"]["distribution"] == "condgan-good" and rows["good"]["version"] == "0.3"
    assert rows["good"]["status"] == "active" and rows["good"]["counts"] == {"adversarial_losses": 1}
    for builtin in ("core", "cagan", "amgan", "cgpgan", "uacgan"):
        assert rows[builtin]["status"] == "active", rows[builtin]


def test_bad_registration_names_are_rejected(site):
    make_dist(site, "condgan-badname", "0.1", "badname", """
from condgan import hookimpl
@hookimpl
def register_generators(register):
    register("Bad-Name", lambda p, c: None, description="x")
""", ep_name="badname")
    pm, comps, warns = load()
    assert any("names must match ^[a-z][a-z0-9_]*$" in w for w in warns)
