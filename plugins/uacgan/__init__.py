"""Plugin ``uacgan``: UAC-GAN (Han et al., AC-GAN + MINE), TAC-GAN and AC-GAN, MINE statistics networks, the 1-D
mixture-of-Gaussians reference networks and ``condgan reproduce uacgan-mog``. Hook implementations only; the math is
in ``losses.py``, the components in ``objectives.py`` and ``nets.py``, ready experiments in ``presets/``."""

from __future__ import annotations

from condgan import hookimpl, register_preset_folder, table_hook

# each table is imported when condgan collects that kind of component
register_objectives = table_hook(".objectives:OBJECTIVES", __package__)
register_losses = table_hook(".terms:TERMS", __package__)  # loss terms for core.composite (issue 21)
register_statistics_networks = table_hook(".nets:NETWORKS[statistics_networks]", __package__)
register_generators = table_hook(".nets:NETWORKS[generators]", __package__)
register_discriminators = table_hook(".nets:NETWORKS[discriminators]", __package__)


@hookimpl
def register_presets(register):
    register_preset_folder(register, __package__)


@hookimpl
def register_reproductions(register):
    from .reproduce import reproduce_mog

    register("mog", reproduce_mog,
             description="1-D MoG (UAC-GAN Table 1): AC-GAN, TAC-GAN, UAC-GAN over seeds, MMD per class + marginal")
