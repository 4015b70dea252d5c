"""P2GAN and P2GAN-w (Han et al., ICCV 2021) as one objective over :mod:`.losses`.

Heads: ``adv`` = ψ(φ), ``cls`` = C^p's logits V^pφ + b^p (trained on real data), ``twin`` = C^q's logits V^qφ + b^q
(trained on generated data, TAC-GAN's twin classifier), all on D's shared trunk as in the authors' code; with
``weighting = "amortised"`` also ``cond`` ``(B, 1)``, the logit s(x) of the balance λ(x) = σ(s(x)), which
``p2gan.weighted_d`` computes on D's detached features.

The generator has no classification term of its own: its class signal is in the dual projection logit, whose class
embedding v^p_y − v^q_y the two classifiers train (the authors' code adds nothing to G's loss for P2GAN).
"""

from __future__ import annotations

from typing import Literal

import attrs
import torch

from condgan import BuildContext, ConfigError, Models, Objective, StepOutput, component_field

from . import losses as L


@attrs.frozen
class P2GANParams:
    """P2GAN (Han et al.): dual projection logit + label matching, optionally balanced per sample (P2GAN-w)."""

    #: adversarial loss family of the data matching term ("core.hinge": the authors' configs)
    adversarial: str = component_field("adversarial_losses", "core.hinge")
    #: w_l, the weight of the label matching terms (the authors' lambda_mi_weight, 1)
    label_weight: float = attrs.field(default=1.0, validator=attrs.validators.ge(0.0))
    #: "none": P2GAN; "amortised": P2GAN-w, a learned per-sample balance lambda(x) (needs p2gan.weighted_d)
    weighting: Literal["none", "amortised"] = attrs.field(default="none",
                                                           validator=attrs.validators.in_(("none", "amortised")))
    #: weight of lambda's penalty -log(lambda) - log(1 - lambda) with "amortised" (the authors' lambda_penalty_weight, 1)
    penalty_weight: float = attrs.field(default=1.0, validator=attrs.validators.ge(0.0))


class P2GANObjective(Objective):
    """L_D = Σ_{real, fake} E mix(f^d(D(x, y)), −log C(y|x), λ) (+ penalty);  L_G = E (1 − λ)ᵈᵉᵗ f^g(D(G(z, y), y))."""

    losses = {"d_p2": "discriminator", "d_weight": "discriminator", "g_adv": "generator"}

    def __init__(self, params: P2GANParams, ctx: BuildContext):
        super().__init__(params, ctx)
        if len(ctx.spec.groups) != 1:
            raise ValueError(f"P2GAN classifies one label; the conditions have {len(ctx.spec.groups)} groups")
        self.adv = ctx.resolve("adversarial_losses", params.adversarial)
        self.weighted = params.weighting == "amortised"
        self._checked = False

    def heads(self) -> dict[str, int]:
        k = self.ctx.num_conditions
        return {"adv": 1, "cls": k, "twin": k, **({"cond": 1} if self.weighted else {})}

    def _lam(self, out) -> torch.Tensor | None:
        return torch.sigmoid(out.cond[:, 0]) if self.weighted else None

    def _check_discriminator(self, m: Models) -> None:
        if self.weighted and not self._checked and getattr(m.discriminator, "weight_logit", None) is None:
            raise ConfigError([("$.discriminator", "p2gan.p2gan with weighting = \"amortised\" needs the weight on D's "
                                                   "detached features: use type = \"p2gan.weighted_d\" (it wraps any "
                                                   "discriminator: trunk = \"core.dcgan_d\")")])
        self._checked = True

    def discriminator_step(self, m: Models, real, step: int) -> StepOutput:
        self._check_discriminator(m)
        d = m.discriminate(real, step)
        p = self.params
        out_r, out_f, c_r, c_f = d.out_real, d.out_fake, d.real.c, d.fake.c
        t_r = L.dual_projection_logit(out_r.adv, out_r.cls, out_r.twin, c_r)
        t_f = L.dual_projection_logit(out_f.adv, out_f.cls, out_f.twin, c_f)
        data_r, data_f = self.adv.d_real(t_r), self.adv.d_fake(t_f)
        label_r = L.label_matching_loss(out_r.cls, c_r.argmax(1))
        label_f = L.label_matching_loss(out_f.twin, c_f.argmax(1))
        lam_r, lam_f = self._lam(out_r), self._lam(out_f)
        losses = {"d_p2": L.p2gan_mix(data_r, label_r, lam_r, p.label_weight).mean()
                  + L.p2gan_mix(data_f, label_f, lam_f, p.label_weight).mean()}
        logs = {"d_data": lambda: data_r.mean() + data_f.mean(), "d_label": lambda: label_r.mean() + label_f.mean(),
                "acc_real": lambda: (out_r.cls.argmax(1) == c_r.argmax(1)).float().mean()}
        if self.weighted:
            losses["d_weight"] = p.penalty_weight * (L.weight_penalty(out_r.cond[:, 0]).mean()
                                                     + L.weight_penalty(out_f.cond[:, 0]).mean())
            logs |= {"lambda_real": lambda: lam_r.mean(), "lambda_fake": lambda: lam_f.mean()}
        return StepOutput(losses, logs=logs)

    def generator_step(self, m: Models, real, step: int) -> StepOutput:
        fake = m.generate(len(real), grad=True)
        out = m.discriminator(fake.x)
        g = self.adv.g(L.dual_projection_logit(out.adv, out.cls, out.twin, fake.c))
        if self.weighted:
            g = (1.0 - self._lam(out)).detach() * g  # the authors' G weights its loss by 1 − λ, without gradient to λ
        return StepOutput({"g_adv": g.mean()})


OBJECTIVES = {
    "p2gan": (P2GANObjective, P2GANParams,
              "P2GAN: dual projection (data matching) + twin classifiers (label matching), P2GAN-w's learned balance"),
}
