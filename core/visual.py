"""Pictures a person would rather look at: sample grids (rows share z, columns share the condition), scatter plots of
2-D data coloured by condition, per-class densities of 1-D data, and metric curves."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from einops import rearrange  # noqa: E402
from torch import Tensor  # noqa: E402


def grid_pixels(images: Tensor, rows: int, cols: int) -> np.ndarray:
    """``(rows*cols, C, H, W)`` in [-1, 1], row-major -> one ``(rows*H, cols*W, C)`` picture in [0, 1]: image
    ``r*cols + k`` is the tile in row ``r``, column ``k``."""
    x = images.detach().float().cpu().clamp(-1, 1).add(1).div(2)
    return rearrange(x, "(r k) c h w -> (r h) (k w) c", r=rows, k=cols).numpy()


def image_grid(images: Tensor, rows: int, cols: int, col_labels: list[str] | None = None, path: Path | None = None,
               title: str = "") -> Path | None:
    """``images``: ``(rows*cols, C, H, W)`` in [-1, 1], row-major. Saves a PNG with one label per column."""
    n, c, h, w = images.shape
    grid = grid_pixels(images, rows, cols)
    scale = max(0.45, 1.2 * h / 32)
    fig, ax = plt.subplots(figsize=(max(3.0, cols * scale + 0.5), max(2.0, rows * scale + 0.8)))
    ax.imshow(grid[..., 0] if c == 1 else grid, cmap="gray" if c == 1 else None, vmin=0, vmax=1, interpolation="nearest")
    ax.set_yticks([])
    if col_labels:
        ax.set_xticks([w * (i + 0.5) for i in range(cols)])
        ax.set_xticklabels(col_labels, rotation=60 if max(map(len, col_labels)) > 3 else 0, fontsize=7, ha="right" if max(map(len, col_labels)) > 3 else "center")
    else:
        ax.set_xticks([])
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def class_columns_grid(images: Tensor, classes: Tensor, num_classes: int, rows: int, col_labels: list[str],
                       path: Path, title: str = "") -> Path:
    """A grid with one column per class: the first ``rows`` of ``images`` whose ``classes`` entry is that column's
    index, in order; a class with fewer samples leaves its lower cells black. For samples whose class is decided
    after generation (AM-GAN's dynamic labeling: the argmax of D)."""
    import torch

    blank = torch.full((rows, *images.shape[1:]), -1.0)
    cols = []
    for c in range(num_classes):
        block = images[(classes == c).nonzero().flatten()[:rows]]
        cols.append(torch.cat([block, blank[len(block):]]))
    grid = rearrange(torch.stack(cols), "k r c h w -> (r k) c h w")  # row-major: a row holds one sample per class
    return image_grid(grid, rows, num_classes, col_labels, path, title=title)


def scatter_2d(real: Tensor, fake: Tensor, fake_labels: Tensor, labels: list[str], path: Path, title: str = "") -> Path:
    """Real points in grey, generated points coloured by their condition."""
    fig, ax = plt.subplots(figsize=(5, 5))
    r = real.detach().cpu().numpy()
    ax.scatter(r[:, 0], r[:, 1], s=3, c="0.75", label="real")
    f = fake.detach().cpu().numpy()
    yl = fake_labels.detach().cpu().numpy()
    cmap = plt.get_cmap("tab10" if len(labels) <= 10 else "tab20")
    for k, name in enumerate(labels):
        sel = yl == k
        if sel.any():
            ax.scatter(f[sel, 0], f[sel, 1], s=3, color=cmap(k % cmap.N), label=name)
    ax.legend(markerscale=4, fontsize=7, loc="best")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def density_1d(real: Tensor, real_labels: Tensor, fake: Tensor, fake_labels: Tensor, labels: list[str], path: Path,
               title: str = "") -> Path:
    """Per class: histogram densities of real (filled) and generated (line) 1-D data."""
    k = len(labels)
    fig, axes = plt.subplots(1, k + 1, figsize=(3 * (k + 1), 2.6), sharey=False)
    r, f = real.detach().cpu().flatten().numpy(), fake.detach().cpu().flatten().numpy()
    rl, fl = real_labels.cpu().numpy(), fake_labels.cpu().numpy()
    lo, hi = np.percentile(np.concatenate([r, f]), [0.5, 99.5])
    bins = np.linspace(lo, hi, 60)
    for i in range(k + 1):
        ax = axes[i]
        rs, fs = (r[rl == i], f[fl == i]) if i < k else (r, f)
        ax.hist(rs, bins=bins, density=True, alpha=0.4, color="C0", label="real")
        ax.hist(fs, bins=bins, density=True, histtype="step", color="C3", label="generated")
        ax.set_title(labels[i] if i < k else "marginal", fontsize=9)
    axes[0].legend(fontsize=7)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def curves(series: dict[str, tuple[list[float], list[float]]], ylabel: str, path: Path, title: str = "",
           logy: bool = False) -> Path:
    """One line per name: ``{name: (steps, values)}``."""
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for name, (xs, ys) in series.items():
        ax.plot(xs, ys, label=name, marker="o" if len(xs) < 30 else None, ms=3)
    ax.set_xlabel("step")
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def bars(groups: dict[str, list[float]], categories: list[str], path: Path, ylabel: str = "", title: str = "") -> Path:
    """Grouped bar chart: one bar group per category, one bar per name in ``groups``."""
    fig, ax = plt.subplots(figsize=(max(5, len(categories) * 0.7), 3.4))
    n = len(groups)
    width = 0.8 / max(n, 1)
    xs = np.arange(len(categories))
    for i, (name, vals) in enumerate(groups.items()):
        ax.bar(xs + (i - (n - 1) / 2) * width, vals, width, label=name)
    ax.set_xticks(xs)
    ax.set_xticklabels(categories, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path

