"""A plain conditional GAN objective, the generic baseline every paper plugin is compared with.

D has one adversarial output per condition (the ``cond`` head); the logit for a sample is the output of its own
condition, ``t = <D_cond(x), c>`` (for several groups: the mean over groups). With ``conditional = false`` it is an
unconditional GAN on the ``adv`` head (the "GAN" row of every paper's table).
"""

from __future__ import annotations

import attrs
from torch import Tensor

from ..config import component_field
from ..interfaces import Batch, BuildContext, Models, Objective, Regularizer, StepOutput
from .. import losses as L
from ..moved import moved_names


@attrs.frozen
class CGANParams:
    """Plain conditional GAN."""

    #: adversarial loss family (see `condgan list adversarial_losses`)
    adversarial: str = component_field("adversarial_losses", "core.non_saturating")
    #: regularizer of D: "" (none), "core.r1", "core.r2", "core.wgan_gp" or a plugin's (see `condgan list regularizers`)
    regularizer: str = attrs.field(default="", metadata={"component": "regularizers"})
    regularizer_weight: float = attrs.field(default=10.0, validator=attrs.validators.ge(0.0))
    #: False: an unconditional GAN (G still receives c, D ignores it)
    conditional: bool = True


class CGANObjective(Objective):
    """L_D = E_real f_r^d(t) + E_fake f_g^d(t) + w·reg;  L_G = E_fake f^g(t)."""

    losses = {"d_adv": "discriminator", "d_reg": "discriminator", "g_adv": "generator"}

    def __init__(self, params: CGANParams, ctx: BuildContext):
        super().__init__(params, ctx)
        self.adv = ctx.resolve("adversarial_losses", params.adversarial)
        self.groups = len(ctx.spec.groups)
        self.reg = Regularizer.resolve(ctx, params.regularizer, params.regularizer_weight)

    def heads(self) -> dict[str, int]:
        return {"cond": self.ctx.num_conditions} if self.params.conditional else {"adv": 1}

    def logit(self, out, c: Tensor) -> Tensor:
        return L.selected_logit(out.cond, c, self.groups) if self.params.conditional else out.adv

    def discriminator_step(self, m: Models, real: Batch, step: int) -> StepOutput:
        d = m.discriminate(real, step, self.reg)
        t_r, t_f = self.logit(d.out_real, d.real.c), self.logit(d.out_fake, d.fake.c)
        losses = {"d_adv": self.adv.d_real(t_r).mean() + self.adv.d_fake(t_f).mean()}
        if self.reg is not None and self.reg.applies(step):
            c = d.real.c
            losses["d_reg"] = self.reg.penalty(lambda x: self.logit(m.discriminator(x), c[: len(x)]), d.x_real,
                                               d.x_fake, t_r, t_f)
        return StepOutput(losses, logs={"d_real": lambda: t_r.mean(), "d_fake": lambda: t_f.mean()})  # log steps only

    def generator_step(self, m: Models, real: Batch, step: int) -> StepOutput:
        fake = m.generate(len(real), grad=True)
        t = self.logit(m.discriminator(fake.x), fake.c)
        return StepOutput({"g_adv": self.adv.g(t).mean()})


OBJECTIVES = {"cgan": (CGANObjective, CGANParams, "plain conditional GAN with one output per condition (or unconditional)")}


#: ``condgan.builtins.objectives.selected_logit`` was imported by plugins before ``condgan.losses`` existed
__getattr__ = moved_names(__name__, {"selected_logit": "condgan.losses"})
