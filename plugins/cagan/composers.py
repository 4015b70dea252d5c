r"""Mixed batch training (CA-GAN, Section 4) as a BatchComposer.

Every discriminator forward holds real and generated samples in the same ratio, so a batch-normalised D cannot
tell real from fake by the batch's condition distribution (and G is not pushed towards the data's condition
distribution instead of its target one).

As the authors' code does it (reference note §4.2), with ``s = floor(r · B)`` real-sample slots::

    forward 0 on concat(real[:s], fake[s:]),   forward 1 on concat(fake[:s], real[s:])
    D(real) = concat(out0[:s], out1[s:]),      D(fake) = concat(out1[:s], out0[s:])

``r = 0.5`` (the paper's "always the same ratio") makes both forwards half real, half fake; ``r = 0`` degenerates
to separate real and fake forwards. The code ramps ``r = min(ratio_per_epoch · epoch, 0.5)`` (0.01 per epoch on
MNIST); that is the option ``ratio_per_epoch``.

>>> mixing_slots(32, epoch=3, ratio=0.5, ratio_per_epoch=0.1)   # ramp: min(0.3, 0.5) * 32
9
"""

from __future__ import annotations

import dataclasses
import math

import attrs
import torch
from torch import Tensor

from condgan import BatchComposer, Discriminator, DiscriminatorOutput


def mixing_slots(batch_size: int, epoch: int, ratio: float = 0.5, ratio_per_epoch: float | None = None) -> int:
    """``s``, the number of real samples in forward 0 (and of generated samples in forward 1).

    Constant: ``floor(ratio · B)``; with the authors' ramp: ``floor(min(ratio_per_epoch · epoch, ratio) · B)``.

    >>> mixing_slots(32, epoch=0)
    16
    """
    r = ratio if ratio_per_epoch is None else min(ratio_per_epoch * epoch, ratio)
    return int(math.floor(r * batch_size + 1e-9))


def cat_outputs(outs: list[DiscriminatorOutput]) -> DiscriminatorOutput:
    """Concatenate discriminator outputs row-wise, head by head (absent heads stay None)."""
    fields = [f.name for f in dataclasses.fields(DiscriminatorOutput)]
    return DiscriminatorOutput(**{
        name: (torch.cat([getattr(o, name) for o in outs]) if getattr(outs[0], name) is not None else None)
        for name in fields
    })


@attrs.frozen
class MixedParams:
    """Mixed batch training (CA-GAN Section 4).

    ratio:            fraction of each discriminator forward that is real data in forward 0 (and generated data in
                      forward 1); 0.5 (default) = every forward half real, half generated, as the paper states.
    ratio_per_epoch:  the authors' code ramps the ratio per epoch, ``min(ratio_per_epoch · epoch, ratio)``
                      (0.01 for MNIST, 0.025 for CelebA); None (default) keeps it constant.
    """

    #: fraction of real rows in forward 0 (generated rows in forward 1); 0.5 = half and half
    ratio: float = attrs.field(default=0.5, validator=[attrs.validators.ge(0.0), attrs.validators.le(0.5)])
    #: the authors' ramp min(ratio_per_epoch * epoch, ratio) (0.01 on MNIST); None = constant
    ratio_per_epoch: float | None = attrs.field(
        default=None, validator=attrs.validators.optional([attrs.validators.ge(0.0), attrs.validators.le(1.0)]))


class MixedBatches(BatchComposer):
    """Two discriminator forwards, each holding real and generated samples in the same ratio (CA-GAN Section 4).

    ``split`` returns ``(B, B)`` and fixes this step's mixing ratio from the epoch; ``discriminate`` then runs the
    two mixed forwards and hands back D's outputs on the real and on the generated rows, in input order.
    """

    #: objectives read this to route the generator's discriminator forward through the composer too
    mixes_batches = True

    def __init__(self, params: MixedParams | None = None, ctx=None):
        super().__init__()
        self.params = params or MixedParams()
        self._epoch = 0

    def ratio(self, epoch: int) -> float:
        p = self.params
        return p.ratio if p.ratio_per_epoch is None else min(p.ratio_per_epoch * epoch, p.ratio)

    def split(self, batch_size: int, step: int, epoch: int) -> tuple[int, int]:
        self._epoch = epoch
        return batch_size, batch_size

    def discriminate(self, D: Discriminator, x_real: Tensor, x_fake: Tensor) -> tuple[DiscriminatorOutput, DiscriminatorOutput]:
        if len(x_real) != len(x_fake):
            raise ValueError(f"mixed batches need as many generated as real samples, got {len(x_real)} real and "
                             f"{len(x_fake)} generated")
        s = mixing_slots(len(x_real), self._epoch, self.params.ratio, self.params.ratio_per_epoch)
        if s == 0:  # ramp not started: separate forwards, as the authors' code does at epoch 0
            return D(x_real), D(x_fake)
        out0 = D(torch.cat([x_real[:s], x_fake[s:]]))
        out1 = D(torch.cat([x_fake[:s], x_real[s:]]))
        return cat_outputs([out0[:s], out1[s:]]), cat_outputs([out1[:s], out0[s:]])


#: local name -> (factory, params, description), registered by the plugin's ``register_batch_composers`` hook
COMPOSERS = {
    "mixed": (MixedBatches, MixedParams,
              "mixed batch training: every D forward holds real and generated data in one ratio (CA-GAN Sec. 4)"),
}
