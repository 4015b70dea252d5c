"""Evaluation classifiers: a small CNN per dataset whose penultimate features feed FID/KID/PRDC and whose class
probabilities feed IS/AM Score/class accuracy. Weights are stored as safetensors with a SHA-256 and a JSON card.

``condgan train-evaluator --dataset fashion_mnist`` (or :func:`train_evaluator`) trains one on the dataset's
training split in minutes on two CPU cores and measures it on the test split. Nothing is downloaded. Files::

    <out>.safetensors        the weights (weights only: no pickle, nothing that can run code)
    <out>.json               the card: architecture, dataset and its fingerprint (name, parameters, shape, classes,
                             hash of test samples; see :mod:`.evaluator_match`), test accuracy (overall and per
                             class), SHA-256 of the weights, training settings, package versions

:func:`load_evaluator` refuses a weights file whose SHA-256 differs from its card. Default location:
``$CONDGAN_EVALUATORS`` or ``~/.cache/condgan/evaluators``, file name ``<dataset>.safetensors``.

Inception-v3 is an option for users who hold the weights locally (:class:`InceptionExtractor`; torchvision's
``inception_v3`` state dict); it is never downloaded.
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path
from typing import Callable

import attrs
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..checkpoint import atomic_write_text, sha256_file
from ..errors import CheckpointError, CondganError
from ..threads import num_threads
from .evaluator_match import dataset_fingerprint

#: bump when the architecture changes; stored in the card
ARCH_VERSION = 1


@attrs.frozen
class EvalNetConfig:
    """Architecture of :class:`EvalNet` (stored in the card so the file is self-describing)."""

    in_channels: int
    size: int
    num_classes: int
    widths: tuple[int, int, int] = (32, 64, 128)
    feature_dim: int = 64


class EvalNet(nn.Module):
    """Three conv blocks (conv-BN-ReLU, max-pool while the map is >= 8 px), global average pooling, a
    ``feature_dim`` layer (the features, after ReLU) and a linear classifier. Inputs in [-1, 1], any square size."""

    def __init__(self, cfg: EvalNetConfig):
        super().__init__()
        self.cfg = cfg
        layers, c, s = [], cfg.in_channels, cfg.size
        for w in cfg.widths:
            layers += [nn.Conv2d(c, w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU(inplace=True)]
            if s >= 8:
                layers.append(nn.MaxPool2d(2))
                s //= 2
            c = w
        self.trunk = nn.Sequential(*layers)
        self.embed = nn.Sequential(nn.Flatten(), nn.Linear(c, cfg.feature_dim), nn.ReLU(inplace=True))
        self.head = nn.Linear(cfg.feature_dim, cfg.num_classes)

    def features(self, x: Tensor) -> Tensor:
        """(B, C, H, W) in [-1, 1] -> (B, feature_dim) penultimate features."""
        h = self.trunk(x)
        return self.embed(F.adaptive_avg_pool2d(h, 1))

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.features(x))


class Evaluator:
    """A feature extractor + classifier with an identity: ``name``, ``sha256``, ``feature_dim``, ``num_classes``."""

    def __init__(self, net: nn.Module, name: str, sha256: str, card: dict, device: str | torch.device = "cpu"):
        self.net, self.name, self.sha256, self.card = net.eval().to(device), name, sha256, card
        self.device = torch.device(device)

    @property
    def feature_dim(self) -> int:
        return int(self.card["arch"]["feature_dim"])

    @property
    def num_classes(self) -> int:
        return int(self.card["arch"]["num_classes"])

    def prepare(self, x: Tensor) -> Tensor:
        """uint8 images -> [-1, 1]; other sizes are resized (bilinear, antialias) to the evaluator's input size."""
        if x.dtype == torch.uint8:
            x = x.float().div(127.5).sub(1.0)
        x = x.float()
        arch = self.card["arch"]
        if x.shape[1] != arch["in_channels"]:
            if x.shape[1] == 3 and arch["in_channels"] == 1:
                x = x.mean(dim=1, keepdim=True)
            elif x.shape[1] == 1:
                x = x.expand(-1, arch["in_channels"], -1, -1)
            else:
                raise CondganError(f"evaluator '{self.name}' takes {arch['in_channels']} channels; got {x.shape[1]}")
        if x.shape[-1] != arch["size"] or x.shape[-2] != arch["size"]:
            x = F.interpolate(x, size=(arch["size"], arch["size"]), mode="bilinear", antialias=True, align_corners=False)
        return x

    @torch.no_grad()
    def features_and_probs(self, x: Tensor, batch: int = 500) -> tuple[Tensor, Tensor]:
        """x (N, C, H, W) -> (features (N, F) float64, class probabilities (N, K) float64), on the CPU."""
        feats, probs = [], []
        for i in range(0, len(x), batch):
            xb = self.prepare(x[i:i + batch]).to(self.device)
            f = self.net.features(xb)
            feats.append(f.double().cpu())
            probs.append(torch.softmax(self.net.head(f).double(), dim=1).cpu())
        return torch.cat(feats), torch.cat(probs)


