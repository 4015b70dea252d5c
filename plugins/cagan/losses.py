r"""CA-GAN and the AC-GAN family as pure loss functions (Cho & Yoon, IEEE Access; equation numbers of that text).

Shapes: ``B`` batch, ``K`` conditions (the width of a condition vector, see :class:`condgan.conditions.ConditionSpec`).
Every adversarial term is parametrised by a loss family from :mod:`condgan.builtins.adversarial`
(an :class:`~condgan.builtins.adversarial.AdversarialLoss` holding the elementwise f_r^d, f_g^d and f^g); least
squares is the paper's choice and the default here.

Reductions over the batch (``reduction``):

* ``"mean"``  the expectation E[...] of the paper's equations (the default);
* ``"sum"``   what the authors' code does (per-sample losses handed to ``tape.gradient``, i.e. a sum over the batch);
* ``"none"``  per-sample values ``(B,)`` where the term is a per-sample quantity.

Conditional activation loss (Section 3)
---------------------------------------
Per-condition form, one GAN per condition c sharing all hidden layers (Eqs. 11-14)::

    L_d = Σ_c L_{d_c},   L_{d_c} = E_{x,c~P_r(x,c)}[f_r^d(D_c(x))] + E_{x'~P_{g_c}(x',1)}[f_g^d(D_c(x'))]
    L_g = Σ_c L_{g_c},   L_{g_c} = E_{x'~P_{g_c}(x',1)}[f^g(D_c(x'))]

Inner-product form (Eqs. 17-18)::

    L_d = E_{x,cnd}[f_r^d(D(x)) · cnd] + E_{x',cnd'}[f_g^d(D(x')) · cnd'],   L_g = E_{x',cnd'}[f^g(D(x')) · cnd']

The two agree when the expectation in Eq. 13 runs over the joint P_r(x, c) restricted to samples having c (each
GAN c weighted by how often c occurs), which is how :func:`per_condition_d_losses` reads it; the property tests
check the identity for every family (``tests/properties/test_cagan.py``).

AC-GAN (Section 2)
------------------
Original AC-GAN (Eqs. 1-6): ``L_d = L_adv^d + L_cls^r + L_cls^g``, ``L_g = L_adv^g + L_cls^r + L_cls^g``.
Modified AC-GAN of StarGAN/AttGAN (Eqs. 7-10): ``L_d = L_adv^d + λ_cls L_cls^r``, ``L_g = L_adv^g + λ_cls L_cls^g``.
:func:`acgan_discriminator_loss` and :func:`acgan_generator_loss` cover both and the ablations of Figs. 9-12
(``cls_fake_in_d`` switches L_cls^g into D's loss; ``adv_weight = 0`` drops the adversarial loss).

>>> t = torch.tensor([[0.5, 2.0]]); c = torch.tensor([[1.0, 0.0]])
>>> float(conditional_activation_g_loss(t, c))   # (0.5 - 1)^2; the inactive condition contributes nothing
0.25
"""

from __future__ import annotations

from typing import Literal, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

from condgan.builtins.adversarial import FAMILIES, AdversarialLoss, least_squares

Reduction = Literal["mean", "sum", "none"]
ClassificationMode = Literal["softmax", "sigmoid"]

#: the paper's adversarial loss (LSGAN, a=0, b=c=1; Eqs. 15-16, 19-20)
LEAST_SQUARES: AdversarialLoss = least_squares()

__all__ = [
    "LEAST_SQUARES",
    "family",
    "reduce_batch",
    "conditional_activation_d_loss",
    "conditional_activation_g_loss",
    "conditional_activation_d_per_sample",
    "conditional_activation_g_per_sample",
    "per_condition_d_losses",
    "per_condition_g_losses",
    "lsgan_conditional_activation_d_loss",
    "lsgan_conditional_activation_g_loss",
    "classification_loss",
    "attribute_targets",
    "adversarial_d_loss",
    "adversarial_g_loss",
    "acgan_discriminator_loss",
    "acgan_generator_loss",
]


