"""Data-parallel training under torchrun: two CPU processes over gloo follow the trajectory of one process with the
same global batch.

``run.batch_size`` is the global batch: one process takes 32 rows per step; under ``--nproc_per_node=2`` each rank
takes 16 (rows r, r+2, ...), draws the global batch of z and c and keeps the same rows, and gradients are averaged.
The only difference left is float reduction order (a mean over 32 rows vs. the mean of two means over 16, then the
all-reduce), so weights agree to float32 rounding, not bit for bit: after 16 steps the largest difference measured
was 1.2e-7 (abs). The test allows rtol 1e-5 / atol 1e-6 and checks the weights moved by far more than that.
See docs/distributed.md.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.distributed as dist

from condgan.checkpoint import load_file

pytestmark = pytest.mark.skipif(not (dist.is_available() and dist.is_gloo_available()),
                                reason="torch.distributed with gloo is not available in this torch build")

RTOL, ATOL = 1e-5, 1e-6  # float32 weights after 16 steps; reduction order differs between 1 and 2 processes
STEPS = 16

# CGPGAN on 2-D clusters: G, D and Q, R2 penalty, the dynamic prior updated from Q's probabilities gathered over the
# ranks, a generator EMA. prob_normalize is off: it subtracts a batch mean, which each rank takes over its own rows.
CONFIG = f"""
[run]
name = "t"
steps = {STEPS}
batch_size = 32
log_every = 4
sample_every = 0
checkpoint_every = 8
keep_checkpoints = 5
ema_decay = 0.9
threads = 1
progress = false
deterministic = true
precision = "fp32"

[data]
type = "cgpgan.clusters"
categories = 4
n = 512

[latent]
type = "core.gaussian"
dim = 8

[objective]
type = "cgpgan.cgpgan"
normalize_until_step = 0

[prior]
type = "cgpgan.ema"
decay = 0.5

[generator]
type = "cgpgan.mlp"
width = 32
depth = 2

[discriminator]
type = "cgpgan.mlp"
width = 32
depth = 2

