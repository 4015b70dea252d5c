"""Plugin ``amgan``: AM-GAN (Zhou et al., ICLR 2018), LabelGAN, the AC-GAN* family, dynamic labeling and
intra-class MS-SSIM. Hook implementations only; the math is in ``losses.py`` and ``msssim.py``, the components in
``objectives.py``, ``labeling.py`` and ``metrics.py``, ready experiments in ``presets/`` and
``condgan reproduce amgan-fashion`` in ``reproduce.py``. The Inception, Mode and AM Scores live in the core
(``condgan.evaluation.scores``) and are registered there."""

from __future__ import annotations

from condgan import hookimpl, register_preset_folder, table_hook

# each table is imported when condgan collects that kind of component
register_objectives = table_hook(".objectives:OBJECTIVES", __package__)
register_losses = table_hook(".terms:TERMS", __package__)  # loss terms for core.composite (issue 21)
register_metrics = table_hook(".metrics:METRICS", __package__)


@hookimpl
def register_presets(register):
    register_preset_folder(register, __package__)


@hookimpl
def register_reproductions(register):
    from .reproduce import reproduce_digits, reproduce_digits_seeds, reproduce_fashion, reproduce_mode_dropping

    register("fashion", reproduce_fashion,
             description="AM-GAN Tables 1-2 on shrunk Fashion-MNIST: five objectives, AM Score, IS, max intra-class MS-SSIM")
    register("digits", reproduce_digits,
             description="AM-GAN Tables 1-2 on 8x8 digits (faster): five objectives, AM Score, IS, max intra-class MS-SSIM")
    register("digits_seeds", reproduce_digits_seeds,
             description="AM-GAN Tables 1-2 on 8x8 digits: five objectives, dynamic labeling, 5 seeds at 4x the steps")
    register("mode_dropping", reproduce_mode_dropping,
             description="AM-GAN Fig. 5: log Inception Score of N one-hot classes with m kept (synthetic, seconds)")
