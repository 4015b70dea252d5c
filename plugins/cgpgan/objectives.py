r"""Objectives of the CGPGAN paper (Cho 2024): CGPGAN (Algorithm 1), InfoGAN (Eqs. 1-6), Elastic-InfoGAN and a
vanilla GAN with a categorical latent (Fig. 2). Thin classes: the math is in :mod:`.losses`.

Defaults follow the paper; the authors' code choices (softplus losses, R2 on generated data with no 1/2, EMA of
the soft probabilities) are the paper's too where it is silent. Every objective is unsupervised: it never reads
``real.c`` or ``real.y``.
"""

from __future__ import annotations

from typing import Any

import attrs
import torch
import torch.nn.functional as F

from condgan import Batch, Models, Objective, Regularizer, StepOutput, component_field, get_component
from condgan.losses import AdversarialLoss

from . import losses as L

_v = attrs.validators


def resolve_family(name: str, ctx: Any = None) -> AdversarialLoss:
    """``"non_saturating"`` or a registered name such as ``"core.non_saturating"`` -> the loss family."""
    resolve = getattr(ctx, "resolve", None)
    if "." in name and resolve is not None:
        entry = resolve("adversarial_losses", name)
        return entry.build() if hasattr(entry, "build") else entry
    return get_component("adversarial_losses", name if "." in name else f"core.{name}").build()


@attrs.frozen
class CGPGANParams:
    """CGPGAN (Eqs. 7-13, Algorithm 1).

    lambda_cls:   λ_cls, weight of L_cls in Q's loss (Eq. 7; paper 1.0)
    lambda_creg:  λ_creg, classifier gradient penalty weight (Eq. 10; Fig. 5 sweeps 0, 1, 10, 100; Fig. 6 0.1)
    lambda_r2:    R2 weight on generated data, E||∇(D(x').c_f)||², no 1/2 (paper 1 for 2-D, 10 for AFHQ)
    normalize_until_epoch: prob_normalize (Eq. 13) is applied while epoch < this ("early in training", Alg. 1
                  line 9; paper 30 of 100 epochs for 2-D, 100 for MNIST, 50 for AFHQ)
    normalize_until_step: the same switch by step; when set (>= 0) it replaces the epoch switch
    loss:         adversarial family A_d/A_g (paper/code: softplus = "non_saturating")
    """

    lambda_cls: float = attrs.field(default=1.0, validator=_v.ge(0.0))
    lambda_creg: float = attrs.field(default=0.1, validator=_v.ge(0.0))
    lambda_r2: float = attrs.field(default=1.0, validator=_v.ge(0.0))
    normalize_until_epoch: int = attrs.field(default=30, validator=_v.ge(0))
    normalize_until_step: int = attrs.field(default=-1, validator=_v.ge(-1))
    loss: str = component_field("adversarial_losses", "core.non_saturating")


