r"""Gradient regularizers of the discriminator, as pure functions.

``values`` are per-sample discriminator outputs ``(B,)`` computed from ``x`` with ``x.requires_grad_(True)``
*before* the forward; the functions differentiate them with ``create_graph=True`` so the penalty trains D.

* R1 (Mescheder et al. 2018):  E_real[ ||∇_x D(x)||² ]
* R2:                          E_fake[ ||∇_x D(x)||² ]  (CGPGAN applies it to generated data, no ½ factor)
* WGAN-GP (Gulrajani et al. 2017): E_x̂[(||∇_x̂ D(x̂)||₂ - 1)²] at x̂ = εx_real + (1-ε)x_fake

The ½ of R1's γ/2 is left to the weight: ``weight * r1_penalty(...)``.
"""

from __future__ import annotations

from typing import Callable

import attrs
import torch
from torch import Tensor


def grad_norm_squared(values: Tensor, x: Tensor) -> Tensor:
    """Per-sample ||∇_x values||², shape ``(B,)``. ``values``: ``(B,)`` computed from ``x``."""
    (g,) = torch.autograd.grad(values.sum(), x, create_graph=True)
    return g.flatten(1).pow(2).sum(1)


def r1_penalty(values_real: Tensor, x_real: Tensor) -> Tensor:
    """R1 = E_real ||∇_x D(x)||² (scalar)."""
    return grad_norm_squared(values_real, x_real).mean()


def r2_penalty(values_fake: Tensor, x_fake: Tensor) -> Tensor:
    """R2 = E_fake ||∇_x D(x)||² (scalar); CGPGAN's regularizer on generated data."""
    return grad_norm_squared(values_fake, x_fake).mean()


def wgan_gp_penalty(critic: Callable[[Tensor], Tensor], x_real: Tensor, x_fake: Tensor,
                    generator: torch.Generator | None = None, center: float = 1.0) -> Tensor:
    """E[(||∇ D(x̂)|| - center)²] on random interpolates x̂ (WGAN-GP, Eq. 3 of Gulrajani et al.)."""
    n = min(len(x_real), len(x_fake))
    eps = torch.rand((n,) + (1,) * (x_real.dim() - 1), device=x_real.device, dtype=x_real.dtype, generator=generator)
    x_hat = (eps * x_real[:n].detach() + (1 - eps) * x_fake[:n].detach()).requires_grad_(True)
    norms = grad_norm_squared(critic(x_hat), x_hat).add(1e-12).sqrt()
    return (norms - center).pow(2).mean()


def penalty(kind: str, weight: float, critic: Callable[[Tensor], Tensor], x_real: Tensor, x_fake: Tensor,
            t_real: Tensor, t_fake: Tensor) -> Tensor:
    """``weight`` times the penalty ``kind`` ("r1", "r2" or "wgan_gp"). ``t_real``/``t_fake``: per-sample D values
    computed from ``x_real``/``x_fake`` (prepared by :func:`prepare_inputs`); ``critic(x) -> (B,)`` for WGAN-GP."""
    if kind == "r1":
        return weight * r1_penalty(t_real, x_real)
    if kind == "r2":
        return weight * r2_penalty(t_fake, x_fake)
    if kind == "wgan_gp":
        return weight * wgan_gp_penalty(critic, x_real, x_fake)
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


from ..interfaces import Regularizer as RegularizerInterface  # noqa: E402 (here: the functions above keep their lines)


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
