r"""UAC-GAN (Han et al., "Unbiased Auxiliary Classifier GANs with MINE"), TAC-GAN and AC-GAN as pure functions.

Notation (paper Sec. 3-4). ``K`` classes, ``B`` batch. Conditions ``c: (B, K)`` are one-hot (or soft) rows of
P(Y); ``logits: (B, K)`` are classifier outputs, C(x, y) = softmax(logits)[y].

=====================================  ===============================================================  ==========
quantity                               formula                                                          function
=====================================  ===============================================================  ==========
Eq. 1 (a), D side                      E_real f_r^d(D) + E_fake f_g^d(D)  (minimised by D)                :func:`condgan.losses.adversarial_d_loss`
Eq. 1 (b), (c)                         -E log C(x, y)  on real / generated data                         :func:`condgan.losses.class_cross_entropy`
Eq. 1, D and C                         (a) + w[(b) + (c)]; (c) only with ``ac_on_fake``                 ``ACGANObjective`` (losses d_adv, d_cls)
Eq. 1, G                               f^g(D(G)) + w (c)                                                ``ACGANObjective`` (losses g_adv, g_cls)
Eqs. 2-3                               -H(Y|X) + CE = E_x KL(P_{Y|X} || Q^c_{Y|X})                      :func:`conditional_entropy`, :func:`expected_cross_entropy`, :func:`expected_kl`
Eq. 4 (d)                              V_TAC = E_{z,y} log C^mi(G(z, y), y)                             :func:`tac_twin_value`
Eq. 5                                  L_AC + V_TAC; D, C^mi max, G, C min                              ``TACGANObjective`` (+ d_twin, g_twin)
Eq. 6                                  V_TAC <= -H_Q(Y|X)                                               (identity, tested)
Thm. 1                                 argmin_q sum_k q_k r_x(k) = onehot(argmin_k r_x(k))              :func:`twin_pointwise_objective`, :func:`theorem1_minimiser`
NWJ (authors' ``--loss_type eta``)     E_P[T] - E_Q[e^{T-1}] <= DV <= KL                                :func:`nwj_bound`
Eq. 8                                  KL(P||Q) >= E_P[T] - log E_Q[e^T]  (Donsker-Varadhan)            :func:`donsker_varadhan`
Eq. 9                                  V_MINE = E_joint T - log E_marginal e^T                          :func:`donsker_varadhan` on T(x, y), T(x, ȳ)
MINE Sec. 3.2 (Belghazi et al.)        bias-corrected gradient with a moving average of E e^T           :func:`mine_ma_loss`
Eq. 10                                 L_AC + V_MINE; G, C min, D, T max                                ``UACGANObjective`` (+ t_mine, g_mi)
=====================================  ===============================================================  ==========

The objectives (objectives.py) add the per-term functions themselves, one named loss per term, so that each is
logged and routed to its optimizer. The functions of Eqs. 2-3, 6, Theorem 1 and NWJ state identities of the paper's
analysis that no objective computes while training; the property tests check them, and tie them to what trains
(Eq. 2's cross-entropy is :func:`condgan.losses.class_cross_entropy`; Theorem 1's objective is TAC-GAN's generator
class terms). H, H(p, q) and KL are condgan's (:mod:`condgan.losses`, also the Inception and AM Scores').

Everything is vectorised over the batch and the classes and never synchronises with the host.

>>> t = torch.tensor([0.0, 1.0, 2.0])
>>> round(float(donsker_varadhan(t, t + 1000.0)), 2)  # stable for large T: 1 - log mean e^{t+1000}
-1000.31
"""

from __future__ import annotations

import math
import warnings
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor

from condgan import losses as CL
from condgan.losses import cross_entropy, entropy, kl_divergence

__all__ = [
    "log_mean_exp",
    "donsker_varadhan",
    "nwj_bound",
    "MineStep",
    "mine_ma_loss",
    "shuffle_conditions",
    "tac_twin_value",
    "entropy",
    "cross_entropy",
    "kl_divergence",
    "conditional_entropy",
    "expected_cross_entropy",
    "expected_kl",
    "twin_pointwise_objective",
    "theorem1_minimiser",
    "adaptive_mi_scale",
]

# --------------------------------------------------------------------------------------------------------------
# Donsker-Varadhan / MINE (Eqs. 7-9)
# --------------------------------------------------------------------------------------------------------------


