r"""Priors P(C) for self-supervised conditional GANs.

* :class:`EMAPrior` (CGPGAN, Algorithm 1 line 25): starts uniform, and after every step moves towards the batch
  average of Q's probabilities on real data, ``P <- decay P + (1 - decay) mean(c'_r)`` (decay 0.999 in the paper).
  The authors' code updates with the *soft* probabilities, prob-normalised while "early in training" (then the
  batch mean is exactly uniform and P stays uniform).
* :class:`FixedPrior` (InfoGAN, Eqs. 1-6): given probabilities, never updated (the "optimal prior" of Fig. 3).
* :class:`GumbelPrior` (Elastic-InfoGAN): learnable logits θ; generator conditions are Gumbel-softmax samples
  ``softmax((log softmax θ + g)/t)`` (soft, as in the CGPGAN authors' baseline; ``hard=True`` gives straight-
  through one-hots), and θ is trained by its own optimizer (named "prior") on the generator loss.

All work per group of the ConditionSpec (one group in every experiment of the paper).
"""

from __future__ import annotations

import attrs
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from condgan import PriorUpdater

from .losses import ema_prior_update, gumbel_softmax_sample


def _uniform(spec) -> Tensor:
    return torch.cat([torch.full((s.stop - s.start,), 1.0 / (s.stop - s.start)) for s in spec.slices])


@attrs.frozen
class EMAPriorParams:
    """decay: EMA decay of P(C) (paper 0.999); renormalize: re-project onto the simplex after each update, which
    only removes float rounding drift (the update is a convex combination)."""

    decay: float = attrs.field(default=0.999, validator=[attrs.validators.ge(0.0), attrs.validators.lt(1.0)])
    renormalize: bool = True


class EMAPrior(PriorUpdater):
    """CGPGAN's dynamic prior: uniform at first, then an EMA of Q's probabilities on real data."""

    def __init__(self, params: EMAPriorParams, ctx):
        super().__init__(ctx.spec)
        self.params = params
        self.register_buffer("p", _uniform(ctx.spec))
        self.register_buffer("updates", torch.zeros((), dtype=torch.long))

    def probs(self) -> Tensor:
        return self.p

    @torch.no_grad()
    def update(self, class_probs: Tensor) -> None:
        new = self.p.clone()
        for s in self.spec.slices:
            q = ema_prior_update(self.p[s], class_probs[:, s].to(self.p.device), self.params.decay)
            if self.params.renormalize:
                q = q.clamp_min(0)
                q = q / q.sum()
            new[s] = q
        self.p.copy_(new)
        self.updates += 1


@attrs.frozen
class FixedPriorParams:
    """probs: P(C=k) for each category, concatenated over groups, each group summing to 1; empty = uniform."""

    probs: tuple[float, ...] = attrs.field(default=(), converter=tuple)


class FixedPrior(PriorUpdater):
    """A prior that never changes (InfoGAN with a given, e.g. optimal, categorical distribution)."""

    def __init__(self, params: FixedPriorParams, ctx):
        super().__init__(ctx.spec)
        if params.probs:
            p = torch.tensor(params.probs, dtype=torch.float32)
            if p.numel() != ctx.spec.num_conditions:
                raise ValueError(f"fixed prior has {p.numel()} probabilities but the condition spec has "
                                 f"{ctx.spec.num_conditions} categories")
            for s in ctx.spec.slices:
                if (p[s] < 0).any() or abs(float(p[s].sum()) - 1.0) > 1e-4:
                    raise ValueError(f"fixed prior probabilities {p[s].tolist()} must be >= 0 and sum to 1")
        else:
            p = _uniform(ctx.spec)
        self.register_buffer("p", p)

    def probs(self) -> Tensor:
        return self.p


@attrs.frozen
class GumbelPriorParams:
    """temperature: Gumbel-softmax temperature t (Fig. 4 sweeps 0.1, 0.3, 1.0); hard: straight-through one-hot
    samples instead of the soft ones of the authors' baseline; start_epoch: epoch from which the generator loss
    updates θ (before it the prior stays uniform; 30 in the paper's 2-D runs)."""

    temperature: float = attrs.field(default=0.1, validator=attrs.validators.gt(0.0))
    hard: bool = False
    start_epoch: int = attrs.field(default=30, validator=attrs.validators.ge(0))


class GumbelPrior(PriorUpdater):
    """Elastic-InfoGAN's learned prior: ``probs() = softmax(θ)``, θ trained by gradient through Gumbel-softmax."""

    def __init__(self, params: GumbelPriorParams, ctx):
        super().__init__(ctx.spec)
        self.params = params
        self.theta = nn.Parameter(torch.zeros(ctx.spec.num_conditions))  # uniform after the softmax

    def probs(self) -> Tensor:
        if len(self.spec.groups) == 1:  # one group: no slicing and concatenating every step
            return F.softmax(self.theta, dim=0)
        return torch.cat([F.softmax(self.theta[s], dim=0) for s in self.spec.slices])

    def rsample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """``(n, K)`` differentiable Gumbel-softmax samples, one block per group."""
        if len(self.spec.groups) == 1:
            return gumbel_softmax_sample(self.theta, n, self.params.temperature, self.params.hard, generator=generator)
        return torch.cat([gumbel_softmax_sample(self.theta[s], n, self.params.temperature, self.params.hard,
                                                generator=generator) for s in self.spec.slices], dim=1)


#: local name -> (factory, params, description), registered by the plugin's ``register_prior_updaters`` hook
PRIORS = {
    "ema": (EMAPrior, EMAPriorParams,
            "CGPGAN's dynamic P(C): uniform, then an EMA of Q's probabilities on real data (Alg. 1 l. 25)"),
    "gumbel": (GumbelPrior, GumbelPriorParams,
               "Elastic-InfoGAN's learned P(C): Gumbel-softmax samples, logits on optimizer 'prior'"),
}
