"""The projection discriminator objective (Miyato & Koyama, ICLR 2018) over :mod:`.losses`.

D's ``adv`` head is ψ(φ), its ``cond`` head Vφ + b; the logit of a sample with condition c is
``projection_logit(adv, cond, c)`` = ψ(φ) + v_yᵀφ + b_y. Both sides apply one adversarial loss family to that logit
(hinge by default, the paper's experiments; any of `condgan list adversarial_losses`).

The difference from ``core.cgan``: core's conditional GAN is the projection without ψ (its logit is <Vφ + b, c>),
so the unconditional evidence r(x) has no head of its own there.
"""

from __future__ import annotations

import attrs
from torch import Tensor

from condgan import BuildContext, DiscriminatorOutput, Models, Objective, Regularizer, StepOutput, component_field
from condgan.losses import selected_logit

from . import losses as L


@attrs.frozen
class ProjectionParams:
    """Projection discriminator (Miyato & Koyama)."""

    #: loss family applied to the projection logit ("core.hinge": the paper's experiments and the authors' code)
    adversarial: str = component_field("adversarial_losses", "core.hinge")
    #: optional gradient penalty of D on the projection logit: "" (none, the paper), "core.r1", ...
    regularizer: str = attrs.field(default="", metadata={"component": "regularizers"})
    #: weight of that penalty
    regularizer_weight: float = attrs.field(default=10.0, validator=attrs.validators.ge(0.0))


class ProjectionObjective(Objective):
    """L_D = E_real f_r^d(f(x, y)) + E_fake f_g^d(f(G(z, y), y)) (+ w·reg);  L_G = E_fake f^g(f(G(z, y), y))."""

    losses = {"d_adv": "discriminator", "d_reg": "discriminator", "g_adv": "generator"}

    def __init__(self, params: ProjectionParams, ctx: BuildContext):
        super().__init__(params, ctx)
        self.adv = ctx.resolve("adversarial_losses", params.adversarial)
        self.groups = len(ctx.spec.groups)
        self.reg = Regularizer.resolve(ctx, params.regularizer, params.regularizer_weight)

    def heads(self) -> dict[str, int]:
        return {"adv": 1, "cond": self.ctx.num_conditions}

    def logit(self, out: DiscriminatorOutput, c: Tensor) -> Tensor:
        return L.projection_logit(out.adv, out.cond, c, self.groups)

    def discriminator_step(self, m: Models, real, step: int) -> StepOutput:
        d = m.discriminate(real, step, self.reg)
        t_r, t_f = self.logit(d.out_real, d.real.c), self.logit(d.out_fake, d.fake.c)
        losses = {"d_adv": self.adv.d_real(t_r).mean() + self.adv.d_fake(t_f).mean()}
        if self.reg is not None and self.reg.applies(step):
            c = d.real.c
            losses["d_reg"] = self.reg.penalty(lambda x: self.logit(m.discriminator(x), c[: len(x)]), d.x_real,
                                               d.x_fake, t_r, t_f)
        out_r = d.out_real
        return StepOutput(losses, logs={"d_real": lambda: t_r.mean(), "d_fake": lambda: t_f.mean(),
                                        "proj_real": lambda: selected_logit(out_r.cond, d.real.c, self.groups).mean()})

    def generator_step(self, m: Models, real, step: int) -> StepOutput:
        fake = m.generate(len(real), grad=True)
        return StepOutput({"g_adv": self.adv.g(self.logit(m.discriminator(fake.x), fake.c)).mean()})


OBJECTIVES = {
    "projection": (ProjectionObjective, ProjectionParams,
                   "projection discriminator D(x, y) = psi(phi(x)) + e(y)^T phi(x) (Miyato & Koyama, ICLR 2018)"),
}
