"""Training interfaces: Batch, PriorUpdater, BatchComposer, LatentSampler, Regularizer, Models, StepOutput and
Objective. (Interfaces import nothing from ``condgan.builtins``: the built-ins implement them, not the reverse.)

How one step uses them (the loop is :func:`condgan.train.train`; read it top to bottom):

1. the loop draws a real :class:`Batch` ``(x, c, y)``;
2. ``objective.discriminator_step(models, real, step)`` returns a :class:`StepOutput`: named losses; the loop sums
   them per optimizer (``objective.losses`` says which optimizer each loss updates), back-propagates each sum into
   its own optimizer's parameters only, and steps those optimizers;
3. every ``g_every`` steps, ``objective.generator_step`` does the same for the generator side;
4. ``prior.update(out.class_probs)`` when the objective returned class probabilities (CGPGAN's dynamic prior).
"""

from __future__ import annotations

import abc
from typing import Any, Callable, ClassVar, Mapping

import attrs
import torch
from torch import Tensor, nn

from ..conditions import ConditionSpec
from .networks import Classifier, Discriminator, DiscriminatorOutput, Generator, StatisticsNetwork


@attrs.frozen
class Batch:
    """``x: (B, *data_shape)``; ``c: (B, K)`` float conditions; ``y: (B, G)`` integer labels or None.

    Objectives that learn without labels (CGPGAN, InfoGAN) must not read ``c`` or ``y`` of real data; the loop keeps
    ``y`` for evaluation (cluster accuracy).
    """

    x: Tensor
    c: Tensor | None = None
    y: Tensor | None = None
    z: Tensor | None = None

    def __len__(self) -> int:
        return self.x.shape[0]

    def head(self, n: int) -> "Batch":
        """The first ``n`` rows (the batch itself when it has no more)."""
        if n >= len(self):
            return self
        return Batch(*(t[:n] if t is not None else None for t in (self.x, self.c, self.y, self.z)))


class PriorUpdater(nn.Module, abc.ABC):
    """Owns P(C): samples generator conditions and updates from class probabilities.

    ``probs()`` is a ``(K,)`` vector whose slice for each group of the ConditionSpec sums to 1. State lives in
    buffers and parameters, so ``state_dict()`` checkpoints it. A prior with parameters (a learned prior) gets its
    own optimizer named ``"prior"``.
    """

    def __init__(self, spec: ConditionSpec):
        super().__init__()
        self.spec = spec

    @abc.abstractmethod
    def probs(self) -> Tensor: ...

    def update(self, class_probs: Tensor) -> None:
        """Observe ``(B, K)`` class probabilities of real data. The default does nothing (a fixed prior)."""

    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """``n`` one-hot condition vectors ``(n, K)``, each group drawn independently from its slice of probs()."""
        p = self.probs()
        if p.requires_grad:  # a learned prior's probabilities; a buffer needs no detach
            p = p.detach()
        if len(self.spec.groups) == 1:  # one group: the same draw without slicing and concatenating
            idx = torch.multinomial(p.float(), n, replacement=True, generator=generator)
            return torch.nn.functional.one_hot(idx, p.shape[0]).to(p.dtype)
        parts = []
        for s in self.spec.slices:
            idx = torch.multinomial(p[s].float(), n, replacement=True, generator=generator)
            parts.append(torch.nn.functional.one_hot(idx, s.stop - s.start).to(p.dtype))
        return torch.cat(parts, dim=1)


class BatchComposer(nn.Module, abc.ABC):
    """Decides what the discriminator sees in one step.

    ``split(batch_size, step, epoch)`` says how many real and how many generated samples the step uses;
    ``discriminate(D, x_real, x_fake)`` runs the discriminator and returns its outputs on the real and the fake
    rows: in two forwards (separate batches) or one forward over the concatenation (mixed batches, so that
    batch-norm statistics are shared).
    """

    #: True when real and generated rows share one discriminator forward (batch-norm statistics mixed). An
    #: objective whose extra forwards must see the same mixture (CA-GAN's and AM-GAN's generator side) reads it.
    mixes_batches: ClassVar[bool] = False

    @abc.abstractmethod
    def split(self, batch_size: int, step: int, epoch: int) -> tuple[int, int]: ...

    @abc.abstractmethod
    def discriminate(self, D: Discriminator, x_real: Tensor, x_fake: Tensor) -> tuple[DiscriminatorOutput, DiscriminatorOutput]: ...


