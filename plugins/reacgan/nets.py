"""ReACGAN's discriminator: any registered discriminator plus class proxies (``reacgan.proxy_d``).

ReACGAN's D has, besides the adversarial output, a linear embedding f(x) = W φ(x) + b of its features and a table of
class proxies v_1..v_K (the authors' code: ``linear2`` and an ``embedding`` of width ``d_embed_dim``, both normalised).
The core's discriminators have linear heads on φ only, and the cosine f̂ᵀv̂_k needs the proxies' norms, which no
linear head exposes. :class:`ProxyDiscriminator` therefore wraps the discriminator named by ``trunk`` (built with its
own ``trunk_params``, e.g. ``core.dcgan_d`` with ``channels``/``norm``): the trunk builds every head the objective asks
for except ``cond``; ``cls`` (width E) is the embedding f; ``cond`` is computed here as the cosine of f with each
proxy, ``cond[i, k] = cos(f_i, v_k)`` ``(B, K)``. The proxies are a ``(K, E)`` parameter, normal-initialised.
"""

from __future__ import annotations

from typing import Any, Mapping

import attrs
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from condgan import BuildContext, Discriminator, DiscriminatorOutput, component_field, get_component


@attrs.frozen
class TrunkParams:
    """A discriminator that wraps another registered one."""

    #: the wrapped discriminator (see `condgan list discriminators`)
    trunk: str = component_field("discriminators", "core.dcgan_d")
    #: its parameters, as in its own table (e.g. { channels = 32, norm = "spectral" })
    trunk_params: dict[str, Any] = attrs.field(factory=dict)


def build_trunk(params: TrunkParams, ctx: BuildContext, heads: Mapping[str, int]) -> Discriminator:
    """The discriminator ``params.trunk`` built with ``params.trunk_params`` and the given heads."""
    entry = get_component("discriminators", params.trunk)
    known = {f.name for f in attrs.fields(entry.params)} if entry.params is not None else set()
    unknown = sorted(set(params.trunk_params) - known)
    if unknown:
        raise ValueError(f"trunk_params: unknown key(s) {', '.join(unknown)} for discriminator '{params.trunk}'. "
                         f"Valid keys: {', '.join(sorted(known)) or '(none)'}")
    inner = entry.params(**params.trunk_params) if entry.params is not None else None
    return entry.build(inner, ctx.with_heads(heads))


class ProxyDiscriminator(Discriminator):
    """The trunk's heads, with ``cond`` = cosine similarities between the ``cls`` embedding and K class proxies."""

    def __init__(self, params: TrunkParams, ctx: BuildContext):
        super().__init__()
        heads = dict(ctx.heads)
        self.with_proxies = heads.pop("cond", None) is not None
        if self.with_proxies and "cls" not in heads:
            raise ValueError("reacgan.proxy_d computes 'cond' from the 'cls' embedding; the objective must ask for 'cls'")
        self.trunk = build_trunk(params, ctx, heads)
        if self.with_proxies:
            self.proxies = nn.Parameter(torch.randn(ctx.num_conditions, heads["cls"]))

    def forward(self, x: Tensor) -> DiscriminatorOutput:
        out = self.trunk(x)
        cond = None
        if self.with_proxies:
            cond = F.normalize(out.cls, dim=1) @ F.normalize(self.proxies, dim=1).T
        return DiscriminatorOutput(adv=out.adv, cls=out.cls, cond=cond, twin=out.twin, features=out.features)


NETWORKS = {
    "discriminators": {
        "proxy_d": (ProxyDiscriminator, TrunkParams,
                    "any discriminator plus K class proxies: cond = cosine of the cls embedding with each proxy (ReACGAN)"),
    },
}
