r"""Classifier-based sample scores on class-probability tensors: Inception Score, Mode Score, AM Score.

Every function takes ``probs: (N, K)``, the class distribution C(x) that a classifier C gives each of N samples
(rows on the simplex), and returns float64 scalars. Nothing here runs a network: feed it
``softmax(C(x))`` of any classifier (an ImageNet Inception, a DenseNet trained on the data set, a small CNN).

Notation (Zhou et al., "AM-GAN", ICLR 2018; Sections 6.1-6.4 and Appendix D):

* H(p) = -Σ_i p_i log p_i, H(p, q) = -Σ_i p_i log q_i, KL(p ‖ q) = H(p, q) - H(p)            (Eq. 37)
* C̄^G = E_x[C(x)] over generated samples, C̄^train = E_x[C(x)] over the training set

===================  ====================================================================  =======
score                definition                                                            paper
===================  ====================================================================  =======
Inception Score      exp(E_x[KL(C(x) ‖ C̄^G)])                                               Eq. 21
 decomposition       E_x[KL(C(x) ‖ C̄^G)] = H(C̄^G) - E_x[H(C(x))]                            Eq. 22
Mode Score           exp(E_x[KL(C(x) ‖ C̄^train)] - KL(C̄^G ‖ C̄^train))                       Eq. 38
AM Score             KL(C̄^train ‖ C̄^G) + E_x[H(C(x))]   (lower is better, minimum 0)         Eq. 23
===================  ====================================================================  =======

By Lemma 3 (E_x[H(p(x), p̄)] = H(E_x[p(x)], p̄)), log Mode Score = log Inception Score (Eqs. 40-41): the Mode Score
adds nothing. All logarithms are natural. IS lies in [1, K]: 1 when every C(x) is the same distribution (full
collapse), K when every C(x) is one-hot and C̄^G is uniform.

Numerics: inputs are cast to float64 before any sum; ``0 · log 0 = 0`` (``torch.xlogy``); the second argument of
every logarithm is clamped at ``eps`` (the authors' ``score.py`` adds 1e-18 to the predictions instead), so a class
that a reference distribution gives zero mass costs ``-log(eps)`` instead of ``inf``.

All scores depend on the samples only through ``N``, ``Σ_x C(x)`` and ``Σ_x H(C(x))`` (and, for the direct
Inception Score, the per-sample KL). :class:`ClassProbabilityStats` accumulates those over batches, so a caller
streaming 50k samples need not keep the ``(N, K)`` matrix.

>>> import torch
>>> onehot = torch.eye(4)                 # four samples, four classes, each sharp and all classes covered
>>> round(float(inception_score(onehot)), 6)   # = K
4.0
>>> round(float(inception_score(torch.full((5, 4), 0.25))), 6)   # all samples one distribution: collapse
1.0
>>> round(float(am_score(onehot, torch.full((4,), 0.25))), 6)   # sharp samples, marginal = training marginal
0.0
"""

from __future__ import annotations

from typing import NamedTuple

import attrs
import torch
from torch import Tensor

# H, H(p, q) and KL (Eq. 37) are condgan.losses' (one definition, also UAC-GAN's); EPS floors every logarithm's
# second argument
from ..losses import EPS, cross_entropy, entropy, kl_divergence

__all__ = [
    "EPS",
    "AMScore",
    "ClassProbabilityStats",
    "InceptionDecomposition",
    "am_score",
    "am_score_terms",
    "class_marginal",
    "cross_entropy",
    "entropy",
    "inception_score",
    "inception_score_decomposition",
    "inception_score_splits",
    "kl_divergence",
    "log_inception_score",
    "log_mode_score",
    "mode_score",
]


# --------------------------------------------------------------------------------------------- elementary pieces

def _as_probs(probs: Tensor, name: str = "probs") -> Tensor:
    """Check ``(N, K)`` (or ``(K,)`` promoted to ``(1, K)``) with N >= 1 and cast to float64."""
    if probs.dim() == 1:
        probs = probs.unsqueeze(0)
    if probs.dim() != 2:
        raise ValueError(f"{name} must have shape (N, K), got {tuple(probs.shape)}")
    if probs.shape[0] == 0 or probs.shape[1] == 0:
        raise ValueError(f"{name} must be non-empty, got {tuple(probs.shape)}")
    return probs.detach().to(torch.float64)


def _as_dist(p: Tensor, k: int, name: str) -> Tensor:
    p = p.detach().to(torch.float64).reshape(-1)
    if p.numel() != k:
        raise ValueError(f"{name} must have {k} entries (one per class), got {p.numel()}")
    return p


