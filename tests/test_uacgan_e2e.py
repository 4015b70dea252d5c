"""End-to-end runs of the uacgan presets through the CLI, and the reproduction driver at toy scale.

* ``uacgan.mog_uac_gan`` for 20 steps (1-D MoG, projection T on D's trunk, with the adaptive clipping option): metrics.csv has the MINE
  columns, losses are finite (a few seconds);
* ``uacgan.fashion_uac_gan`` for 3 steps on 28x28 Fashion-MNIST (the stand-in written by condgan.testing.write_fashion_mnist): the
  lazily sized projection T on the DCGAN trunk materialises and trains (a few seconds);
* ``condgan reproduce uacgan.mog --quick`` with 12 steps and 1 seed: the page has the Table 1 rows and a figure
  (marked slow, ~30 s).
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
import torch

from condgan.cli import main


pytestmark = pytest.mark.usefixtures("one_thread")


def _rows(run_dir: Path) -> list[dict]:
    with open(run_dir / "metrics.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_mog_uac_preset_trains_through_cli(tmp_path):
    """UAC-GAN Eq. 10 on the 1-D MoG preset: 20 D steps, G every 10; T's MI estimate and G's DV term are logged."""
    rc = main(["train", "--preset", "uacgan.mog_uac_gan", "--out", str(tmp_path), "--set", "run.steps=20",
               "--set", "run.log_every=1", "--set", "data.n_per_class=500", "--set", "run.progress=false",
               "--set", "objective.adaptive_clip=true"])
    assert rc in (0, None)
    rows = _rows(tmp_path / "mog_uac_gan")
    assert len(rows) == 20 and {"t_mine", "g_mi", "mi_T", "mi_G", "mi_scale"} <= set(rows[-1])
    g_rows = [r for r in rows if r["g_mi"]]
    assert [int(r["step"]) for r in g_rows] == [1, 11]  # G at steps 0 and 10 (g_every = 10)
    assert all(math.isfinite(float(r[k])) for r in rows for k in ("d_adv", "d_cls", "t_mine"))
    assert all(math.isfinite(float(r["g_mi"])) and 0 < float(r["mi_scale"]) <= 1 + 1e-6 for r in g_rows)
    assert (tmp_path / "mog_uac_gan" / "samples.png").exists()


def test_fashion_uac_preset_trains_projection_T_on_shared_trunk(tmp_path, fashion_mnist_root):
    """The 28x28 image preset: UAC-GAN with the projection T sharing the DCGAN discriminator's trunk trains 3 steps;
    T's lazily sized layers take the trunk's feature width (32·4·7·7 = 6272) and are checkpointed."""
    rc = main(["train", "--preset", "uacgan.fashion_uac_gan", "--out", str(tmp_path), "--set", "run.steps=3",
               "--set", f"data.root={json.dumps(fashion_mnist_root)}",
               "--set", "run.batch_size=8", "--set", "run.log_every=1", "--set", "run.progress=false",
               "--set", "run.sample_every=0", "--set", "run.checkpoint_every=0"])
    assert rc in (0, None)
    run = tmp_path / "fashion_uac_gan"
    rows = _rows(run)
    assert len(rows) == 3 and all(math.isfinite(float(r["t_mine"])) for r in rows)
    ckpt = sorted((run / "checkpoints").glob("*.pt"))[-1]
    state = torch.load(ckpt, map_location="cpu", weights_only=False)
    t_state = state["models"]["statistics_network"]
    assert tuple(t_state["proj.weight"].shape) == (10, 6272)
    assert tuple(t_state["psi.weight"].shape) == (1, 6272)


@pytest.mark.slow
def test_reproduce_quick_writes_page(tmp_path, monkeypatch):
    """`condgan reproduce uacgan.mog --quick` at toy scale: three methods, one seed, the Table 1 page and figure."""
    monkeypatch.setenv("UACGAN_MOG_STEPS", "12")
    monkeypatch.setenv("UACGAN_MOG_SEEDS", "1")
    monkeypatch.chdir(tmp_path)
    rc = main(["reproduce", "uacgan.mog", "--quick", "--out", str(tmp_path / "results")])
    assert rc in (0, None)
    page = (tmp_path / "results" / "uacgan.md").read_text()
    for row in ("Class_0", "Class_1", "Class_2", "Marginal", "527.801 ± 65.174"):
        assert row in page
    assert (tmp_path / "results" / "uacgan" / "densities.png").exists()
    assert len(list((tmp_path / "results" / "uacgan" / "runs_quick").glob("*.json"))) == 3


def test_closest_configuration_ranks_rows_then_ratio():
    """The page's "closest configuration" counts the rows where a configuration is at or below TAC-GAN and >= 10x
    below AC-GAN, breaks ties by the geometric-mean ratio to TAC-GAN, and names the winner; "every row" only when
    all four rows hold."""
    from condgan.plugins.uacgan.reproduce import closest

    def runs(method, values, n=2):
        return [{"method": method, "mmd": list(values)} for _ in range(n)]

    data = (runs("ac_gan", [100, 100, 100, 5]) + runs("tac_gan", [1, 1, 1, 1])
            + runs("uac_gan", [0.5, 2, 2, 2])                   # one row: ≤ TAC and ≪ AC on Class_0 only
            + runs("uac_gan_lmi05", [0.9, 3, 3, 0.9])           # ≤ TAC on the marginal, but not 10x below AC there
            + runs("uac_gan_no_ma", [0.9, 0.9, 20, 2])          # two rows: Class_0, Class_1 (Class_2 not ≪ AC)
            + runs("uac_gan_permute", [0.8, 0.8, 3, 3]))        # two rows too, with the smaller ratio to TAC-GAN
    lines = closest(data)
    assert lines[0] == "- poly-2 MMD²: TAC-GAN is ≥ 10x below AC-GAN on Class_0, Class_1, Class_2."
    order = [ln.split(" (n = ")[0].strip("- ") for ln in lines[1:-1]]
    no_ma, permute = 0.9 ** 0.5 * (20 * 2) ** 0.25, 0.8 ** 0.5 * 9 ** 0.25
    assert permute < no_ma
    from condgan.plugins.uacgan.reproduce import label

    assert order == [label("uac_gan_permute"), label("uac_gan_no_ma"), label("uac_gan"), label("uac_gan_lmi05")]
    assert "both on **2 of 4** rows" in lines[1] and "both on **1 of 4** rows" in lines[3]
    assert "≤ TAC-GAN on Class_0, Marginal; ≥ 10x below AC-GAN on Class_0, Class_1, Class_2;" in lines[4]
    assert lines[-1] == f"  - **Closest: {label('uac_gan_permute')}** (2 of 4 rows; no configuration holds on every row)."
    every = closest(data + runs("uac_gan_separate_t", [0.5, 0.5, 0.5, 0.4]))
    assert every[-1].endswith("(4 of 4 rows; reproduces the ordering on every row).")
