"""Contract tests, parametrised over every registered component (built-ins and installed plugins):
networks (shapes, dtype, a gradient to every parameter, determinism), priors, objectives (a tiny experiment trains;
each optimizer changes its network; same seed, same weights), datasets that need no files, presets that build."""

import tomllib
import warnings
from pathlib import Path

import pytest

from condgan.plugin_manager import get_components
from condgan.testing import check_dataset, check_network, check_objective, check_prior

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    COMPONENTS = get_components()


def names(kind):
    return COMPONENTS[kind].names()


@pytest.mark.parametrize("name", names("generators") + names("discriminators") + names("classifiers") + names("statistics_networks"))
def test_network_contract(name):
    (entry,) = COMPONENTS.find(name)[:1] if len(COMPONENTS.find(name)) == 1 else [e for e in COMPONENTS.find(name) if e.kind != "presets"][:1]
    check_network(entry)


@pytest.mark.parametrize("name", names("prior_updaters"))
def test_prior_contract(name):
    check_prior(COMPONENTS.get("prior_updaters", name))


#: tables a tiny run needs so that every optimizer moves within two steps (delayed starts set to 0)
CONTRACT_TABLES = {"cgpgan.elastic_infogan": {"prior": {"type": "cgpgan.gumbel", "start_epoch": 0}},
                   # ReACGAN's class proxies live in its wrapping discriminator
                   "reacgan.reacgan": {"discriminator": {"type": "reacgan.proxy_d", "trunk": "core.mlp_d",
                                                         "trunk_params": {"hidden": 16, "layers": 2}}},
                   # a composite needs its terms: core's adversarial terms on the cond head and R1
                   "core.composite": {"objective": {"type": "core.composite", "terms": [
                       {"name": "core.adversarial_d", "options": {"head": "cond"}},
                       {"name": "core.r1", "weight": 1.0, "options": {"head": "cond"}},
                       {"name": "core.adversarial_g", "options": {"head": "cond"}}]}}}


@pytest.mark.parametrize("name", names("objectives"))
def test_objective_contract(name):
    from condgan.testing import tiny_config

    check_objective(name, COMPONENTS, config=tiny_config(name, extra=CONTRACT_TABLES.get(name)))


OFFLINE_DATASETS = ["core.gaussian_clusters", "core.mog_1d", "core.digits", "core.digits_attributes"]


@pytest.mark.parametrize("name", OFFLINE_DATASETS)
def test_dataset_contract(name):
    entry = COMPONENTS.get("datasets", name)
    check_dataset(entry.build())


@pytest.mark.parametrize("name", names("adversarial_losses") + names("regularizers") + names("batch_composers")
                         + names("latent_samplers") + names("metrics"))
def test_every_component_has_a_description(name):
    for e in COMPONENTS.find(name):
        assert e.description, f"{name} has no description"


@pytest.mark.parametrize("name", names("presets"))
def test_preset_parses_and_builds(name, fashion_mnist_root):
    """Every preset of every plugin is a valid config whose experiment builds (Fashion-MNIST presets on the stand-in
    written by condgan.testing.write_fashion_mnist; any other dataset must be available)."""
    from condgan.build import build_experiment
    from condgan.config import parse_config
    from condgan.errors import ConfigError

    entry = COMPONENTS.get("presets", name)
    raw = tomllib.loads(Path(str(entry.factory)).read_text())
    if raw.get("data", {}).get("type") == "core.fashion_mnist":
        raw["data"]["root"] = fashion_mnist_root
    cfg = parse_config(raw, COMPONENTS, source=name)
    try:
        build_experiment(cfg, COMPONENTS)
    except ConfigError as exc:  # only a missing dataset file may stop a preset here
        if "not found" in str(exc) and "$.data" in str(exc):
            pytest.skip(f"dataset not available here: {exc}")
        raise
