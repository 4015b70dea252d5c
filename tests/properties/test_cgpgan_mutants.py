"""Hand-computed values of CGPGAN's priors and losses (condgan.plugins.cgpgan.priors, .losses; Cho 2024, "Training
Self-supervised Class-conditional GANs with Classifier Gradient Penalty and Dynamic Prior"), written to kill the
mutants that issue 15's mutation run (.ci/mutation/run.py) left alive. Each test names the equation it checks."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from condgan.conditions import ConditionSpec, Group
from condgan.plugins.cgpgan import losses as L
from condgan.plugins.cgpgan import priors as P
from condgan.testing.contracts import small_context

TWO_GROUPS = ConditionSpec((Group("a", 2), Group("b", 3)))


def close(actual, expected, tol=1e-6):
    assert actual == pytest.approx(expected, abs=tol), (actual, expected)


# --- priors ------------------------------------------------------------------------------------------------------


def test_algorithm1_line25_ema_prior_starts_uniform_per_group_and_moves_by_one_minus_decay():
    """Algorithm 1 (initialisation and line 25): P(C) starts uniform in every group ([1/2, 1/2 | 1/3, 1/3, 1/3]); one
    update with decay 0.5 and a batch mean [1, 0 | 0, 0, 1] gives [0.75, 0.25 | 1/6, 1/6, 2/3]; ``updates`` counts."""
    prior = P.EMAPrior(P.EMAPriorParams(decay=0.5), small_context("priors", spec=TWO_GROUPS))
    close(prior.probs().tolist(), [0.5, 0.5, 1 / 3, 1 / 3, 1 / 3])
    prior.update(torch.tensor([[1.0, 0.0, 0.0, 0.0, 1.0]]))
    close(prior.probs().tolist(), [0.75, 0.25, 1 / 6, 1 / 6, 2 / 3])
    assert int(prior.updates) == 1
    prior.update(torch.tensor([[0.0, 1.0, 1.0, 0.0, 0.0]]))
    close(prior.probs().tolist(), [0.375, 0.625, 7 / 12, 1 / 12, 1 / 3])
    assert int(prior.updates) == 2
    assert prior.updates.dtype == torch.long  # an exact step count (a float32 one stops counting at 2^24 updates)


def test_algorithm1_line25_renormalize_projects_back_onto_the_simplex():
    """Algorithm 1, line 25 with the authors' prob-normalised (possibly negative) inputs: with ``renormalize`` the
    updated P(C) is clamped at 0 and rescaled to sum 1 per group; without, the raw convex combination is kept.
    Decay 0.5, P = [1/2, 1/2], batch mean [1.5, -0.5] -> raw [1, 0]; mean [3, 1] -> raw [1.75, 0.75] -> [0.7, 0.3]."""
    ctx = small_context("priors", spec=ConditionSpec.single(2))
    on = P.EMAPrior(P.EMAPriorParams(decay=0.5), ctx)
    on.update(torch.tensor([[1.5, -0.5]]))
    close(on.probs().tolist(), [1.0, 0.0])
    on2 = P.EMAPrior(P.EMAPriorParams(decay=0.5), ctx)
    on2.update(torch.tensor([[3.0, 1.0]]))
    close(on2.probs().tolist(), [0.7, 0.3])
    off = P.EMAPrior(P.EMAPriorParams(decay=0.5, renormalize=False), ctx)
    off.update(torch.tensor([[3.0, 1.0]]))
    close(off.probs().tolist(), [1.75, 0.75])
    off.update(torch.tensor([[-3.0, 1.0]]))
    close(off.probs().tolist(), [-0.625, 0.875])
    on3 = P.EMAPrior(P.EMAPriorParams(decay=0.5), ctx)
    on3.update(torch.tensor([[-1.0, 3.0]]))  # raw [-0.25, 1.75]: clamped to [0, 1.75], then [0, 1]
    close(on3.probs().tolist(), [0.0, 1.0])


def test_algorithm1_ema_prior_params_defaults_and_bounds():
    """The paper's decay 0.999 (Algorithm 1), renormalisation on; decay in [0, 1)."""
    p = P.EMAPriorParams()
    assert (p.decay, p.renormalize) == (0.999, True)
    assert P.EMAPriorParams(decay=0.0).decay == 0.0
    for bad in (-0.01, 1.0):
        with pytest.raises(ValueError):
            P.EMAPriorParams(decay=bad)


