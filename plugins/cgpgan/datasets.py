"""Unlabeled views of core datasets with d_c categories, for self-supervised objectives (CGPGAN, InfoGAN).

The number of categories d_c (16 for the 2-D clusters, 32 for MNIST in the paper) is the generator's and the
classifier's width and has nothing to do with the data's classes. Until the core lets an objective choose it
(request in .requests/cgpgan.md) these wrappers set ``spec = ConditionSpec.single(categories)`` and
``labeled = False`` (the objective never sees labels); the true labels stay in ``y`` for evaluation (cluster
accuracy, NMI), so ``categories`` must be at least the number of true classes.
"""

from __future__ import annotations

import attrs

from condgan import ConditionSpec, Dataset, get_component

_v = attrs.validators

#: centres of the four clusters: the authors' code (first centre (-1, 1)) and the paper's Fig. 1 caption ((-1, 2))
CODE_CENTERS = ((-1.0, 1.0), (0.0, -2.0), (1.0, -1.0), (2.0, 1.0))
PAPER_CENTERS = ((-1.0, 2.0), (0.0, -2.0), (1.0, -1.0), (2.0, 1.0))


def unlabeled(ds: Dataset, categories: int) -> Dataset:
    """``ds`` with d_c = ``categories`` conditions, no labels for training, true labels kept in ``y``."""
    classes = ds.spec.num_conditions
    if not ds.spec.is_single:
        raise ValueError("unlabeled views need a dataset with a single label group")
    if categories < classes:
        raise ValueError(f"categories = {categories} is below the {classes} true classes of '{ds.name}'; the true "
                         f"labels are kept for evaluation, so use categories >= {classes}")
    spec = ConditionSpec.single(categories, name="category")
    test = unlabeled(ds.test, categories) if ds.test is not None else None
    info = {**ds.info, "true_classes": classes, "class_labels": list(ds.spec.groups[0].labels)}
    return Dataset(ds.name + ":unlabeled", ds.x, ds.y, spec, test=test, labeled=False, info=info)


@attrs.frozen
class ClustersParams:
    """CGPGAN's four 2-D Gaussian clusters (Section 4.1), unlabeled, with d_c categories.

    categories: d_c (paper 16); paper_centers: use the paper's first centre (-1, 2) instead of the authors' code
    value (-1, 1); probs, std: cluster probabilities and standard deviation; n: training points; seed."""

    categories: int = attrs.field(default=16, validator=_v.ge(1))
    paper_centers: bool = False
    probs: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4)
    std: float = attrs.field(default=0.3, validator=_v.gt(0.0))
    n: int = attrs.field(default=20000, validator=_v.ge(16))
    seed: int = 0


def clusters(params: ClustersParams, ctx=None) -> Dataset:
    core = get_component("datasets", "core.gaussian_clusters")
    base = core.build(core.params(centers=PAPER_CENTERS if params.paper_centers else CODE_CENTERS, probs=params.probs,
                                  std=params.std, n=params.n, seed=params.seed))
    return unlabeled(base, params.categories)


@attrs.frozen
class DigitsParams:
    """scikit-learn's 8x8 digits, unlabeled, with d_c categories (>= 10); test_fraction held out."""

    categories: int = attrs.field(default=16, validator=_v.ge(1))
    test_fraction: float = attrs.field(default=0.2, validator=[_v.ge(0.0), _v.lt(1.0)])
    seed: int = 0


def digits(params: DigitsParams, ctx=None) -> Dataset:
    core = get_component("datasets", "core.digits")
    base = core.build(core.params(test_fraction=params.test_fraction, seed=params.seed))
    return unlabeled(base, params.categories)


DATASETS = {
    "clusters": (clusters, ClustersParams, "CGPGAN's four 2-D Gaussian clusters, unlabeled, d_c categories"),
    "digits": (digits, DigitsParams, "8x8 digits, unlabeled, d_c categories (true labels kept for evaluation)"),
}
