"""ADC-GAN (Hou et al., ICML 2022) as a thin objective over :mod:`.losses`.

C_d is the discriminator's ``cls`` head with 2K outputs on the shared trunk (as in the authors' code, a linear layer
next to the adversarial output), so its loss updates the discriminator's optimizer. One discriminator forward
(``Models.discriminate``) gives both the adversarial logits and C_d's outputs.
"""

from __future__ import annotations

import attrs

from condgan import BuildContext, Models, Objective, StepOutput, component_field

from . import losses as L


@attrs.frozen
class ADCGANParams:
    """ADC-GAN (Hou et al.)."""

    #: adversarial loss family ("core.hinge": the authors' code; the paper writes the log loss, "core.non_saturating")
    adversarial: str = component_field("adversarial_losses", "core.hinge")
    #: weight of C_d's 2K-way cross-entropy in D's loss (the authors' --D_lambda, 1)
    d_lambda: float = attrs.field(default=1.0, validator=attrs.validators.ge(0.0))
    #: weight of G's classifier term (the authors' --G_lambda, 1; the paper's lambda)
    g_lambda: float = attrs.field(default=1.0, validator=attrs.validators.ge(0.0))


class ADCGANObjective(Objective):
    """L_D = E f_r^d(D(x)) + E f_g^d(D(G)) + λ_D [E −log C_d(y⁺|x) + E −log C_d(y⁻|G(z, y))];
    L_G = E f^g(D(G)) + λ_G E[−log C_d(y⁺|G(z, y)) + log C_d(y⁻|G(z, y))]."""

    losses = {"d_adv": "discriminator", "d_adc": "discriminator", "g_adv": "generator", "g_adc": "generator"}

    def __init__(self, params: ADCGANParams, ctx: BuildContext):
        super().__init__(params, ctx)
        if len(ctx.spec.groups) != 1:
            raise ValueError(f"ADC-GAN classifies one label; the conditions have {len(ctx.spec.groups)} groups")
        self.adv = ctx.resolve("adversarial_losses", params.adversarial)

    def heads(self) -> dict[str, int]:
        return {"adv": 1, "cls": 2 * self.ctx.num_conditions}

    def discriminator_step(self, m: Models, real, step: int) -> StepOutput:
        d = m.discriminate(real, step)
        y_r, y_f = d.real.c.argmax(1), d.fake.c.argmax(1)
        out_r, out_f = d.out_real, d.out_fake
        losses = {
            "d_adv": self.adv.d_real(out_r.adv).mean() + self.adv.d_fake(out_f.adv).mean(),
            "d_adc": self.params.d_lambda * (L.adc_discriminator_loss(out_r.cls, y_r, generated=False).mean()
                                             + L.adc_discriminator_loss(out_f.cls, y_f, generated=True).mean()),
        }
        logs = {"acc_real": lambda: (out_r.cls.argmax(1) == L.adc_index(y_r, False)).float().mean(),
                "p_real_adc": lambda: L.adc_real_probability(out_r.cls).mean()}
        return StepOutput(losses, logs=logs)

    def generator_step(self, m: Models, real, step: int) -> StepOutput:
        fake = m.generate(len(real), grad=True)
        out = m.discriminator(fake.x)
        return StepOutput({"g_adv": self.adv.g(out.adv).mean(),
                           "g_adc": self.params.g_lambda * L.adc_generator_loss(out.cls, fake.c.argmax(1)).mean()})


OBJECTIVES = {
    "adc_gan": (ADCGANObjective, ADCGANParams,
                "ADC-GAN: a 2K-way classifier of real and generated classes on D's trunk (Hou et al., ICML 2022)"),
}
