"""condgan.claims and `condgan claims`: each paper's claims read from the per-run JSON, judged by condgan.stats,
written between the markers at the top of the results pages; the committed pages match their JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import condgan
from condgan import Claim, ClaimsPage, Side
from condgan.claims import BEGIN, END, evaluate, find_pages, lookup, render_table, rewrite_block, update_page
from condgan.cli import main
from condgan.errors import CondganError

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "docs" / "results"


def write_runs(folder: Path, name: str, values: dict[int, float]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for seed, v in values.items():
        (folder / f"{name}_s{seed}.json").write_text(json.dumps({"seed": seed, "mmd": [0.0, v]}))


# -- reading -------------------------------------------------------------------------------------------------------
def test_lookup_key_paths():
    record = {"arms": {"A, mixed": {"history": [{"fid": 3.0}, {"fid": 2.0}]}}, "x.y": 5}
    assert lookup(record, ("arms", "A, mixed", "history", -1, "fid")) == 2.0
    assert lookup(record, "arms.A, mixed.history.0.fid") == 3.0
    assert lookup(record, ("x.y",)) == 5.0
    assert lookup(record, lambda r: len(r["arms"])) == 1.0


def test_sides_read_runs_records_and_seed_files(tmp_path):
    write_runs(tmp_path / "p" / "runs", "a", {0: 1.0, 3: 2.0})
    write_runs(tmp_path / "p" / "runs", "ab", {0: 9.0})  # not matched by a_s*
    assert Side.runs("A", "p/runs/a_s*.json", "mmd.1").read(tmp_path) == {0: 1.0, 3: 2.0}
    (tmp_path / "rec.json").write_text(json.dumps([{"group": "g", "seed": 1, "v": 0.5},
                                                   {"group": "h", "seed": 1, "v": 9.0},
                                                   {"group": "g", "seed": 2, "v": 0.7}]))
    assert Side.records("G", "rec.json", "v", where={"group": "g"}).read(tmp_path) == {1: 0.5, 2: 0.7}
    (tmp_path / "s0.json").write_text(json.dumps({"arms": {"A": {"v": 1.5}}}))
    (tmp_path / "s1.json").write_text(json.dumps({"v": 2.5}))
    side = Side.seed_files("A", {0: ("s0.json", "arms.A.v"), 1: "s1.json"}, "v")
    assert side.read(tmp_path) == {0: 1.5, 1: 2.5}
    with pytest.raises(ValueError, match="value"):
        Side.seed_files("A", {0: "s0.json"})
    with pytest.raises(CondganError, match="no file"):
        Side.seed_files("A", {0: "missing.json"}, "v").read(tmp_path)


def test_evaluate_pairs_by_seed_and_reports_missing_runs(tmp_path):
    write_runs(tmp_path, "a", {s: float(s) for s in range(6)})
    write_runs(tmp_path, "b", {s: s + 0.5 for s in range(1, 7)})
    paired = evaluate(Claim("a below b", "Fig. 1", Side.runs("a", "a_s*.json", "mmd.1"),
                            Side.runs("b", "b_s*.json", "mmd.1"), "less", paired=True), tmp_path)
    assert sorted(paired.ours) == sorted(paired.versus) == [1, 2, 3, 4, 5]  # the seeds both sides have
    assert paired.comparison.p == pytest.approx(1 / 32) and paired.comparison.verdict == "holds"
    unpaired = evaluate(Claim("a below b", "Fig. 1", Side.runs("a", "a_s*.json", "mmd.1"),
                              Side.runs("b", "b_s*.json", "mmd.1"), "less"), tmp_path)
    assert len(unpaired.ours) == len(unpaired.versus) == 6 and unpaired.comparison.test == "Mann-Whitney U"
    with pytest.raises(CondganError, match="no runs found for 'c'"):
        evaluate(Claim("c", "-", Side.runs("c", "c_s*.json", "mmd.1"), 1.0, "less"), tmp_path)
    with pytest.raises(ValueError):
        Claim("bad", "-", Side.runs("a", "a_s*.json", "mmd.1"), 1.0, "smaller")


# -- rendering and the page block ----------------------------------------------------------------------------------
def test_rewrite_block_inserts_after_the_title_then_replaces():
    page = "# Title\n\nIntro.\n\n## Section\n"
    once = rewrite_block(page, f"{BEGIN}\none\n{END}")
    assert once == f"# Title\n\n{BEGIN}\none\n{END}\n\nIntro.\n\n## Section\n"
    twice = rewrite_block(once, f"{BEGIN}\ntwo\n{END}")
    assert twice == once.replace("one", "two")
    assert rewrite_block(twice, f"{BEGIN}\ntwo\n{END}") == twice
    # no title: the block goes first (a "## " section heading is not a title)
    assert rewrite_block("Intro.\n## S\n", f"{BEGIN}\nb\n{END}") == f"{BEGIN}\nb\n{END}\n\nIntro.\n## S\n"
    with pytest.raises(CondganError, match="without the other"):
        rewrite_block(f"# T\n{BEGIN}\nx\n", f"{BEGIN}\n{END}")


def test_table_and_page(tmp_path):
    write_runs(tmp_path, "a", {s: float(s) for s in range(5)})
    write_runs(tmp_path, "b", {s: 10.0 + s for s in range(5)})
    claims = [Claim("a | below b", "Table 1: 1 vs 2", Side.runs("a", "a_s*.json", "mmd.1"),
                    Side.runs("b", "b_s*.json", "mmd.1"), "less"),
              Claim("a above 10x b", "Table 1", Side.runs("a", "a_s*.json", "mmd.1"),
                    Side.runs("b", "b_s*.json", "mmd.1"), "greater", factor=10),
              Claim("a below 5", "Fig. 2", Side.runs("a", "a_s*.json", "mmd.1"), 5.0, "less")]
    table = render_table([evaluate(c, tmp_path) for c in claims])
    rows = table.splitlines()
    assert len(rows) == 2 + 3 and all(r.count(" | ") == 4 for r in rows[2:])  # the claim's "|" is escaped
    assert "a \\| below b" in rows[2] and "**holds**" in rows[2] and "2.00 [0.800, 3.20], n = 5" in rows[2]
    assert "first > 10 × second" in rows[3] and "**does not hold**" in rows[3]
    assert "values < 5.00" in rows[4] and "p = 0.031" in rows[4]
    (tmp_path / "page.md").write_text("# Page\n\nBody.\n")
    page = ClaimsPage("page.md", claims, note="A note.")
    _, changed = update_page(page, tmp_path, "condgan claims x", "x.claims")
    text = (tmp_path / "page.md").read_text()
    assert changed and text.startswith(f"# Page\n\n{BEGIN}\n## Claims and verdicts") and text.endswith("Body.\n")
    assert "3 claims: 2 holds, 1 does not hold." in text and "A note." in text and "`x.claims`" in text
    assert update_page(page, tmp_path, "condgan claims x", "x.claims")[1] is False


# -- the plugins' claims and the committed pages ---------------------------------------------------------------------
#: results pages that reproduce no paper's claims: the default job's samples, the evaluators' accuracies; the league
#: pages (core/league.py) test the papers' claims across plugins in their own section, from their own records
NO_CLAIMS = {"default.md", "evaluators.md", "league.md", "league-fashion.md", "league-mog.md"}


def test_every_results_page_has_claims():
    """Every paper's results page has a claims module entry and, at its top, the block."""
    pages = {p.page for _, ps in find_pages().values() for p in ps}
    on_disk = {p.name for p in RESULTS.glob("*.md")} - NO_CLAIMS
    assert pages == on_disk == {"uacgan.md", "cgpgan.md", "amgan.md", "amgan-digits.md", "amgan-digits-seeds.md",
                                "cagan.md"}
    for name in pages:
        text = (RESULTS / name).read_text()
        assert text.index(BEGIN) < text.index(END) < text.index("\n## ", text.index(END)), name
    assert {"Claim", "ClaimsPage", "Side"} <= set(condgan.__all__)


