"""Input conversion shared by the metrics: float64 CPU matrices, integer label vectors, and a canonical row order.

The canonical order (rows sorted lexicographically, labels first when given) makes every metric that draws random
subsets or bootstrap resamples invariant to the order the samples arrive in: the same multiset of samples always
gives the same subsets, and therefore bit-identical numbers.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor


def as_float64_matrix(x, name: str = "features") -> Tensor:
    """``x`` (N, F) array-like -> float64 CPU tensor (N, F); a 1-D input becomes (N, 1).

    Example:
        >>> as_float64_matrix([1.0, 2.0]).shape
        torch.Size([2, 1])
    """
    t = torch.as_tensor(x).detach()
    if t.dim() == 1:
        t = t.unsqueeze(1)
    if t.dim() != 2:
        raise ValueError(f"{name} must be (N, F); got shape {tuple(t.shape)}")
    if not torch.is_floating_point(t):
        t = t.to(torch.float64)
    t = t.to(device="cpu", dtype=torch.float64)
    if not torch.isfinite(t).all():
        raise ValueError(f"{name} contain NaN or infinite values")
    return t


def as_labels(y, n: int, name: str = "labels") -> Tensor:
    """``y`` (N,) integer labels (or (N, K) one-hot / probabilities, reduced by argmax) -> int64 CPU tensor (N,)."""
    t = torch.as_tensor(y).detach().cpu()
    if t.dim() == 2:
        t = t.argmax(dim=1)
    if t.dim() != 1 or t.shape[0] != n:
        raise ValueError(f"{name} must be ({n},); got shape {tuple(t.shape)}")
    return t.to(torch.int64)


def canonical_order(x: Tensor, labels: Tensor | None = None) -> Tensor:
    """Indices that sort the rows of ``x`` (N, F) lexicographically (by ``labels`` first when given).

    Two inputs holding the same rows in different orders map to the same sorted matrix.

    Example:
        >>> x = torch.tensor([[2.0, 0.0], [1.0, 5.0], [1.0, 3.0]])
        >>> canonical_order(x).tolist()
        [2, 1, 0]
    """
    keys = x.detach().cpu().numpy().T[::-1]  # np.lexsort sorts by the last key first
    if labels is not None:
        keys = np.vstack([keys, labels.detach().cpu().numpy()[None, :]])
    return torch.from_numpy(np.lexsort(keys).astype(np.int64))
