"""Plugin ``p2gan``: P2GAN (Han et al., "Dual Projection Generative Adversarial Networks for Conditional Image
Generation", ICCV 2021): the dual projection discriminator, label matching, and P2GAN-w's learned weight. Hook
implementations only; the math is in ``losses.py``, the components in ``objectives.py`` and ``nets.py``, ready
experiments in ``presets/``. Written against the public API only (``condgan``, ``condgan.losses``)."""

from __future__ import annotations

from condgan import hookimpl


def _register_table(register, table):
    for name, (factory, params, description) in table.items():
        register(name, factory, params=params, description=description)


@hookimpl
def register_objectives(register):
    from .objectives import OBJECTIVES

    _register_table(register, OBJECTIVES)


@hookimpl
def register_discriminators(register):
    from .nets import NETWORKS

    _register_table(register, NETWORKS["discriminators"])


@hookimpl
def register_presets(register):
    from condgan import register_preset_folder

    register_preset_folder(register, __package__)
