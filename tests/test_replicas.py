"""Two service replicas on one remote store (a real Oxigraph server): they answer alike, a report written
through one is read through the other at the next request, audit sequence numbers stay unique under
concurrent writes to both, and a new corpus loaded into the store is followed without a restart.

Each replica is its own app, its own :class:`SparqlStore` and ledger (so no lock in memory is shared: only
the store's writer lease coordinates them), served by uvicorn on loopback. The token registry is one file
both are given (``akg serve --tokens FILE``).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from akg import build_cache, resources
from akg.accountability import Accountability
from akg.progress.service import ProgressService
from akg.progress.tokens import TokenRegistry
from akg.remote_store import Endpoints, SparqlStore
from akg.sparql import SparqlLimits
from akg.store import corpus_ntriples
from graphql_api.server import create_app
from loader.namespaces import AUDIT_GRAPH, REPORTS_GRAPH, duty_instance_iri
from tests.conftest import FIXTURE_DATA
from tests.graphql_support import serving
from tests.oxigraph_server import loaded_oxigraph, oxigraph_url  # noqa: F401 (fixtures)

HUBEI = "hubei-2022-child-welfare"
PLAN = f"{HUBEI}/closing-1"  # each city's work plan, due 2022-11-20
SUBMIT = """mutation($input: ReportInput!) {
  submitReport(input: $input) { report { id supersedes { id } } } }"""
STATUS = """query($obligation: ID!, $jurisdiction: ID!) {
  status(obligation: $obligation, jurisdiction: $jurisdiction) { latest { id summary } history { id } } }"""
AUDIT = "{ auditLog { sequence generated superseded } }"
READS = [
    "{ documents { id title } }",
    '{ responsibleFor(need: "medical-care") { organization { id } role obligations { id } } }',
    "{ coverage { need { id } obligationCount hasLead } }",
    "{ responsibilityMatrix { columns { id } gaps { id } } }",
    '{ dutyInstances(jurisdiction: "420100", first: 20) { id due owner { id } } }',
]


def plan(jurisdiction: str = "420100", summary: str = "Work plan sent to the office.") -> dict[str, Any]:
    return {"obligation": PLAN, "jurisdiction": jurisdiction, "status": "DONE", "summary": summary,
            "reportedOn": "2022-11-15"}  # fmt: skip


def ask(url: str, query: str, variables: dict | None = None, token: str | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(f"{url}/graphql", json={"query": query, "variables": variables or {}}, headers=headers,
                          timeout=60)  # fmt: skip
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body["errors"]
    return body["data"]


def replica(url: str, tokens: Path) -> Any:
    store = SparqlStore(Endpoints.oxigraph(url))
    progress = ProgressService.open(store, None, resources.shapes_dir(), tokens=tokens)
    return create_app(Accountability.from_store(store), None, store=store, sparql=SparqlLimits(workers=0),
                      progress=progress)  # fmt: skip


@pytest.fixture(scope="module")
def replicas(loaded_oxigraph, tmp_path_factory) -> Iterator[tuple[str, str, dict[str, str], SparqlStore]]:  # noqa: F811
    url, run = loaded_oxigraph
    assert run.returncode == 0, run.stderr
    tokens = tmp_path_factory.mktemp("replicas") / "tokens.sqlite"
    registry = TokenRegistry(tokens)
    texts = {
        "wuhan": registry.issue("civil-affairs@420100", "reporter").text,
        "huangshi": registry.issue("civil-affairs@420200", "reporter").text,
        "admin": registry.issue("hubei-civil-affairs", "admin").text,
    }
    with serving(replica(url, tokens), "on") as a, serving(replica(url, tokens), "on") as b:
        yield a, b, texts, SparqlStore(Endpoints.oxigraph(url))


def test_replicas_answer_alike(replicas) -> None:
    a, b, _tokens, _store = replicas
    for query in READS:
        assert ask(a, query) == ask(b, query), query
    assert httpx.get(f"{a}/healthz").json() == httpx.get(f"{b}/healthz").json()


def test_a_report_through_one_replica_is_read_through_the_other(replicas) -> None:
    a, b, tokens, _store = replicas
    written = ask(a, SUBMIT, {"input": plan("420200", "Sent through replica A.")}, tokens["huangshi"])
    report = written["submitReport"]["report"]["id"]
    (status,) = ask(b, STATUS, {"obligation": PLAN, "jurisdiction": "420200"}, tokens["huangshi"])["status"]
    assert status["latest"] == {"id": report, "summary": "Sent through replica A."}
    assert report in [e["generated"] for e in ask(b, AUDIT, token=tokens["admin"])["auditLog"]]


def test_concurrent_writes_through_both_replicas_keep_the_audit_trail_whole(replicas) -> None:
    a, b, tokens, store = replicas
    before = len(ask(a, AUDIT, token=tokens["admin"])["auditLog"])
    failures: list[str] = []

    def write(url: str, n: int) -> None:
        for i in range(3):
            try:
                ask(url, SUBMIT, {"input": plan(summary=f"writer {n}, report {i}")}, tokens["wuhan"])
            except AssertionError as exc:  # pragma: no cover - reported below
                failures.append(str(exc))

    threads = [threading.Thread(target=write, args=(url, n)) for n, url in enumerate([a, b, a, b])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    sequences = [
        row["n"]
        for row in store.select(
            f"SELECT ?n WHERE {{ GRAPH <{AUDIT_GRAPH}> {{ ?e <https://w3id.org/akg/ontology#sequence> ?n }} }}"
        )
    ]
    assert len(sequences) == before + 12
    assert sorted(sequences) == list(range(1, len(sequences) + 1))  # unique, and none skipped
    # Each report supersedes the one before it: a chain, no fork, none lost.
    rows = store.select(
        f"""SELECT ?r ?previous WHERE {{ GRAPH <{REPORTS_GRAPH}> {{
              ?r <https://w3id.org/akg/ontology#concerns> <{duty_instance_iri(HUBEI, "closing-1", "420100")}> .
              OPTIONAL {{ ?r <https://w3id.org/akg/ontology#supersedes> ?previous }} }} }}"""
    )
    superseded = Counter(row["previous"] for row in rows)
    assert len(rows) >= 12 and superseded[None] == 1 and max(superseded.values()) == 1
    assert ask(a, AUDIT, token=tokens["admin"]) == ask(b, AUDIT, token=tokens["admin"])


def test_a_new_corpus_is_followed_at_the_next_request(replicas) -> None:
    a, b, _tokens, store = replicas
    shipped = ask(a, "{ documents { id } }")
    fixture = corpus_ntriples(FIXTURE_DATA)
    try:
        store.load_corpus(fixture, build_cache.input_key(FIXTURE_DATA, resources.ontology_dir()))
        expected = Accountability.from_store(store).counts()
        for url in (a, b):  # no restart: each replica reads the corpus version per request and re-indexes
            assert httpx.get(f"{url}/healthz").json()["counts"] == expected
            assert ask(url, "{ documents { id } }") != shipped
    finally:
        store.load_corpus(corpus_ntriples(), build_cache.input_key(resources.data_dir(), resources.ontology_dir()))
    assert ask(a, "{ documents { id } }") == ask(b, "{ documents { id } }") == shipped


def _akg_serve(url: str, tokens: Path) -> tuple[str, subprocess.Popen[bytes]]:
    from tests.graphql_support import free_port

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "akg_cli", "serve", "--store", url, "--tokens", str(tokens), "--port", str(port),
         "--sparql-workers", "0"],
        cwd=Path(__file__).resolve().parent.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read().decode(errors="replace")[-2000:])
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return base, process
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise AssertionError("akg serve did not start")


def test_two_akg_serve_processes_share_one_store(loaded_oxigraph, tmp_path) -> None:  # noqa: F811
    url, _run = loaded_oxigraph
    tokens = tmp_path / "tokens.sqlite"
    reporter = TokenRegistry(tokens).issue("civil-affairs@420500", "reporter").text
    processes = []
    try:
        a, process = _akg_serve(url, tokens)
        processes.append(process)
        b, process = _akg_serve(url, tokens)
        processes.append(process)
        assert httpx.get(f"{a}/healthz").json() == httpx.get(f"{b}/healthz").json()
        written = ask(a, SUBMIT, {"input": plan("420500", "Through the first akg serve.")}, reporter)
        (status,) = ask(b, STATUS, {"obligation": PLAN, "jurisdiction": "420500"}, reporter)["status"]
        assert status["latest"]["id"] == written["submitReport"]["report"]["id"]
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
            process.stderr.close()
