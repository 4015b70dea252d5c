"""AM Score (AM-GAN Eq. 23) on a hand example whose two KL directions differ: KL(C̄^train ‖ C̄^G) is the paper's
(and the authors' score.py); KL(C̄^G ‖ C̄^train) is a different number. Checked for the function on all probabilities
(:func:`am_score_terms`) and for the streaming statistics (:class:`ClassProbabilityStats`), which the evaluation
pipeline uses on batches."""

from __future__ import annotations

import math

import pytest
import torch

from condgan.evaluation.scores import ClassProbabilityStats, am_score, am_score_terms

# generated probabilities: marginal C̄^G = (0.75, 0.25); training marginal C̄^train = (0.5, 0.5)
PROBS = torch.tensor([[0.9, 0.1], [0.9, 0.1], [0.9, 0.1], [0.3, 0.7]], dtype=torch.float64)
TRAIN = torch.tensor([0.5, 0.5], dtype=torch.float64)


def _h(*p):
    return -sum(x * math.log(x) for x in p)


KL_TRAIN_G = 0.5 * math.log(0.5 / 0.75) + 0.5 * math.log(0.5 / 0.25)      # 0.5 ln(4/3) = 0.143841
KL_G_TRAIN = 0.75 * math.log(0.75 / 0.5) + 0.25 * math.log(0.25 / 0.5)     # 0.130812
MEAN_H = (3 * _h(0.9, 0.1) + _h(0.3, 0.7)) / 4


def test_hand_example_distinguishes_the_directions():
    assert abs(KL_TRAIN_G - KL_G_TRAIN) > 0.01


def test_am_score_terms_use_kl_train_given_generated():
    t = am_score_terms(PROBS, TRAIN)
    assert float(t.marginal_kl) == pytest.approx(KL_TRAIN_G, rel=1e-9)
    assert float(t.mean_entropy) == pytest.approx(MEAN_H, rel=1e-9)
    assert float(t.score) == pytest.approx(KL_TRAIN_G + MEAN_H, rel=1e-9)
    assert float(am_score(PROBS, TRAIN)) == pytest.approx(KL_TRAIN_G + MEAN_H, rel=1e-9)


def test_streaming_am_score_uses_kl_train_given_generated():
    s = ClassProbabilityStats.empty(2)
    s.update(PROBS[:1])
    s.update(PROBS[1:])
    t = s.am_score_terms(TRAIN)
    assert float(t.marginal_kl) == pytest.approx(KL_TRAIN_G, rel=1e-9)
    assert float(t.mean_entropy) == pytest.approx(MEAN_H, rel=1e-9)
    assert float(s.am_score(TRAIN)) == pytest.approx(KL_TRAIN_G + MEAN_H, rel=1e-9)
