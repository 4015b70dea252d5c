r"""condgan's shared loss functions: the one home of the pure functions that objectives compose.

Every function here is pure (tensors in, tensors out), elementwise or per sample unless it takes a ``reduction``;
each docstring gives its equation. Shapes: ``B`` batch, ``K`` conditions (classes), ``t`` a discriminator logit.

* **Reductions**: :func:`reduce` turns per-sample values ``(B,)`` into the batch mean (the papers' E[...]), the sum
  (what several authors' code does) or leaves them (``"none"``).
* **Adversarial families** (Goodfellow et al. 2014; LSGAN; hinge; WGAN), applied to a logit ``t`` with no
  reduction: ``<family>_d_real(t)`` = f_r^d, ``<family>_d_fake(t)`` = f_g^d, ``<family>_g(t)`` = f^g, for
  ``minimax``, ``non_saturating``, ``least_squares``, ``hinge`` and ``wasserstein`` (table below);
  :class:`AdversarialLoss` holds the three functions of one family (what ``ctx.resolve("adversarial_losses",
  name)`` returns) and :func:`family` builds one by name. :func:`adversarial_d_loss` / :func:`adversarial_g_loss`
  are the reduced terms E_r f_r^d + E_g f_g^d and E_g f^g.
* **Gradient penalties**: ``grad_norm_squared(values, x)`` = ||∇_x values||² per sample; ``r1_penalty`` =
  E_real ||∇D||², ``r2_penalty`` = E_fake ||∇D||², ``wgan_gp_penalty`` = E[(||∇D(x̂)|| - 1)²] on interpolates.
* **Conditional logits**: ``selected_logit(cond, c, groups)`` = <D_cond(x), c> / groups, the output of each
  sample's own condition.
* **Class cross-entropy**: :func:`class_cross_entropy` = -Σ_k c_k log softmax(l)_k (one softmax per condition
  group), the auxiliary classifier's loss of every AC-GAN-like method and InfoGAN's L_cls.
* **The AC-GAN terms** (Odena et al. 2017; Cho & Yoon Eqs. 1-10): :func:`classification_loss` (L_cls, softmax per
  group or sigmoid per binary attribute, with :func:`attribute_targets`), :func:`acgan_discriminator_loss` and
  :func:`acgan_generator_loss` (how L_adv and L_cls combine, with the switches of the original and the modified
  AC-GAN). ``core.ac_gan`` (:mod:`condgan.builtins.objectives`) is the objective built from them.
* **Information**: :func:`entropy` H(p), :func:`cross_entropy` H(p, q) and :func:`kl_divergence` KL(p ‖ q) of
  probability vectors (the Inception/AM Scores and UAC-GAN's identities use these).

================  =========================  ===========================  ==========================
family            f_r^d(t)                   f_g^d(t)                     f^g(t)
================  =========================  ===========================  ==========================
minimax           softplus(-t) = -log σ(t)   softplus(t) = -log(1-σ(t))   -softplus(t) = log(1-σ(t))
non_saturating    softplus(-t)               softplus(t)                  softplus(-t) = -log σ(t)
least_squares     (t - b)^2                  (t - a)^2                    (t - c)^2   (a=0, b=c=1)
hinge             relu(1 - t)                relu(1 + t)                  -t
wasserstein       -t                         t                            -t
================  =========================  ===========================  ==========================

Lower is better for the side that minimises it. CA-GAN (Cho & Yoon, Eqs. 11-16) applies the families per condition
output; the other objectives apply them to the single adversarial logit.

>>> t = torch.tensor([0.0])
>>> round(float(non_saturating_d_real(t)), 6)  # -log(1/2), in float32
0.693147
"""

from __future__ import annotations

from typing import Callable, Literal, Sequence

import attrs
import torch
import torch.nn.functional as F
from torch import Tensor

Reduction = Literal["mean", "sum", "none"]

