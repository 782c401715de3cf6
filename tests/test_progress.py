"""Progress tracking's core: duty instances derived from the corpus, the write path, and the as-of reads.

These go through the Python API on a private on-disk store; tests/test_progress_graphql.py covers the
same rules through the running service.
"""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from collections import Counter
from pathlib import Path

import pytest

from akg import resources
from akg.progress.errors import Forbidden, InvalidInput
from akg.progress.ledger import Ledger, ReportInput, progress_shapes
from akg.progress.records import Decision, Status
from akg.progress.tokens import Credential, Role
from akg.progress.tracking import Tracker
from akg.store import OxigraphStore, open_store
from loader.namespaces import AUDIT_GRAPH, REPORTS_GRAPH

HUBEI = "hubei-2022-child-welfare"
PLAN = f"{HUBEI}/closing-1"  # each city's work plan, due 2022-11-20
ANNUAL = f"{HUBEI}/closing-2"  # each city's report, before 20 December, 2022 to 2025
WUHAN_BUREAU = Credential("tok-wuhan", "civil-affairs@420100", Role.REPORTER)
HUANGSHI_BUREAU = Credential("tok-huangshi", "civil-affairs@420200", Role.REPORTER)
OFFICE = Credential("tok-office", "hubei-child-welfare-office", Role.REVIEWER)
TODAY = dt.datetime(2022, 12, 1, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def corpus_tracker(shipped_store: OxigraphStore) -> Tracker:
    return Tracker(shipped_store)


@pytest.fixture(scope="module")
def built_store(corpus_store_folder: Path) -> Path:
    """An on-disk store of the shipped corpus, built once; tests write to copies of it."""
    return corpus_store_folder


@pytest.fixture
def ledger(tmp_path: Path, built_store: Path) -> Ledger:
    """A ledger on a private on-disk store whose clock reads 2022-12-01."""
    shutil.copytree(built_store, tmp_path / "store")
    store = open_store(location=tmp_path / "store")  # the inputs are unchanged: no rebuild
    return Ledger(Tracker(store), progress_shapes(resources.shapes_dir()), clock=lambda: TODAY)


def report(obligation: str = PLAN, jurisdiction: str = "420100", **fields: object) -> ReportInput:
    values: dict = {"status": "done", "summary": "Plan sent to the Provincial Child Welfare Office."}
    values.update(fields)
    return ReportInput(obligation, jurisdiction, **values)


def quads(ledger: Ledger) -> Counter:
    store = ledger.store._store
    return Counter(getattr(q.graph_name, "value", "") for q in store.quads_for_pattern(None, None, None, None))


# -- duty instances ----------------------------------------------------------------------------------------


def test_the_plan_gives_one_instance_per_city_level_unit_owned_by_its_civil_affairs_bureau(
    corpus_tracker: Tracker,
) -> None:
    plans = corpus_tracker.instances(obligation=PLAN)
    assert len(plans) == 17
    assert {i.due for i in plans} == {dt.date(2022, 11, 20)}
    assert {i.owner for i in plans} == {f"civil-affairs@{i.jurisdiction}" for i in plans}
    assert {"420100", "422800", "429004", "429021"} <= {i.jurisdiction for i in plans}  # Wuhan, Enshi, Xiantao...
    assert {i.reviewer for i in plans} == {"hubei-child-welfare-office"}  # the office the text names


def test_a_recurring_deadline_gives_one_instance_per_occurrence_per_jurisdiction(corpus_tracker: Tracker) -> None:
    annual = corpus_tracker.instances(obligation=ANNUAL, jurisdiction="420100")
    assert [i.due for i in annual] == [dt.date(year, 12, 20) for year in range(2022, 2026)]
    assert annual[0].id == f"{ANNUAL}@420100/2022-12-20"
    assert len(corpus_tracker.instances(obligation=ANNUAL)) == 17 * 4


def test_a_county_duty_binds_all_103_county_level_units_and_the_direct_ones_once(corpus_tracker: Tracker) -> None:
    county = corpus_tracker.instances(obligation=f"{HUBEI}/2.2.1-3")
    assert len(county) == 103
    assert {i.level for i in county} == {"county"}
    assert "429004" in {i.jurisdiction for i in county}  # Xiantao is county-level too


def test_instance_filters(corpus_tracker: Tracker) -> None:
    in_wuhan = corpus_tracker.instances(jurisdiction="420100")
    assert in_wuhan and all(corpus_tracker.index.within(i.jurisdiction, "420100") for i in in_wuhan)
    assert {i.jurisdiction for i in in_wuhan} - {"420100"}  # its districts too
    assert all(i.level == "city" for i in corpus_tracker.instances(level="city"))
    dated = corpus_tracker.instances(due_to=dt.date(2022, 12, 31))
    assert {i.obligation for i in dated} == {PLAN, ANNUAL}


@pytest.mark.parametrize(
    ("kind", "call"),
    [
        ("jurisdiction", lambda t: t.instances(jurisdiction="999999")),
        ("level", lambda t: t.instances(level="village")),
        ("sector", lambda t: t.instances(sector="civil-afairs")),
    ],
)
def test_an_unknown_filter_is_an_error_not_an_empty_answer(corpus_tracker: Tracker, kind: str, call) -> None:
    from akg.accountability.records import UnknownIdentifier

    with pytest.raises(UnknownIdentifier) as caught:
        call(corpus_tracker)
    assert caught.value.kind == kind


def test_with_no_reports_the_17_plans_are_overdue_the_day_after(corpus_tracker: Tracker) -> None:
    overdue = corpus_tracker.overdue(dt.date(2022, 11, 21))
    assert [s.instance.obligation for s in overdue] == [PLAN] * 17
    assert len(corpus_tracker.overdue(dt.date(2022, 11, 20))) == 17  # "due on or before asOf" (the rule)
    assert corpus_tracker.overdue(dt.date(2022, 11, 19)) == []
    assert len(corpus_tracker.overdue(dt.date(2022, 12, 21))) == 34  # and the first annual report


# -- writing -----------------------------------------------------------------------------------------------


def test_a_report_and_its_acceptance_make_the_duty_done_on_time(ledger: Ledger) -> None:
    written = ledger.submit_report(WUHAN_BUREAU, report(reported_on=dt.date(2022, 11, 18))).report
    assert written.status is Status.DONE and written.reported_by == "civil-affairs@420100"
    reviewed = ledger.review_report(OFFICE, written.id, "accepted").report
    assert reviewed.review is not None and reviewed.review.decision is Decision.ACCEPTED
    tracker = ledger.tracker
    assert "420100" not in {s.instance.jurisdiction for s in tracker.overdue(dt.date(2022, 12, 2))}
    assert len(tracker.overdue(dt.date(2022, 12, 2))) == 16
    wuhan = next(r for r in tracker.scorecard(dt.date(2022, 12, 2), level="city") if r.key == "420100")
    assert (wuhan.due, wuhan.done, wuhan.done_on_time, wuhan.overdue, wuhan.on_time_rate) == (1, 1, 1, 0, 1.0)
    # Accepted on 2022-12-01: as of the day before, it was not yet accepted.
    assert "420100" in {s.instance.jurisdiction for s in tracker.overdue(dt.date(2022, 11, 30))}


def test_a_late_report_is_done_but_not_on_time(ledger: Ledger) -> None:
    written = ledger.submit_report(WUHAN_BUREAU, report(reported_on=dt.date(2022, 11, 25))).report
    ledger.review_report(OFFICE, written.id, "accepted")
    row = next(r for r in ledger.tracker.scorecard(dt.date(2022, 12, 2)) if r.key == "420100")
    assert (row.done, row.done_on_time) == (1, 0)


def test_a_new_report_supersedes_the_last_and_the_history_stays(ledger: Ledger) -> None:
    first = ledger.submit_report(WUHAN_BUREAU, report(status="in-progress", summary="Drafting.")).report
    second = ledger.submit_report(WUHAN_BUREAU, report(summary="Sent.")).report
    assert second.supersedes == first.id
    (status,) = ledger.tracker.status(PLAN, "420100")
    assert [r.id for r in status.history] == [second.id, first.id]
    entries = ledger.tracker.audit_log()
    assert [e.sequence for e in entries] == [1, 2]
    assert entries[1].superseded == first.id and entries[1].token == "tok-wuhan"
    assert entries[1].instance == f"{PLAN}@420100"


def test_a_recurring_duty_needs_the_occurrence(ledger: Ledger) -> None:
    with pytest.raises(InvalidInput) as caught:
        ledger.submit_report(WUHAN_BUREAU, report(ANNUAL))
    assert "give the due date" in caught.value.messages[0]
    written = ledger.submit_report(WUHAN_BUREAU, report(ANNUAL, due=dt.date(2022, 12, 20))).report
    assert written.instance == f"{ANNUAL}@420100/2022-12-20"


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"status": "finished"}, "not one of not-started, in-progress, done, blocked"),
        ({"reported_on": dt.date(2022, 12, 2)}, "in the future"),
        ({"reported_on": dt.date(2022, 8, 1)}, "before the document"),
        ({"summary": ""}, "1 to 2,000 characters"),
        ({"summary": "x" * 2001}, "1 to 2,000 characters"),
        ({"evidence_sha256": "abc"}, "SHA-256"),
        ({"evidence_url": "javascript:alert(1)"}, "http or https"),
        ({"summary": "Child 420106201501011234 placed."}, "resident identity number"),
        ({"summary": "Call the guardian on 138-1234-5678."}, "mobile telephone number"),
        ({"summary": "Guardian: +86 13812345678"}, "mobile telephone number"),
        ({"summary": "Plan\x00sent."}, "control character U+0000 at position 5"),
        ({"summary": "Plan \ud800"}, "control character U+D800"),
    ],
)
def test_a_bad_report_is_refused_with_its_message_and_changes_nothing(ledger: Ledger, fields: dict, words: str) -> None:
    before = quads(ledger)
    with pytest.raises(InvalidInput) as caught:
        ledger.submit_report(WUHAN_BUREAU, report(**fields))
    assert any(words in m for m in caught.value.messages), caught.value.messages
    assert quads(ledger) == before


