"""The service over real HTTP: a uvicorn server on a free loopback port, queried with httpx; and ``akg serve``."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from akg.accountability import Accountability
from akg.validation import Finding, Severity, ValidationReport
from akg_cli import EXIT_FINDINGS, EXIT_INPUT, main
from graphql_api.examples import load_examples
from tests.graphql_support import DOC, nested_query, running_server, sample_report

NO_LEAK = ("Traceback", 'File "', "site-packages", "RecursionError")


@pytest.fixture(scope="module")
def client(shipped_store):
    accountability = Accountability.from_store(shipped_store)
    with running_server(accountability, sample_report()) as url, httpx.Client(base_url=url, timeout=10) as http:
        yield http


def assert_clean(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    for marker in NO_LEAK:
        assert marker not in response.text


def test_healthz_reports_counts(client) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["counts"]["obligations"] >= 500 and body["counts"]["documents"] == 7
    assert body["validation"]["conforms"] is True


@pytest.mark.parametrize("example", load_examples(), ids=lambda e: e.name)
def test_examples_answer_over_post(client, example) -> None:
    response = client.post("/graphql", json={"query": example.query})
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body and body["data"]


def test_officer_question_over_http(client) -> None:
    example = next(e for e in load_examples() if e.name == "01-rehabilitation")
    body = client.post("/graphql", json={"query": example.query, "variables": {"groups": ["orphans"]}}).json()
    entries = body["data"]["responsibleFor"]
    assert ("civil-affairs-departments", "LEAD") in {(e["organization"]["id"], e["role"]) for e in entries}
    for obligation in (o for e in entries for o in e["obligations"]):
        assert obligation["provision"]["number"] and obligation["document"]["id"]
        dated = obligation["deadline"]["kind"] in {"DATE", "EFFECTIVE", "RECURRING", "INHERITED"}
        assert bool(obligation["deadline"]["date"]) == dated


def test_get_queries(client) -> None:
    response = client.get("/graphql", params={"query": f'{{ obligation(id: "{DOC}/closing-2") {{ id }} }}'})
    assert response.status_code == 200
    assert response.json()["data"]["obligation"]["id"] == f"{DOC}/closing-2"
    variables = json.dumps({"need": "housing"})
    response = client.get(
        "/graphql",
        params={"query": "query($need: ID!) { responsibleFor(need: $need) { role } }", "variables": variables},
    )
    assert response.json()["data"]["responsibleFor"][0]["role"] == "LEAD"


def test_graphiql_offers_the_examples(client) -> None:
    page = client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert "defaultTabs: AKG_TABS" in page.text
    for example in load_examples():
        assert json.dumps(example.query).replace("</", "<\\/") in page.text


def test_graphiql_loads_its_scripts_from_this_server(client) -> None:
    from graphql_api.graphiql_assets import assets_dir

    if not assets_dir().is_dir():
        pytest.skip("GraphiQL assets not fetched (make's set-up step runs python -m graphql_api.graphiql_assets)")
    page = client.get("/graphql", headers={"accept": "text/html"}).text
    assert 'src="https://' not in page and 'href="https://' not in page
    scripts = [part.split('"')[0] for part in page.split('src="')[1:]]
    assert scripts and all(src.startswith("/graphiql-assets/") for src in scripts)
    for src in scripts:
        assert client.get(src).status_code == 200, src


def test_graphiql_page_is_left_alone_without_local_assets(tmp_path: Path) -> None:
    from strawberry.http.ides import get_graphql_ide_html

    from graphql_api.graphiql_assets import localise

    assert localise(get_graphql_ide_html("graphiql"), tmp_path) is None


@pytest.mark.parametrize(
    "payload",
    [
        {"query": nested_query(40)},
        {"query": "{ " + " ".join(f"a{i}: sectors {{ id }}" for i in range(100)) + " }"},
        {"query": "{ " + " ".join("sectors { id }" for _ in range(3000)) + " }"},
        {"query": "{" * 2000},
        {"query": "fragment A on Query { ...B } fragment B on Query { ...A } { ...A }"},
        {"query": "{ obligations(first: 100000) { totalCount } }"},
        {"query": '{ organizatoin(id: "x") { id } }'},
        {"query": "mutation { x }"},
        {"query": "subscription { x }"},
        {"query": '{ responsibleFor(need: "nope") { role } }'},
    ],
    ids=[
        "depth",
        "aliases",
        "tokens",
        "unbalanced",
        "fragment-cycle",
        "page",
        "typo",
        "mutation",
        "subscription",
        "id",
    ],
)
def test_limits_and_malformed_queries_are_graphql_errors(client, payload) -> None:
    response = client.post("/graphql", json=payload)
    assert_clean(response)
    body = response.json()
    assert body["errors"] and all("Did you mean" not in e["message"] for e in body["errors"])


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{not json", "application/json"),
        (b'{"query": "{ sectors { id } }", "variables": ' + b"[" * 20000 + b"]" * 20000 + b"}", "application/json"),
        (b'[{"query": "{ sectors { id } }"}]', "application/json"),
        (b'{"query": 5}', "application/json"),
        (b"\xff\xfe\x00", "application/json"),
        (b"query=x", "text/plain"),
        (b"x" * 70000, "application/json"),
    ],
    ids=["bad-json", "deep-json", "batch", "non-string", "bad-bytes", "content-type", "oversize"],
)
def test_bad_requests_are_refused_cleanly(client, content, content_type) -> None:
    response = client.post("/graphql", content=content, headers={"content-type": content_type})
    assert_clean(response)
    assert 400 <= response.status_code < 500
    assert response.json()["errors"][0]["message"]


def test_unexpected_error_is_masked_over_http(shipped_store) -> None:
    accountability = Accountability.from_store(shipped_store)

    def broken(level=None):
        raise RuntimeError("secret detail")

    accountability.coverage = broken
    with running_server(accountability) as url:
        response = httpx.post(f"{url}/graphql", json={"query": "{ coverage { hasLead } validation { conforms } }"})
    assert_clean(response)
    assert "secret" not in response.text
    assert response.json()["errors"][0]["message"] == "Unexpected error."


# -- akg serve ---------------------------------------------------------------------------------


def _violation() -> Finding:
    return Finding(
        severity=Severity.VIOLATION,
        message="The obligation has no owner.",
        focus_node=f"https://w3id.org/akg/id/doc/{DOC}/obligation/9.9-1",
        path=None,
        source_shape="https://w3id.org/akg/shapes#Obligation-owner",
        source_file="documents/x/obligations/a.yaml",
        source_line=7,
    )


@pytest.fixture
def served(monkeypatch):
    """Replace the slow SHACL run and uvicorn.run; returns what uvicorn.run was given."""
    import uvicorn

    import akg.validation
    import akg.validation_cache
    import akg.validation_shards

    calls: list[dict] = []
    monkeypatch.setattr(akg.validation, "validate", lambda graph, shapes, **_kw: ValidationReport((_violation(),)))
    found = ValidationReport((_violation(),))
    monkeypatch.setattr(akg.validation_shards, "validate_sharded", lambda *_a, **_kw: found)  # serve's start-up
    uncached = akg.validation_cache.ValidationCacheEntry(None, None)
    monkeypatch.setattr(akg.validation_cache, "entry", lambda *_a, **_kw: uncached)
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append({"app": app, **kwargs}))
    return calls


def test_serve_refuses_an_invalid_graph(served, capsys) -> None:
    assert main(["serve"]) == EXIT_FINDINGS
    err = capsys.readouterr().err
    assert "1 violation" in err and "documents/x/obligations/a.yaml:7" in err and "--allow-invalid" in err
    assert served == []


def test_serve_allow_invalid_starts_on_loopback(served) -> None:
    assert main(["serve", "--allow-invalid", "--port", "8123"]) == 0
    assert served[0]["host"] == "127.0.0.1" and served[0]["port"] == 8123


def test_serve_input_errors_exit_2(served, tmp_path: Path, capsys) -> None:
    assert main(["serve", "--data", str(tmp_path / "missing")]) == EXIT_INPUT
    with pytest.raises(SystemExit) as info:
        main(["serve", "--port", "70000"])
    assert info.value.code == EXIT_INPUT
    assert served == []
