"""The matrix's status view: how far the duties behind each cell are done, as of a date.

Contract: :func:`status_view` reads a :class:`~akg.progress.tracking.Tracker` once and returns a
:class:`StatusView`; :meth:`StatusView.cell` gives the :class:`Tally` of one cell of any matrix of the
pack (the main one or a level sheet's). A cell counts the duty instances of the obligations behind it that
its row's sector owns (the bodies that report are those of the lead's sector), at the matrix's level when
it has one. An instance is *due* when its due date is on or before the date, *done* when it was reported
done and accepted by then (see :mod:`akg.progress.tracking`), *overdue* when due and not done.

The statuses, their colours and their words are shared with the scorecard (:mod:`akg.scorecard`), so that
a red cell means the same in both.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from akg.accountability import MatrixCell
    from akg.progress.tracking import Tracker

OVERDUE, DONE, NOT_DUE = "overdue", "done", "not-due"
#: Statuses in the order they are shown (the worst first).
STATUSES = (OVERDUE, DONE, NOT_DUE)
#: Fill colours (RGB hex, no "#"): red-ish, green-ish, grey.
STATUS_FILLS = {OVERDUE: "F4B4B4", DONE: "C6E8C0", NOT_DUE: "EEEEEE"}
#: What each status means, by language.
STATUS_WORDS: Mapping[str, Mapping[str, str]] = {
    "en": {OVERDUE: "overdue", DONE: "done", NOT_DUE: "nothing due yet"},
    "zh": {OVERDUE: "逾期", DONE: "已完成", NOT_DUE: "尚未到期"},
}
STATUS_MEANINGS: Mapping[str, Mapping[str, str]] = {
    "en": {
        OVERDUE: "something due on or before the date was not reported done and accepted by then",
        DONE: "everything due by the date was reported done and accepted by then",
        NOT_DUE: "nothing was due yet on the date",
    },
    "zh": {
        OVERDUE: "截至该日应完成的任务中，有未报告完成或未获审核通过的",
        DONE: "截至该日应完成的任务均已报告完成并获审核通过",
        NOT_DUE: "截至该日尚无到期任务",
    },
}


def status_of(due: int, overdue: int) -> str:
    """The status of a count: overdue when anything due is not done, done when all due is, else not due."""
    if overdue:
        return OVERDUE
    return DONE if due else NOT_DUE


@dataclass(frozen=True)
class Tally:
    """Duty instances counted as of a date: all of them, those due, those done, those overdue."""

    instances: int = 0
    due: int = 0
    done: int = 0
    overdue: int = 0

    @property
    def status(self) -> str | None:
        """One of :data:`STATUSES`, or None when there is no instance to count."""
        return status_of(self.due, self.overdue) if self.instances else None

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.instances + other.instances, self.due + other.due, self.done + other.done, self.overdue + other.overdue
        )

    def text(self, lang: str = "en") -> str:
        """E.g. ``17 due: 3 done, 14 overdue`` or ``4 instances, none due yet`` (in ``lang``, en or zh)."""
        if lang == "zh":
            if not self.due:
                return f"{self.instances}项任务，尚无到期"
            return f"应完成{self.due}项：已完成{self.done}项，逾期{self.overdue}项"
        if not self.due:
            return f"{self.instances} instance{'s' * (self.instances != 1)}, none due yet"
        return f"{self.due} due: {self.done} done, {self.overdue} overdue"


@dataclass(frozen=True)
class StatusView:
    """Each obligation's duty instances, counted by (owner's sector, level), as of ``as_of``."""

    as_of: dt.date
    counts: Mapping[str, Mapping[tuple[str, str], Tally]] = field(default_factory=dict)

    def cell(self, sector: str, cell: MatrixCell, level: str | None = None) -> Tally:
        """The instances behind ``cell`` of the row ``sector`` (at ``level``, or every level), summed."""
        total = Tally()
        for obligation in cell.obligation_ids:
            for (owner_sector, at), tally in self.counts.get(obligation, {}).items():
                if owner_sector == sector and (level is None or at == level):
                    total += tally
        return total


def status_view(tracker: Tracker, as_of: dt.date) -> StatusView:
    """Count every duty instance of ``tracker`` as of ``as_of`` (reports read once)."""
    reports = tracker.reports()
    counts: dict[str, dict[tuple[str, str], Tally]] = defaultdict(dict)
    for instance in tracker.instances():
        due = instance.due is not None and instance.due <= as_of
        done = due and tracker.done_as_of(reports.get(instance.id, ()), as_of) is not None
        key = (instance.sector, instance.level)
        previous = counts[instance.obligation].get(key, Tally())
        counts[instance.obligation][key] = previous + Tally(1, int(due), int(done), int(due and not done))
    return StatusView(as_of, {k: dict(v) for k, v in counts.items()})
