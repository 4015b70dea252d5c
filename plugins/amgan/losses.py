r"""AM-GAN, LabelGAN and the AC-GAN* family as pure functions of logits (Zhou et al., "AM-GAN", ICLR 2018).

Notation (shapes: B = batch, K = real classes):

* ``logits: (B, K+1)`` — the K+1-way discriminator of LabelGAN / AM-GAN, fake class **last**. D(x) = softmax(logits).
  The authors' reproduce code has no learned fake logit: it is fixed to 0 (:func:`kplus1_logits` appends it), so
  D_r = Σ_k D_k = σ(LSE(l_{1:K})) and the 2-way softmax [LSE(l_{1:K}), 0] is exactly [D_r, D_{K+1}]
  (reference note §2.1). Their refactored code learns the fake logit; pass it to :func:`kplus1_logits`.
* ``adv: (B,)`` — the real-vs-fake logit of a sigmoid discriminator (GAN, GAN*, AC-GAN*): D_r = σ(adv), which is
  the code's separate real logit against a fixed 0 fake logit.
* ``cls: (B, K)`` — an auxiliary classifier's logits, C(x) = softmax(cls) (AC-GAN*), or the K class logits of a
  K+1 head (their softmax is R(D(x)), Lemma 2).
* targets are probability vectors ``(B, K)`` (one-hot u(y) for a label y) or ``(B, K+1)`` (v(y)).
* H(p̂, q) = -Σ p̂ log q, the cross-entropy; all logs natural.

================================  ====================================================================  ============
function                          loss                                                                   paper
================================  ====================================================================  ============
:func:`soft_cross_entropy`        H(p̂, softmax(l)); its negative gradient is p̂ - softmax(l)              Lemma 1, Eq. 10
:func:`lemma2_terms`              H(p̂,p) = p̂_r H(R(p̂),R(p)) + H(F(p̂),F(p))                              Lemma 2, Eq. 16
:func:`kplus1_discriminator_loss` H(v(y), D(x_real)) + H(v(K+1), D(x_fake))                              Eqs. 3, 5, 15
:func:`labelgan_generator_loss`   H([1,0], [D_r, D_{K+1}]) = -log D_r                                    Eqs. 2, 4, 18
:func:`amgan_generator_loss`      H(v(y), D(x)) = H(u(y), R(D)) + H([1,0], F(D))                         Eqs. 14, 17
:func:`gan_discriminator_loss`    H([1,0], [D_r, D_f]) on real + H([0,1], [D_r, D_f]) on fake            Eqs. 1, 8
:func:`gan_generator_loss`        -log D_r, or log(1 - D_r); label-smoothed forms                        Eqs. 6, 25, 28
:func:`acgan_generator_loss`      gan term + w · H(u(y), C(x))                                           Eqs. 6-7, 19
:func:`auxiliary_classifier_loss` H(u(y), C(x))                                                          Eqs. 7, 9
:func:`uniform_classifier_loss`   H(u(·), C(x_fake)) (AC-GAN*+)                                          Eq. 20
:func:`dynamic_target`            one-hot(argmax_k D_k(x)), no gradient                                  Sec. 5.1
:func:`semi_supervised_loss`      H(v(x), D(x)) on unlabeled real data                                   App. C Eq. 34
:func:`reference_marginal_loss`   H(p_ref, R(E_x[D(x)]))                                                 App. C Eq. 35
================================  ====================================================================  ============

Label smoothing (Appendix A, Eq. 24): the discriminator's 2-class targets become [λ₁, 1-λ₁] on fake and
[1-λ₂, λ₂] on real (one-sided: λ₁ = 0). In the K+1 model the smoothed mass of a fake sample goes to the K real
classes uniformly (Appendix B, Eq. 33), and ``class_smoothing`` smooths the K-class part of a real target (the
code's ``fkSmoothed``). The authors' reported runs use no smoothing (reference note §2.4), so every default is 0.

Every loss takes ``reduction`` in {"mean", "sum", "none"} (default "mean" over the batch; :func:`condgan.losses.reduce`).
The cross-entropy H(p̂, softmax(l)) and the AC-GAN generator's combination are condgan's shared
:func:`condgan.losses.class_cross_entropy` and :func:`condgan.losses.acgan_generator_loss`: :func:`soft_cross_entropy`
and :func:`auxiliary_classifier_loss` are the paper's names for the first.

>>> import torch
>>> l = kplus1_logits(torch.zeros(2, 3))           # K = 3 class logits, fake logit fixed to 0
>>> l.shape
torch.Size([2, 4])
>>> round(float(labelgan_generator_loss(l)), 4)    # D_r = 3/4, so -log(3/4)
0.2877
"""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor

