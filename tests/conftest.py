"""Shared fixtures: the shipped graph (built once per run) and a writable copy of the fixture data folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from akg.store import OxigraphStore, open_store

FIXTURE_DATA = Path(__file__).parent / "fixtures" / "data"


@pytest.fixture(scope="session")
def shipped_store() -> OxigraphStore:
    return open_store()


@pytest.fixture
def fixture_data(tmp_path: Path) -> Path:
    """A private copy of tests/fixtures/data that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, target)
    return target
