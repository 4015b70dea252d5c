r"""The adversarial loss families as registered components (``core.minimax``, ``core.non_saturating``,
``core.least_squares``, ``core.hinge``, ``core.wasserstein``): factories and their params.

The elementwise functions f_r^d, f_g^d, f^g of each family, their table and :class:`AdversarialLoss` live in
:mod:`condgan.losses`; the old names here (``condgan.builtins.adversarial.hinge_g``, ...) still work for one
release, with a DeprecationWarning.
"""

from __future__ import annotations

import attrs

from .. import losses as L
from ..moved import moved_names


@attrs.frozen
class NoParams:
    """This component takes no parameters."""


@attrs.frozen
class LeastSquaresParams:
    """Targets of least squares: D pushes real to ``b`` and fake to ``a``; G pushes fake to ``c``."""

    a: float = 0.0
    b: float = 1.0
    c: float = 1.0


def minimax(params=None, ctx=None) -> L.AdversarialLoss:
    return L.family("minimax")


def non_saturating(params=None, ctx=None) -> L.AdversarialLoss:
    return L.family("non_saturating")


def least_squares(params: LeastSquaresParams | None = None, ctx=None) -> L.AdversarialLoss:
    p = params or LeastSquaresParams()
    return L.family("least_squares", a=p.a, b=p.b, c=p.c)


def hinge(params=None, ctx=None) -> L.AdversarialLoss:
    return L.family("hinge")


def wasserstein(params=None, ctx=None) -> L.AdversarialLoss:
    return L.family("wasserstein")


FAMILIES = {
    "minimax": (minimax, NoParams, "original minimax GAN loss; G minimises log(1 - D(G(z)))"),
    "non_saturating": (non_saturating, NoParams, "non-saturating GAN loss; G minimises -log D(G(z))"),
    "least_squares": (least_squares, LeastSquaresParams, "least-squares GAN loss (LSGAN), targets a, b, c"),
    "hinge": (hinge, NoParams, "hinge loss (SNGAN/BigGAN); G minimises -D(G(z))"),
    "wasserstein": (wasserstein, NoParams, "Wasserstein critic loss; pair with core.wgan_gp"),
}

__getattr__ = moved_names(__name__, dict.fromkeys(
    ["AdversarialLoss", "minimax_d_real", "minimax_d_fake", "minimax_g", "non_saturating_d_real",
     "non_saturating_d_fake", "non_saturating_g", "least_squares_d_real", "least_squares_d_fake", "least_squares_g",
     "hinge_d_real", "hinge_d_fake", "hinge_g", "wasserstein_d_real", "wasserstein_d_fake", "wasserstein_g"],
    "condgan.losses"))
