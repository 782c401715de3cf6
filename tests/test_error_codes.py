"""Every error a client sees carries ``extensions.code``, over real HTTP: a client (or a fuzzer) can tell its own
mistakes from the server's failures without reading messages. The codes are the table of docs/graphql.md."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import httpx
import pytest

from akg.accountability import Accountability
from graphql_api.schema.common import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS, ErrorCode, Forbidden, Unauthenticated
from tests.graphql_support import nested_query, running_server

ROOT = Path(__file__).resolve().parents[1]


def codes(response: httpx.Response) -> list[str]:
    """The code of each error of a response; every error must have one."""
    assert response.status_code < 500, response.text
    errors = response.json()["errors"]
    assert errors, response.text
    return [error["extensions"]["code"] for error in errors]


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ('{ responsibleFor(need: "") { role } }', None),
        ('{ coverage(level: "nowhere") { hasLead } }', None),
        ('{ obligations(sector: "no-such-sector") { totalCount } }', None),
        ("{ responsibleFor { role } }", None),
        ('{ obligations(after: "bm90IGEgY3Vyc29y") { totalCount } }', None),
        ("{ obligations(first: 1000) { totalCount } }", None),
        ("{ search(text: $t) { __typename } }".replace("$t", '"' + "x" * 300 + '"'), None),
        ("query Q($d: Date) { obligations(dueBefore: $d) { totalCount } }", {"d": "31/12/2023"}),
        ("query Q($n: Int!) { obligations(first: $n) { totalCount } }", {}),
    ],
    ids=["empty-need", "unknown-level", "unknown-sector", "no-need", "cursor", "page", "long-text", "date", "missing"],
)
def test_wrong_values_are_bad_user_input(client, query, variables) -> None:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert codes(response) == [ErrorCode.BAD_USER_INPUT]


def test_unknown_id_error_names_the_value(client) -> None:
    error = client.post("/graphql", json={"query": '{ responsibleFor(need: "housng") { role } }'}).json()["errors"][0]
    assert error == {
        "message": "unknown need 'housng'",
        "locations": [{"line": 1, "column": 3}],
        "path": ["responsibleFor"],
        "extensions": {"code": "BAD_USER_INPUT"},
    }


@pytest.mark.parametrize("lookup", ["organization", "obligation", "document"])
def test_looking_up_an_unknown_id_answers_null(client, lookup) -> None:
    body = client.post("/graphql", json={"query": f'{{ {lookup}(id: "no-such-id") {{ id }} }}'}).json()
    assert body == {"data": {lookup: None}}


@pytest.mark.parametrize(
    "query",
    [
        "{ coverage { ",
        "{ coverage(level: ) { hasLead } }",
        "{" * 50,
        "{ " + "sectors { id } " * (MAX_TOKENS // 3) + "}",
    ],
    ids=["unclosed", "no-value", "unbalanced", "tokens"],
)
def test_documents_that_do_not_parse(client, query) -> None:
    assert set(codes(client.post("/graphql", json={"query": query}))) == {ErrorCode.GRAPHQL_PARSE_FAILED}


@pytest.mark.parametrize(
    "query",
    [
        "{ nope }",
        "{ coverage { hasLead(x: 1) } }",
        '{ obligations(dueBefore: "2020-13-01") { totalCount } }',
        "{ obligations(deadlineKind: SOON) { totalCount } }",
        "mutation { x }",
        "fragment A on Query { ...B } fragment B on Query { ...A } { ...A }",
        nested_query(MAX_DEPTH + 5),
        "{ " + " ".join(f"a{i}: sectors {{ id }}" for i in range(MAX_ALIASES + 5)) + " }",
    ],
    ids=["field", "argument", "date-literal", "enum", "mutation", "fragment-cycle", "depth", "aliases"],
)
def test_documents_the_schema_refuses(client, query) -> None:
    assert set(codes(client.post("/graphql", json={"query": query}))) == {ErrorCode.GRAPHQL_VALIDATION_FAILED}


@pytest.mark.parametrize(
    ("send", "status"),
    [
        (lambda c: c.post("/graphql", content=b"{not json", headers={"content-type": "application/json"}), 400),
        (lambda c: c.post("/graphql", json={"variables": {}}), 400),
        (lambda c: c.post("/graphql", json=[{"query": "{ sectors { id } }"}]), 400),
        (lambda c: c.post("/graphql", content=b"x" * 70000, headers={"content-type": "application/json"}), 413),
        (lambda c: c.get("/graphql", params={"query": "{ sectors { id } }", "operationName": "Nope"}), 400),
    ],
    ids=["bad-json", "no-query", "batch", "oversize", "operation-name"],
)
def test_requests_refused_before_graphql_are_bad_request(client, send, status) -> None:
    response = send(client)
    assert response.status_code == status
    assert codes(response) == [ErrorCode.BAD_REQUEST]


def _served_with(shipped_store, exception: Exception) -> httpx.Response:
    """The answer to a coverage query from a server whose coverage raises ``exception``."""
    accountability = Accountability.from_store(shipped_store)

    def coverage(*_args: object, **_kwargs: object) -> None:
        raise exception

    accountability.coverage = coverage
    with running_server(accountability) as url:
        return httpx.post(f"{url}/graphql", json={"query": "{ coverage { hasLead } sectors { id } }"}, timeout=20)


@pytest.mark.parametrize(
    ("exception", "code"),
    [(Unauthenticated("sign in to read coverage"), "UNAUTHENTICATED"), (Forbidden("not yours"), "FORBIDDEN")],
)
def test_authentication_errors_keep_their_code_and_message(shipped_store, caplog, exception, code) -> None:
    with caplog.at_level(logging.ERROR):
        response = _served_with(shipped_store, exception)
    body = response.json()
    assert body["errors"] == [
        {
            "message": str(exception),
            "locations": [{"line": 1, "column": 3}],
            "path": ["coverage"],
            "extensions": {"code": code},
        }
    ]
    assert body["data"] is None
    assert str(exception) not in caplog.text  # a client's mistake is not logged as the server's failure


def test_unexpected_errors_are_masked_as_internal_server_error(shipped_store, caplog) -> None:
    with caplog.at_level(logging.ERROR):
        response = _served_with(shipped_store, RuntimeError("secret detail /etc/passwd"))
    assert response.status_code == 200
    assert "secret" not in response.text and "Traceback" not in response.text
    (error,) = response.json()["errors"]
    assert error["message"] == "Unexpected error."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "secret detail" in caplog.text  # logged on the server, for its operator


def test_docs_list_every_code() -> None:
    docs = (ROOT / "docs" / "graphql.md").read_text(encoding="utf-8")
    section = docs.split("## Error codes", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `([A-Z_]+)` \|", section, flags=re.MULTILINE))
    assert listed == {code.value for code in ErrorCode}