class LatentSampler(nn.Module, abc.ABC):
    """The noise distribution p(z). ``dim`` is Z."""

    dim: int

    @abc.abstractmethod
    def sample(self, n: int, device: torch.device, generator: torch.Generator | None = None) -> Tensor: ...


class Regularizer(abc.ABC):
    """A gradient regularizer of the discriminator: the component kind ``regularizers``.

    An objective names one in its params (``regularizer = "core.r1"``) and resolves it with
    :meth:`Regularizer.resolve`; a plugin's regularizer is resolved and called the same way. ``weight`` multiplies
    the penalty; ``every`` applies it on every n-th discriminator step only (lazy regularisation; the weight is not
    scaled by ``every``). The params class of a registered regularizer has at least the field ``weight`` (the
    objective's ``regularizer_weight`` is passed as it); ``every`` comes from its own params.
    """

    weight: float = 1.0
    every: int = 1

    def applies(self, step: int) -> bool:
        """Whether the penalty is computed at this discriminator step."""
        return self.weight > 0 and step % self.every == 0

    def prepare_inputs(self, x_real: Tensor, x_fake: Tensor) -> tuple[Tensor, Tensor]:
        """The discriminator's inputs, before its forward (e.g. ``requires_grad_`` on the data the penalty
        differentiates). The default returns them unchanged."""
        return x_real, x_fake

    @abc.abstractmethod
    def penalty(self, critic: Callable[[Tensor], Tensor], x_real: Tensor, x_fake: Tensor, t_real: Tensor,
                t_fake: Tensor) -> Tensor:
        """``weight`` times the penalty, a scalar. ``t_real``/``t_fake``: per-sample critic values ``(B,)``
        computed from the prepared ``x_real``/``x_fake``; ``critic(x) -> (B,)`` evaluates D's critic value anew
        (for penalties at other points, such as WGAN-GP's interpolates)."""

    @staticmethod
    def resolve(ctx: Any, name: str, weight: float) -> "Regularizer | None":
        """The regularizer ``name`` with ``weight`` (None for ``""``), built through ``ctx.resolve`` like any
        component: an unknown name or a params class without ``weight`` is a ConfigError before training."""
        if not name:
            return None
        reg = ctx.resolve("regularizers", name, {"weight": weight})
        if not isinstance(reg, Regularizer):
            raise TypeError(f"regularizer '{name}' built {type(reg).__name__}, not a condgan.Regularizer")
        return reg


