"""A real Oxigraph server (the ``oxigraph`` package's binary) on a loopback port, one per test process.

Import the fixtures into a test module: ``from tests.oxigraph_server import oxigraph_url, loaded_oxigraph``.
The server starts on first use, in a temporary folder, and stops when the test process exits. The binary
is part of the test extra: when it is missing the tests fail (they never skip), so CI notices.
"""

from __future__ import annotations

import atexit
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
_started: dict[str, str] = {}
_loaded: dict[str, subprocess.CompletedProcess[str]] = {}


def oxigraph_binary() -> str:
    """The ``oxigraph`` command beside this Python (the venv's bin), else on PATH; fails the test when missing."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if found is None:
        pytest.fail("the oxigraph server binary is missing: install the test extra (pip install -e '.[test]')")
    return found


def start_oxigraph(location: Path, start_timeout: float = 30) -> tuple[str, subprocess.Popen[bytes]]:
    """An Oxigraph server on a free loopback port holding its data in ``location``: its base URL and process."""
    from tests.graphql_support import free_port

    port = free_port()
    process = subprocess.Popen(
        [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + start_timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"oxigraph exited: {process.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            answer = httpx.post(f"{base}/query", data={"query": "ASK {}"}, timeout=2)
            if answer.status_code == 200:
                return base, process
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("oxigraph did not start")
        time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes], folder: str) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def oxigraph_url() -> str:
    """``sparql+http://127.0.0.1:PORT`` of the test process's Oxigraph server (an empty store at first)."""
    if "url" not in _started:
        folder = tempfile.mkdtemp(prefix="akg-oxigraph-")
        base, process = start_oxigraph(Path(folder) / "db")
        atexit.register(_stop, process, folder)
        _started["url"] = "sparql+" + base
    return _started["url"]


@pytest.fixture(scope="session")
def loaded_oxigraph(oxigraph_url: str) -> tuple[str, subprocess.CompletedProcess[str]]:
    """The server with the shipped corpus loaded by ``akg load`` (run once), and that run's result."""
    if "run" not in _loaded:
        _loaded["run"] = subprocess.run(
            [sys.executable, "-m", "akg_cli", "load", "--store", oxigraph_url, "--batch", "10000"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
    return oxigraph_url, _loaded["run"]