def log_mean_exp(t: Tensor, dim: int = 0, log_weights: Tensor | None = None) -> Tensor:
    r"""log E[e^t] along ``dim``, computed stably (max-subtracted LogSumExp).

    Without weights the expectation is the sample mean: ``logsumexp(t) - log n``. With ``log_weights`` (same
    shape as ``t``, log of probabilities that sum to 1 along ``dim``) it is ``logsumexp(t + log_weights)``, the
    expectation under a discrete (e.g. quadrature) distribution.

    Args:
        t: ``(..., n, ...)`` values.
    Returns:
        ``t`` reduced over ``dim``.

    >>> round(float(log_mean_exp(torch.tensor([1e4, 1e4]))), 4)  # no overflow
    10000.0
    """
    if log_weights is not None:
        return torch.logsumexp(t + log_weights, dim=dim)
    return torch.logsumexp(t, dim=dim) - math.log(t.shape[dim])


def donsker_varadhan(t_joint: Tensor, t_marginal: Tensor, *, log_weights_joint: Tensor | None = None,
                     log_weights_marginal: Tensor | None = None) -> Tensor:
    r"""The Donsker-Varadhan lower bound of KL(P || Q) (Eq. 8), or V_MINE (Eq. 9) when P is the joint and Q the
    product of marginals:

    .. math:: \mathbb{E}_P[T] - \log \mathbb{E}_Q[e^{T}] \le D_{KL}(P \| Q),

    with equality at T* = log dP/dQ (+ any constant). The log-expectation is a max-subtracted LogSumExp, so the
    value is invariant to T -> T + const and finite for any finite T.

    Args:
        t_joint: ``(N,)`` T on samples of P (for MINE: T(G(z, y), y)).
        t_marginal: ``(M,)`` T on samples of Q (for MINE: T(G(z, y), ȳ) with ȳ ~ P_Y independent of x).
        log_weights_joint / log_weights_marginal: optional log-probabilities of the samples (they then form a
            discrete distribution, e.g. a quadrature grid); default: uniform sample means.
    Returns:
        scalar tensor, differentiable in both inputs.

    >>> abs(float(donsker_varadhan(torch.zeros(4), torch.zeros(7)))) < 1e-6
    True
    """
    if log_weights_joint is None:
        first = t_joint.mean()
    else:
        first = (log_weights_joint.exp() * t_joint).sum()
    return first - log_mean_exp(t_marginal, 0, log_weights_marginal)


def nwj_bound(t_joint: Tensor, t_marginal: Tensor, *, log_weights_joint: Tensor | None = None,
              log_weights_marginal: Tensor | None = None) -> Tensor:
    r"""The f-divergence (NWJ) lower bound E_P[T] - E_Q[e^{T-1}] <= KL(P || Q).

    The authors' code calls it ``--loss_type eta`` (T' = T - eta with a learned scalar eta: E[T'] - E[e^{T'}] + 1,
    the same bound). It is looser than :func:`donsker_varadhan` for every T and has unbiased minibatch gradients.
    No objective here trains with it (UAC-GAN's paper and default runs use DV): it states the bound that
    docs/papers/uacgan.md lists, checked against DV and the KL by the property tests. Weights as in
    :func:`donsker_varadhan`.

    >>> round(float(nwj_bound(torch.ones(3), torch.ones(3))), 4)
    0.0
    """
    if log_weights_joint is None:
        first = t_joint.mean()
    else:
        first = (log_weights_joint.exp() * t_joint).sum()
    if log_weights_marginal is None:
        second = torch.exp(t_marginal - 1.0).mean()
    else:
        second = torch.exp(t_marginal - 1.0 + log_weights_marginal).sum()
    return first - second


class MineStep(NamedTuple):
    """What :func:`mine_ma_loss` returns.

    loss:    scalar to *minimise* for T; its gradient is MINE's bias-corrected gradient of -V_MINE.
    mi:      the plain Donsker-Varadhan value (detached): the MI estimate to log.
    log_ma:  the updated moving average of E[e^T] on the marginal, in log space (detached, shape ``()``);
             ``log_ma.exp()`` is the authors' ``ma_et``.
    """

    loss: Tensor
    mi: Tensor
    log_ma: Tensor


