r"""P2GAN (Han et al., "Dual Projection Generative Adversarial Networks for Conditional Image Generation", ICCV 2021)
as pure functions.

P2GAN ties the two ways a discriminator uses labels. Two classifiers on D's features φ, C^p(y|x) = softmax(V^pφ + b^p)
trained on real data and C^q(y|x) = softmax(V^qφ + b^q) trained on generated data (TAC-GAN's twin), give the label
matching terms; their embeddings, projected, give the data matching logit, a projection discriminator whose class
embedding is the difference v_y = v^p_y − v^q_y:

=================================================  =====================================================  ==========
quantity                                           formula                                                function
=================================================  =====================================================  ==========
dual projection logit (data matching)              D(x, y) = ψ(φ) + (v^p_y − v^q_y)ᵀφ + b^p_y − b^q_y       :func:`dual_projection_logit`
label matching, real / generated                   −log C^p(y|x),  −log C^q(y|G(z, y))                    :func:`label_matching_loss`
P2GAN's discriminator loss                         data + w_l · label (summed, per sample)                :func:`p2gan_mix` (``lam = None``)
P2GAN-w: the learned per-sample balance            (1 − λ(x)) · data + λ(x) · w_l · label                 :func:`p2gan_mix`
λ's penalty (authors' ``ap-sigmoid``)              −log λ − log(1 − λ) = −log σ(s) − log σ(−s)            :func:`weight_penalty`
=================================================  =====================================================  ==========

Why the difference of embeddings (P2GAN Sec. 3, the projection paper's decomposition): with log-linear C^p and C^q,
log C^p(y|x) − log C^q(y|x) = (v^p_y − v^q_y)ᵀφ + (b^p_y − b^q_y) + (an x-only term that ψ absorbs), so the dual
projection logit holds the log-ratio of the two class posteriors; training C^p and C^q by classification aligns
P(class|image) (label matching) while the adversarial loss on the logit aligns P(image|class) (data matching).
The property tests check the identity and that :func:`p2gan_mix` at λ = 0 and λ = 1 is exactly its data and its
label part.

The equation numbers of the ICCV paper are not cited here: its text is not in the project's papers folder, and the
formulas follow the authors' code (phymhan/PyTorch-StudioGAN, ``src/models/big_resnet2.py`` and ``src/worker.py``
with ``conditional_strategy = "P2GAN"``), which docs/papers/p2gan.md maps line by line.

>>> psi = torch.tensor([0.5]); p = torch.tensor([[1.0, 2.0]]); q = torch.tensor([[0.5, 0.5]])
>>> float(dual_projection_logit(psi, p, q, torch.tensor([[0.0, 1.0]])))  # 0.5 + 2 - 0.5
2.0
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from condgan.losses import selected_logit

__all__ = ["dual_projection_logit", "label_matching_loss", "p2gan_mix", "weight_penalty"]


def dual_projection_logit(psi: Tensor, logits_p: Tensor, logits_q: Tensor, c: Tensor) -> Tensor:
    r"""D(x, y) = ψ(φ) + ⟨V^pφ + b^p − (V^qφ + b^q), c⟩ = ψ(φ) + (v^p_y − v^q_y)ᵀφ + b^p_y − b^q_y.

    Args:
        psi: ``(B,)`` ψ(φ) (the ``adv`` head); logits_p / logits_q: ``(B, K)`` the real-data and the generated-data
            classifiers' logits (the ``cls`` and ``twin`` heads); c: ``(B, K)`` one-hot conditions.
    Returns:
        ``(B,)`` logits.
    """
    return psi + selected_logit(logits_p - logits_q, c)


def label_matching_loss(logits: Tensor, y: Tensor) -> Tensor:
    """−log softmax(logits)[y] per sample: C^p on real data or C^q on generated data. ``(B, K), (B,) -> (B,)``."""
    return F.cross_entropy(logits, y.long(), reduction="none")


def p2gan_mix(data: Tensor, label: Tensor, lam: Tensor | None = None, label_weight: float = 1.0) -> Tensor:
    r"""The per-sample discriminator loss of P2GAN (``lam = None``): data + w_l · label, or of P2GAN-w:
    (1 − λ) · data + λ · w_l · label with λ ∈ [0, 1] per sample (the authors' ``ap-sigmoid``: λ = σ(s(φ)) on D's
    detached features).

    Args:
        data: ``(B,)`` the adversarial (data matching) loss of each sample under the dual projection logit.
        label: ``(B,)`` its label matching loss (:func:`label_matching_loss`).
        lam: ``(B,)`` or scalar weights in [0, 1], or None (P2GAN: no weighting).
        label_weight: w_l (the authors' ``lambda_mi_weight``, 1).
    Returns:
        ``(B,)`` losses.
    """
    if lam is None:
        return data + label_weight * label
    return (1.0 - lam) * data + lam * label_weight * label


def weight_penalty(s: Tensor) -> Tensor:
    r"""−log σ(s) − log σ(−s) = −log λ − log(1 − λ) for λ = σ(s): the authors' penalty that keeps the learned
    weight away from 0 and 1 (minimum 2 log 2 at λ = ½). Elementwise."""
    return -(F.logsigmoid(s) + F.logsigmoid(-s))