from condgan import losses as CL
from condgan.losses import Reduction

__all__ = [
    "Lemma2Terms",
    "acgan_generator_loss",
    "amgan_auxiliary_term",
    "amgan_generator_loss",
    "auxiliary_classifier_loss",
    "binary_cross_entropy",
    "binary_logit",
    "dynamic_target",
    "fold_real_fake",
    "gan_discriminator_loss",
    "gan_generator_loss",
    "hierarchical_probs",
    "kplus1_discriminator_loss",
    "kplus1_logits",
    "kplus1_target",
    "labelgan_generator_loss",
    "lemma2_terms",
    "real_logit",
    "reference_marginal_loss",
    "restrict_real",
    "semi_supervised_loss",
    "smooth_classes",
    "soft_cross_entropy",
    "uniform_classifier_loss",
]


# ------------------------------------------------------------------------------------------------ the K+1 head

def kplus1_logits(class_logits: Tensor, fake_logit: Tensor | None = None) -> Tensor:
    r"""Assemble the K+1 logits ``(B, K+1)`` from K class logits ``(B, K)`` and a fake logit.

    ``fake_logit=None`` fixes l_{K+1} = 0, as the authors' reproduce code does (``FAKE_LOGIT=False``); a ``(B,)``
    or ``(B, 1)`` tensor is a learned fake logit (their refactored 11-logit head).

    >>> kplus1_logits(torch.tensor([[1.0, 2.0]]))
    tensor([[1., 2., 0.]])
    """
    if fake_logit is None:
        fake = class_logits.new_zeros(class_logits.shape[:-1] + (1,))
    else:
        fake = fake_logit.reshape(class_logits.shape[:-1] + (1,))
    return torch.cat([class_logits, fake], dim=-1)


def real_logit(class_logits: Tensor) -> Tensor:
    r"""l_r = LSE(l_1, ..., l_K): the overall real logit of a K+1 head, ``(B, K) -> (B,)`` (reference note §2.1).

    softmax([l_r, l_{K+1}]) = [D_r, D_{K+1}] with D_r = Σ_k D_k.
    """
    return torch.logsumexp(class_logits, dim=-1)


def binary_logit(logits: Tensor) -> Tensor:
    r"""log(D_r / D_{K+1}) = LSE(l_{1:K}) - l_{K+1}, ``(B, K+1) -> (B,)``: σ of it is D_r.

    The 2-class view F(D(x)) = [D_r, D_{K+1}] of Lemma 2 as a single logit.
    """
    return real_logit(logits[..., :-1]) - logits[..., -1]


# ------------------------------------------------------------------------------------------ cross-entropy pieces

#: H(p̂, softmax(l)) = -Σ_i p̂_i log softmax(l)_i for a target distribution p̂ (Lemma 1, Eq. 10); its negative gradient
#: in ``l`` is p̂ - softmax(l). ``logits (B, n)``, ``target (B, n)`` or ``(n,)`` -> ``(B,)`` or reduced.
soft_cross_entropy = CL.class_cross_entropy


def binary_cross_entropy(t: Tensor, target_real: Tensor | float, reduction: Reduction = "mean") -> Tensor:
    r"""H([a, 1-a], [σ(t), 1-σ(t)]) = a·softplus(-t) + (1-a)·softplus(t), the 2-class cross-entropy.

    ``t (B,)`` is log(D_r / D_f); ``target_real`` = a is the target's real probability (1 for real, 0 for fake,
    smoothed values per Appendix A Eq. 24).

    >>> round(float(binary_cross_entropy(torch.zeros(1), 1.0)), 4)    # -log(1/2)
    0.6931
    """
    return CL.reduce(target_real * F.softplus(-t) + (1.0 - target_real) * F.softplus(t), reduction)


