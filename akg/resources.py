"""Where the ontology, shapes and shipped data live, in a source checkout or an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _locate(name: str) -> Path:
    # A wheel carries the folders inside the package; a source checkout has them at the top.
    for candidate in (_PACKAGE / "_resources" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"akg resource folder {name!r} not found next to {_PACKAGE}")


def ontology_dir() -> Path:
    return _locate("ontology")


def shapes_dir() -> Path:
    return _locate("shapes")


def data_dir() -> Path:
    """The shipped data folder (the Hubei 2022 opinions)."""
    return _locate("data")