def class_marginal(probs: Tensor) -> Tensor:
    r"""C̄ = E_x[C(x)]: the mean class distribution of ``probs: (N, K)``, float64 ``(K,)``.

    With generated samples this is C̄^G; with the training set it is C̄^train, the AM Score's reference.
    """
    return _as_probs(probs).mean(0)


# ------------------------------------------------------------------------------------------------ Inception Score

def log_inception_score(probs: Tensor, eps: float = EPS) -> Tensor:
    r"""log IS = E_x[KL(C(x) ‖ C̄^G)] (Eq. 21 before the exp), computed sample by sample.

    Shapes: ``(N, K) -> ()`` float64. In [0, log K].
    """
    p = _as_probs(probs)
    return kl_divergence(p, p.mean(0, keepdim=True), eps=eps).mean()


def inception_score(probs: Tensor, eps: float = EPS) -> Tensor:
    r"""Inception Score = exp(E_x[KL(C(x) ‖ C̄^G)]) (Eq. 21; Salimans et al. 2016) over all N samples at once.

    Shapes: ``(N, K) -> ()`` float64, in [1, K]. 1.0 when all samples share one distribution (Sec. 6.3).

    >>> round(float(inception_score(torch.eye(3))), 6)
    3.0
    """
    return log_inception_score(probs, eps=eps).exp()


def inception_score_splits(probs: Tensor, splits: int = 10, eps: float = EPS) -> tuple[Tensor, Tensor]:
    r"""Mean and standard deviation of Eq. 21 over ``splits`` contiguous chunks (the "IS ± std" of Table 1).

    Follows the convention of Salimans et al.'s code: C̄^G is taken per chunk, chunks are ``N // splits`` rows
    (the remainder is dropped), std is the population std (ddof = 0). Returns float64 scalars ``(mean, std)``.
    """
    p = _as_probs(probs)
    if not 1 <= splits <= p.shape[0]:
        raise ValueError(f"splits must be in [1, N={p.shape[0]}], got {splits}")
    n = p.shape[0] // splits
    chunks = p[: n * splits].reshape(splits, n, p.shape[1])
    marg = chunks.mean(1, keepdim=True)
    scores = kl_divergence(chunks, marg, eps=eps).mean(1).exp()
    return scores.mean(), scores.std(unbiased=False)


class InceptionDecomposition(NamedTuple):
    r"""Eq. 22: ``log_score = marginal_entropy - mean_entropy``.

    marginal_entropy: H(C̄^G), the "diversity" term;  mean_entropy: E_x[H(C(x))], the per-sample term;
    log_score: their difference; score: exp(log_score).
    """

    marginal_entropy: Tensor
    mean_entropy: Tensor
    log_score: Tensor
    score: Tensor


def inception_score_decomposition(probs: Tensor) -> InceptionDecomposition:
    r"""The entropy decomposition of the Inception Score (Eq. 22 and Eq. 40):

    E_x[KL(C(x) ‖ C̄^G)] = H(C̄^G) - E_x[H(C(x))].

    Computed from the two entropies (not from per-sample KL), so comparing with :func:`log_inception_score`
    checks Lemma 3.
    """
    p = _as_probs(probs)
    h_marg = entropy(p.mean(0))
    h_mean = entropy(p).mean()
    log_s = h_marg - h_mean
    return InceptionDecomposition(h_marg, h_mean, log_s, log_s.exp())


# ----------------------------------------------------------------------------------------------------- Mode Score

def log_mode_score(probs: Tensor, train_marginal: Tensor, eps: float = EPS) -> Tensor:
    r"""log Mode Score = E_x[KL(C(x) ‖ C̄^train)] - KL(C̄^G ‖ C̄^train) (Eq. 38 before the exp; Che et al. 2016).

    Shapes: ``probs (N, K)``, ``train_marginal (K,)`` -> ``()`` float64. Equals :func:`log_inception_score`
    whenever C̄^train > 0 where C̄^G > 0 (Lemma 3, Eqs. 40-41).
    """
    p = _as_probs(probs)
    ref = _as_dist(train_marginal, p.shape[1], "train_marginal")
    return kl_divergence(p, ref, eps=eps).mean() - kl_divergence(p.mean(0), ref, eps=eps)


def mode_score(probs: Tensor, train_marginal: Tensor, eps: float = EPS) -> Tensor:
    r"""Mode Score = exp(E_x[KL(C(x) ‖ C̄^train)] - KL(C̄^G ‖ C̄^train)) (Eq. 38). float64 scalar."""
    return log_mode_score(probs, train_marginal, eps=eps).exp()


# ------------------------------------------------------------------------------------------------------- AM Score

