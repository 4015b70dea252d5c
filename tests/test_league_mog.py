"""``condgan reproduce league-mog --quick`` end to end (core/league_mog.py): records with the MoG distances, the page's
table sorted by the Gaussian MMD² class mean, finished runs reused on a rerun, and ``--vectorize`` giving the same
records as worker-trained runs to float tolerance."""

from __future__ import annotations

import json

import pytest

from condgan.cli import main

pytestmark = pytest.mark.usefixtures("one_thread")


def _league(tmp_path, monkeypatch, tag: str, vectorize: bool):
    monkeypatch.setenv("CONDGAN_WORKERS", "1")
    monkeypatch.setenv("LEAGUE_SEEDS", "2")
    monkeypatch.setenv("LEAGUE_STEPS", "20")
    monkeypatch.setenv("LEAGUE_OBJECTIVES", "ac_gan,uac_gan,projection")
    monkeypatch.setenv("CONDGAN_RUNS", str(tmp_path / f"runs-{tag}"))
    out = tmp_path / f"results-{tag}"
    args = ["reproduce", "league-mog", "--quick", "--out", str(out)] + (["--vectorize"] if vectorize else [])
    monkeypatch.delenv("CONDGAN_VECTORIZE", raising=False)
    assert main(args) in (0, None)
    monkeypatch.delenv("CONDGAN_VECTORIZE", raising=False)
    return out


def test_quick_mog_league_end_to_end_reuse_and_vectorized(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = _league(tmp_path, monkeypatch, "single", vectorize=False)
    page = (out / "league-mog-quick.md").read_text()
    for text in ("The 1-D MoG league", "Gaussian MMD² (class mean) ↓", "poly-2 MMD² (marginal) ↓",
                 "W1 (class mean) ↓",
                 "vs AC-GAN on Gaussian MMD² (class mean)", "vs AC-GAN on W1 (class mean)", "(reference)",
                 "sorted by the mean over classes of the Gaussian MMD²", "Generated class moments",
                 "LEAGUE_STEPS=20 LEAGUE_SEEDS=2 LEAGUE_OBJECTIVES=ac_gan,uac_gan,projection"):
        assert text in page, text
    recs = sorted((out / "league-mog-quick" / "runs").glob("*.json"))
    assert [p.name for p in recs] == [f"{o}_s{s}_20.json" for o in ("ac_gan", "projection", "uac_gan") for s in (0, 1)]
    single = {p.name: json.loads(p.read_text()) for p in recs}
    r = single["ac_gan_s0_20.json"]
    assert len(r["mmd"]) == len(r["mmd_gauss"]) == len(r["w1"]) == 4 and r["generated_per_class"] == 2000
    assert r["metrics"]["mmd_gauss"] == pytest.approx(sum(r["mmd_gauss"][:3]) / 3)
    assert r["metrics"]["w1_marginal"] == r["w1"][3]
    # the table's rows in the order of the Gaussian MMD² class mean
    lines = page.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| rank")) + 2
    table = lines[start:lines.index("", start)]
    means = {o: sum(single[f"{o}_s{s}_20.json"]["metrics"]["mmd_gauss"] for s in (0, 1)) / 2
             for o in ("ac_gan", "projection", "uac_gan")}
    labels = {"ac_gan": "AC-GAN", "projection": "projection", "uac_gan": "UAC-GAN"}
    assert [line.split(" | ")[1] for line in table] == [labels[o] for o in sorted(means, key=means.get)]
    # a rerun reuses every record
    stamps = [p.stat().st_mtime_ns for p in recs]
    _league(tmp_path, monkeypatch, "single", vectorize=False)
    assert [p.stat().st_mtime_ns for p in recs] == stamps
    # --vectorize: each objective's seeds trained at once, the same records to float tolerance
    vout = _league(tmp_path, monkeypatch, "vectorized", vectorize=True)
    harness = json.loads((tmp_path / "runs-vectorized" / "league-mog-quick" / "steps20" / "uac_gan" / "seed-1"
                          / "harness.json").read_text())
    assert harness["vectorized_with"] == 2
    assert "--vectorize" in (vout / "league-mog-quick.md").read_text()
    for name, rec in single.items():
        v = json.loads((vout / "league-mog-quick" / "runs" / name).read_text())
        for key in ("mmd", "mmd_gauss", "w1"):
            assert v[key] == pytest.approx(rec[key], rel=1e-4, abs=1e-6), (name, key)
        flat = [x for pair in rec["gen_moments"] for x in pair]
        assert [x for pair in v["gen_moments"] for x in pair] == pytest.approx(flat, rel=1e-4, abs=1e-6), name
    # the two seeds differ by more than the tolerance: the comparison can fail
    a, b = single["ac_gan_s0_20.json"]["mmd_gauss"], single["ac_gan_s1_20.json"]["mmd_gauss"]
    assert a != pytest.approx(b, rel=1e-4, abs=1e-6)
