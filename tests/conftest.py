"""Shared test settings: hypothesis profiles (CONDGAN_HYPOTHESIS_PROFILE = dev | ci | fast; CI=true picks ci); the
Fashion-MNIST stand-in (``fashion_mnist_root``); the ``fashion_files`` marker (tests of the real Debian files, skipped
with a reason where they are absent). docs/testing.md describes the layers of the suite."""

import os
import warnings
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile("ci", max_examples=40, deadline=None, derandomize=True, print_blob=True,
                          suppress_health_check=(HealthCheck.too_slow,))
settings.register_profile("fast", max_examples=10, deadline=None)
# mutation testing (.ci/mutation/run.py): few, fixed examples; a wrong formula fails on almost any input
settings.register_profile("mutation", max_examples=8, deadline=None, derandomize=True, database=None,
                          suppress_health_check=(HealthCheck.too_slow,))
settings.load_profile(os.environ.get("CONDGAN_HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))

torch.set_num_threads(max(1, min(2, torch.get_num_threads())))


@pytest.fixture(autouse=True)
def _torch_threads_restored():
    """A test that sets torch's thread count must not change the float reduction order of the tests after it (it once
    broke the bit-exact kill/resume test)."""
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


@pytest.fixture
def one_thread():
    """One torch thread for the test: tiny tensors gain nothing from intra-op threads on a shared CPU, and some tests
    compare runs bit for bit (the thread count changes float reduction order)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def components():
    """The default registry (built-ins + installed plugins)."""
    from condgan.plugin_manager import get_components

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return get_components()


@pytest.fixture
def fresh_manager(monkeypatch):
    """A plugin manager built fresh for one test; the default one is reset afterwards."""
    from condgan import plugin_manager

    plugin_manager.reset_plugin_manager()
    yield plugin_manager.PluginManager
    plugin_manager.reset_plugin_manager()


#: where the Debian package dataset-fashion-mnist puts the real files (condgan.data.FASHION_SEARCH)
FASHION_FILES = Path("/usr/share/datasets/fashion-mnist")


@pytest.fixture(scope="session")
def fashion_mnist_root(tmp_path_factory) -> str:
    """A folder with a small Fashion-MNIST in its real format (gzipped IDX; condgan.testing.write_fashion_mnist), for
    ``data.root``: tests that train a Fashion-MNIST preset run on it, with or without the Debian package."""
    from condgan.testing import write_fashion_mnist

    return str(write_fashion_mnist(tmp_path_factory.mktemp("fashion-mnist")))


def pytest_collection_modifyitems(config, items):
    """``@pytest.mark.fashion_files``: the test reads the real Fashion-MNIST files; it skips where they are absent."""
    if (FASHION_FILES / "train-images-idx3-ubyte.gz").exists():
        return
    skip = pytest.mark.skip(reason=f"needs the real Fashion-MNIST files in {FASHION_FILES} "
                                   "(apt-get install dataset-fashion-mnist)")
    for item in items:
        if "fashion_files" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def ctrl_c():
    """``ctrl_c(argv, csvs)``: start ``python -m condgan *argv`` in its own session, wait until every metrics file in
    ``csvs`` has more than three lines, send SIGINT to the whole process group (what a terminal's Ctrl-C does) and
    return ``(returncode, stderr)``. The process is killed if it outlives the test."""
    import signal
    import subprocess
    import sys
    import time

    def run(argv: list[str], csvs: list[Path], timeout: float = 180) -> tuple[int, str]:
        proc = subprocess.Popen([sys.executable, "-m", "condgan", *argv], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            deadline = time.time() + timeout
            while not all(p.exists() and len(p.read_text().splitlines()) > 3 for p in csvs):
                assert time.time() < deadline and proc.poll() is None, \
                    proc.stderr.read() if proc.poll() is not None else "timed out"
                time.sleep(0.1)
            os.killpg(proc.pid, signal.SIGINT)
            _, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        return proc.returncode, err

    return run
