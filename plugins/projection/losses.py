r"""The projection discriminator (Miyato & Koyama, "cGANs with Projection Discriminator", ICLR 2018) as pure functions.

Notation of the paper (Sec. 3): q is the data distribution, p the generator's; φ(x) ``(B, F)`` the discriminator's
features, ψ a scalar function of φ, V ``(K, F)`` the class embedding matrix (row v_y = e(y)).

========================================================  ==============================================  ==========
quantity                                                  formula                                         function
========================================================  ==============================================  ==========
optimal logit decomposed (Sec. 3)                         f*(x, y) = r(y|x) + r(x),                        :func:`log_linear_ratio` (r(y|x))
                                                          r(y|x) = log q(y|x) / p(y|x)
log-linear p(y|x), q(y|x) (Sec. 3)                        r(y|x) = (v_y^q − v_y^p)ᵀφ − (LSE(V^qφ) − LSE(V^pφ))  :func:`log_linear_ratio`
the projection discriminator (Sec. 3)                     f(x, y) = yᵀVφ(x) + ψ(φ(x))                      :func:`projection_logit`
========================================================  ==============================================  ==========

The x-only part of r(y|x) (the two log-partition functions) and r(x) are absorbed into ψ; what depends on y is an
inner product of a class embedding with φ: the projection. In condgan the discriminator's ``adv`` head is ψ(φ) and
its ``cond`` head holds V φ + b, so ``projection_logit(out.adv, out.cond, c)`` is ψ(φ) + v_yᵀφ + b_y. The per-class
bias b_y is the ``cond`` layer's bias; the authors' code (pfnet-research/sngan_projection, an ``SNEmbedID``) has
none. b_y depends on y only, so it shifts each class's logit by a constant (the log-ratio of the class priors, the
term log q(y)/p(y) of the decomposition, which the paper's form drops because both priors are the same).

>>> psi, cond = torch.tensor([0.5]), torch.tensor([[1.0, 2.0, 3.0]])
>>> float(projection_logit(psi, cond, torch.tensor([[0.0, 1.0, 0.0]])))
2.5
"""

from __future__ import annotations

import torch
from torch import Tensor

from condgan.losses import selected_logit

__all__ = ["projection_logit", "log_linear_ratio"]


def projection_logit(psi: Tensor, cond: Tensor, c: Tensor, num_groups: int = 1) -> Tensor:
    r"""The projection discriminator's logit, f(x, y) = yᵀVφ(x) + ψ(φ(x)) (Miyato & Koyama, Sec. 3).

    Args:
        psi: ``(B,)`` ψ(φ(x)), the unconditional part (the ``adv`` head).
        cond: ``(B, K)`` Vφ(x) (+ b), one inner product per class (the ``cond`` head).
        c: ``(B, K)`` one-hot conditions y (several groups: one one-hot per group).
        num_groups: groups in ``c``; the projection term is averaged over them (as ``core.cgan`` does).
    Returns:
        ``(B,)`` logits.
    """
    return psi + selected_logit(cond, c, num_groups)


def log_linear_ratio(phi: Tensor, v_data: Tensor, v_model: Tensor, y: Tensor) -> Tensor:
    r"""r(y|x) = log q(y|x) − log p(y|x) for log-linear class posteriors on the features (Miyato & Koyama, Sec. 3):

    .. math:: q(y|x) = \mathrm{softmax}(V^q φ)_y,\; p(y|x) = \mathrm{softmax}(V^p φ)_y
              \Rightarrow r(y|x) = (v^q_y − v^p_y)^\top φ − \big(\mathrm{LSE}(V^q φ) − \mathrm{LSE}(V^p φ)\big).

    The first term is the projection with V = V^q − V^p; the second depends on x only (it goes into ψ).

    Args:
        phi: ``(B, F)`` features; v_data, v_model: ``(K, F)`` V^q and V^p; y: ``(B,)`` integer labels.
    Returns:
        ``(B,)`` log-ratios, computed as the difference of the two log-softmaxes.
    """
    log_q = torch.log_softmax(phi @ v_data.T, dim=1)
    log_p = torch.log_softmax(phi @ v_model.T, dim=1)
    idx = y.long().view(-1, 1)
    return (log_q.gather(1, idx) - log_p.gather(1, idx)).squeeze(1)
