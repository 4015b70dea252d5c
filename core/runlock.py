"""One writer per run directory: an operating-system lock on ``<run_dir>/.lock``.

``train`` takes the lock before it writes anything into the run directory (config, manifest, metrics, checkpoints)
and holds it until it returns; under torchrun only rank 0 holds it. A second process that trains, resumes or writes
into the same directory is refused with :class:`RunDirLocked`, naming the holder's PID and host.

The lock is ``fcntl.flock`` on an open file: the kernel releases it when its holder exits, however it exits, so a
run killed with SIGKILL leaves no stale lock and resumes as before. The PID and host written into the file are for
the message only; the lock is the flock, never the file's presence or content. Reading a run (``condgan evaluate``,
``condgan sample``, ``condgan plot``) takes no lock: checkpoints are written to a temporary file and renamed, so a
reader sees the last complete one.

On platforms without ``fcntl`` (Windows) no lock is taken. On network file systems flock may be local to one host
(NFS without lock support): there the lock protects against a second writer on the same host only.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from .errors import CondganError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

LOCK_NAME = ".lock"


class RunDirLocked(CondganError):
    """Another process holds the run directory's lock (it is training or resuming there)."""


def _holder(path: Path) -> str:
    """``PID <pid> on <host>`` from the lock file; the holder writes it right after locking, so retry briefly."""
    for _ in range(20):
        try:
            text = path.read_text().split()
        except OSError:
            text = []
        if len(text) >= 2:
            return f"PID {text[0]} on host {text[1]}"
        time.sleep(0.05)
    return "a process whose PID and host are not written yet"


class RunLock:
    """``with RunLock(run_dir):`` holds the directory's lock, or raises :class:`RunDirLocked` before writing anything.

    Only the lock file is created (when missing); an existing lock file is opened without being changed until the
    lock is held. Re-entrant within one object, not across objects (a second ``RunLock`` on the same directory in
    the same process is refused too, as flock locks belong to open files).
    """

    def __init__(self, run_dir: str | Path):
        self.run_dir = Path(run_dir)
        self.path = self.run_dir / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> "RunLock":
        if self._fd is not None or fcntl is None:
            return self
        self.run_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise RunDirLocked(f"{self.run_dir} is in use by another condgan process ({_holder(self.path)}), which "
                               f"trains or resumes this run; refused, nothing was written. Wait for it to finish or "
                               f"stop it (Ctrl-C checkpoints), or choose another run.name / --out. Evaluating and "
                               f"sampling the run need no lock.") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {socket.gethostname()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def __enter__(self) -> "RunLock":
        return self.acquire()

    def __exit__(self, *exc) -> bool:
        self.release()
        return False
