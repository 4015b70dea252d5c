"""P2GAN-w's discriminator: any registered discriminator plus the amortised weight λ(x) (``p2gan.weighted_d``).

The authors' P2GAN-w (``dual_proj_type = "ap-sigmoid"``, ``--detach_weight_linear``) computes the logit of the
balance λ(x) = σ(s(x)) with a linear layer on the discriminator's features, *detached*: the weight's loss trains
that layer only, never the trunk, and the layer starts at zero (λ = ½). A linear head of the core's discriminators
would back-propagate into the trunk, so :class:`WeightedDiscriminator` wraps the discriminator named by ``trunk``
(see :class:`condgan.plugins.reacgan.nets.TrunkParams`) and computes the ``cond`` head itself from
``features.detach()``: ``cond`` ``(B, 1)`` is s(x). Every other head comes from the trunk.
"""

from __future__ import annotations

import attrs
import torch
from torch import Tensor, nn

from condgan import BuildContext, Discriminator, DiscriminatorOutput
from condgan.plugins.reacgan.nets import TrunkParams, build_trunk


@attrs.frozen
class WeightedParams(TrunkParams):
    """A discriminator that wraps another registered one and adds λ's logit on its detached features."""

    #: stop the weight's gradient at the trunk's features (the authors' --detach_weight_linear)
    detach: bool = True


class WeightedDiscriminator(Discriminator):
    """The trunk's heads, with ``cond`` = a linear layer on the trunk's (detached) features, zero-initialised."""

    def __init__(self, params: WeightedParams, ctx: BuildContext):
        super().__init__()
        heads = dict(ctx.heads)
        width = heads.pop("cond", None)
        self.detach = params.detach
        self.trunk = build_trunk(params, ctx, heads)
        self.weight_logit = None
        if width:
            self.weight_logit = nn.Linear(_feature_width(self.trunk, ctx), width)
            nn.init.zeros_(self.weight_logit.weight)  # λ = σ(0) = ½ at the start, as the authors' init_weight_zero
            nn.init.zeros_(self.weight_logit.bias)

    def forward(self, x: Tensor) -> DiscriminatorOutput:
        out = self.trunk(x)
        cond = None
        if self.weight_logit is not None:
            h = out.features.flatten(1)
            cond = self.weight_logit(h.detach() if self.detach else h)
        return DiscriminatorOutput(adv=out.adv, cls=out.cls, cond=cond, twin=out.twin, features=out.features)


def _feature_width(trunk: nn.Module, ctx: BuildContext) -> int:
    """The width of the trunk's features on one zero sample (eval mode, no gradient: nothing changes)."""
    was = trunk.training
    trunk.eval()
    with torch.no_grad():
        out = trunk(torch.zeros(1, *ctx.data_shape))
    trunk.train(was)
    if out.features is None:
        raise ValueError("p2gan.weighted_d needs a trunk whose output has features")
    return int(out.features.flatten(1).shape[1])


NETWORKS = {
    "discriminators": {
        "weighted_d": (WeightedDiscriminator, WeightedParams,
                       "any discriminator plus P2GAN-w's weight logit: cond = linear(detached features), zero-initialised"),
    },
}
