"""UAC-GAN's networks: MINE statistics networks T(x, c) and the 1-D mixture-of-Gaussians reference G and D.

Statistics networks (``StatisticsNetwork.forward(x, c, features=None) -> (B,)``):

* :class:`ConcatT` (``uacgan.concat_mlp``): T([x, c]) as an MLP (the MoG script's ``use_projection=false``).
* :class:`ProjectionT` (``uacgan.projection``): the projection form the paper's text omits (reference note §1.1)

      T(x, y) = ψ(φ(x)) + v_yᵀ φ(x) (+ c_y)

  ψ a single-output linear layer (it replaces the LogSumExp of the optimal critic
  T* = w_yᵀφ − LSE_k(w_kᵀφ) + log K), v = an embedding (K, F), c_y a per-class scalar. With ``shared_trunk`` φ is
  the discriminator's trunk (``DiscriminatorOutput.features``), as in both of the authors' scripts; otherwise T owns
  an MLP encoder of x. ``softmax = true`` is the authors' ``--softmax_T``: log_softmax(Wφ)[y] + c_y (exact LSE).

The 1-D MoG reference networks (reference note §1.5, TAC-GAN notebook / UAC-GAN MINE script):

* :class:`MoGGenerator` (``uacgan.mog_g``): [z, Embedding(K, 2)(y)] -> Linear(·,10)–Tanh–Linear(10,10)–Tanh–
  Linear(10,10)–Linear(10,1) (``variant = "tac"``) or Linear(·,10)–Tanh–Linear(10,10)–Linear(10,1) (``"mine"``).
* :class:`MoGDiscriminator` (``uacgan.mog_d``): Linear(1,10)–Tanh–Linear(10,10)–Tanh–Linear(10,10) (+ Tanh with
  ``final_tanh``, the MINE script) and one linear head per requested head; features = the encoder output.
"""

from __future__ import annotations

import math
from typing import Literal

import attrs
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from condgan import BuildContext, Discriminator, DiscriminatorOutput, Generator, StatisticsNetwork

INITS = ("default", "xavier", "normal")


def _init_linear(layer: nn.Linear, init: str, std: float = 0.02) -> None:
    """"default": PyTorch's; "xavier": Xavier-uniform weights, zero bias (the authors' T); "normal": N(0, std)
    weights, zero bias (the MINE MoG script's D/T)."""
    if init == "xavier":
        nn.init.xavier_uniform_(layer.weight)
    elif init == "normal":
        nn.init.normal_(layer.weight, 0.0, std)
    else:
        return
    if layer.bias is not None:
        nn.init.zeros_(layer.bias)


def _tanh_mlp(in_dim: int, hidden: int, layers: int, final_act: bool = True) -> nn.Sequential:
    mods: list[nn.Module] = []
    d = in_dim
    for i in range(layers):
        mods.append(nn.Linear(d, hidden))
        if final_act or i < layers - 1:
            mods.append(nn.Tanh())
        d = hidden
    return nn.Sequential(*mods)


# ---------------------------------------------------------------------------------------------------------------
# statistics networks


@attrs.frozen
class ConcatTParams:
    """T([x, c]): ``layers`` x (Linear(hidden) + Tanh), then Linear(1). The reference MoG script uses 3 x 10."""

    hidden: int = attrs.field(default=10, validator=attrs.validators.ge(1))
    layers: int = attrs.field(default=3, validator=attrs.validators.ge(1))
    init: Literal["default", "xavier", "normal"] = attrs.field(default="default", validator=attrs.validators.in_(INITS))


class ConcatT(StatisticsNetwork):
    """T(x, c) = MLP([flatten(x), c]) -> (B,)."""

    uses_features = False

    def __init__(self, params: ConcatTParams, ctx: BuildContext):
        super().__init__()
        self.net = _tanh_mlp(math.prod(ctx.data_shape) + ctx.num_conditions, params.hidden, params.layers)
        self.out = nn.Linear(params.hidden, 1)
        for m in [*self.net, self.out]:
            if isinstance(m, nn.Linear):
                _init_linear(m, params.init)
        self.keep_mine_moving_average()  # MINE's moving average is checkpointed with T

    def forward(self, x: Tensor, c: Tensor, features: Tensor | None = None) -> Tensor:
        return self.out(self.net(torch.cat([x.flatten(1), c.to(x.dtype)], 1))).squeeze(1)


