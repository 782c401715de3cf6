"""Property-based: queries generated from the schema (random selections, arguments and garbage) sent over
HTTP to a real server never get a 500, always get a JSON body, and never hit an unexpected (masked) error."""

from __future__ import annotations

import json

import httpx
from graphql import (
    GraphQLEnumType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    Undefined,
    get_named_type,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphql_api.schema import schema
from tests.graphql_support import DOC

GRAPHQL = schema._schema
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
KNOWN_IDS = [
    "rehabilitation", "protection", "safety", "housing", "funding", "civil-affairs", "public-security",
    "county", "city", "orphans", "children-with-disabilities", "hubei-civil-affairs", "must", "lead",
    DOC, f"{DOC}/closing-2", f"{DOC}/2.1.1-3", "2.1.1", "preamble", "en", "zh",
]  # fmt: skip
GARBAGE = st.text(max_size=24)


def literal(type_: GraphQLInputType) -> st.SearchStrategy[str]:
    """GraphQL literals for an argument of ``type_``: mostly plausible, sometimes wrong or null."""
    if isinstance(type_, GraphQLNonNull):
        return literal(type_.of_type)
    if isinstance(type_, GraphQLList):
        inner = literal(type_.of_type)
        return st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]") | inner
    null = st.just("null")
    if isinstance(type_, GraphQLEnumType):
        return st.sampled_from([*type_.values, "BOGUS"]) | null
    name = type_.name
    if name == "Int":
        return st.one_of(st.integers(-5, 150), st.integers(-(2**40), 2**40)).map(str) | null
    if name == "Boolean":
        return st.sampled_from(["true", "false", "1"])
    if name == "Date":
        return (st.dates().map(lambda d: json.dumps(d.isoformat())) | GARBAGE.map(json.dumps)) | null
    return st.one_of(st.sampled_from(KNOWN_IDS), GARBAGE).map(json.dumps) | null


@st.composite
def selection_set(draw: st.DrawFn, type_: GraphQLObjectType, depth: int) -> str:
    fields = type_.fields
    names = draw(st.lists(st.sampled_from(sorted(fields)), min_size=1, max_size=4, unique=True))
    parts = []
    for n, name in enumerate(names):
        field = fields[name]
        args = []
        for arg_name, arg in field.args.items():
            required = isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined
            if (required and draw(st.integers(0, 9)) > 0) or draw(st.booleans()):
                args.append(f"{arg_name}: {draw(literal(arg.type))}")
        text = f"f{n}: {name}" + (f"({', '.join(args)})" if args else "")
        target = get_named_type(field.type)
        if isinstance(target, GraphQLObjectType):
            text += " { __typename }" if depth <= 0 else " " + draw(selection_set(target, depth - 1))
        parts.append(text)
    return "{ " + " ".join(parts) + " }"


QUERIES = selection_set(GRAPHQL.query_type, 4)


def check(response: httpx.Response) -> dict:
    assert response.status_code != 500, response.text
    assert "Traceback" not in response.text
    body = response.json()
    assert isinstance(body, dict)
    messages = [e.get("message", "") for e in body.get("errors") or []]
    assert "Unexpected error." not in messages, body
    return body


@SETTINGS
@given(query=QUERIES)
def test_generated_queries_never_fail_the_server(client, query) -> None:
    body = check(client.post("/graphql", json={"query": query}))
    assert "data" in body or "errors" in body


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.one_of(st.text(max_size=200), QUERIES.map(lambda q: q[: len(q) // 2]), QUERIES.map(str.upper)))
def test_garbage_and_truncated_queries_are_graphql_errors(client, query) -> None:
    body = check(client.post("/graphql", json={"query": query}))
    assert "data" in body or "errors" in body


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=QUERIES, variables=st.dictionaries(st.text(max_size=8), st.text(max_size=8) | st.integers(), max_size=3))
def test_get_queries_with_random_variables(client, query, variables) -> None:
    response = client.get("/graphql", params={"query": query, "variables": json.dumps(variables)})
    assert response.status_code != 500
    assert "Traceback" not in response.text
