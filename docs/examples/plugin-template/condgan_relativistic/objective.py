"""The objective: a thin class that calls the pure losses; condgan's loop does backward, steps, logging."""

import attrs

from condgan import Objective, StepOutput
from condgan.losses import selected_logit

from .losses import ra_d_loss, ra_g_loss


@attrs.frozen
class RaCGANParams:
    """Parameters of relativistic.ra_cgan."""

    #: weight of the generator's loss
    g_weight: float = attrs.field(default=1.0, validator=attrs.validators.gt(0.0))


class RaCGANObjective(Objective):
    """Relativistic-average loss on the output of each sample's own condition (the ``cond`` head)."""

    losses = {"d_ra": "discriminator", "g_ra": "generator"}

    def heads(self):
        return {"cond": self.ctx.num_conditions}

    def _t(self, out, c):
        return selected_logit(out.cond, c, len(self.ctx.spec.groups))

    def discriminator_step(self, m, real, step):
        d = m.discriminate(real, step)  # the composer's real/fake split, fakes without a graph, D's outputs
        return StepOutput({"d_ra": ra_d_loss(self._t(d.out_real, d.real.c), self._t(d.out_fake, d.fake.c))})

    def generator_step(self, m, real, step):
        fake = m.generate(len(real), grad=True)
        with_real = m.discriminator(real.x)
        t_r = self._t(with_real, real.c).detach()
        t_f = self._t(m.discriminator(fake.x), fake.c)
        return StepOutput({"g_ra": self.params.g_weight * ra_g_loss(t_r, t_f)})


#: what ``register_objectives`` registers: local name -> (factory, params class, one-line description)
OBJECTIVES = {
    "ra_cgan": (RaCGANObjective, RaCGANParams,
                "relativistic-average conditional GAN: one output per condition, RaGAN loss"),
}
