"""CGPGAN's losses keep their results on the inputs' device and in their dtype (condgan.plugins.cgpgan.losses; Cho 2024, Eq. 10; the
Gumbel-softmax prior of Elastic-InfoGAN, Jang et al. 2017; NT-Xent, Chen et al. 2020).

The suite runs on the CPU, where a tensor created without ``device=`` lands on the right device by accident. The
inputs here live on PyTorch's ``meta`` device (shapes and dtypes, no data): a tensor created on the CPU instead of
the inputs' device either fails when combined with them or shows in the result's ``device``, as it would on a GPU.
These tests kill the mutants of issue 15's run that drop a ``device=`` argument (listed as equivalent before: they
are equivalent only on a CPU-only machine), and two dtype mutants listed as equivalent that are not (a float32 prior
updated from float64 probabilities; a bfloat16 zero penalty).
"""

from __future__ import annotations

import torch

from condgan.plugins.cgpgan import losses as L

META = torch.device("meta")


def test_eq10_penalty_of_a_classifier_that_ignores_x_is_on_the_inputs_device():
    """Eq. 10 for a Q that does not depend on x' (no graph at all, or a graph that does not reach x'): the zero
    penalty is made on the logits' device, for every reduction."""
    x = torch.zeros(4, 2, device=META, requires_grad=True)
    c = torch.zeros(4, 3, device=META)
    w = torch.zeros(3, device=META, requires_grad=True)
    for logits in (torch.zeros(4, 3, device=META), torch.zeros(4, 3, device=META) + w):
        for reduction, shape in (("mean", ()), ("sum", ()), ("none", (4,))):
            out = L.classifier_gradient_penalty(logits, c, x, reduction)
            assert out.device == META and out.shape == shape


def test_eq10_penalty_through_x_is_on_the_inputs_device():
    x = torch.zeros(4, 2, device=META, requires_grad=True)
    logits = x @ torch.zeros(2, 3, device=META)
    out = L.classifier_gradient_penalty(logits, torch.zeros(4, 3, device=META), x, "none")
    assert out.device == META and out.shape == (4,)


def test_gumbel_noise_and_gumbel_softmax_sample_on_the_prior_logits_device():
    """The Gumbel(0, 1) noise is drawn on the requested device; Elastic-InfoGAN's sample softmax((log_softmax(θ) + g)
    / t) on θ's device, soft and straight-through hard."""
    assert L.sample_gumbel((3, 2), device=META).device == META
    theta = torch.zeros(5, device=META)
    for hard in (False, True):
        s = L.gumbel_softmax_sample(theta, 4, hard=hard)
        assert s.device == META and s.shape == (4, 5)


def test_nt_xent_mask_and_targets_on_the_embeddings_device():
    """NT-Xent (SimCLR): the self-similarity mask and the positive-pair targets are made on the embeddings' device."""
    z1, z2 = torch.zeros(3, 4, device=META), torch.zeros(3, 4, device=META)
    for reduction, shape in (("mean", ()), ("none", (6,))):
        out = L.nt_xent(z1, z2, reduction=reduction)
        assert out.device == META and out.shape == shape


def test_gumbel_noise_is_finite_when_the_uniform_draw_is_exactly_zero():
    """Gumbel(0, 1) noise -log(-log(U + eps) + eps) (Jang et al. 2017, the eps guards log 0): torch.rand returns
    exactly 0 with probability 2^-24 per float32 element; the 2,753,121st draw of seed 1 is one, and the noise there
    is finite (about -3.8), not NaN."""
    g = L.sample_gumbel((2_753_121,), generator=torch.Generator().manual_seed(1))
    u = torch.rand(2_753_121, generator=torch.Generator().manual_seed(1))
    assert float(u[-1]) == 0.0
    assert bool(torch.isfinite(g).all())
    assert float(g[-1]) == float(-torch.log(-torch.log(torch.tensor(1e-20)) + 1e-20))


def test_algorithm1_line25_ema_prior_keeps_the_priors_dtype():
    """Algorithm 1, line 25: P(C) <- decay P(C) + (1 - decay) mean(c'_r) stays in the prior's dtype when Q's
    probabilities come in another (float64 probabilities, float32 prior: float32, the batch mean rounded first)."""
    prior = torch.tensor([0.5, 0.5])
    probs = torch.tensor([[0.9, 0.1], [0.3, 0.7]], dtype=torch.float64)
    out = L.ema_prior_update(prior, probs, decay=0.9)
    assert out.dtype == torch.float32
    assert torch.equal(out, 0.9 * prior + (1.0 - 0.9) * probs.mean(dim=0).float())


def test_eq10_zero_penalty_keeps_the_logits_dtype():
    """Eq. 10 for a Q whose graph does not reach x': the zero penalty has the per-sample values' dtype (bfloat16
    logits give a bfloat16 penalty, not a float32 one)."""
    x = torch.zeros(3, 2, requires_grad=True)
    w = torch.zeros(4, dtype=torch.bfloat16, requires_grad=True)
    logits = torch.zeros(3, 4, dtype=torch.bfloat16) + w
    for reduction in ("none", "mean"):
        out = L.classifier_gradient_penalty(logits, torch.eye(4)[:3].bfloat16(), x, reduction)
        assert out.dtype == torch.bfloat16 and float(out.detach().abs().sum()) == 0.0


def test_gumbel_noise_formula_in_float64():
    """Gumbel(0, 1) noise is -log(-log(U + eps) + eps), eps = 1e-20, exactly. In float32 the inner eps is below the
    resolution of -log(U) for every U < 1, but in float64 (a float64 θ in gumbel_softmax_sample) -log(U) reaches
    1e-16 near U = 1 and the sign of the eps shows (7 of these 100,000 draws)."""
    u = torch.rand(100_000, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    g = L.sample_gumbel((100_000,), dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    assert torch.equal(g, -torch.log(-torch.log(u + 1e-20) + 1e-20))
    assert not torch.equal(g, -torch.log(-torch.log(u + 1e-20) - 1e-20))


def test_eq10_zero_penalty_of_a_saturated_classifier_is_zero_not_nan():
    """Eq. 10 for a Q whose graph does not reach x' and that is certain of the right category: softmax(Q) . c_f = 1
    exactly (logits 100 apart in float32), so (1 - softmax . c_f)^2 = 0 for the sample; the penalty is 0, not the
    0 / 0 of a zero built by dividing by the values."""
    x = torch.zeros(2, 3, requires_grad=True)
    w = torch.zeros(2, requires_grad=True)
    logits = torch.tensor([[100.0, 0.0], [0.0, 0.0]]) + w
    c = torch.tensor([[1.0, 0.0], [1.0, 0.0]])
    out = L.classifier_gradient_penalty(logits, c, x, "none")
    assert out.tolist() == [0.0, 0.0]
