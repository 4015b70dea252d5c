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


register_datasets = table_hook(".datasets:DATASETS", __package__)
register_generators = table_hook(".nets:NETWORKS[generators]", __package__)
register_discriminators = table_hook(".nets:NETWORKS[discriminators]", __package__)
register_classifiers = table_hook(".nets:NETWORKS[classifiers]", __package__)
register_prior_updaters = table_hook(".sampling:SAMPLING[prior_updaters]", __package__)
register_batch_composers = table_hook(".sampling:SAMPLING[batch_composers]", __package__)
register_latent_samplers = table_hook(".sampling:SAMPLING[latent_samplers]", __package__)
register_objectives = table_hook(".objectives:OBJECTIVES", __package__)
register_metrics = table_hook("..evaluation.metrics_registry:METRICS", __package__)


@hookimpl
def register_presets(register):
    register_preset_folder(register, "condgan")
