"""Fashion-MNIST on disk: the stand-in the tests train on (condgan.testing.write_fashion_mnist) is the real format, read
by the same loader; and the real Debian files (marked ``fashion_files``: skipped, with the reason, where the package
dataset-fashion-mnist is not installed; CI installs it and runs them with ``-m fashion_files``)."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import pytest
import torch

from condgan import data as D
from condgan.builtins.datasets import ImageDataParams, fashion_mnist
from condgan.errors import DataError
from condgan.testing.datasets import FASHION_FILES, FASHION_TRAIN_COUNTS, write_fashion_mnist

REAL = Path(D.FASHION_SEARCH[0])


def _header(path: Path) -> tuple[int, ...]:
    with gzip.open(path, "rb") as f:
        magic, = struct.unpack(">I", f.read(4))
        return (magic, *struct.unpack(">" + "I" * (magic & 0xFF), f.read(4 * (magic & 0xFF))))


def test_stand_in_has_the_real_idx_headers(fashion_mnist_root):
    """Magic 2051 (0x00000803: unsigned bytes, 3 dims) with N x 28 x 28 for images, 2049 with N for labels."""
    root = Path(fashion_mnist_root)
    assert sorted(p.name for p in root.iterdir()) == sorted(FASHION_FILES)
    n_train, n_test = sum(FASHION_TRAIN_COUNTS), 10 * 20
    assert _header(root / "train-images-idx3-ubyte.gz") == (2051, n_train, 28, 28)
    assert _header(root / "train-labels-idx1-ubyte.gz") == (2049, n_train)
    assert _header(root / "t10k-images-idx3-ubyte.gz") == (2051, n_test, 28, 28)
    assert _header(root / "t10k-labels-idx1-ubyte.gz") == (2049, n_test)


def test_stand_in_is_read_by_the_registered_loader(fashion_mnist_root):
    ds = fashion_mnist(ImageDataParams(root=fashion_mnist_root))
    assert ds.x.shape == (sum(FASHION_TRAIN_COUNTS), 1, 28, 28) and ds.x.dtype == torch.uint8
    assert ds.class_counts() == [list(FASHION_TRAIN_COUNTS)]
    assert ds.spec.groups[0].labels == D.FASHION_LABELS
    assert ds.test.class_counts() == [[20] * 10]
    # deterministic: the same call writes the same bytes
    again = write_fashion_mnist(Path(fashion_mnist_root).parent / "again")
    for name in FASHION_FILES:
        assert gzip.open(again / name).read() == gzip.open(Path(fashion_mnist_root) / name).read()


def test_stand_in_classes_are_separable(fashion_mnist_root):
    """Each class has its own bar: the per-class mean images differ (a classifier can learn them)."""
    ds = fashion_mnist(ImageDataParams(root=fashion_mnist_root, limit=2000))
    means = torch.stack([ds.x[ds.y[:, 0] == k].float().mean(0).flatten() for k in range(10)])
    gaps = torch.cdist(means, means) + torch.eye(10) * 1e9
    assert gaps.min() > 100


def test_a_subset_larger_than_the_stand_in_says_which_class(tmp_path):
    root = write_fashion_mnist(tmp_path, train_counts=[3] * 10, test_per_class=1)
    with pytest.raises(DataError, match="asks for 4 samples of class 0, which has 3"):
        fashion_mnist(ImageDataParams(root=str(root), class_counts=(4,) + (1,) * 9))


@pytest.mark.fashion_files
def test_real_files_are_found_without_a_root_and_have_their_size():
    """The Debian files, found on the default search path: 60000 training and 10000 test images, 6000 and 1000 per
    class, 28x28 uint8."""
    ds = fashion_mnist(ImageDataParams())
    assert ds.x.shape == (60000, 1, 28, 28) and ds.x.dtype == torch.uint8
    assert ds.class_counts() == [[6000] * 10]
    assert ds.test.x.shape == (10000, 1, 28, 28) and ds.test.class_counts() == [[1000] * 10]
    assert _header(REAL / "train-images-idx3-ubyte.gz") == (2051, 60000, 28, 28)


@pytest.mark.fashion_files
def test_real_files_give_the_imbalanced_presets_their_subset(components):
    """CA-GAN Sec. 6.3 as shipped (no root): 5500 of class 0 and 500 of each other class, from the real files."""
    from importlib.resources import files

    from condgan.build import build_dataset
    from condgan.config import parse_config, read_config

    raw = read_config(str(files("condgan.plugins.cagan") / "presets" / "imbalanced_ca_gan_mixed.toml"))
    ds = build_dataset(parse_config(raw, components, source="imbalanced_ca_gan_mixed.toml"))
    assert ds.class_counts() == [[5500] + [500] * 9]


@pytest.mark.fashion_files
def test_real_files_and_stand_in_have_different_fingerprints(fashion_mnist_root):
    """An evaluator trained on the stand-in is never taken for one trained on the real data."""
    from condgan.evaluation.evaluator_match import dataset_fingerprint

    real = dataset_fingerprint(fashion_mnist(ImageDataParams()), "core.fashion_mnist")
    stand_in = dataset_fingerprint(fashion_mnist(ImageDataParams(root=fashion_mnist_root)), "core.fashion_mnist")
    assert real["samples_sha256"] != stand_in["samples_sha256"]