def smooth_classes(target: Tensor, smoothing: float) -> Tensor:
    r"""(1 - ε) p̂ + ε/K: K-class label smoothing of a ``(B, K)`` target (the code's ``fkSmoothed``)."""
    if smoothing == 0.0:
        return target
    return (1.0 - smoothing) * target + smoothing / target.shape[-1]


def kplus1_target(class_target: Tensor, real_mass: float | Tensor = 1.0) -> Tensor:
    r"""v = [m · p̂_{1:K}, 1 - m]: a K+1 target with real mass m spread as ``class_target (B, K)``.

    m = 1 and one-hot p̂ give v(y) (Sec. 2.1); a uniform p̂ with m = λ₁ gives the smoothed fake target of
    Appendix B Eq. 33.

    >>> kplus1_target(torch.tensor([[0.0, 1.0]]), 0.9)
    tensor([[0.0000, 0.9000, 0.1000]])
    """
    m = torch.as_tensor(real_mass, dtype=class_target.dtype, device=class_target.device)
    m = m.reshape(m.shape + (1,) * (class_target.dim() - m.dim())) if m.dim() else m
    rest = (1.0 - m) * torch.ones_like(class_target[..., :1])
    return torch.cat([m * class_target, rest], dim=-1)


def restrict_real(p: Tensor) -> Tensor:
    r"""R(p) = p_{1:K} / p_r with p_r = Σ_{k≤K} p_k (Lemma 2), ``(..., K+1) -> (..., K)``."""
    return p[..., :-1] / p[..., :-1].sum(-1, keepdim=True)


def fold_real_fake(p: Tensor) -> Tensor:
    r"""F(p) = [p_r, p_{K+1}] (Lemma 2), ``(..., K+1) -> (..., 2)``."""
    return torch.stack([p[..., :-1].sum(-1), p[..., -1]], dim=-1)


class Lemma2Terms(NamedTuple):
    """The two terms of Lemma 2: ``classifier = p̂_r H(R(p̂), R(p))`` and ``real_fake = H(F(p̂), F(p))``."""

    classifier: Tensor
    real_fake: Tensor


def lemma2_terms(target: Tensor, logits: Tensor) -> Lemma2Terms:
    r"""Cross-entropy decomposition (Lemma 2, Eq. 16), per sample, from K+1 logits:

    H(p̂, D(x)) = p̂_r · H(R(p̂), R(D(x))) + H(F(p̂), F(D(x))).

    R(D(x)) = softmax(l_{1:K}) and F(D(x)) = [σ(t), 1 - σ(t)] with t = :func:`binary_logit`, so each term is
    computed without forming D(x). Shapes: ``target (B, K+1)`` on the simplex, ``logits (B, K+1)`` -> two ``(B,)``.
    A zero p̂_r gives a zero classifier term.
    """
    p_r = target[..., :-1].sum(-1)
    r_target = target[..., :-1] / p_r.clamp_min(torch.finfo(target.dtype).tiny).unsqueeze(-1)
    classifier = p_r * soft_cross_entropy(logits[..., :-1], r_target, reduction="none")
    real_fake = binary_cross_entropy(binary_logit(logits), p_r, reduction="none")
    return Lemma2Terms(classifier, real_fake)


def hierarchical_probs(adv: Tensor, cls: Tensor) -> Tensor:
    r"""[D_r(x) · C(x), D_f(x)]: AC-GAN*'s K+1 distribution as a hierarchical model (Eq. 19), ``(B,), (B, K) -> (B, K+1)``.

    D_r = σ(adv), D_f = 1 - D_r, C(x) = softmax(cls).
    """
    d_r = torch.sigmoid(adv).unsqueeze(-1)
    return torch.cat([d_r * torch.softmax(cls, dim=-1), 1.0 - d_r], dim=-1)


# -------------------------------------------------------------------------------------------------- labeling

