"""A report is acknowledged only once it is durable: kill the server with SIGKILL mid-burst and look.

Sixteen clients write reports concurrently through the real service (``akg serve --store`` in its own
process). Once a fixed number of writes have been acknowledged the server is killed with SIGKILL while
the others are still in flight. The store folder is then opened again: every acknowledged report is
there with all its fields and its audit entry, no record is half-written (each report has its audit
entry and vice versa, the audit sequence has no gap), and the supersession chain of each duty instance
is linear. Deterministic enough for CI: the kill waits for a count of acknowledgements, not a timer.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
from pathlib import Path

import httpx
import pytest

from akg.progress.layout import StoreLayout
from akg.progress.tokens import TokenRegistry
from akg.progress.tracking import Tracker
from akg.store import open_store
from loader.namespaces import AUDIT_GRAPH, REPORTS_GRAPH
from tests.progress_server import server_process

PLAN = "hubei-2022-child-welfare/closing-1"
CITIES = ["420100", "420200", "420300", "420500"]  # four bureaus, four writers each
WRITERS, PER_WRITER, KILL_AFTER = 16, 12, 40

SUBMIT = """mutation($input: ReportInput!) { submitReport(input: $input) { report { id } } }"""


@pytest.fixture
def store_folder(tmp_path: Path, corpus_store_folder: Path) -> Path:
    location = tmp_path / "store"
    shutil.copytree(corpus_store_folder, location)
    return location


def test_every_acknowledged_report_survives_sigkill_and_none_is_half_written(store_folder: Path) -> None:
    tokens = TokenRegistry(StoreLayout(store_folder).tokens)
    token_of = {code: tokens.issue(f"civil-affairs@{code}", "reporter").text for code in CITIES}
    acknowledged: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()

    with server_process(store_folder) as (url, process):

        def writer(n: int) -> None:
            code = CITIES[n % len(CITIES)]
            headers = {"Authorization": f"Bearer {token_of[code]}"}
            with httpx.Client(base_url=url, timeout=30, headers=headers) as http:
                for k in range(PER_WRITER):
                    variables = {
                        "input": {
                            "obligation": PLAN,
                            "jurisdiction": code,
                            "status": "IN_PROGRESS",
                            "summary": f"Writer {n}, update {k}.",
                        }
                    }
                    try:
                        body = http.post("/graphql", json={"query": SUBMIT, "variables": variables}).json()
                    except (httpx.TransportError, ValueError):
                        return  # the server died mid-request: not acknowledged
                    if body.get("errors"):
                        return
                    with lock:
                        acknowledged.append(body["data"]["submitReport"]["report"]["id"])
                        if len(acknowledged) >= KILL_AFTER:
                            enough.set()

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        assert enough.wait(timeout=300), f"only {len(acknowledged)} writes acknowledged"
        os.kill(process.pid, signal.SIGKILL)
        for thread in threads:
            thread.join(timeout=60)
        process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL

    # Opened again, as a restarted server would.
    store = open_store(location=store_folder)
    tracker = Tracker(store)
    reports = {r.id: r for history in tracker.reports().values() for r in history}
    assert set(acknowledged) <= set(reports), "an acknowledged report was lost"
    assert len(reports) < WRITERS * PER_WRITER, "the kill came after every write: the test proved nothing"
    audit = tracker.audit_log()
    assert sorted(e.generated for e in audit) == sorted(reports), "a report without its audit entry, or the reverse"
    assert [e.sequence for e in audit] == list(range(1, len(audit) + 1))
    for code in CITIES:
        (status,) = tracker.status(PLAN, code)
        chain = [r.supersedes for r in status.history]
        assert chain == [r.id for r in status.history[1:]] + [None], f"the history of {code} forked"
        assert all(r.summary and r.reported_on and r.reported_by == f"civil-affairs@{code}" for r in status.history)
    # No record was cut short: every subject written to the reports graph is a whole report (reports()
    # only sees reports with every required field), and nothing else was written there.
    subjects = {
        q.subject.value
        for q in store._store.quads_for_pattern(None, None, None, None)
        if getattr(q.graph_name, "value", "") == str(REPORTS_GRAPH)
    }
    assert subjects == {f"https://w3id.org/akg/id/report/{report_id}" for report_id in reports}
    entries = {
        q.subject.value
        for q in store._store.quads_for_pattern(None, None, None, None)
        if getattr(q.graph_name, "value", "") == str(AUDIT_GRAPH)
    }
    assert len(entries) == len(audit)