class AMScore(NamedTuple):
    r"""Eq. 23 and its two terms (Fig. 6): ``score = marginal_kl + mean_entropy``.

    marginal_kl: KL(C̄^train ‖ C̄^G), the class-coverage term;  mean_entropy: E_x[H(C(x))], the per-sample term.
    """

    score: Tensor
    marginal_kl: Tensor
    mean_entropy: Tensor


def am_score_terms(probs: Tensor, train_marginal: Tensor, eps: float = EPS) -> AMScore:
    r"""AM Score = KL(C̄^train ‖ C̄^G) + E_x[H(C(x))] (Eq. 23), with both terms.

    ``train_marginal (K,)`` is C̄^train, the mean prediction of the same classifier over the training set
    (:func:`class_marginal` of the training set's probabilities); pass a uniform vector for a balanced
    synthetic reference (the authors' toy data use 1/8). Lower is better; the minimum is 0 (sharp samples whose
    class frequencies match the training set). As in the authors' ``score.py``: natural log, KL direction
    train ‖ generated.
    """
    p = _as_probs(probs)
    ref = _as_dist(train_marginal, p.shape[1], "train_marginal")
    kl = kl_divergence(ref, p.mean(0), eps=eps)
    h = entropy(p).mean()
    return AMScore(kl + h, kl, h)


def am_score(probs: Tensor, train_marginal: Tensor, eps: float = EPS) -> Tensor:
    r"""AM Score (Eq. 23) as one float64 scalar; see :func:`am_score_terms`.

    >>> round(float(am_score(torch.eye(2), torch.tensor([0.5, 0.5]))), 6)
    0.0
    """
    return am_score_terms(probs, train_marginal, eps=eps).score


# ----------------------------------------------------------------------------------------------- streaming stats

@attrs.define
class ClassProbabilityStats:
    r"""Sufficient statistics of ``(N, K)`` class probabilities for Eqs. 22, 23 and 38, accumulated over batches.

    ``n`` samples seen, ``sum_probs (K,)`` = Σ_x C(x), ``sum_entropy`` = Σ_x H(C(x)) (float64). By Lemma 3 every
    score here is a function of these (the direct per-sample form of Eq. 21 is in :func:`log_inception_score`).

    >>> s = ClassProbabilityStats.empty(2)
    >>> s.update(torch.tensor([[1.0, 0.0]])); s.update(torch.tensor([[0.0, 1.0]]))
    >>> round(float(s.inception_score()), 6)
    2.0
    """

    n: int
    sum_probs: Tensor
    sum_entropy: Tensor

    @classmethod
    def empty(cls, num_classes: int) -> "ClassProbabilityStats":
        z = torch.zeros(num_classes, dtype=torch.float64)
        return cls(0, z, torch.zeros((), dtype=torch.float64))

    @classmethod
    def from_probs(cls, probs: Tensor) -> "ClassProbabilityStats":
        p = _as_probs(probs)
        return cls(p.shape[0], p.sum(0), entropy(p).sum())

    def update(self, probs: Tensor) -> None:
        p = _as_probs(probs).to(self.sum_probs.device)
        if p.shape[1] != self.sum_probs.numel():
            raise ValueError(f"expected {self.sum_probs.numel()} classes, got {p.shape[1]}")
        self.n += p.shape[0]
        self.sum_probs = self.sum_probs + p.sum(0)
        self.sum_entropy = self.sum_entropy + entropy(p).sum()

    def merge(self, other: "ClassProbabilityStats") -> "ClassProbabilityStats":
        return ClassProbabilityStats(self.n + other.n, self.sum_probs + other.sum_probs,
                                     self.sum_entropy + other.sum_entropy)

    def _check(self) -> None:
        if self.n == 0:
            raise ValueError("no samples accumulated")

    def marginal(self) -> Tensor:
        self._check()
        return self.sum_probs / self.n

    def mean_entropy(self) -> Tensor:
        self._check()
        return self.sum_entropy / self.n

    def log_inception_score(self) -> Tensor:
        """Eq. 22: H(C̄^G) - E_x[H(C(x))]."""
        return entropy(self.marginal()) - self.mean_entropy()

    def inception_score(self) -> Tensor:
        return self.log_inception_score().exp()

    def am_score_terms(self, train_marginal: Tensor, eps: float = EPS) -> AMScore:
        """Eq. 23 from the accumulated statistics."""
        ref = _as_dist(train_marginal, self.sum_probs.numel(), "train_marginal").to(self.sum_probs.device)
        kl = kl_divergence(ref, self.marginal(), eps=eps)
        h = self.mean_entropy()
        return AMScore(kl + h, kl, h)

    def am_score(self, train_marginal: Tensor, eps: float = EPS) -> Tensor:
        return self.am_score_terms(train_marginal, eps=eps).score

