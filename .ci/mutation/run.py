"""Mutation testing of condgan's math with mutmut 3 (a development tool; see docs/testing.md).

mutmut mutates files under a source folder and imports them by their path, but condgan's layout maps ``core/`` to
``condgan`` and ``plugins/`` to ``condgan.plugins``. This script lays out a staging copy in which the paths are the
import names (``src/condgan/...``), writes mutmut's settings into the staging pyproject, runs ``mutmut run`` there
(mutmut forks one process per mutant after the imports, so torch is imported once) and writes the per-module score.

    python .ci/mutation/run.py                       # every module of MODULES (long: see docs/testing.md)
    python .ci/mutation/run.py plugins/cagan/losses.py core/evaluation/kid.py
    python .ci/mutation/run.py --sample 40           # a random sample of 40 mutants per module (quick check)

The staging folder is ``$CONDGAN_MUTATION_DIR`` (default ``/tmp/condgan-mutation``); results are written to
``.ci/mutation/results/<module>.json`` (killed/survived/timeout/... counts and the surviving mutants' names).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: every module that holds a paper's formula or a metric (issue 15's list, plus core/evaluation/kernels.py: the kernels
#: and the unbiased MMD² that kid.py and mmd.py held before issue 17 gave them one module)
MODULES = [
    "plugins/cagan/losses.py", "plugins/amgan/losses.py", "plugins/cgpgan/losses.py", "plugins/uacgan/losses.py",
    "plugins/cgpgan/priors.py", "plugins/amgan/labeling.py", "plugins/cagan/composers.py",
    "core/losses.py", "core/builtins/adversarial.py", "core/builtins/regularizers.py", "core/builtins/objectives.py",
    "core/evaluation/fid.py", "core/evaluation/kernels.py", "core/evaluation/kid.py", "core/evaluation/mmd.py",
    "core/evaluation/prdc.py", "core/evaluation/scores.py", "core/evaluation/clustering.py",
]


#: the tests a mutant is run against: the fast unit, property, value and doctest tests of the math. The end-to-end
#: tests also exercise these functions, but through minutes of training per mutant; a mutant they alone would kill
#: counts as surviving here (so the score is a lower bound for the whole fast suite).
MATH_TESTS = [
    "tests/properties", "tests/evaluation", "tests/core/test_loss_families.py", "tests/core/test_regularizers.py",
    "tests/core/test_conditions.py", "tests/test_cagan_objectives.py", "tests/test_amgan_objectives.py",
    "tests/test_uacgan_objectives.py", "tests/test_cgpgan_components.py", "tests/test_doctests.py",
]
#: left out of MATH_TESTS: they train an evaluation classifier on the digits, and a forked mutant process hangs
#: (no CPU time, a futex) in ``core.builtins.datasets.digits`` when it loads them; they test the evaluation
#: pipeline, not a formula
HANGS_WHEN_FORKED = ["evaluation/test_eval_pipeline.py", "evaluation/test_evaluator_match.py"]


def staged(path: str) -> str:
    """``core/x.py`` -> ``src/condgan/x.py``; ``plugins/x.py`` -> ``src/condgan/plugins/x.py``."""
    top, rest = path.split("/", 1)
    return {"core": "src/condgan/", "plugins": "src/condgan/plugins/"}[top] + rest


def stage(dest: Path, modules: list[str], ignore_tests: list[str] = ()) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "src").mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "core", dest / "src" / "condgan", ignore=ignore)
    shutil.copytree(ROOT / "plugins", dest / "src" / "condgan" / "plugins", ignore=ignore)
    shutil.copytree(ROOT / "tests", dest / "tests", ignore=ignore)
    # pytest settings of the project (markers, filterwarnings), without its testpaths; mutmut's settings
    text = (ROOT / "pyproject.toml").read_text()
    pytest_cfg = text[text.index("[tool.pytest.ini_options]"):]
    pytest_cfg = "\n".join(l for l in pytest_cfg.splitlines() if not l.startswith("testpaths"))
    mutmut = {
        "source_paths": ["src"],
        "only_mutate": [staged(m) for m in modules],
        "pytest_add_cli_args": ["-m", "not slow", "-p", "no:cacheprovider", "-q"],
        "pytest_add_cli_args_test_selection": [t for t in MATH_TESTS if (ROOT / t.split("::")[0]).exists()]
                                              + [f"--ignore=tests/{t}" for t in [*HANGS_WHEN_FORKED, *ignore_tests]],
        "process_isolation": "fork",
        # input validation (the message of a raised error) is not math: its statements are left unmutated; the
        # error texts are tested where they matter (tests/core/test_config_errors.py)
        "do_not_mutate_patterns": [r"^\s*raise "],
    }
    lines = ["[tool.mutmut]"] + [f"{k} = {json.dumps(v)}" for k, v in mutmut.items()]
    (dest / "pyproject.toml").write_text("\n".join(lines) + "\n\n" + pytest_cfg + "\n")


def status(code) -> str:
    """mutmut's verdict for one exit code (mutmut.stats.status_by_exit_code)."""
    from mutmut.stats import status_by_exit_code

    return status_by_exit_code[code]


def collect(dest: Path, modules: list[str]) -> dict[str, dict]:
    """Per module: counts by verdict, the score (killed + timeout over all checked) and the surviving mutants."""
    out = {}
    for m in modules:
        meta = dest / "mutants" / (staged(m) + ".meta")
        if not meta.exists():
            continue
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        counts: dict[str, int] = {}
        for code in codes.values():
            counts[status(code)] = counts.get(status(code), 0) + 1
        checked = sum(v for k, v in counts.items() if k != "not checked")
        caught = counts.get("killed", 0) + counts.get("timeout", 0) + counts.get("segfault", 0)
        out[m] = {"mutants": len(codes), "counts": counts, "score": round(caught / checked, 4) if checked else None,
                  "survived": sorted(k for k, c in codes.items() if status(c) in ("survived", "no tests"))}
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("modules", nargs="*", help="repository paths of the modules to mutate (default: all of MODULES)")
    ap.add_argument("--children", type=int, default=os.cpu_count() or 1, help="mutants run in parallel")
    ap.add_argument("--ignore-test", action="append", default=[], metavar="FILE",
                    help="also leave out tests/FILE (e.g. one that needs data this machine lacks)")
    ap.add_argument("--keep", action="store_true", help="reuse the staging folder (results of earlier mutants)")
    args = ap.parse_args(argv)
    modules = args.modules or MODULES
    dest = Path(os.environ.get("CONDGAN_MUTATION_DIR", "/tmp/condgan-mutation"))
    if not args.keep:
        stage(dest, modules, args.ignore_test)
    env = {**os.environ, "CONDGAN_HYPOTHESIS_PROFILE": os.environ.get("CONDGAN_HYPOTHESIS_PROFILE", "mutation"),
           "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1"}
    t0 = time.time()
    subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(args.children)], cwd=dest, env=env)
    wall = time.time() - t0
    results = collect(dest, modules)
    stamp = time.strftime("%Y-%m-%d")
    out_dir = ROOT / ".ci" / "mutation" / "results"
    out_dir.mkdir(exist_ok=True)
    for m, r in results.items():
        r.update(date=stamp, wall_s=round(wall), command=f"python .ci/mutation/run.py {m}")
        (out_dir / (m.replace("/", "__") + ".json")).write_text(json.dumps(r, indent=1) + "\n")
        print(f"{m}: {r['mutants']} mutants, score {r['score']}, {r['counts']}")
    print(f"mutmut run: {wall:.0f} s; survivors: `cd {dest} && python -m mutmut show <name>`", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
