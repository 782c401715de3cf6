"""Answers kept with the indexes (akg.accountability.answers) and the per-concept index of the coverage and the matrix.

The kept answers must be the answers a fresh execution gives, live only as long as the indexes they were
computed from, and never hold a child's profile or anything that changes while the service runs (progress).
The index of the obligations serving each need or capacity must answer as a scan of every obligation did.
"""

from __future__ import annotations

import pytest

from akg.accountability import LEAD, Accountability, ObligationRecord
from akg.accountability.answers import AnswerCache
from graphql_api.schema import create_schema, make_context

COVERAGE = "query Gaps($level: ID) { coverage(level: $level) { need { id } hasLead obligationCount leads { id } } }"
PATHWAY = '{ pathway(profile: {targetGroups: ["orphans"], age: 9}) { needs { id } } }'


@pytest.fixture(scope="module")
def acc(shipped_store) -> Accountability:
    return Accountability.from_store(shipped_store)


# -- the cache itself ----------------------------------------------------------------------------


def test_the_cache_forgets_the_least_recently_used_beyond_its_bounds() -> None:
    cache = AnswerCache(max_entries=2, max_weight=100, enabled=True)
    cache.put("a", 1, weight=10)
    cache.put("b", 2, weight=10)
    assert cache.get("a") == 1  # a is now the most recently used
    cache.put("c", 3, weight=10)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    cache.put("d", 4, weight=95)  # over the weight bound with a and c: both go
    assert (cache.get("a"), cache.get("c"), cache.get("d")) == (None, None, 4)
    cache.put("e", 5, weight=101)  # heavier than the bound on its own: not kept
    assert cache.get("e") is None and len(cache) == 1


def test_the_environment_turns_the_cache_off(monkeypatch) -> None:
    monkeypatch.setenv("AKG_ANSWER_CACHE", "off")
    cache = AnswerCache()
    cache.put("a", 1)
    assert cache.get("a") is None and len(cache) == 0


# -- answers kept by the GraphQL schema ------------------------------------------------------------


def test_a_repeated_query_is_answered_from_the_indexes_cache_with_the_same_answer(shipped_store) -> None:
    acc = Accountability.from_store(shipped_store)
    schema, context = create_schema(), make_context(acc)
    first = schema.execute_sync(COVERAGE, variable_values={"level": "city"}, context_value=dict(context))
    assert not first.errors and len(acc.answers) == 1
    again = schema.execute_sync(COVERAGE, variable_values={"level": "city"}, context_value=dict(context))
    assert again.data == first.data and acc.answers.hits == 1
    other = schema.execute_sync(COVERAGE, variable_values={"level": "county"}, context_value=dict(context))
    assert other.data != first.data and len(acc.answers) == 2  # the variables are part of the question
    rebuilt = Accountability.from_store(shipped_store)  # a new store version: new indexes, nothing kept
    assert len(rebuilt.answers) == 0
    fresh = schema.execute_sync(COVERAGE, variable_values={"level": "city"}, context_value=make_context(rebuilt))
    assert fresh.data == first.data and rebuilt.answers.hits == 0


def test_a_childs_profile_errors_and_the_validation_report_are_never_kept(acc) -> None:
    schema, context = create_schema(), make_context(acc)
    kept = len(acc.answers)
    assert not schema.execute_sync(PATHWAY, context_value=dict(context)).errors
    assert PATHWAY not in schema.prepared_documents  # not even the query text that holds the profile
    assert schema.execute_sync('{ coverage(level: "no-such-level") { hasLead } }', context_value=dict(context)).errors
    assert not schema.execute_sync("{ validation { conforms } }", context_value=dict(context)).errors
    assert len(acc.answers) == kept
    assert not schema.execute_sync(COVERAGE, context_value=dict(context)).errors
    assert COVERAGE in schema.prepared_documents  # any other query text is kept


def test_a_query_asked_again_is_still_refused_when_invalid(acc) -> None:
    schema, context = create_schema(), make_context(acc)
    for _ in range(2):  # the second time through the kept documents
        result = schema.execute_sync("{ coverage { noSuchField } }", context_value=dict(context))
        assert result.errors and result.errors[0].extensions["code"] == "GRAPHQL_VALIDATION_FAILED"


# -- the index of the obligations serving each concept -------------------------------------------


def _serving(acc: Accountability, scheme: str, ident: str, level: str | None) -> list[ObligationRecord]:
    """The old path: every obligation at ``level`` scanned for the concept (narrower needs included)."""
    wanted = acc.narrower_needs(ident) if scheme == "needs" else {ident}
    return [
        ob
        for ob in acc.all_obligations()
        if wanted.intersection(ob.needs if scheme == "needs" else ob.capacities)
        and (level is None or ob.all_levels or not ob.levels or level in ob.levels)
    ]


@pytest.mark.parametrize("level", [None, "province", "city", "county"])
def test_coverage_counts_and_leads_are_those_of_a_scan_of_every_obligation(acc, level) -> None:
    entries = acc.coverage(level)
    assert len(entries) == len(acc.concepts("needs")) + len(acc.concepts("capacities"))
    for entry in entries:
        found = _serving(acc, entry.concept.scheme, entry.concept.id, level)
        assert entry.obligation_count == len(found), entry.concept.id
        leads = sorted({a.organization for ob in found for a in ob.assignments if a.role == LEAD})
        assert [o.id for o in entry.leads] == leads, entry.concept.id


@pytest.mark.parametrize("level", [None, "county"])
def test_matrix_cells_are_those_of_a_scan_of_every_obligation(acc, level) -> None:
    matrix = acc.responsibility_matrix(level=level)
    sector_of = {o.id: o.sector for o in acc.organizations()}
    for row in matrix.rows:
        for column, cell in zip(matrix.columns, row.cells, strict=True):
            found = _serving(acc, column.scheme, column.id, level)
            held = [ob for ob in found if any(sector_of[a.organization] == row.sector for a in ob.assignments)]
            assert set(cell.obligation_ids) == {ob.id for ob in held}, (row.sector, column.id)
            roles = {a.role for ob in held for a in ob.assignments if sector_of[a.organization] == row.sector}
            assert set(cell.roles) == roles, (row.sector, column.id)
