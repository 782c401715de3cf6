"""The GraphQL schema, executed in-process: contract names, answers, pagination, limits and error masking."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLEnumType, GraphQLNonNull

from akg.accountability import Accountability
from graphql_api.examples import load_examples
from graphql_api.export_schema import SDL_PATH, sdl
from graphql_api.export_schema import main as export_main
from graphql_api.schema import MAX_PAGE, create_schema, make_context, schema
from tests.graphql_support import DOC, nested_query, sample_report


@pytest.fixture(scope="module")
def acc(shipped_store) -> Accountability:
    return Accountability.from_store(shipped_store)


@pytest.fixture(scope="module")
def run(acc):
    context = make_context(acc, sample_report())

    def execute(query: str, variables: dict | None = None, expect_errors: bool = False, on=schema):
        result = on.execute_sync(query, variable_values=variables, context_value=context)
        if expect_errors:
            assert result.errors, f"expected errors for {query}"
            return [e.message for e in result.errors]
        assert not result.errors, result.errors
        return result.data

    return execute


def test_exported_sdl_has_not_drifted() -> None:
    assert SDL_PATH.read_text(encoding="utf-8") == sdl(), "run: python -m graphql_api.export_schema"
    assert export_main(["--check"]) == 0


def test_export_check_detects_drift(tmp_path) -> None:
    stale = tmp_path / "schema.graphql"
    stale.write_text("type Query { old: Int }\n")
    assert export_main(["--check", str(stale)]) == 1
    assert export_main([str(stale)]) == 0 and stale.read_text() == sdl()


CONTRACT = {
    "organization": {"id"},
    "organizations": {"sector", "level", "kind"},
    "sectors": set(),
    "levels": set(),
    "targetGroups": set(),
    "needs": set(),
    "capacities": set(),
    "obligation": {"id"},
    "obligations": {
        "need", "sector", "organization", "targetGroup", "level", "role", "modality",
        "dueBefore", "dueAfter", "text", "first", "after",
        "document", "deadlineKind", "targetGroups", "capacity", "ownerKinds",
    },
    "responsibleFor": {"need", "targetGroup", "level", "capacity", "targetGroups", "document", "ownerKinds"},
    "coverage": {"level", "document"},
    "responsibilityMatrix": {"needs", "sectors", "level", "targetGroup", "document", "targetGroups"},
    "deadlineKinds": set(),
    "documents": set(),
    "document": {"id"},
    "provision": {"number", "document"},
    "provisions": {"document"},
    "citations": set(),
    "search": {"text"},
    "validation": set(),
    "jurisdictions": {"level", "parent"},
    "jurisdiction": {"id"},
}  # fmt: skip


def test_query_fields_and_arguments_follow_the_contract() -> None:
    fields = schema._schema.query_type.fields
    for name, args in CONTRACT.items():
        assert name in fields, name
        assert args <= set(fields[name].args), (name, set(fields[name].args))
    types = schema._schema.type_map
    role = types["Role"]
    assert isinstance(role, GraphQLEnumType)
    assert list(role.values) == ["LEAD", "RESPONSIBLE", "SUPPORTING", "CONSULTED", "INFORMED"]
    assert set(types["OrganizationKind"].values) == {
        *("DEPARTMENT", "INSTITUTION", "GOVERNMENT", "OTHER"),
        *("COMMUNITY", "FAMILY", "SOCIETY"),  # duty bearers outside government (the corpus issue)
    }
    assert set(types["DeadlineKind"].values) == {
        *("DATE", "EFFECTIVE", "RELATIVE", "RECURRING", "PERIODIC", "PROMPT", "INHERITED", "NONE_STATED")
    }
    expected = {
        "Organization": {
            "id", "label", "kind", "sector", "level", "signatory", "obligations", "governmental", "counterparts",
        },
        "Obligation": {
            "id", "text", "modality", "action", "provision", "assignments", "deadline",
            "needs", "targetGroups", "citations", "level",
        },
        "Assignment": {"organization", "role", "basis"},
        "Deadline": {"date", "basis", "wording", "recurrence", "kind", "relative", "periodic"},
        "RelativePeriod": {"amount", "unit", "trigger"},
        "Document": {"id", "number", "title", "language", "level", "issuers", "cites", "citedBy", "links"},
        "Provision": {"number", "heading", "text", "document", "links", "linkedFrom"},
        "TextLink": {"relation", "quote", "source", "target"},
        "Concept": {"id", "label", "broader", "narrower"},
        "Responsibility": {"organization", "role", "obligations"},
        "ResponsibilityMatrix": {"columns", "rows"},
        "MatrixRow": {"sector", "cells"},
        "MatrixCell": {"need", "roles", "letters", "obligationIds"},
        "CitedDocument": {"number", "title", "issuer", "citedBy"},
        "Validation": {"conforms", "results"},
        "ValidationResult": {
            "severity", "message", "focusNode", "path", "sourceShape", "sourceFile", "sourceLine",
        },
        "ObligationConnection": {"edges", "pageInfo", "totalCount"},
        "ObligationEdge": {"node", "cursor"},
        "Jurisdiction": {"id", "label", "level", "levels", "parent", "type"},
    }  # fmt: skip
    for type_name, names in expected.items():
        assert names <= set(types[type_name].fields), (type_name, set(types[type_name].fields))
    for type_name, field in (
        *(("Organization", "label"), ("Concept", "label"), ("Document", "title")),
        ("Jurisdiction", "label"),
    ):
        lang = types[type_name].fields[field].args["lang"]
        assert lang.default_value == "en"
    # The one breaking change of the corpus issue: a relative deadline has no calendar date.
    assert not isinstance(types["Deadline"].fields["date"].type, GraphQLNonNull)
    # A need or a capacity: "who funds this?" is asked with need: "funding" or capacity: "funding".
    assert not isinstance(fields["responsibleFor"].args["need"].type, GraphQLNonNull)


def test_rehabilitation_for_children_with_disabilities(run) -> None:
    data = run(
        """{ responsibleFor(need: "rehabilitation", targetGroup: "children-with-disabilities",
                            document: ["hubei-2022-child-welfare"]) {
              role organization { id sector { id } } obligations { id provision { number } deadline { date } } } }"""
    )
    entries = data["responsibleFor"]
    assert entries[0]["role"] == "LEAD"
    roles = [e["role"] for e in entries]
    assert roles == sorted(roles, key=["LEAD", "RESPONSIBLE", "SUPPORTING", "CONSULTED", "INFORMED"].index)
    found = {
        (e["organization"]["id"], e["role"]): {o["provision"]["number"] for o in e["obligations"]} for e in entries
    }
    assert "3.2" in found[("disabled-persons-federation-departments", "LEAD")]
    assert "2.1.4" in found[("disabled-persons-federation-departments", "SUPPORTING")]
    assert all(o["deadline"]["date"] for e in entries for o in e["obligations"])


def test_every_example_answers_without_errors(run) -> None:
    examples = {e.name: e for e in load_examples()}
    assert len(examples) >= 3
    answers = {name: run(e.query) for name, e in examples.items()}
    rehabilitation = answers["01-rehabilitation"]["responsibleFor"]
    leads = {e["organization"]["id"] for e in rehabilitation if e["role"] == "LEAD"}
    assert {"disabled-persons-federation-departments", "county-disabled-persons-federation"} <= leads
    documents = {o["document"]["id"] for e in rehabilitation for o in e["obligations"]}
    assert {DOC, "guofa-2018-20", "guobanfa-2010-54"} <= documents  # the answer spans the framework
    confirm = {e["node"]["id"]: e["node"] for e in answers["05-who-confirms"]["obligations"]["edges"]}
    step = confirm["minfa-2019-62/2.3-1"]
    assert step["deadline"]["relative"] == {
        "amount": 15,
        "unit": {"id": "working-days", "label": "Working days"},
        "trigger": step["deadline"]["relative"]["trigger"],
    }
    assert step["assignments"][0]["organization"]["id"] == "county-civil-affairs"
    none_stated = answers["06-no-deadline-stated"]["obligations"]
    assert none_stated["totalCount"] > 100 and none_stated["pageInfo"]["hasNextPage"]
    coverage = answers["02-needs-without-lead"]["coverage"]
    assert {"housing", "rehabilitation"} <= {c["need"]["id"] for c in coverage}
    assert all(c["hasLead"] == bool(c["leads"]) for c in coverage)
    rows = {r["sector"]["id"]: r["cells"] for r in answers["03-responsibility-matrix"]["responsibilityMatrix"]["rows"]}
    military = next(c for c in rows["conscription-office"] if c["need"]["id"] == "military-service")
    assert military["letters"] == "A" and military["roles"] == ["LEAD"]
    due = answers["04-due-before"]["obligations"]
    assert due["totalCount"] > len(due["edges"]) and all(e["node"]["deadline"]["date"] for e in due["edges"])


def test_household_registration_via_obligations_filter(run) -> None:
    data = run(
        """{ obligations(need: "household-registration", sector: "public-security", role: LEAD,
                        document: ["hubei-2022-child-welfare"]) {
              totalCount edges { node { provision { number } assignments { role organization { id } } } } } }"""
    )
    clauses = {e["node"]["provision"]["number"] for e in data["obligations"]["edges"]}
    assert clauses == {"2.1.1", "3.2"}


def test_protection_takes_in_safety_and_level_takes_in_all_levels(run) -> None:
    data = run(
        """{ p: responsibleFor(need: "protection") { organization { id } role }
             c: obligations(level: "county", need: "military-service") { edges { node { id allLevels } } } }"""
    )
    assert {"market-supervision-departments", "LEAD"} <= {
        v for e in data["p"] for v in (e["organization"]["id"], e["role"])
    }
    nodes = [e["node"] for e in data["c"]["edges"]]
    assert any(n["allLevels"] for n in nodes)


def test_recurring_deadline_in_graphql(run) -> None:
    query = """query($b: Date, $a: Date) { obligations(dueBefore: $b, dueAfter: $a,
                 organization: "city-civil-affairs") { edges { node { id
                 deadline { recurrence instances } } } } }"""
    closing = f"{DOC}/closing-2"

    def ids(**variables) -> set[str]:
        return {e["node"]["id"] for e in run(query, variables)["obligations"]["edges"]}

    assert closing in ids(b="2023-01-01")
    assert closing in ids(a="2025-12-20")
    assert closing not in ids(b="2022-12-19")


def test_pagination_walks_every_obligation_once(run, acc) -> None:
    seen, after = [], None
    while True:
        page = run(
            "query($after: String) { obligations(first: 17, after: $after) { totalCount "
            "pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }",
            {"after": after},
        )["obligations"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [o.id for o in acc.all_obligations()]
    assert page["totalCount"] == len(seen)
    assert run("{ obligations(first: 0) { edges { cursor } totalCount } }")["obligations"]["edges"] == []


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        (f"{{ obligations(first: {MAX_PAGE + 1}) {{ totalCount }} }}", "first must be"),
        ("{ obligations(first: -1) { totalCount } }", "first must be"),
        ('{ obligations(after: "bm90LWEtY3Vyc29y") { totalCount } }', "cursor"),
        ('{ obligations(after: "%%%") { totalCount } }', "cursor"),
        ('{ responsibleFor(need: "flying") { role } }', "unknown need 'flying'"),
        ('{ coverage(level: "moon") { hasLead } }', "unknown level"),
        ('{ responsibilityMatrix(sectors: ["nowhere"]) { gaps { id } } }', "unknown sector"),
        ('{ organizations(sector: "x") { id } }', "unknown sector"),
        ('{ obligations(dueBefore: "not a date") { totalCount } }', "Date"),
        ('{ search(text: "' + "x" * 300 + '") { obligations { id } } }', "longer than"),
    ],
)
def test_bad_arguments_are_graphql_errors(run, query, fragment) -> None:
    messages = run(query, expect_errors=True)
    assert any(fragment in m for m in messages), messages


def test_unknown_single_ids_answer_null(run) -> None:
    data = run('{ organization(id: "nobody") { id } obligation(id: "x/y") { id } document(id: "z") { id } }')
    assert data == {"organization": None, "obligation": None, "document": None}


def test_labels_are_bilingual(run) -> None:
    data = run(
        """{ organization(id: "hubei-civil-affairs") { en: label zh: label(lang: "zh") kind signatory
               sector { label(lang: "zh") } }
             needs(top: true) { id label(lang: "zh") narrower { id } } }"""
    )
    org = data["organization"]
    assert org["zh"] == "湖北省民政厅" and org["en"] != org["zh"]
    assert org["kind"] == "DEPARTMENT" and org["signatory"] is True
    tops = {n["id"]: n for n in data["needs"]}
    assert set(tops) == {"survival", "development", "protection", "participation"}
    assert "safety" in {n["id"] for n in tops["protection"]["narrower"]}
    assert all(n["label"] for n in data["needs"])


def test_documents_citations_search_and_validation(run) -> None:
    data = run(
        """{ documents { id title signatories { id } issuers { id } number language level { id } }
             provision(number: "2.1.1") { heading parent { number } obligations { id } document { id } }
             citations { number title issuer citedBy { number } }
             search(text: "household registration") { provisions { number } obligations { id } }
             validation { conforms results { severity message focusNode path sourceShape sourceFile sourceLine } } }"""
    )
    documents = {d["id"]: d for d in data["documents"]}
    assert len(documents) == 7 and len(documents[DOC]["signatories"]) == 16
    assert documents[DOC]["issuers"] == documents[DOC]["signatories"] and documents[DOC]["language"] == "en"
    assert documents["guofa-2016-36"]["number"] == "国发〔2016〕36号" and documents["guofa-2016-36"]["language"] == "zh"
    assert documents["guofa-2016-36"]["issuers"] == [{"id": "state-council"}]
    assert {d["level"]["id"] for d in documents.values()} == {"national", "province"}
    # Without a document, a number is looked up in the first document (by id) that has it: only Hubei has 2.1.1.
    assert data["provision"]["document"]["id"] == DOC and data["provision"]["obligations"]
    minfa = next(c for c in data["citations"] if c["number"] == "Minfa [2021] No. 44")
    assert [p["number"] for p in minfa["citedBy"]] == ["preamble"]
    assert data["search"]["obligations"] and data["search"]["provisions"]
    assert data["validation"]["conforms"] is True
    assert data["validation"]["results"][0]["severity"] == "Warning"
    assert any(r["sourceLine"] == 71 for r in data["validation"]["results"])


def test_limits_give_graphql_errors(run) -> None:
    assert run(nested_query(4))
    assert any("depth" in m for m in run(nested_query(30), expect_errors=True))
    aliases = " ".join(f"a{i}: sectors {{ id }}" for i in range(60))
    assert any("aliases" in m for m in run(f"{{ {aliases} }}", expect_errors=True))
    many = " ".join("sectors { id }" for _ in range(1000))
    assert any("tokens" in m for m in run(f"{{ {many} }}", expect_errors=True))
    cyclic = "fragment A on Query { ...B } fragment B on Query { ...A } { ...A }"
    assert run(cyclic, expect_errors=True)


@pytest.mark.parametrize(
    "query",
    [
        '{ organizatoin(id: "x") { id } }',
        "{ organizations(kind: DEPARTMEN) { id } }",
        '{ responsibleFor(need: "x", levl: "y") { role } }',
        "{ obligations(role: LEADS) { totalCount } }",
    ],
)
def test_field_suggestions_are_off(run, query) -> None:
    messages = run(query, expect_errors=True)
    assert messages and not any("Did you mean" in m for m in messages), messages


def test_unexpected_errors_are_masked(acc, monkeypatch) -> None:
    def broken(level=None):
        raise RuntimeError("secret internal detail /etc/passwd")

    monkeypatch.setattr(acc, "coverage", broken)
    result = create_schema().execute_sync("{ coverage { hasLead } }", context_value=make_context(acc))
    assert [e.message for e in result.errors] == ["Unexpected error."]


def test_docs_show_every_example_verbatim() -> None:
    docs = (Path(__file__).resolve().parents[1] / "docs" / "graphql.md").read_text(encoding="utf-8")
    for example in load_examples():
        assert f"```graphql\n{example.query.rstrip()}\n```" in docs, f"docs/graphql.md lacks {example.name}"


def test_readme_queries_answer_without_errors(run) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    queries = [block.split("```")[0] for block in readme.split("```graphql\n")[1:]]
    assert len(queries) >= 2
    answers = [run(query) for query in queries]
    rehabilitation = {(e["organization"]["id"], e["role"]) for e in answers[0]["responsibleFor"]}
    assert ("disabled-persons-federation-departments", "LEAD") in rehabilitation
