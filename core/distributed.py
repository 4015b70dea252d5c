"""Data-parallel training under ``torchrun``: the few collectives the loop calls, written out (no DDP wrapper).

``torchrun --nproc_per_node=N -m condgan train ...`` starts N processes; each builds the same experiment from the
same seed, reads its slice of the global batch (``run.batch_size`` is the global batch; rank r takes rows
r, r+N, r+2N, ...), draws the global batch of noise and conditions and keeps the same rows
(:meth:`condgan.interfaces.Models.sample_latent`), and averages gradients before every optimizer step. Every
decision the ranks must share (resume from which checkpoint, skip a non-finite step, stop on a signal) is taken
from collective values, so all ranks take it together. gloo on the CPU, NCCL on GPUs.

With ``world == 1`` every function here returns at once and no process group exists.
"""

from __future__ import annotations

import os
from typing import Callable, Iterable, TypeVar

import torch
import torch.distributed as dist

from .errors import CondganError, ConfigError

T = TypeVar("T")


class PeerFailed(CondganError):
    """Raised on ranks > 0 when rank 0 failed in a step only it runs (preparing the run directory, choosing the
    checkpoint); rank 0 reports the error itself, so the CLI prints nothing more for this one."""


class Dist:
    """This process's place in the job: ``rank``, ``world``, and a gloo group for host-side agreement (flags and
    small objects travel over gloo even when the gradients go over NCCL, so they never wait on a GPU stream)."""

    def __init__(self, rank: int = 0, world: int = 1, created: bool = False):
        self.rank, self.world, self.created = rank, world, created
        self.control = None
        if world > 1:
            self.control = dist.new_group(backend="gloo") if dist.get_backend() != "gloo" else dist.group.WORLD

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    # -- decisions all ranks share ---------------------------------------------------------------------------
    def any(self, flag: bool) -> bool:
        """True on every rank when ``flag`` is true on any rank."""
        if self.world == 1:
            return flag
        t = torch.tensor([1 if flag else 0], dtype=torch.int32)
        dist.all_reduce(t, op=dist.ReduceOp.MAX, group=self.control)
        return bool(t.item())

    def from_main(self, obj: T) -> T:
        """Rank 0's ``obj`` on every rank (pickled over the gloo group)."""
        if self.world == 1:
            return obj
        box = [obj if self.is_main else None]
        dist.broadcast_object_list(box, src=0, group=self.control)
        return box[0]

    def main_only(self, fn: Callable[[], T]) -> T | None:
        """Run ``fn`` on rank 0 only; an error there is raised on rank 0 as is and as :class:`PeerFailed` on the
        other ranks, so no rank waits forever in the next collective."""
        error: BaseException | None = None
        result = None
        if self.is_main:
            try:
                result = fn()
            except Exception as exc:  # noqa: BLE001 - re-raised below, on every rank
                error = exc
        message = self.from_main(None if error is None else f"{type(error).__name__}: {error}")
        if error is not None:
            raise error
        if message is not None:
            raise PeerFailed(f"rank 0 failed: {message}")
        return result

    def barrier(self) -> None:
        if self.world > 1:
            dist.barrier(group=self.control)

    def close(self) -> None:
        """Destroy the process group if :func:`init_distributed` created it."""
        if self.created and dist.is_initialized():
            dist.destroy_process_group()
            self.created = False


def env_world() -> tuple[int, int, int]:
    """(rank, world, local_rank) from torchrun's environment; (0, 1, 0) outside torchrun."""
    return int(os.environ.get("RANK", "0")), int(os.environ.get("WORLD_SIZE", "1")), int(os.environ.get("LOCAL_RANK", "0"))


def init_distributed(device: torch.device) -> Dist:
    """Join torchrun's process group when ``WORLD_SIZE > 1``: NCCL for CUDA devices, gloo otherwise."""
    rank, world, _ = env_world()
    created = False
    if world > 1 and not dist.is_initialized():
        if not dist.is_available():
            raise ConfigError([("torchrun", f"WORLD_SIZE={world}, but this torch build has no torch.distributed")])
        backend = "nccl" if device.type == "cuda" else "gloo"
        if device.type == "cuda":
            torch.cuda.set_device(device)
        dist.init_process_group(backend)
        created = True
    return Dist(rank, world, created)


