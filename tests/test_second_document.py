"""A second document, with its own layout, is added with data files alone (no Python changes)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from akg.store import OxigraphStore, counts, open_store
from tests.conftest import FIXTURE_DATA

P = "PREFIX akg: <https://w3id.org/akg/ontology#>\n"
DOC = "https://w3id.org/akg/id/doc/county-notice-2024"


@pytest.fixture(scope="module")
def store() -> OxigraphStore:
    return open_store(FIXTURE_DATA)


def test_the_fixture_document_loads_with_its_own_numbering(store: OxigraphStore) -> None:
    rows = store.select(
        P + f"SELECT ?n ?h WHERE {{ ?p akg:inDocument <{DOC}> ; akg:number ?n OPTIONAL {{ ?p akg:heading ?h }} }}"
    )
    headings = {r["n"]: r["h"] for r in rows}
    assert headings == {
        "greeting": None, "preamble": None, "1": "Enrolment", "2": "Follow-up", "2.1": "Visits", "2.2": "Records",
        "closing": None, "signatures": None,
    }  # fmt: skip
    assert counts(store) | {"assignments": 0, "cited_documents": 0} == {
        "documents": 1, "provisions": 8, "obligations": 6, "organizations": 4, "citations": 1,
        "assignments": 0, "cited_documents": 0,
    }  # fmt: skip


def test_deadline_bases_follow_the_document_data(store: OxigraphStore) -> None:
    rows = store.select(
        P + "SELECT ?id ?date ?basis WHERE { ?o akg:identifier ?id ; akg:hasDeadline ?d . "
        "?d akg:date ?date ; akg:basis ?basis }"
    )
    got = {r["id"]: (r["date"], r["basis"].rsplit("/", 1)[1]) for r in rows}
    assert got["1-1"] == (dt.date(2024, 9, 1), "explicit")
    assert got["2.1-1"] == (dt.date(2024, 12, 31), "inherited-from-provision")  # article 2's "every term" scope
    assert got["2.2-1"] == (dt.date(2024, 12, 31), "inherited-from-provision")
    assert got["closing-1"] == (dt.date(2026, 6, 30), "explicit")  # last instance of the recurrence
    assert "1-2" not in got  # no deadline anywhere: the shapes report it


def test_owner_inheritance_copies_assignments(store: OxigraphStore) -> None:
    rows = store.select(
        P + "SELECT ?org ?basis WHERE { ?o akg:identifier '2.2-1' ; akg:hasAssignment ?a . "
        "?a akg:organization/akg:identifier ?org ; akg:basis ?basis }"
    )
    assert [(r["org"], r["basis"].rsplit("/", 1)[1]) for r in rows] == [
        ("test-county-civil-affairs", "inherited-from-context")
    ]


def test_two_documents_in_one_data_folder(tmp_path: Path) -> None:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, data)
    second = data / "documents" / "county-notice-2025"
    shutil.copytree(data / "documents" / "county-notice-2024", second)
    doc_yaml = second / "document.yaml"
    doc_yaml.write_text(doc_yaml.read_text().replace("id: county-notice-2024", "id: county-notice-2025"))
    store = open_store(data)
    assert counts(store)["documents"] == 2
    assert counts(store)["obligations"] == 12
