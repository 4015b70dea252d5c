"""The generic baselines every paper plugin is compared with: a plain conditional GAN and AC-GAN.

* ``core.cgan``: D has one adversarial output per condition (the ``cond`` head); the logit for a sample is the output
  of its own condition, ``t = <D_cond(x), c>`` (for several groups: the mean over groups). With
  ``conditional = false`` it is an unconditional GAN on the ``adv`` head (the "GAN" row of every paper's table).
* ``core.ac_gan``: AC-GAN (Odena et al. 2017) with the switches of its variants: the one AC-GAN of condgan. The
  papers register theirs as presets of it (``cagan.ac_gan``, ``cagan.modified_ac_gan``: other defaults) or thin
  subclasses where their math adds terms (``uacgan.tac_gan``, ``uacgan.uac_gan``).
"""

from __future__ import annotations

from typing import ClassVar, Literal

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


@attrs.frozen
class ACGANParams:
    """AC-GAN (Odena et al. 2017; Cho & Yoon Eqs. 1-10; UAC-GAN Eq. 1). The defaults are the original AC-GAN with
    the non-saturating generator of Odena et al.'s code.

    #: family of L_adv^d, L_adv^g (Cho & Yoon Eqs. 5-6; core.minimax is Eqs. 5-6 as printed)
    adversarial:     family of L_adv^d, L_adv^g (Cho & Yoon Eqs. 5-6; ``core.minimax`` is Eqs. 5-6 as printed).
    #: lambda_cls, weight of the classification losses (UAC-GAN's w)
    lambda_cls:      λ_cls, the weight of the classification losses (UAC-GAN's w; Cho & Yoon Fig. 13 sweeps 0.1-10).
    #: weight of the adversarial loss; 0 = no adversarial loss (Cho & Yoon Figs. 9-11)
    adv_weight:      weight of the adversarial loss; 0 gives the variants without adversarial loss of Cho & Yoon
                     Figs. 9-11 (D then has no adversarial head).
    #: add L_cls^g to D's loss: True = original AC-GAN (Eq. 1), False = modified AC-GAN (Eq. 7)
    cls_fake_in_d:   add L_cls^g (classification of generated data) to D's loss: True = the original AC-GAN (Cho &
                     Yoon Eq. 1, UAC-GAN Eq. 1 term (c)); False = the modified AC-GAN of StarGAN/AttGAN (Eq. 7).
    #: add L_cls^r to G's loss as Cho & Yoon Eq. 2 prints it (no gradient to G)
    real_cls_in_g:   add L_cls^r to G's loss as Cho & Yoon Eq. 2 prints it. It carries no gradient to G (the remark
                     under Eq. 6), so it only changes the logged value and costs a forward of real data.
    #: "softmax" per condition group, or "sigmoid"/BCE per binary attribute [a, not-a]
    classification:  "softmax": one softmax cross-entropy per condition group; "sigmoid": one sigmoid/BCE output per
                     binary attribute [a, not-a] (every group must have two values).
    #: "mean" over the batch (the papers' E) or "sum" (the CA-GAN authors' code)
    reduction:       "mean" (the papers' E) or "sum" over the batch (the CA-GAN authors' code).
    #: "" (none), "core.r1", "core.r2", "core.wgan_gp" or a plugin's, on the adversarial logit
    regularizer:     "" (none) or a registered regularizer, on the adversarial logit.
    """

    adversarial: str = component_field("adversarial_losses", "core.non_saturating")
    lambda_cls: float = attrs.field(default=1.0, validator=attrs.validators.ge(0.0))
    adv_weight: float = attrs.field(default=1.0, validator=attrs.validators.ge(0.0))
    cls_fake_in_d: bool = True
    real_cls_in_g: bool = False
    classification: Literal["softmax", "sigmoid"] = attrs.field(
        default="softmax", validator=attrs.validators.in_(("softmax", "sigmoid")))
    reduction: Literal["mean", "sum"] = attrs.field(default="mean", validator=attrs.validators.in_(("mean", "sum")))
    regularizer: str = attrs.field(default="", metadata={"component": "regularizers"})
    #: weight of the regularizer
    regularizer_weight: float = attrs.field(default=10.0, validator=attrs.validators.ge(0.0))


