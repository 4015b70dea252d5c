"""Condition vectors and the ConditionSpec that names their groups.

A condition is a float tensor ``c: (B, K)``. It is the concatenation of one one-hot block per *group* of mutually
exclusive attributes. A single class label is one group of size K; a binary attribute is a group of two,
``[a, not-a]`` (CA-GAN, Section 3.3). Integer labels become condition vectors at the data boundary with
:meth:`ConditionSpec.encode`.

>>> spec = ConditionSpec.single(3)
>>> spec.encode(torch.tensor([2, 0]))
tensor([[0., 0., 1.],
        [1., 0., 0.]])
"""

from __future__ import annotations

import attrs
import torch
from torch import Tensor

from .errors import DataError


@attrs.frozen
class Group:
    """One group of mutually exclusive attribute values (a one-hot block of ``size`` entries)."""

    name: str
    size: int = attrs.field(validator=attrs.validators.ge(2))
    labels: tuple[str, ...] = ()

    def label(self, i: int) -> str:
        return self.labels[i] if i < len(self.labels) else f"{self.name}={i}"


@attrs.frozen
class ConditionSpec:
    """The layout of condition vectors: an ordered tuple of groups; K is the sum of their sizes."""

    groups: tuple[Group, ...] = attrs.field(converter=tuple)

    @groups.validator
    def _check(self, _attr, value):
        if not value:
            raise ValueError("a ConditionSpec needs at least one group")

    @classmethod
    def single(cls, num_classes: int, labels: tuple[str, ...] = (), name: str = "class") -> "ConditionSpec":
        """One group of ``num_classes`` mutually exclusive classes (the AC-GAN setting)."""
        return cls((Group(name, num_classes, tuple(labels)),))

    @classmethod
    def binary(cls, names: tuple[str, ...]) -> "ConditionSpec":
        """Independent binary attributes, each encoded as ``[a, not-a]`` (CA-GAN's multi-label case)."""
        return cls(tuple(Group(n, 2, (n, f"not-{n}")) for n in names))

    @property
    def num_conditions(self) -> int:
        """K, the width of a condition vector."""
        return sum(g.size for g in self.groups)

    @property
    def is_single(self) -> bool:
        return len(self.groups) == 1

    @property
    def slices(self) -> tuple[slice, ...]:
        out, start = [], 0
        for g in self.groups:
            out.append(slice(start, start + g.size))
            start += g.size
        return tuple(out)

    @property
    def num_combinations(self) -> int:
        n = 1
        for g in self.groups:
            n *= g.size
        return n

    def encode(self, labels: Tensor, *, check: bool = True) -> Tensor:
        """Integer labels -> condition vectors.

        ``labels``: ``(B,)`` for a single group or ``(B, G)`` with one column per group. Returns ``(B, K)`` float32.
        Raises :class:`DataError` naming the offending value when a label lies outside its group. ``check=False``
        skips that range check (two reductions and, on a GPU, two host syncs) for labels already checked, as a
        :class:`~condgan.data.Dataset` checks its labels once when it is made.
        """
        labels = torch.as_tensor(labels)
        if labels.dim() == 1:
            labels = labels[:, None]
        if labels.dim() != 2 or labels.shape[1] != len(self.groups):
            raise DataError(
                f"labels of shape {tuple(labels.shape)} do not fit a condition spec with {len(self.groups)} "
                f"group(s); give (B,) for one group or (B, {len(self.groups)})"
            )
        if not check and len(self.groups) == 1:
            return torch.nn.functional.one_hot(labels[:, 0].long(), self.groups[0].size).float()
        parts = []
        for j, g in enumerate(self.groups):
            col = labels[:, j].long()
            if check and col.numel() and (int(col.min()) < 0 or int(col.max()) >= g.size):
                bad = col[(col < 0) | (col >= g.size)][0].item()
                raise DataError(
                    f"label {bad} in group '{g.name}' is outside the declared range 0..{g.size - 1}; "
                    f"set num_classes (or the group sizes) to match the data"
                )
            parts.append(torch.nn.functional.one_hot(col, g.size).float())
        return torch.cat(parts, dim=1)

    def decode(self, c: Tensor) -> Tensor:
        """Condition vectors (one-hot or soft) -> ``(B, G)`` integer labels by the argmax within each group."""
        return torch.stack([c[:, s].argmax(dim=1) for s in self.slices], dim=1)

    def all_combinations(self) -> Tensor:
        """Every combination of group values as condition vectors, ``(num_combinations, K)``, first group slowest."""
        grids = torch.cartesian_prod(*[torch.arange(g.size) for g in self.groups])
        if grids.dim() == 1:
            grids = grids[:, None]
        return self.encode(grids)

    def combination_labels(self) -> list[str]:
        combos = torch.cartesian_prod(*[torch.arange(g.size) for g in self.groups])
        if combos.dim() == 1:
            combos = combos[:, None]
        return [", ".join(g.label(int(v)) for g, v in zip(self.groups, row)) for row in combos]

    def to_dict(self) -> dict:
        return {"groups": [{"name": g.name, "size": g.size, "labels": list(g.labels)} for g in self.groups]}

    @classmethod
    def from_dict(cls, d: dict) -> "ConditionSpec":
        return cls(tuple(Group(g["name"], int(g["size"]), tuple(g.get("labels", ()))) for g in d["groups"]))
