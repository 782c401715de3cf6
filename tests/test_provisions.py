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
        "PREFIX akg: <https://w3id.org/akg/ontology#> SELECT ?t WHERE "
        "{ <https://w3id.org/akg/id/doc/hubei-2022-child-welfare> akg:sourceText ?t }"
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
                                           akg:sourceFile ?file ; akg:sourceLine ?line ;
                                           akg:inDocument <https://w3id.org/akg/id/doc/hubei-2022-child-welfare> }"""
    )
    lines = {row["number"]: (row["file"], row["line"]) for row in rows}
    assert lines["2.1.3"] == ("documents/hubei-2022-child-welfare/source.txt", 11)  # inline, in item 2's line
    assert lines["greeting"][1] == 3 and lines["closing"][1] == 24


# -- The Chinese documents --------------------------------------------------------------------------------

CHINESE = """PREFIX akg: <https://w3id.org/akg/ontology#>
SELECT ?number ?heading ?text ?start ?end ?parent ?line ?source WHERE {
  ?p a akg:Provision ; akg:number ?number ; akg:text ?text ; akg:startOffset ?start ; akg:endOffset ?end ;
     akg:sourceLine ?line ; akg:inDocument ?d .
  ?d akg:identifier ?doc ; akg:sourceText ?source .
  OPTIONAL { ?p akg:heading ?heading } OPTIONAL { ?p akg:isPartOf/akg:number ?parent }
  FILTER (?doc = ?wanted)
} ORDER BY ?start"""


def _tree(store: OxigraphStore, doc: str) -> dict[str, dict]:
    query = CHINESE.replace("?wanted", f'"{doc}"')
    return {row["number"]: row for row in store.select(query)}


def test_chinese_numbering_maps_to_dotted_numbers(shipped_store: OxigraphStore) -> None:
    tree = _tree(shipped_store, "minfa-2019-62")
    numbered = [n for n in tree if n[0].isdigit()]
    assert numbered == [
        "1", "2", "2.1", "2.2", "2.3", "2.4", "3", "3.1", "3.2", "3.3", "3.4", "3.5", "4", "4.1", "4.2", "4.3", "4.4",
    ]  # fmt: skip
    assert list(tree)[:2] == ["greeting", "preamble"] and list(tree)[-1] == "closing"
    assert tree["2"]["heading"] == "规范认定流程"
    assert tree["2.3"]["parent"] == "2"


def test_inline_and_own_line_headings_in_one_document(shipped_store: OxigraphStore) -> None:
    tree = _tree(shipped_store, "guofa-2016-36")
    # 二（四） has its heading on its own line; 二（五） runs it inline, up to the first 。
    assert tree["2.4"]["heading"] == "落实监护责任"
    assert tree["2.5"]["heading"] == "加强残疾儿童福利服务"
    assert tree["2.5"]["text"].startswith("（五）加强残疾儿童福利服务。对于0—6岁")
    # Paragraphs with no marker of their own are parts of their provision.
    assert "坚持家庭尽责。" in tree["1.2"]["text"] and "坚持社会参与。" in tree["1.2"]["text"]
    assert "（三）总体目标" not in tree["1.2"]["text"]


def test_chinese_offsets_count_characters(shipped_store: OxigraphStore) -> None:
    for doc in ("guofa-2016-13", "guobanfa-2010-54", "guofa-2018-20"):
        tree = _tree(shipped_store, doc)
        for number, p in tree.items():
            assert p["source"][p["start"] : p["end"]] == p["text"], (doc, number)
            assert p["source"].count("\n", 0, p["start"]) + 1 == p["line"], (doc, number)


def test_documents_without_a_closing_paragraph_end_with_their_last_provision(shipped_store: OxigraphStore) -> None:
    tree = _tree(shipped_store, "guobanfa-2010-54")
    assert "closing" not in tree and "signatures" not in tree
    assert list(tree)[-1] == "4.3"
    assert tree["4.3"]["text"].endswith("广泛开展救孤恤孤活动。")