@attrs.define(eq=False)
class Models:
    """The built components of one experiment, as the objective sees them."""

    generator: Generator
    discriminator: Discriminator
    prior: PriorUpdater
    composer: BatchComposer
    latent: LatentSampler
    spec: ConditionSpec
    classifier: Classifier | None = None
    statistics_network: StatisticsNetwork | None = None
    device: torch.device = attrs.field(factory=lambda: torch.device("cpu"))
    steps_per_epoch: int = 1
    #: this process's rank and the number of processes (torchrun); samples are drawn for the global batch and sliced
    rank: int = 0
    world: int = 1

    def trainable(self) -> dict[str, nn.Module]:
        """Component name -> module, for every component that owns parameters (one optimizer each)."""
        out = {}
        for name in ("generator", "discriminator", "classifier", "statistics_network", "prior"):
            mod = getattr(self, name)
            if mod is not None and any(p.requires_grad for p in mod.parameters()):
                out[name] = mod
        return out

    def rank_rows(self, global_rows: Tensor) -> Tensor:
        """This rank's rows (r, r + world, ...) of a tensor drawn for the global batch. An objective that draws
        random numbers itself draws ``n * world`` rows and keeps these, so ranks do not repeat each other's draws
        and the union over ranks is what a single process with the global batch draws."""
        return global_rows[self.rank::self.world] if self.world > 1 else global_rows

    def sample_conditions(self, n: int) -> Tensor:
        """``n`` conditions from the prior. Under torchrun every rank draws the global batch and keeps its slice, so
        the run matches a single process with the same global batch."""
        return self.rank_rows(self.prior.sample(n * self.world).to(self.device))

    def sample_latent(self, n: int) -> Tensor:
        return self.rank_rows(self.latent.sample(n * self.world, self.device))

    def epoch(self, step: int) -> int:
        """The epoch that ``step`` falls in (``steps_per_epoch`` steps each)."""
        return step // max(1, int(self.steps_per_epoch))

    def split(self, batch_size: int, step: int) -> tuple[int, int]:
        """How many real and generated samples the discriminator sees at ``step``: the composer's answer."""
        return self.composer.split(batch_size, step, self.epoch(step))

    def discriminate(self, real: Batch, step: int, regularizer: "Regularizer | None" = None, *,
                     conditions: Callable[[int], Tensor] | None = None) -> "DiscriminatorStep":
        """The start of every objective's discriminator step: the composer's real/fake split, fakes without a graph
        through G, inputs prepared for the regularizer when it applies at this step (R1 / R2 need gradients w.r.t.
        x), and the discriminator's outputs.

        ``conditions(n)`` gives the generator's condition input for the ``n`` fakes when it is not a draw from the
        prior (AM-GAN's dynamic labeling: zeros; InfoGAN's learned prior: Gumbel-softmax samples); it is called
        before the latent codes are drawn."""
        if isinstance(regularizer, str) and regularizer:
            raise TypeError("Models.discriminate takes the Regularizer component (Regularizer.resolve(ctx, name, "
                            f"weight)), not its name {regularizer!r}")
        n_real, n_fake = self.split(len(real), step)
        real, fake = real.head(n_real), self.generate(n_fake, c=None if conditions is None else conditions(n_fake))
        x_real, x_fake = real.x, fake.x
        if regularizer and regularizer.applies(step):  # "" (the old "none") counts as None
            x_real, x_fake = regularizer.prepare_inputs(x_real, x_fake)
        out_real, out_fake = self.composer.discriminate(self.discriminator, x_real, x_fake)
        return DiscriminatorStep(real, fake, x_real, x_fake, out_real, out_fake)

    def fake_outputs(self, real: Batch, fake: Batch, step: int) -> DiscriminatorOutput:
        """D's outputs on generated data for the generator's loss. With a composer that mixes batches
        (``composer.mixes_batches``) the generated rows go through the same mixed forwards as in D's step, so a
        batch-normalised D normalises them with real data in the batch (CA-GAN Sec. 4); otherwise a plain forward
        of the generated batch."""
        if self.composer.mixes_batches:
            n_real, _ = self.split(len(real), step)
            return self.composer.discriminate(self.discriminator, real.x[:n_real], fake.x)[1]
        return self.discriminator(fake.x)

    def generate(self, n: int, *, c: Tensor | None = None, grad: bool = False) -> Batch:
        """``n`` generated samples: z from the latent sampler, c from the prior unless given.

        With ``grad=False`` no graph is recorded (the discriminator side); with ``grad=True`` the generator is
        differentiable (the generator side).
        """
        z = self.sample_latent(n)
        if c is None:
            c = self.sample_conditions(n)
        with torch.set_grad_enabled(grad):
            x = self.generator(z, c)
        return Batch(x=x, c=c, z=z)


@attrs.frozen
class DiscriminatorStep:
    """What :meth:`Models.discriminate` returns: the batches used and D's outputs on them."""

    real: Batch
    fake: Batch
    x_real: Tensor
    x_fake: Tensor
    out_real: DiscriminatorOutput
    out_fake: DiscriminatorOutput