def check_sync_batchnorm(enabled: bool, device: torch.device, world: int) -> None:
    """``run.sync_batchnorm`` needs an accelerator: torch's SyncBatchNorm rejects CPU tensors."""
    if enabled and world > 1 and device.type == "cpu":
        raise ConfigError([("$.run.sync_batchnorm", "SyncBatchNorm runs on GPUs only (torch rejects CPU tensors; "
                                                    "gloo cannot carry it); set run.sync_batchnorm = false on the CPU")])


def convert_sync_batchnorm(modules: Iterable[torch.nn.Module | None], world: int) -> None:
    """Turn every BatchNorm layer into SyncBatchNorm (statistics over the global batch), in place."""
    if world == 1:
        return
    for mod in modules:
        if mod is None:
            continue
        for name, child in list(mod.named_children()):
            converted = torch.nn.SyncBatchNorm.convert_sync_batchnorm(child)
            if converted is not child:
                setattr(mod, name, converted)


# -- tensors -----------------------------------------------------------------------------------------------------
def average_gradients(params: list[torch.nn.Parameter], world: int) -> None:
    """All-reduce (mean) the gradients of ``params`` across processes: what DDP does, made explicit. Every rank
    receives the same reduced values, so the parameters stay identical after the optimizer step."""
    if world == 1:
        return
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return
    flat = torch.cat([g.flatten() for g in grads])
    dist.all_reduce(flat)
    flat /= world
    off = 0
    for g in grads:
        g.copy_(flat[off:off + g.numel()].view_as(g))
        off += g.numel()


def mean_scalars(logs: dict[str, torch.Tensor], world: int) -> dict[str, float]:
    """Scalar logs averaged over ranks in one all-reduce: the mean of the ranks' batch means is the mean over the
    global batch when the ranks hold equal shares of it."""
    if not logs:
        return {}
    flat = torch.stack([v.detach().double().reshape(()) for v in logs.values()])
    if world > 1:
        dist.all_reduce(flat)
        flat /= world
    return dict(zip(logs.keys(), flat.tolist()))


def gather_rows(t: torch.Tensor, world: int) -> torch.Tensor:
    """Rows of every rank in the single-process order of the global batch (rank r held rows r, r+N, ...)."""
    if world == 1:
        return t
    parts = [torch.empty_like(t) for _ in range(world)]
    dist.all_gather(parts, t.contiguous())
    return torch.stack(parts, 1).flatten(0, 1)


def broadcast_tensors(tensors: Iterable[torch.Tensor], world: int) -> None:
    """Rank 0's values of ``tensors`` (parameters, buffers) on every rank, in place."""
    if world == 1:
        return
    with torch.no_grad():
        for t in tensors:
            dist.broadcast(t, src=0)


def fingerprint(tensors: Iterable[torch.Tensor]) -> torch.Tensor:
    """Two float64 numbers per tensor (sum and index-weighted sum): equal tensors give equal fingerprints."""
    rows = []
    for t in tensors:
        v = t.detach().double().flatten()
        rows.append(torch.stack([v.sum(), (v * torch.arange(1, v.numel() + 1, dtype=torch.float64, device=v.device)).sum()]))
    return torch.stack(rows).cpu() if rows else torch.zeros(0, 2, dtype=torch.float64)


def check_ranks_agree(d: Dist, tensors: list[torch.Tensor], what: str) -> None:
    """Raise on every rank when the ranks' copies of ``tensors`` differ (weights, EMA, prior state)."""
    if d.world == 1:
        return
    mine = fingerprint(tensors)
    parts = [torch.empty_like(mine) for _ in range(d.world)]
    dist.all_gather(parts, mine, group=d.control)
    bad = [r for r, p in enumerate(parts) if not torch.equal(p, parts[0])]
    if bad:
        raise CondganError(f"ranks {bad} hold different {what} from rank 0; the data-parallel run has diverged "
                           f"(a component draws random numbers per rank or updates state from local values)")


def state_tensors(modules: dict[str, torch.nn.Module], extra: Iterable[torch.nn.Module] = ()) -> list[torch.Tensor]:
    """Every parameter and buffer of ``modules`` (and ``extra``), in a fixed order."""
    out: list[torch.Tensor] = []
    for mod in [*modules.values(), *extra]:
        out += [*mod.parameters(), *mod.buffers()]
    return out
