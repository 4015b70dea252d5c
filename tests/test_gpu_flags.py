"""GPU readiness flags, exercised on the CPU: bf16 autocast, channels_last, torch.compile, fused optimizers, pinned
memory with non-blocking copies, data workers. Each runs a few training steps through the CLI; losses stay finite, and a flag
that should not change the math matches the default run within a stated tolerance. The ``gpu`` test runs them
together on CUDA when one is present. See docs/distributed.md ("GPU flags")."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
import torch

from condgan.checkpoint import load_file
from condgan.cli import main

STEPS = 3

RUN = """
[run]
name = "t"
steps = {steps}
batch_size = 16
log_every = 1
sample_every = 0
checkpoint_every = 0
threads = 1
progress = false
device = "{device}"
"""

IMAGE = RUN + """
[data]
type = "core.digits"

[latent]
type = "core.gaussian"
dim = 8

[objective]
type = "core.cgan"

[generator]
type = "core.dcgan_g"
channels = 8

[discriminator]
type = "core.dcgan_d"
channels = 8
norm = "batch"
"""

VECTOR = RUN + """
[data]
type = "core.gaussian_clusters"
n = 256

[latent]
type = "core.gaussian"
dim = 8

[objective]
type = "core.cgan"

[generator]
type = "core.mlp_g"
hidden = 16
layers = 2

[discriminator]
type = "core.mlp_d"
hidden = 16
layers = 2
"""


#: for comparing layouts: Adam turns the rounding noise in a gradient that is zero in exact arithmetic (a conv
#: bias followed by BatchNorm) into full +-lr steps of either sign; SGD keeps a difference as small as its cause
SGD = ("optimizers.generator.type=sgd", "optimizers.discriminator.type=sgd", "optimizers.generator.lr=0.05",
       "optimizers.discriminator.lr=0.05")


def train(tmp_path: Path, config: str, *overrides: str, device: str = "cpu", tag: str = "run") -> tuple[dict, list]:
    """Train STEPS steps with ``--set`` overrides; the final checkpoint and the logged rows."""
    cfg = tmp_path / f"{tag}.toml"
    cfg.write_text(config.format(steps=STEPS, device=device))
    args = ["train", str(cfg), "--out", str(tmp_path / tag)]
    for o in overrides:
        args += ["--set", o]
    assert main(args) == 0
    run_dir = tmp_path / tag / "t"
    with open(run_dir / "metrics.csv", newline="") as f:
        rows = [{k: float(v) for k, v in r.items() if k != "time_s"} for r in csv.DictReader(f)]
    return load_file(run_dir / "checkpoints" / f"step_{STEPS:08d}.pt"), rows


def assert_finite(state: dict, rows: list) -> None:
    assert len(rows) == STEPS
    for r in rows:
        assert all(math.isfinite(v) for v in r.values()), r
    for name, sd in state["models"].items():
        for k, v in sd.items():
            if v.is_floating_point():
                assert torch.isfinite(v).all(), f"{name}.{k}"


def max_weight_diff(a: dict, b: dict) -> float:
    return max(float((v.float() - b["models"][m][k].float()).abs().max())
               for m in ("generator", "discriminator") for k, v in a["models"][m].items() if v.is_floating_point())


def assert_same_math(a: dict, b: dict, rtol: float, atol: float) -> None:
    for m in ("generator", "discriminator"):
        for k, v in a["models"][m].items():
            if v.is_floating_point():
                torch.testing.assert_close(b["models"][m][k], v, rtol=rtol, atol=atol, msg=lambda s, k=k: f"{m}.{k}: {s}")


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """The default runs (fp32, contiguous, eager, foreach-free Adam, no pinning) both flags are compared with."""
    root = tmp_path_factory.mktemp("baseline")
    return {"image": train(root, IMAGE, tag="image"), "vector": train(root, VECTOR, tag="vector"),
            "image_sgd": train(root, IMAGE, *SGD, tag="image_sgd")}


def test_bf16_autocast_on_the_cpu(tmp_path, baseline):
    """Forward passes under autocast(bfloat16): finite losses, fp32 weights, and the numbers really differ. The
    first step's losses (same weights in both runs) differ only by bf16 rounding: within 5% of fp32."""
    state, rows = train(tmp_path, IMAGE, "run.precision=bf16")
    assert_finite(state, rows)
    assert all(v.dtype == torch.float32 for v in state["models"]["generator"].values() if v.is_floating_point())
    diff = max_weight_diff(state, baseline["image"][0])
    print(f"bf16 vs fp32: max |diff| {diff:.3g}")
    assert diff > 0, "bf16 autocast changed nothing: it was not applied"
    first, first_fp32 = rows[0], baseline["image"][1][0]
    for k, v in first_fp32.items():
        assert first[k] == pytest.approx(v, rel=0.05, abs=1e-3), k


