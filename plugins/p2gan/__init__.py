"""Plugin ``p2gan``: P2GAN (Han et al., "Dual Projection Generative Adversarial Networks for Conditional Image
Generation", ICCV 2021): the dual projection discriminator, label matching, and P2GAN-w's learned weight. Hook
implementations only; the math is in ``losses.py``, the components in ``objectives.py`` and ``nets.py``, ready
experiments in ``presets/``. Written against the public API only (``condgan``, ``condgan.losses``)."""

from __future__ import annotations

from condgan import hookimpl, register_preset_folder, table_hook

# each table is imported when condgan collects that kind of component
register_objectives = table_hook(".objectives:OBJECTIVES", __package__)
register_discriminators = table_hook(".nets:NETWORKS[discriminators]", __package__)


@hookimpl
def register_presets(register):
    register_preset_folder(register, __package__)
