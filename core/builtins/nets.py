"""Generic networks: conditional MLPs for vectors (equalized learning rate option) and DCGAN-style conditional
CNNs for images (8x8, 28x28, 32x32, 64x64; discriminator norm none/batch/instance/spectral).

The generator sees ``[z, c]`` (c optionally standardised, as CGPGAN's code does). The discriminator's trunk ends in
features ``(B, F)``; one linear head per entry of ``ctx.heads``.
"""

from __future__ import annotations

import math
from typing import Literal

import attrs
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.parametrizations import spectral_norm

from ..interfaces import BuildContext, Classifier, Discriminator, DiscriminatorOutput, Generator


class EqualizedLinear(nn.Module):
    """Linear layer with equalized learning rate (Karras et al. 2018): W ~ N(0, 1), scaled by sqrt(1/fan_in) at run
    time; zero bias. CGPGAN's MLPs use it."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_features, in_features))
        self.bias = nn.Parameter(torch.zeros(out_features)) if bias else None
        self.scale = 1.0 / math.sqrt(in_features)
        self.in_features, self.out_features = in_features, out_features

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight * self.scale, self.bias)


def _act(name: str) -> nn.Module:
    return {"leaky_relu": nn.LeakyReLU(0.2), "relu": nn.ReLU(), "tanh": nn.Tanh(), "elu": nn.ELU()}[name]


def standardize_onehot(c: Tensor, spec) -> Tensor:
    """Per group of size k: (c - 1/k) / sqrt(1/k (1 - 1/k)), so each input has mean 0 and variance 1 under a uniform prior."""
    parts = []
    for s in spec.slices:
        k = s.stop - s.start
        parts.append((c[:, s] - 1.0 / k) / math.sqrt((1.0 / k) * (1.0 - 1.0 / k)))
    return torch.cat(parts, dim=1)


@attrs.frozen
class MLPParams:
    """A multilayer perceptron: ``layers`` hidden layers of ``hidden`` units."""

    hidden: int = attrs.field(default=512, validator=attrs.validators.ge(1))
    layers: int = attrs.field(default=4, validator=attrs.validators.ge(1))
    activation: Literal["leaky_relu", "relu", "tanh", "elu"] = attrs.field(
        default="leaky_relu", validator=attrs.validators.in_(("leaky_relu", "relu", "tanh", "elu")))
    #: equalized learning rate (CGPGAN's Dense layers)
    equalized_lr: bool = False
    #: spectral norm on every layer (discriminators and classifiers)
    spectral_norm: bool = False
    #: generator input for c: "onehot" as is, or "standardized" (mean 0, variance 1 per group; CGPGAN's code)
    condition_input: Literal["onehot", "standardized", "none"] = attrs.field(
        default="onehot", validator=attrs.validators.in_(("onehot", "standardized", "none")))


def _mlp(in_dim: int, p: MLPParams, out_dim: int | None = None) -> nn.Sequential:
    lin = EqualizedLinear if p.equalized_lr else nn.Linear
    wrap = spectral_norm if p.spectral_norm else (lambda m: m)
    mods: list[nn.Module] = []
    d = in_dim
    for _ in range(p.layers):
        mods += [wrap(lin(d, p.hidden)), _act(p.activation)]
        d = p.hidden
    if out_dim is not None:
        mods.append(wrap(lin(d, out_dim)))
    return nn.Sequential(*mods)


class MLPGenerator(Generator):
    """G([z, c]) -> x of ``ctx.data_shape`` (no output activation: vectors are unbounded)."""

    def __init__(self, params: MLPParams, ctx: BuildContext):
        super().__init__()
        self.params, self.spec, self.shape = params, ctx.spec, tuple(ctx.data_shape)
        c_dim = 0 if params.condition_input == "none" else ctx.num_conditions
        self.net = _mlp(ctx.latent_dim + c_dim, params, math.prod(self.shape))
        self.tanh = ctx.is_image

    def forward(self, z: Tensor, c: Tensor) -> Tensor:
        if self.params.condition_input == "standardized":
            c = standardize_onehot(c, self.spec)
        h = z if self.params.condition_input == "none" else torch.cat([z, c.to(z.dtype)], dim=1)
        x = self.net(h).view(len(z), *self.shape)
        return torch.tanh(x) if self.tanh else x


class MLPDiscriminator(Discriminator):
    """MLP trunk on the flattened input, then one linear head per ``ctx.heads`` entry."""

    def __init__(self, params: MLPParams, ctx: BuildContext):
        super().__init__()
        self.trunk = _mlp(math.prod(ctx.data_shape), params)
        lin = (lambda i, o: EqualizedLinear(i, o)) if params.equalized_lr else nn.Linear
        wrap = spectral_norm if params.spectral_norm else (lambda m: m)
        self.heads = nn.ModuleDict({n: wrap(lin(params.hidden, w)) for n, w in ctx.heads.items()})

    def forward(self, x: Tensor) -> DiscriminatorOutput:
        return self.apply_heads(self.heads, self.trunk(x.flatten(1)))


class MLPClassifier(Classifier):
    """Q(x): MLP on the flattened input -> K logits."""

    def __init__(self, params: MLPParams, ctx: BuildContext):
        super().__init__()
        self.net = _mlp(math.prod(ctx.data_shape), params, ctx.num_conditions)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x.flatten(1))


# ---------------------------------------------------------------------------------------------------------------
def _geometry(size: int) -> tuple[int, int]:
    """(base spatial size, number of 2x up/down-samplings): 28 -> (7, 2), 32 -> (4, 3), 8 -> (4, 1), 64 -> (8, 3)."""
    n, s = 0, size
    while s % 2 == 0 and s // 2 >= 4 and n < 3:
        s //= 2
        n += 1
    return s, n


NORMS = ("none", "batch", "instance", "spectral")


@attrs.frozen
class DCGANParams:
    """DCGAN-style conditional CNN. ``channels`` is the width at full resolution; it doubles per downsampling."""

    channels: int = attrs.field(default=64, validator=attrs.validators.ge(1))
    norm: Literal["none", "batch", "instance", "spectral"] = attrs.field(default="batch", validator=attrs.validators.in_(NORMS))
    #: generator input for c: "onehot" or "standardized"
    condition_input: Literal["onehot", "standardized", "none"] = attrs.field(
        default="onehot", validator=attrs.validators.in_(("onehot", "standardized", "none")))
    dropout: float = attrs.field(default=0.0, validator=[attrs.validators.ge(0.0), attrs.validators.lt(1.0)])


def _norm2d(kind: str, ch: int) -> nn.Module:
    if kind == "batch":
        return nn.BatchNorm2d(ch)
    if kind == "instance":
        return nn.InstanceNorm2d(ch, affine=True)
    return nn.Identity()


class DCGANGenerator(Generator):
    """Linear([z, c]) -> (C·2^n, s, s) -> n x [ConvTranspose 4/2/1, norm, ReLU] -> Conv 3x3 -> tanh."""

    def __init__(self, params: DCGANParams, ctx: BuildContext):
        super().__init__()
        if not ctx.is_image:
            raise ValueError(f"DCGAN networks need image data (C, H, W); the data shape is {ctx.data_shape}. Use core.mlp_g.")
        c_out, h, w = ctx.data_shape
        if h != w:
            raise ValueError(f"DCGAN networks need square images, got {h}x{w}")
        self.params, self.spec = params, ctx.spec
        base, n = _geometry(h)
        self.base, ch = base, params.channels * 2 ** n
        c_dim = 0 if params.condition_input == "none" else ctx.num_conditions
        gnorm = "batch" if params.norm in ("batch", "spectral") else params.norm
        self.fc = nn.Linear(ctx.latent_dim + c_dim, ch * base * base)
        self.fc_norm = _norm2d(gnorm, ch)
        blocks: list[nn.Module] = []
        for _ in range(n):
            blocks += [nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1), _norm2d(gnorm, ch // 2), nn.ReLU()]
            ch //= 2
        self.blocks = nn.Sequential(*blocks)
        self.out = nn.Conv2d(ch, c_out, 3, 1, 1)
        self.ch0 = params.channels * 2 ** n

    def forward(self, z: Tensor, c: Tensor) -> Tensor:
        if self.params.condition_input == "standardized":
            c = standardize_onehot(c, self.spec)
        h = z if self.params.condition_input == "none" else torch.cat([z, c.to(z.dtype)], dim=1)
        h = F.relu(self.fc_norm(self.fc(h).view(len(z), self.ch0, self.base, self.base)))
        return torch.tanh(self.out(self.blocks(h)))


def _conv_trunk(params: DCGANParams, ctx: BuildContext) -> tuple[nn.Sequential, int]:
    c_in, h, w = ctx.data_shape
    base, n = _geometry(h)
    wrap = spectral_norm if params.norm == "spectral" else (lambda m: m)
    layers: list[nn.Module] = [wrap(nn.Conv2d(c_in, params.channels, 3, 1, 1)), nn.LeakyReLU(0.2)]
    ch = params.channels
    for i in range(n):
        layers += [wrap(nn.Conv2d(ch, ch * 2, 4, 2, 1)), _norm2d(params.norm, ch * 2), nn.LeakyReLU(0.2)]
        if params.dropout:
            layers.append(nn.Dropout(params.dropout))
        ch *= 2
    layers.append(nn.Flatten())
    return nn.Sequential(*layers), ch * base * base


class DCGANDiscriminator(Discriminator):
    """Conv 3x3 -> n x [Conv 4/2/1, norm, LeakyReLU] -> flatten -> one linear head per ``ctx.heads`` entry."""

    def __init__(self, params: DCGANParams, ctx: BuildContext):
        super().__init__()
        if not ctx.is_image:
            raise ValueError(f"DCGAN networks need image data (C, H, W); the data shape is {ctx.data_shape}. Use core.mlp_d.")
        self.trunk, feat = _conv_trunk(params, ctx)
        wrap = spectral_norm if params.norm == "spectral" else (lambda m: m)
        self.heads = self.build_heads(feat, ctx.heads, wrap)

    def forward(self, x: Tensor) -> DiscriminatorOutput:
        return self.apply_heads(self.heads, self.trunk(x))


class DCGANClassifier(Classifier):
    """The DCGAN discriminator trunk with a K-way linear output: Q(x)."""

    def __init__(self, params: DCGANParams, ctx: BuildContext):
        super().__init__()
        if not ctx.is_image:
            raise ValueError(f"DCGAN networks need image data (C, H, W); the data shape is {ctx.data_shape}. Use core.mlp_q.")
        self.trunk, feat = _conv_trunk(params, ctx)
        self.out = nn.Linear(feat, ctx.num_conditions)

    def forward(self, x: Tensor) -> Tensor:
        return self.out(self.trunk(x))


NETWORKS = {
    "generators": {
        "mlp_g": (MLPGenerator, MLPParams, "conditional MLP generator G([z, c]) for vector data"),
        "dcgan_g": (DCGANGenerator, DCGANParams, "conditional DCGAN generator for square images (8, 28, 32, 64 px)"),
    },
    "discriminators": {
        "mlp_d": (MLPDiscriminator, MLPParams, "MLP discriminator with the heads the objective asks for"),
        "dcgan_d": (DCGANDiscriminator, DCGANParams, "DCGAN discriminator; norm none/batch/instance/spectral"),
    },
    "classifiers": {
        "mlp_q": (MLPClassifier, MLPParams, "MLP classifier Q(x) -> K logits"),
        "dcgan_q": (DCGANClassifier, DCGANParams, "DCGAN-trunk classifier Q(x) -> K logits"),
    },
}
