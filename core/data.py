"""Datasets held in memory, and a deterministic, resumable batch stream.

A :class:`Dataset` is tensors plus a :class:`~condgan.conditions.ConditionSpec`. :class:`BatchStream` draws batch
``k`` of epoch ``e`` from the permutation seeded with ``seed + e``, so the batch at any step is a pure function of
(seed, step): resuming needs only the step, and ``rank``/``world`` slice the same global batch across processes.
"""

from __future__ import annotations

import gzip
import os
import struct
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import attrs
import numpy as np
import torch
from torch import Tensor

from .conditions import ConditionSpec
from .errors import DataError
from .interfaces import Batch


@attrs.define(eq=False)
class Dataset:
    """``x``: ``(N, *shape)``, float32 in roughly [-1, 1] (vectors, or images already scaled) or uint8 images
    (scaled to [-1, 1] per batch); ``y``: ``(N, G)`` int64 labels, one column per condition group."""

    name: str
    x: Tensor
    y: Tensor
    spec: ConditionSpec
    test: "Dataset | None" = None
    labeled: bool = True
    info: dict = attrs.field(factory=dict)

    def __attrs_post_init__(self):
        if self.y.dim() == 1:
            self.y = self.y[:, None]
        if len(self.x) != len(self.y):
            raise DataError(f"dataset '{self.name}': {len(self.x)} samples but {len(self.y)} labels")
        if len(self.x) == 0:
            raise DataError(f"dataset '{self.name}' is empty")
        self.spec.encode(self.y[:1])  # shape check
        for j, (g, col) in enumerate(zip(self.spec.groups, self.y.T)):
            lo, hi = int(col.min()), int(col.max())
            if lo < 0 or hi >= g.size:
                raise DataError(
                    f"dataset '{self.name}': labels of group '{g.name}' range over {lo}..{hi}, outside the "
                    f"declared 0..{g.size - 1}; set num_classes to {hi + 1} (or fix the labels)"
                )

    @property
    def data_shape(self) -> tuple[int, ...]:
        return tuple(self.x.shape[1:])

    def __len__(self) -> int:
        return len(self.x)

    def to_float(self, x: Tensor) -> Tensor:
        if x.dtype == torch.uint8:
            return x.float().div_(127.5).sub_(1.0)
        return x.float()

    def batch(self, idx: Tensor, device: torch.device | str = "cpu", non_blocking: bool = False,
              pin: bool = False) -> Batch:
        """Rows ``idx`` on ``device``. The stored dtype (uint8 for images) is copied, then converted there: a
        quarter of the bytes of float32. ``pin``: through page-locked host memory, so a ``non_blocking`` copy to a
        GPU overlaps with compute."""
        x, y = self.x[idx], self.y[idx]
        if pin:
            x, y = x.pin_memory(), y.pin_memory()
        x = self.to_float(x.to(device, non_blocking=non_blocking))
        y = y.to(device, non_blocking=non_blocking)
        # labels were range-checked once when the dataset was made: no per-batch check (and no GPU sync)
        return Batch(x=x, c=self.spec.encode(y, check=False) if self.labeled else None, y=y)

    def class_counts(self) -> list[list[int]]:
        return [torch.bincount(self.y[:, j], minlength=g.size).tolist() for j, g in enumerate(self.spec.groups)]


