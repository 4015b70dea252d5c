r"""The composite objective ``core.composite``: a method written as a list of registered loss terms in TOML.

::

    [objective]
    type = "core.composite"

    [[objective.terms]]
    name = "cagan.ca_d"                 # a registered loss term (`condgan list losses`)
    weight = 1.0
    [objective.terms.options]           # the term's options (`condgan describe cagan.ca_d`)
    family = "core.least_squares"

    [[objective.terms]]
    name = "uacgan.twin_d"
    weight = 1.0

Each ``[[objective.terms]]`` table has ``name``, ``weight`` (default 1), ``options`` (default: the term's defaults),
``side`` (the step it runs in, needed only for a term that can serve both) and ``label`` (the loss's name in the
logs; default ``d_<term>`` / ``g_<term>``).

**What it derives from its terms**: the discriminator heads (name -> width, in the order of ``HEAD_NAMES``), the
components it requires (a classifier, a statistics network), which optimizer each loss updates, and whether it reads
real labels (a composite whose terms never read real conditions trains on unlabeled data).

**What is checked when the config is read** (a ConfigError with the ``$.objective.terms[i]`` path): an unknown term
or option, a term on a side it cannot serve, a term that reads a classifier or statistics network the config does
not have, two terms that read one head with different widths, and a method without a discriminator or generator
term.

**The order it runs the terms in** (``condgan describe PRESET`` prints it for a composite preset):

1. discriminator step: :meth:`Models.discriminate` (the composer's split, fakes without a graph, inputs prepared for
   the penalties that apply at this step, D's outputs), then every discriminator-side term in table order;
2. generator step: ``Models.generate(batch, grad=True)``, then every generator-side term in table order; D's outputs
   on the generated (and, when a term reads them, real) data are computed once, on first use.

Each loss is ``weight * term(view)``; the loop sums the losses per optimizer as for any objective.
"""

from typing import Any, Mapping

import attrs
from torch import Tensor

from .config import _check_keys, _structure_params
from .interfaces import HEAD_NAMES, Batch, Models, Objective, StepOutput
from .terms import SIDES, WIDTHS, LossTerm, Reads, TermView, resolve_width


@attrs.frozen
class TermConfig:
    """One ``[[objective.terms]]`` table."""

    #: a registered loss term (`condgan list losses`)
    name: str = attrs.field(metadata={"component": "losses"})
    #: multiplies the term's value
    weight: float = attrs.field(default=1.0, validator=attrs.validators.ge(0.0))
    #: "discriminator" or "generator": the step the term runs in ("" = the only one it serves)
    side: str = attrs.field(default="", validator=attrs.validators.in_(("",) + SIDES))
    #: the loss's name in the logs ("" = d_<term> or g_<term>)
    label: str = ""
    #: the term's options (see `condgan describe <term>`)
    options: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class CompositeParams:
    """A method composed of registered loss terms, run in table order per side."""

    #: the ``[[objective.terms]]`` tables: name, weight, side, label, options
    terms: tuple[TermConfig, ...] = ()


@attrs.frozen
class _Slot:
    """One configured term, bound and placed."""

    label: str
    side: str
    weight: float
    bound: Any  # BoundTerm
    reads: Reads
    every: int

    def applies(self, step: int) -> bool:
        return step % self.every == 0


def _local(name: str) -> str:
    return name.split(".", 1)[-1]


def _labels(params: "CompositeParams", sides: list[str]) -> list[str]:
    """Loss names: the table's ``label`` or ``d_<term>`` / ``g_<term>``, numbered when a name repeats."""
    out, seen = [], {}
    for t, side in zip(params.terms, sides):
        base = t.label or f"{side[0]}_{_local(t.name)}"
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base}_{seen[base]}")
    return out


def _side(term: LossTerm, tc: TermConfig) -> str:
    return tc.side or (next(iter(term.sides)) if len(term.sides) == 1 else "")