__all__ = [
    "reduce",
    "AdversarialLoss", "family",
    "minimax_d_real", "minimax_d_fake", "minimax_g",
    "non_saturating_d_real", "non_saturating_d_fake", "non_saturating_g",
    "least_squares_d_real", "least_squares_d_fake", "least_squares_g",
    "hinge_d_real", "hinge_d_fake", "hinge_g",
    "wasserstein_d_real", "wasserstein_d_fake", "wasserstein_g",
    "adversarial_d_loss", "adversarial_g_loss",
    "grad_norm_squared", "r1_penalty", "r2_penalty", "wgan_gp_penalty",
    "selected_logit",
    "class_cross_entropy", "attribute_targets", "classification_loss",
    "acgan_discriminator_loss", "acgan_generator_loss",
    "entropy", "cross_entropy", "kl_divergence",
]


# ---------------------------------------------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------------------------------------------


def reduce(values: Tensor, reduction: Reduction = "mean") -> Tensor:
    r"""Reduce per-sample values ``(B,)`` over the batch: ``"mean"`` = (1/B) Σ_i v_i (the papers' E[...]),
    ``"sum"`` = Σ_i v_i (the authors' code of CA-GAN: per-sample losses handed to ``tape.gradient``), ``"none"``
    returns ``values``.

    >>> reduce(torch.tensor([1.0, 3.0]), "sum")
    tensor(4.)
    """
    if reduction == "mean":
        return values.mean()
    if reduction == "sum":
        return values.sum()
    if reduction == "none":
        return values
    raise ValueError(f"reduction must be 'mean', 'sum' or 'none', not {reduction!r}")


# ---------------------------------------------------------------------------------------------------------------
# Adversarial families
# ---------------------------------------------------------------------------------------------------------------


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


#: the built-in families' elementwise functions (least squares with its default targets a=0, b=c=1)
_FAMILIES = {
    "minimax": (minimax_d_real, minimax_d_fake, minimax_g),
    "non_saturating": (non_saturating_d_real, non_saturating_d_fake, non_saturating_g),
    "least_squares": (least_squares_d_real, least_squares_d_fake, least_squares_g),
    "hinge": (hinge_d_real, hinge_d_fake, hinge_g),
    "wasserstein": (wasserstein_d_real, wasserstein_d_fake, wasserstein_g),
}


def family(name: str, *, a: float = 0.0, b: float = 1.0, c: float = 1.0) -> AdversarialLoss:
    """The built-in adversarial loss family ``name`` (``minimax``, ``non_saturating``, ``least_squares``, ``hinge``,
    ``wasserstein``); ``a``, ``b``, ``c`` are least squares' targets (fake, real, generator), ignored by the others.
    A family registered by a plugin is found with ``condgan.get_component("adversarial_losses", name)``.

    >>> family("hinge").name
    'hinge'
    """
    if name not in _FAMILIES:
        raise ValueError(f"unknown adversarial loss family {name!r}; choose one of {sorted(_FAMILIES)}")
    if name == "least_squares":
        return AdversarialLoss("least_squares", lambda t: least_squares_d_real(t, b),
                               lambda t: least_squares_d_fake(t, a), lambda t: least_squares_g(t, c))
    return AdversarialLoss(name, *_FAMILIES[name])


def adversarial_d_loss(t_real: Tensor, t_fake: Tensor, loss: AdversarialLoss, reduction: Reduction = "mean") -> Tensor:
    r"""The discriminator's adversarial term for any family: :math:`E_r[f_r^d(t_r)] + E_g[f_g^d(t_g)]`
    (Cho & Yoon Eq. 5, L_adv^d; with ``family("minimax")`` it is -log D(x) - log(1 - D(x')) as printed).

    ``t_real (B_r,)``, ``t_fake (B_g,)``; the two expectations are reduced separately and added, or with ``"none"``
    the per-sample terms are concatenated ``(B_r + B_g,)``.

    >>> round(float(adversarial_d_loss(torch.zeros(2), torch.zeros(2), family("minimax"))), 4)  # 2 log 2
    1.3863
    """
    if reduction == "none":
        return torch.cat([loss.d_real(t_real), loss.d_fake(t_fake)])
    return reduce(loss.d_real(t_real), reduction) + reduce(loss.d_fake(t_fake), reduction)


