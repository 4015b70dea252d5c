"""Property tests of the reacgan plugin (Kang et al., NeurIPS 2021): D2D-CE against a per-sample evaluation of the
paper's equation; its margins clamp as stated (easy samples: a constant loss and no gradient); same-class samples are
not negatives; cosine similarities make it invariant to the embeddings' scale; the authors' negative shift as an
option. Float64."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from condgan.plugins.reacgan import losses as L
from condgan.testing import assert_close
from condgan.testing import strategies as cst

F64 = torch.float64
SETTINGS = settings(deadline=None)

pytestmark = pytest.mark.usefixtures("one_thread")

unit = st.floats(-1.0, 1.0, allow_nan=False)


@st.composite
def d2d_inputs(draw, max_batch: int = 7, max_k: int = 4, max_e: int = 4):
    b, k, e = draw(st.integers(1, max_batch)), draw(st.integers(2, max_k)), draw(st.integers(1, max_e))
    vals = draw(st.lists(st.floats(-3.0, 3.0, allow_nan=False).filter(lambda v: abs(v) > 1e-3), min_size=b * e,
                         max_size=b * e))
    embed = torch.tensor(vals, dtype=F64).view(b, e)
    proxy_sim = torch.tensor(draw(st.lists(unit, min_size=b, max_size=b)), dtype=F64)
    return embed, proxy_sim, draw(cst.labels(b, k))


margins = st.tuples(unit, unit, st.floats(0.1, 2.0))


def equation(embed, proxy_sim, y, m_p, m_n, tau):
    """The paper's D2D-CE evaluated sample by sample with Python floats (the reference for the vectorised loss)."""
    f = [[v / math.sqrt(sum(u * u for u in row)) for v in row] for row in embed.tolist()]
    out = []
    for i in range(len(f)):
        pos = math.exp(min(proxy_sim[i].item() - m_p, 0.0) / tau)
        neg = sum(math.exp(max(sum(a * b for a, b in zip(f[i], f[j])) - m_n, 0.0) / tau)
                  for j in range(len(f)) if int(y[j]) != int(y[i]))
        out.append(-math.log(pos / (pos + neg)))
    return torch.tensor(out, dtype=F64)


@SETTINGS
@given(d2d_inputs(), margins)
def test_d2d_ce_is_the_papers_equation(inputs, m):
    """D2D-CE_i = −log e^{⌊f_iᵀv_y − m_p⌋₋/τ} / (e^{⌊f_iᵀv_y − m_p⌋₋/τ} + Σ_{j: y_j ≠ y_i} e^{⌈f_iᵀf_j − m_n⌉₊/τ})."""
    embed, proxy_sim, y = inputs
    m_p, m_n, tau = m
    got = L.d2d_ce(embed, proxy_sim, y, m_p=m_p, m_n=m_n, temperature=tau)
    assert_close(got, equation(embed, proxy_sim, y, m_p, m_n, tau), scale=100.0)


@SETTINGS
@given(d2d_inputs(), st.floats(0.1, 2.0))
def test_easy_samples_have_a_constant_loss_and_no_gradient(inputs, tau):
    """The margins clamp: with every proxy similarity ≥ m_p and every cross-class similarity ≤ m_n, each loss is
    log(1 + |N(i)|) (both logits clamped to 0) and no input receives a gradient."""
    embed, _, y = inputs
    embed = embed.clone().requires_grad_(True)
    proxy_sim = torch.full((len(y),), 0.99, dtype=F64, requires_grad=True)
    loss = L.d2d_ce(embed, proxy_sim, y, m_p=0.98, m_n=1.0 + 1e-9, temperature=tau)  # every cosine is below m_n
    negatives = (y.view(-1, 1) != y.view(1, -1)).sum(1).to(F64)
    assert_close(loss, torch.log1p(negatives))
    loss.sum().backward()
    assert float(embed.grad.abs().max()) == 0.0 and float(proxy_sim.grad.abs().max()) == 0.0


@SETTINGS
@given(d2d_inputs(), st.floats(0.1, 2.0))
def test_a_pair_inside_the_margins_is_still_pulled_and_pushed(inputs, tau):
    """Without clamping (m_p = 1 > every cosine, m_n = −1 < every cosine) D2D-CE is a softmax cross-entropy whose
    positive logit is (f_iᵀv_y − 1)/τ: d loss_i / d(f_iᵀv_y) = −(1 − softmax_pos)/τ < 0 wherever there are negatives."""
    embed, proxy_sim, y = inputs
    proxy_sim = proxy_sim.clone().clamp(-0.99, 0.99).requires_grad_(True)
    loss = L.d2d_ce(embed, proxy_sim, y, m_p=1.0, m_n=-1.0, temperature=tau)
    f = torch.nn.functional.normalize(embed, dim=1)
    neg = ((f @ f.T + 1.0) / tau).masked_fill(y.view(-1, 1) == y.view(1, -1), float("-inf"))
    pos = (proxy_sim.detach() - 1.0) / tau
    p_pos = torch.softmax(torch.cat([pos[:, None], neg], 1), 1)[:, 0]
    loss.sum().backward()
    assert_close(proxy_sim.grad, -(1.0 - p_pos) / tau)


