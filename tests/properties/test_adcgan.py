"""Property tests of the adcgan plugin (Hou et al., ICML 2022): C_d's 2K-way loss restricted to the real-class outputs
is AC-GAN's cross-entropy; G's term is a logit difference; at the optimal C_d the implied discriminator is p/(p + q)
and G's term averages to KL(Q_{X,Y} ‖ P_{X,Y}) (joint matching). Float64."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from condgan.plugins.adcgan import losses as L
from condgan.testing import assert_close
from condgan.testing import strategies as cst

F64 = torch.float64
SETTINGS = settings(deadline=None)

pytestmark = pytest.mark.usefixtures("one_thread")


def interleave(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """``(B, K), (B, K) -> (B, 2K)`` with real class k at 2k and generated class k at 2k + 1 (the authors' layout)."""
    return torch.stack([real, fake], dim=2).flatten(1)


@st.composite
def two_logit_blocks(draw):
    real = draw(cst.logits(batch=(1, 6), classes=(2, 6), bound=10.0))
    fake = draw(cst.logits(batch=(real.shape[0], real.shape[0]), classes=(real.shape[1], real.shape[1]), bound=10.0))
    return real, fake, draw(cst.labels(real.shape[0], real.shape[1]))


@SETTINGS
@given(two_logit_blocks())
def test_real_rows_reduce_to_ac_gan_cross_entropy(inputs):
    """With the generated-class outputs at −∞, −log C_d(y⁺|x) is AC-GAN's K-way cross-entropy −log C(y|x)."""
    real, _, y = inputs
    logits = interleave(real, torch.full_like(real, float("-inf")))
    assert_close(L.adc_discriminator_loss(logits, y, generated=False), F.cross_entropy(real, y, reduction="none"))


@SETTINGS
@given(two_logit_blocks())
def test_generated_rows_reduce_to_cross_entropy_on_generated_outputs(inputs):
    """With the real-class outputs at −∞, −log C_d(y⁻|x) is the K-way cross-entropy of the generated-class outputs."""
    _, fake, y = inputs
    logits = interleave(torch.full_like(fake, float("-inf")), fake)
    assert_close(L.adc_discriminator_loss(logits, y, generated=True), F.cross_entropy(fake, y, reduction="none"))


@SETTINGS
@given(two_logit_blocks())
def test_real_loss_is_ac_gan_plus_the_mass_on_generated_classes(inputs):
    """−log C_d(y⁺|x) = CE_K(real logits, y) + LSE(all 2K) − LSE(real K): the 2K-way loss exceeds AC-GAN's by the log
    of 1 + (generated mass / real mass), the part that makes C_d generator-aware."""
    real, fake, y = inputs
    logits = interleave(real, fake)
    extra = torch.logsumexp(logits, 1) - torch.logsumexp(real, 1)
    assert_close(L.adc_discriminator_loss(logits, y, generated=False), F.cross_entropy(real, y, reduction="none") + extra)


@SETTINGS
@given(two_logit_blocks())
def test_generator_term_is_the_logit_difference(inputs):
    """−log C_d(y⁺|G) + log C_d(y⁻|G) = o_{2y+1} − o_{2y}: the normaliser cancels."""
    real, fake, y = inputs
    logits = interleave(real, fake)
    idx = torch.arange(len(y))
    assert_close(L.adc_generator_loss(logits, y), fake[idx, y] - real[idx, y], scale=10.0)


@st.composite
def joint_distributions(draw):
    """p(x, y) and q(x, y) on N points x K classes: two strictly positive tables summing to 1."""
    n, k = draw(st.integers(1, 5)), draw(st.integers(2, 5))
    p = draw(cst.simplex(min_classes=n * k, max_classes=n * k, spread=4.0)).view(n, k)
    q = draw(cst.simplex(min_classes=n * k, max_classes=n * k, spread=4.0)).view(n, k)
    return p, q


@SETTINGS
@given(joint_distributions(), st.floats(-20.0, 20.0))
def test_optimal_classifier_implies_the_optimal_discriminator(pq, shift):
    """At the optimal C_d (logits log p(x, y) for y⁺ and log q(x, y) for y⁻, up to a constant per x),
    Σ_k C_d(k⁺|x) = p(x) / (p(x) + q(x)), the optimal discriminator of the unconditional GAN."""
    p, q = pq
    logits = interleave(p.log(), q.log()) + shift
    assert_close(L.adc_real_probability(logits), p.sum(1) / (p.sum(1) + q.sum(1)))


@SETTINGS
@given(joint_distributions())
def test_generator_term_at_the_optimal_classifier_is_the_joint_kl(pq):
    """ADC-GAN's theorem: with the optimal C_d, E_{(x,y)~Q} [−log C_d(y⁺|x) + log C_d(y⁻|x)] = KL(Q_{X,Y} ‖ P_{X,Y}),
    so G matches the joint distribution (AC-GAN's G term only sees P(y|x))."""
    p, q = pq
    n, k = p.shape
    logits = interleave(p.log(), q.log()).repeat_interleave(k, 0)  # one row per (x, y) pair
    y = torch.arange(k).repeat(n)
    expected = (q * (q.log() - p.log())).sum()
    assert_close((q.flatten() * L.adc_generator_loss(logits, y)).sum(), expected, scale=10.0)


@SETTINGS
@given(joint_distributions(), cst.logits(batch=(1, 1), classes=(4, 4), bound=1.0))
def test_optimal_classifier_minimises_the_expected_discriminator_loss(pq, noise):
    """The logits (log p, log q) minimise E_P[−log C_d(y⁺|x)] + E_Q[−log C_d(y⁻|x)]: any perturbation does no better."""
    p, q = pq
    n, k = p.shape

    def expected_loss(logits: torch.Tensor) -> torch.Tensor:
        rows = logits.repeat_interleave(k, 0)
        y = torch.arange(k).repeat(n)
        return ((p.flatten() * L.adc_discriminator_loss(rows, y, generated=False)).sum()
                + (q.flatten() * L.adc_discriminator_loss(rows, y, generated=True)).sum())

    best = interleave(p.log(), q.log())
    perturbed = best + noise.flatten().repeat(best.numel())[: best.numel()].view_as(best)
    assert float(expected_loss(best)) <= float(expected_loss(perturbed)) + 1e-9


def test_index_layout_is_interleaved():
    """y⁺ = 2y, y⁻ = 2y + 1 (the authors' ``y * 2`` and ``y * 2 + 1``)."""
    y = torch.tensor([0, 1, 4])
    assert L.adc_index(y, False).tolist() == [0, 2, 8]
    assert L.adc_index(y, True).tolist() == [1, 3, 9]
