"""The store as a real SPARQL server (Oxigraph server on loopback): ``akg load``, then the same answers as the
embedded store from GraphQL, ``akg validate``, ``/sparql`` and ``/id/`` pages; clear errors when it fails."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest
from rdflib import URIRef

from akg.accountability import Accountability
from akg.remote_store import Endpoints, SparqlStore, StoreUnavailable
from akg.sparql import SparqlLimits
from akg.store import IRI, OxigraphStore, corpus_ntriples
from akg_cli import main
from graphql_api.examples import load_examples
from graphql_api.schema import make_context, schema
from graphql_api.server import create_app
from tests.graphql_support import DOC, free_port, serving
from tests.oxigraph_server import loaded_oxigraph, oxigraph_url  # noqa: F401 (fixtures)

NO_LEAK = ("Traceback", 'File "', "site-packages")

#: A broad sample beyond the examples: every root list, filters, pagination, the matrix, search, pathways.
QUERIES = [
    '{ sectors { id label(lang: "zh") narrower { id } } levels { id } targetGroups { id broader { id } } }',
    '{ needs(top: true) { id label narrower { id label(lang: "zh") } } capacities { id } roles { id } }',
    "{ deadlineKinds { id label } }",
    "{ organizations { id label kind sector { id } level { id } vague counterparts { id } } }",
    '{ organizations(sector: "civil-affairs", level: "county") { id obligations(first: 5) { totalCount } } }',
    '{ jurisdictions { id label(lang: "zh") level { id } parent { id } children { id } } }',
    '{ documents { id title(lang: "zh") number language dateSigned issuers { id } cites { id } citedBy { id } } }',
    f'{{ document(id: "{DOC}") {{ id title links {{ relation quote }} }} }}',
    f'{{ provisions(document: "{DOC}") {{ number heading kind children {{ number }} obligations {{ id }} }} }}',
    "{ citations { id title citedBy { number } citations { relation quote } } }",
    "{ obligations(first: 50) { totalCount pageInfo { hasNextPage endCursor } edges { node { id text } } } }",
    '{ obligations(sector: "civil-affairs", first: 20) { totalCount edges { node { id } } } }',
    '{ obligations(text: "儿童", first: 20) { totalCount edges { node { id } } } }',
    '{ obligations(dueBefore: "2023-01-01", first: 30) { totalCount edges { node { id deadline { kind date } } } } }',
    '{ responsibleFor(need: "medical-care") { organization { id } role obligations { id } } }',
    "{ coverage { need { id } hasLead obligationCount leads { id } supportingSectors { id } } }",
    '{ coverage(level: "county") { need { id } obligationCount } }',
    "{ responsibilityMatrix { columns { id } gaps { id } } }",
    "{ procedures { id title steps { __typename } needs { id } } }",
    '{ search(text: "民政") { obligations { id } provisions { number } } }',
]


@pytest.fixture(scope="module")
def remote(loaded_oxigraph) -> SparqlStore:  # noqa: F811
    url, run = loaded_oxigraph
    assert run.returncode == 0, run.stderr
    return SparqlStore(Endpoints.oxigraph(url))


@pytest.fixture(scope="module")
def contexts(shipped_store: OxigraphStore, remote: SparqlStore) -> tuple[dict, dict]:
    return make_context(Accountability.from_store(shipped_store)), make_context(Accountability.from_store(remote))


def _answer(query: str, context: dict) -> dict:
    result = schema.execute_sync(query, context_value=dict(context))
    assert not result.errors, result.errors
    assert result.data and all(result.data.values()), result.data  # something to compare
    return result.data


def test_akg_load_puts_the_whole_corpus_in_the_default_graph(loaded_oxigraph, remote, shipped_store) -> None:  # noqa: F811
    _url, run = loaded_oxigraph
    triples = corpus_ntriples().count(b"\n")
    assert f"loaded {triples:,} triples into the default graph of " in run.stderr
    assert "Traceback" not in run.stderr
    assert remote.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"] == len(shipped_store.export())
    assert remote.corpus_version() is not None


def test_a_new_load_replaces_the_corpus_and_keeps_the_named_graphs(remote: SparqlStore) -> None:
    kept = "https://example.org/test/kept"
    remote.write([(URIRef(kept), URIRef(kept + "#p"), URIRef(kept + "#o"), URIRef(kept))])
    before = remote.corpus_version()
    served = remote.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]
    shown: list[tuple[int, int]] = []
    version = remote.load_corpus(corpus_ntriples(), "0" * 64, batch=7000, progress=lambda d, t: shown.append((d, t)))
    assert version != before and remote.corpus_version() == version
    assert shown[-1][0] == shown[-1][1] == served and len(shown) == -(-served // 7000)  # a step per batch
    assert remote.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"] == served  # replaced, not added
    assert remote.select(f"SELECT ?s WHERE {{ GRAPH <{kept}> {{ ?s ?p ?o }} }}") == [{"s": kept}]
    remote.update(f"DROP GRAPH <{kept}>")


def test_load_shows_progress_on_a_terminal(remote: SparqlStore, oxigraph_url, monkeypatch, capsys) -> None:  # noqa: F811
    import sys

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert main(["load", "--store", oxigraph_url, "--batch", "20000"]) == 0
    err = capsys.readouterr().err
    assert "building the corpus" in err and "loaded 20,000 of " in err and "] done" in err


def test_every_example_answers_as_on_the_embedded_store(contexts) -> None:
    embedded, remote = contexts
    for example in load_examples():
        assert _answer(example.query, remote) == _answer(example.query, embedded), example.name


@pytest.mark.parametrize("query", QUERIES)
def test_graphql_answers_as_on_the_embedded_store(contexts, query: str) -> None:
    embedded, remote = contexts
    expected = _answer(query, embedded)
    assert _answer(query, remote) == expected


def test_select_with_bindings_filters_as_substitution_does(remote: SparqlStore, shipped_store) -> None:
    query = "SELECT ?o ?id WHERE { ?o <https://w3id.org/akg/ontology#identifier> ?id }"
    for bindings in ({"id": "civil-affairs@420100"}, {"o": IRI(f"https://w3id.org/akg/id/doc/{DOC}")}, {"id": "x"}):
        assert remote.select(query, bindings) == shipped_store.select(query, bindings)
    with pytest.raises(ValueError, match="projected"):
        remote.select("SELECT ?o WHERE { ?o ?p ?id }", {"id": "x"})


def test_validate_gives_the_embedded_findings(oxigraph_url, remote, capsys) -> None:  # noqa: F811
    assert main(["validate", "--format", "json"]) == 0
    embedded = json.loads(capsys.readouterr().out)
    assert main(["validate", "--store", oxigraph_url, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == embedded


@pytest.fixture(scope="module")
def linked(shipped_store, remote) -> Iterator[tuple[str, str]]:
    limits = SparqlLimits(workers=1, timeout=20)
    with (
        serving(create_app(Accountability.from_store(shipped_store), store=shipped_store, sparql=limits), "on") as a,
        serving(create_app(Accountability.from_store(remote), store=remote, sparql=limits), "on") as b,
    ):
        yield a, b


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        (f"/id/doc/{DOC}", "text/html"),
        (f"/id/doc/{DOC}", "text/turtle"),
        (f"/id/doc/{DOC}/obligation/3.1-2", "application/n-triples"),
        ("/id/org/civil-affairs@420100", "text/html"),
        ("/id/nothing/here", "text/turtle"),
    ],
)
def test_id_pages_are_the_embedded_ones(linked, path: str, accept: str) -> None:
    embedded, remote = linked
    a = httpx.get(embedded + path, headers={"Accept": accept}, timeout=30)
    b = httpx.get(remote + path, headers={"Accept": accept}, timeout=30)
    assert (b.status_code, b.content) == (a.status_code, a.content)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 5",  # the private graphs stay private
        f"CONSTRUCT {{ ?d ?p ?o }} WHERE {{ ?d ?p ?o FILTER(?d = <https://w3id.org/akg/id/doc/{DOC}>) }}",
        "INSERT DATA { <a:b> <a:c> <a:d> }",
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o }",  # above the limit of results
    ],
)
def test_sparql_answers_and_refusals_are_the_embedded_ones(linked, query: str) -> None:
    embedded, remote = linked
    answers = [
        httpx.post(url + "/sparql", data={"query": query}, headers={"Accept": "text/turtle, */*;q=0.5"}, timeout=30)
        for url in (embedded, remote)
    ]
    assert answers[1].status_code == answers[0].status_code
    assert answers[1].headers["content-type"] == answers[0].headers["content-type"]
    assert _content(answers[1]) == _content(answers[0])


def _content(answer: httpx.Response) -> object:
    """A graph answer as its set of triples (a store gives them in its own order); any other as its bytes."""
    if answer.headers["content-type"].startswith("text/turtle"):
        return {str(t) for t in ox.parse(answer.content, format=ox.RdfFormat.TURTLE)}
    return answer.content


def _fails(argv: list[str], capsys) -> str:
    assert main(argv) != 0
    err = capsys.readouterr().err
    for marker in NO_LEAK:
        assert marker not in err
    return err


def test_an_unreachable_server_is_named(capsys) -> None:
    port = free_port()
    err = _fails(["validate", "--store", f"sparql+http://127.0.0.1:{port}"], capsys)
    assert f"cannot reach the SPARQL query endpoint http://127.0.0.1:{port}/query" in err
    err = _fails(["serve", "--store", f"sparql+http://127.0.0.1:{port}"], capsys)
    assert f"http://127.0.0.1:{port}/query" in err
    err = _fails(["load", "--query-endpoint", f"http://127.0.0.1:{port}/q"], capsys)
    assert "loading needs --update-endpoint and --data-endpoint" in err  # said before the corpus is built


def test_http_errors_and_answers_that_are_not_sparql_are_named(oxigraph_url, capsys) -> None:  # noqa: F811
    base = oxigraph_url.removeprefix("sparql+")
    err = _fails(["validate", "--query-endpoint", base + "/nowhere"], capsys)
    assert f"the SPARQL query endpoint {base}/nowhere answered HTTP 404" in err

    class Html(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html>a web page</html>")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Html)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/sparql"
        with pytest.raises(StoreUnavailable, match=f"{url} did not answer with SPARQL JSON results"):
            SparqlStore(Endpoints(url)).select("SELECT * WHERE { ?s ?p ?o }")
        assert "did not answer" in _fails(["validate", "--query-endpoint", url], capsys)
    finally:
        server.shutdown()


def test_taking_reports_needs_the_endpoints_that_write(tmp_path, capsys) -> None:
    tokens = str(tmp_path / "tokens.sqlite")
    err = _fails(["serve", "--query-endpoint", "http://127.0.0.1:9/query", "--tokens", tokens], capsys)
    assert "needs --update-endpoint and --data-endpoint" in err
    assert "--tokens goes with a remote store" in _fails(
        ["serve", "--store", str(tmp_path), "--tokens", tokens], capsys
    )


def test_a_replica_answers_503_while_its_store_is_unreachable(remote: SparqlStore) -> None:
    store = SparqlStore(remote.endpoints)
    app = create_app(Accountability.from_store(store), store=store, sparql=SparqlLimits(workers=0))
    with serving(app) as url:
        assert httpx.get(f"{url}/healthz").status_code == 200
        store.endpoints = Endpoints.oxigraph(f"sparql+http://127.0.0.1:{free_port()}")  # the server goes away
        answer = httpx.post(f"{url}/graphql", json={"query": "{ sectors { id } }"})
        assert answer.status_code == 503
        assert answer.json()["errors"][0]["message"] == "The store is unavailable; try again later."
        store.endpoints = remote.endpoints  # and comes back
        assert httpx.post(f"{url}/graphql", json={"query": "{ sectors { id } }"}).status_code == 200


def test_token_commands_refuse_a_server_url_rather_than_make_a_folder_of_it(
    oxigraph_url,  # noqa: F811
    tmp_path,
    monkeypatch,
    capsys,
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stopped:
        main(["token", "list", "--store", oxigraph_url])
    assert stopped.value.code == 2
    assert "takes a store folder, not a SPARQL server" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
