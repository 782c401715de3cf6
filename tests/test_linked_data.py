"""The linked-data face over real HTTP: /sparql with SPARQLWrapper and rdflib's SPARQLStore, the graph's
IRIs in a browser and as RDF, the ontology's documentation, the w3id.org redirects; and their limits.

One uvicorn server on a free loopback port serves a copy of the shipped graph to which a private named
graph has been added (as reports or an audit trail would be), so every test also shows it stays private.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import rdflib
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from akg import resources
from akg.accountability import Accountability
from akg.media_types import choose
from akg.sparql import QueryStopped, SparqlLimits, SparqlWorkers
from akg.store import OxigraphStore, QueryRefused, check_query_text
from akg_cli import parser
from graphql_api.ontology_docs import DOCS_PATH, fingerprint, recorded_fingerprint
from graphql_api.ontology_docs import main as docs_main
from graphql_api.server import create_app
from tests.graphql_support import serving

ID = "https://w3id.org/akg/id/"
AKG = "https://w3id.org/akg/ontology#"
SKOS_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
OBLIGATION = ID + "doc/minfa-2019-62/obligation/2.2-4"
PRIVATE_GRAPH = "https://w3id.org/akg/private/audit"
SECRET = ID + "doc/minfa-2019-62/obligation/2.2-4/audit/1"
NO_LEAK = ("Traceback", 'File "', "site-packages")
LIMITS = SparqlLimits(timeout=5, max_results=500, workers=2)
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 31,000³ rows


def _private_graph() -> Graph:
    graph = Graph()
    graph.add((URIRef(SECRET), URIRef(AKG + "note"), Literal("private: who read this obligation, and when")))
    graph.add((URIRef(OBLIGATION), URIRef(AKG + "note"), Literal("private: reviewed by a named officer")))
    return graph


@pytest.fixture(scope="module")
def store(shipped_store: OxigraphStore) -> OxigraphStore:
    """The shipped graph plus a private named graph."""
    copy = OxigraphStore.from_nquads(shipped_store.served_nquads())
    copy.replace(_private_graph(), graph_name=PRIVATE_GRAPH)
    return copy


@pytest.fixture(scope="module")
def base_url(store: OxigraphStore) -> Iterator[str]:
    app = create_app(Accountability.from_store(store), store=store, sparql=LIMITS)
    # lifespan on: it starts the SPARQL workers and stops them at the end
    with serving(app, lifespan="on") as url:
        yield url


@pytest.fixture(scope="module")
def http(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=60) as client:
        yield client


def _wrapper(base_url: str, query: str, fmt: str) -> SPARQLWrapper:
    client = SPARQLWrapper(base_url + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client


def _error(response: httpx.Response, status: int, code: str) -> str:
    """The message of an error response, after checking its status, code and that it leaks nothing."""
    assert response.status_code == status, response.text
    for marker in NO_LEAK:
        assert marker not in response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == code
    return error["message"]


# -- /sparql with real clients ------------------------------------------------------------------------

TEXTS = f"""PREFIX akg: <{AKG}>
SELECT ?obligation ?text WHERE {{ ?obligation a akg:Obligation ; akg:text ?text }} ORDER BY ?obligation LIMIT 5"""


def _expected_texts(store: OxigraphStore) -> list[tuple[str, str]]:
    return [(row["obligation"], row["text"]) for row in store.select(TEXTS)]


@pytest.mark.parametrize("method", ["GET", "POST form", "POST sparql-query"])
def test_sparqlwrapper_select_in_json_xml_csv_tsv(base_url: str, store: OxigraphStore, method: str) -> None:
    expected = _expected_texts(store)
    assert len(expected) == 5
    for fmt in (JSON, XML, CSV, TSV):
        client = _wrapper(base_url, TEXTS, fmt)
        if method != "GET":
            client.setMethod(POST)
            if method == "POST sparql-query":
                client.setRequestMethod(POSTDIRECTLY)
        answer = client.query()
        media_type = answer.response.headers["content-type"]
        result = answer.convert()
        if fmt == JSON:
            assert media_type == "application/sparql-results+json"
            rows = [(b["obligation"]["value"], b["text"]["value"]) for b in result["results"]["bindings"]]
        elif fmt == XML:
            assert media_type == "application/sparql-results+xml"
            parsed = rdflib.query.Result.parse(io.BytesIO(result.toxml().encode()), format="xml")
            rows = [(str(r[0]), str(r[1])) for r in parsed]
        else:
            assert media_type.startswith("text/csv" if fmt == CSV else "text/tab-separated-values")
            lines = result.decode("utf-8").splitlines()
            if fmt == CSV:
                rows = [tuple(line.split(",", 1)) for line in lines[1:]]
            else:
                rows = [tuple(cell.strip('<>"') for cell in line.split("\t")) for line in lines[1:]]
        assert rows == expected, (fmt, method)


def test_sparqlwrapper_construct_and_describe_by_content_negotiation(base_url: str, store: OxigraphStore) -> None:
    construct = f"CONSTRUCT WHERE {{ <{OBLIGATION}> ?p ?o }}"
    count = len(store.select(f"SELECT * WHERE {{ <{OBLIGATION}> ?p ?o }}"))
    for fmt, media_type, rdflib_format in (
        (TURTLE, "text/turtle", "turtle"),
        (JSONLD, "application/ld+json", "json-ld"),
        (RDFXML, "application/rdf+xml", "xml"),
    ):
        answer = _wrapper(base_url, construct, fmt).query()
        assert answer.response.headers["content-type"].startswith(media_type)
        graph = Graph().parse(data=answer.response.read(), format=rdflib_format)
        assert len(graph) == count, fmt
        assert (URIRef(OBLIGATION), URIRef(AKG + "hasDeadline"), URIRef(OBLIGATION + "/deadline")) in graph
    nt = httpx.get(
        base_url + "/sparql", params={"query": f"DESCRIBE <{OBLIGATION}>"}, headers={"Accept": "application/n-triples"}
    )
    assert nt.headers["content-type"].startswith("application/n-triples")
    assert (URIRef(OBLIGATION), RDF.type, URIRef(AKG + "Obligation")) in Graph().parse(data=nt.text, format="nt")


def test_rdflib_sparqlstore_reads_the_graph(base_url: str, store: OxigraphStore) -> None:
    lead = URIRef(ID + "role/lead")
    for method in ("GET", "POST", "POST_FORM"):
        graph = Graph(store=SPARQLStore(base_url + "/sparql", method=method))
        labels = {(o.value, o.language) for o in graph.objects(lead, URIRef(SKOS_LABEL))}
        assert labels == {("Lead", "en"), ("牵头", "zh")}, method
        rows = list(graph.query(TEXTS))
        assert [(str(r[0]), str(r[1])) for r in rows] == _expected_texts(store)
    assert len(Graph(store=SPARQLStore(base_url + "/sparql"))) == len(store.select("SELECT * { ?s ?p ?o }"))


def test_ask_answers_true_and_false(http: httpx.Client) -> None:
    for query, value in ((f"ASK {{ <{OBLIGATION}> ?p ?o }}", True), (f"ASK {{ <{ID}nothing> ?p ?o }}", False)):
        response = http.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
        assert response.json() == {"head": {}, "boolean": value}


def test_browser_without_a_query_gets_a_form(http: httpx.Client) -> None:
    page = http.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200 and '<form method="get" action="/sparql">' in page.text
    assert "10000" not in page.text and "500 rows" in page.text  # the limits this server runs with


# -- /sparql refusals: never a 500, never a traceback ----------------------------------------------------


def test_a_bad_query_is_400_with_the_parsers_message(base_url: str, http: httpx.Client) -> None:
    message = _error(http.get("/sparql", params={"query": "SELECT ?x WHERE { ?x ?y }"}), 400, "SPARQL_PARSE_FAILED")
    assert "does not parse" in message and "error at 1:" in message
    with pytest.raises(QueryBadFormed, match="error at"):
        _wrapper(base_url, "SELECT WHERE {", JSON).query()
    _error(http.get("/sparql"), 400, "BAD_REQUEST")  # no query, not a browser
    _error(http.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")]), 400, "BAD_REQUEST")
    _error(
        http.post("/sparql", content=b"\xff\xfe", headers={"content-type": "application/sparql-query"}),
        400,
        "BAD_REQUEST",
    )
    _error(
        http.post("/sparql", content="ASK {}", headers={"content-type": "text/plain"}), 415, "UNSUPPORTED_MEDIA_TYPE"
    )
    _error(http.get("/sparql", params={"query": "ASK {}", "named-graph-uri": PRIVATE_GRAPH}), 400, "BAD_REQUEST")


def test_updates_are_refused_and_change_nothing(base_url: str, http: httpx.Client, store: OxigraphStore) -> None:
    before = len(store)
    insert = f'INSERT DATA {{ <{OBLIGATION}> <{AKG}note> "changed" }}'
    _error(http.post("/sparql", data={"update": insert}), 403, "FORBIDDEN")
    _error(http.post("/sparql", data={"query": insert}), 403, "FORBIDDEN")
    _error(http.get("/sparql", params={"query": f"PREFIX a: <{AKG}> DELETE WHERE {{ ?s ?p ?o }}"}), 403, "FORBIDDEN")
    sparql_update = {"content-type": "application/sparql-update"}
    _error(http.post("/sparql", content=insert, headers=sparql_update), 403, "FORBIDDEN")
    client = _wrapper(base_url, insert, JSON)
    client.setMethod(POST)
    with pytest.raises(Exception, match="403"):
        client.query()
    assert len(store) == before
    asked = http.get("/sparql", params={"query": 'ASK { ?s ?p "changed" }'}, headers={"Accept": "application/json"})
    assert asked.json()["boolean"] is False


def test_service_is_refused_and_no_request_leaves(http: httpx.Client) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(1.5)
    target = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    try:
        for query in (
            f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
            "SELECT * WHERE { ?s ?p ?o } LIMIT 1 SERVICE",  # the keyword alone is enough to refuse
            f"PREFIX x: <{target}#> SELECT * WHERE {{ ?s ?p 1service silent x:y {{ ?a ?b ?c }} }}",
        ):
            _error(http.get("/sparql", params={"query": query}), 400, "SPARQL_SERVICE_REFUSED")
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()


def test_a_worker_cannot_open_a_socket_even_if_a_service_call_got_through(tmp_path: Path) -> None:
    # The lexical check gives the message; this limit is the guarantee. A child process locks itself down
    # as a worker does, then makes a SERVICE call straight through pyoxigraph, with no check in between.
    script = tmp_path / "locked.py"
    script.write_text(
        "import sys, pyoxigraph\n"
        "from akg.sparql import lock_down\n"
        "lock_down(512 * 2**20)\n"
        "try:\n"
        "    list(pyoxigraph.Store().query(f'SELECT * {{ SERVICE <{sys.argv[1]}> {{ ?s ?p ?o }} }}'))\n"
        "    print('query answered')\n"
        "except OSError as exc:\n"
        "    print('refused:', exc)\n"
    )
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(1.5)
    try:
        target = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
        done = subprocess.run([sys.executable, str(script), target], capture_output=True, text=True, timeout=60)
        assert "refused: Too many open files" in done.stdout, done.stdout + done.stderr
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()


def test_answers_over_the_result_limit_are_refused(http: httpx.Client) -> None:
    everything = "SELECT * WHERE { ?s ?p ?o }"
    message = _error(http.get("/sparql", params={"query": everything}), 422, "TOO_MANY_RESULTS")
    assert "limit of 500" in message and "LIMIT" in message
    construct = "CONSTRUCT WHERE { ?s ?p ?o }"
    _error(http.get("/sparql", params={"query": construct}, headers={"Accept": "text/turtle"}), 422, "TOO_MANY_RESULTS")
    limited = http.get("/sparql", params={"query": everything + " LIMIT 500"}, headers={"Accept": "text/csv"})
    assert limited.status_code == 200 and len(list(csv.reader(io.StringIO(limited.text)))) == 501


def test_a_runaway_query_is_stopped_and_the_endpoint_carries_on(http: httpx.Client) -> None:
    message = _error(http.get("/sparql", params={"query": RUNAWAY}), 503, "QUERY_TIMEOUT")
    assert "limit of 5 s" in message and "stopped" in message
    # Its worker was killed and replaced: the endpoint still answers.
    after = http.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "application/json"})
    assert after.status_code == 200 and after.json()["boolean"] is True


def test_a_query_over_the_memory_limit_kills_only_its_worker(store: OxigraphStore) -> None:
    workers = SparqlWorkers(store, SparqlLimits(timeout=120, workers=1, memory=256 * 2**20))
    bomb = (
        f"PREFIX akg: <{AKG}> SELECT (STRLEN(GROUP_CONCAT(CONCAT(?t, ?t, ?t, ?t))) AS ?n) "
        "WHERE { ?d akg:sourceText ?t . ?a ?b ?c }"
    )
    try:
        with pytest.raises(QueryStopped) as stopped:
            workers.answer(bomb, None)
        assert stopped.value.reason == "memory" and "256 MiB" in stopped.value.message
        assert workers.answer("ASK {}", "application/json").body == b'{"head":{},"boolean":true}'
    finally:
        workers.close()


def test_an_accept_header_no_format_fits_is_406(http: httpx.Client) -> None:
    message = _error(
        http.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"}), 406, "NOT_ACCEPTABLE"
    )
    assert "application/sparql-results+json" in message
    select_as_turtle = http.get("/sparql", params={"query": TEXTS}, headers={"Accept": "text/turtle"})
    assert "text/csv" in _error(select_as_turtle, 406, "NOT_ACCEPTABLE")


# -- private graphs ----------------------------------------------------------------------------------------


def test_private_named_graphs_are_not_readable(http: httpx.Client, store: OxigraphStore) -> None:
    assert store.select(f"SELECT ?o WHERE {{ GRAPH <{PRIVATE_GRAPH}> {{ ?s ?p ?o }} }}")  # the store holds them
    for query in (
        "SELECT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } }",
        f"SELECT ?s WHERE {{ GRAPH <{PRIVATE_GRAPH}> {{ ?s ?p ?o }} }}",
        'SELECT ?s WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), "private:")) }',
        f"SELECT ?p WHERE {{ <{SECRET}> ?p ?o }}",
    ):
        response = http.get("/sparql", params={"query": query}, headers={"Accept": "application/json"})
        assert response.status_code == 200 and response.json()["results"]["bindings"] == [], query
    assert http.get("/id/doc/minfa-2019-62/obligation/2.2-4/audit/1").status_code == 404
    page = http.get("/id/doc/minfa-2019-62/obligation/2.2-4", headers={"Accept": "text/turtle"}).text
    assert "private:" not in page


def test_a_deployment_may_expose_a_named_graph(store: OxigraphStore) -> None:
    workers = SparqlWorkers(store, SparqlLimits(workers=1, exposed_graphs=(PRIVATE_GRAPH,)))
    try:
        answer = workers.answer(f"SELECT ?o WHERE {{ GRAPH <{PRIVATE_GRAPH}> {{ <{SECRET}> ?p ?o }} }}", "text/csv")
        assert "who read this obligation" in answer.body.decode()
        # Still not in the default graph: exposing a graph makes it readable by name, not merged.
        assert workers.answer(f"ASK {{ <{SECRET}> ?p ?o }}", "text/csv").body.strip() == b"false"
    finally:
        workers.close()


# -- the graph's IRIs ----------------------------------------------------------------------------------


def test_an_obligation_opens_as_a_page_in_a_browser(http: httpx.Client) -> None:
    page = http.get(
        "/id/doc/minfa-2019-62/obligation/2.2-4", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    )
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    for wanted in (
        "乡镇人民政府（街道办事处）应当在自收到申请之日起15个工作日内作出查验结论。",  # the quote
        "Reach a conclusion on the check within 15 working days",  # the action
        "Township governments and sub-district offices · 乡镇人民政府（街道办事处）",  # the owner, both languages
        "Lead · 牵头",  # the role
        "自收到申请之日起15个工作日内",  # the deadline's wording
        "Working days · 工作日",
        "Provision 2.2",  # the clause
        "民发〔2019〕62号",
    ):
        assert wanted in text, wanted
    assert 'href="/id/org/township-governments"' in text and 'href="/id/doc/minfa-2019-62/provision/2.2"' in text
    assert 'href="/ontology#Obligation"' in text
    assert 'href="https://w3id.org/akg/' not in text  # every link to the graph stays on this server


def test_the_same_iri_as_turtle_ntriples_and_json_ld(http: httpx.Client, store: OxigraphStore) -> None:
    path = "/id/doc/minfa-2019-62/obligation/2.2-4"
    graphs = {}
    for media_type, name, rdflib_format in (
        ("text/turtle", "ttl", "turtle"),
        ("application/n-triples", "nt", "nt"),
        ("application/ld+json", "jsonld", "json-ld"),
        ("application/rdf+xml", "rdfxml", "xml"),
    ):
        response = http.get(path, headers={"Accept": media_type})
        assert response.status_code == 200 and response.headers["content-type"].startswith(media_type)
        assert response.headers["vary"] == "Accept"
        graphs[name] = Graph().parse(data=response.content, format=rdflib_format)
        by_parameter = http.get(path, params={"format": name})
        assert isomorphic(graphs[name], Graph().parse(data=by_parameter.content, format=rdflib_format))
    first = graphs["ttl"]
    assert all(isomorphic(first, graph) for graph in graphs.values())
    # The obligation's own triples and those of the nodes it owns: its assignment and its deadline.
    own = len(store.select(f"SELECT * WHERE {{ <{OBLIGATION}> ?p ?o }}"))
    parts = len(
        store.select(f"SELECT * WHERE {{ <{OBLIGATION}> <{AKG}hasAssignment>|<{AKG}hasDeadline> ?x . ?x ?p ?o }}")
    )
    assert len(first) == own + parts
    assert (URIRef(OBLIGATION + "/deadline"), URIRef(AKG + "wording"), Literal("自收到申请之日起15个工作日内")) in first


def test_every_minted_iri_resolves(http: httpx.Client, store: OxigraphStore) -> None:
    subjects = [
        row["s"] for row in store.select(f'SELECT DISTINCT ?s {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{ID}")) }}')
    ]
    objects = [
        row["o"] for row in store.select(f'SELECT DISTINCT ?o {{ ?s ?p ?o FILTER(STRSTARTS(STR(?o), "{ID}")) }}')
    ]
    minted = sorted(set(subjects) | set(objects))
    assert len(minted) > 2500
    failed = []
    for iri in minted:
        response = http.get("/" + iri[len("https://w3id.org/akg/") :], headers={"Accept": "application/n-triples"})
        if response.status_code != 200 or f"<{iri}>" not in response.text:
            failed.append((iri, response.status_code))
    assert failed == []
    # One page per kind of resource, as a browser sees it.
    one_of_each = f'SELECT ?type (MIN(?s) AS ?one) {{ ?s a ?type FILTER(STRSTARTS(STR(?s), "{ID}")) }} GROUP BY ?type'
    kinds = store.select(one_of_each)
    assert len(kinds) > 15
    for row in kinds:
        page = http.get("/" + row["one"][len("https://w3id.org/akg/") :], headers={"Accept": "text/html"})
        assert page.status_code == 200 and "<h1>" in page.text, row


def test_an_escaped_path_names_the_same_iri(http: httpx.Client) -> None:
    # RFC 3986: %6C is "l"; the graph writes its IRIs with unreserved characters unescaped.
    response = http.get("/id/role/%6cead", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200 and f"<{ID}role/lead>" in response.text


def test_an_unknown_iri_is_404(http: httpx.Client) -> None:
    page = http.get("/id/doc/minfa-2019-62/obligation/99.9-9", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "Not found · 未找到" in page.text
    _error(http.get("/id/doc/nothing-here", headers={"Accept": "text/turtle"}), 404, "NOT_FOUND")
    _error(http.get("/id/doc/minfa-2019-62", headers={"Accept": "image/png"}), 406, "NOT_ACCEPTABLE")


# -- the ontology ----------------------------------------------------------------------------------------


def _ontology() -> Graph:
    graph = Graph()
    for path in sorted(resources.ontology_dir().glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def _terms(graph: Graph) -> list[URIRef]:
    kinds = (OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
    return sorted({s for kind in kinds for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef)})


def test_ontology_documentation_has_every_class_and_property_in_both_languages(http: httpx.Client) -> None:
    page = http.get("/ontology", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "pyLODE" in page.text
    graph = _ontology()
    terms = _terms(graph)
    assert len(terms) > 100
    missing = []
    for term in terms:
        labels = {label.language: str(label) for label in graph.objects(term, RDFS.label)}
        fragment = str(term).split("#", 1)[1]
        entry = f'id="{fragment}"'
        if entry not in page.text or not {"en", "zh"} <= labels.keys():
            missing.append(str(term))
            continue
        start = page.text.index(entry)
        block = page.text[start : page.text.index("</table>", start)]
        if html_escape(labels["en"]) not in block or labels["zh"] not in block or str(term) not in block:
            missing.append(str(term))
    assert missing == []
    assert 'href="#Obligation"' in page.text  # the ontology's own IRIs link within the page
    assert not re.search(r'<(?:script|link|img)[^>]+(?:src|href)="https?://', page.text)  # nothing loads from afar


def html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_ontology_as_turtle_for_rdf_clients(http: httpx.Client) -> None:
    response = http.get("/ontology", headers={"Accept": "text/turtle"})
    assert response.headers["content-type"].startswith("text/turtle")
    assert isomorphic(Graph().parse(data=response.text, format="turtle"), _ontology())
    jsonld = http.get("/ontology", params={"format": "jsonld"})
    assert len(Graph().parse(data=jsonld.content, format="json-ld")) == len(_ontology())


def test_ontology_documentation_is_current() -> None:
    assert recorded_fingerprint(DOCS_PATH.read_text(encoding="utf-8")) == fingerprint(resources.ontology_dir())
    assert docs_main(["--check"]) == 0, "run: python -m graphql_api.ontology_docs"


def test_ontology_documentation_regenerates_offline(tmp_path: Path) -> None:
    # pyLODE runs in its own process: importing it reconfigures logging.
    out = tmp_path / "ontology.html"
    done = subprocess.run(
        [sys.executable, "-m", "graphql_api.ontology_docs", str(out)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    fresh, committed = out.read_text(encoding="utf-8"), DOCS_PATH.read_text(encoding="utf-8")
    ids = re.compile(r'id="([^"]+)"')
    assert set(ids.findall(fresh)) == set(ids.findall(committed))
    assert recorded_fingerprint(fresh) == recorded_fingerprint(committed)
    stale = tmp_path / "stale.html"
    stale.write_text(fresh.replace(recorded_fingerprint(fresh) or "", "0" * 64), encoding="utf-8")
    assert docs_main(["--check", str(stale)]) == 1


# -- w3id.org --------------------------------------------------------------------------------------------

HTACCESS = Path(__file__).resolve().parent.parent / "docs" / "w3id" / ".htaccess"


def _redirect(path: str) -> str | None:
    """Where the w3id.org rules send ``path`` (relative to /akg/), as Apache's mod_rewrite would."""
    for line in HTACCESS.read_text().splitlines():
        fields = line.split()
        if fields[:1] == ["RewriteRule"]:
            pattern, target, flags = fields[1], fields[2], fields[3]
            match = re.fullmatch(pattern.strip("^$"), path) if pattern != "^$" else re.fullmatch("", path)
            if match:
                assert "R=303" in flags and "L" in flags
                return match.expand(target.replace("$", "\\"))
    return None


