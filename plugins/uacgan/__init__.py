"""Plugin ``uacgan``: UAC-GAN (Han et al., AC-GAN + MINE), TAC-GAN and AC-GAN, MINE statistics networks, the 1-D
mixture-of-Gaussians reference networks and ``condgan reproduce uacgan-mog``. Hook implementations only; the math is
in ``losses.py``, the components in ``objectives.py`` and ``nets.py``, ready experiments in ``presets/``."""

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
def register_losses(register):
    from .terms import TERMS

    for name, (term, description) in TERMS.items():
        register(name, term, params=term.options, description=description)


@hookimpl
def register_statistics_networks(register):
    from .nets import NETWORKS

    _register_table(register, NETWORKS["statistics_networks"])


@hookimpl
def register_generators(register):
    from .nets import NETWORKS

    _register_table(register, NETWORKS["generators"])


@hookimpl
def register_discriminators(register):
    from .nets import NETWORKS

    _register_table(register, NETWORKS["discriminators"])


@hookimpl
def register_presets(register):
    from condgan import register_preset_folder

    register_preset_folder(register, __package__)


@hookimpl
def register_reproductions(register):
    from .reproduce import reproduce_mog

    register("mog", reproduce_mog,
             description="1-D MoG (UAC-GAN Table 1): AC-GAN, TAC-GAN, UAC-GAN over seeds, MMD per class + marginal")
