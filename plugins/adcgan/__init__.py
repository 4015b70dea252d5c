"""Plugin ``adcgan``: ADC-GAN (Hou et al., "Conditional GANs with Auxiliary Discriminative Classifier",
ICML 2022). Hook implementations only; the math is in ``losses.py``, the objective in ``objectives.py``, ready
experiments in ``presets/``. Written against the public API only (``condgan``, ``condgan.losses``)."""

from __future__ import annotations

from condgan import hookimpl


@hookimpl
def register_objectives(register):
    from .objectives import OBJECTIVES

    for name, (factory, params, description) in OBJECTIVES.items():
        register(name, factory, params=params, description=description)


@hookimpl
def register_presets(register):
    from condgan import register_preset_folder

    register_preset_folder(register, __package__)
