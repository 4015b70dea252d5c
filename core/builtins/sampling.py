"""Generic priors P(C), batch composers and latent samplers."""

from __future__ import annotations

import attrs
import torch
from torch import Tensor

from ..interfaces import BatchComposer, BuildContext, Discriminator, DiscriminatorOutput, LatentSampler, PriorUpdater


@attrs.frozen
class FixedPriorParams:
    """A fixed P(C). ``probs`` empty: uniform within each group; else K non-negative numbers, normalised per group."""

    probs: tuple[float, ...] = ()


def check_probs(probs: tuple[float, ...], spec) -> Tensor:
    p = torch.tensor(probs, dtype=torch.float32)
    if len(p) != spec.num_conditions:
        raise ValueError(f"'probs' has {len(p)} entries but the conditions have K = {spec.num_conditions}")
    if (p < 0).any():
        raise ValueError(f"'probs' must be non-negative, got {list(probs)}")
    for s in spec.slices:
        total = p[s].sum()
        if total <= 0:
            raise ValueError("'probs' must give each condition group a positive total")
        p[s] = p[s] / total
    return p


def uniform_probs(spec) -> Tensor:
    return torch.cat([torch.full((s.stop - s.start,), 1.0 / (s.stop - s.start)) for s in spec.slices])


class FixedPrior(PriorUpdater):
    """P(C) fixed for the whole run (the default: uniform)."""

    def __init__(self, params: FixedPriorParams, ctx: BuildContext):
        super().__init__(ctx.spec)
        p = check_probs(params.probs, ctx.spec) if params.probs else uniform_probs(ctx.spec)
        self.register_buffer("p", p)

    def probs(self) -> Tensor:
        return self.p


@attrs.frozen
class SeparateParams:
    """Real and generated data in separate discriminator forwards. ``fake_ratio`` scales the number of fakes."""

    fake_ratio: float = attrs.field(default=1.0, validator=attrs.validators.gt(0.0))


class SeparateBatches(BatchComposer):
    """The usual GAN step: D(real) and D(fake) as two forwards; B real and round(fake_ratio·B) fake samples."""

    def __init__(self, params: SeparateParams, ctx: BuildContext | None = None):
        super().__init__()
        self.fake_ratio = params.fake_ratio

    def split(self, batch_size: int, step: int, epoch: int) -> tuple[int, int]:
        return batch_size, max(1, round(self.fake_ratio * batch_size))

    def discriminate(self, D: Discriminator, x_real: Tensor, x_fake: Tensor) -> tuple[DiscriminatorOutput, DiscriminatorOutput]:
        return D(x_real), D(x_fake)


@attrs.frozen
class LatentParams:
    """z of ``dim`` dimensions."""

    dim: int = attrs.field(default=64, validator=attrs.validators.ge(1))


class GaussianLatent(LatentSampler):
    """z ~ N(0, I)."""

    def __init__(self, params: LatentParams, ctx: BuildContext | None = None):
        super().__init__()
        self.dim = params.dim

    def sample(self, n: int, device, generator=None) -> Tensor:
        return torch.randn(n, self.dim, device=device, generator=generator)


class UniformLatent(LatentSampler):
    """z ~ U(-1, 1)^dim."""

    def __init__(self, params: LatentParams, ctx: BuildContext | None = None):
        super().__init__()
        self.dim = params.dim

    def sample(self, n: int, device, generator=None) -> Tensor:
        return torch.rand(n, self.dim, device=device, generator=generator).mul_(2).sub_(1)


SAMPLING = {
    "prior_updaters": {"fixed": (FixedPrior, FixedPriorParams, "fixed P(C): uniform or given probabilities")},
    "batch_composers": {"separate": (SeparateBatches, SeparateParams, "real and fake data in separate D forwards")},
    "latent_samplers": {
        "gaussian": (GaussianLatent, LatentParams, "z ~ N(0, I)"),
        "uniform": (UniformLatent, LatentParams, "z ~ U(-1, 1)"),
    },
}