class BatchStream:
    """Batches as a pure function of the step (drop-last epochs of seeded permutations).

    ``batch_size`` is the global batch: with ``world`` processes, rank r takes rows r, r + world, ... of it.
    No DataLoader and no worker processes: the data are tensors in memory and a batch is one index operation,
    which costs less than handing a batch between processes would (:class:`PrefetchingStream` prepares the next
    batches in threads, for GPUs). ``pin_memory``: copies to a GPU go through
    page-locked memory with ``non_blocking=True`` (on the CPU the copy is the identity and nothing is pinned).
    ``channels_last``: image batches in NHWC layout (same values).
    """

    def __init__(self, dataset: Dataset, batch_size: int, seed: int, device: torch.device | str = "cpu",
                 rank: int = 0, world: int = 1, pin_memory: bool = False, channels_last: bool = False):
        if batch_size > len(dataset):
            raise DataError(f"batch_size {batch_size} is larger than dataset '{dataset.name}' ({len(dataset)} samples)")
        if batch_size % world:
            raise DataError(f"batch_size {batch_size} must be divisible by the number of processes ({world})")
        self.dataset, self.batch_size, self.seed = dataset, batch_size, seed
        self.device, self.rank, self.world = torch.device(device), rank, world
        self.steps_per_epoch = len(dataset) // batch_size
        self._perm: tuple[int, Tensor | None] = (-1, None)  # (epoch, permutation): one attribute, read once, so
        # that threads of a PrefetchingStream never pair one epoch with another's permutation
        self.non_blocking = pin_memory
        self.pin = pin_memory and self.device.type == "cuda" and dataset.x.device.type == "cpu"
        self.channels_last = channels_last

    def epoch_of(self, step: int) -> int:
        return step // self.steps_per_epoch

    def indices(self, step: int) -> Tensor:
        epoch, k = divmod(step, self.steps_per_epoch)
        perm = self._perm
        if perm[0] != epoch:
            g = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
            perm = self._perm = (epoch, torch.randperm(len(self.dataset), generator=g))
        idx = perm[1][k * self.batch_size:(k + 1) * self.batch_size]
        return idx if self.world == 1 else idx[self.rank::self.world]

    def batch(self, step: int) -> Batch:
        b = self.dataset.batch(self.indices(step), self.device, non_blocking=self.non_blocking, pin=self.pin)
        if self.channels_last and b.x.dim() == 4:
            b = Batch(x=b.x.contiguous(memory_format=torch.channels_last), c=b.c, y=b.y, z=b.z)
        return b

    def close(self) -> None:
        """Nothing to release (the interface of :class:`PrefetchingStream`)."""


class PrefetchingStream:
    """``run.data_workers``: threads that prepare the batches of the next ``workers`` steps while a step computes.

    A batch is a pure function of its step, so the batches, and the run, are exactly those of the wrapped
    :class:`BatchStream`. torch's indexing, pinning and copies release the GIL, so on a GPU the gathering, pinning and
    non-blocking copy of the coming batches overlap the current step; on the CPU a batch is one index operation and
    there is little to overlap. Threads, not processes: the data are already in this process's memory.
    """

    def __init__(self, stream: BatchStream, workers: int, end_step: int):
        if workers < 1:
            raise ValueError(f"data workers must be >= 1, got {workers}")
        self.stream, self.depth, self.end = stream, workers, end_step
        self.steps_per_epoch = stream.steps_per_epoch
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="condgan-data")
        self._ahead: dict[int, Future] = {}

    def batch(self, step: int) -> Batch:
        ready = self._ahead.pop(step, None)
        for s in range(step + 1, min(step + 1 + self.depth, self.end)):
            if s not in self._ahead:
                self._ahead[s] = self._pool.submit(self.stream.batch, s)
        return ready.result() if ready is not None else self.stream.batch(step)

    def close(self) -> None:
        """Cancel the batches not started and wait for the running ones (idempotent)."""
        for f in self._ahead.values():
            f.cancel()
        self._ahead.clear()
        self._pool.shutdown(wait=True)


# ---------------------------------------------------------------------------------------------------------------
# Readers


