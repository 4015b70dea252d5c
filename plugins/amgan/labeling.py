r"""Predefined and dynamic labeling (AM-GAN Sec. 5.1): where a generated sample's target class comes from.

* ``"predefined"`` (class condition): the target y is drawn from the prior and given to the generator,
  G(z, u(y)); the target is u(y). This makes the model a conditional GAN.
* ``"dynamic"``: the generator gets no class (its condition input is all zeros, so G(z, 0) generates from pure noise);
  the target is the class the *current* discriminator finds most probable for that very sample,
  y(x) = argmax_{k≤K} D_k(x) (for AC-GAN-style models: argmax of the auxiliary classifier), recomputed from the
  same forward that scores the sample, with no gradient through it (reference note §2.2:
  ``AM_target_kclass`` written into a non-trainable variable).

Objectives that need no target (GAN, GAN*, LabelGAN) still use the labeling to decide G's input.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor

from condgan import Batch, Models

from .losses import dynamic_target

Labeling = Literal["dynamic", "predefined"]
LABELINGS = ("dynamic", "predefined")


def generator_conditions(m: Models, n: int, labeling: Labeling) -> Tensor:
    """The ``(n, K)`` condition input of G: prior samples (predefined) or zeros (dynamic)."""
    if labeling == "predefined":
        return m.sample_conditions(n)
    return torch.zeros(n, m.spec.num_conditions, device=m.device)


def generate(m: Models, n: int, labeling: Labeling, grad: bool = False) -> Batch:
    """``n`` generated samples with the condition input that ``labeling`` prescribes."""
    return m.generate(n, c=generator_conditions(m, n, labeling), grad=grad)


def targets(labeling: Labeling, fake: Batch, class_logits: Tensor, sharpness: float = 0.0) -> Tensor:
    """The ``(B, K)`` target u(y) of each generated sample.

    predefined: ``fake.c``, the condition G was given. dynamic: :func:`~.losses.dynamic_target` of ``class_logits``,
    the current discriminator's (or auxiliary classifier's) K class logits on these very samples.
    """
    if labeling == "predefined":
        return fake.c.to(class_logits.dtype)
    return dynamic_target(class_logits, sharpness)
