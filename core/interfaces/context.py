"""BuildContext: what a factory knows besides its own parameters."""

from __future__ import annotations

from typing import Any, Mapping

import attrs
import torch

from ..conditions import ConditionSpec


@attrs.frozen
class BuildContext:
    """Passed to every factory as ``factory(params, ctx)``.

    spec:        the condition layout (K = ``spec.num_conditions``)
    data_shape:  shape of one real sample, e.g. ``(1, 28, 28)`` or ``(2,)``
    heads:       for discriminators: the heads the objective needs, name -> width (e.g. ``{"adv": 1, "cls": 10}``)
    latent_dim:  width of the noise vector z given to the generator
    device:      where the component will live
    resolve:     ``resolve(kind, name) -> Entry`` for components that name other components in their params
    feature_dim: for statistics networks and classifiers: the width of the discriminator's trunk features
                 (``DiscriminatorOutput.features``), measured by the core on one sample; None when D returns none
    """

    spec: ConditionSpec
    data_shape: tuple[int, ...]
    heads: Mapping[str, int] = attrs.field(factory=dict)
    latent_dim: int = 64
    device: torch.device = attrs.field(factory=lambda: torch.device("cpu"))
    resolve: Any = None
    feature_dim: int | None = None

    @property
    def num_conditions(self) -> int:
        return self.spec.num_conditions

    @property
    def is_image(self) -> bool:
        return len(self.data_shape) == 3

    def with_heads(self, heads: Mapping[str, int]) -> "BuildContext":
        return attrs.evolve(self, heads=dict(heads))
