"""Plugin ``cgpgan``: self-supervised class-conditional GANs with a classifier gradient penalty and a dynamic prior
(Cho 2024), with the InfoGAN, Elastic-InfoGAN and vanilla-GAN baselines. Hook implementations only; the math is in
``losses.py``, the components in ``objectives.py``, ``priors.py``, ``nets.py`` and ``datasets.py``, ready
experiments in ``presets/`` and ``condgan reproduce cgpgan-clusters`` in ``reproduce.py``."""

from __future__ import annotations

from condgan import hookimpl


@hookimpl
def register_losses(register):
    from .terms import TERMS

    for name, (term, description) in TERMS.items():
        register(name, term, params=term.options, description=description)


@hookimpl
def register_objectives(register):
    from .objectives import OBJECTIVES

    for name, (factory, params, description) in OBJECTIVES.items():
        register(name, factory, params=params, description=description)


@hookimpl
def register_prior_updaters(register):
    from . import priors

    register("ema", priors.EMAPrior, params=priors.EMAPriorParams,
             description="CGPGAN's dynamic P(C): uniform, then an EMA of Q's probabilities on real data (Alg. 1 l. 25)")
    register("gumbel", priors.GumbelPrior, params=priors.GumbelPriorParams,
             description="Elastic-InfoGAN's learned P(C): Gumbel-softmax samples, logits on optimizer 'prior'")


@hookimpl
def register_generators(register):
    from .nets import MLPGenerator, MLPParams

    register("mlp", MLPGenerator, params=MLPParams,
             description="CGPGAN 2-D generator: [z, standardised one-hot] -> 4x512 equalized-LR lrelu MLP")


@hookimpl
def register_discriminators(register):
    from .nets import MLPDiscriminator, MLPParams

    register("mlp", MLPDiscriminator, params=MLPParams,
             description="CGPGAN 2-D discriminator: 4x512 equalized-LR lrelu MLP with the requested heads")


@hookimpl
def register_classifiers(register):
    from .nets import MLPClassifier, MLPParams

    register("mlp", MLPClassifier, params=MLPParams,
             description="CGPGAN 2-D classifier Q: 4x512 equalized-LR lrelu MLP, d_c logits")


@hookimpl
def register_datasets(register):
    from .datasets import DATASETS

    for name, (factory, params, description) in DATASETS.items():
        register(name, factory, params=params, description=description)


@hookimpl
def register_presets(register):
    from condgan import register_preset_folder

    register_preset_folder(register, __package__)


@hookimpl
def register_reproductions(register):
    from .reproduce import reproduce_clusters

    register("cgpgan_clusters", reproduce_clusters,
             description="CGPGAN paper Sec. 4.1: four Gaussians, lambda_creg sweep, 8 seeds, InfoGAN baseline")