def test_fixed_prior_infogan_given_probabilities_and_their_checks():
    """The fixed prior of InfoGAN (Eqs. 1-6; the "optimal prior" of Fig. 3): given probabilities kept as given (a 0
    entry allowed; a group sum within 1e-4 of 1 accepted), uniform by default; negative or unnormalised rejected."""
    ctx = small_context("priors", spec=TWO_GROUPS)
    close(P.FixedPrior(P.FixedPriorParams(), ctx).probs().tolist(), [0.5, 0.5, 1 / 3, 1 / 3, 1 / 3])
    assert P.FixedPriorParams().probs == ()
    close(P.FixedPrior(P.FixedPriorParams((1.0, 0.0, 0.2, 0.3, 0.5)), ctx).probs().tolist(), [1.0, 0.0, 0.2, 0.3, 0.5])
    close(P.FixedPrior(P.FixedPriorParams((0.5, 0.5, 0.2, 0.3, 0.50005)), ctx).probs().tolist(),
          [0.5, 0.5, 0.2, 0.3, 0.50005])
    assert P.FixedPrior(P.FixedPriorParams((0.5, 0.5, 0.2, 0.3, 0.50005)), ctx).probs().dtype == torch.float32
    ints = P.FixedPrior(P.FixedPriorParams((0, 1, 0, 0, 1)), ctx)  # one-hot priors written as integers (TOML [0, 1])
    assert ints.probs().dtype == torch.float32 and ints.probs().tolist() == [0.0, 1.0, 0.0, 0.0, 1.0]
    for bad in ((1.1, -0.1, 0.2, 0.3, 0.5), (0.5, 0.5, 0.2, 0.3, 0.5003), (0.5, 0.5, 0.2, 0.3, 0.4997),
                (0.5, 0.5, 1.0), (0.25, 0.25, 0.2, 0.3, 0.5)):
        with pytest.raises(ValueError):
            P.FixedPrior(P.FixedPriorParams(bad), ctx)


def test_elastic_infogan_gumbel_prior_params_defaults_and_bounds():
    """The CGPGAN authors' Elastic-InfoGAN baseline: t = 0.1 (Fig. 4's default), soft samples, θ learned from epoch
    30; t > 0 and start_epoch >= 0."""
    p = P.GumbelPriorParams()
    assert (p.temperature, p.hard, p.start_epoch) == (0.1, False, 30)
    assert P.GumbelPriorParams(start_epoch=0).start_epoch == 0
    for bad in ({"temperature": 0.0}, {"start_epoch": -1}):
        with pytest.raises(ValueError):
            P.GumbelPriorParams(**bad)


def test_elastic_infogan_gumbel_prior_probs_are_softmax_theta_per_group():
    """probs() = softmax(θ) per group: θ = [0, log 3 | 0, log 2, log 5] -> [1/4, 3/4 | 1/8, 2/8, 5/8]; starts
    uniform (θ = 0); one group: softmax over all of θ. The softmax names its dimension (no implicit-dim warning on
    every step)."""
    import warnings

    warnings.simplefilter("error")
    prior = P.GumbelPrior(P.GumbelPriorParams(), small_context("priors", spec=TWO_GROUPS))
    close(prior.probs().tolist(), [0.5, 0.5, 1 / 3, 1 / 3, 1 / 3])
    with torch.no_grad():
        prior.theta.copy_(torch.tensor([0.0, math.log(3), 0.0, math.log(2), math.log(5)]))
    close(prior.probs().tolist(), [0.25, 0.75, 1 / 8, 2 / 8, 5 / 8])
    one = P.GumbelPrior(P.GumbelPriorParams(), small_context("priors", spec=ConditionSpec.single(3)))
    with torch.no_grad():
        one.theta.copy_(torch.tensor([0.0, math.log(2), math.log(5)]))
    close(one.probs().tolist(), [1 / 8, 2 / 8, 5 / 8])


