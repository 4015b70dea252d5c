"""The ``>>>`` examples in the docstrings of condgan and its built-in plugins run, and give what they show.

Modules are imported by their package names (``core/`` is ``condgan``, ``plugins/`` is ``condgan.plugins``), so they
are walked with pkgutil rather than collected by path (``--doctest-modules`` would import ``core/losses.py`` under a
wrong name). Options: ELLIPSIS and NORMALIZE_WHITESPACE. A second test checks that every source file with a ``>>>``
has its examples found, so an example never silently stops running.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import io
import pkgutil
import warnings
from pathlib import Path

import pytest
import torch

import condgan
import condgan.plugins

SKIP = {"condgan.__main__"}  # importing it runs the command line


def _modules() -> list[str]:
    names = set()
    for pkg in (condgan, condgan.plugins):
        names.add(pkg.__name__)
        names |= {m.name for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + ".")}
    return sorted(names - SKIP)


MODULES = _modules()


def _run(name: str) -> tuple[doctest.TestResults, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module = importlib.import_module(name)
    finder, out = doctest.DocTestFinder(), io.StringIO()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    state = torch.random.get_rng_state()
    try:
        for test in finder.find(module, name):
            runner.run(test, out=out.write)
    finally:
        torch.random.set_rng_state(state)
    return runner.summarize(verbose=False), out.getvalue()


def _has_examples(name: str) -> bool:
    spec = importlib.util.find_spec(name)
    return bool(spec and spec.origin and spec.origin.endswith(".py") and ">>>" in Path(spec.origin).read_text())


WITH_EXAMPLES = [m for m in MODULES if _has_examples(m)]


def test_modules_with_examples_are_found():
    """The walk reaches both packages and the modules known to have examples (a guard against an empty walk)."""
    assert {"condgan.losses", "condgan.evaluation.scores", "condgan.plugins.cgpgan.losses",
            "condgan.plugins.uacgan.losses", "condgan.plugins.amgan.losses", "condgan.plugins.cagan.losses"} \
        <= set(WITH_EXAMPLES)


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_docstring_examples(name):
    results, report = _run(name)
    assert results.attempted > 0, f"{name} has '>>>' in its source but no docstring example was found"
    assert results.failed == 0, report
