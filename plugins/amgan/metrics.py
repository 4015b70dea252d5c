"""The intra-class MS-SSIM metric (AM-GAN Table 2) as a registered :class:`~condgan.evaluation.metric.Metric`.

The Inception, Mode and AM Scores (Eqs. 21-23, 38) are the core's (``core.inception_score``, ``core.mode_score``,
``core.am_score``, over :mod:`condgan.evaluation.scores`); this plugin adds only the MS-SSIM detector of intra-class
mode collapse. ``fake_labels`` must be each sample's class: the predefined label, or for dynamic labeling
argmax of the trained D's class logits (``objective.assign_classes``), as the authors do.
"""

from __future__ import annotations

import math
from typing import Literal

import attrs
from attrs import validators as v

from condgan import EvalInputs, Metric

from .msssim import intra_class_ms_ssim


@attrs.frozen
class IntraClassMSSSIMParams:
    """image_shape:    (C, H, W) of a sample; () takes the build context's data_shape, else a square 1-channel image.
    max_per_class:  images per class that form pairs (the authors: 10).
    pairs:          "all" pairs i < j among them, or "mirror" (i, n-1-i): the authors' 5 pairs of 10 images.
    window, sigma:  Gaussian window of MS-SSIM; the number of scales is as many as fit (msssim module docstring):
                    window 7 gives 3 scales on 28x28, window 3 / sigma 0.8 gives 2 scales on 8x8."""

    image_shape: tuple[int, ...] = ()
    max_per_class: int = attrs.field(default=50, validator=v.ge(2))
    pairs: Literal["all", "mirror"] = attrs.field(default="all", validator=v.in_(("all", "mirror")))
    window: int = attrs.field(default=7, validator=v.ge(1))
    sigma: float = attrs.field(default=1.5, validator=v.gt(0.0))


class IntraClassMSSSIM(Metric):
    """Max over classes of the mean MS-SSIM of same-class generated pairs (AM-GAN Table 2); per-class means too.

    High values mean the samples of a class look alike (intra-class mode collapse). Classes with fewer than two
    samples are skipped (NaN in the per-class list)."""

    requires = frozenset({"fake_samples", "fake_labels"})
    keys = ("ms_ssim_max", "ms_ssim_mean")
    higher_is_better = False
    bootstrap = False

    def __init__(self, params: IntraClassMSSSIMParams | None = None, ctx=None):
        super().__init__(params or IntraClassMSSSIMParams(), ctx)

    def _shape(self, d: int) -> tuple[int, int, int]:
        shape = self.params.image_shape or tuple(getattr(self.ctx, "data_shape", ()) or ())
        if len(shape) == 3:
            return tuple(shape)
        side = math.isqrt(d)
        if side * side != d:
            raise ValueError(f"cannot read samples of {d} values as images; set image_shape = [C, H, W]")
        return (1, side, side)

    def compute(self, inputs: EvalInputs):
        p = self.params
        x = inputs.fake_samples
        images = x.reshape(len(x), *self._shape(x[0].numel()))
        per_class, _ = intra_class_ms_ssim(images, inputs.fake_labels, inputs.num_classes,
                                           max_per_class=p.max_per_class, pairs=p.pairs, window=p.window,
                                           sigma=p.sigma)
        return {"ms_ssim_max": float(per_class.nan_to_num(nan=float("-inf")).max()), "ms_ssim_mean": float(per_class.nanmean()),
                "ms_ssim_per_class": [float(t) for t in per_class]}


#: local name -> (factory, params, description), registered by the plugin's ``register_metrics`` hook
METRICS = {
    "intra_class_ms_ssim": (IntraClassMSSSIM, IntraClassMSSSIMParams,
                            "max over classes of the mean MS-SSIM of same-class pairs (AM-GAN Table 2; high = collapse)"),
}
