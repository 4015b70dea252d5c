"""Exact values of CGPGAN's loss functions (plugins/cgpgan/losses.py) and of the EMA prior the training loop updates
(plugins/cgpgan/priors.py), on hand examples: each test fails on a wrong formula, constant, default or branch that
the identities in test_cgpgan.py let through (issue 15's mutants: prob_normalize as a constant 1/K matrix, the
``sum`` branch of ``reduce``, the ``none`` branch of the conditional D loss, the default temperatures, the EMA
update with its weights swapped or doing nothing).
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from condgan.builtins.adversarial import least_squares, non_saturating
from condgan.conditions import ConditionSpec
from condgan.interfaces import BuildContext
from condgan.plugins.cgpgan import losses as L
from condgan.plugins.cgpgan import priors

# --------------------------------------------------------------------------------------------- Eq. 13


def test_prob_normalize_hand_example():
    """Eq. 13, c - batch_average(c) + 1/K: batch average (0.6, 0.3, 0.1), K = 3."""
    c = torch.tensor([[0.7, 0.2, 0.1], [0.5, 0.4, 0.1]])
    expected = torch.tensor([[0.7 - 0.6, 0.2 - 0.3, 0.1 - 0.1], [0.5 - 0.6, 0.4 - 0.3, 0.1 - 0.1]]) + 1 / 3
    torch.testing.assert_close(L.prob_normalize(c), expected)


@given(st.integers(2, 6), st.integers(2, 8), st.integers(0, 2**31 - 1))
def test_prob_normalize_shifts_every_row_by_the_same_vector(k, b, seed):
    """prob_normalize(c) - c is the same vector 1/K - mean(c) for every row, so each row's deviation from the batch
    mean, and the argmax of the rows of a batch of one-hot-like Q outputs, are Q's own (Algorithm 1 lines 9-12)."""
    g = torch.Generator().manual_seed(seed)
    c = F.softmax(3 * torch.randn(b, k, generator=g), dim=1)
    shift = L.prob_normalize(c) - c
    torch.testing.assert_close(shift, shift[:1].expand_as(shift))
    torch.testing.assert_close(shift[0], 1.0 / k - c.mean(0))
    torch.testing.assert_close(L.prob_normalize(c).mean(0), torch.full((k,), 1.0 / k))


# --------------------------------------------------------------------------------------------- reductions


def test_reduce_sum_mean_none():
    v = torch.tensor([1.0, 2.0, 6.0])
    assert float(L.reduce(v, "sum")) == 9.0
    assert float(L.reduce(v, "mean")) == 3.0
    assert torch.equal(L.reduce(v, "none"), v)
    with pytest.raises(ValueError):
        L.reduce(v, "max")


def test_classification_loss_sum_is_batch_times_mean():
    """Eq. 4 with reduction="sum": two samples, -log softmax at the label: log 2 (uniform over 2) + log(1 + e^-2)."""
    logits = torch.tensor([[0.0, 0.0], [2.0, 0.0]])
    c = torch.tensor([[1.0, 0.0], [1.0, 0.0]])
    expected = math.log(2) + math.log(1 + math.exp(-2))
    assert float(L.classification_loss(logits, c, reduction="sum")) == pytest.approx(expected, rel=1e-6)
    assert float(L.classification_loss(logits, c)) == pytest.approx(expected / 2, rel=1e-6)


# --------------------------------------------------------------------------------------------- Eq. 11


def test_conditional_d_loss_per_sample_hand_values():
    """Eq. 11 per sample (reduction="none"), least squares (a=0, b=1): f_r(t) = (t-1)^2 on the real label's output,
    f_g(t) = t^2 on the fake label's output, summed per sample; "mean"/"sum" reduce the real and fake terms."""
    d_real = torch.tensor([[0.5, 3.0], [2.0, -1.0]])
    c_real = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    d_fake = torch.tensor([[0.2, 0.7], [-0.4, 5.0]])
    c_fake = torch.tensor([[0.0, 1.0], [1.0, 0.0]])
    per = L.conditional_d_loss(d_real, c_real, d_fake, c_fake, least_squares(), reduction="none")
    expected = torch.tensor([(0.5 - 1) ** 2 + 0.7 ** 2, (-1 - 1) ** 2 + 0.4 ** 2])
    torch.testing.assert_close(per, expected)
    assert float(L.conditional_d_loss(d_real, c_real, d_fake, c_fake, least_squares(), reduction="sum")) \
        == pytest.approx(float(expected.sum()), rel=1e-6)
    assert float(L.conditional_d_loss(d_real, c_real, d_fake, c_fake, least_squares())) \
        == pytest.approx(float(expected.mean()), rel=1e-6)