def test_a_long_number_that_is_not_personal_data_is_accepted(ledger: Ledger) -> None:
    summary = "Budget 2,300,000 yuan; document 鄂民政发〔2022〕12号; 17 cities; hash 1234567890."
    assert ledger.submit_report(WUHAN_BUREAU, report(summary=summary)).report.summary == summary


def test_every_problem_is_returned_at_once(ledger: Ledger) -> None:
    with pytest.raises(InvalidInput) as caught:
        ledger.submit_report(WUHAN_BUREAU, report(summary="", evidence_sha256="zz", reported_on=dt.date(2030, 1, 1)))
    assert len(caught.value.messages) == 3


def test_only_the_owner_may_report_and_only_a_reporter(ledger: Ledger) -> None:
    before = quads(ledger)
    with pytest.raises(Forbidden, match="owned by civil-affairs@420100"):
        ledger.submit_report(HUANGSHI_BUREAU, report())
    with pytest.raises(Forbidden, match="reporter token"):
        ledger.submit_report(OFFICE, report())
    assert quads(ledger) == before


def test_only_the_receiving_body_reviews_the_latest_report_once(ledger: Ledger) -> None:
    first = ledger.submit_report(WUHAN_BUREAU, report(status="in-progress", summary="Drafting.")).report
    second = ledger.submit_report(WUHAN_BUREAU, report()).report
    other_reviewer = Credential("tok-x", "hubei-civil-affairs", Role.REVIEWER)
    with pytest.raises(Forbidden, match="addressed to hubei-child-welfare-office"):
        ledger.review_report(other_reviewer, second.id, "accepted")
    with pytest.raises(Forbidden, match="reviewer token"):
        ledger.review_report(WUHAN_BUREAU, second.id, "accepted")
    with pytest.raises(InvalidInput, match="superseded"):
        ledger.review_report(OFFICE, first.id, "accepted")
    with pytest.raises(InvalidInput, match="only with a comment"):
        ledger.review_report(OFFICE, second.id, "returned")
    returned = ledger.review_report(OFFICE, second.id, "returned", "Attach the plan.").report
    assert returned.review is not None and returned.review.comment == "Attach the plan."
    with pytest.raises(InvalidInput, match="already returned"):
        ledger.review_report(OFFICE, second.id, "accepted")


