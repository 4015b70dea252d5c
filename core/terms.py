r"""Loss terms: the component kind ``losses``, registered with ``register_losses(register)``.

A term is a pure loss function (from :mod:`condgan.losses` or a plugin's ``losses.py``) plus a declaration, a
:class:`LossTerm`, of

* what it reads (:class:`Reads`): which discriminator heads on real and on generated data, with their widths;
  whether it reads the conditions of real data; the classifier's outputs; the statistics network; and which inputs
  a gradient penalty differentiates (so they are prepared before D's forward);
* which step it runs in and which optimizer it updates there (``sides``: side -> optimizer or optimizers);
* its options (an attrs class, the component's ``params``; the weight is the composite's, not the term's).

The composite objective (:mod:`condgan.composite`, ``core.composite``) builds a method from terms listed in
``[[objective.terms]]`` tables. Each term computes ``fn`` on a :class:`TermView` of one step through its
``compute(view, options, state)`` adapter, where ``state`` is what ``setup(options, ctx)`` returned at build time
(e.g. the resolved adversarial family). A term must be stateless across steps: methods with state (dynamic
labeling, an EMA prior, MINE's moving average) stay objectives.

Head widths are symbols resolved at build time: ``"K"`` (the number of conditions), ``"K+1"``, ``"G"`` (the number of
condition groups) or an int. Two terms that read one head with different widths are a ConfigError.

Core's terms (:data:`CORE_TERMS`): the adversarial families on D's ``adv`` head or on the selected ``cond`` logit
(``adversarial_d``, ``adversarial_g``) and the gradient penalties ``r1``, ``r2``, ``wgan_gp``.
"""

from __future__ import annotations

from typing import Any, Callable, Literal, Mapping

import attrs
import torch
from torch import Tensor

from .losses import (AdversarialLoss, adversarial_d_loss, adversarial_g_loss, r1_penalty, r2_penalty, selected_logit,
                     wgan_gp_penalty)
from .config import component_field
from .interfaces import Batch, DiscriminatorOutput, Models

SIDES = ("discriminator", "generator")
Width = int | str
WIDTHS = ("K", "K+1", "G")


@attrs.frozen
class Reads:
    """What a term reads in one step.

    real, fake:          discriminator heads read on real / generated data: head name -> width (``"K"``, ``"K+1"``,
                         ``"G"`` or an int)
    real_conditions:     reads the conditions ``c`` of real data (a term without it never looks at real labels)
    classifier:          the classifier Q's outputs it reads: ``("fake",)``, ``("real", "fake")``, ...
    statistics_network:  reads the statistics network T (MINE)
    penalty:             the inputs it differentiates D at: ``"real"`` (R1), ``"fake"`` (R2), ``"interpolates"``
                         (WGAN-GP; draws its own points); the classifier's penalty on fakes is ``"classifier_fake"``
    """

    real: Mapping[str, Width] = attrs.field(factory=dict)
    fake: Mapping[str, Width] = attrs.field(factory=dict)
    real_conditions: bool = False
    classifier: tuple[str, ...] = ()
    statistics_network: bool = False
    penalty: tuple[str, ...] = ()

    def heads(self) -> dict[str, Width]:
        return {**self.real, **self.fake}


def resolve_width(width: Width, spec) -> int:
    """``"K"`` -> K, ``"K+1"`` -> K + 1, ``"G"`` -> the number of condition groups; an int as is."""
    if isinstance(width, int):
        return width
    return {"K": spec.num_conditions, "K+1": spec.num_conditions + 1, "G": len(spec.groups)}[width]


