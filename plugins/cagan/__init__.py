"""Plugin ``cagan``: Conditional Activation GAN (Cho & Yoon), the AC-GAN family it is compared with, and mixed batch
training. Hook implementations only; the math is in ``losses.py``, the components in ``objectives.py`` and
``composers.py``, ready experiments in ``presets/`` and ``condgan reproduce cagan-*`` in ``reproduce.py``."""

from __future__ import annotations

from condgan import hookimpl, register_preset_folder, table_hook

# each table is imported when condgan collects that kind of component
register_objectives = table_hook(".objectives:OBJECTIVES", __package__)
register_losses = table_hook(".terms:TERMS", __package__)  # loss terms for core.composite (issue 21)
register_batch_composers = table_hook(".composers:COMPOSERS", __package__)


@hookimpl
def register_presets(register):
    register_preset_folder(register, __package__)


@hookimpl
def register_reproductions(register):
    from .reproduce import run_fashion, run_imbalanced, run_imbalanced_acgan, run_imbalanced_digits

    register("fashion", run_fashion,
             description="CA-GAN vs modified AC-GAN on Fashion-MNIST: mean per-class FID against steps (Fig. 14)")
    register("imbalanced", run_imbalanced,
             description="imbalanced Fashion-MNIST, batch-norm D: class histogram with and without mixed batches (Sec. 6.3)")
    register("imbalanced_acgan", run_imbalanced_acgan,
             description="the same for modified AC-GAN: class histogram with and without mixed batches (Fig. 15)")
    register("imbalanced_digits", run_imbalanced_digits,
             description="Sec. 6.3 on imbalanced 8x8 digits over 5 seeds: CA-GAN and modified AC-GAN, mixed vs separate batches")
