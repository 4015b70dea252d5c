"""condgan-relativistic: hook implementations only. The math is in losses.py, the objective in objective.py."""

from condgan import hookimpl, register_preset_folder


@hookimpl
def register_objectives(register):
    from .objective import RaCGANObjective, RaCGANParams  # imported when objectives are collected: a fast start

    register("ra_cgan", RaCGANObjective, params=RaCGANParams,
             description="relativistic-average conditional GAN: one output per condition, RaGAN loss")


@hookimpl
def register_presets(register):
    register_preset_folder(register, __package__)  # every presets/*.toml; its first comment line describes it
