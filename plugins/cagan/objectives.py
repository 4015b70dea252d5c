"""CA-GAN and the AC-GAN family as Objectives: thin classes that call the pure functions of :mod:`.losses`.

* :class:`CAGANObjective`  conditional activation loss (Eqs. 17-18), one ``cond`` output per condition.
* ``cagan.ac_gan`` / ``cagan.modified_ac_gan``: core's one AC-GAN (:class:`condgan.ACGANObjective`) with the
  paper's defaults for the original AC-GAN (Eqs. 1-6) and the modified AC-GAN of StarGAN/AttGAN (Eqs. 7-10); the
  variants without adversarial loss (Figs. 9-11) and Fig. 12 are its switches.

What the discriminator sees comes from the BatchComposer (``core.separate`` or the mixed batches of
:mod:`.composers`); generated conditions come from the prior (``core.fixed`` with ``probs``: the target condition
distribution, independent of the data's). Simultaneous vs alternating G/D updates is the loop's ``run.update``.
"""

from __future__ import annotations

from typing import Literal

import attrs
from torch import Tensor

from condgan import (ACGANObjective, ACGANParams, Batch, BuildContext, Models, Objective, Regularizer, StepOutput,
                     component_field)

from . import losses as L

_in = attrs.validators.in_
_ge0 = attrs.validators.ge(0.0)


# ---------------------------------------------------------------------------------------------------------------
# CA-GAN
# ---------------------------------------------------------------------------------------------------------------


@attrs.frozen
class CAGANParams:
    """Conditional activation GAN (Cho & Yoon, Eqs. 11-20).

    #: family f_r^d, f_g^d, f^g applied per condition output (least squares = Eqs. 19-20)
    adversarial:         the family f_r^d, f_g^d, f^g applied per condition output; least squares is the paper's
                         (Eqs. 19-20); any registered family works (non-saturating, hinge, Wasserstein + wgan_gp).
    #: "mean" over the batch (the paper's E) or "sum" (the authors' code)
    reduction:           "mean" over the batch (the paper's E) or "sum" (the authors' code; matters with lr 1e-5).
    #: "" (none), "core.r1", "core.r2" or "core.wgan_gp" on the critic value <D(x), c>
    regularizer:         "" (none), "core.r1", "core.r2" or "core.wgan_gp", on the critic value <D(x), c>
                         (real conditions for R1 and WGAN-GP interpolates, target conditions for R2).
    #: weight of the regularizer
    regularizer_weight:  its weight.
    """

    adversarial: str = component_field("adversarial_losses", "core.least_squares")
    reduction: Literal["mean", "sum"] = attrs.field(default="mean", validator=_in(("mean", "sum")))
    regularizer: str = attrs.field(default="", metadata={"component": "regularizers"})
    regularizer_weight: float = attrs.field(default=10.0, validator=_ge0)


class CAGANObjective(Objective):
    """L_d = E[f_r^d(D(x))·cnd] + E[f_g^d(D(x'))·cnd'] (Eq. 17);  L_g = E[f^g(D(x'))·cnd'] (Eq. 18)."""

    losses = {"d_ca": "discriminator", "d_reg": "discriminator", "g_ca": "generator"}

    def __init__(self, params: CAGANParams, ctx: BuildContext):
        super().__init__(params, ctx)
        self.adv = ctx.resolve("adversarial_losses", params.adversarial)
        self.reg = Regularizer.resolve(ctx, params.regularizer, params.regularizer_weight)

    def heads(self) -> dict[str, int]:
        return {"cond": self.ctx.num_conditions}

    def discriminator_step(self, m: Models, real: Batch, step: int) -> StepOutput:
        p = self.params
        d = m.discriminate(real, step, self.reg)
        real, fake, x_real, x_fake, out_r, out_f = d.real, d.fake, d.x_real, d.x_fake, d.out_real, d.out_fake
        losses = {"d_ca": L.conditional_activation_d_loss(out_r.cond, real.c, out_f.cond, fake.c, self.adv, p.reduction)}
        if self.reg is not None and self.reg.applies(step):
            t_r, t_f = (out_r.cond * real.c).sum(1), (out_f.cond * fake.c).sum(1)
            c = real.c

            def critic(x):
                return (m.discriminator(x).cond * c[: len(x)]).sum(1)

            losses["d_reg"] = self.reg.penalty(critic, x_real, x_fake, t_r, t_f)
        logs = {"d_real_active": lambda: _active_mean(out_r.cond, real.c),  # computed on log steps only
                "d_fake_active": lambda: _active_mean(out_f.cond, fake.c)}
        return StepOutput(losses, logs=logs)

    def generator_step(self, m: Models, real: Batch, step: int) -> StepOutput:
        fake = m.generate(len(real), grad=True)
        out = m.fake_outputs(real, fake, step)
        return StepOutput({"g_ca": L.conditional_activation_g_loss(out.cond, fake.c, self.adv, self.params.reduction)})


def _active_mean(cond: Tensor, c: Tensor) -> Tensor:
    """Mean per-condition logit over the active conditions (for logging)."""
    return (cond * c).sum() / c.sum().clamp_min(1.0)


# ---------------------------------------------------------------------------------------------------------------
# AC-GAN family: core's one AC-GAN (``core.ac_gan``) with the paper's defaults
# ---------------------------------------------------------------------------------------------------------------


@attrs.frozen
class ModifiedACGANParams(ACGANParams):
    """Modified AC-GAN of StarGAN/AttGAN (Cho & Yoon Eqs. 7-10): ``core.ac_gan`` with L_cls^g out of D's loss and
    the paper's least-squares adversarial loss (its experiments' choice). Every switch of ``core.ac_gan`` is
    available: ``lambda_cls`` (Fig. 13 sweeps 0.1-10; Fig. 14 uses 1; the authors' code defaults to 0.1),
    ``adv_weight = 0`` (Figs. 9-11), ``cls_fake_in_d = true`` (Fig. 12), ``real_cls_in_g`` (Eq. 2 as printed),
    ``classification = "sigmoid"`` (the authors' CelebA baseline), ``reduction = "sum"`` (the authors' code)."""

    #: family of L_adv^d, L_adv^g (Eqs. 5-6); least squares as in the paper's experiments
    adversarial: str = component_field("adversarial_losses", "core.least_squares")
    #: add L_cls^g to D's loss: False = Eq. 7 (modified), True = Eq. 1 / Fig. 12
    cls_fake_in_d: bool = False


@attrs.frozen
class PaperACGANParams(ACGANParams):
    """The original AC-GAN as Cho & Yoon print it (Eqs. 1-6): ``core.ac_gan`` with the cross-entropy (minimax)
    adversarial loss of Eqs. 5-6, λ_cls = 1 and L_cls^g in D's loss."""

    #: Eqs. 5-6 as printed: cross-entropy (minimax) adversarial loss
    adversarial: str = component_field("adversarial_losses", "core.minimax")


OBJECTIVES = {
    "ca_gan": (CAGANObjective, CAGANParams, "CA-GAN: conditional activation loss, one GAN per condition (Cho & Yoon, Eqs. 11-20)"),
    "modified_ac_gan": (ACGANObjective, ModifiedACGANParams,
                        "modified AC-GAN of StarGAN/AttGAN (core.ac_gan, Cho & Yoon Eqs. 7-10): L_adv + lambda_cls L_cls^r"),
    "ac_gan": (ACGANObjective, PaperACGANParams,
               "original AC-GAN as Cho & Yoon print it (core.ac_gan, Eqs. 1-6): minimax adversarial + L_cls^r + L_cls^g"),
}