@attrs.frozen
class ProjectionTParams:
    """Projection statistics network T(x, y) = ψ(φ(x)) + v_yᵀφ(x) (+ c_y) (reference note §1.1).

    shared_trunk: φ = the discriminator's trunk features (the authors' default in both scripts); False: T owns an
        MLP encoder of x (``layers`` x Linear(hidden) + Tanh, the MoG script's ``--no_share``).
    feature_dim: width F of φ when shared; 0 takes the width the core measures on the built discriminator
        (``BuildContext.feature_dim``), and lazy layers only when that is unknown (T built outside the core).
    use_cy: add the per-class scalar c_y (the authors' image runs use it; the MoG script does not).
    softmax: the authors' ``--softmax_T``: T = log_softmax(Wφ)[y] (+ c_y) with an exact LogSumExp instead of ψ.
    init: "xavier" (the authors' image T), "normal" (N(0, 0.02), the MoG script) or "default"; needs a known F.
    """

    shared_trunk: bool = True
    feature_dim: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    hidden: int = attrs.field(default=10, validator=attrs.validators.ge(1))
    layers: int = attrs.field(default=3, validator=attrs.validators.ge(1))
    use_cy: bool = False
    softmax: bool = False
    init: Literal["default", "xavier", "normal"] = attrs.field(default="default", validator=attrs.validators.in_(INITS))


class ProjectionT(StatisticsNetwork):
    """T(x, c) = ψ(φ) + <c, Vφ> (+ <c, b>); with ``softmax``: <c, log_softmax(Wφ)> (+ <c, b>). Output (B,)."""

    def __init__(self, params: ProjectionTParams, ctx: BuildContext):
        super().__init__()
        self.params = params
        self.uses_features = params.shared_trunk
        k = ctx.num_conditions
        if params.shared_trunk:
            self.encoder = None
            f = params.feature_dim or (ctx.feature_dim or 0)
            if params.feature_dim and ctx.feature_dim and params.feature_dim != ctx.feature_dim:
                raise ValueError(f"feature_dim = {params.feature_dim}, but the discriminator's trunk features are "
                                 f"{ctx.feature_dim} wide; set feature_dim = {ctx.feature_dim} or leave it at 0")
        else:
            self.encoder = _tanh_mlp(math.prod(ctx.data_shape), params.hidden, params.layers)
            f = params.hidden

        def linear(out: int, bias: bool = True) -> nn.Module:
            return nn.Linear(f, out, bias=bias) if f else nn.LazyLinear(out, bias=bias)

        self.psi = None if params.softmax else linear(1)
        self.proj = linear(k, bias=params.softmax)  # rows are v_y (or W's class rows)
        self.cy = nn.Parameter(torch.zeros(k)) if params.use_cy else None
        if f:
            for m in (self.psi, self.proj):
                if isinstance(m, nn.Linear):
                    _init_linear(m, params.init)
            if self.encoder is not None:
                for m in self.encoder:
                    if isinstance(m, nn.Linear):
                        _init_linear(m, params.init)
        self.keep_mine_moving_average()  # MINE's moving average is checkpointed with T

    def forward(self, x: Tensor, c: Tensor, features: Tensor | None = None) -> Tensor:
        if self.encoder is not None:
            phi = self.encoder(x.flatten(1))
        else:
            if features is None:
                raise ValueError("uacgan.projection with shared_trunk = true needs the discriminator's features; "
                                 "the discriminator must return DiscriminatorOutput.features")
            phi = features
        c = c.to(phi.dtype)
        if self.params.softmax:
            t = (c * F.log_softmax(self.proj(phi), dim=1)).sum(1)
        else:
            t = self.psi(phi).squeeze(1) + (c * self.proj(phi)).sum(1)
        if self.cy is not None:
            t = t + c @ self.cy
        return t


# ---------------------------------------------------------------------------------------------------------------
# 1-D MoG reference networks


