"""Fast start (issue 17, item 6): ``condgan --version`` and ``--help`` import neither torch nor a plugin, and
listing presets loads only the ``register_presets`` hooks, so it imports no torch either.

Each case runs the real command (``python -m condgan ...``) in a fresh interpreter and reads what it imported."""

from __future__ import annotations

import importlib.metadata as md
import json
import os
import subprocess
import sys

import pytest

RUN = """
import json, runpy, sys
out, sys.argv = sys.argv[1], ["condgan", *sys.argv[2:]]
try:
    runpy.run_module("condgan", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    code = exc.code
json.dump({"code": code, "modules": sorted(sys.modules)}, open(out, "w"))
"""


def imported_modules(tmp_path, *args: str, env: dict[str, str] | None = None) -> set[str]:
    """Every module in ``sys.modules`` after ``python -m condgan ARGS`` ran (plugins are loaded with
    ``importlib.import_module``, which ``-X importtime`` does not report, so ``sys.modules`` is read)."""
    out = tmp_path / "modules.json"
    proc = subprocess.run([sys.executable, "-c", RUN, str(out), *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    found = json.loads(out.read_text())
    assert found["code"] in (0, None), proc.stderr[-2000:]
    assert "condgan.cli" in found["modules"]  # the command really ran through the CLI
    return set(found["modules"])


def heavy(names: set[str]) -> list[str]:
    return sorted(n for n in names if n == "torch" or n.startswith("condgan.plugins.") or n == "condgan.builtins.plugin")


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("train", "--help"), ("evaluate", "--help")])
def test_version_and_help_import_neither_torch_nor_plugins(tmp_path, args):
    assert heavy(imported_modules(tmp_path, *args)) == []


def test_version_under_importtime_imports_no_torch():
    """The same with the interpreter's own import log, as ``python -X importtime -m condgan --version`` shows it."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "condgan", "--version"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.startswith("condgan ")
    names = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "condgan.cli" in names and "torch" not in names


def test_listing_presets_imports_no_torch(tmp_path):
    # third-party plugins installed beside condgan are theirs to keep light; only the built-ins are checked here
    third_party = ",".join(ep.name for ep in md.entry_points(group="condgan.plugins"))
    names = imported_modules(tmp_path, "list", "presets", env={"CONDGAN_DISABLE_PLUGINS": third_party})
    assert "torch" not in names
    assert "condgan.plugins.cagan" in names  # the plugins were loaded: it listed their presets, lazily


def test_import_condgan_is_torch_free_and_public_names_load_on_use():
    code = ("import sys, condgan; assert 'torch' not in sys.modules, 'import condgan imported torch'; "
            "condgan.hookimpl; assert 'torch' not in sys.modules; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr[-2000:]
