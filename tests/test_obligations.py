"""The shipped annotations of the Hubei opinions: coverage of the text, deadlines, owners and their bases.

The national documents are tested in test_corpus.py.
"""

from __future__ import annotations

import datetime as dt

from akg.store import OxigraphStore, counts

P = "PREFIX akg: <https://w3id.org/akg/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
HUBEI = "<https://w3id.org/akg/id/doc/hubei-2022-child-welfare>"


def _ids(rows: list[dict], key: str) -> set[str]:
    return {str(row[key]).rsplit("/", 1)[1] for row in rows}


def test_every_duty_of_the_main_tasks_and_guarantees_is_in_the_graph(shipped_store: OxigraphStore) -> None:
    numbers = shipped_store.select(
        P + "SELECT ?n (COUNT(?o) AS ?c) WHERE { ?o a akg:Obligation ; akg:provision/akg:number ?n } GROUP BY ?n"
    )
    per_provision = {row["n"]: row["c"] for row in numbers}
    assert counts(shipped_store)["obligations"] > 100
    items = [f"2.1.{i}" for i in range(1, 10)] + ["2.2.1", "2.2.2", "2.2.3", "3.1", "3.2", "3.3", "3.4", "closing"]
    assert all(per_provision.get(n, 0) >= 1 for n in items), per_provision


def test_departmental_responsibilities_name_all_sixteen_sectors(shipped_store: OxigraphStore) -> None:
    rows = shipped_store.select(
        P + f'SELECT DISTINCT ?s WHERE {{ ?o akg:provision ?p . ?p akg:number "3.2" ; akg:inDocument {HUBEI} . '
        "?o akg:hasAssignment/akg:organization/akg:sector ?s }"
    )
    assert len(_ids(rows, "s")) == 16


def test_explicit_deadline_is_parsed_from_its_sentence(shipped_store: OxigraphStore) -> None:
    rows = shipped_store.select(
        P + "SELECT ?date ?basis WHERE { ?o akg:text ?t ; akg:hasDeadline ?d . ?d akg:date ?date ; akg:basis ?basis ; "
        'akg:wording "by the end of 2025" FILTER(CONTAINS(?t, "completed by the end of 2025")) }'
    )
    assert [(r["date"], r["basis"].rsplit("/", 1)[1]) for r in rows] == [(dt.date(2025, 12, 31), "explicit")]


def test_duties_without_a_date_inherit_the_work_goal(shipped_store: OxigraphStore) -> None:
    rows = shipped_store.select(
        P + f"SELECT ?date ?wording ?from WHERE {{ ?o akg:hasDeadline ?d ; akg:provision/akg:inDocument {HUBEI} . "
        "?d akg:basis <https://w3id.org/akg/id/basis/inherited-from-goal> ; akg:date ?date ; akg:wording ?wording ; "
        "akg:derivedFrom/akg:number ?from }"
    )
    assert len(rows) > 50
    assert {(r["date"], r["wording"], r["from"]) for r in rows} == {(dt.date(2025, 12, 31), "By 2025", "1.2")}


def test_the_annual_report_is_a_recurrence_with_four_instances(shipped_store: OxigraphStore) -> None:
    rows = shipped_store.select(
        P + "SELECT ?i WHERE { ?o akg:provision/akg:number 'closing' ; akg:hasDeadline ?d . "
        "?d akg:recurrence ?r ; akg:instanceDate ?i }"
    )
    assert sorted(r["i"] for r in rows) == [dt.date(y, 12, 20) for y in range(2022, 2026)]


def test_no_obligation_lacks_an_owner_or_a_deadline(shipped_store: OxigraphStore) -> None:
    """Across the corpus: every duty has an owner and a decided deadline (a Hubei one always a date)."""
    rows = shipped_store.select(
        P + "SELECT ?o WHERE { ?o a akg:Obligation FILTER NOT EXISTS { ?o akg:hasAssignment/akg:organization ?x . "
        "?o akg:hasDeadline/akg:deadlineKind ?k } }"
    )
    assert rows == []
    undated = shipped_store.select(
        P + "SELECT ?o WHERE { ?o a akg:Obligation ; akg:provision/akg:inDocument "
        f"{HUBEI} FILTER NOT EXISTS {{ ?o akg:hasDeadline/akg:date ?d }} }}"
    )
    assert undated == []


def test_vague_owners_stay_vague(shipped_store: OxigraphStore) -> None:
    rows = shipped_store.select(
        P + "SELECT ?t WHERE { ?o akg:text ?t ; akg:hasAssignment/akg:organization ?org . ?org akg:vague true }"
    )
    texts = [r["t"] for r in rows]
    assert any("relevant departments" in t.lower() for t in texts)
    assert any("all localities" in t.lower() for t in texts)


def test_inherited_owners_record_where_they_come_from(shipped_store: OxigraphStore) -> None:
    rows = shipped_store.select(
        P + "SELECT ?from ?org WHERE { ?o akg:ownerBasis <https://w3id.org/akg/id/basis/inherited-from-context> ; "
        "akg:text ?t ; akg:ownerInheritedFrom ?from ; akg:hasAssignment/akg:organization ?org "
        "FILTER(STRSTARTS(?t, 'Strengthen the training of professional')) }"
    )
    # The bare imperative continues the sentence before it: civil affairs departments and institutions.
    assert _ids(rows, "from") == {"2.1.2-4"}
    assert _ids(rows, "org") == {"civil-affairs-departments", "childrens-welfare-institutions"}


def test_encouragements_are_not_recorded_as_hard_duties(shipped_store: OxigraphStore) -> None:
    rows = shipped_store.select(
        P + "SELECT ?m WHERE { ?o akg:text ?t ; akg:modality ?m FILTER(STRSTARTS(?t, 'Encourage ')) }"
    )
    assert rows and _ids(rows, "m") == {"encouraged"}