@attrs.define
class StepOutput:
    """What one side of a step produces.

    ``losses``: loss name -> scalar tensor; ``objective.losses`` maps each name to the optimizer(s) it updates.
    ``logs``: extra scalars to log (detached or not; the loop detaches). A value may also be a function of no
    arguments that returns the scalar: the loop calls it on logging steps only, so a metric that needs computing
    (an accuracy, a mean) costs nothing on the other steps. Such a function must read tensors computed in this
    step, not state that the optimizer steps change.
    ``class_probs``: ``(B, K)`` class probabilities of real data for ``prior.update`` (or None).
    """

    losses: dict[str, Tensor]
    logs: dict[str, Tensor | Callable[[], Tensor | float]] = attrs.field(factory=dict)
    class_probs: Tensor | None = None


class Objective(abc.ABC):
    """One paper's method: which components and heads it needs, its named losses, and which optimizer each updates.

    Subclasses set ``requires`` (component kinds beyond generator and discriminator, e.g. ``{"classifier"}``),
    ``losses`` (loss name -> optimizer name or tuple of names) and implement :meth:`heads`,
    :meth:`discriminator_step` and :meth:`generator_step` with pure loss functions. The loop owns backward,
    optimizer steps, AMP, EMA, logging and checkpoints.
    """

    #: component kinds the objective needs besides generator and discriminator
    requires: ClassVar[frozenset[str]] = frozenset()
    #: loss name -> the optimizer(s) it updates ("generator", "discriminator", "classifier", "statistics_network", "prior")
    losses: ClassVar[Mapping[str, str | tuple[str, ...]]] = {}
    #: True when the objective ignores real labels (self-supervised); the data may then be unlabeled
    unsupervised: ClassVar[bool] = False
    #: component tables used when the config has none, e.g. ``{"prior": "cgpgan.gumbel", "classifier": "core.mlp_q"}``
    default_components: ClassVar[Mapping[str, str]] = {}

    def __init__(self, params: Any, ctx: Any):
        self.params = params
        self.ctx = ctx

    @classmethod
    def condition_spec(cls, params: Any, data_spec: ConditionSpec) -> ConditionSpec:
        """The conditions G is trained with. Default: the data's. Self-supervised objectives (CGPGAN, InfoGAN)
        return their own ``ConditionSpec.single(categories)``; the data's labels then serve only for evaluation."""
        return data_spec

    def classes_of_samples(self, m: Models, z: Tensor, generator: torch.nn.Module) -> tuple[Tensor, Tensor] | None:
        """For objectives whose generator's class is *not* its condition input: ``(x, classes)`` for the latent
        codes ``z``, with ``classes`` the ``(N,)`` index of the condition combination each sample belongs to.

        Default ``None``: a sample's class is the condition it was generated with (sample grids and evaluation
        then ask ``generator(z, c)`` for every condition). AM-GAN's dynamic labeling (G gets no class; the class
        is the argmax of the current D, AM-GAN Sec. 5.1) overrides this so that grids put each sample in the
        column of its class and per-class metrics use those classes. ``generator`` may be the EMA copy.
        """
        return None

    @abc.abstractmethod
    def heads(self) -> dict[str, int]:
        """The discriminator heads this objective reads, name -> width (see ``HEAD_NAMES``)."""

    @abc.abstractmethod
    def discriminator_step(self, m: Models, real: Batch, step: int) -> StepOutput: ...

    @abc.abstractmethod
    def generator_step(self, m: Models, real: Batch, step: int) -> StepOutput: ...

    def optimizers_of(self, loss_name: str) -> tuple[str, ...]:
        target = self.losses[loss_name]
        return (target,) if isinstance(target, str) else tuple(target)


DiscriminatorView = tuple[DiscriminatorOutput, DiscriminatorOutput]