def mine_ma_loss(t_joint: Tensor, t_marginal: Tensor, log_ma: Tensor | None, ma_rate: float = 1e-3) -> MineStep:
    r"""MINE's moving-average bias-corrected gradient (Belghazi et al. 2018, Sec. 3.2; UAC-GAN Eq. 9 for T).

    The minibatch gradient of log E[e^T] is biased. MINE replaces the denominator E[e^T] in

    .. math:: \nabla \log \mathbb{E}[e^T] = \nabla \mathbb{E}[e^T] / \mathbb{E}[e^T]

    by an exponential moving average ``ma`` over steps, updated *before* use:
    ``ma <- ma + ma_rate (et - ma)`` (``ma = et`` at the first call, ``log_ma=None``), with et the batch mean of
    e^{T(x, ȳ)}. The returned surrogate

    .. math:: -\Big(\overline{T_{joint}} - \mathrm{sg}\big[\tfrac{et}{ma}\big] \log et\Big)

    has exactly the gradient -(∇ mean T_joint - ∇ et / ma). Everything runs in log space, so large T never
    overflows (the authors' code forms e^T directly). ``ma_rate = 1`` gives the plain DV gradient.

    Args:
        t_joint: ``(N,)`` T(x, y); t_marginal: ``(M,)`` T(x, ȳ).
        log_ma: previous ``MineStep.log_ma``; None or a NaN tensor at the first step.
        ma_rate: the moving average's rate in (0, 1]; the authors use 1e-3 for images and 2e-3 for the 1-D MoG.
    Returns:
        :class:`MineStep` ``(loss, mi, log_ma)``.

    >>> s = mine_ma_loss(torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0]), None)
    >>> round(float(s.mi), 4), round(float(s.log_ma), 4)
    (1.5, 0.0)
    """
    log_et = log_mean_exp(t_marginal, 0)
    log_et_d = log_et.detach()
    if log_ma is None or ma_rate >= 1.0:
        new_log_ma = log_et_d
    else:
        log_ma = log_ma.to(log_et_d)
        blended = torch.logaddexp(log_ma + math.log1p(-ma_rate), log_et_d + math.log(ma_rate))
        new_log_ma = torch.where(torch.isnan(log_ma), log_et_d, blended)  # NaN: not started yet (no host sync)
    ratio = torch.exp(log_et_d - new_log_ma)
    mean_joint = t_joint.mean()
    surrogate = mean_joint - ratio * log_et
    return MineStep(loss=-surrogate, mi=(mean_joint - log_et).detach(), log_ma=new_log_ma)


def shuffle_conditions(c: Tensor, generator: torch.Generator | None = None) -> Tensor:
    r"""Marginal samples ȳ by permuting the batch's conditions: (x_i, c_{π(i)}) ~ Q_X ⊗ Q_Y approximately
    (the authors' image code). ``c: (B, K)`` -> ``(B, K)``.

    >>> c = torch.eye(3)
    >>> bool(shuffle_conditions(c).sum(0).eq(1).all())
    True
    """
    perm = torch.randperm(c.shape[0], device=c.device, generator=generator)
    return c[perm]


# --------------------------------------------------------------------------------------------------------------
# AC-GAN (Eq. 1), TAC-GAN (Eqs. 4-5), UAC-GAN (Eq. 10)
# --------------------------------------------------------------------------------------------------------------


def tac_twin_value(twin_fake: Tensor, c_fake: Tensor) -> Tensor:
    r"""V_TAC = E_{z, y} log C^mi(G(z, y), y) (Eq. 4): the twin classifier maximises it, G minimises it.

    Args:
        twin_fake: ``(B, K)`` twin logits on generated data; c_fake: ``(B, K)`` their conditions.
    Returns:
        scalar (<= 0).

    >>> round(float(tac_twin_value(torch.zeros(1, 2), torch.tensor([[1.0, 0.0]]))), 4)  # log 1/2
    -0.6931
    """
    return -CL.class_cross_entropy(twin_fake, c_fake)


def adaptive_mi_scale(loss_main: Tensor, loss_mi: Tensor, params: list[Tensor], eps: float = 1e-12) -> Tensor:
    r"""MINE's adaptive gradient clipping for G (Belghazi et al. Sec. 3.3; the authors' 1-D MoG script, ``ada``):
    the factor s = min(||g_u||, ||g_m||) / ||g_m|| so that g_u + s g_m has an MI part no larger than the
    rest, with g_u = ∇ loss_main and g_m = ∇ loss_mi over ``params``.

    Use as ``loss_main + s * loss_mi`` (``s`` is detached): its gradient is g_u + s g_m. Costs two extra
    backward passes (``retain_graph``); meant for small networks.

    Returns:
        scalar tensor in (0, 1], detached.
    """
    params = [p for p in params if p.requires_grad]
    g_u = torch.autograd.grad(loss_main, params, retain_graph=True, allow_unused=True)
    g_m = torch.autograd.grad(loss_mi, params, retain_graph=True, allow_unused=True)

    def norm(gs):
        parts = [g.pow(2).sum() for g in gs if g is not None]
        return torch.stack(parts).sum().sqrt() if parts else loss_main.new_zeros(())

    n_u, n_m = norm(g_u), norm(g_m)
    return (torch.minimum(n_u, n_m) / (n_m + eps)).detach()