def test_conditional_d_loss_none_with_softplus_family():
    """Non-saturating: softplus(-D_y(x)) + softplus(D_y'(x')) per sample."""
    d_real, d_fake = torch.tensor([[1.0, -2.0]]), torch.tensor([[0.5, 3.0]])
    per = L.conditional_d_loss(d_real, torch.tensor([[0.0, 1.0]]), d_fake, torch.tensor([[1.0, 0.0]]),
                               non_saturating(), reduction="none")
    assert per.shape == (1,)
    assert float(per[0]) == pytest.approx(math.log1p(math.exp(2.0)) + math.log1p(math.exp(0.5)), rel=1e-6)


# --------------------------------------------------------------------------------------------- defaults


def test_gumbel_softmax_default_temperature_is_0_1():
    """softmax((log_softmax θ + g) / 0.1) with the same Gumbel noise g (same generator seed)."""
    theta = torch.tensor([0.3, -0.2, 0.1, 0.0])
    out = L.gumbel_softmax_sample(theta, 6, generator=torch.Generator().manual_seed(3))
    g = L.sample_gumbel((6, 4), generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(out, F.softmax((F.log_softmax(theta, -1) + g) / 0.1, dim=-1))
    assert not torch.allclose(out, F.softmax((F.log_softmax(theta, -1) + g) / 0.3, dim=-1), atol=1e-3)


def test_nt_xent_default_temperature_is_0_5():
    """Two orthogonal pairs: each anchor sees its positive at cosine 1 and two negatives at cosine 0, so the loss is
    -log(e^{1/t} / (e^{1/t} + 2)) = log(1 + 2 e^{-1/t}); t = 0.5 gives log(1 + 2 e^-2)."""
    z = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    assert float(L.nt_xent(z, z.clone())) == pytest.approx(math.log(1 + 2 * math.exp(-2.0)), rel=1e-6)
    assert float(L.nt_xent(z, z.clone(), temperature=1.0)) == pytest.approx(math.log(1 + 2 * math.exp(-1.0)), rel=1e-6)
    assert L.nt_xent(z, z.clone(), reduction="none").shape == (4,)


# --------------------------------------------------------------------------------------------- EMA prior


def _ema(k: int = 2, decay: float = 0.9) -> priors.EMAPrior:
    spec = ConditionSpec.single(k)
    ctx = BuildContext(spec=spec, data_shape=(2,), latent_dim=2, heads={})
    return priors.EMAPrior(priors.EMAPriorParams(decay=decay), ctx)


def test_ema_prior_update_hand_value():
    """Algorithm 1 line 25 with decay 0.9: 0.9 (0.5, 0.5) + 0.1 mean((1, 0), (0.6, 0.4)) = (0.53, 0.47)."""
    probs = torch.tensor([[1.0, 0.0], [0.6, 0.4]])
    torch.testing.assert_close(L.ema_prior_update(torch.tensor([0.5, 0.5]), probs, 0.9), torch.tensor([0.53, 0.47]))
    prior = _ema(decay=0.9)
    prior.update(probs)  # the class the training loop calls (core/train.py: m.prior.update)
    torch.testing.assert_close(prior.probs(), torch.tensor([0.53, 0.47]))
    assert int(prior.updates) == 1


def test_ema_prior_converges_geometrically_to_the_data_mean():
    """With the same batch mean m every step, P_n = m + decay^n (P_0 - m): after 10 updates with decay 0.9 the gap
    to m is 0.9^10 = 0.349 of the first one (neither faster, as with swapped weights, nor zero, as with no update)."""
    m = torch.tensor([0.7, 0.2, 0.1])
    batch = torch.tensor([[1.0, 0.0, 0.0], [0.4, 0.4, 0.2]])  # mean m
    prior = _ema(k=3, decay=0.9)
    p0 = prior.probs().clone()
    for n in range(1, 11):
        prior.update(batch)
        torch.testing.assert_close(prior.probs(), m + 0.9 ** n * (p0 - m))
    gap = (prior.probs() - m).abs().sum() / (p0 - m).abs().sum()
    assert float(gap) == pytest.approx(0.9 ** 10, rel=1e-4)