def dynamic_target(class_logits: Tensor, sharpness: float = 0.0) -> Tensor:
    r"""Dynamic labeling (Sec. 5.1): y(x) = argmax_{k≤K} D_k(x) as a one-hot ``(B, K)`` target, with no gradient.

    ``class_logits (B, K)`` are the current discriminator's K class logits for the very samples being scored
    (for AC-GAN*: the auxiliary classifier's). argmax of D_k equals argmax of l_k, so no softmax is needed.
    ``sharpness > 0`` gives the code's soft option softmax(sharpness · l) (``sharp_pow``; default 0 = argmax).

    >>> dynamic_target(torch.tensor([[0.1, 2.0, -1.0]]))
    tensor([[0., 1., 0.]])
    """
    logits = class_logits.detach()
    if sharpness > 0.0:
        return torch.softmax(sharpness * logits, dim=-1)
    return F.one_hot(logits.argmax(-1), logits.shape[-1]).to(logits.dtype)


# ---------------------------------------------------------------------------------------------- discriminators

def kplus1_discriminator_loss(
    logits_real: Tensor,
    target_real: Tensor,
    logits_fake: Tensor,
    *,
    real_smoothing: float = 0.0,
    fake_smoothing: float = 0.0,
    class_smoothing: float = 0.0,
    reduction: Reduction = "mean",
) -> Tensor:
    r"""LabelGAN / AM-GAN discriminator loss (Eqs. 3, 5, 15), summed over the real and the fake half:

    E_real[H(v(y), D(x))] + E_fake[H(v(K+1), D(x))].

    ``logits_real (B, K+1)``, ``target_real (B, K)`` the real labels u(y) (one-hot, or soft), ``logits_fake
    (B', K+1)``. Label smoothing (Appendix A Eq. 24; Appendix B Eq. 33): the real target becomes
    [(1-λ₂) · smooth(u(y)), λ₂] (λ₂ = ``real_smoothing``, smooth = :func:`smooth_classes` with
    ``class_smoothing``), the fake target [λ₁ · uniform, 1-λ₁] (λ₁ = ``fake_smoothing``).
    With the fake logit fixed to 0 this equals the code's CE([l_r,0],[1,0]) + CE([l_r,0],[0,1]) + CE(l_{1:K}, y)
    by Lemma 2. ``reduction="none"`` returns the per-sample real and fake losses concatenated.
    """
    K = logits_real.shape[-1] - 1
    t_real = kplus1_target(smooth_classes(target_real, class_smoothing), 1.0 - real_smoothing)
    uniform = logits_fake.new_full((logits_fake.shape[0], K), 1.0 / K)
    t_fake = kplus1_target(uniform, fake_smoothing)
    real = soft_cross_entropy(logits_real, t_real, reduction="none")
    fake = soft_cross_entropy(logits_fake, t_fake, reduction="none")
    if reduction == "none":
        return torch.cat([real, fake])
    return CL.reduce(real, reduction) + CL.reduce(fake, reduction)


def gan_discriminator_loss(
    adv_real: Tensor,
    adv_fake: Tensor,
    *,
    real_smoothing: float = 0.0,
    fake_smoothing: float = 0.0,
    reduction: Reduction = "mean",
) -> Tensor:
    r"""The 2-class discriminator loss (Eq. 1; Eq. 8): H([1,0], [D_r, D_f]) on real + H([0,1], [D_r, D_f]) on fake.

    ``adv_* (B,)`` are real-vs-fake logits. Label smoothing (Appendix A Eq. 24): targets [1-λ₂, λ₂] on real and
    [λ₁, 1-λ₁] on fake.

    >>> round(float(gan_discriminator_loss(torch.zeros(2), torch.zeros(2))), 4)   # 2 ln 2
    1.3863
    """
    real = binary_cross_entropy(adv_real, 1.0 - real_smoothing, reduction="none")
    fake = binary_cross_entropy(adv_fake, fake_smoothing, reduction="none")
    if reduction == "none":
        return torch.cat([real, fake])
    return CL.reduce(real, reduction) + CL.reduce(fake, reduction)


#: H(u(y), C(x)) with C(x) = softmax(cls) (Eq. 9 on real data; Eq. 7 in G; the original AC-GAN's term on fakes):
#: ``cls (B, K)``, ``target (B, K)`` -> per-sample cross-entropy, reduced. The class cross-entropy of condgan.losses.
auxiliary_classifier_loss = CL.class_cross_entropy


