"""CA-GAN's and the AC-GAN family's loss terms, registered for ``core.composite`` (``register_losses``).

* ``ca_d`` / ``ca_g``: the conditional activation loss, Eqs. 17-18, on D's ``cond`` head (one output per condition);
* ``class_real`` / ``class_fake``: the auxiliary classifier's cross-entropy L_cls^r / L_cls^g (Eqs. 3-4, 9-10) on
  D's ``cls`` head. In the discriminator step they train D's classifier (``class_fake`` there is Eq. 1's L_cls^g of
  the original AC-GAN); in the generator step ``class_fake`` is Eq. 8's L_cls^g and ``class_real`` Eq. 2's L_cls^r
  (no gradient to G; it only changes the logged value).

The adversarial part of the AC-GAN family is core's ``core.adversarial_d`` / ``core.adversarial_g`` on the ``adv``
head. The functions are those of :mod:`.losses`; a term only says what it reads and which optimizer it updates.
"""

from __future__ import annotations

from typing import Literal

import attrs

from condgan import LossTerm, Reads, component_field
from condgan.losses import attribute_targets, classification_loss

from . import losses as L

_in = attrs.validators.in_


@attrs.frozen
class CAOptions:
    """Options of the conditional activation terms."""

    #: family f_r^d, f_g^d, f^g applied per condition output (least squares = Eqs. 19-20)
    family: str = component_field("adversarial_losses", "core.least_squares")
    #: "mean" over the batch (the paper's E) or "sum" (the authors' code)
    reduction: Literal["mean", "sum"] = attrs.field(default="mean", validator=_in(("mean", "sum")))


def _family(o, ctx):
    return ctx.resolve("adversarial_losses", o.family)


CA_D = LossTerm(
    "ca_d", L.conditional_activation_d_loss,
    lambda v, o, fam: L.conditional_activation_d_loss(v.out_real.cond, v.real.c, v.out_fake.cond, v.fake.c, fam,
                                                      o.reduction),
    sides={"discriminator": "discriminator"},
    reads=Reads(real={"cond": "K"}, fake={"cond": "K"}, real_conditions=True),
    options=CAOptions, setup=_family,
    equation="L_d = E[f_r^d(D(x))·cnd] + E[f_g^d(D(x'))·cnd'] (Eq. 17)")

CA_G = LossTerm(
    "ca_g", L.conditional_activation_g_loss,
    lambda v, o, fam: L.conditional_activation_g_loss(v.out_fake.cond, v.fake.c, fam, o.reduction),
    sides={"generator": "generator"},
    reads=Reads(fake={"cond": "K"}),
    options=CAOptions, setup=_family,
    equation="L_g = E[f^g(D(x'))·cnd'] (Eq. 18)")


@attrs.frozen
class ClassOptions:
    """Options of the auxiliary classifier's cross-entropy terms."""

    #: "softmax" per condition group, or "sigmoid"/BCE per binary attribute [a, not-a]
    classification: Literal["softmax", "sigmoid"] = attrs.field(default="softmax", validator=_in(("softmax", "sigmoid")))
    #: "mean" over the batch (the paper's E) or "sum" (the authors' code)
    reduction: Literal["mean", "sum"] = attrs.field(default="mean", validator=_in(("mean", "sum")))


def _slices(o: ClassOptions, ctx):
    slices = ctx.spec.slices
    if o.classification == "sigmoid" and any(s.stop - s.start != 2 for s in slices):
        raise ValueError("classification = 'sigmoid' needs binary attributes (every condition group of size 2); "
                         "use 'softmax' for groups of more than two values")
    return slices


def _class_term(which: str) -> LossTerm:
    def compute(v, o: ClassOptions, slices):
        c = v.batch(which).c
        target = attribute_targets(c, slices) if o.classification == "sigmoid" else c
        return classification_loss(v.out(which).cls, target, slices, o.classification, o.reduction)

    def reads(o: ClassOptions, side: str) -> Reads:
        width = "G" if o.classification == "sigmoid" else "K"
        return Reads(**{which: {"cls": width}}, real_conditions=which == "real")

    return LossTerm(
        f"class_{which}", classification_loss, compute,
        sides={"discriminator": "discriminator", "generator": "generator"},
        reads=reads, options=ClassOptions, setup=_slices,
        equation=f"L_cls^{'r' if which == 'real' else 'g'} = E[-log D_cls(cnd | x)] on "
                 f"{'real' if which == 'real' else 'generated'} data (Eqs. 3-4, 9-10)")


TERMS = {
    "ca_d": (CA_D, "CA-GAN's conditional activation loss for D, Eq. 17 (cond head)"),
    "ca_g": (CA_G, "CA-GAN's conditional activation loss for G, Eq. 18 (cond head)"),
    "class_real": (_class_term("real"), "AC-GAN's classification loss on real data L_cls^r (cls head; D or G step)"),
    "class_fake": (_class_term("fake"), "AC-GAN's classification loss on generated data L_cls^g (cls head; D or G step)"),
}