@attrs.frozen
class MoGGeneratorParams:
    """The TAC/UAC 1-D MoG generator: [z, Embedding(K, embed_dim)(y)] -> tanh MLP of width ``hidden`` -> 1.

    variant: "tac" (TAC notebook, ``mog_1d.py``: L–Tanh–L–Tanh–L–L) or "mine" (MINE script: L–Tanh–L–L).
    """

    hidden: int = attrs.field(default=10, validator=attrs.validators.ge(1))
    embed_dim: int = attrs.field(default=2, validator=attrs.validators.ge(1))
    variant: Literal["tac", "mine"] = attrs.field(default="tac", validator=attrs.validators.in_(("tac", "mine")))


class MoGGenerator(Generator):
    """G(z, c) -> x of ``ctx.data_shape`` (1-D in the benchmark); the label embedding is c @ E (c one-hot)."""

    def __init__(self, params: MoGGeneratorParams, ctx: BuildContext):
        super().__init__()
        self.shape = tuple(ctx.data_shape)
        self.embed = nn.Linear(ctx.num_conditions, params.embed_dim, bias=False)
        nn.init.normal_(self.embed.weight)  # nn.Embedding's default init
        h, d_in = params.hidden, ctx.latent_dim + params.embed_dim
        if params.variant == "tac":
            mods = [nn.Linear(d_in, h), nn.Tanh(), nn.Linear(h, h), nn.Tanh(), nn.Linear(h, h), nn.Linear(h, math.prod(self.shape))]
        else:
            mods = [nn.Linear(d_in, h), nn.Tanh(), nn.Linear(h, h), nn.Linear(h, math.prod(self.shape))]
        self.net = nn.Sequential(*mods)

    def forward(self, z: Tensor, c: Tensor) -> Tensor:
        return self.net(torch.cat([z, self.embed(c.to(z.dtype))], 1)).view(len(z), *self.shape)


@attrs.frozen
class MoGDiscriminatorParams:
    """The TAC/UAC 1-D MoG discriminator: encoder Linear(d,h)–Tanh–Linear(h,h)–Tanh–Linear(h,h) (+ Tanh with
    ``final_tanh``, the MINE script), then one Linear(h, width) per head. ``init = "normal"`` is the MINE script's
    N(0, 0.02); "default" the TAC notebook's PyTorch init."""

    hidden: int = attrs.field(default=10, validator=attrs.validators.ge(1))
    final_tanh: bool = False
    init: Literal["default", "xavier", "normal"] = attrs.field(default="default", validator=attrs.validators.in_(INITS))


class MoGDiscriminator(Discriminator):
    """D(x) -> DiscriminatorOutput with the requested heads and ``features`` (B, hidden) for a shared-trunk T."""

    def __init__(self, params: MoGDiscriminatorParams, ctx: BuildContext):
        super().__init__()
        h = params.hidden
        mods: list[nn.Module] = [nn.Linear(math.prod(ctx.data_shape), h), nn.Tanh(), nn.Linear(h, h), nn.Tanh(), nn.Linear(h, h)]
        if params.final_tanh:
            mods.append(nn.Tanh())
        self.trunk = nn.Sequential(*mods)
        self.heads = self.build_heads(h, ctx.heads)
        for m in [*self.trunk, *self.heads.values()]:
            if isinstance(m, nn.Linear):
                _init_linear(m, params.init)

    def forward(self, x: Tensor) -> DiscriminatorOutput:
        return self.apply_heads(self.heads, self.trunk(x.flatten(1)))


NETWORKS = {
    "statistics_networks": {
        "concat_mlp": (ConcatT, ConcatTParams, "MINE statistics network T([x, c]) as a tanh MLP"),
        "projection": (ProjectionT, ProjectionTParams,
                       "projection statistics network psi(phi(x)) + v_y.phi(x) (+ c_y), phi shared with D or its own"),
    },
    "generators": {
        "mog_g": (MoGGenerator, MoGGeneratorParams, "the TAC/UAC 1-D mixture-of-Gaussians reference generator"),
    },
    "discriminators": {
        "mog_d": (MoGDiscriminator, MoGDiscriminatorParams, "the TAC/UAC 1-D mixture-of-Gaussians reference discriminator"),
    },
}
