"""Mutation-killing tests for core/evaluation/clustering.py (issue 15).

Cluster accuracy (the unsupervised accuracy of DEC / IIC with the Hungarian matching, Kuhn 1955; its many-to-one
variants, see the module docstring) against brute force over every admissible category -> class map on small random
labelings, and NMI (Strehl & Ghosh 2002, arithmetic normalisation) against scikit-learn's
``normalized_mutual_info_score``.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
import scipy.optimize  # noqa: F401  (imported once here, before mutmut forks; clustering imports it lazily)
import torch

try:  # imported at collection time, before mutmut forks: the import costs seconds
    from sklearn.metrics import normalized_mutual_info_score
except ImportError:  # pragma: no cover
    normalized_mutual_info_score = None

from condgan.evaluation.clustering import MODES, cluster_accuracy, cluster_mapping, contingency, nmi


def brute_accuracy(t, p, mode):
    """Best fraction of correct samples over all admissible maps category -> class (exhaustive search)."""
    t, p = np.asarray(t), np.asarray(p)
    cats, classes = sorted(set(p.tolist())), sorted(set(t.tolist()))
    best = 0
    if mode == "hungarian":                      # one-to-one; unmatched categories are wrong
        for r in range(len(cats) + 1):
            for sub in itertools.combinations(cats, min(r, len(classes))):
                for cls in itertools.permutations(classes, len(sub)):
                    m = dict(zip(sub, cls))
                    best = max(best, sum(m.get(pi) == ti for pi, ti in zip(p, t)))
    else:
        for cls in itertools.product(classes, repeat=len(cats)):
            m = dict(zip(cats, cls))
            if mode == "hungarian_majority" and len(cats) >= len(classes) and set(cls) != set(classes):
                continue
            if mode == "hungarian_majority" and len(cats) < len(classes) and len(set(cls)) != len(cls):
                continue
            best = max(best, sum(m[pi] == ti for pi, ti in zip(p, t)))
    return best / len(t)


def labelings(seed, n=9, k_true=3, k_pred=4):
    rng = np.random.default_rng(seed)
    return rng.integers(0, k_true, n), rng.integers(0, k_pred, n)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k_pred", [2, 3, 4])
def test_cluster_accuracy_every_mode_equals_brute_force(seed, k_pred):
    t, p = labelings(seed, k_pred=k_pred)
    for mode in MODES:
        assert cluster_accuracy(t, p, mode=mode) == pytest.approx(brute_accuracy(t, p, mode), abs=1e-12), mode
    assert cluster_accuracy(t, p) == cluster_accuracy(t, p, mode="hungarian_majority")
    h, hm, mj = (cluster_accuracy(t, p, mode=m) for m in ("hungarian", "hungarian_majority", "majority"))
    assert h <= hm <= mj


def test_cluster_mapping_hand_examples():
    """A class split over two categories (CGPGAN paper Fig. 7) and two classes merged in one (Fig. 10)."""
    t = [0, 0, 0, 0, 1, 1, 2, 2]
    p = [0, 0, 3, 3, 1, 1, 2, 2]                    # class 0 split over categories 0 and 3
    assert cluster_mapping(t, p) == {0: 0, 1: 1, 2: 2, 3: 0}
    assert cluster_mapping(t, p, mode="majority") == {0: 0, 1: 1, 2: 2, 3: 0}
    hung = cluster_mapping(t, p, mode="hungarian")
    assert len(hung) == 3 and hung[1] == 1 and hung[2] == 2 and sorted(hung) in ([0, 1, 2], [1, 2, 3])
    assert cluster_accuracy(t, p) == 1.0 and cluster_accuracy(t, p, mode="hungarian") == 0.75
    t2, p2 = [0, 0, 1, 1, 2, 2], [0, 0, 0, 0, 1, 1]  # classes 0 and 1 merged in category 0
    assert cluster_accuracy(t2, p2, mode="majority") == pytest.approx(4 / 6)
    assert cluster_accuracy(t2, p2) == pytest.approx(4 / 6)
    # majority ties go to the smallest class index; empty categories (here 1) are absent from the map
    assert cluster_mapping([1, 0, 2, 2], [0, 0, 2, 2], mode="majority") == {0: 0, 2: 2}
    assert cluster_mapping([], []) == {}


def test_cluster_accuracy_renaming_invariance_and_torch_input():
    t, p = labelings(11, n=12, k_pred=5)
    perm = np.array([3, 0, 4, 1, 2])
    for mode in MODES:
        a = cluster_accuracy(torch.as_tensor(t), torch.as_tensor(perm[p]), mode=mode)
        assert a == pytest.approx(cluster_accuracy(t, p, mode=mode), abs=1e-12)


def test_contingency_table():
    n = contingency([0, 1, 1, 2], [1, 1, 0, 1])
    assert n.tolist() == [[0, 1, 0], [1, 1, 1]]
    assert contingency([0.0, 2.0], [1.0, 0.0]).tolist() == [[0, 0, 1], [1, 0, 0]]
    assert contingency([], []).shape == (0, 0)
    assert contingency([0, 0], [0, 0]).tolist() == [[2]]          # one category, one class: a 1 x 1 table
    assert contingency([1], [0]).tolist() == [[0, 1]]


def test_label_validation():
    for bad, msg in (([[0, 1]], "labels must be 1-D"), ([0.5, 1.0], "labels must be integers"),
                     ([-1, 0], "labels must be non-negative")):
        with pytest.raises(ValueError, match=f"^{msg}"):
            contingency(bad, [0, 0])
        with pytest.raises(ValueError, match=f"^{msg}"):
            contingency([0, 0], bad)
    with pytest.raises(ValueError, match="differ in length: 2 vs 3"):
        contingency([0, 1], [0, 1, 1])
    with pytest.raises(ValueError, match="mode must be one of"):
        cluster_accuracy([0], [0], mode="best")
    with pytest.raises(ValueError, match="empty set"):
        cluster_accuracy([], [])
    with pytest.raises(ValueError, match="empty set"):
        nmi([], [])


@pytest.mark.parametrize("seed", range(5))
def test_nmi_matches_sklearn(seed):
    if normalized_mutual_info_score is None:
        pytest.skip("scikit-learn is not installed")
    t, p = labelings(seed, n=15, k_pred=3 + seed % 3)
    assert nmi(t, p) == pytest.approx(normalized_mutual_info_score(t, p), abs=1e-12)
    assert nmi(p, t) == pytest.approx(nmi(t, p), abs=1e-12)


def test_nmi_edge_cases():
    assert nmi([0, 0, 1, 1], [1, 1, 0, 0]) == 1.0
    assert nmi([2, 2, 2], [0, 0, 0]) == 1.0               # both constant
    assert nmi([0, 1, 0, 1], [0, 0, 0, 0]) == 0.0         # one constant: no information
    assert nmi([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(0.0, abs=1e-15)
    h_pred = np.log(3) - (2 / 3) * np.log(2)          # pred is a function of true: I = H(pred)
    assert nmi([0, 0, 1, 1, 2, 2], [0, 0, 1, 1, 1, 1]) == pytest.approx(2 * h_pred / (np.log(3) + h_pred), rel=1e-12)


def test_labels_from_a_tensor_that_requires_grad_are_detached():
    """Torch labels are detached and moved to the CPU before NumPy sees them (a tensor that requires grad, like one on
    a GPU, cannot be read by ``np.asarray`` directly); whole float values are accepted."""
    t = torch.tensor([0.0, 0.0, 1.0, 1.0], requires_grad=True)
    p = torch.tensor([1.0, 1.0, 0.0, 0.0], requires_grad=True)
    assert contingency(t, p).tolist() == [[0, 2], [2, 0]]
    assert cluster_accuracy(t, p) == 1.0 and nmi(t, p) == 1.0


def test_contingency_counts_are_int64():
    """The contingency table holds counts: int64 for integer, float and torch labels alike (an empty table too)."""
    for t, p in (([0, 1, 1], [1, 1, 0]), ([0.0, 1.0], [1.0, 1.0]), (torch.tensor([2, 0]), torch.tensor([0, 0])),
                 ([], [])):
        assert contingency(t, p).dtype == np.int64


def test_cluster_mapping_uses_only_classes_that_occur():
    """Only classes that occur in y_true receive categories (module docstring): with class 1 absent from
    t = [0, 0, 2, 2, 0] and three categories, one-to-one matching leaves category 2 unmatched rather than giving it
    the absent class 1, and hungarian_majority maps it to its majority class 0 (accuracy 1)."""
    t, p = [0, 0, 2, 2, 0], [0, 0, 1, 1, 2]
    assert cluster_mapping(t, p, mode="hungarian") == {0: 0, 1: 2}
    assert cluster_mapping(t, p) == {0: 0, 1: 2, 2: 0}
    assert cluster_accuracy(t, p) == 1.0 and cluster_accuracy(t, p, mode="hungarian") == pytest.approx(0.8)


def test_hungarian_majority_assignment_on_weights_minus_the_majority_count():
    """hungarian_majority maximises Σ_k m_k + Σ_matched (n[k, j] - m_k) (module docstring). Categories: 0 holds two
    class-0 samples, 1 three class-0 samples, 2 one sample of each class. Class 1 must get a category; giving it
    category 2 costs nothing (one hit either way), so the accuracy is (2 + 3 + 1) / 7 = 6/7. Weights n + m instead
    would give class 1 a category it costs hits."""
    t, p = [0, 0, 1, 0, 0, 0, 0], [2, 1, 2, 0, 0, 1, 1]
    assert cluster_mapping(t, p) == {0: 0, 1: 0, 2: 1}
    assert cluster_accuracy(t, p) == pytest.approx(6 / 7)
    assert cluster_accuracy(t, p) == pytest.approx(brute_accuracy(t, p, "hungarian_majority"), abs=1e-12)


def test_nmi_of_a_relabelling_is_exactly_one():
    """NMI(t, π(t)) = 1 for a relabelling π: I = H(true) = H(pred). On this labeling the float ratio I / mean(H)
    rounds to 1 + 2^-52; the result is clamped to [0, 1], so it is exactly 1.0."""
    t = np.array([5, 3, 5, 2, 5, 3, 4, 0, 5, 0, 2, 1, 5])
    perm = np.array([1, 2, 3, 5, 4, 0])
    assert nmi(t, perm[t]) == 1.0


def test_nmi_of_two_constant_labelings_is_one_without_dividing_by_zero():
    """Both labelings constant: H(true) = H(pred) = 0 and NMI is defined as 1 (scikit-learn) by that branch, not by a
    0 / 0 that NumPy warns about."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert nmi([2, 2, 2], [0, 0, 0]) == 1.0
        assert nmi([1], [3]) == 1.0
