"""CA-GAN and the AC-GAN family as Objectives: thin classes that call the pure functions of :mod:`.losses`.

* :class:`CAGANObjective`  conditional activation loss (Eqs. 17-18), one ``cond`` output per condition.
* :class:`ACGANObjective`  original AC-GAN (Eqs. 1-6), modified AC-GAN of StarGAN/AttGAN (Eqs. 7-10) and the
  variants without adversarial loss (Figs. 9-11), chosen by parameters.

What the discriminator sees comes from the BatchComposer (``core.separate`` or the mixed batches of
:mod:`.composers`); generated conditions come from the prior (``core.fixed`` with ``probs``: the target condition
distribution, independent of the data's). Simultaneous vs alternating G/D updates is the loop's ``run.update``.
"""

from __future__ import annotations

from typing import Literal

import attrs
import torch
from torch import Tensor

from condgan import (Batch, BuildContext, DiscriminatorOutput, Models, Objective, Regularizer, StepOutput,
                     component_field)

from condgan import losses as CL

from . import losses as L

_in = attrs.validators.in_
_ge0 = attrs.validators.ge(0.0)


def _regularizer_field():
    return attrs.field(default="", metadata={"component": "regularizers"})


def _fake_view(m: Models, real: Batch, fake: Batch, step: int) -> DiscriminatorOutput:
    """D's outputs on generated data for the generator's loss.

    With mixed batches (a composer with ``mixes_batches``) the generated rows go through the same mixed forwards
    as in D's step, so a batch-normalised D normalises them with real data in the batch (Section 4); otherwise a
    plain forward of the generated batch.
    """
    if m.composer.mixes_batches:
        n_real, _ = m.split(len(real), step)
        return m.composer.discriminate(m.discriminator, real.x[:n_real], fake.x)[1]
    return m.discriminator(fake.x)


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
    regularizer: str = _regularizer_field()
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
        out = _fake_view(m, real, fake, step)
        return StepOutput({"g_ca": L.conditional_activation_g_loss(out.cond, fake.c, self.adv, self.params.reduction)})


def _active_mean(cond: Tensor, c: Tensor) -> Tensor:
    """Mean per-condition logit over the active conditions (for logging)."""
    return (cond * c).sum() / c.sum().clamp_min(1.0)


# ---------------------------------------------------------------------------------------------------------------
# AC-GAN family
# ---------------------------------------------------------------------------------------------------------------


@attrs.frozen
class ModifiedACGANParams:
    """Modified AC-GAN of StarGAN/AttGAN (Eqs. 7-10) and, by its switches, the original AC-GAN (Eqs. 1-6).

    #: family of L_adv^d, L_adv^g (Eqs. 5-6); core.minimax is Eqs. 5-6 as printed
    adversarial:     family of L_adv^d, L_adv^g (Eqs. 5-6); least squares as in the paper's experiments
                     (``core.minimax`` is Eqs. 5-6 as printed).
    #: lambda_cls, weight of the classification losses (Fig. 13: 0.1-10; authors' code: 0.1)
    lambda_cls:      λ_cls, the weight of the classification losses (Fig. 13 sweeps 0.1-10; Fig. 14 uses 1; the
                     authors' code defaults to 0.1).
    #: weight of the adversarial loss; 0 = no adversarial loss (Figs. 9-11)
    adv_weight:      weight of the adversarial loss; 0 gives the variants without adversarial loss of Figs. 9-11
                     (D then has no adversarial head).
    #: add L_cls^g to D's loss: False = Eq. 7 (modified), True = Eq. 1 / Fig. 12
    cls_fake_in_d:   add L_cls^g (classification of generated data) to D's loss: False = Eq. 7 (modified AC-GAN),
                     True = Eq. 1 (original AC-GAN) / Fig. 12's L_d = L_adv^d + λ_cls (L_cls^r + L_cls^g).
    #: add L_cls^r to G's loss as Eq. 2 prints it (no gradient to G)
    real_cls_in_g:   add L_cls^r to G's loss as Eq. 2 prints it. It carries no gradient to G (the remark under
                     Eq. 6), so it only changes the logged value and costs a forward of real data.
    #: "softmax" per condition group, or "sigmoid"/BCE per binary attribute [a, not-a]
    classification:  "softmax": one softmax cross-entropy per condition group (single labels, exclusive groups);
                     "sigmoid": one sigmoid/BCE output per binary attribute [a, not-a] (the authors' CelebA
                     baseline; every group must have two values).
    #: "mean" over the batch (the paper's E) or "sum" (the authors' code)
    reduction:       "mean" (the paper's E) or "sum" over the batch (the authors' code).
    #: "" (none), "core.r1", "core.r2" or "core.wgan_gp" on the adversarial logit
    regularizer:     "" (none), "core.r1", "core.r2" or "core.wgan_gp" on the adversarial logit.
    """

    adversarial: str = component_field("adversarial_losses", "core.least_squares")
    lambda_cls: float = attrs.field(default=1.0, validator=_ge0)
    adv_weight: float = attrs.field(default=1.0, validator=_ge0)
    cls_fake_in_d: bool = False
    real_cls_in_g: bool = False
    classification: Literal["softmax", "sigmoid"] = attrs.field(default="softmax", validator=_in(("softmax", "sigmoid")))
    reduction: Literal["mean", "sum"] = attrs.field(default="mean", validator=_in(("mean", "sum")))
    regularizer: str = _regularizer_field()
    #: weight of the regularizer
    regularizer_weight: float = attrs.field(default=10.0, validator=_ge0)