def test_w3id_rules_send_every_iri_to_the_same_path_on_the_deployment() -> None:
    base = "https://akg.example.org"
    assert _redirect("id/doc/minfa-2019-62/obligation/2.2-4") == base + "/id/doc/minfa-2019-62/obligation/2.2-4"
    assert _redirect("id/org/township-governments") == base + "/id/org/township-governments"
    assert _redirect("ontology") == base + "/ontology"
    assert _redirect("") == base + "/ontology"
    assert _redirect("something-else") is None
    assert "RewriteEngine on" in HTACCESS.read_text()


# -- pieces ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "application/sparql-results+json"),
        ("text/csv", "text/csv"),
        ("application/json", "application/sparql-results+json"),
        ("application/xml;q=0.9, */*;q=0.8", "application/sparql-results+xml"),
        ("text/*;q=0.5, application/sparql-results+json;q=0.4", "text/csv"),
        ("*/*, application/sparql-results+json;q=0", "application/sparql-results+xml"),
        ("image/png", None),
        ("garbage, ,;;", None),
    ],
)
def test_content_negotiation(accept: str | None, chosen: str | None) -> None:
    offered = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv"]
    aliases = {"application/json": offered[0], "application/xml": offered[1]}
    assert choose(accept, offered, aliases) == chosen


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("SELECT * { ?s ?p ?o }", None),
        ('SELECT ?service { ?service ?p "SERVICE <x> {}" } # SERVICE', None),
        ("SELECT * { ?s <http://e/SERVICE> ?o }", None),
        ("PREFIX e: <http://e/> SELECT * { ?s ?p e:a.SERVICE }", None),  # one prefixed name, as the parser reads it
        ("SELECT * { SERVICE <http://e/> { ?s ?p ?o } }", "service"),
        ("SELECT * { ?s ?p 1SERVICE <http://e/> { } }", "service"),  # the parser reads 1 then SERVICE
        ("SELECT * { ?s ?p trueSERVICE <http://e/> { } }", "service"),
        ("PREFIX : <http://e/> SELECT * { SERVICE:x { } }", "service"),
        ("PREFIX e: <http://e/> SELECT * { ?s ?p e:a\\'b SERVICE <x> { } }", "service"),
        ("INSERT DATA { <x:a> <x:b> <x:c> }", "update"),
        ("PREFIX a: <x:> BASE <x:> delete where { ?s ?p ?o }", "update"),
    ],
)
def test_query_text_checks(query: str, reason: str | None) -> None:
    try:
        check_query_text(query)
        got = None
    except QueryRefused as exc:
        got = exc.reason
    assert got == reason


