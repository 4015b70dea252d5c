"""Plugin ``cgpgan``: self-supervised class-conditional GANs with a classifier gradient penalty and a dynamic prior
(Cho 2024), with the InfoGAN, Elastic-InfoGAN and vanilla-GAN baselines. Hook implementations only; the math is in
``losses.py``, the components in ``objectives.py``, ``priors.py``, ``nets.py`` and ``datasets.py``, ready
experiments in ``presets/`` and ``condgan reproduce cgpgan-clusters`` in ``reproduce.py``."""

from __future__ import annotations

from condgan import hookimpl, register_preset_folder, table_hook

# each table is imported when condgan collects that kind of component
register_objectives = table_hook(".objectives:OBJECTIVES", __package__)
register_losses = table_hook(".terms:TERMS", __package__)  # loss terms for core.composite (issue 21)
register_prior_updaters = table_hook(".priors:PRIORS", __package__)
register_generators = table_hook(".nets:NETWORKS[generators]", __package__)
register_discriminators = table_hook(".nets:NETWORKS[discriminators]", __package__)
register_classifiers = table_hook(".nets:NETWORKS[classifiers]", __package__)
register_datasets = table_hook(".datasets:DATASETS", __package__)


@hookimpl
def register_presets(register):
    register_preset_folder(register, __package__)


@hookimpl
def register_reproductions(register):
    from .reproduce import reproduce_clusters

    register("cgpgan_clusters", reproduce_clusters,
             description="CGPGAN paper Sec. 4.1: four Gaussians, lambda_creg sweep, 8 seeds, InfoGAN baseline")