def uniform_classifier_loss(cls_fake: Tensor, reduction: Reduction = "mean") -> Tensor:
    r"""AC-GAN*+'s extra discriminator term (Eq. 20): H(u(·), C(x)) on generated x, u(·) uniform over K.

    It asks the auxiliary classifier to be uncertain on fakes (CatGAN's spirit), which makes the classifier take
    part in the adversarial game. Equal to -(1/K) Σ_k log C_k(x) ≥ log K.

    >>> round(float(uniform_classifier_loss(torch.zeros(1, 4))), 4)   # ln 4
    1.3863
    """
    return CL.reduce(-F.log_softmax(cls_fake, dim=-1).mean(-1), reduction)


# -------------------------------------------------------------------------------------------------- generators

def gan_generator_loss(
    t: Tensor, *, saturating: bool = False, smoothing: float = 0.0, reduction: Reduction = "mean"
) -> Tensor:
    r"""The 2-class generator loss on a real-vs-fake logit ``t (B,)`` (σ(t) = D_r).

    * ``saturating=False`` (default, and the paper's choice, Sec. 2.2): H([1-λ, λ], [D_r, D_f]) (Eq. 28); with
      λ = 0 it is -log D_r (Eqs. 1, 6). Its negative gradient in the real logit is (1-λ) - D_r (Eq. 29).
    * ``saturating=True``: -H([λ, 1-λ], [D_r, D_f]) (Eq. 25); with λ = 0 it is log(1 - D_r), the minimax
      generator. Its negative gradient in the real logit is D_r - λ (Eq. 26).

    >>> round(float(gan_generator_loss(torch.zeros(1))), 4), round(float(gan_generator_loss(torch.zeros(1), saturating=True)), 4)
    (0.6931, -0.6931)
    """
    if saturating:
        return CL.reduce(-binary_cross_entropy(t, smoothing, reduction="none"), reduction)
    return binary_cross_entropy(t, 1.0 - smoothing, reduction)


def labelgan_generator_loss(
    logits: Tensor, *, saturating: bool = False, smoothing: float = 0.0, reduction: Reduction = "mean"
) -> Tensor:
    r"""LabelGAN's generator loss (Eqs. 2, 4): H([1,0], [D_r(x), D_{K+1}(x)]) = -log Σ_{k≤K} D_k(x).

    ``logits (B, K+1)``. The 2-class generator loss of :func:`gan_generator_loss` applied to
    :func:`binary_logit`, so ``saturating`` and ``smoothing`` mean the same. Its class-aware gradient is
    -∂L/∂l_k = (1 - D_r) D_k / D_r for k ≤ K and -(1 - D_r) for the fake logit (Eqs. 11-13). It is also the
    second term of AM-GAN's decomposed generator loss (Eq. 18).
    """
    return gan_generator_loss(binary_logit(logits), saturating=saturating, smoothing=smoothing, reduction=reduction)


def amgan_auxiliary_term(logits: Tensor, target: Tensor, reduction: Reduction = "mean") -> Tensor:
    r"""The auxiliary-classifier part of AM-GAN's generator loss (Eq. 17, first term): H(R(v(y)), R(D(x))).

    ``logits (B, K+1)``, ``target (B, K)`` = R(v(y)) = u(y). R(D(x)) = softmax(l_{1:K}); with v_r = 1 the weight
    v_r of Eq. 17 is 1.
    """
    return soft_cross_entropy(logits[..., :-1], target, reduction)


def amgan_generator_loss(
    logits: Tensor,
    target: Tensor,
    *,
    aux_weight: float = 1.0,
    saturating: bool = False,
    smoothing: float = 0.0,
    reduction: Reduction = "mean",
) -> Tensor:
    r"""AM-GAN's generator loss (Eq. 14): H(v(y), D(x)), the K+1 cross-entropy to the target class y.

    ``logits (B, K+1)``, ``target (B, K)`` (u(y): one-hot of the predefined or dynamic label, or soft).

    With the defaults it is computed directly as the K+1-way cross-entropy. By Lemma 2 (Eq. 17) it equals
    :func:`amgan_auxiliary_term` + :func:`labelgan_generator_loss`; any other setting uses that decomposition:
    ``aux_weight · H(u(y), R(D(x)))`` + the LabelGAN term with ``saturating`` (log(1 - D_r), Eq. 25) and
    ``smoothing`` (Eq. 28).

    >>> l = kplus1_logits(torch.tensor([[0.0, 0.0]]))            # D = [1/3, 1/3, 1/3]
    >>> round(float(amgan_generator_loss(l, torch.tensor([[1.0, 0.0]]))), 4)   # -log(1/3)
    1.0986
    """
    if aux_weight == 1.0 and not saturating and smoothing == 0.0:
        return soft_cross_entropy(logits, kplus1_target(target, 1.0), reduction)
    aux = amgan_auxiliary_term(logits, target, reduction="none")
    gan = labelgan_generator_loss(logits, saturating=saturating, smoothing=smoothing, reduction="none")
    return CL.reduce(aux_weight * aux + gan, reduction)