def _head_order(heads: Mapping[str, int]) -> dict[str, int]:
    """HEAD_NAMES order (adv, cls, cond, twin), then any other head alphabetically: D's heads (and so its initial
    weights) do not depend on the order the terms are listed in."""
    known = [h for h in HEAD_NAMES if h in heads]
    return {h: heads[h] for h in known + sorted(set(heads) - set(known))}


class _Prepare:
    """The inputs the discriminator step's penalties differentiate, for :meth:`Models.discriminate` (the role a
    Regularizer plays there): real and/or generated data with ``requires_grad``."""

    def __init__(self, real: bool, fake: bool):
        self.real, self.fake = real, fake

    def applies(self, step: int) -> bool:
        return True

    def prepare_inputs(self, x_real: Tensor, x_fake: Tensor) -> tuple[Tensor, Tensor]:
        return (x_real.detach().requires_grad_(True) if self.real else x_real,
                x_fake.detach().requires_grad_(True) if self.fake else x_fake)


class CompositeObjective(Objective):
    """A method written as ``[[objective.terms]]``: each term a registered pure loss with its weight and options.

    Order: D step = Models.discriminate, then the discriminator-side terms in table order; G step =
    Models.generate(grad=True), then the generator-side terms in table order. Heads, required components, the
    optimizer of each loss and the need for labels are derived from the terms; see :mod:`condgan.composite`."""

    def __init__(self, params: CompositeParams, ctx: Any):
        super().__init__(params, ctx)
        self.slots: list[_Slot] = []
        sides = []
        bound_terms = []
        for t in params.terms:
            bound = ctx.resolve("losses", t.name, t.options, ctx)
            bound_terms.append(bound)
            side = _side(bound.term, t)
            if side not in bound.term.sides:
                raise ValueError(f"term '{t.name}' cannot serve the {side or '(unnamed)'} step")
            sides.append(side)
        labels = _labels(params, sides)
        losses: dict[str, str | tuple[str, ...]] = {}
        heads: dict[str, int] = {}
        requires = set()
        unsupervised = True
        for t, bound, side, label in zip(params.terms, bound_terms, sides, labels):
            term: LossTerm = bound.term
            reads = term.reads_for(bound.options, side)
            every = term.every(bound.options) if term.every is not None else 1
            self.slots.append(_Slot(label, side, t.weight, bound, reads, every))
            opts = term.optimizers(side)
            losses[label] = opts[0] if len(opts) == 1 else opts
            for head, width in reads.heads().items():
                heads[head] = resolve_width(width, ctx.spec)
            if reads.classifier:
                requires.add("classifier")
            if reads.statistics_network:
                requires.add("statistics_network")
            unsupervised &= not reads.real_conditions
        self.losses = losses
        self.requires = frozenset(requires)
        self.unsupervised = unsupervised
        self._heads = _head_order(heads)

    def heads(self) -> dict[str, int]:
        return dict(self._heads)

    def order(self) -> list[str]:
        """The terms as they run: ``"discriminator: d_adversarial_d = 1 * core.adversarial_d"``, ..."""
        return [f"{s.side}: {s.label} = {s.weight:g} * {s.bound.term.name}" for side in SIDES
                for s in self.slots if s.side == side]

    def _run(self, view: TermView, side: str, step: int) -> dict[str, Tensor]:
        return {s.label: s.weight * s.bound(view) for s in self.slots if s.side == side and s.applies(step)}

    def discriminator_step(self, m: Models, real: Batch, step: int) -> StepOutput:
        active = [s for s in self.slots if s.side == "discriminator" and s.applies(step)]
        points = {p for s in active for p in s.reads.penalty}
        prep = _Prepare("real" in points, "fake" in points) if points & {"real", "fake"} else None
        d = m.discriminate(real, step, prep)
        view = TermView(m, step, "discriminator", d.real, d.fake, d.x_real, d.x_fake, d.out_real, d.out_fake,
                        classifier_grad="classifier_fake" in points)
        return StepOutput(self._run(view, "discriminator", step))

    def generator_step(self, m: Models, real: Batch, step: int) -> StepOutput:
        fake = m.generate(len(real), grad=True)
        view = TermView(m, step, "generator", real, fake, real.x, fake.x)
        return StepOutput(self._run(view, "generator", step))

    # -- checked when the config is read ---------------------------------------------------------------------------
    @staticmethod
    def check_config(params: CompositeParams, raw: Mapping[str, Any], components: Any) -> list[tuple[str, str]]:
        """Every problem of the term list, each with its ``$.objective.terms[i]`` path (called by parse_config)."""
        problems: list[tuple[str, str]] = []
        if not params.terms:
            return [("$.objective.terms", "a composite objective needs [[objective.terms]] tables (name, weight, "
                                          "options); see `condgan list losses`")]
        raw_terms = (raw.get("objective") or {}).get("terms") or []
        heads: dict[str, tuple[Any, int, str]] = {}
        sides_seen: set[str] = set()
        registry = components["losses"]
        for i, t in enumerate(params.terms):
            path = f"$.objective.terms[{i}]"
            if i < len(raw_terms) and isinstance(raw_terms[i], Mapping):
                _check_keys(TermConfig, raw_terms[i], path, problems, "an [[objective.terms]] table")
            if t.name not in registry:
                problems.append((f"{path}.name", registry.unknown_message(t.name, components.failed_plugins,
                                                                          components.loaded_plugins)))
                continue
            entry = registry.get(t.name)
            term = entry.factory
            if not isinstance(term, LossTerm):
                problems.append((f"{path}.name", f"'{t.name}' is registered as a loss but is not a condgan.LossTerm"))
                continue
            n_before = len(problems)
            opts = _structure_params(entry, t.options, f"{path}.options", problems, components)
            if len(problems) > n_before:
                continue
            side = _side(term, t)
            if not side:
                problems.append((f"{path}.side", f"term '{t.name}' serves both steps ({', '.join(term.sides)}); "
                                                 f"set side = \"discriminator\" or \"generator\""))
                continue
            if side not in term.sides:
                problems.append((f"{path}.side", f"term '{t.name}' cannot serve the {side} step; it serves the "
                                                 f"{' and '.join(term.sides)} step"))
                continue
            if term.check is not None and (msg := term.check(opts, side)):
                problems.append((path, f"term '{t.name}': {msg}"))
                continue
            sides_seen.add(side)
            reads = term.reads_for(opts, side)
            for kind in ("classifier", "statistics_network"):
                if getattr(reads, kind) and kind not in raw:
                    problems.append((path, f"term '{t.name}' reads the {kind.replace('_', ' ')}'s outputs, but the "
                                           f"config has no [{kind}] table (see `condgan list {kind}s`)"))
            for head, width in reads.heads().items():
                if not (isinstance(width, int) or width in WIDTHS):
                    problems.append((path, f"term '{t.name}' declares head '{head}' with width {width!r}; widths are "
                                           f"an int or one of {', '.join(WIDTHS)}"))
                elif head in heads and heads[head][0] != width:
                    w0, j, n0 = heads[head]
                    problems.append((path, f"term '{t.name}' reads D's head '{head}' with width {width}, but "
                                           f"$.objective.terms[{j}] ('{n0}') reads it with width {w0}"))
                else:
                    heads.setdefault(head, (width, i, t.name))
        if not problems:
            for side in SIDES:
                if side not in sides_seen:
                    problems.append(("$.objective.terms", f"no term trains in the {side} step; a composite needs at "
                                                          f"least one term on each side"))
        return problems


def term_order(params: CompositeParams, components: Any) -> list[str]:
    """The order the terms of ``params`` run in, without building anything (for ``condgan describe PRESET``)."""
    sides = [_side(components["losses"].get(t.name).factory, t) for t in params.terms]
    labels = _labels(params, sides)
    rows = list(zip(params.terms, sides, labels))
    return [f"{side} step: {label} = {t.weight:g} * {t.name}" for s in SIDES for t, side, label in rows if side == s]


OBJECTIVES = {"composite": (CompositeObjective, CompositeParams,
                            "a method composed of registered loss terms ([[objective.terms]]: name, weight, options)")}
