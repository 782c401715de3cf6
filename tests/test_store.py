"""The persistent store: reused while inputs are unchanged, rebuilt when they change, never half-written."""

from __future__ import annotations

from pathlib import Path

import pytest

from akg.store import counts, open_store
from loader.errors import LoadError

OBLIGATIONS = "documents/county-notice-2024/obligations/all.yaml"


def test_persistent_store_is_reused_then_rebuilt_on_change(fixture_data: Path, tmp_path: Path) -> None:
    location = tmp_path / "store"
    first = open_store(fixture_data, location=location)
    assert counts(first)["obligations"] == 6
    stamp = (location / "akg-inputs.sha256").read_text()
    del first

    again = open_store(fixture_data, location=location)
    assert counts(again)["obligations"] == 6
    assert (location / "akg-inputs.sha256").read_text() == stamp
    del again

    path = fixture_data / OBLIGATIONS
    path.write_text(path.read_text().split("  # closing")[0])  # drop the last obligation
    changed = open_store(fixture_data, location=location)
    assert counts(changed)["obligations"] == 5
    assert (location / "akg-inputs.sha256").read_text() != stamp
    assert sorted(p.name for p in location.iterdir()) == ["akg-inputs.sha256", "oxigraph"]


def test_bad_input_leaves_the_persistent_store_as_it_was(fixture_data: Path, tmp_path: Path) -> None:
    location = tmp_path / "store"
    initial = open_store(fixture_data, location=location)
    del initial  # releases the store's lock
    path = fixture_data / OBLIGATIONS
    path.write_text(path.read_text().replace('provision: "2.1"', 'provision: "9.9"', 1))
    with pytest.raises(LoadError):
        open_store(fixture_data, location=location)
    path.write_text(path.read_text().replace('provision: "9.9"', 'provision: "2.1"', 1))
    assert counts(open_store(fixture_data, location=location))["obligations"] == 6
