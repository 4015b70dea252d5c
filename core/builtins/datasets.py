"""Registered datasets. Each factory is ``factory(params, ctx=None) -> condgan.data.Dataset``.

Every image dataset takes ``class_counts`` (per-class sample counts, e.g. 5500 of class 0 and 500 of each other class
for CA-GAN's imbalanced set) and ``limit`` (first n samples, for quick runs).
"""

from __future__ import annotations

import attrs
import torch

from .. import data as D
from ..conditions import ConditionSpec


def _v():
    return attrs.validators


@attrs.frozen
class ImageDataParams:
    """Image datasets read from disk; nothing is downloaded."""

    #: folder with the files ("" searches the default places, e.g. the Debian package for Fashion-MNIST)
    root: str = ""
    #: per-class sample counts for an imbalanced subset ([] keeps everything)
    class_counts: tuple[int, ...] = ()
    #: keep only the first n training samples (0 keeps all)
    limit: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    seed: int = 0


def _finish(name, x, y, test, p: ImageDataParams, labels=()) -> D.Dataset:
    if p.class_counts:
        x, y = D.subset_per_class(x, y, list(p.class_counts), p.seed, name)
    if p.limit:
        x, y = x[:p.limit], y[:p.limit]
    k = int(max(y.max(), test[1].max() if test else 0)) + 1
    spec = ConditionSpec.single(k, labels)
    test_ds = D.Dataset(name + ":test", test[0], test[1], spec) if test else None
    return D.Dataset(name, x, y, spec, test=test_ds)


def fashion_mnist(params: ImageDataParams, ctx=None) -> D.Dataset:
    x, y = D.fashion_mnist(params.root, "train")
    test = D.fashion_mnist(params.root, "test")
    return _finish("fashion_mnist", x, y, test, params, D.FASHION_LABELS)


def mnist(params: ImageDataParams, ctx=None) -> D.Dataset:
    return _finish("mnist", *D.mnist(params.root, "train"), D.mnist(params.root, "test"), params, tuple(map(str, range(10))))


def cifar10(params: ImageDataParams, ctx=None) -> D.Dataset:
    labels = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
    return _finish("cifar10", *D.cifar10(params.root, "train"), D.cifar10(params.root, "test"), params, labels)


@attrs.frozen
class DigitsParams:
    """scikit-learn's 8x8 digits (ships with the package). ``test_fraction`` is held out, stratified by a seed."""

    test_fraction: float = attrs.field(default=0.2, validator=[attrs.validators.ge(0.0), attrs.validators.lt(1.0)])
    class_counts: tuple[int, ...] = ()
    limit: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    seed: int = 0


def digits(params: DigitsParams, ctx=None) -> D.Dataset:
    x, y = D.digits()
    g = torch.Generator().manual_seed(12345)
    perm = torch.randperm(len(x), generator=g)
    n_test = int(round(len(x) * params.test_fraction))
    test = (x[perm[:n_test]], y[perm[:n_test]]) if n_test else None
    x, y = x[perm[n_test:]], y[perm[n_test:]]
    p = ImageDataParams(class_counts=params.class_counts, limit=params.limit, seed=params.seed)
    return _finish("digits", x, y, test, p, tuple(map(str, range(10))))


@attrs.frozen
class DigitsAttributesParams:
    """8x8 digits with two binary attribute groups: ``odd`` (digit is odd) and ``large`` (digit >= 5).

    The CA-GAN multi-attribute example: every combination of [odd, not-odd] x [large, not-large] occurs.
    """

    test_fraction: float = attrs.field(default=0.2, validator=[attrs.validators.ge(0.0), attrs.validators.lt(1.0)])


def digits_attributes(params: DigitsAttributesParams, ctx=None) -> D.Dataset:
    base = digits(DigitsParams(test_fraction=params.test_fraction))

    def attrs_of(ds):
        d = ds.y[:, 0]
        # group value 0 means the attribute holds ([a, not-a] encoding)
        return torch.stack([(d % 2 == 0).long(), (d < 5).long()], dim=1)

    spec = ConditionSpec.binary(("odd", "large"))
    test = D.Dataset("digits_attributes:test", base.test.x, attrs_of(base.test), spec) if base.test else None
    return D.Dataset("digits_attributes", base.x, attrs_of(base), spec, test=test, info={"digit": base.y[:, 0]})


