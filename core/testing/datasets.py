"""Small stand-ins for image datasets, written in their real on-disk format, so that tests of presets that train on
them run on any machine (no download, no Debian package) through the same loader as the real files.

:func:`write_fashion_mnist` writes the four gzipped IDX files of Fashion-MNIST (``train-images-idx3-ubyte.gz``,
``train-labels-idx1-ubyte.gz``, ``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz``: magic numbers 2051 and
2049, big-endian sizes, 28x28 uint8 images, labels 0..9). Point a config at them with ``data.root``:

>>> import tempfile
>>> from condgan.builtins.datasets import ImageDataParams, fashion_mnist
>>> root = write_fashion_mnist(tempfile.mkdtemp(), train_counts=[3] * 10, test_per_class=1)
>>> ds = fashion_mnist(ImageDataParams(root=str(root)))
>>> ds.x.shape, ds.x.dtype, ds.class_counts(), len(ds.test)
(torch.Size([30, 1, 28, 28]), torch.uint8, [[3, 3, 3, 3, 3, 3, 3, 3, 3, 3]], 10)

The images are not Fashion-MNIST's: each class is a bright bar at its own place and angle over faint noise, so the
classes are separable (a classifier can learn them in a few steps) and the files are small. Only a test of the real
files themselves (their size, their fingerprint) needs the Debian package ``dataset-fashion-mnist``.
"""

from __future__ import annotations

import gzip
import struct
from pathlib import Path
from typing import Sequence

import numpy as np

#: training rows per class written by default: enough for every shipped preset's ``class_counts`` (CA-GAN's imbalanced
#: set takes 5500 of class 0 and 500 of each other class)
FASHION_TRAIN_COUNTS: tuple[int, ...] = (5500,) + (500,) * 9
FASHION_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                 "t10k-labels-idx1-ubyte.gz")


def idx_bytes(array: np.ndarray) -> bytes:
    """An unsigned-byte IDX file's bytes: two zero bytes, type code 0x08, the number of dimensions, each size as a
    big-endian uint32, then the data (MNIST's format: magic 2051 for (N, 28, 28) images, 2049 for (N,) labels).

    >>> idx_bytes(np.zeros((2, 28, 28), np.uint8))[:16].hex()
    '00000803000000020000001c0000001c'
    """
    a = np.ascontiguousarray(array, dtype=np.uint8)
    return struct.pack(">HBB", 0, 0x08, a.ndim) + struct.pack(">" + "I" * a.ndim, *a.shape) + a.tobytes()


def fashion_like_images(labels: np.ndarray, seed: int = 0) -> np.ndarray:
    """``(N, 28, 28)`` uint8 images, one pattern per class (a bar whose row and angle depend on the label) plus noise."""
    rng = np.random.default_rng(seed)
    n = len(labels)
    img = rng.integers(0, 40, size=(n, 28, 28), dtype=np.uint8)
    rows, cols = np.mgrid[0:28, 0:28]
    for k in np.unique(labels):
        centre, slope = 4 + 2 * int(k), (int(k) % 5 - 2) * 0.25
        bar = np.abs(rows - centre - slope * (cols - 13.5)) < 2.5
        img[labels == k] |= np.where(bar, np.uint8(200), np.uint8(0))
    return img


def write_fashion_mnist(root: str | Path, train_counts: Sequence[int] = FASHION_TRAIN_COUNTS,
                        test_per_class: int = 20, seed: int = 0) -> Path:
    """Write a small Fashion-MNIST in its real format (gzipped IDX) under ``root`` and return ``root``.

    ``train_counts[k]`` training images of class k (10 classes, shuffled), ``test_per_class`` test images per class.
    The loader (``core.fashion_mnist`` with ``data.root = root``) reads them exactly as it reads the real files.
    """
    if len(train_counts) != 10:
        raise ValueError(f"Fashion-MNIST has 10 classes; got {len(train_counts)} train counts")
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for prefix, counts, s in (("train", list(train_counts), seed), ("t10k", [test_per_class] * 10, seed + 1)):
        labels = np.repeat(np.arange(10, dtype=np.uint8), counts)
        labels = labels[rng.permutation(len(labels))]
        for kind, array in (("images-idx3", fashion_like_images(labels, s)), ("labels-idx1", labels)):
            with gzip.open(root / f"{prefix}-{kind}-ubyte.gz", "wb", compresslevel=1) as f:
                f.write(idx_bytes(array))
    return root
