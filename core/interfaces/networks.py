"""Network interfaces: Generator, Discriminator (a record of optional heads), Classifier, StatisticsNetwork.

All are ``nn.Module`` + ``abc.ABC`` and are built as ``Cls(params, ctx)`` (params: a frozen attrs instance,
ctx: :class:`~condgan.interfaces.BuildContext`). Shapes (B = batch, K = ``ctx.spec.num_conditions``):

* ``Generator.forward(z: (B, Z), c: (B, K)) -> x: (B, *ctx.data_shape)``; images in [-1, 1].
* ``Discriminator.forward(x) -> DiscriminatorOutput`` with the heads named in ``ctx.heads``.
* ``Classifier.forward(x) -> (B, K)`` logits.
* ``StatisticsNetwork.forward(x, c, features=None) -> (B,)`` values of T(x, c); ``features`` are the
  discriminator's trunk features when T shares that trunk.
"""

from __future__ import annotations

import abc
import dataclasses
from typing import ClassVar, Mapping

import torch
from torch import Tensor, nn

#: The heads a discriminator may expose, and what each holds.
HEAD_NAMES: Mapping[str, str] = {
    "adv": "(B,) adversarial logit (real vs fake)",
    "cls": "(B, n) class logits: K for an auxiliary classifier, K+1 for AM-GAN/LabelGAN (fake class last)",
    "cond": "(B, K) one adversarial logit per condition (CA-GAN, CGPGAN)",
    "twin": "(B, K) logits of a second classifier on the shared trunk (TAC-GAN's twin classifier)",
}


@dataclasses.dataclass(frozen=True)
class DiscriminatorOutput:
    """What one discriminator forward returns. Heads the objective did not ask for are None.

    ``features`` (B, F) are the trunk's penultimate features, for heads that live outside the discriminator
    (a statistics network sharing the trunk).

    A frozen dataclass rather than attrs: torch.compile (``run.compile``) traces a dataclass constructed inside
    ``forward``, and fails on a frozen attrs class (torch 2.14).
    """

    adv: Tensor | None = None
    cls: Tensor | None = None
    cond: Tensor | None = None
    twin: Tensor | None = None
    features: Tensor | None = None

    def __getitem__(self, index) -> "DiscriminatorOutput":
        """Select rows of every present head (used to split a mixed real/fake batch)."""
        return DiscriminatorOutput(**{f.name: (getattr(self, f.name)[index] if getattr(self, f.name) is not None else None)
                                      for f in dataclasses.fields(self)})


class Generator(nn.Module, abc.ABC):
    """G(z, c) -> x."""

    @abc.abstractmethod
    def forward(self, z: Tensor, c: Tensor) -> Tensor: ...


class Discriminator(nn.Module, abc.ABC):
    """D(x) -> DiscriminatorOutput. ``supported_heads`` lists what this class can build."""

    supported_heads: ClassVar[frozenset[str]] = frozenset(HEAD_NAMES)

    @abc.abstractmethod
    def forward(self, x: Tensor) -> DiscriminatorOutput: ...

    @staticmethod
    def build_heads(in_features: int, heads: Mapping[str, int], wrap=lambda m: m) -> nn.ModuleDict:
        """One linear layer per requested head, ``wrap`` applied to each (e.g. spectral norm)."""
        return nn.ModuleDict({name: wrap(nn.Linear(in_features, width)) for name, width in heads.items()})

    @staticmethod
    def apply_heads(heads: nn.ModuleDict, h: Tensor) -> DiscriminatorOutput:
        out = {name: layer(h) for name, layer in heads.items()}
        if "adv" in out:
            out["adv"] = out["adv"].squeeze(1)
        return DiscriminatorOutput(**out, features=h)


class Classifier(nn.Module, abc.ABC):
    """Q(x) -> (B, K) logits."""

    @abc.abstractmethod
    def forward(self, x: Tensor) -> Tensor: ...


class StatisticsNetwork(nn.Module, abc.ABC):
    """T(x, c) -> (B,): the critic of a mutual-information estimator (MINE)."""

    #: True when T reads the discriminator's trunk features instead of x.
    uses_features: ClassVar[bool] = False

    @abc.abstractmethod
    def forward(self, x: Tensor, c: Tensor, features: Tensor | None = None) -> Tensor: ...

    # -- optional protocol: MINE's moving average (Belghazi et al. 2018, the bias-corrected gradient) ------------
    #: name of the scalar buffer that holds the moving average of log E[e^T] (NaN before the first step)
    MINE_BUFFER: ClassVar[str] = "mine_log_ma"

    def keep_mine_moving_average(self) -> None:
        """Register the buffer :attr:`MINE_BUFFER`, so a MINE objective (UAC-GAN's) keeps its moving average here
        and it is checkpointed with T. A network that does not call this leaves the average to the objective (in
        memory, so a resumed run starts it afresh)."""
        self.register_buffer(self.MINE_BUFFER, torch.tensor(float("nan")))

    @property
    def mine_moving_average(self) -> Tensor | None:
        """The buffer registered by :meth:`keep_mine_moving_average`, or None."""
        return self._buffers.get(self.MINE_BUFFER)


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad)