def adversarial_g_loss(t_fake: Tensor, loss: AdversarialLoss, reduction: Reduction = "mean") -> Tensor:
    r"""The generator's adversarial term for any family: :math:`E_g[f^g(t_g)]` (Cho & Yoon Eq. 6, L_adv^g;
    ``minimax``: log(1 - D(x')), as printed).

    >>> float(adversarial_g_loss(torch.tensor([1.0]), family("least_squares")))
    0.0
    """
    return reduce(loss.g(t_fake), reduction)


# ---------------------------------------------------------------------------------------------------------------
# Gradient penalties
# ---------------------------------------------------------------------------------------------------------------
# ``values`` are per-sample discriminator outputs ``(B,)`` computed from ``x`` with ``x.requires_grad_(True)``
# *before* the forward; the functions differentiate them with ``create_graph=True`` so the penalty trains D.
# The ½ of R1's γ/2 is left to the weight: ``weight * r1_penalty(...)``.


def grad_norm_squared(values: Tensor, x: Tensor) -> Tensor:
    """Per-sample ||∇_x values||², shape ``(B,)``. ``values``: ``(B,)`` computed from ``x``."""
    (g,) = torch.autograd.grad(values.sum(), x, create_graph=True)
    return g.flatten(1).pow(2).sum(1)


def r1_penalty(values_real: Tensor, x_real: Tensor) -> Tensor:
    """R1 = E_real ||∇_x D(x)||² (Mescheder et al. 2018; scalar)."""
    return grad_norm_squared(values_real, x_real).mean()


def r2_penalty(values_fake: Tensor, x_fake: Tensor) -> Tensor:
    """R2 = E_fake ||∇_x D(x)||² (scalar); CGPGAN's regularizer on generated data (no ½ factor)."""
    return grad_norm_squared(values_fake, x_fake).mean()


def wgan_gp_penalty(critic: Callable[[Tensor], Tensor], x_real: Tensor, x_fake: Tensor,
                    generator: torch.Generator | None = None, center: float = 1.0) -> Tensor:
    """E[(||∇ D(x̂)|| - center)²] on random interpolates x̂ = εx_real + (1-ε)x_fake (WGAN-GP, Eq. 3 of
    Gulrajani et al. 2017)."""
    n = min(len(x_real), len(x_fake))
    eps = torch.rand((n,) + (1,) * (x_real.dim() - 1), device=x_real.device, dtype=x_real.dtype, generator=generator)
    x_hat = (eps * x_real[:n].detach() + (1 - eps) * x_fake[:n].detach()).requires_grad_(True)
    norms = grad_norm_squared(critic(x_hat), x_hat).add(1e-12).sqrt()
    return (norms - center).pow(2).mean()


# ---------------------------------------------------------------------------------------------------------------
# Conditional logits and class cross-entropy
# ---------------------------------------------------------------------------------------------------------------


def selected_logit(cond_logits: Tensor, c: Tensor, num_groups: int = 1) -> Tensor:
    """``(B, K) x (B, K) -> (B,)``: the output of each sample's active conditions, averaged over the groups,
    t = <D_cond(x), c> / G."""
    return (cond_logits * c).sum(1) / num_groups


def class_cross_entropy(logits: Tensor, target: Tensor, reduction: Reduction = "mean", *,
                        slices: Sequence[slice] | None = None) -> Tensor:
    r"""The class cross-entropy H(c, softmax(l)) = -Σ_k c_k log softmax(l)_k per sample, reduced.

    It is -log C(y | x) for a one-hot target (the auxiliary classifier of AC-GAN, Cho & Yoon Eqs. 3-4; UAC-GAN
    Eq. 1 (b), (c); InfoGAN's L_cls, CGPGAN Eq. 4) and H(p̂, softmax(l)) for a soft target p̂, whose negative
    gradient in ``l`` is p̂ - softmax(l) (AM-GAN Lemma 1, Eq. 10). With ``slices`` (the condition groups,
    ``ConditionSpec.slices``) every group has its own softmax and the per-sample loss is the sum over groups g of
    -Σ_{k∈g} c_k log softmax(l_g)_k.

    Shapes: ``logits (B, K)``, ``target (B, K)`` (or ``(K,)``, broadcast) -> scalar, or ``(B,)`` with ``"none"``.

    >>> round(float(class_cross_entropy(torch.zeros(1, 4), torch.tensor([[0.0, 1.0, 0.0, 0.0]]))), 4)  # log 4
    1.3863
    """
    if slices is None:
        per_sample = -(target * F.log_softmax(logits, dim=-1)).sum(-1)
    else:
        per_sample = sum(-(target[:, s] * F.log_softmax(logits[:, s], dim=1)).sum(dim=1) for s in slices)
    return reduce(per_sample, reduction)