def default_evaluator_dir() -> Path:
    return Path(os.environ.get("CONDGAN_EVALUATORS", Path.home() / ".cache" / "condgan" / "evaluators"))


def default_evaluator_path(dataset: str) -> Path:
    return default_evaluator_dir() / f"{dataset.split('.')[-1]}.safetensors"


def _versions() -> dict[str, str]:
    import numpy

    from .. import __version__
    return {"condgan": __version__, "torch": torch.__version__, "numpy": numpy.__version__,
            "python": platform.python_version()}


def save_evaluator(net: EvalNet, path: Path, card: dict) -> dict:
    """Write ``path`` (.safetensors) and its card ``path.with_suffix('.json')`` holding the SHA-256 of the weights."""
    from safetensors.torch import save_file

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    save_file({k: v.detach().cpu().contiguous() for k, v in net.state_dict().items()}, str(tmp))
    os.replace(tmp, path)
    card = {**card, "format": "condgan-evaluator", "arch_version": ARCH_VERSION, "arch": attrs.asdict(net.cfg),
            "weights": path.name, "sha256": sha256_file(path), "versions": _versions()}
    atomic_write_text(path.with_suffix(".json"), json.dumps(card, indent=2) + "\n")
    return card


class InceptionNet(nn.Module):
    """torchvision's Inception-v3 as an extractor: ``features`` = the 2048-d pool features, ``head`` = the
    1000-class ImageNet layer. Inputs in [-1, 1] at 299 px (``transform_input=False``: the ported TF weights
    expect [-1, 1])."""

    def __init__(self, state_dict: dict):
        super().__init__()
        from torchvision.models import inception_v3

        net = inception_v3(weights=None, aux_logits="AuxLogits.fc.weight" in state_dict, init_weights=False,
                           transform_input=False)
        net.load_state_dict(state_dict)
        self.net = net
        self.head = net.fc

    def features(self, x: Tensor) -> Tensor:
        n = self.net
        for name in ("Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "maxpool1", "Conv2d_3b_1x1", "Conv2d_4a_3x3",
                     "maxpool2", "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d",
                     "Mixed_6e", "Mixed_7a", "Mixed_7b", "Mixed_7c", "avgpool"):
            x = getattr(n, name)(x)
        return torch.flatten(x, 1)


