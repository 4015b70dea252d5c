"""The abstract interfaces every component implements. See docs/architecture.md for the data flow."""

from .context import BuildContext
from .networks import (
    Classifier,
    Discriminator,
    DiscriminatorOutput,
    Generator,
    HEAD_NAMES,
    StatisticsNetwork,
)
from .training import (
    Batch,
    BatchComposer,
    DiscriminatorView,
    LatentSampler,
    Models,
    Objective,
    PriorUpdater,
    Regularizer,
    StepOutput,
)

__all__ = [
    "BuildContext",
    "Batch",
    "BatchComposer",
    "Classifier",
    "Discriminator",
    "DiscriminatorOutput",
    "DiscriminatorView",
    "Generator",
    "HEAD_NAMES",
    "LatentSampler",
    "Models",
    "Objective",
    "PriorUpdater",
    "Regularizer",
    "StatisticsNetwork",
    "StepOutput",
]