@attrs.frozen
class ImageFolderParams:
    """A folder with one sub-folder per class, loaded into memory at ``size`` x ``size``."""

    root: str = ""
    size: int = attrs.field(default=32, validator=attrs.validators.ge(4))
    channels: int = attrs.field(default=3, validator=attrs.validators.in_((1, 3)))
    class_counts: tuple[int, ...] = ()
    limit: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    seed: int = 0


def image_folder(params: ImageFolderParams, ctx=None) -> D.Dataset:
    x, y, classes = D.image_folder(params.root, params.size, params.channels)
    p = ImageDataParams(class_counts=params.class_counts, limit=params.limit, seed=params.seed)
    return _finish("image_folder", x, y, None, p, classes)


@attrs.frozen
class GaussianClustersParams:
    """2-D Gaussian clusters. Defaults: CGPGAN's four clusters (authors' code: first centre (-1, 1); the paper's
    Fig. 1 caption says (-1, 2))."""

    centers: tuple[tuple[float, float], ...] = ((-1.0, 1.0), (0.0, -2.0), (1.0, -1.0), (2.0, 1.0))
    probs: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4)
    std: float = attrs.field(default=0.3, validator=attrs.validators.gt(0.0))
    n: int = attrs.field(default=20000, validator=attrs.validators.ge(16))
    seed: int = 0

    def __attrs_post_init__(self):
        if len(self.centers) != len(self.probs):
            raise ValueError(f"'probs' has {len(self.probs)} entries but there are {len(self.centers)} centers")
        if any(p < 0 for p in self.probs) or abs(sum(self.probs) - 1.0) > 1e-6:
            raise ValueError(f"'probs' must be non-negative and sum to 1, got {list(self.probs)}")


def gaussian_clusters(params: GaussianClustersParams, ctx=None) -> D.Dataset:
    x, y = D.gaussian_clusters(params.centers, params.probs, params.std, params.n, params.seed)
    xt, yt = D.gaussian_clusters(params.centers, params.probs, params.std, max(params.n // 4, 16), params.seed + 1)
    spec = ConditionSpec.single(len(params.centers))
    return D.Dataset("gaussian_clusters", x, y, spec, test=D.Dataset("gaussian_clusters:test", xt, yt, spec),
                     info={"centers": [list(c) for c in params.centers], "probs": list(params.probs)})


@attrs.frozen
class MoG1DParams:
    """UAC-GAN's 1-D mixture: class k is N(means[k], stds[k]^2) (the second number is the standard deviation)."""

    means: tuple[float, ...] = (0.0, 3.0, 6.0)
    stds: tuple[float, ...] = (1.0, 2.0, 3.0)
    n_per_class: int = attrs.field(default=128000, validator=attrs.validators.ge(16))
    seed: int = 0

    def __attrs_post_init__(self):
        if len(self.means) != len(self.stds):
            raise ValueError(f"'stds' has {len(self.stds)} entries but there are {len(self.means)} means")


def mog_1d(params: MoG1DParams, ctx=None) -> D.Dataset:
    x, y = D.mog_1d(params.means, params.stds, params.n_per_class, params.seed)
    xt, yt = D.mog_1d(params.means, params.stds, max(params.n_per_class // 4, 16), params.seed + 1)
    spec = ConditionSpec.single(len(params.means))
    return D.Dataset("mog_1d", x, y, spec, test=D.Dataset("mog_1d:test", xt, yt, spec),
                     info={"means": list(params.means), "stds": list(params.stds)})


DATASETS = {
    "gaussian_clusters": (gaussian_clusters, GaussianClustersParams, "2-D Gaussian clusters (CGPGAN's four by default)"),
    "mog_1d": (mog_1d, MoG1DParams, "1-D mixture of Gaussians, one class per component (UAC-GAN's three by default)"),
    "digits": (digits, DigitsParams, "scikit-learn 8x8 digits, 10 classes, offline"),
    "digits_attributes": (digits_attributes, DigitsAttributesParams, "8x8 digits with two binary attributes (odd, large)"),
    "fashion_mnist": (fashion_mnist, ImageDataParams, "Fashion-MNIST 28x28 (Debian package files or a torchvision root)"),
    "mnist": (mnist, ImageDataParams, "MNIST 28x28 from a local torchvision root"),
    "cifar10": (cifar10, ImageDataParams, "CIFAR-10 32x32 from a local torchvision root"),
    "image_folder": (image_folder, ImageFolderParams, "any folder of images with one sub-folder per class"),
}
