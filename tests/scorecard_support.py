"""Fixture reports for the scorecard tests, written through the Ledger into an on-disk store folder.

These reports are invented for the tests: nothing like them is shipped in data/. Four of the 17 city-level
civil affairs bureaus report on the plan due 2022-11-20 (hubei-2022-child-welfare/closing-1):

- Wuhan (420100): done on 2022-11-18, accepted on 2022-11-19: done on time;
- Yichang (420500): in progress on 2022-11-15, not reviewed: overdue;
- Xiangyang (420600): done on 2022-11-19, returned on 2022-11-20: overdue;
- Shiyan (420300): done on 2022-11-22, accepted on 2022-11-23: overdue on 2022-11-21, done late afterwards.

The other 13 never report.
"""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

from akg import resources
from akg.progress.ledger import Ledger, ReportInput, progress_shapes
from akg.progress.tokens import Credential, Role
from akg.progress.tracking import Tracker
from akg.store import open_store

AS_OF = dt.date(2022, 11, 21)  # the day after the plans were due
LATER = dt.date(2022, 11, 30)
PLAN = "hubei-2022-child-welfare/closing-1"
OFFICE = Credential("tok-office", "hubei-child-welfare-office", Role.REVIEWER)
CITIES = 17


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9, 30), tzinfo=dt.UTC)


class _Writer:
    """Writes reports and reviews through the Ledger, each on its own day (the Ledger's clock)."""

    def __init__(self, location: Path) -> None:
        self.now = _at(AS_OF)
        tracker = Tracker(open_store(location=location))
        self.ledger = Ledger(tracker, progress_shapes(resources.shapes_dir()), lambda: self.now)

    def report(self, code: str, status: str, on: dt.date, summary: str) -> str:
        self.now = _at(on)
        bureau = Credential(f"tok-{code}", f"civil-affairs@{code}", Role.REPORTER)
        return self.ledger.submit_report(bureau, ReportInput(PLAN, code, status, summary, reported_on=on)).report.id

    def review(self, report_id: str, decision: str, on: dt.date, comment: str | None = None) -> None:
        self.now = _at(on)
        self.ledger.review_report(OFFICE, report_id, decision, comment)


def write_fixture_reports(location: Path) -> None:
    """Build the shipped corpus into the store folder ``location`` and write the reports above; the folder's
    lock is released on return."""
    writer = _Writer(location)
    wuhan = writer.report("420100", "done", dt.date(2022, 11, 18), "Plan sent to the Provincial Child Welfare Office.")
    writer.review(wuhan, "accepted", dt.date(2022, 11, 19))
    writer.report("420500", "in-progress", dt.date(2022, 11, 15), "The plan is being drafted with the departments.")
    xiangyang = writer.report("420600", "done", dt.date(2022, 11, 19), "Plan sent.")
    writer.review(xiangyang, "returned", dt.date(2022, 11, 20), "The plan names no timetable; send it again.")
    shiyan = writer.report("420300", "done", dt.date(2022, 11, 22), "Plan sent, late.")
    writer.review(shiyan, "accepted", dt.date(2022, 11, 23))
    del writer
    gc.collect()  # the store closes with its last reference, releasing the folder's lock