# ---------------------------------------------------------------------------------------------------------------
# The AC-GAN terms (Odena et al. 2017; Cho & Yoon Eqs. 1-10)
# ---------------------------------------------------------------------------------------------------------------


def attribute_targets(c: Tensor, slices: Sequence[slice]) -> Tensor:
    """Binary-attribute targets for a sigmoid/BCE classifier: the first column of each ``[a, not-a]`` group.

    ``c: (B, K)`` with every group of size 2 -> ``(B, A)``, A = number of groups (the CA-GAN authors' AC-GAN
    baseline on CelebA uses A sigmoid outputs).

    >>> attribute_targets(torch.tensor([[1.0, 0.0, 0.0, 1.0]]), (slice(0, 2), slice(2, 4)))
    tensor([[1., 0.]])
    """
    for s in slices:
        if s.stop - s.start != 2:
            raise ValueError("attribute_targets needs binary groups [a, not-a] (size 2 each)")
    return c[:, [s.start for s in slices]]


def classification_loss(logits: Tensor, target: Tensor, slices: Sequence[slice] | None = None,
                        mode: Literal["softmax", "sigmoid"] = "softmax", reduction: Reduction = "mean") -> Tensor:
    r"""The auxiliary classifier's loss L_cls = -log D_cls(cnd | x) (Cho & Yoon Eqs. 3-4 and 9-10).

    * ``mode="softmax"``: :func:`class_cross_entropy` with one softmax per group of mutually exclusive conditions
      (``slices``; default one group over all K columns). ``logits, target: (B, K)``; targets may be soft.
    * ``mode="sigmoid"``: independent binary conditions (multi-label): Σ_j BCE(σ(l_j), cnd_j).
      ``logits, target: (B, A)``; ``slices`` is ignored (:func:`attribute_targets` turns ``[a, not-a]`` groups
      into A targets).

    Returns a scalar, or ``(B,)`` with ``"none"``.

    >>> l = torch.tensor([[2.0, 0.0]]); y = torch.tensor([[1.0, 0.0]])
    >>> round(float(classification_loss(l, y)), 4)   # -log softmax(l)_0 = log(1 + e^-2)
    0.1269
    """
    if mode == "softmax":
        return class_cross_entropy(logits, target, reduction, slices=slices or (slice(0, logits.shape[1]),))
    if mode == "sigmoid":
        return reduce(F.binary_cross_entropy_with_logits(logits, target, reduction="none").sum(dim=1), reduction)
    raise ValueError(f"mode must be 'softmax' or 'sigmoid', not {mode!r}")


def acgan_discriminator_loss(l_adv_d: Tensor, l_cls_r: Tensor, l_cls_g: Tensor | None = None, *,
                             lambda_cls: float = 1.0, adv_weight: float = 1.0,
                             cls_fake_in_d: bool = True) -> Tensor:
    r"""D's loss of the AC-GAN family: w_adv L_adv^d + λ_cls (L_cls^r [+ L_cls^g]).

    * original AC-GAN, Eq. 1: ``λ_cls = 1``, ``cls_fake_in_d = True``: L_adv^d + L_cls^r + L_cls^g;
    * modified AC-GAN (StarGAN/AttGAN), Eq. 7: ``cls_fake_in_d = False``: L_adv^d + λ_cls L_cls^r;
    * Fig. 12 blue curve: ``cls_fake_in_d = True`` with λ_cls: L_adv^d + λ_cls (L_cls^r + L_cls^g);
    * Figs. 9-11 (no adversarial loss): ``adv_weight = 0``: L_d = L_cls^r (Fig. 9) or L_cls^r + L_cls^g (Fig. 10).

    All inputs are scalars (or broadcastable per-sample tensors). Equation numbers: Cho & Yoon.

    >>> float(acgan_discriminator_loss(torch.tensor(1.0), torch.tensor(2.0), torch.tensor(4.0), lambda_cls=0.5))
    4.0
    """
    cls = l_cls_r
    if cls_fake_in_d:
        if l_cls_g is None:
            raise ValueError("cls_fake_in_d=True needs L_cls^g (the classification loss on generated data)")
        cls = cls + l_cls_g
    out = lambda_cls * cls
    return out + adv_weight * l_adv_d if adv_weight else out


