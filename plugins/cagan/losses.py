r"""CA-GAN's conditional activation loss as pure functions (Cho & Yoon, IEEE Access; equation numbers of that text).

Shapes: ``B`` batch, ``K`` conditions (the width of a condition vector, see :class:`condgan.conditions.ConditionSpec`).
Every adversarial term is parametrised by a loss family of :mod:`condgan.losses` (an
:class:`~condgan.losses.AdversarialLoss` holding the elementwise f_r^d, f_g^d and f^g); least squares is the
paper's choice and the default here.

Reductions over the batch (``reduction``, :func:`condgan.losses.reduce`):

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
These terms are shared by every paper, so they live in :mod:`condgan.losses` (``classification_loss``,
``attribute_targets``, ``adversarial_d_loss``, ``adversarial_g_loss``, ``acgan_discriminator_loss``,
``acgan_generator_loss``; ``cls_fake_in_d`` switches L_cls^g into D's loss, ``adv_weight = 0`` drops the adversarial
loss, the ablations of Figs. 9-12), and the objective is core's ``core.ac_gan``; this plugin registers the paper's
variants (``cagan.ac_gan``, ``cagan.modified_ac_gan``) with the paper's defaults.

>>> t = torch.tensor([[0.5, 2.0]]); c = torch.tensor([[1.0, 0.0]])
>>> float(conditional_activation_g_loss(t, c))   # (0.5 - 1)^2; the inactive condition contributes nothing
0.25
"""

from __future__ import annotations

import warnings

import torch
from torch import Tensor

from condgan.losses import AdversarialLoss, Reduction, family, reduce

#: the paper's adversarial loss (LSGAN, a=0, b=c=1; Eqs. 15-16, 19-20)
LEAST_SQUARES: AdversarialLoss = family("least_squares")

__all__ = [
    "LEAST_SQUARES",
    "family",
    "conditional_activation_d_loss",
    "conditional_activation_g_loss",
    "conditional_activation_d_per_sample",
    "conditional_activation_g_per_sample",
    "per_condition_d_losses",
    "per_condition_g_losses",
    "lsgan_conditional_activation_d_loss",
    "lsgan_conditional_activation_g_loss",
]


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
    return reduce(real, reduction) + reduce(fake, reduction)


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
    return reduce(conditional_activation_g_per_sample(cond_fake, c_fake, loss), reduction)


def lsgan_conditional_activation_d_loss(cond_real: Tensor, c_real: Tensor, cond_fake: Tensor, c_fake: Tensor,
                                        reduction: Reduction = "mean") -> Tensor:
    r"""Eq. 19 written out: :math:`E[(D(x) - 1)^2 \cdot cnd] + E[D(x')^2 \cdot cnd']` (scalar; ``none`` not offered).

    >>> float(lsgan_conditional_activation_d_loss(torch.zeros(1, 2), torch.ones(1, 2), torch.ones(1, 2), torch.ones(1, 2)))
    4.0
    """
    real = ((cond_real - 1.0) ** 2 * c_real).sum(1)
    fake = (cond_fake ** 2 * c_fake).sum(1)
    return reduce(real, reduction) + reduce(fake, reduction)


def lsgan_conditional_activation_g_loss(cond_fake: Tensor, c_fake: Tensor, reduction: Reduction = "mean") -> Tensor:
    r"""Eq. 20 written out: :math:`E[(D(x') - 1)^2 \cdot cnd']`.

    >>> float(lsgan_conditional_activation_g_loss(torch.zeros(1, 3), torch.tensor([[1.0, 0.0, 1.0]])))
    2.0
    """
    return reduce(((cond_fake - 1.0) ** 2 * c_fake).sum(1), reduction)


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


#: moved to condgan.losses (the terms every AC-GAN-like objective shares); the old names work for one release
_MOVED = {"reduce_batch": "reduce", "classification_loss": "classification_loss", "attribute_targets": "attribute_targets",
          "adversarial_d_loss": "adversarial_d_loss", "adversarial_g_loss": "adversarial_g_loss",
          "acgan_discriminator_loss": "acgan_discriminator_loss", "acgan_generator_loss": "acgan_generator_loss"}


def __getattr__(name: str):
    if name not in _MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(f"{__name__}.{name} moved to condgan.losses.{_MOVED[name]}; the old name goes in the next release",
                  DeprecationWarning, stacklevel=2)
    import condgan.losses

    return getattr(condgan.losses, _MOVED[name])