@SETTINGS
@given(d2d_inputs(), st.integers(0, 6), st.floats(-3.0, 3.0).filter(lambda v: abs(v) > 1e-3), margins)
def test_same_class_samples_are_not_negatives(inputs, j, value, m):
    """False-negative removal: a sample's loss does not depend on the embeddings of other samples of its class."""
    embed, proxy_sim, y = inputs
    m_p, m_n, tau = m
    j = j % len(y)
    before = L.d2d_ce(embed, proxy_sim, y, m_p=m_p, m_n=m_n, temperature=tau)
    moved = embed.clone()
    moved[j] = value
    after = L.d2d_ce(moved, proxy_sim, y, m_p=m_p, m_n=m_n, temperature=tau)
    same = (y == y[j]) & (torch.arange(len(y)) != j)
    assert_close(after[same], before[same])


@SETTINGS
@given(d2d_inputs(), st.lists(st.floats(0.01, 100.0), min_size=7, max_size=7), margins)
def test_embedding_scale_does_not_matter(inputs, scales, m):
    """Cosine similarities: scaling each embedding by a positive factor leaves D2D-CE unchanged."""
    embed, proxy_sim, y = inputs
    m_p, m_n, tau = m
    s = torch.tensor(scales[: len(y)], dtype=F64).view(-1, 1)
    assert_close(L.d2d_ce(embed * s, proxy_sim, y, m_p=m_p, m_n=m_n, temperature=tau),
                 L.d2d_ce(embed, proxy_sim, y, m_p=m_p, m_n=m_n, temperature=tau), scale=100.0)


def authors_form(embed, proxy_sim, y, m_p, tau):
    """The authors' code's arithmetic re-stated (StudioGAN ``Data2DataCrossEntropyLoss``): negatives relu((cos + m_p
    − 1)/τ) minus each row's largest (cos + m_p − 1)/τ over j ≠ i; positive attraction relu((m_p − cos_p)/τ); loss =
    attraction + log(e^{−attraction} + Σ_{j: y_j ≠ y_i} e^{negative})."""
    f = torch.nn.functional.normalize(embed, dim=1)
    sim = (f @ f.T + m_p - 1.0) / tau
    off = ~torch.eye(len(y), dtype=torch.bool)
    row_max = sim.masked_fill(~off, float("-inf")).max(1, keepdim=True).values
    neg = torch.relu(sim) - row_max
    mask = (y.view(-1, 1) != y.view(1, -1)).to(F64)
    attraction = torch.relu((m_p - proxy_sim) / tau)
    return attraction + torch.log(torch.exp(-attraction) + (mask * torch.exp(neg)).sum(1))


@SETTINGS
@given(d2d_inputs(), st.floats(0.5, 0.99), st.floats(0.2, 2.0))
def test_negative_shift_is_the_authors_arithmetic(inputs, m_p, tau):
    """``negative_shift = true`` with m_n = 1 − m_p reproduces the authors' code, which differs from the equation
    whenever the row's largest similarity is not 0 (the shift is not applied to the positive logit)."""
    embed, proxy_sim, y = inputs
    if len(y) < 2:
        return
    got = L.d2d_ce(embed, proxy_sim, y, m_p=m_p, m_n=1.0 - m_p, temperature=tau, negative_shift=True)
    assert_close(got, authors_form(embed, proxy_sim, y, m_p, tau), scale=100.0)


def test_negative_shift_changes_the_value():
    """A concrete batch where the authors' shift and the paper's equation differ (so the option is not a no-op)."""
    embed = torch.tensor([[1.0, 0.0], [1.0, 0.1], [0.0, 1.0]], dtype=F64)
    y = torch.tensor([0, 1, 0])
    s = torch.tensor([0.5, 0.5, 0.5], dtype=F64)
    paper = L.d2d_ce(embed, s, y, m_p=0.98, m_n=0.02, temperature=0.5)
    authors = L.d2d_ce(embed, s, y, m_p=0.98, m_n=0.02, temperature=0.5, negative_shift=True)
    assert float((paper - authors).abs().max()) > 0.1


def test_single_sample_and_no_negatives_give_zero():
    """A sample with no negatives (a batch of one class) has loss 0: only its positive term is in the softmax."""
    embed = torch.randn(3, 4, dtype=F64)
    assert_close(L.d2d_ce(embed, torch.zeros(3, dtype=F64), torch.tensor([2, 2, 2])), torch.zeros(3, dtype=F64))
