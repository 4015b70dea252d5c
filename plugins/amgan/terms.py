"""AM-GAN's and LabelGAN's loss terms (Zhou et al.), registered for ``core.composite`` (``register_losses``).

* ``kplus1_d``: the K+1-class discriminator loss E_real H(v(y), D(x)) + E_fake H(v(K+1), D(x)) (Eqs. 5, 15) on D's
  ``cls`` head (K logits with the fake logit fixed to 0, or K+1 with a learned one);
* ``am_g``: AM-GAN's generator loss H(v(y), D(x)) (Eq. 14), the target y being the condition G was given
  (predefined labeling: a composite always generates G(z, c) with c from the prior);
* ``label_g``: LabelGAN's generator loss -log Σ_k D_k(x) (Eqs. 2, 4);
* ``uniform_fake``: AC-GAN*+'s H(u(·), C(x_fake)) in D's loss (Eq. 20) on the ``cls`` head.

Dynamic labeling (G(z, 0), the target read from the current D) is its own control flow: it stays in the objectives
``amgan.am_gan`` / ``amgan.label_gan``.
"""

from __future__ import annotations

from typing import Literal

import attrs

from condgan import LossTerm, Reads

from . import losses as L

_smoothing = attrs.validators.and_(attrs.validators.ge(0.0), attrs.validators.lt(0.5))


@attrs.frozen
class KPlusOneOptions:
    """Options of the K+1 discriminator's terms."""

    #: False: K class logits, the fake logit fixed to 0 (authors' reproduce code); True: a learned (K+1)-th logit
    learned_fake_logit: bool = False
    #: λ₂ of Appendix A Eq. 24: D's real target [1-λ₂, λ₂] (one-sided smoothing; D's term only)
    real_smoothing: float = attrs.field(default=0.0, validator=_smoothing)
    #: λ₁ of Eq. 24: D's fake target [λ₁, 1-λ₁] (D's term only)
    fake_smoothing: float = attrs.field(default=0.0, validator=_smoothing)
    #: ε of the K-class real targets (1-ε) u(y) + ε/K (D's term only)
    class_smoothing: float = attrs.field(default=0.0, validator=attrs.validators.and_(attrs.validators.ge(0.0),
                                                                                    attrs.validators.lt(1.0)))
    #: G's terms: "log_d" = -log D_r (the paper's) or "log_1_minus_d" = log(1 - D_r) (Eq. 25)
    generator_loss: Literal["log_d", "log_1_minus_d"] = attrs.field(
        default="log_d", validator=attrs.validators.in_(("log_d", "log_1_minus_d")))
    #: λ of G's target (Eq. 28; G's terms only)
    generator_smoothing: float = attrs.field(default=0.0, validator=_smoothing)
    #: am_g only: weight of the auxiliary-classifier part H(u(y), R(D(x))) (Eq. 17); 1 is Eq. 14 exactly
    aux_weight: float = attrs.field(default=1.0, validator=attrs.validators.ge(0.0))


def logits(cls, o: KPlusOneOptions):
    """The ``(B, K+1)`` logits of D's K+1-way softmax from the ``cls`` head."""
    return cls if o.learned_fake_logit else L.kplus1_logits(cls)


def _reads(*which: str):
    def reads(o: KPlusOneOptions, side: str) -> Reads:
        width = "K+1" if o.learned_fake_logit else "K"
        return Reads(**{w: {"cls": width} for w in which}, real_conditions="real" in which)

    return reads


def _kplus1_d(v, o: KPlusOneOptions, s):
    return L.kplus1_discriminator_loss(logits(v.out_real.cls, o), v.real.c.to(v.out_real.cls.dtype),
                                       logits(v.out_fake.cls, o), real_smoothing=o.real_smoothing,
                                       fake_smoothing=o.fake_smoothing, class_smoothing=o.class_smoothing)


def _am_g(v, o: KPlusOneOptions, s):
    lf = logits(v.out_fake.cls, o)
    return L.amgan_generator_loss(lf, v.fake.c.to(lf.dtype), aux_weight=o.aux_weight,
                                  saturating=o.generator_loss == "log_1_minus_d", smoothing=o.generator_smoothing)


def _label_g(v, o: KPlusOneOptions, s):
    return L.labelgan_generator_loss(logits(v.out_fake.cls, o), saturating=o.generator_loss == "log_1_minus_d",
                                     smoothing=o.generator_smoothing)


KPLUS1_D = LossTerm("kplus1_d", L.kplus1_discriminator_loss, _kplus1_d, sides={"discriminator": "discriminator"},
                    reads=_reads("real", "fake"), options=KPlusOneOptions,
                    equation="L_D = E_real H(v(y), D(x)) + E_fake H(v(K+1), D(x)) (Eqs. 5, 15)")
AM_G = LossTerm("am_g", L.amgan_generator_loss, _am_g, sides={"generator": "generator"}, reads=_reads("fake"),
                options=KPlusOneOptions, equation="L_G = H(v(y), D(G(z, y))) (Eq. 14)")
LABEL_G = LossTerm("label_g", L.labelgan_generator_loss, _label_g, sides={"generator": "generator"},
                   reads=_reads("fake"), options=KPlusOneOptions,
                   equation="L_G = H([1, 0], [D_r, D_{K+1}]) = -log Σ_k D_k(G(z)) (Eqs. 2, 4)")
UNIFORM_FAKE = LossTerm("uniform_fake", L.uniform_classifier_loss,
                        lambda v, o, s: L.uniform_classifier_loss(v.out_fake.cls),
                        sides={"discriminator": "discriminator"}, reads=Reads(fake={"cls": "K"}),
                        equation="H(u(·), C(x_fake)) in D's loss (AC-GAN*+, Eq. 20)")

TERMS = {
    "kplus1_d": (KPLUS1_D, "AM-GAN / LabelGAN K+1-class discriminator loss (Eqs. 5, 15; cls head)"),
    "am_g": (AM_G, "AM-GAN generator loss: K+1 cross-entropy to the class G was given (Eq. 14)"),
    "label_g": (LABEL_G, "LabelGAN generator loss: -log of the total real-class mass (Eqs. 2, 4)"),
    "uniform_fake": (UNIFORM_FAKE, "AC-GAN*+: uniform-target classifier loss on generated data in D (Eq. 20)"),
}
