"""The ``core`` plugin: registers condgan's generic components through the same hooks a third-party plugin uses."""

from __future__ import annotations

from ..hookspecs import hookimpl

# Each hook imports its own module, so collecting one kind (``condgan list presets``) imports no torch.


def _register_table(register, table):
    for name, (factory, params, description) in table.items():
        register(name, factory, params=params, description=description)


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


@hookimpl
def register_datasets(register):
    from . import datasets

    _register_table(register, datasets.DATASETS)


@hookimpl
def register_generators(register):
    from . import nets

    _register_table(register, nets.NETWORKS["generators"])


@hookimpl
def register_discriminators(register):
    from . import nets

    _register_table(register, nets.NETWORKS["discriminators"])


@hookimpl
def register_classifiers(register):
    from . import nets

    _register_table(register, nets.NETWORKS["classifiers"])


@hookimpl
def register_prior_updaters(register):
    from . import sampling

    _register_table(register, sampling.SAMPLING["prior_updaters"])


@hookimpl
def register_batch_composers(register):
    from . import sampling

    _register_table(register, sampling.SAMPLING["batch_composers"])


@hookimpl
def register_latent_samplers(register):
    from . import sampling

    _register_table(register, sampling.SAMPLING["latent_samplers"])


@hookimpl
def register_objectives(register):
    from . import objectives

    _register_table(register, objectives.OBJECTIVES)


@hookimpl
def register_metrics(register):
    from ..evaluation.metrics_registry import METRICS

    _register_table(register, METRICS)


@hookimpl
def register_presets(register):
    from ..registry import register_preset_folder

    register_preset_folder(register, "condgan")



@hookimpl
def register_reproductions(register):
    from ..league import reproduce_league

    register("league", reproduce_league,
             description="every class-conditional objective on 8x8 digits, same networks, budget and evaluator; "
                         "FID, intra-FID, KID, class accuracy, coverage over seeds, each against AC-GAN")
