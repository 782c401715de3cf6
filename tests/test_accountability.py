"""The accountability core answers the officer questions of issue 3 from the shipped annotations.

Expected owners, roles and clauses were read off
data/documents/hubei-2022-child-welfare/obligations/*.yaml.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from akg.accountability import Accountability, UnknownIdentifier

DOC = "hubei-2022-child-welfare"


class CountingStore:
    """Wraps a store and counts the SELECT queries made through it."""

    def __init__(self, store) -> None:
        self.store, self.calls = store, 0

    def select(self, query: str):
        self.calls += 1
        return self.store.select(query)


@pytest.fixture(scope="module")
def counted(shipped_store) -> CountingStore:
    return CountingStore(shipped_store)


@pytest.fixture(scope="module")
def acc(counted: CountingStore) -> Accountability:
    return Accountability.from_store(counted)


def holders(acc: Accountability, need: str, **filters) -> dict[tuple[str, str], set[str]]:
    """(organisation, role) -> the clause numbers it rests on, in the Hubei document (unless told otherwise)."""
    filters.setdefault("document", DOC)
    result: dict[tuple[str, str], set[str]] = defaultdict(set)
    for entry in acc.responsible_for(need, **filters):
        result[(entry.organization.id, entry.role)] |= {ob.provision for ob in entry.obligations}
    return result


def sectors_in_role(acc: Accountability, need: str, role: str) -> set[str]:
    found = acc.responsible_for(need, document=DOC)
    return {e.organization.sector for e in found if e.role == role and e.organization.sector}


# (need, organisation, role, clauses that must be among those it rests on, its sector)
OFFICER_FACTS = [
    ("rehabilitation", "disabled-persons-federation-departments", "lead", {"3.2"}, "disabled-persons-federation"),
    (
        "rehabilitation",
        "disabled-persons-federation-departments",
        "supporting",
        {"2.1.4"},
        "disabled-persons-federation",
    ),
    ("rehabilitation", "civil-affairs-departments", "lead", {"2.1.1", "2.1.4"}, "civil-affairs"),
    ("rehabilitation", "hubei-deaf-children-rehabilitation-centre", "lead", {"2.1.4"}, "disabled-persons-federation"),
    ("household-registration", "public-security-departments", "lead", {"3.2", "2.1.1"}, "public-security"),
    ("household-registration", "civil-affairs-departments", "lead", {"2.1.1"}, "civil-affairs"),
    ("household-registration", "relevant-departments", "responsible", {"2.1.1"}, None),
    ("education", "education-departments", "lead", {"3.2"}, "education"),
    ("education", "education-departments", "supporting", {"3.2"}, "education"),
    ("education", "education-departments", "informed", {"2.1.5"}, "education"),
    ("education", "human-resources-social-security-departments", "lead", {"3.2"}, "human-resources-social-security"),
    ("education", "special-education-schools", "lead", {"2.1.5"}, "education"),
    ("housing", "housing-urban-rural-departments", "lead", {"3.2"}, "housing-urban-rural"),
    ("housing", "local-governments", "responsible", {"2.1.6"}, None),
    ("medical-insurance", "medical-security-departments", "lead", {"3.2"}, "medical-security"),
    ("medical-insurance", "civil-affairs-departments", "lead", {"2.1.1"}, "civil-affairs"),
    # 2.1.6 names no actor for enlistment; 3.2 names the conscription offices for the same task (review fix).
    ("military-service", "conscription-office-departments", "lead", {"3.2", "2.1.6"}, "conscription-office"),
    ("employment", "human-resources-social-security-departments", "lead", {"3.2"}, "human-resources-social-security"),
    ("employment", "local-governments", "responsible", {"2.1.6"}, None),
    ("safety", "market-supervision-departments", "lead", {"3.2"}, "market-supervision"),
    ("safety", "emergency-management-departments", "responsible", {"3.2"}, "emergency-management"),
    ("safety", "fire-rescue-departments", "responsible", {"3.2"}, "fire-rescue"),
    ("safety", "civil-affairs-departments", "lead", {"3.3"}, "civil-affairs"),
]


@pytest.mark.parametrize(("need", "org", "role", "clauses", "sector"), OFFICER_FACTS)
def test_officer_question_names_owner_role_and_clause(acc, need, org, role, clauses, sector) -> None:
    found = holders(acc, need)
    assert (org, role) in found, f"{org} should hold {role} for {need}; found {sorted(found)}"
    assert clauses <= found[(org, role)]
    assert acc.organization(org).sector == sector


@pytest.mark.parametrize(
    ("need", "lead_sectors"),
    [
        ("rehabilitation", {"civil-affairs", "disabled-persons-federation"}),
        ("household-registration", {"civil-affairs", "public-security"}),
        ("housing", {"housing-urban-rural"}),
        ("medical-insurance", {"civil-affairs", "medical-security"}),
        ("military-service", {"conscription-office"}),
        ("employment", {"human-resources-social-security"}),
    ],
)
def test_lead_sectors(acc, need, lead_sectors) -> None:
    assert sectors_in_role(acc, need, "lead") == lead_sectors


def test_household_registration_clauses_of_public_security(acc) -> None:
    obligations = acc.obligations(need="household-registration", sector="public-security", role="lead", document=DOC)
    assert {ob.provision for ob in obligations} == {"2.1.1", "3.2"}
    assert {ob.id for ob in obligations} >= {f"{DOC}/2.1.1-13", f"{DOC}/3.2-7"}


def test_leads_come_first(acc) -> None:
    for need in ("rehabilitation", "education", "safety", "protection"):
        ranks = [acc.concept("roles", e.role).rank for e in acc.responsible_for(need)]
        assert ranks == sorted(ranks)
        assert ranks[0] == 1


def test_broad_need_takes_in_narrower(acc) -> None:
    assert "safety" in acc.concept("needs", "protection").narrower
    protection = holders(acc, "protection")
    for key, clauses in holders(acc, "safety").items():
        assert clauses <= protection[key]
    safety_ids = {ob.id for ob in acc.obligations(need="safety")}
    assert safety_ids and safety_ids <= {ob.id for ob in acc.obligations(need="protection")}
    matrix = acc.responsibility_matrix(needs=["protection"], sectors=["market-supervision"])
    assert "A" in matrix.rows[0].cells[0].letters


def test_level_filter_includes_all_levels_and_unleveled_duties(acc) -> None:
    county = acc.obligations(level="county")
    assert any(ob.all_levels for ob in county)
    assert all(ob.all_levels or not ob.levels or "county" in ob.levels for ob in county)
    assert f"{DOC}/3.2-20" in {ob.id for ob in county}  # conscription offices "at all levels"
    assert not any(ob.levels == ("city",) for ob in county)  # "municipal and state" duties stay out
    military = holders(acc, "military-service", level="county")
    assert ("conscription-office-departments", "lead") in military
    # "The Disabled Persons' Federation must ..." names no level: it binds the federation at every level.
    assert ("disabled-persons-federation-departments", "lead") in holders(acc, "rehabilitation", level="county")


def test_target_group_filter_keeps_general_duties(acc) -> None:
    general = [ob for ob in acc.all_obligations() if not ob.groups and ob.needs and ob.assignments]
    assert general
    example = general[0]  # tagged with no group: applies to every child
    found = {ob.id for e in acc.responsible_for(example.needs[0], target_group="orphans") for ob in e.obligations}
    assert example.id in found
    strict = acc.obligations(target_group="orphans")
    assert strict and all("orphans" in ob.groups for ob in strict)


def test_recurring_deadline_instances_count(acc) -> None:
    closing = acc.obligation(f"{DOC}/closing-2")
    assert closing.deadline.recurrence
    assert closing.deadline.instances == tuple(dt.date(year, 12, 20) for year in range(2022, 2026))
    assert closing.deadline.date == dt.date(2025, 12, 20)

    def ids(**kw) -> set[str]:
        return {ob.id for ob in acc.obligations(**kw)}

    assert closing.id in ids(due_before=dt.date(2023, 1, 1))
    assert closing.id in ids(due_after=dt.date(2025, 12, 1))
    assert closing.id in ids(due_after=dt.date(2023, 6, 1), due_before=dt.date(2023, 12, 31))
    assert closing.id not in ids(due_before=dt.date(2022, 12, 19))
    assert closing.id not in ids(due_after=dt.date(2025, 12, 21))


def test_coverage_of_the_shipped_data(acc) -> None:
    whole = {entry.concept.id: entry for entry in acc.coverage()}
    assert {"rehabilitation", "housing", "staffing"} <= set(whole)
    assert whole["housing"].has_lead
    assert [o.id for o in whole["military-service"].leads] == ["conscription-office-departments"]
    for level in (None, "city", "county"):
        for entry in acc.coverage(level=level):
            assert entry.has_lead == bool(entry.leads)


def _fixture_without_lead(fixture_data) -> Accountability:
    """The fixture document with its one education lead demoted: education becomes a gap."""
    from akg.store import open_store

    path = fixture_data / "documents/county-notice-2024/obligations/all.yaml"
    path.write_text(
        path.read_text().replace(
            "{org: test-county-education, role: lead}", "{org: test-county-education, role: responsible}"
        )
    )
    return Accountability.from_store(open_store(fixture_data))


def test_coverage_flags_needs_without_lead(fixture_data) -> None:
    coverage = {entry.concept.id: entry for entry in _fixture_without_lead(fixture_data).coverage()}
    assert not coverage["education"].has_lead and coverage["education"].leads == []
    assert coverage["education"].obligation_count == 2
    assert coverage["guardianship"].has_lead


def test_coverage_counts_and_supporting_sectors(acc) -> None:
    entry = next(e for e in acc.coverage() if e.concept.id == "rehabilitation")
    assert entry.obligation_count == len(acc.obligations(need="rehabilitation"))
    assert "disabled-persons-federation" in entry.supporting_sectors


def test_matrix_rows_letters_and_clauses(acc) -> None:
    matrix = acc.responsibility_matrix(document=DOC)
    assert [c.id for c in matrix.columns[:3]] == [c.id for c in acc.concepts("needs") if not c.narrower][:3]
    assert {c.scheme for c in matrix.columns} == {"needs", "capacities"}
    assert [r.sector for r in matrix.rows] == [c.id for c in acc.concepts("sectors")]
    rows = {r.sector: {c.column: c for c in r.cells} for r in matrix.rows}
    cell = rows["public-security"]["household-registration"]
    assert cell.letters.startswith("A") and set(cell.clauses) >= {"2.1.1", "3.2"}
    assert rows["conscription-office"]["military-service"].clauses == ("2.1.6", "3.2")
    assert rows["housing-urban-rural"]["housing"].letters == "A"
    assert rows["finance"]["military-service"].roles == ()
    for row in matrix.rows:
        for c in row.cells:
            assert len(c.letters) == len(c.roles)
            assert list(c.obligation_ids) == sorted(c.obligation_ids)


def test_matrix_gaps_follow_filters(fixture_data) -> None:
    acc = _fixture_without_lead(fixture_data)
    assert "education" in acc.responsibility_matrix().gaps
    assert "guardianship" not in acc.responsibility_matrix().gaps
    assert acc.responsibility_matrix(needs=["guardianship"]).gaps == ()


def test_unknown_identifiers_raise(acc) -> None:
    with pytest.raises(UnknownIdentifier) as info:
        acc.responsible_for("flying")
    assert info.value.value == "flying" and isinstance(info.value, ValueError)
    for call in (
        lambda: acc.obligations(sector="nowhere"),
        lambda: acc.obligations(level="galaxy"),
        lambda: acc.responsibility_matrix(needs=["nothing"]),
        lambda: acc.responsibility_matrix(sectors=["none"]),
        lambda: acc.coverage(level="moon"),
        lambda: acc.organizations(kind="ALIEN"),
    ):
        with pytest.raises(UnknownIdentifier):
            call()


def test_labels_bilingual_and_search(acc) -> None:
    assert acc.concept("needs", "rehabilitation").label("zh") != acc.concept("needs", "rehabilitation").label("en")
    assert acc.organization("hubei-civil-affairs").label("zh") == "湖北省民政厅"
    found = acc.search("HOUSEHOLD REGISTRATION")
    assert found.obligations and found.provisions
    assert acc.search("   ") == ([], [])


def test_documents_provisions_citations(acc) -> None:
    doc = acc.document(DOC)
    assert len(doc.signatories) == 16 and "hubei-civil-affairs" in doc.signatories
    assert acc.provision("2.1.1", DOC).parent == "2.1"
    assert "2.1.1" in acc.provision("2.1", DOC).children
    assert {c.cited for c in acc.citations()} >= {"minfa-2021-44", "law-on-protection-of-minors"}
    orders = [p.order for p in acc.provisions(DOC)]
    assert orders == sorted(orders)


def test_indexes_built_with_a_handful_of_queries(counted, acc) -> None:
    before = counted.calls
    assert before <= 25  # a fixed handful, however large the corpus
    for need in ("rehabilitation", "protection"):
        acc.responsible_for(need, level="county")
    acc.coverage()
    acc.responsibility_matrix()
    acc.obligations(text="register")
    assert counted.calls == before
