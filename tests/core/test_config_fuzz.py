"""Config fuzzing: random structures, types and values always give a ConfigError with $.paths (or a valid config),
never another exception; the CLI prints it without a traceback."""

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from condgan.config import COMPONENT_TABLES, parse_config
from condgan.errors import ConfigError

KEYS = list(COMPONENT_TABLES) + ["run", "optimizers", "type", "steps", "batch_size", "lr", "betas", "channels", "norm",
                                  "adversarial", "seed", "generator", "discriminator", "probs", "x"]
TYPES = ["core.digits", "core.cgan", "core.mlp_g", "core.mlp_d", "core.dcgan_g", "core.fixed", "core.hinge", "nope.x", "x"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                    st.text(string.printable, max_size=8), st.sampled_from(TYPES))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                     st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)),
                      max_leaves=12)
configs = st.dictionaries(st.sampled_from(KEYS), values, max_size=8)

import warnings

from condgan.plugin_manager import get_components

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    COMPONENTS = get_components()


@settings(max_examples=300, deadline=None)
@given(configs)
def test_random_configs_give_config_errors_with_paths(raw):
    try:
        parse_config(raw, COMPONENTS)
    except ConfigError as exc:
        assert exc.problems and all(path.startswith(("$", "--set")) for path, _ in exc.problems), exc.problems
        str(exc)  # renders


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(["steps", "batch_size", "g_every", "update", "ema_decay", "precision", "seed",
                                        "eval_metrics", "name", "threads"]), scalars, max_size=5))
def test_random_run_tables(run):
    raw = {"run": run, "data": {"type": "core.digits"}, "objective": {"type": "core.cgan"},
           "generator": {"type": "core.mlp_g"}, "discriminator": {"type": "core.mlp_d"}}
    try:
        parse_config(raw, COMPONENTS)
    except ConfigError as exc:
        assert all(p.startswith("$.run") for p, _ in exc.problems), exc.problems
