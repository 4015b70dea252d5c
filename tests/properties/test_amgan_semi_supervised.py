"""AM-GAN Appendix C.1, Eq. 34: the semi-supervised loss H(v(x), D(x)) on unlabeled real data, with v(x) the dynamic
label of Sec. 5.1 (argmax of D's K class logits, all mass on "real"): its value on a hand example, and its relation
to the dynamic target (the same as passing that target; the lowest of the one-hot real targets; Lemma 2's split;
gradient D(x) - v(x), the target carrying none)."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from condgan.plugins.amgan import losses as L

# K = 2 classes + the fake logit
LOGITS = torch.tensor([[2.0, 0.0, 1.0], [0.0, 1.0, -1.0]], dtype=torch.float64)


def test_hand_value():
    """Sample 1: argmax of (2, 0) is class 1, -log softmax(2, 0, 1)_1 = log(1 + e^-2 + e^-1); sample 2: class 2,
    -log softmax(0, 1, -1)_2 = log(e^-1 + 1 + e^-2)."""
    per = L.semi_supervised_loss(LOGITS, reduction="none")
    a = math.log(1 + math.exp(-2) + math.exp(-1))
    b = math.log(math.exp(-1) + 1 + math.exp(-2))
    torch.testing.assert_close(per, torch.tensor([a, b], dtype=torch.float64))
    assert float(L.semi_supervised_loss(LOGITS)) == pytest.approx((a + b) / 2, rel=1e-12)


@given(st.integers(2, 6), st.integers(1, 5), st.integers(0, 2**31 - 1))
def test_default_target_is_the_dynamic_label(k, b, seed):
    logits = torch.randn(b, k + 1, dtype=torch.float64, generator=torch.Generator().manual_seed(seed)) * 2
    per = L.semi_supervised_loss(logits, reduction="none")
    y = L.dynamic_target(logits[:, :-1])
    torch.testing.assert_close(per, L.semi_supervised_loss(logits, y, reduction="none"))
    # the dynamic label is the one-hot real target with the lowest cross-entropy
    for j in range(k):
        other = F.one_hot(torch.full((b,), j), k).to(logits.dtype)
        assert (L.semi_supervised_loss(logits, other, reduction="none") >= per - 1e-12).all()
    # Lemma 2: H(v, D) = H(u(ŷ), R(D)) + H([1, 0], F(D)) (real mass 1)
    terms = L.lemma2_terms(L.kplus1_target(y, 1.0), logits)
    torch.testing.assert_close(per, terms.classifier + terms.real_fake)
    torch.testing.assert_close(terms.real_fake, -torch.log(torch.softmax(logits, -1)[:, :-1].sum(-1)))


def test_gradient_is_probabilities_minus_dynamic_target():
    logits = LOGITS.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(L.semi_supervised_loss(logits, reduction="sum"), logits)
    v = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype=torch.float64)
    torch.testing.assert_close(g, torch.softmax(LOGITS, -1) - v)
