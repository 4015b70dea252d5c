"""condgan-relativistic: hook implementations only. The math is in losses.py, the objective in objective.py."""

from importlib.resources import files

from condgan import hookimpl

from .objective import RaCGANObjective, RaCGANParams


@hookimpl
def register_objectives(register):
    register("ra_cgan", RaCGANObjective, params=RaCGANParams,
             description="relativistic-average conditional GAN: one output per condition, RaGAN loss")


@hookimpl
def register_presets(register):
    register("digits", files(__package__) / "presets" / "digits.toml",
             description="relativistic-average conditional GAN on 8x8 digits")
