"""Shared test settings: hypothesis profiles (CONDGAN_HYPOTHESIS_PROFILE = dev | ci | fast; CI=true picks ci)."""

import os
import warnings

import pytest
import torch
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile("ci", max_examples=40, deadline=None, derandomize=True, print_blob=True,
                          suppress_health_check=(HealthCheck.too_slow,))
settings.register_profile("fast", max_examples=10, deadline=None)
settings.load_profile(os.environ.get("CONDGAN_HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))

torch.set_num_threads(max(1, min(2, torch.get_num_threads())))


@pytest.fixture(autouse=True)
def _torch_threads_restored():
    """A test that sets torch's thread count must not change the float reduction order of the tests after it (it once
    broke the bit-exact kill/resume test)."""
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


@pytest.fixture
def components():
    """The default registry (built-ins + installed plugins)."""
    from condgan.plugin_manager import get_components

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return get_components()


@pytest.fixture
def fresh_manager(monkeypatch):
    """A plugin manager built fresh for one test; the default one is reset afterwards."""
    from condgan import plugin_manager

    plugin_manager.reset_plugin_manager()
    yield plugin_manager.PluginManager
    plugin_manager.reset_plugin_manager()
