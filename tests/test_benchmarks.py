"""The benchmark machinery (benchmarks/) keeps working: each built-in plugin has a representative objective with a
hand-written loop that does the same work as the framework's loop (same weights, bit for bit, after the same steps),
and the benchmarks run in ``--quick`` mode and render docs/performance.md. No timing is asserted. A new objective
needs no second copy here: the loop's cost does not depend on the objective's math."""

import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import report, scaling  # noqa: E402
from benchmarks.configs import BUILTIN_PLUGINS, builtin_objectives, experiment_config  # noqa: E402
from benchmarks.hand_loops import HAND_STEPS, REPRESENTATIVES  # noqa: E402
from benchmarks.overhead import components, load_dataset, same_weights  # noqa: E402
from condgan.threads import num_threads  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    COMPONENTS = components()


def test_each_builtin_plugin_has_a_registered_representative():
    """The representatives are registered objectives, at least one per plugin the benchmark covers."""
    assert set(REPRESENTATIVES) == set(HAND_STEPS)
    assert set(REPRESENTATIVES) <= set(builtin_objectives(COMPONENTS))
    assert {o.split(".", 1)[0] for o in REPRESENTATIVES} == set(BUILTIN_PLUGINS)


@pytest.fixture(scope="module")
def clusters():
    return load_dataset(experiment_config("mlp", "core.cgan"), COMPONENTS)


@pytest.mark.parametrize("objective", REPRESENTATIVES)
def test_hand_loop_does_the_frameworks_work(objective, clusters):
    """If an objective's math changes, its hand-written loop in benchmarks/hand_loops.py must change with it."""
    with num_threads(1):
        out = same_weights(experiment_config("mlp", objective), COMPONENTS, clusters, steps=2)
    assert out["identical"], f"{objective}: framework and hand loop differ after 2 steps (max |diff| {out['max_abs_diff']})"


def test_quick_benchmarks_run_and_render(tmp_path, fashion_mnist_root):
    # overhead in a fresh process: its memory measurement forks, which is safe only before torch starts threads
    subprocess.run([sys.executable, "-m", "benchmarks.overhead", "--quick", "--configs", "mlp", "--objectives",
                    "core.cgan", "uacgan.uac_gan", "--out", str(tmp_path / "overhead-quick.json")],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    with num_threads(1):
        # the relative part also runs the 28x28 dcgan config: on the Fashion-MNIST stand-in (conftest.py)
        scaling.main(["--quick", "--parts", "k", "relative", "--data-root", fashion_mnist_root,
                      "--out", str(tmp_path / "scaling-quick.json")])
    o = json.loads((tmp_path / "overhead-quick.json").read_text())
    row = o["configs"]["mlp"]["objectives"]["uacgan.uac_gan"]
    assert row["framework_ms"] > 0 and row["hand_ms"] > 0 and row["same_weights"]["identical"]
    assert row["memory"]["framework_mib"] > 0 and row["memory"]["hand_mib"] > 0
    s = json.loads((tmp_path / "scaling-quick.json").read_text())
    assert {r["K"] for r in s["k_sweep"]["rows"]} == {10, 100, 1000}
    uac = next(r for r in s["relative_to_ac_gan"]["mlp"]["rows"] if r["method"] == "UAC-GAN")
    assert uac["paired"]["ratio_ci95"][0] <= uac["paired"]["ratio"] <= uac["paired"]["ratio_ci95"][1]
    page = report.render(tmp_path)
    assert "Placeholder" in page and "`uacgan.uac_gan`" in page and "K = 1000" in page and "UAC-GAN: framework" in page
    assert "python -m benchmarks.overhead" in page



def test_pair_ratio_cancels_a_linear_drift():
    from benchmarks.measure import pair_ratios

    # the machine slows down linearly; the framework is 2% slower than the hand loop at every instant
    speed = [1.0 + 0.1 * t for t in range(9)]
    hand, fw = speed[0::2], [1.02 * s for s in speed[1::2]]
    assert pair_ratios(fw, hand) == pytest.approx([1.02] * 4)
    with pytest.raises(ValueError):
        pair_ratios(fw, hand[:-1])


def test_interleaved_timing_leaves_the_frameworks_training_as_it_is(clusters):
    """The hand loop runs inside train()'s evaluate callback; the framework must train exactly as without it."""
    from benchmarks.hand_loops import HandLoop
    from benchmarks.measure import interleaved_run_settings, interleaved_segments, train_steps
    from benchmarks.overhead import _weights, build

    raw = experiment_config("mlp", "cgpgan.cgpgan")
    warmup, steps, pairs = 4, 2, 3
    settings = interleaved_run_settings(warmup, steps, pairs)
    with num_threads(1):
        timed = build({**raw, "run": {**raw["run"], **settings}}, COMPONENTS, clusters)
        hand = HandLoop(build(raw, COMPONENTS, clusters))
        hand.run(0, warmup)
        out = interleaved_segments(timed, hand, warmup, steps, pairs)
        plain = build({**raw, "run": {**raw["run"], **settings}}, COMPONENTS, clusters)
        train_steps(plain, warmup + pairs * steps)
    assert len(out["framework"]) == pairs and len(out["hand"]) == pairs + 1
    assert all(t > 0 for k in out for t in out[k])
    a, b = _weights(timed), _weights(plain)
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