@attrs.frozen
class LossTerm:
    """A registered loss term: the declaration the composite objective reads.

    name:     the local name (also the default loss name in logs)
    fn:       the pure function the term computes (for ``condgan describe`` and the docs)
    compute:  ``compute(view, options, state) -> scalar``: calls ``fn`` with what ``view`` holds (unweighted)
    sides:    side ("discriminator" / "generator") -> the optimizer(s) the term updates in that step
    reads:    a :class:`Reads`, or ``reads(options, side) -> Reads`` when it depends on them
    options:  the attrs class of its options (None: no options)
    setup:    ``setup(options, ctx) -> state`` at build time (e.g. resolve an adversarial family); None: no state
    check:    ``check(options, side) -> message | None``: a side or option combination the term cannot serve
    every:    ``every(options) -> n``: the term is computed on every n-th step only (lazy penalties); None: always
    equation: the term's equation, one line (shown by ``condgan describe``)
    """

    name: str
    fn: Callable[..., Tensor]
    compute: Callable[["TermView", Any, Any], Tensor]
    sides: Mapping[str, str | tuple[str, ...]]
    reads: Reads | Callable[[Any, str], Reads] = attrs.field(factory=Reads)
    options: type | None = None
    setup: Callable[[Any, Any], Any] | None = None
    check: Callable[[Any, str], str | None] | None = None
    every: Callable[[Any], int] | None = None
    equation: str = ""

    def __attrs_post_init__(self):
        bad = set(self.sides) - set(SIDES)
        if not self.sides or bad:
            raise ValueError(f"loss term '{self.name}': sides must be a non-empty mapping over {SIDES}, got {dict(self.sides)}")

    def describe(self) -> str:
        """What ``condgan describe`` shows: the equation, the function, the sides and what the term reads."""
        sides = ", ".join(f"{s} step -> updates {o if isinstance(o, str) else ' + '.join(o)}" for s, o in self.sides.items())
        first = (self.fn.__doc__ or "").strip().splitlines()
        lines = [self.equation or (first[0] if first else ""),
                 f"computes {self.fn.__module__}.{self.fn.__qualname__}", f"sides: {sides}"]
        try:
            defaults = self.options() if self.options is not None else None
            for side in self.sides:
                lines.append(f"reads ({side} step, default options): {describe_reads(self.reads_for(defaults, side))}")
        except Exception:  # noqa: BLE001 - options without defaults: the reads depend on them
            pass
        return "\n".join(x for x in lines if x)

    def reads_for(self, options: Any, side: str) -> Reads:
        return self.reads(options, side) if callable(self.reads) else self.reads

    def optimizers(self, side: str) -> tuple[str, ...]:
        o = self.sides[side]
        return (o,) if isinstance(o, str) else tuple(o)

    def __call__(self, options: Any, ctx: Any) -> "BoundTerm":
        """The component factory: the term with its options and build-time state."""
        return BoundTerm(self, options, self.setup(options, ctx) if self.setup is not None else None)


def describe_reads(r: Reads) -> str:
    parts = []
    if r.real:
        parts.append("real " + ", ".join(f"{h}[{w}]" for h, w in r.real.items()))
    if r.fake:
        parts.append("generated " + ", ".join(f"{h}[{w}]" for h, w in r.fake.items()))
    if r.real_conditions:
        parts.append("real conditions")
    if r.classifier:
        parts.append("classifier on " + "+".join(r.classifier))
    if r.statistics_network:
        parts.append("statistics network")
    if r.penalty:
        parts.append("gradient at " + "+".join(r.penalty))
    return "; ".join(parts) or "(nothing)"


@attrs.frozen
class BoundTerm:
    """A term with its options and the state ``setup`` built."""

    term: LossTerm
    options: Any
    state: Any

    def __call__(self, view: "TermView") -> Tensor:
        return self.term.compute(view, self.options, self.state)


