"""Golden-text tests: a config with many mistakes fails before training with one message listing every problem,
its $.path and a suggestion; the CLI prints it without a traceback and exits 2."""

import textwrap

from condgan.cli import main

BAD = """
[run]
steps = -5
batch_sise = 32

[data]
type = "core.digits"

[objective]
type = "core.cgn"

[generator]
type = "core.dcgan_g"
chanels = 16
norm = "batchy"

[discriminator]
type = "core.dcgan_d"

[optimizers.generatr]
lr = 1e-3

[optimizers.discriminator]
lr = "fast"

[extra]
x = 1
"""

EXPECTED = """{path}: 8 problem(s) in the config:
  $.extra: unknown table 'extra'. Tables: classifier, composer, data, discriminator, generator, latent, objective, optimizers, prior, run, statistics_network
  $.run.batch_sise: unknown key 'batch_sise' for [run]. Did you mean 'batch_size'? Valid keys: name, out_dir, seed, steps, batch_size, g_every, update, prior_update, device, log_every, sample_every, checkpoint_every, keep_checkpoints, ema_decay, precision, compile, channels_last, pin_memory, data_workers, sync_batchnorm, deterministic, on_nonfinite, eval_every, eval_metrics, eval_samples, progress, tensorboard, threads, tune_malloc
  $.run.steps: 'steps' must be >= 1: -5
  $.objective.type: unknown objective 'core.cgn'. Did you mean 'core.cgan'?
  Known objectives from plugin 'core': core.ac_gan, core.cgan, core.composite. See all {n} with `condgan list objectives`.
  $.generator.chanels: unknown key 'chanels' for generator 'core.dcgan_g'. Did you mean 'channels'? Valid keys: channels, norm, condition_input, dropout
  $.generator.norm: must be one of 'none', 'batch', 'instance', 'spectral'
  $.optimizers.generatr: unknown optimizer 'generatr'. Did you mean 'generator'? Optimizers are named after the component they train: generator, discriminator, classifier, statistics_network, prior
  $.optimizers.discriminator.lr: expected float, got 'fast'
"""


def run_cli(tmp_path, text, capsys, *extra):
    cfg = tmp_path / "config.toml"
    cfg.write_text(textwrap.dedent(text))
    code = main(["train", str(cfg), "--out", str(tmp_path / "runs"), *extra])
    out = capsys.readouterr()
    return code, out.err, cfg


def test_every_problem_reported_at_once(tmp_path, capsys, components):
    code, err, cfg = run_cli(tmp_path, BAD, capsys)
    assert code == 2
    n = len(components["objectives"])
    assert err == EXPECTED.format(path=cfg, n=n)
    assert "Traceback" not in err
    assert not (tmp_path / "runs").exists()  # nothing was built or trained


def test_named_components_inside_params_are_checked(tmp_path, capsys):
    code, err, cfg = run_cli(tmp_path, """
        [data]
        type = "core.digits"
        [objective]
        type = "core.cgan"
        adversarial = "core.hingee"
        [generator]
        type = "core.dcgan_g"
        [discriminator]
        type = "cagn.dcgan_d"
        """, capsys)
    assert code == 2
    assert err == (
        f"{cfg}: 2 problem(s) in the config:\n"
        "  $.objective.adversarial: unknown adversarial loss 'core.hingee'. Did you mean 'core.hinge'?\n"
        "  Known adversarial losses from plugin 'core': core.hinge, core.least_squares, core.minimax, core.non_saturating, "
        "core.wasserstein. See all 5 with `condgan list adversarial_losses`.\n"
        "  $.discriminator.type: no plugin named 'cagn' is loaded. Did you mean 'cagan'? See `condgan plugins`.\n"
    )


def test_missing_tables_and_unqualified_names(tmp_path, capsys):
    code, err, cfg = run_cli(tmp_path, """
        [data]
        type = "digits"
        [objective]
        type = "core.cgan"
        """, capsys)
    assert code == 2
    assert err == (
        f"{cfg}: 3 problem(s) in the config:\n"
        "  $.data.type: dataset name 'digits' must be qualified as '<plugin>.<name>'. Did you mean 'core.digits'? "
        "See all with `condgan list datasets`.\n"
        "  $.generator: missing table [generator] (its 'type' names a registered generator; see `condgan list generators`)\n"
        "  $.discriminator: missing table [discriminator] (its 'type' names a registered discriminator; see `condgan list discriminators`)\n"
    )


def test_set_override_errors_and_values(tmp_path, capsys):
    code, err, _ = run_cli(tmp_path, """
        [data]
        type = "core.digits"
        [objective]
        type = "core.cgan"
        [generator]
        type = "core.mlp_g"
        [discriminator]
        type = "core.mlp_d"
        """, capsys, "--set", "run.update=sometimes")
    assert code == 2
    assert "$.run.update: must be one of 'alternating', 'simultaneous'" in err


def test_missing_config_file(tmp_path, capsys):
    assert main(["train", str(tmp_path / "nope.toml")]) == 2
    assert "config file not found" in capsys.readouterr().err


NEEDS_T = """
from condgan import hookimpl
from condgan.builtins.objectives import CGANObjective, CGANParams

class NeedsT(CGANObjective):
    requires = frozenset({"statistics_network"})
    losses = {**CGANObjective.losses, "mi": "statistics_network"}

@hookimpl
def register_objectives(register):
    register("needs_t", NeedsT, params=CGANParams, description="test objective that requires T")
"""


def test_requirements_checked_before_training(tmp_path, monkeypatch):
    from condgan.build import build_experiment
    from condgan.config import parse_config
    from condgan.errors import ConfigError
    from condgan.plugins import DEFAULT_PLUGINS
    from condgan.plugin_manager import PluginManager

    (tmp_path / "needs_t_plugin.py").write_text(NEEDS_T)
    monkeypatch.syspath_prepend(str(tmp_path))
    comps = PluginManager(load_entry_points=False, builtins={"core": DEFAULT_PLUGINS["core"], "t": "needs_t_plugin"}).components()
    raw = {"data": {"type": "core.gaussian_clusters", "n": 64}, "objective": {"type": "t.needs_t"},
           "generator": {"type": "core.mlp_g"}, "discriminator": {"type": "core.mlp_d"}}
    try:
        build_experiment(parse_config(raw, comps, source="c.toml"), comps)
    except ConfigError as exc:
        assert str(exc) == ("c.toml: $.statistics_network: objective 't.needs_t' requires a statistics network, but the "
                            "config has no [statistics_network] table. Registered: (none).")
    else:
        raise AssertionError("no ConfigError")
