r"""Adversarial loss families as elementwise pure functions of logits.

Every family gives three functions of the discriminator's logit ``t`` (any shape; no reduction):

* ``d_real(t)``  f_r^d, the discriminator's loss on real data,
* ``d_fake(t)``  f_g^d, the discriminator's loss on generated data,
* ``g(t)``       f^g, the generator's loss on generated data.

Lower is better for the side that minimises it. CA-GAN (Cho & Yoon, Eqs. 11-16) applies them per condition
output; every other objective applies them to the single adversarial logit.

================  =========================  ===========================  ==========================
family            f_r^d(t)                   f_g^d(t)                     f^g(t)
================  =========================  ===========================  ==========================
minimax           softplus(-t) = -log σ(t)   softplus(t) = -log(1-σ(t))   -softplus(t) = log(1-σ(t))
non_saturating    softplus(-t)               softplus(t)                  softplus(-t) = -log σ(t)
least_squares     (t - b)^2                  (t - a)^2                    (t - c)^2   (a=0, b=c=1)
hinge             relu(1 - t)                relu(1 + t)                  -t
wasserstein       -t                         t                            -t
================  =========================  ===========================  ==========================

>>> t = torch.tensor([0.0])
>>> round(float(non_saturating_d_real(t)), 6)  # -log(1/2), in float32
0.693147
"""

from __future__ import annotations

from typing import Callable

import attrs
import torch
import torch.nn.functional as F
from torch import Tensor


def minimax_d_real(t: Tensor) -> Tensor:
    """-log σ(t) (Goodfellow et al. 2014, the discriminator's real term)."""
    return F.softplus(-t)


def minimax_d_fake(t: Tensor) -> Tensor:
    """-log(1 - σ(t))."""
    return F.softplus(t)


def minimax_g(t: Tensor) -> Tensor:
    """log(1 - σ(t)): the saturating generator loss of the original minimax game."""
    return -F.softplus(t)


non_saturating_d_real = minimax_d_real
non_saturating_d_fake = minimax_d_fake


def non_saturating_g(t: Tensor) -> Tensor:
    """-log σ(t): the non-saturating generator loss."""
    return F.softplus(-t)


def least_squares_d_real(t: Tensor, b: float = 1.0) -> Tensor:
    """(t - b)^2 (LSGAN, Mao et al. 2017; CA-GAN's choice)."""
    return (t - b) ** 2


def least_squares_d_fake(t: Tensor, a: float = 0.0) -> Tensor:
    """(t - a)^2."""
    return (t - a) ** 2


def least_squares_g(t: Tensor, c: float = 1.0) -> Tensor:
    """(t - c)^2."""
    return (t - c) ** 2


def hinge_d_real(t: Tensor) -> Tensor:
    """relu(1 - t)."""
    return F.relu(1.0 - t)


def hinge_d_fake(t: Tensor) -> Tensor:
    """relu(1 + t)."""
    return F.relu(1.0 + t)


def hinge_g(t: Tensor) -> Tensor:
    """-t."""
    return -t


def wasserstein_d_real(t: Tensor) -> Tensor:
    """-t (WGAN critic; pair with the WGAN-GP regularizer)."""
    return -t


def wasserstein_d_fake(t: Tensor) -> Tensor:
    """t."""
    return t


def wasserstein_g(t: Tensor) -> Tensor:
    """-t."""
    return -t


@attrs.frozen
class AdversarialLoss:
    """A loss family: the three elementwise functions, and its name."""

    name: str
    d_real: Callable[[Tensor], Tensor]
    d_fake: Callable[[Tensor], Tensor]
    g: Callable[[Tensor], Tensor]


@attrs.frozen
class NoParams:
    """This component takes no parameters."""


@attrs.frozen
class LeastSquaresParams:
    """Targets of least squares: D pushes real to ``b`` and fake to ``a``; G pushes fake to ``c``."""

    a: float = 0.0
    b: float = 1.0
    c: float = 1.0


def minimax(params=None, ctx=None) -> AdversarialLoss:
    return AdversarialLoss("minimax", minimax_d_real, minimax_d_fake, minimax_g)


def non_saturating(params=None, ctx=None) -> AdversarialLoss:
    return AdversarialLoss("non_saturating", non_saturating_d_real, non_saturating_d_fake, non_saturating_g)


def least_squares(params: LeastSquaresParams | None = None, ctx=None) -> AdversarialLoss:
    p = params or LeastSquaresParams()
    return AdversarialLoss(
        "least_squares",
        lambda t: least_squares_d_real(t, p.b),
        lambda t: least_squares_d_fake(t, p.a),
        lambda t: least_squares_g(t, p.c),
    )


def hinge(params=None, ctx=None) -> AdversarialLoss:
    return AdversarialLoss("hinge", hinge_d_real, hinge_d_fake, hinge_g)


def wasserstein(params=None, ctx=None) -> AdversarialLoss:
    return AdversarialLoss("wasserstein", wasserstein_d_real, wasserstein_d_fake, wasserstein_g)


FAMILIES = {
    "minimax": (minimax, NoParams, "original minimax GAN loss; G minimises log(1 - D(G(z)))"),
    "non_saturating": (non_saturating, NoParams, "non-saturating GAN loss; G minimises -log D(G(z))"),
    "least_squares": (least_squares, LeastSquaresParams, "least-squares GAN loss (LSGAN), targets a, b, c"),
    "hinge": (hinge, NoParams, "hinge loss (SNGAN/BigGAN); G minimises -D(G(z))"),
    "wasserstein": (wasserstein, NoParams, "Wasserstein critic loss; pair with core.wgan_gp"),
}

torch  # noqa: B018  (kept for doctest namespace)
