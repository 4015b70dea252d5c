"""Write the mutation scores of ``.ci/mutation/results/*.json`` and the equivalent mutants of
``.ci/mutation/equivalent/*.md`` (lines that start with a backquoted mutant name) and the notes of
``.ci/mutation/notes/*.md`` into docs/testing.md, between its ``<!-- mutation:begin -->`` and
``<!-- mutation:end -->`` markers (the table is generated, never edited by hand):

    python .ci/mutation/report.py
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from run import MODULES, ROOT  # noqa: E402

HERE = Path(__file__).parent
BEGIN, END = "<!-- mutation:begin -->", "<!-- mutation:end -->"


def equivalents(module: str) -> list[str]:
    path = HERE / "equivalent" / (module.replace("/", "__") + ".md")
    if not path.exists():
        return []
    lines = (line.strip().removeprefix("- ").strip() for line in path.read_text().splitlines())
    return [line for line in lines if re.match(r"`condgan\.[^`]+`", line)]


def table() -> str:
    rows = ["| module | mutants | killed | timeout | survived | equivalent (listed) | score | score without equivalents | run |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    missing = []
    for m in MODULES:
        path = HERE / "results" / (m.replace("/", "__") + ".json")
        if not path.exists():
            missing.append(m)
            continue
        r = json.loads(path.read_text())
        c = r["counts"]
        eq = len(equivalents(m))
        checked = sum(v for k, v in c.items() if k != "not checked")
        caught = c.get("killed", 0) + c.get("timeout", 0) + c.get("segfault", 0)
        strict = caught / checked if checked else float("nan")
        loose = caught / (checked - eq) if checked - eq > 0 else float("nan")
        unchecked = f", {c['not checked']} not run" if c.get("not checked") else ""
        rows.append(f"| `{m}` | {r['mutants']} | {c.get('killed', 0)} | {c.get('timeout', 0)} | "
                    f"{c.get('survived', 0) + c.get('no tests', 0)} | {eq} | {strict:.1%} | {loose:.1%} | "
                    f"{r['date']}, {r['wall_s']} s{unchecked} |")
    out = "\n".join(rows)
    if missing:
        out += "\n\nNot run yet: " + ", ".join(f"`{m}`" for m in missing) + "."
    listed = [(m, equivalents(m)) for m in MODULES if equivalents(m)]
    if listed:
        out += "\n\n### Equivalent mutants\n\nA mutant no input can tell apart from the code, with the reason:\n"
        for m, lines in listed:
            out += f"\n`{m}`:\n\n" + "\n".join(f"- {l}" for l in lines) + "\n"
    notes = sorted((HERE / "notes").glob("*.md"))
    if notes:
        out += "\n\n### Notes on survivors that are not equivalent\n"
        for path in notes:
            out += "\n" + path.read_text().replace("\n# ", "\n#### ").lstrip("# ").strip() + "\n"
    return out


def main() -> int:
    doc = ROOT / "docs" / "testing.md"
    text = doc.read_text()
    if BEGIN not in text:
        raise SystemExit(f"{doc} has no {BEGIN} ... {END} markers")
    new = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _: f"{BEGIN}\n{table()}\n{END}", text, flags=re.S)
    doc.write_text(new)
    print(f"wrote the mutation table into {doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