def family(name: str) -> AdversarialLoss:
    """The adversarial loss family called ``name`` (``minimax``, ``non_saturating``, ``least_squares``, ``hinge``,
    ``wasserstein``) with default parameters.

    >>> family("hinge").name
    'hinge'
    """
    if name not in FAMILIES:
        raise ValueError(f"unknown adversarial loss family {name!r}; choose one of {sorted(FAMILIES)}")
    factory, params_cls, _ = FAMILIES[name]
    return factory(params_cls(), None)


def reduce_batch(values: Tensor, reduction: Reduction = "mean") -> Tensor:
    """Reduce per-sample values ``(B,)`` over the batch: ``mean`` (the paper's E), ``sum`` (the authors' code) or
    ``none``.

    >>> reduce_batch(torch.tensor([1.0, 3.0]), "sum")
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
# Conditional activation loss: inner-product form (Eqs. 17-20)
# ---------------------------------------------------------------------------------------------------------------


def conditional_activation_d_per_sample(cond_real: Tensor, c_real: Tensor, cond_fake: Tensor, c_fake: Tensor,
                                        loss: AdversarialLoss = LEAST_SQUARES) -> tuple[Tensor, Tensor]:
    r"""Per-sample terms of Eq. 17: ``(f_r^d(D(x)) · cnd, f_g^d(D(x')) · cnd')``, shapes ``(B_r,)`` and ``(B_g,)``.

    Args:
        cond_real: ``(B_r, K)`` per-condition logits D(x) of real data (the ``cond`` head).
        c_real:    ``(B_r, K)`` condition vectors of the real data (binary; soft weights also work).
        cond_fake: ``(B_g, K)`` per-condition logits D(x') of generated data.
        c_fake:    ``(B_g, K)`` target condition vectors the generator received.
        loss:      the adversarial family (f_r^d, f_g^d, f^g).
    """
    real = (loss.d_real(cond_real) * c_real).sum(dim=1)
    fake = (loss.d_fake(cond_fake) * c_fake).sum(dim=1)
    return real, fake


def conditional_activation_d_loss(cond_real: Tensor, c_real: Tensor, cond_fake: Tensor, c_fake: Tensor,
                                  loss: AdversarialLoss = LEAST_SQUARES, reduction: Reduction = "mean") -> Tensor:
    r"""Discriminator's conditional activation loss, Eq. 17 (Eq. 19 with least squares):

    .. math:: L_d = E_{x,cnd}[f_r^d(D(x)) \cdot cnd] + E_{x',cnd'}[f_g^d(D(x')) \cdot cnd']

    Shapes: ``cond_real, c_real: (B_r, K)``, ``cond_fake, c_fake: (B_g, K)``; returns a scalar (``"mean"``/``"sum"``:
    the two expectations reduced separately and added) or, with ``"none"``, the concatenation ``(B_r + B_g,)`` of
    the per-sample terms. An inactive condition (cnd_k = 0) contributes neither loss nor gradient.

    >>> t = torch.tensor([[1.0, 0.3]]); f = torch.tensor([[0.5, 0.2]]); c = torch.tensor([[1.0, 0.0]])
    >>> float(conditional_activation_d_loss(t, c, f, c))   # (1-1)^2 + 0.5^2
    0.25
    """
    real, fake = conditional_activation_d_per_sample(cond_real, c_real, cond_fake, c_fake, loss)
    if reduction == "none":
        return torch.cat([real, fake])
    return reduce_batch(real, reduction) + reduce_batch(fake, reduction)


def conditional_activation_g_per_sample(cond_fake: Tensor, c_fake: Tensor,
                                        loss: AdversarialLoss = LEAST_SQUARES) -> Tensor:
    """Per-sample term of Eq. 18, ``f^g(D(x')) · cnd'``: ``(B_g,)``."""
    return (loss.g(cond_fake) * c_fake).sum(dim=1)


def conditional_activation_g_loss(cond_fake: Tensor, c_fake: Tensor, loss: AdversarialLoss = LEAST_SQUARES,
                                  reduction: Reduction = "mean") -> Tensor:
    r"""Generator's conditional activation loss, Eq. 18 (Eq. 20 with least squares):

    .. math:: L_g = E_{x',cnd'}[f^g(D(x')) \cdot cnd']

    Shapes: ``cond_fake, c_fake: (B, K)`` -> scalar (or ``(B,)`` with ``"none"``).

    >>> float(conditional_activation_g_loss(torch.tensor([[0.0, 0.0]]), torch.tensor([[1.0, 1.0]])))  # 2·(0-1)^2
    2.0
    """
    return reduce_batch(conditional_activation_g_per_sample(cond_fake, c_fake, loss), reduction)


def lsgan_conditional_activation_d_loss(cond_real: Tensor, c_real: Tensor, cond_fake: Tensor, c_fake: Tensor,
                                        reduction: Reduction = "mean") -> Tensor:
    r"""Eq. 19 written out: :math:`E[(D(x) - 1)^2 \cdot cnd] + E[D(x')^2 \cdot cnd']` (scalar; ``none`` not offered).

    >>> float(lsgan_conditional_activation_d_loss(torch.zeros(1, 2), torch.ones(1, 2), torch.ones(1, 2), torch.ones(1, 2)))
    4.0
    """
    real = ((cond_real - 1.0) ** 2 * c_real).sum(1)
    fake = (cond_fake ** 2 * c_fake).sum(1)
    return reduce_batch(real, reduction) + reduce_batch(fake, reduction)


def lsgan_conditional_activation_g_loss(cond_fake: Tensor, c_fake: Tensor, reduction: Reduction = "mean") -> Tensor:
    r"""Eq. 20 written out: :math:`E[(D(x') - 1)^2 \cdot cnd']`.

    >>> float(lsgan_conditional_activation_g_loss(torch.zeros(1, 3), torch.tensor([[1.0, 0.0, 1.0]])))
    2.0
    """
    return reduce_batch(((cond_fake - 1.0) ** 2 * c_fake).sum(1), reduction)


# ---------------------------------------------------------------------------------------------------------------
# Conditional activation loss: per-condition form (Eqs. 11-16)
# ---------------------------------------------------------------------------------------------------------------


def _check_sum_or_mean(reduction: str) -> None:
    if reduction not in ("mean", "sum"):
        raise ValueError(f"the per-condition form reduces to a scalar per GAN: reduction must be 'mean' or 'sum', "
                         f"not {reduction!r}")


def per_condition_d_losses(cond_real: Tensor, c_real: Tensor, cond_fake: Tensor, c_fake: Tensor,
                           loss: AdversarialLoss = LEAST_SQUARES, reduction: Reduction = "mean") -> Tensor:
    r"""The discriminator loss of each GAN c, Eq. 13 (Eq. 15 with least squares): a ``(K,)`` vector whose sum is
    L_d of Eq. 11.

    GAN c sees only the real samples that have condition c and only the generated samples whose target activated
    c (``c_real[:, c] == 1`` and ``c_fake[:, c] == 1``); every other sample is ignored by D_c. The expectation runs
    over the joint distribution, so with ``"mean"`` each GAN's sum is divided by the whole batch size (a GAN whose
    condition is rare contributes in proportion to its frequency). This is the literal reading used to verify the
    inner-product form (Eq. 17); it selects rows per condition (a loop over K, not over samples) and is meant for
    tests and inspection, not for training. Conditions must be binary.

    Shapes: ``cond_real, c_real: (B_r, K)``, ``cond_fake, c_fake: (B_g, K)`` -> ``(K,)``.

    >>> t = torch.tensor([[1.0, 0.0], [0.0, 0.0]]); c = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    >>> per_condition_d_losses(t, c, t, c, reduction="sum")   # GAN 0: (1-1)^2 + 1^2; GAN 1: (0-1)^2 + 0^2
    tensor([1., 1.])
    """
    _check_sum_or_mean(reduction)
    n_real = cond_real.new_tensor(float(len(cond_real)) if reduction == "mean" else 1.0)
    n_fake = cond_fake.new_tensor(float(len(cond_fake)) if reduction == "mean" else 1.0)
    out = []
    for k in range(cond_real.shape[1]):
        real_k = cond_real[c_real[:, k] > 0.5, k]  # D_c(x) for real x having condition c
        fake_k = cond_fake[c_fake[:, k] > 0.5, k]  # D_c(x') for x' ~ P_{g_c}(x', 1)
        out.append(loss.d_real(real_k).sum() / n_real + loss.d_fake(fake_k).sum() / n_fake)
    return torch.stack(out)


def per_condition_g_losses(cond_fake: Tensor, c_fake: Tensor, loss: AdversarialLoss = LEAST_SQUARES,
                           reduction: Reduction = "mean") -> Tensor:
    r"""The generator loss of each GAN c, Eq. 14 (Eq. 16 with least squares): ``(K,)``; its sum is L_g of Eq. 12.

    >>> per_condition_g_losses(torch.tensor([[0.0, 3.0]]), torch.tensor([[1.0, 0.0]]))
    tensor([1., 0.])
    """
    _check_sum_or_mean(reduction)
    n_fake = cond_fake.new_tensor(float(len(cond_fake)) if reduction == "mean" else 1.0)
    return torch.stack([loss.g(cond_fake[c_fake[:, k] > 0.5, k]).sum() / n_fake for k in range(cond_fake.shape[1])])


# ---------------------------------------------------------------------------------------------------------------
# AC-GAN family (Eqs. 1-10)
# ---------------------------------------------------------------------------------------------------------------


def attribute_targets(c: Tensor, slices: Sequence[slice]) -> Tensor:
    """Binary-attribute targets for a sigmoid/BCE classifier: the first column of each ``[a, not-a]`` group.

    ``c: (B, K)`` with every group of size 2 -> ``(B, A)``, A = number of groups (the authors' AC-GAN baseline on
    CelebA uses A sigmoid outputs).

    >>> attribute_targets(torch.tensor([[1.0, 0.0, 0.0, 1.0]]), (slice(0, 2), slice(2, 4)))
    tensor([[1., 0.]])
    """
    for s in slices:
        if s.stop - s.start != 2:
            raise ValueError("attribute_targets needs binary groups [a, not-a] (size 2 each)")
    return c[:, [s.start for s in slices]]


def classification_loss(logits: Tensor, target: Tensor, slices: Sequence[slice] | None = None,
                        mode: ClassificationMode = "softmax", reduction: Reduction = "mean") -> Tensor:
    r"""The auxiliary classifier's cross-entropy -log D_cls(cnd | x), Eqs. 3-4 and 9-10.

    * ``mode="softmax"``: one softmax per group of mutually exclusive conditions (``slices``; default one group
      over all K columns); the loss of a sample is the sum over groups of -Σ_k cnd_k log softmax(l_group)_k.
      ``logits, target: (B, K)``; targets may be soft.
    * ``mode="sigmoid"``: independent binary conditions (multi-label): Σ_j BCE(σ(l_j), cnd_j).
      ``logits, target: (B, A)``; ``slices`` is ignored (use :func:`attribute_targets` to turn ``[a, not-a]``
      groups into A targets).

    Returns a scalar, or ``(B,)`` with ``"none"``.

    >>> l = torch.tensor([[2.0, 0.0]]); y = torch.tensor([[1.0, 0.0]])
    >>> round(float(classification_loss(l, y)), 4)   # -log softmax(l)_0 = log(1 + e^-2)
    0.1269
    """
    if mode == "softmax":
        if slices is None:
            slices = (slice(0, logits.shape[1]),)
        per_sample = sum(-(target[:, s] * F.log_softmax(logits[:, s], dim=1)).sum(dim=1) for s in slices)
    elif mode == "sigmoid":
        per_sample = F.binary_cross_entropy_with_logits(logits, target, reduction="none").sum(dim=1)
    else:
        raise ValueError(f"mode must be 'softmax' or 'sigmoid', not {mode!r}")
    return reduce_batch(per_sample, reduction)


def adversarial_d_loss(adv_real: Tensor, adv_fake: Tensor, loss: AdversarialLoss,
                       reduction: Reduction = "mean") -> Tensor:
    r"""L_adv^d of Eq. 5 for any family: :math:`E_r[f_r^d(D_{adv}(x))] + E_g[f_g^d(D_{adv}(x'))]`.

    With ``family("minimax")`` this is Eq. 5 literally (-log D(x) - log(1 - D(x'))). Shapes ``(B_r,)``, ``(B_g,)``.

    >>> round(float(adversarial_d_loss(torch.zeros(2), torch.zeros(2), family("minimax"))), 4)  # 2 log 2
    1.3863
    """
    if reduction == "none":
        return torch.cat([loss.d_real(adv_real), loss.d_fake(adv_fake)])
    return reduce_batch(loss.d_real(adv_real), reduction) + reduce_batch(loss.d_fake(adv_fake), reduction)


def adversarial_g_loss(adv_fake: Tensor, loss: AdversarialLoss, reduction: Reduction = "mean") -> Tensor:
    r"""L_adv^g of Eq. 6 for any family: :math:`E_g[f^g(D_{adv}(x'))]` (``minimax``: log(1 - D(x')), as printed).

    >>> float(adversarial_g_loss(torch.tensor([1.0]), LEAST_SQUARES))
    0.0
    """
    return reduce_batch(loss.g(adv_fake), reduction)


def acgan_discriminator_loss(l_adv_d: Tensor, l_cls_r: Tensor, l_cls_g: Tensor | None = None, *,
                             lambda_cls: float = 1.0, adv_weight: float = 1.0,
                             cls_fake_in_d: bool = True) -> Tensor:
    r"""D's loss of the AC-GAN family.

    * original AC-GAN, Eq. 1: ``λ_cls = 1``, ``cls_fake_in_d = True``: L_adv^d + L_cls^r + L_cls^g;
    * modified AC-GAN (StarGAN/AttGAN), Eq. 7: ``cls_fake_in_d = False``: L_adv^d + λ_cls L_cls^r;
    * Fig. 12 blue curve: ``cls_fake_in_d = True`` with λ_cls: L_adv^d + λ_cls (L_cls^r + L_cls^g);
    * Figs. 9-11 (no adversarial loss): ``adv_weight = 0``: L_d = L_cls^r (Fig. 9) or L_cls^r + L_cls^g (Fig. 10).

    All inputs are scalars (or broadcastable per-sample tensors).

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
    r"""G's loss of the AC-GAN family.

    * original AC-GAN, Eq. 2: L_adv^g + L_cls^r + L_cls^g (pass ``l_cls_r``; it carries no gradient to G, the
      paper's remark under Eq. 6, so leaving it out changes the value but not the update);
    * modified AC-GAN, Eq. 8: L_adv^g + λ_cls L_cls^g;
    * Figs. 9-11: ``adv_weight = 0``: L_g = L_cls^g.

    >>> float(acgan_generator_loss(torch.tensor(1.0), torch.tensor(2.0), lambda_cls=3.0))
    7.0
    """
    cls = l_cls_g if l_cls_r is None else l_cls_g + l_cls_r
    out = lambda_cls * cls
    return out + adv_weight * l_adv_g if adv_weight else out