def test_channels_last_with_the_dcgan_nets(tmp_path, baseline):
    """NHWC layout: the convolution weights are stored channels_last, and the result matches the default layout
    (different convolution kernels, so float rounding differs: rtol 1e-4 / atol 1e-5 after three SGD steps)."""
    state, rows = train(tmp_path, IMAGE, "run.channels_last=true", *SGD)
    assert_finite(state, rows)
    convs = [v for v in state["models"]["discriminator"].values() if v.dim() == 4]
    assert convs and all(v.is_contiguous(memory_format=torch.channels_last) for v in convs)
    print(f"channels_last vs contiguous: max |diff| {max_weight_diff(state, baseline['image_sgd'][0]):.3g}")
    assert_same_math(baseline["image_sgd"][0], state, rtol=1e-4, atol=1e-5)


def test_torch_compile_on_a_tiny_mlp(tmp_path, baseline):
    """The networks compiled in place (state_dict keys unchanged, so checkpoints load in eager mode); same weights
    as eager within float rounding (inductor fuses and reorders: rtol 1e-4 / atol 1e-5)."""
    state, rows = train(tmp_path, VECTOR, "run.compile=true")
    assert_finite(state, rows)
    print(f"compiled vs eager: max |diff| {max_weight_diff(state, baseline['vector'][0]):.3g}")
    assert state["models"]["generator"].keys() == baseline["vector"][0]["models"]["generator"].keys()
    assert_same_math(baseline["vector"][0], state, rtol=1e-4, atol=1e-5)


def test_fused_adam_matches_the_default_adam(tmp_path, baseline):
    """Fused Adam kernels on the CPU: the same update up to rounding (rtol 1e-5 / atol 1e-6)."""
    state, rows = train(tmp_path, VECTOR, "optimizers.generator.fused=true", "optimizers.discriminator.fused=true")
    assert_finite(state, rows)
    print(f"fused vs default Adam: max |diff| {max_weight_diff(state, baseline['vector'][0]):.3g}")
    assert_same_math(baseline["vector"][0], state, rtol=1e-5, atol=1e-6)


def test_fused_rmsprop_is_a_config_error(tmp_path, capsys):
    cfg = tmp_path / "c.toml"
    cfg.write_text(VECTOR.format(steps=1, device="cpu"))
    code = main(["train", str(cfg), "--out", str(tmp_path / "r"), "--set", "optimizers.generator.type=rmsprop",
                 "--set", "optimizers.generator.fused=true"])
    assert code == 2
    assert ("$.optimizers.generator.fused: torch has no fused 'rmsprop'; fused works with adam, adamw, sgd. "
            "Set fused = false.") in capsys.readouterr().err