@attrs.frozen
class ACGANParams(ModifiedACGANParams):
    """The original AC-GAN (Odena et al.; Cho & Yoon Eqs. 1-6): cross-entropy (minimax) adversarial loss,
    λ_cls = 1 and L_cls^g in D's loss. Every switch of the modified AC-GAN is available."""

    #: Eqs. 5-6 as printed: cross-entropy (minimax) adversarial loss
    adversarial: str = component_field("adversarial_losses", "core.minimax")
    #: Eq. 1: L_cls^g in D's loss
    cls_fake_in_d: bool = True


class ACGANObjective(Objective):
    """L_d = w_adv L_adv^d + λ_cls (L_cls^r [+ L_cls^g]);  L_g = w_adv L_adv^g + λ_cls L_cls^g [+ L_cls^r]."""

    losses = {"d_acgan": "discriminator", "d_reg": "discriminator", "g_acgan": "generator"}

    def __init__(self, params: ModifiedACGANParams, ctx: BuildContext):
        super().__init__(params, ctx)
        self.adv = ctx.resolve("adversarial_losses", params.adversarial)
        self.reg = Regularizer.resolve(ctx, params.regularizer, params.regularizer_weight)
        self.slices = ctx.spec.slices
        if params.classification == "sigmoid" and any(s.stop - s.start != 2 for s in self.slices):
            raise ValueError("classification = 'sigmoid' needs binary attributes (every condition group of size 2); "
                             "use 'softmax' for groups of more than two values")
        if self.reg is not None and params.adv_weight == 0:
            raise ValueError("a regularizer acts on the adversarial logit; it needs adv_weight > 0")

    def heads(self) -> dict[str, int]:
        p = self.params
        width = len(self.slices) if p.classification == "sigmoid" else self.ctx.num_conditions
        heads = {"cls": width}
        if p.adv_weight > 0:
            heads = {"adv": 1, **heads}
        return heads

    def _cls(self, logits: Tensor, c: Tensor) -> Tensor:
        p = self.params
        target = CL.attribute_targets(c, self.slices) if p.classification == "sigmoid" else c
        return CL.classification_loss(logits, target, self.slices, p.classification, p.reduction)

    def discriminator_step(self, m: Models, real: Batch, step: int) -> StepOutput:
        p = self.params
        d = m.discriminate(real, step, self.reg)
        real, fake, x_real, x_fake, out_r, out_f = d.real, d.fake, d.x_real, d.x_fake, d.out_real, d.out_fake
        l_adv = (CL.adversarial_d_loss(out_r.adv, out_f.adv, self.adv, p.reduction) if p.adv_weight > 0
                 else out_r.cls.new_zeros(()))
        l_cls_r = self._cls(out_r.cls, real.c)
        l_cls_g = self._cls(out_f.cls, fake.c) if p.cls_fake_in_d else None
        total = CL.acgan_discriminator_loss(l_adv, l_cls_r, l_cls_g,
                                           lambda_cls=p.lambda_cls, adv_weight=p.adv_weight,
                                           cls_fake_in_d=p.cls_fake_in_d)
        losses = {"d_acgan": total}
        if self.reg is not None and self.reg.applies(step):
            losses["d_reg"] = self.reg.penalty(lambda x: m.discriminator(x).adv, x_real, x_fake, out_r.adv, out_f.adv)
        # L_cls^g only logged (Eq. 7): computed on log steps only, without a graph
        logs = {"l_adv_d": l_adv, "l_cls_r": l_cls_r,
                "l_cls_g": l_cls_g.detach() if l_cls_g is not None else lambda: self._cls(out_f.cls.detach(), fake.c)}
        return StepOutput(losses, logs=logs)

    def generator_step(self, m: Models, real: Batch, step: int) -> StepOutput:
        p = self.params
        fake = m.generate(len(real), grad=True)
        out = _fake_view(m, real, fake, step)
        l_adv = CL.adversarial_g_loss(out.adv, self.adv, p.reduction) if p.adv_weight > 0 else out.cls.new_zeros(())
        l_cls_g = self._cls(out.cls, fake.c)
        l_cls_r = None
        if p.real_cls_in_g:
            l_cls_r = self._cls(m.discriminator(real.x).cls, real.c)
        total = CL.acgan_generator_loss(l_adv, l_cls_g, l_cls_r, lambda_cls=p.lambda_cls, adv_weight=p.adv_weight)
        return StepOutput({"g_acgan": total}, logs={"l_adv_g": l_adv, "l_cls_g": l_cls_g})


OBJECTIVES = {
    "ca_gan": (CAGANObjective, CAGANParams, "CA-GAN: conditional activation loss, one GAN per condition (Cho & Yoon, Eqs. 11-20)"),
    "modified_ac_gan": (ACGANObjective, ModifiedACGANParams,
                        "modified AC-GAN of StarGAN/AttGAN: L_adv + lambda_cls L_cls (Cho & Yoon, Eqs. 7-10)"),
    "ac_gan": (ACGANObjective, ACGANParams, "original AC-GAN: cross-entropy adversarial + L_cls^r + L_cls^g (Eqs. 1-6)"),
}

torch  # noqa: B018