@pytest.mark.parametrize("spec", [ConditionSpec.single(3), TWO_GROUPS])
@pytest.mark.parametrize("hard", [False, True])
def test_elastic_infogan_rsample_is_gumbel_softmax_of_theta_per_group(spec, hard):
    """Elastic-InfoGAN's samples (Jang et al. 2017): softmax((log softmax θ + g)/t) per group with the prior's own
    temperature and hardness, the Gumbel noise drawn from the given generator (recomputed here from the same seed)."""
    prior = P.GumbelPrior(P.GumbelPriorParams(temperature=0.7, hard=hard), small_context("priors", spec=spec))
    with torch.no_grad():
        prior.theta.copy_(torch.linspace(-1.0, 1.0, spec.num_conditions))
    got = prior.rsample(4, generator=torch.Generator().manual_seed(5))
    gen = torch.Generator().manual_seed(5)
    blocks = []
    for s in spec.slices:
        th = prior.theta.detach()[s]
        u = torch.rand((4, s.stop - s.start), generator=gen)
        g = -torch.log(-torch.log(u + 1e-20) + 1e-20)
        soft = torch.softmax((torch.log_softmax(th, -1) + g) / 0.7, -1)
        blocks.append(torch.nn.functional.one_hot(soft.argmax(-1), s.stop - s.start).float() if hard else soft)
    torch.testing.assert_close(got.detach(), torch.cat(blocks, 1))
    assert got.requires_grad


# --- losses ------------------------------------------------------------------------------------------------------

from condgan.builtins.adversarial import hinge, non_saturating  # noqa: E402


def test_eq11_argmax_onehot_dtype_follows_floats_else_float32():
    """Eq. 11's argmax onehot: float64 in -> float64 out, integer in -> float32; ties to the first maximum."""
    assert L.argmax_onehot(torch.tensor([[1.0, 3.0, 3.0]], dtype=torch.float64)).dtype == torch.float64
    out = L.argmax_onehot(torch.tensor([[1, 5, 2]]))
    assert out.dtype == torch.float32 and out.tolist() == [[0.0, 1.0, 0.0]]
    assert L.argmax_onehot(torch.tensor([[1.0, 3.0, 3.0]])).tolist() == [[0.0, 1.0, 0.0]]


def test_eq10_classifier_gradient_penalty_hand_value():
    """Eq. 10: ||∇_x (1 - softmax(Q(x))·c)²||². Q(x) = [x1, 0] (2 classes), c = [1, 0], x = [0, 5]: softmax_0 = 1/2,
    v = (1 - σ(x1))² with ∂v/∂x1 = -2(1 - σ)σ(1 - σ) = -2·(1/2)³ = -1/4 -> penalty 1/16; c = [0, 1]: softmax_1 =
    1 - σ(x1), v = σ², ∂v/∂x1 = 2σ·σ(1 - σ) = 1/4 -> 1/16. Sum over the batch of two: 1/8; 'none' per sample."""
    x = torch.tensor([[0.0, 5.0], [0.0, 5.0]], dtype=torch.float64, requires_grad=True)
    logits = torch.stack([x[:, 0], torch.zeros(2, dtype=torch.float64)], 1)
    c = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    close(L.classifier_gradient_penalty(logits, c, x, "none").detach().tolist(), [1 / 16, 1 / 16], 1e-12)
    close(float(L.classifier_gradient_penalty(logits, c, x, "sum").detach()), 1 / 8, 1e-12)
    close(float(L.classifier_gradient_penalty(logits, c, x).detach()), 1 / 16, 1e-12)
    x2 = torch.tensor([[1.0, 0.0]], dtype=torch.float64, requires_grad=True)  # σ(1): v' = -2(1-σ)²σ
    s = 1 / (1 + math.exp(-1.0))
    lg = torch.stack([x2[:, 0], torch.zeros(1, dtype=torch.float64)], 1)
    close(float(L.classifier_gradient_penalty(lg, c[:1], x2).detach()), (2 * (1 - s) ** 2 * s) ** 2, 1e-12)


