r"""CGPGAN, InfoGAN and Elastic-InfoGAN losses as pure functions (Cho 2024, "Training Self-supervised
Class-conditional GANs with Classifier Gradient Penalty and Dynamic Prior", Eqs. 1-13 and Algorithm 1).

Notation (shapes): B batch, K = d_c categories.

* ``logits``      ``(B, K)`` classifier outputs Q(x) before the softmax;
* ``c``           ``(B, K)`` categorical vectors (one-hot c_f, or soft Gumbel-softmax samples);
* ``d_cond``      ``(B, K)`` the discriminator's per-category adversarial logits (the CA-GAN head "cond");
* ``d_adv``       ``(B,)``   a single adversarial logit (InfoGAN, vanilla GAN);
* ``family``      a :class:`condgan.losses.AdversarialLoss` (f_r^d, f_g^d, f^g, elementwise).

Every loss takes ``reduction`` in {"mean", "sum", "none"} ("none" returns the per-sample ``(B,)`` values;
:func:`condgan.losses.reduce`).
The authors' code (jeongik-jo/CGPGAN, reference note section 3) uses the batch mean, softplus losses
(``non_saturating``), R2 and the classifier gradient penalty without a 1/2 factor; the functions follow it.

>>> p = torch.tensor([[0.7, 0.2, 0.1], [0.5, 0.4, 0.1]])
>>> prob_normalize(p).mean(0)
tensor([0.3333, 0.3333, 0.3333])
>>> argmax_onehot(p)
tensor([[1., 0., 0.],
        [1., 0., 0.]])
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from condgan.losses import AdversarialLoss, class_cross_entropy, grad_norm_squared, reduce

# CGPGAN reuses CA-GAN's conditional activation loss (Eqs. 11-12 are CA-GAN's Eqs. 17-18 with predicted labels);
# cagan is a built-in plugin, always present.
from condgan.plugins.cagan.losses import conditional_activation_d_loss as _ca_d_loss
from condgan.plugins.cagan.losses import conditional_activation_d_per_sample as _ca_d_per_sample
from condgan.plugins.cagan.losses import conditional_activation_g_loss as _ca_g_loss

__all__ = [
    "reduce",
    "prob_normalize",
    "argmax_onehot",
    "classification_loss",
    "classifier_gradient_penalty",
    "inner",
    "conditional_d_loss",
    "conditional_g_loss",
    "conditional_r2_penalty",
    "infogan_d_loss",
    "infogan_q_loss",
    "sample_gumbel",
    "gumbel_softmax_sample",
    "ema_prior_update",
    "prior_entropy",
    "reported_prior",
    "standardize_onehot",
    "nt_xent",
]


# --------------------------------------------------------------------------------------------------- Eqs. 13, 11


def prob_normalize(c: Tensor) -> Tensor:
    r"""Eq. 13: ``prob_normalize(c) = c - batch_average(c) + 1/d_c``.

    ``c``: ``(B, K)``. Returns ``(B, K)`` whose batch average is exactly ``[1/K, ..., 1/K]``. Rows of a
    softmax keep summing to 1 (``1 - 1 + K/K``) but entries may become negative: only their argmax is used
    (Algorithm 1, lines 9-12), and their batch mean, uniform, is what the EMA prior sees early in training.

    >>> prob_normalize(torch.tensor([[1.0, 0.0], [1.0, 0.0]]))
    tensor([[0.5000, 0.5000],
            [0.5000, 0.5000]])
    """
    return c - c.mean(dim=0, keepdim=True) + 1.0 / c.shape[-1]


def argmax_onehot(c: Tensor) -> Tensor:
    r"""The paper's *argmax onehot* (Eq. 11): 1 at the row maximum, 0 elsewhere; ``(B, K) -> (B, K)``.

    Ties go to the first maximal index (``torch.argmax``). No gradient flows through the result.

    >>> argmax_onehot(torch.tensor([[0.2, 0.5, 0.3]]))
    tensor([[0., 1., 0.]])
    """
    return F.one_hot(c.detach().argmax(dim=-1), c.shape[-1]).to(c.dtype if c.is_floating_point() else torch.float32)


# --------------------------------------------------------------------------------------------------- Eqs. 4, 7, 10


#: Eq. 4 (InfoGAN) = CGPGAN's L_cls: ``E[-c . log softmax(Q(G(z, c)))]``, with ``logits (B, K)`` Q on generated data
#: and ``c (B, K)`` the categorical vectors that generated it (one-hot, or soft Gumbel-softmax samples for
#: Elastic-InfoGAN): condgan's class cross-entropy.
classification_loss = class_cross_entropy


def classifier_gradient_penalty(logits: Tensor, c: Tensor, x: Tensor, reduction: str = "mean") -> Tensor:
    r"""Eq. 10: ``L_creg = E ||∇_{x'} (1 - softmax(Q(x')) . c_f)^2||_2^2`` with x' = G(z, c_f).

    ``logits``: ``(B, K)`` = Q(x') computed from ``x: (B, ...)`` with ``x.requires_grad_(True)``; ``c``:
    ``(B, K)``. The per-sample squared gradient norm sums over all data dimensions; the graph is kept
    (``create_graph=True``) so the penalty trains Q. No 1/2 factor (authors' code). ``x`` should be detached
    from G (only Q is trained by L_q, Eq. 7).

    The penalty is >= 0, and 0 for a classifier that does not depend on x. Near Q's decision boundary
    ``softmax . c`` moves fastest, so the penalty is largest there.

    >>> x = torch.zeros(2, 2, requires_grad=True)
    >>> classifier_gradient_penalty(torch.zeros(2, 3) + 0 * x.sum(), torch.eye(3)[:2], x).item()
    0.0
    """
    values = (1.0 - (F.softmax(logits, dim=-1) * c).sum(dim=-1)).pow(2)
    if not values.requires_grad:  # Q does not depend on x at all
        return reduce(torch.zeros(values.shape, dtype=values.dtype, device=values.device), reduction)
    (g,) = torch.autograd.grad(values.sum(), x, create_graph=True, allow_unused=True)
    if g is None:
        return reduce(torch.zeros(values.shape, dtype=values.dtype, device=values.device) + 0 * values, reduction)
    return reduce(g.flatten(1).pow(2).sum(dim=1), reduction)


# --------------------------------------------------------------------------------------------------- Eqs. 11, 12


def inner(d_cond: Tensor, c: Tensor) -> Tensor:
    """``⟨D(x), c⟩`` per sample: ``(B, K), (B, K) -> (B,)``, the conditional adversarial value of Eqs. 11-12."""
    return (d_cond * c).sum(dim=-1)


def conditional_d_loss(d_cond_real: Tensor, c_real: Tensor, d_cond_fake: Tensor, c_fake: Tensor,
                       family: AdversarialLoss, reduction: str = "mean") -> Tensor:
    r"""Eq. 11: ``L_adv^d = E[A_d(D(x) . argmax_onehot(Q(x)), D(G(z, c_f)) . c_f)]``.

    ``A_d(a_r, a_f) = f_r^d(a_r) + f_g^d(a_f)``. ``c_real`` is the label of real data: CGPGAN passes
    ``argmax_onehot(Q(x))`` (optionally prob-normalised first, Eq. 13). Computed by CA-GAN's conditional
    activation loss (``condgan.plugins.cagan.losses.conditional_activation_d_loss``, CA-GAN Eq. 17,
    ``Σ_k c_k f(D_k(x))``), which equals the inner-product form ``f(D(x) . c)`` printed in Eq. 11 for one-hot
    labels, the only labels CGPGAN feeds it (the property tests check the identity). Real and fake batches may
    differ in size; ``reduction="none"`` needs equal sizes and returns the per-sample sum ``(B,)``.

    >>> from condgan.losses import family
    >>> d = torch.zeros(1, 2)
    >>> round(float(conditional_d_loss(d, torch.tensor([[1., 0.]]), d, torch.tensor([[0., 1.]]), family("non_saturating"))), 4)
    1.3863
    """
    if reduction == "none":
        real, fake = _ca_d_per_sample(d_cond_real, c_real, d_cond_fake, c_fake, family)
        return real + fake
    return _ca_d_loss(d_cond_real, c_real, d_cond_fake, c_fake, family, reduction=reduction)


def conditional_g_loss(d_cond_fake: Tensor, c_fake: Tensor, family: AdversarialLoss, reduction: str = "mean") -> Tensor:
    r"""Eq. 12 (= Eq. 9, CGPGAN's whole generator loss): ``L_adv^g = E[A_g(D(G(z, c_f)) . c_f)]``.

    CA-GAN's generator loss (``cagan.losses.conditional_activation_g_loss``, CA-GAN Eq. 18); equal to the
    inner-product form for one-hot c_f.

    >>> from condgan.losses import family
    >>> round(float(conditional_g_loss(torch.zeros(1, 2), torch.tensor([[1., 0.]]), family("non_saturating"))), 4)  # log 2
    0.6931
    """
    return _ca_g_loss(d_cond_fake, c_fake, family, reduction=reduction)


def conditional_r2_penalty(d_cond_fake: Tensor, c_fake: Tensor, x_fake: Tensor, reduction: str = "mean") -> Tensor:
    r"""R2 on generated data (Section 4.1): ``L_r2 = E ||∇_{x'} (D(x') . c_f)||_2^2``, no 1/2 factor.

    ``d_cond_fake``: ``(B, K)`` computed from ``x_fake`` with ``requires_grad_(True)``. Zero for a
    discriminator that is constant in x.
    """
    values = inner(d_cond_fake, c_fake)
    if not values.requires_grad:
        return reduce(torch.zeros_like(values), reduction)
    return reduce(grad_norm_squared(values, x_fake), reduction)


# --------------------------------------------------------------------------------------------------- Eqs. 1-6


def infogan_d_loss(d_real: Tensor, d_fake: Tensor, family: AdversarialLoss, reduction: str = "mean") -> Tensor:
    r"""Eqs. 2, 5: ``L_d = E[A_d(D(x), D(G(z, c_f)))]`` with one adversarial logit ``(B,)`` per sample."""
    real, fake = family.d_real(d_real), family.d_fake(d_fake)
    if reduction == "none":
        return real + fake
    return reduce(real, reduction) + reduce(fake, reduction)


def infogan_q_loss(logits_fake: Tensor, c_fake: Tensor, lambda_cls: float = 1.0, reduction: str = "mean") -> Tensor:
    r"""Eq. 1: ``L_q = λ_cls L_cls`` (Q trained on generated data only)."""
    return lambda_cls * classification_loss(logits_fake, c_fake, reduction)


# --------------------------------------------------------------------------------------------------- priors


def sample_gumbel(shape, *, device=None, dtype=torch.float32, generator: torch.Generator | None = None,
                  eps: float = 1e-20) -> Tensor:
    """Standard Gumbel(0, 1) noise ``-log(-log U)``."""
    u = torch.rand(shape, device=device, dtype=dtype, generator=generator)
    return -torch.log(-torch.log(u + eps) + eps)


def gumbel_softmax_sample(theta: Tensor, n: int, temperature: float = 0.1, hard: bool = False,
                          generator: torch.Generator | None = None) -> Tensor:
    r"""Elastic-InfoGAN's categorical sample: ``softmax((log_softmax(θ) + g) / t)``, g ~ Gumbel(0, 1).

    ``theta``: ``(K,)`` prior logits; returns ``(n, K)`` rows on the simplex, differentiable in θ
    (Jang et al. 2017; Maddison et al. 2017). ``hard=True`` gives the straight-through one-hot (forward one-hot,
    backward the soft gradient). The CGPGAN authors' baseline uses soft samples with t = 0.1.

    >>> s = gumbel_softmax_sample(torch.zeros(3), 5)
    >>> s.shape, bool(torch.allclose(s.sum(1), torch.ones(5)))
    (torch.Size([5, 3]), True)
    """
    g = sample_gumbel((n, theta.shape[-1]), device=theta.device, dtype=theta.dtype, generator=generator)
    soft = F.softmax((F.log_softmax(theta, dim=-1) + g) / temperature, dim=-1)
    if not hard:
        return soft
    hard_oh = F.one_hot(soft.argmax(dim=-1), theta.shape[-1]).to(soft.dtype)
    return hard_oh - soft.detach() + soft


def ema_prior_update(prior: Tensor, class_probs: Tensor, decay: float = 0.999) -> Tensor:
    r"""Algorithm 1, line 25: ``P(C) <- decay * P(C) + (1 - decay) * batch_average(c'_r)``.

    ``prior``: ``(K,)``; ``class_probs``: ``(B, K)`` Q's (soft, possibly prob-normalised) probabilities on real
    data. A convex combination of probability vectors, so P(C) stays on the simplex; while prob_normalize is on,
    the batch average is exactly uniform and a uniform P(C) stays uniform.

    >>> ema_prior_update(torch.tensor([0.5, 0.5]), torch.tensor([[1.0, 0.0]]), decay=0.9)
    tensor([0.5500, 0.4500])
    """
    return decay * prior + (1.0 - decay) * class_probs.detach().mean(dim=0).to(prior.dtype)


def prior_entropy(p: Tensor) -> Tensor:
    """Shannon entropy (nats) of a probability vector ``(K,)``, with 0 log 0 = 0 (Fig. 11). The value of
    :func:`condgan.losses.entropy` of ``p.clamp_min(0)``, computed as ``p log p`` rather than ``xlogy``: the two
    differ in the last bit of float32 for about 5% of vectors, and this one is logged in every CGPGAN run."""
    p = p.clamp_min(0)
    return -(torch.where(p > 0, p * torch.log(p.clamp_min(1e-30)), torch.zeros_like(p))).sum(-1)


def reported_prior(p: Tensor, threshold: float = 0.01) -> tuple[list[int], list[float]]:
    """The categories the paper reports: those with ``P(C=k) >= threshold`` (1%), as (indices, probabilities)."""
    keep = [i for i, v in enumerate(p.tolist()) if v >= threshold]
    return keep, [float(p[i]) for i in keep]


def standardize_onehot(c: Tensor) -> Tensor:
    r"""The authors' generator input: ``(c K - 1) / sqrt(K - 1)``; a one-hot row gets mean 0 and variance 1.

    >>> standardize_onehot(torch.tensor([[0., 1.]]))
    tensor([[-1.,  1.]])
    """
    k = c.shape[-1]
    return (c * k - 1.0) / math.sqrt(max(k - 1, 1))


def nt_xent(z1: Tensor, z2: Tensor, temperature: float = 0.5, reduction: str = "mean") -> Tensor:
    r"""NT-Xent contrastive loss (SimCLR, Chen et al. 2020), Elastic-InfoGAN's identity-preserving loss.

    ``z1, z2``: ``(B, F)`` embeddings of two augmentations of the same B samples; positives are the pairs
    (i, i). Returns the per-pair loss averaged over the 2B anchors.
    """
    b = z1.shape[0]
    z = F.normalize(torch.cat([z1, z2], dim=0), dim=-1)
    sim = z @ z.t() / temperature
    sim = sim.masked_fill(torch.eye(2 * b, dtype=torch.bool, device=z.device), float("-inf"))
    target = torch.cat([torch.arange(b, 2 * b), torch.arange(0, b)]).to(z.device)
    per = F.cross_entropy(sim, target, reduction="none")
    return reduce(per, reduction)
