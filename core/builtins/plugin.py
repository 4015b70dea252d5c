"""The ``core`` plugin: registers condgan's generic components through the same hooks a third-party plugin uses."""

from __future__ import annotations

from ..hookspecs import hookimpl
from ..registry import register_preset_folder, table_hook

# Each hook imports its own module, so collecting one kind (``condgan list presets``) imports no torch.


@hookimpl
def register_adversarial_losses(register):
    from . import adversarial

    for name, (factory, params, description) in adversarial.FAMILIES.items():
        register(name, factory, params=None if params is adversarial.NoParams else params, description=description)


@hookimpl
def register_regularizers(register):
    from . import regularizers

    for name, (factory, description) in regularizers.REGULARIZERS.items():
        register(name, factory, params=regularizers.RegularizerParams, description=description)


# the component tables of the built-in modules, each imported when its kind is collected (condgan.table_hook)
_objective_tables = (table_hook(".objectives:OBJECTIVES", __package__),
                     table_hook("..composite:OBJECTIVES", __package__))  # core.composite (issue 21)


@hookimpl
def register_objectives(register):
    for table in _objective_tables:
        table(register)


register_losses = table_hook("..terms:CORE_TERMS", __package__)
register_datasets = table_hook(".datasets:DATASETS", __package__)
register_metrics = table_hook("..evaluation.metrics_registry:METRICS", __package__)
# networks (nets.py)
register_generators, register_discriminators, register_classifiers = (
    table_hook(f".nets:NETWORKS[{kind}]", __package__) for kind in ("generators", "discriminators", "classifiers"))
# what a step samples and shows D (sampling.py)
register_prior_updaters, register_batch_composers, register_latent_samplers = (
    table_hook(f".sampling:SAMPLING[{kind}]", __package__)
    for kind in ("prior_updaters", "batch_composers", "latent_samplers"))


@hookimpl
def register_presets(register):
    register_preset_folder(register, "condgan")


@hookimpl
def register_reproductions(register):
    from ..league import reproduce_league, reproduce_league_fashion, reproduce_league_mog

    register("league", reproduce_league,
             description="every class-conditional objective on 8x8 digits, same networks, budget and evaluator; "
                         "FID, intra-FID, KID, class accuracy, coverage over seeds, each against AC-GAN")
    register("league_fashion", reproduce_league_fashion,
             description="the league on Fashion-MNIST 28x28: six objectives spanning the family, 3 seeds, "
                         "core's Fashion-MNIST evaluator")
    register("league_mog", reproduce_league_mog,
             description="the league on UAC-GAN's 1-D mixture of Gaussians: every objective that builds on the MoG "
                         "nets; Gaussian MMD², poly-2 MMD², W1 per class over seeds, each against AC-GAN")