class TermView:
    """What a term sees in one step: the batches, D's outputs on them (computed once, on first use), the classifier's
    outputs, the models and the step.

    Discriminator step: ``real``/``fake`` and ``out_real``/``out_fake`` come from :meth:`Models.discriminate`
    (``x_real``/``x_fake`` prepared for the penalties). Generator step: ``fake`` is generated with a graph through G;
    ``out_fake`` is D on it (through the mixed forward when the composer mixes batches); ``out_real`` is D on the
    real batch, computed only when a term reads it.
    """

    def __init__(self, m: Models, step: int, side: str, real: Batch, fake: Batch, x_real: Tensor, x_fake: Tensor,
                 out_real: DiscriminatorOutput | None = None, out_fake: DiscriminatorOutput | None = None,
                 classifier_grad: bool = False):
        self.m, self.step, self.side = m, step, side
        self.real, self.fake, self.x_real, self.x_fake = real, fake, x_real, x_fake
        self._out = {"real": out_real, "fake": out_fake}
        self._q: dict[str, Tensor] = {}
        self.groups = len(m.spec.groups)
        self._q_grad = classifier_grad

    @property
    def out_real(self) -> DiscriminatorOutput:
        if self._out["real"] is None:
            self._out["real"] = self.m.discriminator(self.x_real)
        return self._out["real"]

    @property
    def out_fake(self) -> DiscriminatorOutput:
        if self._out["fake"] is None:
            m = self.m
            if m.composer.mixes_batches:  # the same mixture as in D's step (CA-GAN Sec. 4)
                n_real, _ = m.split(len(self.real), self.step)
                self._out["fake"] = m.composer.discriminate(m.discriminator, self.real.x[:n_real], self.x_fake)[1]
            else:
                self._out["fake"] = m.discriminator(self.x_fake)
        return self._out["fake"]

    def out(self, which: str) -> DiscriminatorOutput:
        return self.out_real if which == "real" else self.out_fake

    def batch(self, which: str) -> Batch:
        return self.real if which == "real" else self.fake

    def x(self, which: str) -> Tensor:
        return self.x_real if which == "real" else self.x_fake

    def classifier(self, which: str) -> Tensor:
        """Q's logits on real or generated data. In the discriminator step the generated data carry no graph to G;
        the input requires grad when a term penalises Q's gradient there (``Reads.penalty`` "classifier_fake")."""
        if which not in self._q:
            self._q[which] = self.m.classifier(self.classifier_input(which))
        return self._q[which]

    def classifier_input(self, which: str) -> Tensor:
        key = "x_q_" + which
        if not hasattr(self, key):
            x = self.x(which)
            if self.side == "discriminator":
                x = x.detach().requires_grad_(self._q_grad)
            setattr(self, key, x)
        return getattr(self, key)


# ---------------------------------------------------------------------------------------------------------------
# core's terms: the adversarial families and the gradient penalties
# ---------------------------------------------------------------------------------------------------------------


@attrs.frozen
class AdversarialOptions:
    """Options of core's adversarial terms."""

    #: the adversarial loss family (`condgan list adversarial_losses`)
    family: str = component_field("adversarial_losses", "core.non_saturating")
    #: "adv": D's single adversarial logit; "cond": the output of each sample's condition, <D_cond(x), c>/groups
    head: Literal["adv", "cond"] = attrs.field(default="adv", validator=attrs.validators.in_(("adv", "cond")))
    #: "mean" over the batch or "sum"
    reduction: Literal["mean", "sum"] = attrs.field(default="mean", validator=attrs.validators.in_(("mean", "sum")))


def critic_value(view: TermView, which: str, head: str, x: Tensor | None = None) -> Tensor:
    """The per-sample critic value of D on real or generated data: the ``adv`` logit or the selected ``cond`` logit
    (of the batch's conditions); with ``x``, a fresh forward of D at ``x`` (rows 0..len(x) of the conditions)."""
    out = view.out(which) if x is None else view.m.discriminator(x)
    if head == "adv":
        return out.adv
    c = view.batch(which).c
    return selected_logit(out.cond, c if x is None else c[: len(x)], view.groups)


