r"""The gradient regularizers of the discriminator as registered components (``core.r1``, ``core.r2``,
``core.wgan_gp``): :class:`Regularizer` and its factories.

The penalties themselves are pure functions of :mod:`condgan.losses` (``r1_penalty``, ``r2_penalty``,
``wgan_gp_penalty``, ``grad_norm_squared``; their equations are there); the old names here still work for one
release, with a DeprecationWarning.

* R1 (Mescheder et al. 2018):  E_real[ ||∇_x D(x)||² ]
* R2:                          E_fake[ ||∇_x D(x)||² ]  (CGPGAN applies it to generated data, no ½ factor)
* WGAN-GP (Gulrajani et al. 2017): E_x̂[(||∇_x̂ D(x̂)||₂ - 1)²] at x̂ = εx_real + (1-ε)x_fake
"""

from __future__ import annotations

from typing import Callable

import attrs
from torch import Tensor

from .. import losses as L
from ..interfaces import Regularizer as RegularizerInterface
from ..moved import moved_names


def penalty(kind: str, weight: float, critic: Callable[[Tensor], Tensor], x_real: Tensor, x_fake: Tensor,
            t_real: Tensor, t_fake: Tensor) -> Tensor:
    """``weight`` times the penalty ``kind`` ("r1", "r2" or "wgan_gp"). ``t_real``/``t_fake``: per-sample D values
    computed from ``x_real``/``x_fake`` (prepared by :func:`prepare_inputs`); ``critic(x) -> (B,)`` for WGAN-GP."""
    if kind == "r1":
        return weight * L.r1_penalty(t_real, x_real)
    if kind == "r2":
        return weight * L.r2_penalty(t_fake, x_fake)
    if kind == "wgan_gp":
        return weight * L.wgan_gp_penalty(critic, x_real, x_fake)
    raise ValueError(f"unknown regularizer {kind!r}; use r1, r2 or wgan_gp")


def prepare_inputs(kind: str, x_real: Tensor, x_fake: Tensor) -> tuple[Tensor, Tensor]:
    """Inputs for the discriminator forward: R1 differentiates D at real data, R2 at generated data."""
    if kind in ("r1", "r2"):
        return x_real.detach().requires_grad_(kind == "r1"), x_fake.detach().requires_grad_(kind == "r2")
    return x_real, x_fake


@attrs.frozen
class RegularizerParams:
    """``weight`` multiplies the penalty; ``every`` applies it every n-th discriminator step (lazy regularisation)."""

    weight: float = attrs.field(default=10.0, validator=attrs.validators.ge(0.0))
    every: int = attrs.field(default=1, validator=attrs.validators.ge(1))


@attrs.frozen
class Regularizer(RegularizerInterface):
    """A configured core regularizer: ``kind`` in {"r1", "r2", "wgan_gp"} with its weight; calls
    :func:`prepare_inputs` and :func:`penalty` above."""

    kind: str
    weight: float
    every: int = 1

    def prepare_inputs(self, x_real: Tensor, x_fake: Tensor) -> tuple[Tensor, Tensor]:
        return prepare_inputs(self.kind, x_real, x_fake)

    def penalty(self, critic: Callable[[Tensor], Tensor], x_real: Tensor, x_fake: Tensor, t_real: Tensor,
                t_fake: Tensor) -> Tensor:
        return penalty(self.kind, self.weight, critic, x_real, x_fake, t_real, t_fake)


def _factory(kind: str):
    def build(params: RegularizerParams, ctx=None) -> Regularizer:
        return Regularizer(kind, params.weight, params.every)

    build.__name__ = kind
    return build


REGULARIZERS = {
    "r1": (_factory("r1"), "R1 gradient penalty on real data, E||∇D(x_real)||²"),
    "r2": (_factory("r2"), "R2 gradient penalty on generated data, E||∇D(x_fake)||²"),
    "wgan_gp": (_factory("wgan_gp"), "WGAN-GP penalty (||∇D(x̂)|| - 1)² on interpolates"),
}

__getattr__ = moved_names(__name__, dict.fromkeys(["grad_norm_squared", "r1_penalty", "r2_penalty", "wgan_gp_penalty"],
                                                  "condgan.losses"))