def test_a_batch_is_all_or_nothing_and_names_each_bad_report(ledger: Ledger) -> None:
    good = report(summary="Sent.")
    bad = report(ANNUAL, due=dt.date(2022, 12, 20), status="done-ish")
    worse = report(ANNUAL, due=dt.date(2023, 12, 20), summary="")
    before = quads(ledger)
    with pytest.raises(InvalidInput) as caught:
        ledger.submit_reports(WUHAN_BUREAU, [good, bad, worse])
    assert [m.split(":")[0] for m in caught.value.messages] == ["report 2", "report 3"]
    assert quads(ledger) == before
    written = ledger.submit_reports(WUHAN_BUREAU, [good, report(summary="Sent, with annex.")])
    assert written[1].report.supersedes == written[0].report.id


def test_records_and_audit_live_in_private_named_graphs(ledger: Ledger) -> None:
    ledger.submit_report(WUHAN_BUREAU, report())
    graphs = quads(ledger)
    assert graphs[str(REPORTS_GRAPH)] > 0 and graphs[str(AUDIT_GRAPH)] > 0
    served = ledger.store.export()  # the default graph: what /sparql and /id/ show
    assert not any("report/" in str(s) for s in served.subjects())


def test_sixteen_concurrent_writers_lose_no_update(ledger: Ledger) -> None:
    barrier = threading.Barrier(16)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        barrier.wait()
        try:
            ledger.submit_report(WUHAN_BUREAU, report(summary=f"Update {n}."))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    (status,) = ledger.tracker.status(PLAN, "420100")
    assert len(status.history) == 16
    # One linear chain: each report supersedes the one written just before it.
    chain = [r.supersedes for r in status.history]
    assert chain == [r.id for r in status.history[1:]] + [None]
    assert [e.sequence for e in ledger.tracker.audit_log()] == list(range(1, 17))


