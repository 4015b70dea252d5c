"""Stopping several training runs in a row, or side by side, on Ctrl-C / SIGTERM.

:func:`condgan.train.train` stops one run on SIGINT/SIGTERM: it finishes the step, checkpoints and returns a summary
with ``interrupted=True``. Code that trains several runs (the reproductions) must then stop too, not start the next
one:

* :func:`raise_if_interrupted` turns that summary into :class:`TrainingInterrupted`; call it on every ``train``
  result. The exception is a ``KeyboardInterrupt``, so a broad ``except Exception`` does not swallow it, and the CLI
  exits 130 with its message.
* :func:`sigterm_raises_keyboard_interrupt` makes SIGTERM between runs (evaluating, writing a page) stop the
  process the way Ctrl-C does, instead of killing it without a message.
* :class:`StoppablePool` is a ``ProcessPoolExecutor`` for runs trained in worker processes: a signal to the parent
  reaches the workers' ``train``, no worker starts another task, and leaving the ``with`` block raises
  :class:`TrainingInterrupted`.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Iterator

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class TrainingInterrupted(KeyboardInterrupt):
    """A training run stopped by SIGINT/SIGTERM (its checkpoint saved); the runs after it were not started."""


def raise_if_interrupted(summary: dict[str, Any]) -> dict[str, Any]:
    """``summary`` (what ``train`` returned) unchanged, or :class:`TrainingInterrupted` when the run was stopped."""
    if summary.get("interrupted"):
        raise TrainingInterrupted(f"training in {summary.get('run_dir')} was stopped by a signal at step "
                                  f"{summary.get('step')} (checkpoint saved); the runs after it were not started")
    return summary


@contextmanager
def sigterm_raises_keyboard_interrupt() -> Iterator[None]:
    """Inside the block SIGTERM raises ``KeyboardInterrupt`` like Ctrl-C (``train`` still installs its own graceful
    handler while it runs); the previous handler is restored after. A no-op outside the main thread."""
    try:
        old = signal.signal(signal.SIGTERM, signal.default_int_handler)
    except ValueError:  # not the main thread: signals cannot be handled here
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


# -- workers ---------------------------------------------------------------------------------------------------------
_stop_event = None      # set by the parent: start no new task
_in_task = False
_signal_seen: int | None = None


def _init_worker(stop_event) -> None:
    """In each worker: remember the parent's stop event and handle SIGINT/SIGTERM outside ``train``."""
    global _stop_event
    _stop_event = stop_event
    for sig in STOP_SIGNALS:
        signal.signal(sig, _worker_signal)


def _worker_signal(signum, frame) -> None:
    """Idle: note the signal (no new task starts). Inside a task but outside ``train``: stop the task now."""
    global _signal_seen
    _signal_seen = signum
    if _in_task:
        raise TrainingInterrupted(f"worker {os.getpid()} stopped by signal {signum} outside training")


def _run_unless_stopped(fn, args: tuple, kwargs: dict):
    global _in_task
    if _signal_seen is not None or (_stop_event is not None and _stop_event.is_set()):
        raise TrainingInterrupted("not started: the pool was stopped")
    _in_task = True
    try:
        return fn(*args, **kwargs)
    finally:
        _in_task = False


class StoppablePool(ProcessPoolExecutor):
    """``with StoppablePool(workers, multiprocessing.get_context("spawn")) as pool:`` submit and collect as usual.

    On SIGINT/SIGTERM to the parent: a shared event tells every worker to start no new task; SIGTERM is passed on to
    the workers (a terminal's Ctrl-C reaches them by itself, and a second signal would make ``train`` stop at once
    without its checkpoint, so a first SIGINT is not passed on); each worker's ``train`` finishes its step,
    checkpoints and returns ``interrupted``, which the task turns into :class:`TrainingInterrupted`
    (:func:`raise_if_interrupted`). ``future.result()`` raises it in the parent; leaving the block cancels the tasks
    not started, waits for the running ones to stop and raises :class:`TrainingInterrupted` naming the signal.
    A second signal is passed on as well: the workers then stop at once. On any other error the tasks not started
    are cancelled too. Handlers are installed only in the main thread.
    """

    def __init__(self, max_workers: int | None = None, mp_context=None):
        ctx = mp_context or multiprocessing.get_context()
        self._stop = ctx.Event()
        self.signal: int | None = None
        self._old_handlers: dict[int, Any] = {}
        self._futures: list[Future] = []
        super().__init__(max_workers, mp_context=ctx, initializer=_init_worker, initargs=(self._stop,))

    def submit(self, fn, /, *args, **kwargs) -> Future:
        fut = super().submit(_run_unless_stopped, fn, args, kwargs)
        self._futures.append(fut)
        return fut

    def _handle(self, signum, frame) -> None:
        first = self.signal is None
        if first:
            self.signal = signum
        self._stop.set()
        if signum != signal.SIGINT or not first:
            for proc in multiprocessing.active_children():
                try:
                    os.kill(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass

    def __enter__(self) -> "StoppablePool":
        for sig in STOP_SIGNALS:
            try:
                self._old_handlers[sig] = signal.signal(sig, self._handle)
            except ValueError:  # not the main thread
                pass
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        try:
            self.shutdown(wait=True, cancel_futures=exc_type is not None or self.signal is not None)
        finally:
            for sig, old in self._old_handlers.items():
                signal.signal(sig, old)
            self._old_handlers.clear()
        if self.signal is not None:
            done = sum(1 for f in self._futures if f.done() and not f.cancelled() and f.exception() is None)
            why = f": {exc}" if isinstance(exc, TrainingInterrupted) and str(exc) else ""
            raise TrainingInterrupted(f"stopped by signal {self.signal}; {done} of {len(self._futures)} tasks had "
                                      f"finished, the others were stopped or not started{why}") from exc
        return False