@pytest.mark.parametrize("plugin", ["uacgan", "cgpgan", "amgan", "cagan"])
def test_committed_tables_match_their_json(plugin):
    """The verdicts on the pages are the ones the JSON gives: a hand edit or a new run without
    `condgan claims` fails here."""
    source, pages = find_pages(plugin)[plugin]
    for page in pages:
        _, changed = update_page(page, RESULTS, f"condgan claims {plugin}", source, write=False)
        assert not changed, f"docs/results/{page.page}: run `condgan claims {plugin}`"


def test_amgan_claims_compare_within_one_labeling():
    """Like with like: both sides of every AM-GAN claim read the same labeling mode, the one the claim names."""
    _, pages = find_pages("amgan")["amgan"]
    for page in pages:
        for claim in page.claims:
            mode = claim.text.split(" labeling")[0]
            assert mode in ("dynamic", "predefined")
            assert claim.ours.label.endswith(f"({mode})") and claim.versus.label.endswith(f"({mode})")
            assert claim.paired
    dynamic_collapse = [c for c in pages[0].claims if "MS-SSIM" in c.text]
    assert len(dynamic_collapse) == 1 and dynamic_collapse[0].text.startswith("dynamic")
    assert "0.61" in dynamic_collapse[0].paper


def test_uacgan_verdict_from_its_runs():
    """Verdicts the data settle at the authors' budget with 10 seeds per method: AC-GAN's class 2 MMD² is more than 10x
    TAC-GAN's (Table 1's "≪ AC"), and UAC-GAN's class 2 W1 is not below TAC-GAN's."""
    _, (page,) = find_pages("uacgan")["uacgan"]
    claim = next(c for c in page.claims if c.text.startswith("AC-GAN's class 2") and "TAC" in c.text)
    result = evaluate(claim, RESULTS)
    assert len(result.ours) == len(result.versus) == 10
    assert result.comparison.verdict == "holds" and result.comparison.p < 0.001
    claim = next(c for c in page.claims if c.text.startswith("UAC-GAN's class 2 W1"))
    result = evaluate(claim, RESULTS)
    assert result.comparison.verdict == "does not hold" and result.comparison.p_opposite < 0.05
    # UAC-GAN's side reads its own runs only, not the ablations' (uac_gan_separate_t_s0_... also starts "uac_gan_s")
    own = {json.loads(f.read_text())["seed"]: json.loads(f.read_text())["w1"][2]
           for f in (RESULTS / "uacgan" / "runs").glob("uac_gan_s*_30000.json")
           if json.loads(f.read_text())["method"] == "uac_gan"}
    assert result.ours == own


# -- the command ---------------------------------------------------------------------------------------------------
def test_cli_check_and_rewrite(tmp_path, capsys):
    shutil.copytree(RESULTS / "uacgan", tmp_path / "uacgan")
    page = tmp_path / "uacgan.md"
    page.write_text((RESULTS / "uacgan.md").read_text().replace("**inconclusive at this n**", "**holds**", 1))
    assert main(["claims", "uacgan", "--results", str(tmp_path), "--check"]) == 1
    assert "out of date" in capsys.readouterr().out
    assert main(["claims", "uacgan", "--results", str(tmp_path)]) == 0
    assert page.read_text() == (RESULTS / "uacgan.md").read_text()
    assert main(["claims", "uacgan", "--results", str(tmp_path), "--check"]) == 0
    assert main(["claims", "no_such_plugin"]) == 2
