r"""ADC-GAN (Hou et al., "Conditional GANs with Auxiliary Discriminative Classifier", ICML 2022) as pure functions.

The auxiliary *discriminative* classifier C_d has 2K outputs: the class y of real data (y⁺) and the class y of
generated data (y⁻). Like the authors' code (liang-hou/adcgan, ``BigGAN-PyTorch/train_fns.py``) the outputs are
interleaved: y⁺ is output ``2y`` and y⁻ is output ``2y + 1`` (:func:`adc_index`); any fixed assignment is the same
classifier up to a permutation of its output layer.

===================================================  ===================================================  ==========
quantity                                             formula                                              function
===================================================  ===================================================  ==========
C_d's loss, real data (D side)                       −log C_d(y⁺ | x),  x ~ P_{X|y}                        :func:`adc_discriminator_loss` (generated=False)
C_d's loss, generated data (D side)                  −log C_d(y⁻ | G(z, y))                               :func:`adc_discriminator_loss` (generated=True)
G's classifier term                                  −log C_d(y⁺ | G(z, y)) + log C_d(y⁻ | G(z, y))        :func:`adc_generator_loss`
                                                     = o_{2y+1} − o_{2y}  (the log-partition cancels)
the discriminator C_d implies                        Σ_k C_d(k⁺ | x) (= p/(p+q) at the optimum)            :func:`adc_real_probability`
===================================================  ===================================================  ==========

At the optimal C_d, C_d(y⁺|x) = p(x, y)/(p(x) + q(x)) and C_d(y⁻|x) = q(x, y)/(p(x) + q(x)) (equal numbers of real
and generated samples), so G's classifier term has the expectation KL(Q_{X,Y} ‖ P_{X,Y}) over generated pairs: the
classifier is generator-aware and drives joint matching; AC-GAN's K-way classifier only matches P(y|x). Restricted
to the K real-class outputs (generated-class logits at −∞) the D-side loss is AC-GAN's cross-entropy on real data.
The property tests check each of these statements.

>>> logits = torch.tensor([[0.0, 1.0, 3.0, 0.5]])  # K = 2: [0+, 0-, 1+, 1-]
>>> float(adc_generator_loss(logits, torch.tensor([1])))  # o_3 - o_2
-2.5
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ["adc_index", "adc_discriminator_loss", "adc_generator_loss", "adc_real_probability"]


def adc_index(y: Tensor, generated: bool) -> Tensor:
    """The C_d output of class ``y``: ``2y`` for real data (y⁺), ``2y + 1`` for generated data (y⁻). ``(B,)`` long."""
    return 2 * y.long() + int(bool(generated))


def adc_discriminator_loss(logits: Tensor, y: Tensor, generated: bool) -> Tensor:
    r"""−log C_d(y⁺|x) on real data or −log C_d(y⁻|x) on generated data, per sample: C_d's 2K-way cross-entropy.

    Args:
        logits: ``(B, 2K)`` outputs of C_d (interleaved, see :func:`adc_index`).
        y: ``(B,)`` integer classes in ``[0, K)``.
        generated: whether the rows are generated data (target y⁻) or real data (target y⁺).
    Returns:
        ``(B,)`` losses (no reduction).
    """
    return F.cross_entropy(logits, adc_index(y, generated), reduction="none")


def adc_generator_loss(logits: Tensor, y: Tensor) -> Tensor:
    r"""G's classifier term on generated data, per sample: −log C_d(y⁺|G(z, y)) + log C_d(y⁻|G(z, y)).

    G pulls its samples toward the real class y⁺ and away from the generated class y⁻ (the authors' code: the
    cross-entropy to ``2y`` minus the cross-entropy to ``2y + 1``). The softmax's normaliser cancels, so the value
    is the logit difference o_{2y+1} − o_{2y}.

    Args:
        logits: ``(B, 2K)`` outputs of C_d on generated data; y: ``(B,)`` the classes G was asked for.
    Returns:
        ``(B,)`` losses (no reduction).
    """
    return adc_discriminator_loss(logits, y, generated=False) - adc_discriminator_loss(logits, y, generated=True)


def adc_real_probability(logits: Tensor) -> Tensor:
    r"""Σ_k C_d(k⁺|x): the probability C_d gives to "real" (any class). ``(B, 2K) -> (B,)``."""
    return torch.softmax(logits, dim=1)[:, 0::2].sum(1)
