r"""AM-GAN and its baselines as Objectives: thin classes over the pure functions of :mod:`.losses`.

Two discriminator layouts (Zhou et al., Fig. 2):

* **K+1 classes, non-hierarchical** (:class:`KPlusOneObjective`): LabelGAN (Eqs. 2-5) and AM-GAN (Eqs. 14-15). D has
  one ``cls`` head: K class logits with the fake logit fixed to 0 (the authors' reproduce code), or K+1 logits with
  a learned fake logit (``learned_fake_logit = true``; their refactored code).
* **2 classes + auxiliary classifier, hierarchical** (:class:`AuxiliaryClassifierObjective`): GAN, GAN*, AC-GAN*
  (Eqs. 6-9), the original AC-GAN (+ the classifier loss on fakes in D) and AC-GAN*+ (+ Eq. 20). D has an ``adv``
  head (the real logit against a fixed 0 fake logit: a sigmoid discriminator) and a ``cls`` head of K logits (C).

Every objective takes ``labeling`` = "dynamic" (G(z, 0), target = argmax of the current D's class logits on the
same sample, no gradient) or "predefined" (G(z, u(y)), target = y); see :mod:`.labeling`.

Why the hierarchical family is its own objective and not a preset of condgan's one AC-GAN (``core.ac_gan``): the
AM-GAN comparisons need math that ``core.ac_gan`` has no switch for: dynamic labeling (Sec. 5.1), label smoothing
of the 2-class targets (Appendix A, Eqs. 24-28), separate classifier weights for D and G (GAN*: C is trained, G
ignores it) and the uniform-target term of AC-GAN*+ (Eq. 20). With predefined labels and no smoothing,
``amgan.ac_gan`` is ``core.ac_gan``'s original AC-GAN (non-saturating, λ_cls = 1, L_cls^g in D); its generator loss is
:func:`condgan.losses.acgan_generator_loss` and its class terms :func:`condgan.losses.class_cross_entropy`.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import attrs
import torch
from torch import Tensor

from condgan import Batch, BuildContext, DiscriminatorOutput, Models, Objective, StepOutput

from . import labeling as lab
from . import losses as L

_in = attrs.validators.in_
_ge0 = attrs.validators.ge(0.0)
_smoothing = attrs.validators.and_(attrs.validators.ge(0.0), attrs.validators.lt(0.5))


def _accuracy(logits: Tensor, c: Tensor) -> Tensor:
    return (logits.argmax(-1) == c.argmax(-1)).float().mean() if len(c) else logits.new_zeros(())


@attrs.frozen
class CommonParams:
    """Settings shared by every AM-GAN-paper objective.

    labeling:             "dynamic" (Sec. 5.1; G gets no class, the target is argmax of the current D's class
                          logits on the same sample, stop-gradient) or "predefined" (class condition: G gets u(y)).
    generator_loss:       "log_d": -log D_r (non-saturating, the paper's choice, Sec. 2.2) or "log_1_minus_d":
                          log(1 - D_r) (the minimax generator, Eq. 25).
    real_smoothing:       λ₂ of Appendix A Eq. 24: D's target on real data is [1-λ₂, λ₂] (one-sided smoothing).
    fake_smoothing:       λ₁ of Eq. 24: D's target on fakes is [λ₁, 1-λ₁] (two-sided with λ₂); in K+1 models the
                          λ₁ real mass is spread uniformly over the K classes (Appendix B Eq. 33).
    generator_smoothing:  λ of G's target [1-λ, λ] (Eq. 28) or [λ, 1-λ] (Eq. 25).
    class_smoothing:      ε of the K-class real targets (1-ε) u(y) + ε/K (the code's ``fkSmoothed``).
    dynamic_sharpness:    0: argmax targets (the paper); s > 0: soft targets softmax(s · l) (the code's ``sharp_pow``).

    The authors' runs use no smoothing (reference note §2.4), so every smoothing defaults to 0.
    """

    labeling: Literal["dynamic", "predefined"] = attrs.field(default="dynamic", validator=_in(lab.LABELINGS))
    generator_loss: Literal["log_d", "log_1_minus_d"] = attrs.field(default="log_d",
                                                                    validator=_in(("log_d", "log_1_minus_d")))
    real_smoothing: float = attrs.field(default=0.0, validator=_smoothing)
    fake_smoothing: float = attrs.field(default=0.0, validator=_smoothing)
    generator_smoothing: float = attrs.field(default=0.0, validator=_smoothing)
    class_smoothing: float = attrs.field(default=0.0, validator=attrs.validators.and_(_ge0, attrs.validators.lt(1.0)))
    dynamic_sharpness: float = attrs.field(default=0.0, validator=_ge0)


class _Base(Objective):
    def __init__(self, params: CommonParams, ctx: BuildContext):
        super().__init__(params, ctx)
        if len(ctx.spec.groups) != 1:
            raise ValueError(f"{type(self).__name__} needs a single group of exclusive classes; this data has "
                             f"{len(ctx.spec.groups)} condition groups")
        self.K = ctx.num_conditions
        self.saturating = params.generator_loss == "log_1_minus_d"

    def _discriminate(self, m: Models, real: Batch, step: int):
        """:meth:`Models.discriminate` with G's condition input set by the labeling (zeros when dynamic)."""
        return m.discriminate(real, step, conditions=lambda n: lab.generator_conditions(m, n, self.params.labeling))

    def class_logits(self, out: DiscriminatorOutput) -> Tensor | None:
        """The K class logits whose argmax is a sample's class (dynamic labeling; intra-class metrics)."""
        return None if out.cls is None else out.cls[..., : self.K]

    @torch.no_grad()
    def classes_of_samples(self, m: Models, z: Tensor, generator) -> tuple[Tensor, Tensor] | None:
        """Dynamic labeling: G(z, 0) and the class D assigns each sample (core grids and per-class metrics use it).
        Predefined labeling, or no class logits (GAN): ``None``, the class is G's condition input."""
        if self.params.labeling != "dynamic":
            return None
        x = generator(z, torch.zeros(len(z), self.K, device=z.device))
        classes = self.assign_classes(m, x)
        return None if classes is None else (x, classes)

    @torch.no_grad()
    def assign_classes(self, m: Models, x: Tensor) -> Tensor | None:
        """argmax of D's class logits for ``x``: the class of a dynamically labelled sample (reference §2.6)."""
        was = m.discriminator.training
        m.discriminator.eval()
        logits = self.class_logits(m.discriminator(x))
        m.discriminator.train(was)
        return None if logits is None else logits.argmax(-1)


# ---------------------------------------------------------------------------------------------------------------
# K+1 classes: LabelGAN and AM-GAN
# ---------------------------------------------------------------------------------------------------------------


@attrs.frozen
class KPlusOneParams(CommonParams):
    """K+1-class discriminator (LabelGAN / AM-GAN) options, besides the common ones.

    learned_fake_logit:     False: the fake logit is fixed to 0 and D's ``cls`` head has K outputs, D_r = σ(LSE(l))
                            (the authors' reproduce code); True: a learned (K+1)-th logit (their refactored code).
    aux_weight:             AM-GAN only: weight of the auxiliary-classifier term H(u(y), R(D(x))) in G's loss
                            (Eq. 17); 1 is Eq. 14 exactly.
    unlabeled_fraction:     Appendix C: this fraction of each real batch is used without labels (simulated
                            semi-supervised data); 1.0 is the unsupervised setting.
    semi_supervised_weight: weight of Eq. 34, H(v(x), D(x)) on the unlabeled rows, v(x) their dynamic label.
    reference_weight:       weight of Eq. 35, H(p_ref, R(E_x[D(x)])) over the unlabeled rows (0: off).
    reference:              p_ref of Eq. 35: "uniform", or "labeled" = R(E[D(x)]) over the labeled rows (detached).
    """

    learned_fake_logit: bool = False
    aux_weight: float = attrs.field(default=1.0, validator=_ge0)
    unlabeled_fraction: float = attrs.field(default=0.0, validator=attrs.validators.and_(_ge0, attrs.validators.le(1.0)))
    semi_supervised_weight: float = attrs.field(default=1.0, validator=_ge0)
    reference_weight: float = attrs.field(default=0.0, validator=_ge0)
    reference: Literal["uniform", "labeled"] = attrs.field(default="uniform", validator=_in(("uniform", "labeled")))


class KPlusOneObjective(_Base):
    """L_D = E_real[H(v(y), D(x))] + E_fake[H(v(K+1), D(x))] (Eqs. 5, 15) [+ Eqs. 34-35 on unlabeled rows];
    L_G = H([1,0], [D_r, D_{K+1}]) (LabelGAN, Eq. 4) or H(v(y), D(x)) (AM-GAN, Eq. 14)."""

    #: True: AM-GAN (explicit target class); False: LabelGAN (implicit)
    explicit_target: ClassVar[bool] = True
    losses = {"d_real": "discriminator", "d_fake": "discriminator", "d_unlabeled": "discriminator",
              "d_reference": "discriminator", "g": "generator"}

    def heads(self) -> dict[str, int]:
        return {"cls": self.K + 1 if self.params.learned_fake_logit else self.K}

    def logits(self, out: DiscriminatorOutput) -> Tensor:
        """The ``(B, K+1)`` logits of D's K+1-way softmax."""
        if self.params.learned_fake_logit:
            return out.cls
        return L.kplus1_logits(out.cls)

    def discriminator_step(self, m: Models, real: Batch, step: int) -> StepOutput:
        p = self.params
        d = self._discriminate(m, real, step)
        real, lr, lf = d.real, self.logits(d.out_real), self.logits(d.out_fake)
        n_unl = int(round(p.unlabeled_fraction * len(real)))
        n_lab = len(real) - n_unl
        lr_lab, c_lab = (lr, real.c) if n_unl == 0 else (lr[:n_lab], real.c[:n_lab])
        per = L.kplus1_discriminator_loss(lr_lab, c_lab.to(lr.dtype), lf, real_smoothing=p.real_smoothing,
                                          fake_smoothing=p.fake_smoothing, class_smoothing=p.class_smoothing,
                                          reduction="none")
        losses = {"d_fake": per[n_lab:].mean()}
        if n_lab:
            losses["d_real"] = per[:n_lab].mean()
        if n_unl:
            lu = lr[n_lab:]
            if p.semi_supervised_weight:
                losses["d_unlabeled"] = p.semi_supervised_weight * L.semi_supervised_loss(lu)
            if p.reference_weight:
                if p.reference == "labeled" and n_lab:
                    p_ref = L.restrict_real(torch.softmax(lr[:n_lab].detach(), -1).mean(0))
                else:
                    p_ref = lu.new_full((self.K,), 1.0 / self.K)
                losses["d_reference"] = p.reference_weight * L.reference_marginal_loss(lu, p_ref)
        logs = {"D_r_real": lambda: torch.sigmoid(L.binary_logit(lr.detach())).mean(),  # computed on log steps only
                "D_r_fake": lambda: torch.sigmoid(L.binary_logit(lf.detach())).mean(),
                "real_class_acc": lambda: _accuracy(lr[:n_lab, : self.K].detach(), real.c[:n_lab])}
        return StepOutput(losses, logs=logs)

    def generator_step(self, m: Models, real: Batch, step: int) -> StepOutput:
        p = self.params
        fake = lab.generate(m, len(real), p.labeling, grad=True)
        l = self.logits(m.fake_outputs(real, fake, step))
        if self.explicit_target:
            target = lab.targets(p.labeling, fake, l[:, : self.K], p.dynamic_sharpness)
            g = L.amgan_generator_loss(l, target, aux_weight=p.aux_weight, saturating=self.saturating,
                                       smoothing=p.generator_smoothing)
        else:
            g = L.labelgan_generator_loss(l, saturating=self.saturating, smoothing=p.generator_smoothing)
        return StepOutput({"g": g})


class AMGANObjective(KPlusOneObjective):
    """AM-GAN (Eqs. 14-15): the K+1 discriminator with an explicit target class per generated sample."""

    explicit_target = True


class LabelGANObjective(KPlusOneObjective):
    """LabelGAN (Salimans et al.; Eqs. 2-5): the K+1 discriminator, G maximises Σ_k D_k (implicit target)."""

    explicit_target = False


# ---------------------------------------------------------------------------------------------------------------
# 2 classes + auxiliary classifier: GAN, GAN*, AC-GAN*, AC-GAN, AC-GAN*+
# ---------------------------------------------------------------------------------------------------------------


@attrs.frozen
class AuxiliaryParams(CommonParams):
    """AC-GAN* (Eqs. 6-9) and the switches that give the other hierarchical models.

    g_aux_weight:            weight of H(u(y), C(x)) in G's loss (Eq. 7): 1 = AC-GAN*, 0.1 = "AC-GAN* with weight
                             1/10" (Sec. 7.1.2), 0 = GAN / GAN* (the reference code's ``G_AC_WEIGHT``).
    d_aux_weight:            weight of H(u(y), C(x_real)) in D's loss (Eq. 9); GAN* trains C with 0.1 and G ignores
                             it (``D_AC_WEIGHT``); 0 with g_aux_weight 0 is the plain GAN (no classifier head).
    aux_on_fake_in_d:        also train C to put fakes in their target class, H(u(y), C(x_fake)) with the same weight:
                             the original AC-GAN (Sec. 2.2; ``DIST_AC_GEN_ACGAN``). False in AC-GAN*.
    uniform_on_fake_weight:  weight of Eq. 20, H(u(·), C(x_fake)) in D's loss: AC-GAN*+ uses 1
                             (``DIST_AC_GEN_EVEN``).
    """

    g_aux_weight: float = attrs.field(default=1.0, validator=_ge0)
    d_aux_weight: float = attrs.field(default=1.0, validator=_ge0)
    aux_on_fake_in_d: bool = False
    uniform_on_fake_weight: float = attrs.field(default=0.0, validator=_ge0)


@attrs.frozen
class ACGANStarPlusParams(AuxiliaryParams):
    """AC-GAN*+ (Sec. 5.3): AC-GAN* plus the uniform-target classifier loss on fakes in D (Eq. 20), weight 1."""

    uniform_on_fake_weight: float = attrs.field(default=1.0, validator=_ge0)


@attrs.frozen
class ACGANParams(AuxiliaryParams):
    """The original AC-GAN (Odena et al.): AC-GAN* plus the classifier loss on fakes in D (Sec. 2.2, 7.1.5)."""

    aux_on_fake_in_d: bool = True


@attrs.frozen
class GANStarParams(AuxiliaryParams):
    """GAN* (Sec. 7.1.1): D trains an auxiliary classifier (weight 0.1, as the reference code) that G ignores."""

    g_aux_weight: float = attrs.field(default=0.0, validator=_ge0)
    d_aux_weight: float = attrs.field(default=0.1, validator=_ge0)


@attrs.frozen
class GANParams(AuxiliaryParams):
    """Vanilla GAN (Eq. 1) with the -log D_r generator: no classifier at all (``labeling`` only sets G's input)."""

    g_aux_weight: float = attrs.field(default=0.0, validator=_ge0)
    d_aux_weight: float = attrs.field(default=0.0, validator=_ge0)


class AuxiliaryClassifierObjective(_Base):
    """L_D = H([1,0],[D_r,D_f])_real + H([0,1],[D_r,D_f])_fake + w_d H(u(y), C(x_real)) [+ AC on fakes] [+ Eq. 20];
    L_G = H([1,0],[D_r,D_f]) + w_g H(u(y), C(x)) (Eqs. 6-9)."""

    losses = {"d_adv": "discriminator", "d_aux_real": "discriminator", "d_aux_fake": "discriminator",
              "d_aux_uniform": "discriminator", "g": "generator"}

    def __init__(self, params: AuxiliaryParams, ctx: BuildContext):
        super().__init__(params, ctx)
        self.uses_classifier = (params.g_aux_weight > 0 or params.d_aux_weight > 0
                                or params.uniform_on_fake_weight > 0)

    def heads(self) -> dict[str, int]:
        return {"adv": 1, "cls": self.K} if self.uses_classifier else {"adv": 1}

    def discriminator_step(self, m: Models, real: Batch, step: int) -> StepOutput:
        p = self.params
        d = self._discriminate(m, real, step)
        real, fake, out_r, out_f = d.real, d.fake, d.out_real, d.out_fake
        losses = {"d_adv": L.gan_discriminator_loss(out_r.adv, out_f.adv, real_smoothing=p.real_smoothing,
                                                    fake_smoothing=p.fake_smoothing)}
        logs = {"D_r_real": lambda: torch.sigmoid(out_r.adv.detach()).mean(),  # computed on log steps only
                "D_r_fake": lambda: torch.sigmoid(out_f.adv.detach()).mean()}
        if self.uses_classifier:
            if p.d_aux_weight:
                target = L.smooth_classes(real.c.to(out_r.cls.dtype), p.class_smoothing)
                losses["d_aux_real"] = p.d_aux_weight * L.auxiliary_classifier_loss(out_r.cls, target)
            if p.aux_on_fake_in_d:
                t_fake = lab.targets(p.labeling, fake, out_f.cls, p.dynamic_sharpness)
                losses["d_aux_fake"] = p.d_aux_weight * L.auxiliary_classifier_loss(out_f.cls, t_fake)
            if p.uniform_on_fake_weight:
                losses["d_aux_uniform"] = p.uniform_on_fake_weight * L.uniform_classifier_loss(out_f.cls)
            logs["real_class_acc"] = lambda: _accuracy(out_r.cls.detach(), real.c)
        return StepOutput(losses, logs=logs)

    def generator_step(self, m: Models, real: Batch, step: int) -> StepOutput:
        p = self.params
        fake = lab.generate(m, len(real), p.labeling, grad=True)
        out = m.fake_outputs(real, fake, step)
        if p.g_aux_weight:
            target = lab.targets(p.labeling, fake, out.cls, p.dynamic_sharpness)
            g = L.acgan_generator_loss(out.adv, out.cls, target, aux_weight=p.g_aux_weight,
                                       saturating=self.saturating, smoothing=p.generator_smoothing)
        else:
            g = L.gan_generator_loss(out.adv, saturating=self.saturating, smoothing=p.generator_smoothing)
        return StepOutput({"g": g})


#: local name -> (factory, params class, one-line description)
OBJECTIVES = {
    "am_gan": (AMGANObjective, KPlusOneParams,
               "AM-GAN: K+1-class D, G targets one class per sample (Zhou et al., Eqs. 14-15)"),
    "label_gan": (LabelGANObjective, KPlusOneParams,
                  "LabelGAN: K+1-class D, G maximises total real-class mass (AM-GAN paper Eqs. 2-5)"),
    "ac_gan_star": (AuxiliaryClassifierObjective, AuxiliaryParams,
                    "AC-GAN*: sigmoid D + auxiliary classifier trained on real only (AM-GAN paper Eqs. 6-9)"),
    "ac_gan_star_plus": (AuxiliaryClassifierObjective, ACGANStarPlusParams,
                         "AC-GAN*+: AC-GAN* + uniform-target classifier loss on fakes in D (AM-GAN paper Eq. 20)"),
    "ac_gan": (AuxiliaryClassifierObjective, ACGANParams,
               "original AC-GAN: AC-GAN* + classifier loss on fakes in D (AM-GAN paper Sec. 2.2)"),
    "gan_star": (AuxiliaryClassifierObjective, GANStarParams,
                 "GAN*: D trains an auxiliary classifier (weight 0.1) that G ignores (AM-GAN paper Sec. 7.1.1)"),
    "gan": (AuxiliaryClassifierObjective, GANParams, "vanilla GAN with -log D_r generator (AM-GAN paper Eq. 1)"),
}