def test_rebuilding_the_corpus_keeps_reports_and_flags_orphans(tmp_path: Path, built_store: Path) -> None:
    location = tmp_path / "store"
    shutil.copytree(built_store, location)
    store = open_store(location=location)
    ledger = Ledger(Tracker(store), progress_shapes(resources.shapes_dir()), clock=lambda: TODAY)
    written = ledger.submit_report(WUHAN_BUREAU, report()).report
    del ledger, store  # release the store's lock, as a stopped server would
    data = tmp_path / "data"
    shutil.copytree(resources.data_dir(), data)
    plan_file = data / "documents" / HUBEI / "obligations" / "1.2-3-closing.yaml"
    text = plan_file.read_text(encoding="utf-8")
    plan_file.write_text(text.replace("  - id: closing-1\n", "  - id: closing-1-renamed\n"), encoding="utf-8")
    rebuilt = open_store(data_dir=data, location=location)
    tracker = Tracker(rebuilt)
    assert [r.id for r in tracker.orphaned_reports()] == [written.id]
    assert tracker.audit_log()[0].generated == written.id


# -- exporting the audit trail ------------------------------------------------------------------------------


def test_the_audit_trail_exports_as_rows_and_as_prov_o(tmp_path: Path, built_store: Path) -> None:
    import csv
    import json

    from rdflib import Graph
    from rdflib.namespace import PROV

    from akg_cli import main
    from loader.namespaces import AKG

    location = tmp_path / "store"
    shutil.copytree(built_store, location)
    ledger = Ledger(
        Tracker(open_store(location=location)), progress_shapes(resources.shapes_dir()), clock=lambda: TODAY
    )
    first = ledger.submit_report(WUHAN_BUREAU, report(status="in-progress", summary="Drafting.")).report
    second = ledger.submit_report(WUHAN_BUREAU, report()).report
    ledger.review_report(OFFICE, second.id, "accepted")
    ledger.submit_report(HUANGSHI_BUREAU, report(jurisdiction="420200"))
    del ledger  # release the folder, as a stopped server would
    import gc

    gc.collect()

    rows_file, ttl_file = tmp_path / "audit.csv", tmp_path / "audit.ttl"
    assert (
        main(["audit", "--store", str(location), "-o", str(rows_file), "--organization", "civil-affairs@420100"]) == 0
    )
    rows = list(csv.DictReader(rows_file.open(encoding="utf-8")))
    assert [(r["sequence"], r["action"], r["generated"]) for r in rows] == [
        ("1", "submit-report", first.id),
        ("2", "submit-report", second.id),
    ]
    assert rows[1]["superseded"] == first.id and rows[1]["token"] == "tok-wuhan"

    assert main(["audit", "--store", str(location), "-o", str(ttl_file)]) == 0
    trail = Graph().parse(ttl_file, format="turtle")
    assert len(set(trail.subjects(PROV.wasAssociatedWith, None))) == 4
    assert len(set(trail.objects(None, AKG.viaToken))) == 3

    as_json = tmp_path / "audit.json"
    assert main(["audit", "--store", str(location), "-o", str(as_json), "--since", "2030-01-01"]) == 0
    assert json.loads(as_json.read_text(encoding="utf-8")) == []


def test_the_audit_export_says_so_when_the_folder_holds_no_store(tmp_path: Path, capsys) -> None:
    from akg_cli import main

    assert main(["audit", "--store", str(tmp_path / "none"), "-o", str(tmp_path / "a.json")]) == 2
    assert "holds no graph" in capsys.readouterr().err
