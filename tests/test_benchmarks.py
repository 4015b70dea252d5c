"""The benchmark machinery (benchmarks/) keeps working: every built-in objective has a hand-written loop that does the
same work as the framework's loop (same weights, bit for bit, after the same steps), and the benchmarks run in
``--quick`` mode and render docs/performance.md. No timing is asserted."""

import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import report, scaling  # noqa: E402
from benchmarks.configs import builtin_objectives, experiment_config  # noqa: E402
from benchmarks.hand_loops import HAND_STEPS  # noqa: E402
from benchmarks.overhead import components, load_dataset, same_weights  # noqa: E402
from condgan.threads import num_threads  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    COMPONENTS = components()
OBJECTIVES = builtin_objectives(COMPONENTS)


def test_every_builtin_objective_has_a_hand_written_loop():
    assert OBJECTIVES and set(OBJECTIVES) <= set(HAND_STEPS)


@pytest.fixture(scope="module")
def clusters():
    return load_dataset(experiment_config("mlp", "core.cgan"), COMPONENTS)


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_hand_loop_does_the_frameworks_work(objective, clusters):
    """If an objective's math changes, its hand-written loop in benchmarks/hand_loops.py must change with it."""
    with num_threads(1):
        out = same_weights(experiment_config("mlp", objective), COMPONENTS, clusters, steps=2)
    assert out["identical"], f"{objective}: framework and hand loop differ after 2 steps (max |diff| {out['max_abs_diff']})"


def test_quick_benchmarks_run_and_render(tmp_path):
    # overhead in a fresh process: its memory measurement forks, which is safe only before torch starts threads
    subprocess.run([sys.executable, "-m", "benchmarks.overhead", "--quick", "--configs", "mlp", "--objectives",
                    "core.cgan", "uacgan.uac_gan", "--out", str(tmp_path / "overhead-quick.json")],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    with num_threads(1):
        scaling.main(["--quick", "--parts", "k", "--out", str(tmp_path / "scaling-quick.json")])
    o = json.loads((tmp_path / "overhead-quick.json").read_text())
    row = o["configs"]["mlp"]["objectives"]["uacgan.uac_gan"]
    assert row["framework_ms"] > 0 and row["hand_ms"] > 0 and row["same_weights"]["identical"]
    assert row["memory"]["framework_mib"] > 0 and row["memory"]["hand_mib"] > 0
    s = json.loads((tmp_path / "scaling-quick.json").read_text())
    assert {r["K"] for r in s["k_sweep"]["rows"]} == {10, 100, 1000}
    page = report.render(tmp_path)
    assert "Placeholder" in page and "`uacgan.uac_gan`" in page and "K = 1000" in page
    assert "python -m benchmarks.overhead" in page

