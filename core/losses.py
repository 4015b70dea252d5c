r"""condgan's shared loss functions: the public home of the pure functions a plugin's objective composes.

Every function here is elementwise or per-sample and pure (tensors in, tensors out); the equations are in each
function's docstring.

* **Adversarial families** (Goodfellow et al. 2014; LSGAN; hinge; WGAN), applied to a discriminator logit ``t``
  with no reduction: ``<family>_d_real(t)`` = f_r^d, ``<family>_d_fake(t)`` = f_g^d, ``<family>_g(t)`` = f^g, for
  ``minimax``, ``non_saturating``, ``least_squares``, ``hinge`` and ``wasserstein``; :class:`AdversarialLoss` holds
  the three functions of one family (what ``ctx.resolve("adversarial_losses", name)`` returns).
* **Gradient penalties**: ``grad_norm_squared(values, x)`` = ||∇_x values||² per sample; ``r1_penalty`` =
  E_real ||∇D||², ``r2_penalty`` = E_fake ||∇D||², ``wgan_gp_penalty`` = E[(||∇D(x̂)|| - 1)²] on interpolates.
* **Conditional logits**: ``selected_logit(cond, c, groups)`` = <D_cond(x), c> / groups, the output of each
  sample's own condition.

This step of issue 17 is a facade: the functions still live in ``condgan.builtins.adversarial``,
``condgan.builtins.regularizers`` and ``condgan.builtins.objectives`` (so the running mutation tests of those files
stay valid), and this module is the path plugins import. The next step moves them here, together with the helpers
the paper plugins still write for themselves: the reductions (``reduce``), the class cross-entropy, the AC-GAN
terms, and entropy / KL divergence.
"""

from __future__ import annotations

from .builtins.adversarial import (
    AdversarialLoss,
    hinge_d_fake,
    hinge_d_real,
    hinge_g,
    least_squares_d_fake,
    least_squares_d_real,
    least_squares_g,
    minimax_d_fake,
    minimax_d_real,
    minimax_g,
    non_saturating_d_fake,
    non_saturating_d_real,
    non_saturating_g,
    wasserstein_d_fake,
    wasserstein_d_real,
    wasserstein_g,
)
from .builtins.objectives import selected_logit
from .builtins.regularizers import grad_norm_squared, r1_penalty, r2_penalty, wgan_gp_penalty

__all__ = [
    "AdversarialLoss",
    "minimax_d_real", "minimax_d_fake", "minimax_g",
    "non_saturating_d_real", "non_saturating_d_fake", "non_saturating_g",
    "least_squares_d_real", "least_squares_d_fake", "least_squares_g",
    "hinge_d_real", "hinge_d_fake", "hinge_g",
    "wasserstein_d_real", "wasserstein_d_fake", "wasserstein_g",
    "grad_norm_squared", "r1_penalty", "r2_penalty", "wgan_gp_penalty",
    "selected_logit",
]