def read_idx(path: Path) -> np.ndarray:
    """Read an IDX file (MNIST format), gzipped or not."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise DataError(f"{path} is not an unsigned-byte IDX file")
    shape = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


FASHION_LABELS = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
FASHION_SEARCH = ("/usr/share/datasets/fashion-mnist",)


def _find_idx(root: str, names: tuple[str, ...], search: tuple[str, ...], what: str, fix: str) -> Path:
    dirs = [Path(root)] if root else []
    dirs += [Path(root) / "FashionMNIST" / "raw"] if root else []
    dirs += [Path(d) for d in search]
    for d in dirs:
        for n in names:
            for cand in (d / n, d / (n + ".gz")):
                if cand.exists():
                    return cand
    raise DataError(f"{what} not found (looked for {names[0]}[.gz] in {', '.join(map(str, dirs)) or '(nothing)'}). {fix}")


def subset_per_class(x: Tensor, y: Tensor, counts: list[int], seed: int, name: str) -> tuple[Tensor, Tensor]:
    """Keep ``counts[k]`` samples of class k (first group), chosen with a seeded permutation: imbalanced sets."""
    y0 = y if y.dim() == 1 else y[:, 0]
    g = torch.Generator().manual_seed(seed)
    keep = []
    for k, n in enumerate(counts):
        idx = torch.nonzero(y0 == k).flatten()
        if n > len(idx):
            raise DataError(f"dataset '{name}': class_counts asks for {n} samples of class {k}, which has {len(idx)}")
        keep.append(idx[torch.randperm(len(idx), generator=g)[:n]])
    keep = torch.cat(keep).sort().values
    return x[keep], y[keep]


def fashion_mnist(root: str = "", split: str = "train") -> tuple[Tensor, Tensor]:
    prefix = "train" if split == "train" else "t10k"
    fix = ("Install it with `apt-get install dataset-fashion-mnist`, or set data.root to a folder holding the "
           "IDX files (torchvision's ROOT/FashionMNIST/raw works).")
    xi = _find_idx(root, (f"{prefix}-images-idx3-ubyte",), FASHION_SEARCH, "Fashion-MNIST", fix)
    yi = _find_idx(root, (f"{prefix}-labels-idx1-ubyte",), FASHION_SEARCH, "Fashion-MNIST", fix)
    x = torch.from_numpy(read_idx(xi).copy())[:, None]
    y = torch.from_numpy(read_idx(yi).astype(np.int64))
    return x, y


def mnist(root: str = "", split: str = "train") -> tuple[Tensor, Tensor]:
    try:
        import torchvision
        ds = torchvision.datasets.MNIST(root or "data", train=split == "train", download=False)
    except Exception as exc:  # noqa: BLE001
        raise DataError(f"MNIST not found under '{root or 'data'}' ({exc}). Download it once with torchvision "
                        f"(`torchvision.datasets.MNIST(ROOT, download=True)`) and set data.root = ROOT.") from None
    return ds.data[:, None].clone(), ds.targets.clone().long()


def cifar10(root: str = "", split: str = "train") -> tuple[Tensor, Tensor]:
    try:
        import torchvision
        ds = torchvision.datasets.CIFAR10(root or "data", train=split == "train", download=False)
    except Exception as exc:  # noqa: BLE001
        raise DataError(f"CIFAR-10 not found under '{root or 'data'}' ({exc}). Download it once with torchvision "
                        f"(`torchvision.datasets.CIFAR10(ROOT, download=True)`) and set data.root = ROOT.") from None
    return torch.from_numpy(ds.data).permute(0, 3, 1, 2).contiguous(), torch.tensor(ds.targets, dtype=torch.long)


def image_folder(root: str, size: int, channels: int) -> tuple[Tensor, Tensor, tuple[str, ...]]:
    """An ImageFolder (one sub-folder per class) loaded into memory, resized to ``size``."""
    if not root or not Path(root).is_dir():
        raise DataError(f"image folder '{root}' does not exist; set data.root to a folder with one sub-folder per class")
    import torchvision
    from torchvision.transforms import v2

    tf = v2.Compose([v2.Resize(size), v2.CenterCrop(size), v2.Grayscale() if channels == 1 else v2.Identity(),
                     v2.PILToTensor()])
    ds = torchvision.datasets.ImageFolder(root, transform=tf)
    if len(ds) == 0:
        raise DataError(f"image folder '{root}' holds no images")
    xs, ys = zip(*[ds[i] for i in range(len(ds))])
    x = torch.stack(xs)
    if x.shape[1] != channels:
        raise DataError(f"images in '{root}' have {x.shape[1]} channels, the config says {channels}")
    return x, torch.tensor(ys), tuple(ds.classes)


def digits() -> tuple[Tensor, Tensor]:
    """scikit-learn's 8x8 digits (1797 images, values 0..16), as uint8 0..255."""
    from sklearn.datasets import load_digits

    d = load_digits()
    x = torch.from_numpy((d.images * (255.0 / 16.0)).round().astype(np.uint8))[:, None]
    return x, torch.from_numpy(d.target.astype(np.int64))


def gaussian_clusters(centers, probs, std: float, n: int, seed: int) -> tuple[Tensor, Tensor]:
    g = torch.Generator().manual_seed(seed)
    probs_t = torch.tensor(probs, dtype=torch.float64)
    y = torch.multinomial(probs_t, n, replacement=True, generator=g)
    x = torch.tensor(centers, dtype=torch.float32)[y] + std * torch.randn(n, 2, generator=g)
    return x, y


def mog_1d(means, stds, n_per_class: int, seed: int) -> tuple[Tensor, Tensor]:
    g = torch.Generator().manual_seed(seed)
    k = len(means)
    y = torch.arange(k).repeat_interleave(n_per_class)
    x = torch.tensor(means, dtype=torch.float32)[y] + torch.tensor(stds, dtype=torch.float32)[y] * torch.randn(k * n_per_class, generator=g)
    return x[:, None], y


def data_root_default() -> str:
    return os.environ.get("CONDGAN_DATA", "")

