"""Crash-safe checkpoints: written to a temporary file, flushed, fsynced and renamed; a SHA-256 beside each; the last
K kept; loading verifies the hash, uses ``torch.load(weights_only=True)`` (a pickle that would run code is refused)
and falls back to the previous checkpoint with a message when the newest is truncated or corrupt.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import sys
from pathlib import Path
from typing import Any

import torch

from .errors import CheckpointError

NAME = re.compile(r"^step_(\d+)\.pt$")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old file or the new one, never half of it."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    try:
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:  # directories cannot be fsynced on some platforms
        pass


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode())


def save_checkpoint(state: dict[str, Any], folder: Path, step: int, keep: int = 3) -> Path:
    """Save ``state`` as ``folder/step_<step>.pt`` (+ ``.sha256``) atomically; delete all but the newest ``keep``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    torch.save(state, buf)
    data = buf.getvalue()
    path = folder / f"step_{step:08d}.pt"
    atomic_write_bytes(path, data)
    atomic_write_text(path.with_name(path.name + ".sha256"), sha256_bytes(data) + "\n")
    for old in list_checkpoints(folder)[:-keep]:
        old.unlink(missing_ok=True)
        old.with_name(old.name + ".sha256").unlink(missing_ok=True)
    return path


def list_checkpoints(folder: Path) -> list[Path]:
    """Checkpoint files in ``folder``, oldest first."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in folder.iterdir() if (m := NAME.match(p.name))]
    return [p for _, p in sorted(found)]


def load_file(path: Path, map_location: Any = "cpu") -> dict[str, Any]:
    """Load one checkpoint safely: the hash must match, and only tensors and plain containers are unpickled."""
    path = Path(path)
    sidecar = path.with_name(path.name + ".sha256")
    data = path.read_bytes()
    if sidecar.exists():
        expected = sidecar.read_text().strip()
        if sha256_bytes(data) != expected:
            raise CheckpointError(f"{path} is corrupt or truncated (SHA-256 mismatch)")
    try:
        return torch.load(io.BytesIO(data), map_location=map_location, weights_only=True)
    except Exception as exc:  # noqa: BLE001 - UnpicklingError for unsafe payloads, others for truncation
        kind = "holds objects that could run code, refused" if "weights_only" in str(exc) or "Unsupported" in str(exc) else "could not be read"
        raise CheckpointError(f"{path} {kind}: {type(exc).__name__}: {str(exc).splitlines()[0]}") from None


def load_latest(folder: Path, map_location: Any = "cpu", log=print) -> tuple[dict[str, Any], Path]:
    """The newest readable checkpoint; a corrupt newer one is reported and skipped."""
    candidates = list_checkpoints(folder)
    if not candidates:
        raise CheckpointError(f"no checkpoint in {folder}")
    for path in reversed(candidates):
        try:
            return load_file(path, map_location), path
        except (CheckpointError, OSError) as exc:
            log(f"condgan: {exc}; trying the previous checkpoint", file=sys.stderr)
    raise CheckpointError(f"no readable checkpoint in {folder}; all {len(candidates)} are corrupt")