def test_eq10_classifier_gradient_penalty_constant_classifier_is_zero_in_every_reduction():
    """Eq. 10 for a Q that does not depend on x (no graph, or a graph that does not reach x): 0, shape by reduction,
    still differentiable where the logits are."""
    x = torch.randn(3, 2, requires_grad=True)
    c = torch.eye(3)
    assert L.classifier_gradient_penalty(torch.zeros(3, 3), c, x, "none").tolist() == [0.0, 0.0, 0.0]
    w = torch.zeros(3, requires_grad=True)
    out = L.classifier_gradient_penalty(w.expand(3, 3) * 1.0, c, x, "none")
    assert out.tolist() == [0.0, 0.0, 0.0] and out.requires_grad
    assert float(L.classifier_gradient_penalty(w.expand(3, 3) * 1.0, c, x, "sum").detach()) == 0.0


def test_sec41_conditional_r2_hand_value_and_reductions():
    """Sec. 4.1: R2 = ||∇_x (D(x)·c_f)||². D(x) = [x·a, x·b] with a = [1, 2], b = [3, 0]: c = [1, 0] -> |a|² = 5,
    c = [0, 1] -> |b|² = 9; mean 7, sum 14, none [5, 9]; constant D -> 0 in the requested shape."""
    x = torch.randn(2, 2, dtype=torch.float64, requires_grad=True)
    d = torch.stack([x @ torch.tensor([1.0, 2.0], dtype=torch.float64), x @ torch.tensor([3.0, 0.0], dtype=torch.float64)], 1)
    c = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    close(L.conditional_r2_penalty(d, c, x, "none").detach().tolist(), [5.0, 9.0], 1e-12)
    close(float(L.conditional_r2_penalty(d, c, x, "sum").detach()), 14.0, 1e-12)
    close(float(L.conditional_r2_penalty(d, c, x).detach()), 7.0, 1e-12)
    assert L.conditional_r2_penalty(torch.ones(2, 2), c, x, "none").tolist() == [0.0, 0.0]


def test_eqs2_5_infogan_d_loss_reductions_by_hand():
    """Eqs. 2, 5 with hinge (Lim & Ye 2017): D(x) = [0, 2], D(G) = [-2, 1]: real relu(1 - t) = [1, 0], fake
    relu(1 + t) = [0, 2]; none [1, 2], mean 0.5 + 1, sum 1 + 2."""
    fam = hinge()
    dr, df = torch.tensor([0.0, 2.0]), torch.tensor([-2.0, 1.0])
    assert L.infogan_d_loss(dr, df, fam, "none").tolist() == [1.0, 2.0]
    assert float(L.infogan_d_loss(dr, df, fam)) == 1.5
    assert float(L.infogan_d_loss(dr, df, fam, "sum")) == 3.0


def test_eq1_infogan_q_loss_is_lambda_times_eq4():
    """Eq. 1: L_q = λ_cls L_cls (λ = 1 by default): logits 0 over 4 classes -> log 4, times λ."""
    logits, c = torch.zeros(2, 4), torch.eye(4)[:2]
    close(float(L.infogan_q_loss(logits, c)), math.log(4))
    close(float(L.infogan_q_loss(logits, c, 2.5)), 2.5 * math.log(4))
    close(float(L.infogan_q_loss(logits, c, 2.0, "sum")), 4 * math.log(4))


