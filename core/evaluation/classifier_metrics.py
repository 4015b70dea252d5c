r"""Metrics of generated samples read through a fixed evaluation classifier: label consistency and class balance.

* **Class accuracy** ("label consistency"): the fraction of generated samples whose evaluator prediction
  :math:`\arg\max_k C(x)_k` equals the class :math:`y` they were generated for, overall and per target class.
  A conditional GAN that ignores its condition scores about 1/K; a perfect one scores the evaluator's own test
  accuracy.
* **Generated class histogram** against the target distribution :math:`\pi` (the prior P(C) the samples were
  drawn with; uniform by default): the hard histogram :math:`h_k = \tfrac1M\sum_j \mathbb 1[\arg\max C(x_j) = k]`,
  the soft one :math:`\bar C_k = \tfrac1M\sum_j C(x_j)_k`, the total-variation distance
  :math:`\mathrm{TV}(h, \pi) = \tfrac12\sum_k |h_k - \pi_k|` in [0, 1], and :math:`\mathrm{KL}(\pi \,\|\, \bar C)`
  (the class-coverage term of AM-GAN's AM Score, Eq. 23).

Both are exactly permutation invariant (sums of per-sample indicators).
"""

from __future__ import annotations

import math
import warnings

import torch

from .arrays import as_float64_matrix, as_labels
from .sample_checks import TooFewSamplesWarning, require_at_least
from .scores import kl_divergence


def class_accuracy(probs, target_labels, num_classes: int | None = None) -> tuple[float, list[float]]:
    """Accuracy of the evaluator's argmax on generated samples against their target classes.

    probs (M, K) class probabilities (or logits: only the argmax is used), target_labels (M,) -> (overall,
    per-class list of length K). A class with no generated samples gets NaN and a :class:`TooFewSamplesWarning`.

    Example:
        >>> probs = torch.tensor([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
        >>> class_accuracy(probs, torch.tensor([0, 1, 1]))
        (0.6666666666666666, [1.0, 0.5])
    """
    p = as_float64_matrix(probs, "class probabilities")
    k = p.shape[1] if num_classes is None else num_classes
    y = as_labels(target_labels, p.shape[0], "target labels")
    require_at_least("class accuracy", {"generated": p.shape[0]}, 1, "an accuracy needs a sample")
    hit = (p.argmax(dim=1) == y).double()
    count = torch.zeros(k, dtype=torch.float64).index_add_(0, y, torch.ones_like(hit))
    correct = torch.zeros(k, dtype=torch.float64).index_add_(0, y, hit)
    empty = [c for c in range(k) if count[c] == 0]
    if empty:
        warnings.warn(f"class accuracy: no generated samples for classes {empty}; their accuracy is NaN.",
                      TooFewSamplesWarning, stacklevel=2)
    per_class = [float(correct[c] / count[c]) if count[c] > 0 else math.nan for c in range(k)]
    return float(hit.mean()), per_class


def class_histogram(probs, target_prior=None) -> dict[str, float | list[float]]:
    """Generated class histogram against the target distribution (uniform when ``target_prior`` is None).

    probs (M, K) evaluator probabilities -> dict with ``histogram`` (hard, K), ``soft_histogram`` (K), ``target`` (K),
    ``tv`` = total variation between hard histogram and target, ``kl`` = KL(target || soft histogram) (nats).
    Warns when M < 5 K (the histogram is then mostly sampling noise).

    Example:
        >>> out = class_histogram(torch.eye(4).repeat(5, 1))
        >>> out["histogram"], out["tv"]
        ([0.25, 0.25, 0.25, 0.25], 0.0)
    """
    p = as_float64_matrix(probs, "class probabilities")
    m, k = p.shape
    require_at_least("class histogram", {"generated": m}, 1, "a histogram needs a sample")
    if m < 5 * k:
        warnings.warn(f"class histogram: {m} samples for {k} classes (< 5 per class); the histogram is mostly "
                      f"sampling noise.", TooFewSamplesWarning, stacklevel=2)
    target = torch.full((k,), 1.0 / k, dtype=torch.float64) if target_prior is None else \
        torch.as_tensor(target_prior, dtype=torch.float64).reshape(-1)
    if target.numel() != k or (target < 0).any() or abs(float(target.sum()) - 1.0) > 1e-6:
        raise ValueError(f"target_prior must be a distribution over {k} classes; got {target.tolist()}")
    hard = torch.bincount(p.argmax(dim=1), minlength=k).double() / m
    soft = p.mean(dim=0)
    return {
        "histogram": hard.tolist(),
        "soft_histogram": soft.tolist(),
        "target": target.tolist(),
        "tv": float(0.5 * (hard - target).abs().sum()),
        "kl": float(kl_divergence(target, soft)),
    }
