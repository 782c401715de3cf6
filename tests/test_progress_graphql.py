"""Progress tracking through the running service: a bureau reports, the province reviews and reads.

Each server is real (uvicorn on loopback) over a private copy of an on-disk store folder, as
``akg serve --store DIR`` runs it; tokens are issued straight into the folder's registry. The rules
under test are those of docs/progress.md: who may write what, what needs a token, that every refusal
has a stable code and changes nothing, and that reports survive a restart and concurrent writers.
"""

from __future__ import annotations

import datetime as dt
import gc
import shutil
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import URIRef

from akg import resources
from akg.accountability import Accountability
from akg.progress.layout import StoreLayout
from akg.progress.service import ProgressService
from akg.progress.tokens import TokenRegistry
from akg.store import OxigraphStore, open_store
from graphql_api.server import create_app
from loader.namespaces import AUDIT_GRAPH, REPORTS_GRAPH, duty_instance_iri, report_iri
from tests.graphql_support import serving
from tests.progress_server import server_process

HUBEI = "hubei-2022-child-welfare"
PLAN = f"{HUBEI}/closing-1"  # each city's work plan, due 2022-11-20
ANNUAL = f"{HUBEI}/closing-2"  # each city's report, before 20 December, 2022 to 2025
OFFICE = "hubei-child-welfare-office"
NO_LEAK = ("Traceback", 'File "', "site-packages")

QUADS_PER_GRAPH = """SELECT ?g (COUNT(*) AS ?n) WHERE {
  { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } GROUP BY ?g"""
SUBMIT = """mutation($input: ReportInput!) {
  submitReport(input: $input) { messages report { id status summary reportedOn evidenceUrl evidenceSha256
    instanceId supersedes { id } reportedBy { id } review { id } } } }"""
REVIEW = """mutation($id: ID!, $decision: ReviewDecision!, $comment: String) {
  reviewReport(id: $id, decision: $decision, comment: $comment) {
    messages report { id review { decision comment reviewedBy { id } } } } }"""
STATUS = """query($obligation: ID!, $jurisdiction: ID!, $due: Date) {
  status(obligation: $obligation, jurisdiction: $jurisdiction, due: $due) {
    instance { id due }
    latest { id status }
    review { decision }
    history { id status supersedes { id } summary } } }"""
AUDIT = """query($org: ID, $first: Int) { auditLog(organization: $org, first: $first) {
  sequence action organizationId token generated superseded instance { id } } }"""


def plan(jurisdiction: str = "420100", **fields: Any) -> dict[str, Any]:
    values = {
        "obligation": PLAN,
        "jurisdiction": jurisdiction,
        "status": "DONE",
        "summary": "Work plan sent to the Provincial Child Welfare Office.",
        "reportedOn": "2022-11-15",
    }
    values.update(fields)
    return values


@dataclass
class Served:
    """A running service over the store folder ``root``: its URL, its store, and tokens by name."""

    url: str
    root: Path
    store: OxigraphStore
    tokens: dict[str, str]

    def token(self, org: str, role: str, name: str | None = None) -> str:
        text = issue(self.root, org, role)
        if name:
            self.tokens[name] = text
        return text

    def ask(self, query: str, variables: dict | None = None, token: str | None = None) -> dict[str, Any]:
        """The JSON answer to ``query`` with ``token`` (by name, or a token's text); asserts no leak."""
        return ask(self.url, query, variables, self.tokens.get(token, token) if token else None)

    def quads(self) -> Counter:
        """Quads per graph (the default graph, the corpus, as "")."""
        return Counter({str(row["g"] or ""): row["n"] for row in self.store.select(QUADS_PER_GRAPH)})