def test_pinned_memory_path_does_not_change_results(tmp_path, baseline):
    """run.pin_memory (default on) vs off: on the CPU the copy path runs with non_blocking=True and pins nothing;
    the results are bit-identical."""
    on, _ = train(tmp_path, IMAGE, "run.pin_memory=true", tag="on")
    off, _ = train(tmp_path, IMAGE, "run.pin_memory=false", tag="off")
    for m in ("generator", "discriminator"):
        for k, v in on["models"][m].items():
            assert torch.equal(v, off["models"][m][k]), f"{m}.{k}"
            assert torch.equal(v, baseline["image"][0]["models"][m][k]), f"{m}.{k}"


def test_batch_stream_layout_and_pinning_keep_values():
    """BatchStream with channels_last and pin_memory: the same values as the plain stream, NHWC strides."""
    from condgan.conditions import ConditionSpec
    from condgan.data import BatchStream, Dataset

    x = torch.randint(0, 256, (64, 1, 8, 8), dtype=torch.uint8)
    y = torch.randint(0, 10, (64, 1))
    data = Dataset(name="toy", x=x, y=y, spec=ConditionSpec.single(10))
    plain = BatchStream(data, 16, seed=1)
    flagged = BatchStream(data, 16, seed=1, pin_memory=True, channels_last=True)
    for step in range(5):
        a, b = plain.batch(step), flagged.batch(step)
        assert torch.equal(a.x, b.x) and torch.equal(a.c, b.c) and torch.equal(a.y, b.y)
        assert b.x.is_contiguous(memory_format=torch.channels_last)


def test_data_workers_do_not_change_results(tmp_path, baseline):
    """run.data_workers = 2: the batches are prepared in threads two steps ahead; the run is bit-identical."""
    state, rows = train(tmp_path, IMAGE, "run.data_workers=2", tag="workers")
    base_state, base_rows = baseline["image"]
    assert rows == base_rows
    for m in ("generator", "discriminator"):
        for k, v in state["models"][m].items():
            assert torch.equal(v, base_state["models"][m][k]), f"{m}.{k}"


def test_prefetching_stream_gives_the_streams_batches():
    """Across epoch boundaries, from a resumed step, and after close: the same batches as BatchStream."""
    from condgan.conditions import ConditionSpec
    from condgan.data import BatchStream, Dataset, PrefetchingStream

    data = Dataset(name="toy", x=torch.randn(64, 3), y=torch.randint(0, 4, (64, 1)), spec=ConditionSpec.single(4))
    plain = BatchStream(data, 16, seed=3)  # 4 steps per epoch
    for start in (0, 7):
        ahead = PrefetchingStream(BatchStream(data, 16, seed=3), workers=3, end_step=20)
        for step in range(start, 20):
            a, b = plain.batch(step), ahead.batch(step)
            assert torch.equal(a.x, b.x) and torch.equal(a.y, b.y), step
        ahead.close()
        ahead.close()
    with pytest.raises(ValueError, match="data workers"):
        PrefetchingStream(plain, workers=0, end_step=5)


def test_negative_data_workers_is_a_config_error(tmp_path, capsys):
    cfg = tmp_path / "c.toml"
    cfg.write_text(VECTOR.format(steps=1, device="cpu"))
    assert main(["train", str(cfg), "--out", str(tmp_path / "r"), "--set", "run.data_workers=-1"]) == 2
    assert "data_workers" in capsys.readouterr().err


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_all_flags_on_a_gpu(tmp_path):
    """On CUDA: bf16 + channels_last + compile + fused Adam + pinned non-blocking copies train with finite losses,
    and pinned vs pageable copies give identical results."""
    flags = ("run.precision=bf16", "run.channels_last=true", "run.compile=true", "run.data_workers=2",
             "optimizers.generator.fused=true", "optimizers.discriminator.fused=true")
    state, rows = train(tmp_path, IMAGE, *flags, device="cuda", tag="all")
    assert_finite(state, rows)
    on, _ = train(tmp_path, IMAGE, "run.pin_memory=true", device="cuda", tag="pin")
    off, _ = train(tmp_path, IMAGE, "run.pin_memory=false", device="cuda", tag="nopin")
    assert_same_math(on, off, rtol=1e-5, atol=1e-6)