[classifier]
type = "cgpgan.mlp"
width = 32
depth = 2
"""


def _run(args: list[str], cwd: Path, timeout: int = 180) -> None:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    for key in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(key, None)
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"


def _torchrun(nproc: int) -> list[str]:
    # --standalone: a local rendezvous on a free port, so parallel test runs do not collide
    return [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}", "-m", "condgan"]


def _state(run_dir: Path, step: int = STEPS) -> dict:
    return load_file(run_dir / "checkpoints" / f"step_{step:08d}.pt")


def _logged(run_dir: Path) -> list[dict[str, float]]:
    with open(run_dir / "metrics.csv", newline="") as f:
        return [{k: float(v) for k, v in row.items() if k != "time_s" and v != ""} for row in csv.DictReader(f)]


def _max_diff(a: dict, b: dict) -> float:
    """Largest |a - b| over the floating tensors of the models, the EMA and the prior, checking allclose on each."""
    worst = 0.0
    pairs = [(f"models.{m}.{k}", v, b["models"][m][k]) for m in a["models"] for k, v in a["models"][m].items()]
    pairs += [(f"ema.{k}", v, b["ema"][k]) for k, v in a["ema"].items()]
    for name, x, y in pairs:
        if not x.is_floating_point():
            assert torch.equal(x, y), name
            continue
        torch.testing.assert_close(y, x, rtol=RTOL, atol=ATOL, msg=lambda m, name=name: f"{name}: {m}")
        worst = max(worst, float((x - y).abs().max()))
    return worst


@pytest.fixture(scope="module")
def single(tmp_path_factory) -> Path:
    """One process, global batch 32."""
    root = tmp_path_factory.mktemp("single")
    (root / "c.toml").write_text(CONFIG)
    _run([sys.executable, "-m", "condgan", "train", "c.toml", "--out", "runs"], root)
    return root / "runs" / "t"


def test_two_gloo_processes_follow_the_single_process_trajectory(single, tmp_path, components):
    (tmp_path / "c.toml").write_text(CONFIG)
    _run([*_torchrun(2), "train", "c.toml", "--out", "runs"], tmp_path)
    dist_dir = tmp_path / "runs" / "t"

    a, b = _state(single), _state(dist_dir)
    worst = _max_diff(a, b)
    print(f"max |single - torchrun x2| over weights, EMA and prior: {worst:.3g}")

    # the comparison is not vacuous: training moved the generator far beyond the tolerance
    from condgan.build import build_experiment
    from condgan.config import parse_config
    import tomllib

    init = build_experiment(parse_config(tomllib.loads(CONFIG), components), components).models.generator.state_dict()
    moved = max(float((a["models"]["generator"][k] - v).abs().max()) for k, v in init.items())
    assert moved > 1000 * ATOL, moved
    # the dynamic prior moved off uniform, from probabilities gathered over both ranks
    assert float((a["models"]["prior"]["p"] - 0.25).abs().max()) > 1e-3

    # logged losses are the means over the global batch (rank 0 writes them; 6 significant digits in the CSV)
    rows_a, rows_b = _logged(single), _logged(dist_dir)
    assert [r["step"] for r in rows_a] == [r["step"] for r in rows_b] == [4, 8, 12, 16]
    for ra, rb in zip(rows_a, rows_b):
        assert ra.keys() == rb.keys()
        for k in ra:
            assert rb[k] == pytest.approx(ra[k], rel=1e-4, abs=1e-5), (ra["step"], k)
    # only rank 0 wrote the run directory's files
    assert sorted(p.name for p in (dist_dir / "checkpoints").iterdir()) == sorted(
        p.name for p in (single / "checkpoints").iterdir())


@pytest.mark.slow
def test_resume_under_torchrun_continues_the_same_trajectory(single, tmp_path):
    """Stop after 8 steps (with run.data_workers = 2), resume under torchrun to 16: the ranks agree on the
    checkpoint and match one process."""
    (tmp_path / "c.toml").write_text(CONFIG)
    _run([*_torchrun(2), "train", "c.toml", "--out", "runs", "--set", "run.steps=8", "--set", "run.data_workers=2"],
         tmp_path)  # batches prepared ahead in threads: the same batches
    run_dir = tmp_path / "runs" / "t"
    _run([*_torchrun(2), "train", "--resume", str(run_dir), "--set", f"run.steps={STEPS}"], tmp_path)
    _max_diff(_state(single), _state(run_dir))


def test_each_rank_keeps_its_rows_of_the_global_draw(components):
    """Models.sample_latent / sample_conditions: the union of the ranks' rows is the single process's draw."""
    from condgan.build import build_experiment
    from condgan.config import parse_config
    import tomllib

    m = build_experiment(parse_config(tomllib.loads(CONFIG), components), components).models
    torch.manual_seed(3)
    z_all, c_all = m.sample_latent(8), m.sample_conditions(8)
    parts = []
    for rank in range(2):
        m.rank, m.world = rank, 2
        torch.manual_seed(3)
        parts.append((m.sample_latent(4), m.sample_conditions(4)))
    m.rank, m.world = 0, 1
    assert torch.equal(torch.stack([parts[0][0], parts[1][0]], 1).flatten(0, 1), z_all)
    assert torch.equal(torch.stack([parts[0][1], parts[1][1]], 1).flatten(0, 1), c_all)


def test_sync_batchnorm_on_the_cpu_is_a_config_error():
    from condgan.distributed import check_sync_batchnorm
    from condgan.errors import ConfigError

    check_sync_batchnorm(True, torch.device("cpu"), 1)  # one process: nothing to synchronise, allowed
    with pytest.raises(ConfigError, match=r"\$\.run\.sync_batchnorm: SyncBatchNorm runs on GPUs only"):
        check_sync_batchnorm(True, torch.device("cpu"), 2)