def acgan_generator_loss(l_adv_g: Tensor, l_cls_g: Tensor, l_cls_r: Tensor | None = None, *,
                         lambda_cls: float = 1.0, adv_weight: float = 1.0) -> Tensor:
    r"""G's loss of the AC-GAN family: w_adv L_adv^g + λ_cls (L_cls^g [+ L_cls^r]).

    * original AC-GAN, Eq. 2: L_adv^g + L_cls^r + L_cls^g (pass ``l_cls_r``; it carries no gradient to G, the
      paper's remark under Eq. 6, so leaving it out changes the value but not the update);
    * modified AC-GAN, Eq. 8: L_adv^g + λ_cls L_cls^g;
    * Figs. 9-11: ``adv_weight = 0``: L_g = L_cls^g.

    Equation numbers: Cho & Yoon. AM-GAN's AC-GAN* generator (Zhou et al. Eqs. 6-7) is this with per-sample terms.

    >>> float(acgan_generator_loss(torch.tensor(1.0), torch.tensor(2.0), lambda_cls=3.0))
    7.0
    """
    cls = l_cls_g if l_cls_r is None else l_cls_g + l_cls_r
    out = lambda_cls * cls
    return out + adv_weight * l_adv_g if adv_weight else out


# ---------------------------------------------------------------------------------------------------------------
# Entropy, cross-entropy and KL divergence of probability vectors
# ---------------------------------------------------------------------------------------------------------------

#: floor for the second argument of the logarithms of :func:`cross_entropy` and :func:`kl_divergence`
EPS = 1e-12


def entropy(p: Tensor, dim: int = -1) -> Tensor:
    r"""H(p) = -Σ_i p_i log p_i along ``dim``, with 0 log 0 = 0. Shapes: ``(..., K) -> (...)``; computed in the
    dtype of ``p`` (the scores pass float64).

    >>> float(entropy(torch.tensor([0.5, 0.5], dtype=torch.float64)))  # ln 2
    0.6931471805599453
    """
    return -torch.xlogy(p, p).sum(dim)


def cross_entropy(p: Tensor, q: Tensor, dim: int = -1, eps: float = EPS) -> Tensor:
    r"""H(p, q) = -Σ_i p_i log q_i along ``dim``, ``q`` floored at ``eps`` (a class q gives no mass costs
    -log eps instead of inf; ``eps=0`` is the exact value). Shapes: broadcastable ``(..., K)`` -> ``(...)``.

    >>> round(float(cross_entropy(torch.tensor([1.0, 0.0]), torch.tensor([0.5, 0.5]))), 6)  # ln 2
    0.693147
    """
    return -torch.xlogy(p, q.clamp_min(eps)).sum(dim)


def kl_divergence(p: Tensor, q: Tensor, dim: int = -1, eps: float = EPS) -> Tensor:
    r"""KL(p ‖ q) = Σ_i p_i log(p_i / q_i) = H(p, q) - H(p) along ``dim``, 0 log 0 = 0, ``q`` floored at ``eps``
    as in :func:`cross_entropy`.

    >>> round(float(kl_divergence(torch.tensor([1.0, 0.0]), torch.tensor([0.5, 0.5]))), 6)  # ln 2
    0.693147
    """
    return cross_entropy(p, q, dim=dim, eps=eps) - entropy(p, dim=dim)