# --------------------------------------------------------------------------------------------------------------
# Discrete identities of Sec. 3 (Eqs. 2-3, 6) and Theorem 1
# --------------------------------------------------------------------------------------------------------------


def conditional_entropy(p_y_given_x: Tensor, p_x: Tensor) -> Tensor:
    r"""H(Y|X) = Σ_x p(x) H(P_{Y|X=x}) for a discrete X. ``p_y_given_x: (N, K)``, ``p_x: (N,)`` -> scalar."""
    return (p_x * entropy(p_y_given_x)).sum()


def expected_cross_entropy(p_y_given_x: Tensor, q_y_given_x: Tensor, p_x: Tensor) -> Tensor:
    r"""-E_{x,y ~ P_XY} log Q^c(y|x): term (b) of Eq. 1 (or (c) with Q in place of P). Shapes as
    :func:`conditional_entropy`."""
    return (p_x * cross_entropy(p_y_given_x, q_y_given_x)).sum()


def expected_kl(p_y_given_x: Tensor, q_y_given_x: Tensor, p_x: Tensor) -> Tensor:
    r"""E_{x ~ P_X} KL(P_{Y|X} || Q^c_{Y|X}): the right side of Eqs. 2 and 3.

    Eq. 2: ``-conditional_entropy(P) + expected_cross_entropy(P, Q^c) == expected_kl(P, Q^c)``.
    """
    return (p_x * kl_divergence(p_y_given_x, q_y_given_x)).sum()


def twin_pointwise_objective(q_y_given_x: Tensor, log_q_mi: Tensor, log_q_c: Tensor) -> Tensor:
    r"""(c) + (d) at one x as a function of G's posterior (proof of Theorem 1):
    Σ_k Q(k|x) r_x(k) with r_x(k) = log Q^mi(k|x) - log Q^c(k|x). ``(..., K)`` -> ``(...)``.

    >>> round(float(twin_pointwise_objective(torch.tensor([1.0, 0.0]), torch.log(torch.tensor([0.5, 0.5])),
    ...                                      torch.log(torch.tensor([0.25, 0.75])))), 4)  # log 2
    0.6931
    """
    return (q_y_given_x * (log_q_mi - log_q_c)).sum(-1)


def theorem1_minimiser(log_q_mi: Tensor, log_q_c: Tensor) -> Tensor:
    r"""Theorem 1: the G-optimal posterior for fixed C and C^mi, onehot(argmin_k Q^mi(k|x) / Q^c(k|x)).
    ``(..., K)`` -> one-hot ``(..., K)``.

    >>> theorem1_minimiser(torch.log(torch.tensor([0.5, 0.5])), torch.log(torch.tensor([0.25, 0.75])))
    tensor([0., 1.])
    """
    r = log_q_mi - log_q_c
    return F.one_hot(r.argmin(-1), r.shape[-1]).to(r.dtype)


def _old_class_cross_entropy(logits: Tensor, c: Tensor) -> Tensor:
    return CL.class_cross_entropy(logits, c, "none")


def _old_gan_discriminator_loss(adv_real: Tensor, adv_fake: Tensor, d_real=CL.non_saturating_d_real,
                                d_fake=CL.non_saturating_d_fake) -> Tensor:
    return CL.adversarial_d_loss(adv_real, adv_fake, CL.AdversarialLoss("", d_real, d_fake, CL.non_saturating_g))


#: old name -> (what replaces it, the old behaviour): per-sample class cross-entropy, Eq. 1 (a) for D
_MOVED = {"class_cross_entropy": ("condgan.losses.class_cross_entropy(logits, c, 'none')", _old_class_cross_entropy),
          "gan_discriminator_loss": ("condgan.losses.adversarial_d_loss(adv_real, adv_fake, family)",
                                     _old_gan_discriminator_loss)}


def __getattr__(name: str):
    """The names this module had before condgan.losses held them: they work for one release, with a warning."""
    if name not in _MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(f"{__name__}.{name} moved: use {_MOVED[name][0]}", DeprecationWarning, stacklevel=2)
    return _MOVED[name][1]