class CGPGANObjective(Objective):
    """CGPGAN: D has d_c conditional outputs (CA-GAN loss, Eqs. 11-12), Q is trained on fakes with
    λ_cls L_cls + λ_creg L_creg (Eq. 7), G sees the adversarial loss only (Eq. 9); real data get the label
    argmax_onehot(Q(x)) (prob-normalised early on, Eq. 13); Q's soft probabilities on real data feed the prior."""

    requires = frozenset({"classifier"})
    losses = {"d_adv": "discriminator", "d_r2": "discriminator", "q_cls": "classifier", "q_creg": "classifier",
              "g_adv": "generator"}
    unsupervised = True

    def __init__(self, params: CGPGANParams, ctx):
        super().__init__(params, ctx)
        self.family = resolve_family(params.loss, ctx)
        #: R2 on generated data, E||∇_{x'} (D(x') . c_f)||², no ½ (Sec. 4.1; = core.r2 on the conditional value)
        self.r2 = Regularizer.resolve(ctx, "core.r2", params.lambda_r2)

    def heads(self) -> dict[str, int]:
        return {"cond": self.ctx.num_conditions}

    def normalizing(self, m: Models, step: int) -> bool:
        """True while "early in training" (Algorithm 1, line 9)."""
        p = self.params
        if p.normalize_until_step >= 0:
            return step < p.normalize_until_step
        return m.epoch(step) < p.normalize_until_epoch

    def real_labels(self, m: Models, x_real: torch.Tensor, step: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Algorithm 1 lines 6, 9-12: (c'_r soft probabilities, possibly normalised; c_r = argmax_onehot(c'_r))."""
        with torch.no_grad():
            probs = F.softmax(m.classifier(x_real), dim=1)
            if self.normalizing(m, step):
                probs = L.prob_normalize(probs)
        return probs, L.argmax_onehot(probs)

    def discriminator_step(self, m: Models, real: Batch, step: int) -> StepOutput:
        p = self.params
        d = m.discriminate(real, step, self.r2)
        x_real, c_fake, out_r, out_f = d.x_real, d.fake.c, d.out_real, d.out_fake
        # L_creg differentiates Q at x' (Eq. 10): x' needs a gradient even when R2 is off
        x_fake = d.x_fake if d.x_fake.requires_grad else d.x_fake.detach().requires_grad_(True)
        probs_r, c_r = self.real_labels(m, x_real, step)
        losses = {"d_adv": L.conditional_d_loss(out_r.cond, c_r, out_f.cond, c_fake, self.family)}
        if self.r2 is not None and self.r2.applies(step):
            losses["d_r2"] = self.r2.penalty(lambda x: L.inner(m.discriminator(x).cond, c_fake[: len(x)]), x_real,
                                             x_fake, L.inner(out_r.cond, c_r), L.inner(out_f.cond, c_fake))
        logits_f = m.classifier(x_fake)
        losses["q_cls"] = p.lambda_cls * L.classification_loss(logits_f, c_fake)
        if p.lambda_creg > 0:
            losses["q_creg"] = p.lambda_creg * L.classifier_gradient_penalty(logits_f, c_fake, x_fake)
        normalizing = float(self.normalizing(m, step))
        prior = m.prior.probs().detach().clone()  # as it is now, before this step's prior update
        logs = {"normalizing": lambda: torch.tensor(normalizing),  # computed on log steps only
                "prior_entropy": lambda: L.prior_entropy(prior)}
        return StepOutput(losses=losses, logs=logs, class_probs=probs_r)

    def generator_step(self, m: Models, real: Batch, step: int) -> StepOutput:
        fake = m.generate(len(real), grad=True)
        out = m.discriminator(fake.x)
        return StepOutput(losses={"g_adv": L.conditional_g_loss(out.cond, fake.c, self.family)})


@attrs.frozen
class InfoGANParams:
    """InfoGAN (Eqs. 1-6) and Elastic-InfoGAN.

    lambda_cls:  λ_cls (paper 1.0); 0 turns it into the vanilla GAN with a categorical latent (Fig. 2)
    lambda_r2:   R2 on generated data, E||∇D(x')||² (the authors' InfoGAN baseline uses it, weight 1)
    loss:        adversarial family (code: softplus = "non_saturating")
    lambda_contrastive: Elastic-InfoGAN's identity-preserving NT-Xent loss on Q's features of two kornia
                 augmentations of real images (0 = off, as in the CGPGAN paper's baseline; images only)
    contrastive_temperature: NT-Xent temperature
    """

    lambda_cls: float = attrs.field(default=1.0, validator=_v.ge(0.0))
    lambda_r2: float = attrs.field(default=1.0, validator=_v.ge(0.0))
    loss: str = component_field("adversarial_losses", "core.non_saturating")
    lambda_contrastive: float = attrs.field(default=0.0, validator=_v.ge(0.0))
    contrastive_temperature: float = attrs.field(default=0.5, validator=_v.gt(0.0))


class InfoGANObjective(Objective):
    """InfoGAN with whatever prior the experiment configures (fixed for Fig. 3). D: one adversarial logit + R2 on
    fakes; Q: λ_cls L_cls on fakes (Eq. 1); G: L_adv^g + λ_cls L_cls (Eq. 3)."""

    requires = frozenset({"classifier"})
    losses = {"d_adv": "discriminator", "d_r2": "discriminator", "q_cls": "classifier", "q_contrastive": "classifier",
              "g_adv": "generator", "g_cls": "generator"}
    unsupervised = True

    def __init__(self, params: InfoGANParams, ctx):
        super().__init__(params, ctx)
        self.family = resolve_family(params.loss, ctx)
        #: R2 on generated data, E||∇D(x')||² (the authors' InfoGAN baseline): core.r2
        self.r2 = Regularizer.resolve(ctx, "core.r2", params.lambda_r2)
        self._augment = None

    def heads(self) -> dict[str, int]:
        return {"adv": 1}

    def fake_conditions(self, m: Models, n: int, grad: bool) -> torch.Tensor:
        return m.sample_conditions(n)

    def discriminator_step(self, m: Models, real: Batch, step: int) -> StepOutput:
        p = self.params
        d = m.discriminate(real, step, self.r2, conditions=lambda n: self.fake_conditions(m, n, grad=False).detach())
        x_real, x_fake, c_fake, out_r, out_f = d.x_real, d.x_fake, d.fake.c, d.out_real, d.out_fake
        losses = {"d_adv": L.infogan_d_loss(out_r.adv, out_f.adv, self.family)}
        if self.r2 is not None and self.r2.applies(step):
            losses["d_r2"] = self.r2.penalty(lambda x: m.discriminator(x).adv, x_real, x_fake, out_r.adv, out_f.adv)
        if m.classifier is not None and p.lambda_cls > 0:
            losses["q_cls"] = L.infogan_q_loss(m.classifier(x_fake.detach()), c_fake, p.lambda_cls)
        if m.classifier is not None and p.lambda_contrastive > 0:
            losses["q_contrastive"] = p.lambda_contrastive * self.contrastive(m, x_real)
        return StepOutput(losses=losses)

    def contrastive(self, m: Models, x_real: torch.Tensor) -> torch.Tensor:
        """Elastic-InfoGAN's identity-preserving loss: NT-Xent between Q's logits of two kornia augmentations."""
        if x_real.dim() != 4:
            raise ValueError("the contrastive loss needs image data (B, C, H, W) for its kornia augmentations")
        if self._augment is None:
            import kornia.augmentation as KA

            self._augment = torch.nn.Sequential(
                KA.RandomAffine(degrees=10.0, scale=(0.9, 1.1), p=1.0),
                KA.RandomResizedCrop(tuple(x_real.shape[-2:]), scale=(0.8, 1.0), p=1.0),
            ).to(x_real.device)
        return L.nt_xent(m.classifier(self._augment(x_real)), m.classifier(self._augment(x_real)),
                         self.params.contrastive_temperature)

    def generator_loss(self, m: Models, n: int, c: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        fake = m.generate(n, c=c, grad=True)
        adv = self.family.g(m.discriminator(fake.x).adv).mean()
        if m.classifier is None or self.params.lambda_cls == 0:
            return adv, adv.new_zeros(())
        return adv, self.params.lambda_cls * L.classification_loss(m.classifier(fake.x), c)

    def generator_step(self, m: Models, real: Batch, step: int) -> StepOutput:
        adv, cls = self.generator_loss(m, len(real), self.fake_conditions(m, len(real), grad=False))
        return StepOutput(losses={"g_adv": adv, "g_cls": cls})


class ElasticInfoGANObjective(InfoGANObjective):
    """Elastic-InfoGAN as the CGPGAN paper's baseline: InfoGAN whose prior is learned through Gumbel-softmax
    samples (``cgpgan.gumbel`` prior, its own optimizer "prior") by minimising the generator loss, from the
    prior's ``start_epoch`` on. The contrastive loss is an option (``lambda_contrastive``)."""

    losses = {**InfoGANObjective.losses, "prior_g": "prior"}
    #: the learned prior is part of the method: used when the config has no [prior] table
    default_components = {"prior": "cgpgan.gumbel"}

    def fake_conditions(self, m: Models, n: int, grad: bool) -> torch.Tensor:
        rsample = getattr(m.prior, "rsample", None)
        if rsample is None:
            raise ValueError("Elastic-InfoGAN needs a learnable Gumbel-softmax prior (prior type 'cgpgan.gumbel')")
        c = m.rank_rows(rsample(n * m.world)).to(m.device)  # under torchrun: this rank's rows of the global draw
        return c if grad else c.detach()

    def generator_step(self, m: Models, real: Batch, step: int) -> StepOutput:
        start = getattr(m.prior.params, "start_epoch", 0)
        learn_prior = m.epoch(step) >= start
        c = self.fake_conditions(m, len(real), grad=learn_prior)
        adv, cls = self.generator_loss(m, len(real), c)
        losses = {"g_adv": adv, "g_cls": cls}
        if learn_prior:
            losses["prior_g"] = adv + cls
        prior = m.prior.probs().detach()  # a new tensor (softmax of the logits), so the prior's step leaves it as is
        return StepOutput(losses=losses, logs={"prior_entropy": lambda: L.prior_entropy(prior)})


@attrs.frozen
class VanillaParams:
    """Vanilla GAN with a categorical latent (Fig. 2): adversarial loss only; R2 on fakes as in the other runs."""

    lambda_r2: float = attrs.field(default=1.0, validator=_v.ge(0.0))
    loss: str = component_field("adversarial_losses", "core.non_saturating")


class VanillaCategoricalObjective(InfoGANObjective):
    """Fig. 2: G(z, c) with c from the prior, trained only with the adversarial loss; no classifier."""

    requires = frozenset()
    losses = {"d_adv": "discriminator", "d_r2": "discriminator", "g_adv": "generator", "g_cls": "generator"}

    def __init__(self, params: VanillaParams, ctx):
        super().__init__(InfoGANParams(lambda_cls=0.0, lambda_r2=params.lambda_r2, loss=params.loss), ctx)
        self.params_vanilla = params


OBJECTIVES = {
    "cgpgan": (CGPGANObjective, CGPGANParams,
               "CGPGAN: CA-GAN loss with predicted labels, classifier gradient penalty, dynamic prior (Eqs. 7-13)"),
    "infogan": (InfoGANObjective, InfoGANParams, "class-conditional InfoGAN (Eqs. 1-6); pair with a fixed prior"),
    "elastic_infogan": (ElasticInfoGANObjective, InfoGANParams,
                        "Elastic-InfoGAN: InfoGAN with a Gumbel-softmax prior learned on the generator loss"),
    "vanilla": (VanillaCategoricalObjective, VanillaParams,
                "vanilla GAN with a categorical latent (CGPGAN paper Fig. 2); adversarial loss only"),
}
