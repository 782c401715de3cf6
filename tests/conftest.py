"""Shared fixtures: the shipped graph (built once per run) and a writable copy of the fixture data folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from akg.store import OxigraphStore, open_store

FIXTURE_DATA = Path(__file__).parent / "fixtures" / "data"

# CI replays the same examples every run, so a landing never hinges on luck; locally each run explores anew.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def shipped_store() -> OxigraphStore:
    return open_store()


@pytest.fixture
def fixture_data(tmp_path: Path) -> Path:
    """A private copy of tests/fixtures/data that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, target)
    return target