def test_gumbel_noise_is_minus_log_minus_log_u():
    """Gumbel(0, 1) = -log(-log U) (Jang et al. 2017), U from the given generator (the eps 1e-20 is below float
    resolution at these U)."""
    u = torch.rand((3, 4), generator=torch.Generator().manual_seed(7))
    got = L.sample_gumbel((3, 4), generator=torch.Generator().manual_seed(7))
    torch.testing.assert_close(got, -torch.log(-torch.log(u)))
    assert L.sample_gumbel((2,), dtype=torch.float64).dtype == torch.float64


def test_elastic_infogan_hard_gumbel_is_straight_through():
    """Straight-through Gumbel-softmax (Jang et al. 2017, Sec. 2.2): forward one-hot of the soft sample's argmax,
    backward the soft sample's gradient."""
    theta = torch.tensor([0.0, 1.0, -1.0], requires_grad=True)
    hard = L.gumbel_softmax_sample(theta, 6, 0.5, hard=True, generator=torch.Generator().manual_seed(1))
    soft = L.gumbel_softmax_sample(theta, 6, 0.5, hard=False, generator=torch.Generator().manual_seed(1))
    assert torch.equal(hard.detach(), F.one_hot(soft.argmax(1), 3).float())
    w = torch.arange(18.0).reshape(6, 3)
    (gh,) = torch.autograd.grad((hard * w).sum(), theta)
    (gs,) = torch.autograd.grad((soft * w).sum(), theta)
    torch.testing.assert_close(gh, gs)


def test_fig11_prior_entropy_and_reported_categories_by_hand():
    """Fig. 11's entropy of P(C) in nats, 0 log 0 = 0, negative entries (prob-normalised drift) counted as 0:
    [1/2, 1/2, 0] -> log 2; [1, -0.1, 0] -> 0. The reported categories are those with P >= 1% (the bound included)."""
    close(float(L.prior_entropy(torch.tensor([0.5, 0.5, 0.0]))), math.log(2))
    assert float(L.prior_entropy(torch.tensor([1.0, -0.1, 0.0]))) == 0.0
    assert L.reported_prior(torch.tensor([0.5, 0.01, 0.0099, 0.4801], dtype=torch.float64)) == (
        [0, 1, 3], [0.5, 0.01, 0.4801])
    assert L.reported_prior(torch.tensor([0.5, 0.3, 0.2]), threshold=0.25)[0] == [0, 1]


def test_standardized_onehot_hand_values():
    """The authors' generator input (c K - 1)/sqrt(K - 1): K = 5, one-hot -> 4/2 = 2 at the class, -1/2 elsewhere;
    K = 1 -> c - 1 (no division by zero)."""
    close(L.standardize_onehot(torch.tensor([[0.0, 1.0, 0.0, 0.0, 0.0]])).tolist()[0], [-0.5, 2.0, -0.5, -0.5, -0.5])
    assert L.standardize_onehot(torch.tensor([[1.0]])).tolist() == [[0.0]]