def test_serve_options_for_sparql() -> None:
    args = parser().parse_args(
        ["serve", "--sparql-timeout", "2.5", "--sparql-max-results", "50", "--sparql-workers", "0"]
    )
    assert (args.sparql_timeout, args.sparql_max_results, args.sparql_workers) == (2.5, 50, 0)
    defaults = parser().parse_args(["serve"])
    assert (defaults.sparql_timeout, defaults.sparql_max_results) == (SparqlLimits.timeout, SparqlLimits.max_results)
    for bad in (["--sparql-timeout", "0"], ["--sparql-timeout", "soon"], ["--sparql-max-results", "-1"]):
        with pytest.raises(SystemExit):
            parser().parse_args(["serve", *bad])


def _status(app: Any, path: str) -> int:
    async def get() -> int:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            return (await client.get(path, headers={"Accept": "text/turtle"})).status_code

    return asyncio.run(get())


def test_the_routes_come_with_the_store_and_sparql_can_be_off(store: OxigraphStore) -> None:
    accountability = Accountability.from_store(store)
    with_sparql = create_app(accountability, store=store, sparql=LIMITS)
    assert _status(with_sparql, "/sparql") == 400  # there, and asking for a query
    without = create_app(accountability, store=store, sparql=SparqlLimits(workers=0))
    assert _status(without, "/sparql") == 404
    assert _status(without, "/id/role/lead") == _status(without, "/ontology") == 200
    assert _status(create_app(accountability), "/ontology") == 404  # no store given: GraphQL only


def test_sparql_json_error_bodies_are_json(http: httpx.Client) -> None:
    response = http.get("/sparql", params={"query": "SELEC"})
    assert response.headers["content-type"] == "application/json"
    assert json.loads(response.text)["errors"][0]["extensions"]["code"] == "SPARQL_PARSE_FAILED"