def acgan_generator_loss(
    adv: Tensor,
    cls: Tensor,
    target: Tensor,
    *,
    aux_weight: float = 1.0,
    saturating: bool = False,
    smoothing: float = 0.0,
    reduction: Reduction = "mean",
) -> Tensor:
    r"""AC-GAN*'s generator loss (Eqs. 6-7): H([1,0], [D_r, D_f]) + w · H(u(y), C(x)).

    ``adv (B,)``, ``cls (B, K)``, ``target (B, K)``; ``aux_weight`` w (1 in the paper; 0.1 is the "AC-GAN* with
    weight 1/10" run; 0 gives GAN / GAN*). With w = 1 and the defaults this is
    H(v(y), [D_r · C(x), D_f]): a hierarchical K+1 model (Eq. 19, :func:`hierarchical_probs`).
    """
    gan = gan_generator_loss(adv, saturating=saturating, smoothing=smoothing, reduction="none")
    if aux_weight == 0.0:
        return CL.reduce(gan, reduction)
    aux = auxiliary_classifier_loss(cls, target, reduction="none")
    return CL.reduce(CL.acgan_generator_loss(gan, aux, lambda_cls=aux_weight), reduction)


# ----------------------------------------------------------------------------------------------- unlabeled data

def semi_supervised_loss(
    logits_unlabeled: Tensor, target: Tensor | None = None, reduction: Reduction = "mean"
) -> Tensor:
    r"""Appendix C.1, Eq. 34: H(v(x), D(x)) on unlabeled real data x ~ p_unl.

    ``logits_unlabeled (B, K+1)``. v(x) is the sample's own target: by default the dynamic label of Sec. 5.1
    (:func:`dynamic_target`, argmax of D's K logits, no gradient), which by Lemma 2 is the CatGAN-style
    certainty term H(u(ŷ), R(D)) plus the "is real" term H([1,0], F(D)) of Salimans et al. Pass ``target (B, K)``
    to use another (e.g. a soft one).
    """
    if target is None:
        target = dynamic_target(logits_unlabeled[..., :-1])
    return soft_cross_entropy(logits_unlabeled, kplus1_target(target, 1.0), reduction)


def reference_marginal_loss(logits_unlabeled: Tensor, p_ref: Tensor) -> Tensor:
    r"""Appendix C.2, Eq. 35: H(p_ref, R(E_x[D(x)])) over a batch of unlabeled data.

    ``logits_unlabeled (B, K+1)``, ``p_ref (K,)`` (uniform asks the unlabeled data to use every class logit; in the
    semi-supervised case the batch mean prediction on labeled data, detached). The batch mean E_x[D(x)] is taken
    over the full K+1 softmax and then restricted to the real classes, in log space:
    log R(Ē)_k = LSE_b(log D_k(x_b)) - LSE_{b, j≤K}(log D_j(x_b)). Returns a scalar.

    >>> round(float(reference_marginal_loss(torch.zeros(3, 3), torch.tensor([0.5, 0.5]))), 4)   # ln 2
    0.6931
    """
    logp = F.log_softmax(logits_unlabeled, dim=-1)[..., :-1]            # (B, K) log D_k
    log_mean = torch.logsumexp(logp, dim=0)                              # (K,) log Σ_b D_k, up to log B
    log_r = log_mean - torch.logsumexp(log_mean, dim=0)                  # log R(E_x[D(x)])
    return -(p_ref.to(log_r.dtype) * log_r).sum()