def ask(url: str, query: str, variables: dict | None = None, token: str | None = None) -> dict[str, Any]:
    """The JSON answer of the service at ``url`` to ``query``; asserts the answer leaks no stack trace."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"{url}/graphql", json={"query": query, "variables": variables or {}}, headers=headers, timeout=60
    )
    assert response.status_code == 200, response.text
    for marker in NO_LEAK:
        assert marker not in response.text, response.text
    return response.json()


def issue(root: Path, org: str, role: str) -> str:
    return TokenRegistry(StoreLayout(root).tokens).issue(org, role).text


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


def messages(body: dict[str, Any]) -> list[str]:
    return [m for e in body.get("errors") or [] for m in e["extensions"].get("messages", [e["message"]])]


@pytest.fixture(scope="module")
def template(corpus_store_folder: Path) -> Path:
    """An on-disk store folder holding the corpus and no report, closed (copy it to serve it)."""
    return corpus_store_folder


@pytest.fixture(scope="module")
def accountability(shipped_store: OxigraphStore) -> Accountability:
    return Accountability.from_store(shipped_store)


@contextmanager
def serve_store(root: Path, accountability: Accountability) -> Iterator[Served]:
    """``akg serve --store root`` in this process (without the start-up validation); closed on exit."""
    store = open_store(location=root)
    service = ProgressService.open(store, root, resources.shapes_dir())
    app = create_app(accountability, None, progress=service)
    with serving(app) as url:
        yield Served(url, root, store, {})
    del app, service, store
    gc.collect()


@pytest.fixture(scope="module")
def served(
    template: Path, accountability: Accountability, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """One service for the module, with a token for each part the tests play."""
    root = tmp_path_factory.mktemp("served") / "store"
    shutil.copytree(template, root)
    with serve_store(root, accountability) as service:
        service.token("civil-affairs@420100", "reporter", "wuhan")
        service.token("civil-affairs@420200", "reporter", "huangshi")
        service.token(OFFICE, "reviewer", "office")
        service.token("hubei-civil-affairs", "admin", "admin")
        yield service


@pytest.fixture
def fresh(template: Path, accountability: Accountability, tmp_path: Path) -> Iterator[Served]:
    """A service of its own, for a test that restarts it or counts every write."""
    root = tmp_path / "store"
    shutil.copytree(template, root)
    with serve_store(root, accountability) as service:
        yield service


# -- the day of a bureau and of the province ------------------------------------------------------------------


def test_with_no_reports_the_17_plans_are_overdue_the_day_after(served: Served) -> None:
    body = served.ask(
        '{ overdue(asOf: "2022-11-21") { id due obligation { id } jurisdiction { id label zh: label(lang: "zh") } '
        "owner { id } status { latest { id } } } }",
        token="office",
    )
    overdue = body["data"]["overdue"]
    assert len(overdue) == 17
    assert {i["obligation"]["id"] for i in overdue} == {PLAN}
    assert {i["due"] for i in overdue} == {"2022-11-20"}
    assert {i["owner"]["id"] for i in overdue} == {f"civil-affairs@{i['jurisdiction']['id']}" for i in overdue}
    wuhan = next(i for i in overdue if i["jurisdiction"]["id"] == "420100")
    assert wuhan["jurisdiction"] == {"id": "420100", "label": "Wuhan", "zh": "武汉市"}
    assert wuhan["id"] == f"{PLAN}@420100"


def test_a_bureau_reports_and_the_office_accepts(served: Served) -> None:
    written = served.ask(SUBMIT, {"input": plan()}, token="wuhan")["data"]["submitReport"]
    report = written["report"]
    assert report["instanceId"] == f"{PLAN}@420100" and report["status"] == "DONE"
    assert report["reportedBy"]["id"] == "civil-affairs@420100" and report["review"] is None
    assert written["messages"] == []

    reviewed = served.ask(REVIEW, {"id": report["id"], "decision": "ACCEPT"}, token="office")["data"]["reviewReport"]
    assert reviewed["report"]["review"] == {"decision": "ACCEPT", "comment": None, "reviewedBy": {"id": OFFICE}}

    (status,) = served.ask(STATUS, {"obligation": PLAN, "jurisdiction": "420100"}, token="wuhan")["data"]["status"]
    assert status["latest"]["id"] == report["id"] and status["review"] == {"decision": "ACCEPT"}

    today = dt.date.today().isoformat()
    late = served.ask(f'{{ overdue(asOf: "{today}", document: "{HUBEI}") {{ id }} }}', token="office")
    assert f"{PLAN}@420100" not in {i["id"] for i in late["data"]["overdue"]}
    rows = served.ask(
        f'{{ scorecard(asOf: "{today}", level: "city") {{ key label due done doneOnTime }} }}', token="office"
    )
    wuhan = next(r for r in rows["data"]["scorecard"] if r["key"] == "420100")
    assert wuhan["label"] == "Wuhan" and wuhan["done"] >= 1 and wuhan["doneOnTime"] >= 1

    entries = served.ask(AUDIT, {"org": "civil-affairs@420100"}, token="admin")["data"]["auditLog"]
    mine = [e for e in entries if e["generated"] == report["id"]]
    assert mine and mine[0]["action"] == "SUBMIT_REPORT" and mine[0]["instance"]["id"] == f"{PLAN}@420100"
    assert mine[0]["token"] == served.tokens["wuhan"].split("_")[1]  # the public id, never the secret
    reviews = served.ask(AUDIT, {"org": OFFICE}, token="admin")["data"]["auditLog"]
    assert [e["action"] for e in reviews][-1] == "REVIEW_REPORT"


def test_status_gives_the_history_newest_first_each_superseding_the_next(served: Served) -> None:
    ezhou = served.token("civil-affairs@420700", "reporter")
    ids = []
    for status in ("IN_PROGRESS", "BLOCKED", "DONE"):
        body = served.ask(SUBMIT, {"input": plan("420700", status=status, summary=f"Now {status}.")}, token=ezhou)
        ids.append(body["data"]["submitReport"]["report"]["id"])
    (status,) = served.ask(STATUS, {"obligation": PLAN, "jurisdiction": "420700"}, token=ezhou)["data"]["status"]
    history = status["history"]
    assert [r["id"] for r in history] == ids[::-1]
    assert [r["status"] for r in history] == ["DONE", "BLOCKED", "IN_PROGRESS"]
    assert [r["supersedes"] and r["supersedes"]["id"] for r in history] == [ids[1], ids[0], None]
    found = served.ask("query($id: ID!) { report(id: $id) { id supersedes { id } } }", {"id": ids[2]}, token=ezhou)
    assert found["data"]["report"] == {"id": ids[2], "supersedes": {"id": ids[1]}}


def test_a_recurring_duty_is_reported_per_occurrence(served: Served) -> None:
    annual = {"obligation": ANNUAL, "jurisdiction": "420100", "status": "IN_PROGRESS", "summary": "Drafting."}
    body = served.ask(SUBMIT, {"input": annual}, token="wuhan")
    assert codes(body) == ["BAD_USER_INPUT"] and "give the due date" in body["errors"][0]["message"]
    body = served.ask(SUBMIT, {"input": {**annual, "due": "2023-12-20", "reportedOn": "2023-12-01"}}, token="wuhan")
    assert body["data"]["submitReport"]["report"]["instanceId"] == f"{ANNUAL}@420100/2023-12-20"
    statuses = served.ask(STATUS, {"obligation": ANNUAL, "jurisdiction": "420100"}, token="wuhan")["data"]["status"]
    assert [s["instance"]["due"] for s in statuses] == [f"{y}-12-20" for y in range(2022, 2026)]


def test_a_batch_is_all_or_nothing(served: Served) -> None:
    xiaogan = served.token("civil-affairs@420900", "reporter")
    batch = "mutation($inputs: [ReportInput!]!) { submitReports(inputs: $inputs) { report { id supersedes { id } } } }"
    before = served.quads()
    body = served.ask(batch, {"inputs": [plan("420900"), plan("420900", evidenceSha256="xyz")]}, token=xiaogan)
    assert codes(body) == ["BAD_USER_INPUT"]
    assert [m.split(":")[0] for m in messages(body)] == ["report 2"]
    assert served.quads() == before
    written = served.ask(batch, {"inputs": [plan("420900"), plan("420900", summary="With annex.")]}, token=xiaogan)
    first, second = written["data"]["submitReports"]
    assert second["report"]["supersedes"] == {"id": first["report"]["id"]}


# -- who may do what ----------------------------------------------------------------------------------------------


def test_a_reporter_of_another_city_is_forbidden_and_nothing_is_written(served: Served) -> None:
    before, audit = served.quads(), served.ask(AUDIT, {"first": 1000}, token="admin")["data"]["auditLog"]
    body = served.ask(SUBMIT, {"input": plan("420100")}, token="huangshi")
    assert codes(body) == ["FORBIDDEN"] and body["data"] is None
    assert "civil-affairs@420200 may not report on" in body["errors"][0]["message"]
    assert served.quads() == before
    assert served.ask(AUDIT, {"first": 1000}, token="admin")["data"]["auditLog"] == audit


def test_roles_are_kept_apart(served: Served) -> None:
    before = served.quads()
    body = served.ask(SUBMIT, {"input": plan()}, token="office")
    assert codes(body) == ["FORBIDDEN"] and "reporter token" in body["errors"][0]["message"]
    report = served.ask(SUBMIT, {"input": plan("420200")}, token="huangshi")["data"]["submitReport"]["report"]
    after_report = served.quads()
    assert after_report != before
    body = served.ask(REVIEW, {"id": report["id"], "decision": "ACCEPT"}, token="huangshi")
    assert codes(body) == ["FORBIDDEN"] and "reviewer token" in body["errors"][0]["message"]
    other_reviewer = served.token("hubei-civil-affairs", "reviewer")
    body = served.ask(REVIEW, {"id": report["id"], "decision": "ACCEPT"}, token=other_reviewer)
    assert codes(body) == ["FORBIDDEN"] and f"addressed to {OFFICE}" in body["errors"][0]["message"]
    assert served.quads() == after_report


def test_reading_progress_needs_a_token_but_duty_instances_are_open(served: Served) -> None:
    open_read = served.ask(
        f'{{ dutyInstances(obligation: "{PLAN}") {{ id owner {{ id }} reviewer {{ id }} level {{ id }} }} }}'
    )
    assert "errors" not in open_read and len(open_read["data"]["dutyInstances"]) == 17
    assert {i["reviewer"]["id"] for i in open_read["data"]["dutyInstances"]} == {OFFICE}
    for query in (
        f'{{ status(obligation: "{PLAN}", jurisdiction: "420100") {{ latest {{ id }} }} }}',
        '{ overdue(asOf: "2022-11-21") { id } }',
        '{ scorecard(asOf: "2022-11-21") { key } }',
        "{ auditLog { sequence } }",
        '{ report(id: "x") { id } }',
        f'{{ dutyInstances(obligation: "{PLAN}", first: 2) {{ id status {{ latest {{ id }} }} }} }}',
        SUBMIT,
    ):
        body = served.ask(query, {"input": plan()} if query is SUBMIT else None)
        assert set(codes(body)) == {"UNAUTHENTICATED"}, (query, body)
        assert "Give a token" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("header", "words"),
    [
        ("Basic dXNlcjpwYXNz", "must read: Bearer"),
        ("Bearer nonsense", "not of the form"),
        ("Bearer akg_0123456789_" + "a" * 43, "not known"),
    ],
    ids=["basic", "malformed", "unknown"],
)
def test_a_bad_authorization_header_is_unauthenticated(served: Served, header: str, words: str) -> None:
    response = httpx.post(
        f"{served.url}/graphql", json={"query": "{ auditLog { sequence } }"}, headers={"Authorization": header}
    )
    body = response.json()
    assert codes(body) == ["UNAUTHENTICATED"] and words in body["errors"][0]["message"]


def test_revoked_and_expired_tokens_are_unauthenticated(served: Served) -> None:
    registry = TokenRegistry(StoreLayout(served.root).tokens)
    revoked = registry.issue("civil-affairs@420100", "reporter")
    registry.revoke(revoked.record.id)
    expired = registry.issue("civil-affairs@420100", "reporter", expires=dt.date.today())
    with sqlite3.connect(StoreLayout(served.root).tokens) as db:  # as if the expiry date had passed
        db.execute("UPDATE tokens SET expires = '2022-01-01' WHERE id = ?", (expired.record.id,))
    before = served.quads()
    for token, words in ((revoked.text, "revoked"), (expired.text, "expired")):
        for query, variables in ((SUBMIT, {"input": plan()}), ("{ auditLog { sequence } }", None)):
            body = served.ask(query, variables, token=token)
            assert codes(body) == ["UNAUTHENTICATED"] and words in body["errors"][0]["message"]
    assert served.quads() == before


def test_the_audit_log_of_another_organisation_is_forbidden_to_all_but_an_admin(served: Served) -> None:
    served.ask(SUBMIT, {"input": plan(summary="Audit me.")}, token="wuhan")
    own = served.ask(AUDIT, {}, token="wuhan")["data"]["auditLog"]
    assert own and {e["organizationId"] for e in own} == {"civil-affairs@420100"}
    body = served.ask(AUDIT, {"org": "civil-affairs@420200"}, token="wuhan")
    assert codes(body) == ["FORBIDDEN"]
    everyone = served.ask(AUDIT, {"first": 1000}, token="admin")["data"]["auditLog"]
    assert len({e["organizationId"] for e in everyone}) > 1
    sequences = [e["sequence"] for e in everyone]
    assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
    assert codes(served.ask(AUDIT, {"first": 100000}, token="admin")) == ["BAD_USER_INPUT"]


# -- bad input ------------------------------------------------------------------------------------------------------


def test_a_bad_report_is_refused_with_every_message_and_nothing_is_written(served: Served) -> None:
    before = served.quads()
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    bad = plan(
        reportedOn=tomorrow,
        evidenceSha256="not-a-hash",
        evidenceUrl="javascript:alert(1)",
        summary="Child 420106201501011234 placed; guardian on 138-1234-5678.",
    )
    body = served.ask(SUBMIT, {"input": bad}, token="wuhan")
    assert codes(body) == ["BAD_USER_INPUT"] and body["data"] is None
    found = " ".join(messages(body))
    for words in ("in the future", "SHA-256", "http or https", "resident identity number", "mobile telephone number"):
        assert words in found, found
    assert len(messages(body)) == 5
    assert served.quads() == before


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"status": "FINISHED"}, "FINISHED"),
        ({"reportedOn": "2022-02-30"}, "Date"),
        ({"reportedOn": "2022-08-01"}, "before the document"),
        ({"summary": ""}, "1 to 2,000 characters"),
        ({"jurisdiction": "999999"}, "No jurisdiction has the code"),
        ({"obligation": f"{HUBEI}/nope"}, "has no duty instance"),
    ],
    ids=["status", "date", "before-document", "empty-summary", "jurisdiction", "obligation"],
)
def test_each_bad_value_is_bad_user_input(served: Served, fields: dict, words: str) -> None:
    before = served.quads()
    body = served.ask(SUBMIT, {"input": plan(**fields)}, token="wuhan")
    assert codes(body) == ["BAD_USER_INPUT"] and words in body["errors"][0]["message"], body
    assert served.quads() == before


def test_a_return_needs_a_comment(served: Served) -> None:
    report = served.ask(SUBMIT, {"input": plan(summary="Returned soon.")}, token="wuhan")["data"]["submitReport"]
    before = served.quads()
    body = served.ask(REVIEW, {"id": report["report"]["id"], "decision": "RETURN"}, token="office")
    assert codes(body) == ["BAD_USER_INPUT"] and "only with a comment" in body["errors"][0]["message"]
    assert served.quads() == before


# -- injection attempts in every text field -------------------------------------------------------------------------

ATTEMPTS = [
    '" } ; DROP ALL ; #',
    '<http://x> <http://y> "z" .',
    "'; DELETE WHERE { ?s ?p ?o } ; '",
    "\u0000",
    "}} GRAPH <https://w3id.org/akg/id/graph/reports> { ?s ?p ?o }",
    "x" * 40000,
]
ATTEMPT_IDS = ["close-and-drop", "ntriples", "delete", "nul", "graph", "long"]


def _changed(before: Counter, after: Counter) -> set[str]:
    return {graph for graph in before.keys() | after.keys() if before[graph] != after[graph]}


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=ATTEMPT_IDS)
def test_injection_in_the_summary_is_stored_verbatim_or_refused(served: Served, attempt: str) -> None:
    before = served.quads()
    body = served.ask(SUBMIT, {"input": plan("420200", summary=attempt)}, token="huangshi")
    if body.get("errors"):
        assert codes(body) == ["BAD_USER_INPUT"]
        assert served.quads() == before
        return
    assert body["data"]["submitReport"]["report"]["summary"] == attempt
    assert _changed(before, served.quads()) == {str(REPORTS_GRAPH), str(AUDIT_GRAPH)}
    report_id = body["data"]["submitReport"]["report"]["id"]
    read = served.ask("query($id: ID!) { report(id: $id) { summary } }", {"id": report_id}, token="office")
    assert read["data"]["report"]["summary"] == attempt


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=ATTEMPT_IDS)
def test_injection_in_the_comment_is_stored_verbatim_or_refused(served: Served, attempt: str) -> None:
    written = served.ask(SUBMIT, {"input": plan("420200", summary="To return.")}, token="huangshi")
    report_id = written["data"]["submitReport"]["report"]["id"]
    before = served.quads()
    body = served.ask(REVIEW, {"id": report_id, "decision": "RETURN", "comment": attempt}, token="office")
    if body.get("errors"):
        assert codes(body) == ["BAD_USER_INPUT"]
        assert served.quads() == before
        return
    assert body["data"]["reviewReport"]["report"]["review"]["comment"] == attempt
    assert _changed(before, served.quads()) == {str(REPORTS_GRAPH), str(AUDIT_GRAPH)}


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=ATTEMPT_IDS)
@pytest.mark.parametrize("field", ["evidenceUrl", "obligation", "jurisdiction", "evidenceSha256"])
def test_injection_in_the_other_report_fields_is_refused(served: Served, field: str, attempt: str) -> None:
    before = served.quads()
    body = served.ask(SUBMIT, {"input": {**plan("420200"), field: attempt}}, token="huangshi")
    assert codes(body) == ["BAD_USER_INPUT"], body
    assert served.quads() == before


def test_an_evidence_url_with_odd_characters_is_stored_verbatim(served: Served) -> None:
    url = 'http://x/"}>;DROP%20ALL;#<y>'
    body = served.ask(SUBMIT, {"input": plan("420200", evidenceUrl=url)}, token="huangshi")
    assert body["data"]["submitReport"]["report"]["evidenceUrl"] == url


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=ATTEMPT_IDS)
def test_injection_in_ids_of_reads_and_reviews_is_refused(served: Served, attempt: str) -> None:
    before = served.quads()
    body = served.ask(REVIEW, {"id": attempt, "decision": "ACCEPT"}, token="office")
    assert codes(body) == ["BAD_USER_INPUT"]
    body = served.ask("query($id: ID!) { report(id: $id) { id } }", {"id": attempt}, token="office")
    assert (body.get("errors") is None and body["data"]["report"] is None) or codes(body) == ["BAD_USER_INPUT"]
    for query in (
        "query($x: ID!) { status(obligation: $x, jurisdiction: $x) { latest { id } } }",
        'query($x: ID!) { overdue(asOf: "2022-11-21", jurisdiction: $x) { id } }',
        "query($x: ID!) { dutyInstances(obligation: $x) { id } }",
        "query($x: ID!) { auditLog(organization: $x) { sequence } }",
    ):
        body = served.ask(query, {"x": attempt}, token="admin")
        assert codes(body) == ["BAD_USER_INPUT"], (query, body)
    assert served.quads() == before


# -- durability and concurrency -----------------------------------------------------------------------------------


def test_a_restart_keeps_every_report_and_flags_one_whose_duty_left_the_corpus(template: Path, tmp_path: Path) -> None:
    """Stop the server, change the corpus, start it again: every report is there; an orphan is a Warning.

    (tests/test_durability.py kills a server with SIGKILL in the middle of a burst of writes.)
    """
    root = tmp_path / "store"
    shutil.copytree(template, root)
    wuhan = issue(root, "civil-affairs@420100", "reporter")
    huangshi = issue(root, "civil-affairs@420200", "reporter")
    office = issue(root, OFFICE, "reviewer")
    admin = issue(root, "hubei-civil-affairs", "admin")
    with server_process(root) as (url, _):
        plans = [
            ask(url, SUBMIT, {"input": plan(summary=f"Report {n}.")}, wuhan)["data"]["submitReport"]["report"]["id"]
            for n in range(3)
        ]
        ask(url, REVIEW, {"id": plans[-1], "decision": "ACCEPT"}, office)
        orphan = ask(url, SUBMIT, {"input": plan("420200")}, huangshi)["data"]["submitReport"]["report"]["id"]
        audit = ask(url, AUDIT, {"first": 1000}, admin)["data"]["auditLog"]
        assert "Warning" not in str(ask(url, "{ validation { results { severity } } }"))
    # Take the Huangshi plan out of the corpus, as a change of the data would, and start again.
    _remove_from_corpus(root, duty_instance_iri(HUBEI, "closing-1", "420200"))
    with server_process(root) as (url, _):
        (status,) = ask(url, STATUS, {"obligation": PLAN, "jurisdiction": "420100"}, wuhan)["data"]["status"]
        assert [r["id"] for r in status["history"]] == plans[::-1] and status["review"] == {"decision": "ACCEPT"}
        after = ask(url, AUDIT, {"first": 1000}, admin)["data"]["auditLog"]
        assert [e["generated"] for e in after] == [e["generated"] for e in audit]
        orphan_entry = next(e for e in after if e["generated"] == orphan)
        assert orphan_entry["instance"] is None  # its instance left the corpus; the entry stays

        health = httpx.get(f"{url}/healthz").json()
        assert health["validation"]["findings"]["Warning"] == 1
        results = ask(url, "{ validation { results { severity focusNode message } } }")["data"]["validation"]["results"]
        assert [r["focusNode"] for r in results] == [str(report_iri(orphan))]
        assert "no longer in the corpus" in results[0]["message"]
        report = "query($id: ID!) { report(id: $id) { id instance { id } instanceId } }"
        kept = ask(url, report, {"id": orphan}, admin)["data"]["report"]
        assert kept["id"] == orphan and kept["instance"] is None and kept["instanceId"]


def _remove_from_corpus(root: Path, instance: URIRef) -> None:
    """Remove a duty instance from the corpus (the default graph) of the closed store folder ``root``."""
    import pyoxigraph as ox

    store = open_store(location=root)
    graph = store._store
    found = list(graph.quads_for_pattern(ox.NamedNode(str(instance)), None, None, ox.DefaultGraph()))
    assert found, f"{instance} is not in the corpus"
    for quad in found:
        graph.remove(quad)
    del store, graph, found
    gc.collect()


def test_sixteen_concurrent_writers_lose_no_update(fresh: Served) -> None:
    cities = [
        i["jurisdiction"]["id"]
        for i in fresh.ask(f'{{ dutyInstances(obligation: "{PLAN}") {{ jurisdiction {{ id }} }} }}')["data"][
            "dutyInstances"
        ]
    ][:16]
    own = {code: fresh.token(f"civil-affairs@{code}", "reporter") for code in cities}
    same = [fresh.token("civil-affairs@420100", "reporter") for _ in range(16)]
    barrier = threading.Barrier(16)
    answers: list[dict] = []

    def write(token: str, variables: dict) -> None:
        barrier.wait()
        answers.append(fresh.ask(SUBMIT, variables, token=token))

    def burst(jobs: list[tuple[str, dict]]) -> None:
        answers.clear()
        threads = [threading.Thread(target=write, args=job) for job in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [codes(a) for a in answers] == [[]] * 16

    burst([(own[code], {"input": plan(code, summary=f"Plan of {code}.")}) for code in cities])
    office = fresh.token(OFFICE, "reviewer")
    for code in cities:
        (status,) = fresh.ask(STATUS, {"obligation": PLAN, "jurisdiction": code}, token=office)["data"]["status"]
        assert [r["summary"] for r in status["history"]] == [f"Plan of {code}."]

    annual = {"obligation": ANNUAL, "jurisdiction": "420100", "due": "2022-12-20", "status": "IN_PROGRESS"}
    burst([(token, {"input": {**annual, "summary": f"Update {n}."}}) for n, token in enumerate(same)])
    (status,) = fresh.ask(STATUS, {"obligation": ANNUAL, "jurisdiction": "420100", "due": "2022-12-20"}, token=office)[
        "data"
    ]["status"]
    history = status["history"]
    assert len(history) == 16 and {r["summary"] for r in history} == {f"Update {n}." for n in range(16)}
    # One linear chain: each report supersedes the one written just before it; no two supersede the same one.
    assert [r["supersedes"] and r["supersedes"]["id"] for r in history] == [r["id"] for r in history[1:]] + [None]


def test_a_service_without_a_store_reads_instances_and_refuses_writes(
    shipped_store: OxigraphStore, accountability: Accountability
) -> None:
    service = ProgressService.open(shipped_store, None, resources.shapes_dir())
    with serving(create_app(accountability, None, progress=service)) as url:
        read_only = Served(url, Path("."), shipped_store, {})
        body = read_only.ask(f'{{ dutyInstances(obligation: "{PLAN}") {{ id }} }}')
        assert len(body["data"]["dutyInstances"]) == 17
        body = read_only.ask(SUBMIT, {"input": plan()}, token="akg_0123456789_" + "a" * 43)
        assert codes(body) == ["FORBIDDEN"] and "--store DIR" in body["errors"][0]["message"]
        body = read_only.ask('{ overdue(asOf: "2022-11-21") { id } }', token="akg_0123456789_" + "a" * 43)
        assert codes(body) == ["UNAUTHENTICATED"] and "--store" in body["errors"][0]["message"]


# -- akg serve --store ------------------------------------------------------------------------------------------------


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """``akg serve`` without the slow SHACL run and without uvicorn.run; returns what uvicorn.run was given."""
    import uvicorn

    import akg.validation
    from akg.validation import ValidationReport

    calls: list[dict] = []
    monkeypatch.setattr(akg.validation, "validate", lambda graph, shapes, **_kw: ValidationReport(()))
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append({"app": app, **kwargs}))
    return calls


def test_akg_serve_with_a_store_accepts_reports_and_holds_the_folder(
    started: list[dict], template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from akg_cli import EXIT_INPUT, main

    root = tmp_path / "store"
    shutil.copytree(template, root)
    monkeypatch.setenv("AKG_STORE", str(root))
    assert main(["serve"]) == 0
    assert started[0]["host"] == "127.0.0.1"
    assert f"reports kept in {root}" in capsys.readouterr().err
    wuhan = issue(root, "civil-affairs@420100", "reporter")
    with serving(started[0]["app"]) as url:
        body = ask(url, SUBMIT, {"input": plan()}, wuhan)
        assert body["data"]["submitReport"]["report"]["instanceId"] == f"{PLAN}@420100"
    # The first server still holds the folder: a second one is refused, with a message, not a traceback.
    assert main(["serve", "--store", str(root)]) == EXIT_INPUT
    assert "open in another process" in capsys.readouterr().err


def test_akg_serve_without_a_store_reads_progress_but_takes_no_report(
    started: list[dict], monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from akg_cli import main

    monkeypatch.delenv("AKG_STORE", raising=False)
    assert main(["serve"]) == 0
    assert "start with --store DIR" in capsys.readouterr().err
    with serving(started[0]["app"]) as url:
        assert len(ask(url, f'{{ dutyInstances(obligation: "{PLAN}") {{ id }} }}')["data"]["dutyInstances"]) == 17
        body = ask(url, SUBMIT, {"input": plan()})
        assert codes(body) == ["FORBIDDEN"] and "akg serve --store DIR" in body["errors"][0]["message"]


def test_a_mutation_over_get_is_refused(served: Served) -> None:
    before = served.quads()
    query = 'mutation { reviewReport(id: "x", decision: ACCEPT) { messages } }'
    response = httpx.get(f"{served.url}/graphql", params={"query": query}, headers={"Authorization": "Bearer x"})
    assert 400 <= response.status_code < 500
    assert codes(response.json()) == ["BAD_REQUEST"]
    assert served.quads() == before


def test_the_progress_fields_follow_the_contract() -> None:
    from graphql_api.schema import schema

    graph = schema._schema
    reads = {
        "dutyInstances": {"obligation", "jurisdiction", "sector", "level", "document", "dueFrom", "dueTo", "first"},
        "status": {"obligation", "jurisdiction", "due"},
        "overdue": {"asOf", "level", "sector", "jurisdiction", "document"},
        "scorecard": {"asOf", "level", "by"},
        "auditLog": {"since", "organization", "first"},
        "report": {"id"},
    }
    for name, args in reads.items():
        assert set(graph.query_type.fields[name].args) == args, name
    writes = {"submitReport": {"input"}, "submitReports": {"inputs"}, "reviewReport": {"id", "decision", "comment"}}
    for name, args in writes.items():
        assert set(graph.mutation_type.fields[name].args) == args, name
    types = graph.type_map
    assert {"id", "obligation", "jurisdiction", "owner", "reviewer", "due", "level", "status"} <= set(
        types["DutyInstance"].fields
    )
    assert {"instance", "latest", "history", "review"} <= set(types["InstanceStatus"].fields)
    assert {"key", "label", "due", "done", "doneOnTime", "overdue", "onTimeRate"} <= set(types["ScoreRow"].fields)
    assert {"report", "messages"} <= set(types["WriteResult"].fields)
    assert set(types["ReportInput"].fields) == {
        *("obligation", "jurisdiction", "due", "status", "summary"),
        *("evidenceUrl", "evidenceSha256", "reportedOn"),
    }
    assert list(types["ReviewDecision"].values) == ["ACCEPT", "RETURN"]
    assert list(types["ScorecardBy"].values) == ["JURISDICTION", "SECTOR"]
    assert list(types["ReportStatus"].values) == ["NOT_STARTED", "IN_PROGRESS", "DONE", "BLOCKED"]
    assert "scorecard(asOf: Date!, level: ID = null, by: ScorecardBy! = JURISDICTION)" in schema.as_str()