def load_inception(path: str | Path, device: str | torch.device = "cpu") -> Evaluator:
    """Inception-v3 from a *local* torchvision state dict (``.pth``/``.pt``/``.safetensors``); never downloads.

    Get the file once with torchvision on a machine with internet access, e.g.
    ``torch.save(torchvision.models.inception_v3(weights="DEFAULT").state_dict(), "inception_v3.pth")``.
    The card records the file's SHA-256; note that torch-fidelity's TF-ported weights (the FID standard) are a
    different file and give different numbers.
    """
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"no Inception-v3 weights at {path}; condgan never downloads them (see "
                              f"docs/evaluation.md for how to save torchvision's once)")
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file
        state = load_file(str(path))
    else:
        state = torch.load(path, map_location="cpu", weights_only=True)
    card = {"dataset": "imagenet", "arch": {"in_channels": 3, "size": 299, "num_classes": 1000, "feature_dim": 2048},
            "extractor": "torchvision inception_v3", "weights": path.name, "generic": True}
    return Evaluator(InceptionNet(state), "inception-v3 (torchvision)", sha256_file(path), card, device)


def load_evaluator(path: str | Path, device: str | torch.device = "cpu") -> Evaluator:
    """Load an evaluation classifier saved by :func:`save_evaluator`; the SHA-256 must match the card.

    A ``.pth``/``.pt`` file without a card is read as torchvision Inception-v3 weights (:func:`load_inception`).
    """
    from safetensors.torch import load_file

    path = Path(path)
    card_path = path.with_suffix(".json")
    if path.suffix in (".pth", ".pt") and not card_path.exists():
        return load_inception(path, device)
    if not path.exists() or not card_path.exists():
        raise CheckpointError(f"no evaluation classifier at {path} (needs {path.name} and {card_path.name}). "
                              f"Train one with `condgan train-evaluator --dataset NAME --out {path}`.")
    card = json.loads(card_path.read_text())
    digest = sha256_file(path)
    if digest != card.get("sha256"):
        raise CheckpointError(f"{path}: SHA-256 {digest[:12]}... differs from its card ({str(card.get('sha256'))[:12]}...); "
                              f"the weights were changed or truncated. Re-train or restore the file.")
    arch = card["arch"]
    net = EvalNet(EvalNetConfig(arch["in_channels"], arch["size"], arch["num_classes"], tuple(arch["widths"]),
                                arch["feature_dim"]))
    net.load_state_dict(load_file(str(path)))
    return Evaluator(net, f"condgan-cnn:{card.get('dataset', path.stem)}", digest, card, device)


def _resolve_dataset(name: str, root: str = ""):
    """A registered image dataset by name (``fashion_mnist`` means ``core.fashion_mnist``), built with its defaults:
    ``(qualified name, params, dataset)``."""
    from ..plugin_manager import get_components

    comps = get_components()
    qualified = name if "." in name else f"core.{name}"
    entry = comps.get("datasets", qualified)
    params = None
    if entry.params is not None:
        fields = attrs.fields_dict(entry.params)
        params = entry.params(**({"root": root} if root and "root" in fields else {}))
    return qualified, params, entry.build(params, None)


@torch.no_grad()
def accuracy(net: nn.Module, x: Tensor, y: Tensor, num_classes: int, batch: int = 1000) -> tuple[float, list[float]]:
    """Test accuracy overall and per class of ``net`` on uint8/float images ``x`` with labels ``y`` (N,)."""
    net.eval()
    pred = torch.cat([net(_to_float(x[i:i + batch])).argmax(1) for i in range(0, len(x), batch)])
    hit = (pred == y).double()
    per = [float(hit[y == k].mean()) if (y == k).any() else float("nan") for k in range(num_classes)]
    return float(hit.mean()), per


def _to_float(x: Tensor) -> Tensor:
    return x.float().div(127.5).sub(1.0) if x.dtype == torch.uint8 else x.float()


def _augment(x: Tensor, g: torch.Generator, shift: int) -> Tensor:
    """Random translations by up to ``shift`` pixels (zero padding): cheap, and worth ~1 point on small data."""
    if shift == 0:
        return x
    n, _, h, w = x.shape
    padded = F.pad(x, (shift, shift, shift, shift), value=-1.0)
    dx, dy = torch.randint(0, 2 * shift + 1, (2,), generator=g).tolist()
    return padded[:, :, dy:dy + h, dx:dx + w]


