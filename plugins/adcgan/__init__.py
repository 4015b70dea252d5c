"""Plugin ``adcgan``: ADC-GAN (Hou et al., "Conditional GANs with Auxiliary Discriminative Classifier",
ICML 2022). Hook implementations only; the math is in ``losses.py``, the objective in ``objectives.py``, ready
experiments in ``presets/``. Written against the public API only (``condgan``, ``condgan.losses``)."""

from __future__ import annotations

from condgan import hookimpl, register_preset_folder, table_hook

# each table is imported when condgan collects that kind of component
register_objectives = table_hook(".objectives:OBJECTIVES", __package__)


@hookimpl
def register_presets(register):
    register_preset_folder(register, __package__)
