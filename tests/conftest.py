"""Shared fixtures: the shipped graph (built once per run) and a writable copy of the fixture data folder."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import settings

from akg.store import OxigraphStore, open_store

FIXTURE_DATA = Path(__file__).parent / "fixtures" / "data"

# The build cache of this run, empty at its start: a test never sees entries left by a developer's own builds
# (set before any build, and inherited by the akg processes the tests start).
os.environ["AKG_CACHE_DIR"] = tempfile.mkdtemp(prefix="akg-test-cache-")
atexit.register(shutil.rmtree, os.environ["AKG_CACHE_DIR"], ignore_errors=True)

# CI replays the same examples every run, so a landing never hinges on luck; locally each run explores anew.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def shipped_store() -> OxigraphStore:
    return open_store()


@pytest.fixture(scope="session")
def corpus_store_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store folder (``akg serve --store``) holding the shipped corpus and no report, closed: copy it to use it."""
    import gc

    root = tmp_path_factory.mktemp("corpus-store") / "store"
    store = open_store(location=root)
    del store
    gc.collect()  # releases RocksDB's lock
    return root


@pytest.fixture
def fixture_data(tmp_path: Path) -> Path:
    """A private copy of tests/fixtures/data that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, target)
    return target


@pytest.fixture(scope="module")
def client(shipped_store: OxigraphStore) -> Iterator[httpx.Client]:
    """An HTTP client of the service on the shipped graph, served by uvicorn on loopback (one per module)."""
    from akg.accountability import Accountability
    from tests.graphql_support import running_server

    with (
        running_server(Accountability.from_store(shipped_store)) as url,
        httpx.Client(base_url=url, timeout=20) as http,
    ):
        yield http


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty build and validation cache folder of this test's own (``$AKG_CACHE_DIR``)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("AKG_CACHE_DIR", str(folder))
    return folder