def train_evaluator(dataset_name: str, out_path: str | Path | None = None, *, epochs: int | None = None,
                    batch_size: int = 128, lr: float = 2e-3, seed: int = 0, root: str = "", limit: int = 0,
                    widths: tuple[int, int, int] = (32, 64, 128), feature_dim: int = 64, shift: int | None = None,
                    threads: int | None = None, log: Callable[..., None] = print) -> dict:
    """Train an evaluation classifier on ``dataset_name``'s training split; measure it on its test split.

    Returns the card (also written beside the weights). Defaults per dataset: 8x8 digits 30 epochs with 1-pixel
    shifts; others 4 epochs, no shifts. AdamW + one-cycle learning rate; seeded and deterministic on the CPU.
    ``threads`` sets torch's CPU threads while training and restores the previous count after.
    """
    with num_threads(threads):
        return _train_evaluator(dataset_name, out_path, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed,
                                root=root, limit=limit, widths=widths, feature_dim=feature_dim, shift=shift, log=log)


def _train_evaluator(dataset_name, out_path, *, epochs, batch_size, lr, seed, root, limit, widths, feature_dim,
                     shift, log) -> dict:
    qualified, params, ds = _resolve_dataset(dataset_name, root)
    if len(ds.data_shape) != 3 or ds.data_shape[1] != ds.data_shape[2]:
        raise CondganError(f"dataset '{qualified}' holds {ds.data_shape} samples; evaluation classifiers are for square "
                           f"images (vector data is evaluated on the raw samples)")
    if ds.test is None:
        raise CondganError(f"dataset '{qualified}' has no test split to measure the evaluator on")
    small = ds.data_shape[-1] <= 16
    epochs = epochs if epochs is not None else (30 if small else 4)
    shift = shift if shift is not None else (1 if small else 0)
    out_path = Path(out_path) if out_path else default_evaluator_path(qualified)
    k = ds.spec.groups[0].size
    x, y = ds.x, ds.y[:, 0]
    if limit:
        x, y = x[:limit], y[:limit]
    torch.manual_seed(seed)
    cfg = EvalNetConfig(ds.data_shape[0], ds.data_shape[1], k, tuple(widths), feature_dim)
    net = EvalNet(cfg)
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-4)
    steps_per_epoch = len(x) // batch_size
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * steps_per_epoch)
    g = torch.Generator().manual_seed(seed)
    t0 = time.perf_counter()
    for epoch in range(epochs):
        net.train()
        perm = torch.randperm(len(x), generator=g)
        total = 0.0
        for i in range(steps_per_epoch):
            idx = perm[i * batch_size:(i + 1) * batch_size]
            xb = _augment(_to_float(x[idx]), g, shift)
            loss = F.cross_entropy(net(xb), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) if i % 50 == 0 else 0.0
        log(f"epoch {epoch + 1}/{epochs}: {time.perf_counter() - t0:.0f}s")
    train_s = time.perf_counter() - t0
    test_acc, per_class = accuracy(net, ds.test.x, ds.test.y[:, 0], k)
    log(f"{qualified}: test accuracy {test_acc:.4f} after {epochs} epochs in {train_s:.0f}s")
    card = {"dataset": qualified, "data": dataset_fingerprint(ds, qualified, params),
            "classes": list(ds.spec.groups[0].labels) if ds.spec.groups[0].labels else None,
            "train_samples": len(x), "test_samples": len(ds.test), "test_accuracy": test_acc,
            "test_accuracy_per_class": per_class,
            "training": {"epochs": epochs, "batch_size": batch_size, "lr": lr, "seed": seed, "shift": shift,
                         "optimizer": "AdamW(wd=1e-4) + OneCycleLR", "seconds": round(train_s, 1),
                         "threads": torch.get_num_threads()}}
    return save_evaluator(net, out_path, card)
