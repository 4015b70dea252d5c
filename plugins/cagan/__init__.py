"""Plugin ``cagan``: Conditional Activation GAN (Cho & Yoon), the AC-GAN family it is compared with, and mixed batch
training. Hook implementations only; the math is in ``losses.py``, the components in ``objectives.py`` and
``composers.py``, ready experiments in ``presets/`` and ``condgan reproduce cagan-*`` in ``reproduce.py``."""

from __future__ import annotations

from condgan import hookimpl


@hookimpl
def register_objectives(register):
    from .objectives import OBJECTIVES

    for name, (factory, params, description) in OBJECTIVES.items():
        register(name, factory, params=params, description=description)


@hookimpl
def register_losses(register):
    from .terms import TERMS

    for name, (term, description) in TERMS.items():
        register(name, term, params=term.options, description=description)


@hookimpl
def register_batch_composers(register):
    from .composers import MixedBatches, MixedParams

    register("mixed", MixedBatches, params=MixedParams,
             description="mixed batch training: every D forward holds real and generated data in one ratio (CA-GAN Sec. 4)")


@hookimpl
def register_presets(register):
    from condgan import register_preset_folder

    register_preset_folder(register, __package__)


@hookimpl
def register_reproductions(register):
    from .reproduce import run_fashion, run_imbalanced, run_imbalanced_acgan

    register("fashion", run_fashion,
             description="CA-GAN vs modified AC-GAN on Fashion-MNIST: mean per-class FID against steps (Fig. 14)")
    register("imbalanced", run_imbalanced,
             description="imbalanced Fashion-MNIST, batch-norm D: class histogram with and without mixed batches (Sec. 6.3)")
    register("imbalanced_acgan", run_imbalanced_acgan,
             description="the same for modified AC-GAN: class histogram with and without mixed batches (Fig. 15)")
