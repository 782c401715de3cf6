"""The provision tree is parsed from the source text itself, inline headings included."""

from __future__ import annotations

import pytest

from akg.store import OxigraphStore

Q = """PREFIX akg: <https://w3id.org/akg/ontology#>
SELECT ?number ?heading ?text ?start ?end ?parent WHERE {
  ?p a akg:Provision ; akg:number ?number ; akg:text ?text ; akg:startOffset ?start ; akg:endOffset ?end ;
     akg:inDocument <https://w3id.org/akg/id/doc/hubei-2022-child-welfare> .
  OPTIONAL { ?p akg:heading ?heading } OPTIONAL { ?p akg:isPartOf/akg:number ?parent }
} ORDER BY ?start"""


@pytest.fixture(scope="module")
def provisions(shipped_store: OxigraphStore) -> dict[str, dict]:
    return {row["number"]: row for row in shipped_store.select(Q)}


def test_the_tree_has_every_numbered_provision_in_document_order(provisions: dict[str, dict]) -> None:
    numbered = [n for n in provisions if n[0].isdigit()]
    assert numbered == [
        "1", "1.1", "1.2",
        "2", "2.1", *[f"2.1.{i}" for i in range(1, 10)], "2.2", "2.2.1", "2.2.2", "2.2.3",
        "3", "3.1", "3.2", "3.3", "3.4",
    ]  # fmt: skip
    assert list(provisions)[:2] == ["greeting", "preamble"]
    assert list(provisions)[-2:] == ["closing", "signatures"]


@pytest.mark.parametrize(
    ("number", "heading", "parent"),
    [
        ("2.1.3", "Improve the level of medical security", "2.1"),  # runs inline in item 2's paragraph
        ("2.1.7", "Strengthen social work services", "2.1"),  # inline in item 6
        ("3", "organizational guarantee", None),  # "Third, ..." at the end of 2.2.3's line
        ("3.4", "Strengthen public opinion guidance", "3"),  # inline in 3.3
        ("1", "Overall requirements", None),
        ("1.2", "Work goal", "1"),
    ],
)
def test_inline_headings_start_their_own_provision(
    provisions: dict[str, dict], number: str, heading: str, parent: str | None
) -> None:
    assert provisions[number]["heading"] == heading
    assert provisions[number]["parent"] == parent


def test_inline_heading_ends_the_previous_item(provisions: dict[str, dict]) -> None:
    item2, item3 = provisions["2.1.2"], provisions["2.1.3"]
    assert item2["end"] < item3["start"]
    assert "medical security" not in item2["text"]
    assert item3["text"].startswith("3. Improve the level of medical security.")
    assert "Third, organizational guarantee" not in provisions["2.2.3"]["text"]


def test_offsets_index_into_the_source_text(provisions: dict[str, dict], shipped_store: OxigraphStore) -> None:
    (row,) = shipped_store.select(
        "PREFIX akg: <https://w3id.org/akg/ontology#> SELECT ?t WHERE { ?d a akg:PolicyDocument ; akg:sourceText ?t }"
    )
    source = row["t"]
    for number, p in provisions.items():
        assert source[p["start"] : p["end"]] == p["text"], number


def test_trailing_page_links_are_not_part_of_the_document(provisions: dict[str, dict]) -> None:
    signatures = provisions["signatures"]["text"]
    assert signatures.endswith("August 30, 2022")
    assert all("Toilet Alliance" not in p["text"] for p in provisions.values())


def test_the_sixteen_signatories_are_recognised(shipped_store: OxigraphStore) -> None:
    rows = shipped_store.select(
        """PREFIX akg: <https://w3id.org/akg/ontology#>
        SELECT ?sector ?date WHERE { ?d a akg:PolicyDocument ; akg:dateSigned ?date ; akg:signatory ?o .
                                     ?o akg:headsSector ?sector }"""
    )
    sectors = {row["sector"].rsplit("/", 1)[1] for row in rows}
    assert len(sectors) == 16
    # Three share one printed line; two are printed under machine-translated names.
    assert {"education", "public-security", "finance", "conscription-office", "health"} <= sectors
    assert {str(row["date"]) for row in rows} == {"2022-08-30"}


def test_provisions_point_at_their_line_in_the_source(shipped_store: OxigraphStore) -> None:
    rows = shipped_store.select(
        """PREFIX akg: <https://w3id.org/akg/ontology#>
        SELECT ?number ?file ?line WHERE { ?p a akg:Provision ; akg:number ?number ;
                                           akg:sourceFile ?file ; akg:sourceLine ?line }"""
    )
    lines = {row["number"]: (row["file"], row["line"]) for row in rows}
    assert lines["2.1.3"] == ("documents/hubei-2022-child-welfare/source.txt", 11)  # inline, in item 2's line
    assert lines["greeting"][1] == 3 and lines["closing"][1] == 24
