"""ReACGAN (Kang et al., NeurIPS 2021) as a thin objective over :mod:`.losses`.

D's ``adv`` head is the adversarial logit, its ``cls`` head (width ``embed_dim``) the embedding f(x), and ``cond``
the cosine of f with each class proxy; ``reacgan.proxy_d`` makes that ``cond`` (it wraps any discriminator, see
:mod:`.nets`). As in the authors' code, D's class term is the D2D-CE of real data (the classifier is trained on real
data only, like the modified AC-GAN) and G's class term is the D2D-CE of its own samples with their conditions.
"""

from __future__ import annotations

import attrs

from condgan import BuildContext, ConfigError, Models, Objective, StepOutput, component_field
from condgan.losses import selected_logit

from . import losses as L


@attrs.frozen
class ReACGANParams:
    """ReACGAN (Kang et al.): adversarial loss + λ · D2D-CE."""

    #: adversarial loss family ("core.hinge": every ReACGAN config of the authors)
    adversarial: str = component_field("adversarial_losses", "core.hinge")
    #: lambda, the weight of D2D-CE on both sides (the authors' cond_lambda: 0.5 for CIFAR-10, 1 elsewhere)
    d2d_lambda: float = attrs.field(default=1.0, validator=attrs.validators.ge(0.0))
    #: width of the embedding f(x) and of the class proxies (the authors' d_embed_dim, 512)
    embed_dim: int = attrs.field(default=512, validator=attrs.validators.ge(1))
    #: positive margin m_p: a cosine to the own proxy above it is not pulled further (0.98)
    m_p: float = attrs.field(default=0.98, validator=[attrs.validators.ge(-1.0), attrs.validators.le(1.0)])
    #: negative margin m_n: a cosine to another class's sample below it is not pushed further (1 - m_p in the code)
    m_n: float = attrs.field(default=0.02, validator=[attrs.validators.ge(-1.0), attrs.validators.le(1.0)])
    #: temperature tau of the softmax (0.5)
    temperature: float = attrs.field(default=0.5, validator=attrs.validators.gt(0.0))
    #: the authors' code's shift of the negative logits by the row's largest similarity (off: the paper's equation)
    negative_shift: bool = False


class ReACGANObjective(Objective):
    """L_D = E f_r^d(D(x)) + E f_g^d(D(G)) + λ E_real D2D-CE;  L_G = E f^g(D(G)) + λ E_fake D2D-CE."""

    losses = {"d_adv": "discriminator", "d_d2d": "discriminator", "g_adv": "generator", "g_d2d": "generator"}

    def __init__(self, params: ReACGANParams, ctx: BuildContext):
        super().__init__(params, ctx)
        if len(ctx.spec.groups) != 1:
            raise ValueError(f"ReACGAN classifies one label; the conditions have {len(ctx.spec.groups)} groups")
        self.adv = ctx.resolve("adversarial_losses", params.adversarial)
        self._checked = False

    def heads(self) -> dict[str, int]:
        return {"adv": 1, "cls": self.params.embed_dim, "cond": self.ctx.num_conditions}

    def _d2d(self, out, c):
        p = self.params
        return L.d2d_ce(out.cls, selected_logit(out.cond, c), c.argmax(1), m_p=p.m_p, m_n=p.m_n,
                        temperature=p.temperature, negative_shift=p.negative_shift).mean()

    def _check_discriminator(self, m: Models) -> None:
        """D2D-CE needs cosines with normalised proxies in ``cond``: a plain linear ``cond`` head is not that."""
        if not self._checked and not getattr(m.discriminator, "with_proxies", False):
            raise ConfigError([("$.discriminator", "reacgan.reacgan needs class proxies: use type = \"reacgan.proxy_d\" "
                                                   "(it wraps any discriminator: trunk = \"core.dcgan_d\")")])
        self._checked = True

    def discriminator_step(self, m: Models, real, step: int) -> StepOutput:
        self._check_discriminator(m)
        d = m.discriminate(real, step)
        out_r, out_f = d.out_real, d.out_fake
        losses = {"d_adv": self.adv.d_real(out_r.adv).mean() + self.adv.d_fake(out_f.adv).mean(),
                  "d_d2d": self.params.d2d_lambda * self._d2d(out_r, d.real.c)}
        logs = {"acc_real": lambda: (out_r.cond.argmax(1) == d.real.c.argmax(1)).float().mean(),
                "proxy_cos_real": lambda: selected_logit(out_r.cond, d.real.c).mean()}
        return StepOutput(losses, logs=logs)

    def generator_step(self, m: Models, real, step: int) -> StepOutput:
        fake = m.generate(len(real), grad=True)
        out = m.discriminator(fake.x)
        return StepOutput({"g_adv": self.adv.g(out.adv).mean(),
                           "g_d2d": self.params.d2d_lambda * self._d2d(out, fake.c)})


OBJECTIVES = {
    "reacgan": (ReACGANObjective, ReACGANParams,
                "ReACGAN: adversarial loss + data-to-data cross-entropy with margins (Kang et al., NeurIPS 2021)"),
}