def test_simclr_nt_xent_hand_value():
    """NT-Xent (Chen et al. 2020, Eq. 1), Elastic-InfoGAN's identity loss: B = 2, z1 = [e1, e2], z2 = [e1, -e2]
    (normalised), t = 1/2: anchor 0's logits over {1, 2, 3} are [0, 2, 0] with positive 2 -> -log(e²/(e² + 2));
    anchor 1: [0, 0, -2], positive 3 (=-2) -> -log(e^-2/(2 + e^-2)); anchors 2, 3 mirror them."""
    z1 = torch.tensor([[2.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    z2 = torch.tensor([[1.0, 0.0], [0.0, -3.0]], dtype=torch.float64)
    e2 = math.exp(2.0)
    a = -math.log(e2 / (e2 + 2))
    b = -math.log(math.exp(-2.0) / (2 + math.exp(-2.0)))
    close(L.nt_xent(z1, z2, reduction="none").tolist(), [a, b, a, b], 1e-12)
    close(float(L.nt_xent(z1, z2)), (a + b) / 2, 1e-12)
    one = -math.log(math.e / (math.e + 2))  # temperature 1: logits [0, 1, 0]
    close(L.nt_xent(z1, z2, temperature=1.0, reduction="none").tolist()[0], one, 1e-12)


def test_eq12_conditional_g_loss_reductions():
    """Eq. 12 with the non-saturating f^g(t) = softplus(-t): D = [[0, 2], [1, 0]], c one-hot [1, 0], [1, 0] ->
    [log 2, softplus(-1)]; sum and none."""
    d, c = torch.tensor([[0.0, 2.0], [1.0, 0.0]], dtype=torch.float64), torch.tensor([[1.0, 0.0], [1.0, 0.0]], dtype=torch.float64)
    per = [math.log(2), math.log1p(math.exp(-1.0))]
    close(L.conditional_g_loss(d, c, non_saturating(), "none").tolist(), per, 1e-12)
    close(float(L.conditional_g_loss(d, c, non_saturating(), "sum")), sum(per), 1e-12)
    close(float(L.conditional_g_loss(d, c, non_saturating())), sum(per) / 2, 1e-12)


# -- the last survivors of the mutation run of plugins/cgpgan/losses.py (the others are listed as equivalent) -------


def test_eqs11_12_inner_is_per_sample_over_the_categories():
    """⟨D(x), c⟩ of Eqs. 11-12 is one value per sample, summed over the K categories (not over the batch)."""
    d = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])  # B = 2, K = 3
    c = torch.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    assert L.inner(d, c).tolist() == [2.0, 6.0]


def test_eq10_classifier_gradient_penalty_of_a_constant_classifier_keeps_float64():
    """Eq. 10 for a Q that does not depend on x is 0 in Q's dtype (float64 stays float64), in both zero branches."""
    x = torch.zeros(2, 3, dtype=torch.float64, requires_grad=True)
    c = torch.eye(2, dtype=torch.float64)
    for logits in (torch.zeros(2, 2, dtype=torch.float64), torch.zeros(2, 2, dtype=torch.float64) + 0 * x.sum()):
        out = L.classifier_gradient_penalty(logits, c, x, reduction="none")
        assert out.dtype == torch.float64 and out.tolist() == [0.0, 0.0]
    other = torch.zeros(2, 3, dtype=torch.float64, requires_grad=True)  # logits from another tensor: grad is None
    out = L.classifier_gradient_penalty(torch.zeros(2, 2, dtype=torch.float64) + 0 * other.sum(), c, x, "none")
    assert out.dtype == torch.float64


def test_elastic_infogan_gumbel_noise_is_drawn_in_the_priors_dtype():
    """softmax((log softmax θ + g) / t) with g ~ Gumbel drawn in θ's dtype: a float64 θ gets float64 noise, the same
    numbers as sample_gumbel(..., dtype=float64) from the same generator."""
    theta = torch.tensor([0.3, -0.2, 0.5], dtype=torch.float64)
    got = L.gumbel_softmax_sample(theta, 4, temperature=0.7, generator=torch.Generator().manual_seed(3))
    g = L.sample_gumbel((4, 3), dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    want = torch.softmax((torch.log_softmax(theta, -1) + g) / 0.7, dim=-1)
    assert got.dtype == torch.float64
    torch.testing.assert_close(got, want, rtol=0, atol=1e-15)


def test_algorithm1_line25_default_decay_is_the_papers_0_999_and_reduce_defaults_to_the_mean():
    """The paper's EMA decay 0.999 is the default of ema_prior_update; the batch reduction defaults to E[.]."""
    prior = torch.tensor([0.5, 0.5])
    probs = torch.tensor([[1.0, 0.0], [1.0, 0.0]])
    torch.testing.assert_close(L.ema_prior_update(prior, probs), torch.tensor([0.5005, 0.4995]))
    assert float(L.reduce(torch.tensor([1.0, 3.0]))) == 2.0