class ACGANObjective(Objective):
    """L_D = w_adv L_adv^d + λ_cls (L_cls^r [+ L_cls^g]) [+ reg];  L_G = w_adv L_adv^g + λ_cls (L_cls^g [+ L_cls^r]).

    Losses ``d_adv`` = w_adv L_adv^d, ``d_cls`` = λ_cls (L_cls^r [+ L_cls^g]), ``d_reg``, ``g_adv``, ``g_cls``
    (their sums are :func:`condgan.losses.acgan_discriminator_loss` / ``acgan_generator_loss``). A subclass adds its
    paper's terms to :meth:`discriminator_terms` / :meth:`generator_terms`; one whose params name the switches
    differently translates them in :meth:`acgan_params`.
    """

    losses: ClassVar = {"d_adv": "discriminator", "d_cls": "discriminator", "d_reg": "discriminator",
                        "g_adv": "generator", "g_cls": "generator"}

    def __init__(self, params, ctx: BuildContext):
        super().__init__(params, ctx)
        self.acgan = p = self.acgan_params(params)
        self.adv = ctx.resolve("adversarial_losses", p.adversarial)
        self.reg = Regularizer.resolve(ctx, p.regularizer, p.regularizer_weight)
        self.slices = ctx.spec.slices
        if p.classification == "sigmoid" and any(s.stop - s.start != 2 for s in self.slices):
            raise ValueError("classification = 'sigmoid' needs binary attributes (every condition group of size 2); "
                             "use 'softmax' for groups of more than two values")
        if self.reg is not None and p.adv_weight == 0:
            raise ValueError("a regularizer acts on the adversarial logit; it needs adv_weight > 0")

    @classmethod
    def acgan_params(cls, params) -> ACGANParams:
        """The AC-GAN switches of ``params`` (here: ``params`` itself)."""
        return params

    def heads(self) -> dict[str, int]:
        p = self.acgan
        width = len(self.slices) if p.classification == "sigmoid" else self.ctx.num_conditions
        return {"adv": 1, "cls": width} if p.adv_weight > 0 else {"cls": width}

    def cls_loss(self, logits: Tensor, c: Tensor) -> Tensor:
        """L_cls of ``logits`` against the conditions ``c`` (Cho & Yoon Eqs. 3-4, 9-10)."""
        p = self.acgan
        target = L.attribute_targets(c, self.slices) if p.classification == "sigmoid" else c
        return L.classification_loss(logits, target, self.slices, p.classification, p.reduction)

    def discriminator_terms(self, m: Models, d, step: int) -> tuple[dict, dict]:
        """The AC-GAN losses and logs of D's step, from :meth:`Models.discriminate`'s result ``d``."""
        p = self.acgan
        out_r, out_f = d.out_real, d.out_fake
        losses = {}
        if p.adv_weight > 0:
            losses["d_adv"] = p.adv_weight * L.adversarial_d_loss(out_r.adv, out_f.adv, self.adv, p.reduction)
        l_cls = self.cls_loss(out_r.cls, d.real.c)
        if p.cls_fake_in_d:
            l_cls = l_cls + self.cls_loss(out_f.cls, d.fake.c)
        losses["d_cls"] = p.lambda_cls * l_cls
        if self.reg is not None and self.reg.applies(step):
            losses["d_reg"] = self.reg.penalty(lambda x: m.discriminator(x).adv, d.x_real, d.x_fake, out_r.adv,
                                               out_f.adv)
        real = d.real
        return losses, {"acc_real": lambda: (out_r.cls.argmax(1) == real.c.argmax(1)).float().mean()}  # log steps only

    def generator_terms(self, m: Models, real: Batch, fake: Batch, out) -> dict:
        """The AC-GAN losses of G's step; ``out`` are D's outputs on ``fake`` (:meth:`Models.fake_outputs`)."""
        p = self.acgan
        losses = {}
        if p.adv_weight > 0:
            losses["g_adv"] = p.adv_weight * L.adversarial_g_loss(out.adv, self.adv, p.reduction)
        l_cls = self.cls_loss(out.cls, fake.c)
        if p.real_cls_in_g:
            l_cls = l_cls + self.cls_loss(m.discriminator(real.x).cls, real.c)
        losses["g_cls"] = p.lambda_cls * l_cls
        return losses

    def discriminator_step(self, m: Models, real: Batch, step: int) -> StepOutput:
        losses, logs = self.discriminator_terms(m, m.discriminate(real, step, self.reg), step)
        return StepOutput(losses, logs=logs)

    def generator_step(self, m: Models, real: Batch, step: int) -> StepOutput:
        fake = m.generate(len(real), grad=True)
        return StepOutput(self.generator_terms(m, real, fake, m.fake_outputs(real, fake, step)))


OBJECTIVES = {
    "cgan": (CGANObjective, CGANParams, "plain conditional GAN with one output per condition (or unconditional)"),
    "ac_gan": (ACGANObjective, ACGANParams,
               "AC-GAN: adversarial + auxiliary classifier, with the switches of the original and modified AC-GAN"),
}


#: ``condgan.builtins.objectives.selected_logit`` was imported by plugins before ``condgan.losses`` existed
__getattr__ = moved_names(__name__, {"selected_logit": "condgan.losses"})
