r"""The CGPGAN paper's networks for 2-D data: MLPs with an equalized learning rate (Section 4.1).

Authors' code (reference note section 3.2): every ``Dense`` has W ~ N(0, 1) scaled at run time by
``sqrt(1 / fan_in)`` and a zero bias (Karras et al. 2018), LeakyReLU(0.2), four hidden layers of 512 units.

* :class:`MLPGenerator`: ``[z, standardize_onehot(c)] -> 4 x (512, lrelu) -> data_dim``
  (the standardised one-hot ``(c d_c - 1)/sqrt(d_c - 1)`` is the authors' input; ``standardize_condition=False``
  feeds the raw one-hot);
* :class:`MLPDiscriminator`: ``x -> 4 x (512, lrelu) ->`` the heads the objective asks for (``cond``: d_c
  outputs for CGPGAN, ``adv``: 1 for InfoGAN);
* :class:`MLPClassifier`: the same trunk with d_c logits (Q does not share layers with D in the paper's runs).

Shapes: ``z: (B, Z)``, ``c: (B, K)``, ``x: (B, D)`` with ``ctx.data_shape == (D,)``.
"""

from __future__ import annotations

import math

import attrs
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from condgan import Classifier, Discriminator, DiscriminatorOutput, Generator

from .losses import standardize_onehot


@attrs.frozen
class MLPParams:
    """width: hidden units (paper 512); depth: hidden layers (paper 4); equalized_lr: scale N(0,1) weights by
    sqrt(1/fan_in) at run time (paper, all weights); negative_slope: LeakyReLU slope (code 0.2);
    standardize_condition: generator only, feed (c d_c - 1)/sqrt(d_c - 1) instead of the one-hot (authors' code)."""

    width: int = attrs.field(default=512, validator=attrs.validators.ge(1))
    depth: int = attrs.field(default=4, validator=attrs.validators.ge(1))
    equalized_lr: bool = True
    negative_slope: float = attrs.field(default=0.2, validator=attrs.validators.ge(0.0))
    standardize_condition: bool = True


class EqualizedLinear(nn.Module):
    """``y = x (g W)^T + b`` with W ~ N(0, 1), g = sqrt(1/fan_in), b = 0 (equalized learning rate).

    With ``equalized=False`` it is a plain layer with the same effective initial weights (N(0, 1/fan_in)).
    """

    def __init__(self, in_features: int, out_features: int, equalized: bool = True):
        super().__init__()
        self.equalized = equalized
        self.scale = math.sqrt(1.0 / in_features) if equalized else 1.0
        std = 1.0 if equalized else math.sqrt(1.0 / in_features)
        self.weight = nn.Parameter(torch.randn(out_features, in_features) * std)
        self.bias = nn.Parameter(torch.zeros(out_features))

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight * self.scale, self.bias)


def _trunk(in_features: int, p: MLPParams) -> nn.Sequential:
    layers, d = [], in_features
    for _ in range(p.depth):
        layers += [EqualizedLinear(d, p.width, p.equalized_lr), nn.LeakyReLU(p.negative_slope)]
        d = p.width
    return nn.Sequential(*layers)


def _flat_dim(shape) -> int:
    return int(math.prod(shape))


class MLPGenerator(Generator):
    """G(z, c) -> x for vector data (the paper's 2-D generator)."""

    def __init__(self, params: MLPParams, ctx):
        super().__init__()
        self.params = params
        self.data_shape = tuple(ctx.data_shape)
        k = ctx.num_conditions
        self.trunk = _trunk(ctx.latent_dim + k, params)
        self.out = EqualizedLinear(params.width, _flat_dim(self.data_shape), params.equalized_lr)

    def forward(self, z: Tensor, c: Tensor) -> Tensor:
        if self.params.standardize_condition:
            c = standardize_onehot(c)
        h = self.trunk(torch.cat([z, c.to(z.dtype)], dim=1))
        return self.out(h).view(-1, *self.data_shape)


class MLPDiscriminator(Discriminator):
    """D(x) -> DiscriminatorOutput with the heads in ``ctx.heads`` (equalized-LR linear heads)."""

    supported_heads = frozenset({"adv", "cls", "cond", "twin"})

    def __init__(self, params: MLPParams, ctx):
        super().__init__()
        heads = dict(ctx.heads) or {"adv": 1}
        self.trunk = _trunk(_flat_dim(ctx.data_shape), params)
        self.heads = nn.ModuleDict({n: EqualizedLinear(params.width, w, params.equalized_lr) for n, w in heads.items()})

    def forward(self, x: Tensor) -> DiscriminatorOutput:
        return self.apply_heads(self.heads, self.trunk(x.flatten(1)))


class MLPClassifier(Classifier):
    """Q(x) -> (B, K) logits, a network of its own (no layers shared with D, as in the paper's 2-D runs)."""

    def __init__(self, params: MLPParams, ctx):
        super().__init__()
        self.trunk = _trunk(_flat_dim(ctx.data_shape), params)
        self.out = EqualizedLinear(params.width, ctx.num_conditions, params.equalized_lr)

    def forward(self, x: Tensor) -> Tensor:
        return self.out(self.trunk(x.flatten(1)))


#: kind -> local name -> (factory, params, description), registered by the plugin's network hooks
NETWORKS = {
    "generators": {"mlp": (MLPGenerator, MLPParams,
                           "CGPGAN 2-D generator: [z, standardised one-hot] -> 4x512 equalized-LR lrelu MLP")},
    "discriminators": {"mlp": (MLPDiscriminator, MLPParams,
                               "CGPGAN 2-D discriminator: 4x512 equalized-LR lrelu MLP with the requested heads")},
    "classifiers": {"mlp": (MLPClassifier, MLPParams, "CGPGAN 2-D classifier Q: 4x512 equalized-LR lrelu MLP, d_c logits")},
}
