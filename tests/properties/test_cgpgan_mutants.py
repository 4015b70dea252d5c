"""Hand-computed values of CGPGAN's priors and losses (condgan.plugins.cgpgan.priors, .losses; Cho 2024, "Training
Self-supervised Class-conditional GANs with Classifier Gradient Penalty and Dynamic Prior"), written to kill the
mutants that issue 15's mutation run (.ci/mutation/run.py) left alive. Each test names the equation it checks."""

from __future__ import annotations

import math

import pytest
import torch

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
    uniform (θ = 0); one group: softmax over all of θ."""
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
