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

from condgan import CGANObjective, DiscriminatorOutput, component_field

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


class ProjectionObjective(CGANObjective):
    """L_D = E_real f_r^d(f(x, y)) + E_fake f_g^d(f(G(z, y), y)) (+ w·reg);  L_G = E_fake f^g(f(G(z, y), y)).

    core's conditional GAN (its steps, losses and regularizer) with the projection's heads and logit."""

    def heads(self) -> dict[str, int]:
        return {"adv": 1, "cond": self.ctx.num_conditions}

    def logit(self, out: DiscriminatorOutput, c: Tensor) -> Tensor:
        return L.projection_logit(out.adv, out.cond, c, self.groups)


OBJECTIVES = {
    "projection": (ProjectionObjective, ProjectionParams,
                   "projection discriminator D(x, y) = psi(phi(x)) + e(y)^T phi(x) (Miyato & Koyama, ICLR 2018)"),
}
