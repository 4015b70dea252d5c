r"""Clustering metrics for self-supervised conditional GANs (CGPGAN, InfoGAN): cluster accuracy and NMI.

Pure functions of two integer label arrays of equal length: ``y_true`` (the data's classes) and ``y_pred``
(the category a classifier assigns). The number of categories may exceed the number of classes (CGPGAN keeps
d_c = 16 or 32 categories for 10 digits), so several categories may map to one class.

Cluster accuracy variants (``mode``):

* ``"hungarian"``: one-to-one. The contingency table ``n[k, j]`` (category k, class j) is matched by the
  Hungarian algorithm (``scipy.optimize.linear_sum_assignment``, maximising matched counts); a category left
  without a partner (more categories than classes) counts as wrong. The usual "unsupervised accuracy"
  (e.g. DEC, IIC) when K equals the number of classes.
* ``"majority"``: many-to-one. Every category maps to its most frequent true class (ties: the smallest
  class index). Equals cluster *purity*; it rewards over-segmentation (K = n gives 1.0).
* ``"hungarian_majority"`` (default): many-to-one with every class owning at least one category. Among all maps
  category -> class in which each true class that occurs receives at least one category, the one with the most
  correct samples. It is solved exactly as one assignment problem: with ``m_k = max_j n[k, j]``, accuracy =
  (Σ_k m_k + max over one-to-one matchings of Σ_matched (n[k, j] - m_k)) / N (``linear_sum_assignment`` on
  ``n[k, j] - m_k``); matched categories take their class, the others their majority class. With K <= classes it
  equals ``"hungarian"``; with K > classes a class split in two categories (the paper's Fig. 7: digit 2 in two
  columns) counts fully, while two classes merged into one category (Fig. 10) do not. Its value is unique (the
  optimum of the assignment), so renaming categories cannot change it, and
  hungarian <= hungarian_majority <= majority.

Empty categories (never predicted) are ignored. NMI = I(true; pred) / ((H(true) + H(pred)) / 2), the arithmetic
normalisation (scikit-learn's default ``normalized_mutual_info_score``; the tests compare with it), computed here from
the contingency table in numpy so that importing this module stays cheap (scipy is imported on first use).

>>> cluster_accuracy([0, 0, 1, 1], [1, 1, 0, 0])
1.0
>>> cluster_accuracy([0, 0, 0, 1], [0, 1, 2, 3], mode="hungarian")
0.5
>>> cluster_accuracy([0, 0, 0, 1], [0, 1, 2, 3])
1.0
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["contingency", "cluster_mapping", "cluster_accuracy", "nmi", "MODES"]

MODES = ("hungarian", "majority", "hungarian_majority")


def _as_labels(a) -> np.ndarray:
    """Labels as a 1-D int64 array: a torch tensor is detached and moved to the CPU; float values must be whole."""
    if hasattr(a, "detach"):
        a = a.detach().cpu().numpy()
    a = np.asarray(a)
    if a.ndim != 1:
        raise ValueError(f"labels must be 1-D, got shape {a.shape}")
    if not np.all(np.equal(np.mod(a, 1), 0)):  # always true for integer dtypes and for an empty array
        raise ValueError("labels must be integers")
    if a.size and a.min() < 0:
        raise ValueError("labels must be non-negative")
    return a.astype(np.int64)


def contingency(y_true, y_pred) -> np.ndarray:
    """``n[k, j]`` = how many samples category ``k`` (rows: predicted) holds of class ``j`` (columns: true), int64."""
    t, p = _as_labels(y_true), _as_labels(y_pred)
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred differ in length: {t.shape[0]} vs {p.shape[0]}")
    n = np.zeros((p.max(initial=-1) + 1, t.max(initial=-1) + 1), dtype=np.int64)
    np.add.at(n, (p, t), 1)
    return n


def cluster_mapping(y_true, y_pred, mode: str = "hungarian_majority") -> dict[int, int]:
    """Category -> true class for the chosen ``mode`` (see the module docstring); unmatched categories absent."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    n = contingency(y_true, y_pred)
    used = np.flatnonzero(n.sum(axis=1) > 0)  # categories that were predicted at least once
    classes = np.flatnonzero(n.sum(axis=0) > 0)  # classes that occur
    if used.size == 0:
        return {}
    sub = n[np.ix_(used, classes)]
    best = sub.max(axis=1)
    if mode == "majority":
        return {int(k): int(classes[np.argmax(sub[r])]) for r, k in enumerate(used)}
    from scipy.optimize import linear_sum_assignment

    weights = sub if mode == "hungarian" else sub - best[:, None]
    rows, cols = linear_sum_assignment(weights, maximize=True)
    mapping = {int(used[r]): int(classes[c]) for r, c in zip(rows, cols)}
    if mode == "hungarian_majority":
        for r, k in enumerate(used):
            mapping.setdefault(int(k), int(classes[np.argmax(sub[r])]))
    return mapping


def cluster_accuracy(y_true, y_pred, mode: str = "hungarian_majority") -> float:
    """Fraction of samples whose category maps to their true class under ``cluster_mapping(..., mode)``."""
    t, p = _as_labels(y_true), _as_labels(y_pred)
    if t.size == 0:
        raise ValueError("cluster accuracy of an empty set is undefined")
    n = contingency(t, p)
    mapping = cluster_mapping(t, p, mode)
    hits = sum(int(n[k, j]) for k, j in mapping.items())
    return hits / t.size


def nmi(y_true: Sequence[int], y_pred: Sequence[int]) -> float:
    """Normalised mutual information with arithmetic-mean normalisation, in [0, 1].

    Both labelings constant (zero entropy): 1.0, as scikit-learn.

    >>> nmi([0, 0, 1, 1], [1, 1, 0, 0])
    1.0
    """
    n = contingency(y_true, y_pred).astype(np.float64)
    total = n.sum()
    if total == 0:
        raise ValueError("NMI of an empty set is undefined")
    p = n / total
    pk, pj = p.sum(axis=1), p.sum(axis=0)
    h_pred = -np.sum(pk[pk > 0] * np.log(pk[pk > 0]))
    h_true = -np.sum(pj[pj > 0] * np.log(pj[pj > 0]))
    if h_pred == 0 and h_true == 0:
        return 1.0
    nz = p > 0
    mi = float(np.sum(p[nz] * (np.log(p[nz]) - np.log(np.outer(pk, pj)[nz]))))
    denom = (h_true + h_pred) / 2  # > 0: both entropies are >= 0 and not both 0
    return float(max(0.0, min(1.0, mi / denom)))