def _adv_reads(o: AdversarialOptions, side: str) -> Reads:
    width = 1 if o.head == "adv" else "K"
    if side == "generator":
        return Reads(fake={o.head: width})
    return Reads(real={o.head: width}, fake={o.head: width}, real_conditions=o.head == "cond")


def _family(o, ctx) -> AdversarialLoss:
    return ctx.resolve("adversarial_losses", o.family)


@attrs.frozen
class PenaltyOptions:
    """Options of core's gradient penalties (the weight is the term's weight)."""

    #: the critic value differentiated: "adv" logit or the selected "cond" logit
    head: Literal["adv", "cond"] = attrs.field(default="adv", validator=attrs.validators.in_(("adv", "cond")))
    #: compute the penalty on every n-th discriminator step only (lazy regularisation; the weight is not scaled)
    every: int = attrs.field(default=1, validator=attrs.validators.ge(1))


def _penalty_reads(where: str):
    def reads(o: PenaltyOptions, side: str) -> Reads:
        w = 1 if o.head == "adv" else "K"
        return Reads(real={o.head: w}, fake={o.head: w}, real_conditions=o.head == "cond", penalty=(where,))

    return reads


def _wgan_gp(v: TermView, o: PenaltyOptions, s) -> Tensor:
    return wgan_gp_penalty(lambda x: critic_value(v, "real", o.head, x), v.x_real, v.x_fake)


CORE_TERMS: dict[str, tuple[LossTerm, str]] = {
    "adversarial_d": (LossTerm(
        "adversarial_d", adversarial_d_loss,
        lambda v, o, fam: adversarial_d_loss(critic_value(v, "real", o.head), critic_value(v, "fake", o.head), fam,
                                             o.reduction),
        sides={"discriminator": "discriminator"}, reads=_adv_reads, options=AdversarialOptions, setup=_family,
        equation="L_D = E_real f_r^d(t) + E_fake f_g^d(t), t = D_adv(x) or <D_cond(x), c>"),
        "D's adversarial loss of a registered family on the adv logit or the selected cond logit"),
    "adversarial_g": (LossTerm(
        "adversarial_g", adversarial_g_loss,
        lambda v, o, fam: adversarial_g_loss(critic_value(v, "fake", o.head), fam, o.reduction),
        sides={"generator": "generator"}, reads=_adv_reads, options=AdversarialOptions, setup=_family,
        equation="L_G = E_fake f^g(t)"),
        "G's adversarial loss of a registered family on the adv logit or the selected cond logit"),
    "r1": (LossTerm(
        "r1", r1_penalty, lambda v, o, s: r1_penalty(critic_value(v, "real", o.head), v.x_real),
        sides={"discriminator": "discriminator"}, reads=_penalty_reads("real"), options=PenaltyOptions,
        every=lambda o: o.every, equation="R1 = E_real ||∇_x D(x)||²"),
        "R1 gradient penalty on real data (weight = the term's weight)"),
    "r2": (LossTerm(
        "r2", r2_penalty, lambda v, o, s: r2_penalty(critic_value(v, "fake", o.head), v.x_fake),
        sides={"discriminator": "discriminator"}, reads=_penalty_reads("fake"), options=PenaltyOptions,
        every=lambda o: o.every, equation="R2 = E_fake ||∇_x D(x)||²"),
        "R2 gradient penalty on generated data (weight = the term's weight)"),
    "wgan_gp": (LossTerm(
        "wgan_gp", wgan_gp_penalty, _wgan_gp,
        sides={"discriminator": "discriminator"}, reads=_penalty_reads("interpolates"), options=PenaltyOptions,
        every=lambda o: o.every, equation="WGAN-GP = E_x̂ (||∇ D(x̂)|| - 1)², x̂ = εx_real + (1-ε)x_fake"),
        "WGAN-GP penalty on interpolates of real and generated data (weight = the term's weight)"),
}


torch  # noqa: B018
