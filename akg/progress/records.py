"""The records progress tracking answers with: plain frozen values whose references are ids.

Ids: a duty instance's is ``<document>/<obligation>@<code>[/<due>]``; an obligation's ``<document>/<obligation>``
(as in the accountability records); a jurisdiction's its six-digit code; an organisation's its registry id
(``civil-affairs@420100`` for a jurisdiction's body); a report's, review's and audit entry's a UUID.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


class Status(enum.Enum):
    """Where the work on a duty instance stands (the report-statuses scheme)."""

    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    BLOCKED = "blocked"


class Decision(enum.Enum):
    """A review's decision (the review-decisions scheme)."""

    ACCEPTED = "accepted"
    RETURNED = "returned"


@dataclass(frozen=True)
class DutyInstance:
    """One obligation binding one jurisdiction's body (and one occurrence of a recurring deadline)."""

    id: str
    iri: str
    obligation: str  # "<document>/<obligation>"
    document: str
    jurisdiction: str  # six-digit code
    level: str  # the level it binds at: "city" or "county"
    owner: str  # organisation id, e.g. civil-affairs@420100
    reviewer: str  # organisation id
    sector: str  # the owner's sector id
    due: dt.date | None
    document_signed: dt.date | None


@dataclass(frozen=True)
class Review:
    """The receiving body's decision on one report; ``at`` is when it was recorded (UTC)."""

    id: str
    report: str
    decision: Decision
    comment: str | None
    reviewed_by: str
    at: dt.datetime


@dataclass(frozen=True)
class Report:
    """A report on one duty instance. ``received_at`` is when the service recorded it (UTC)."""

    id: str
    instance: str
    status: Status
    reported_on: dt.date
    received_at: dt.datetime
    summary: str
    reported_by: str
    evidence_url: str | None = None
    evidence_sha256: str | None = None
    supersedes: str | None = None
    review: Review | None = None


@dataclass(frozen=True)
class InstanceStatus:
    """A duty instance with its reports: ``latest`` first in ``history`` (newest first), or none."""

    instance: DutyInstance
    history: tuple[Report, ...]

    @property
    def latest(self) -> Report | None:
        return self.history[0] if self.history else None


@dataclass(frozen=True)
class AuditEntry:
    """One accepted write. ``action`` is submit-report or review-report; ``token`` the token's public id."""

    id: str
    sequence: int
    action: str
    organization: str
    token: str
    at: dt.datetime
    generated: str  # the report's or review's id
    superseded: str | None  # the report the write superseded, if any
    instance: str | None  # the duty instance the record concerns


@dataclass(frozen=True)
class ScoreRow:
    """One row of a scorecard as of a date: a jurisdiction (code) or a sector (id).

    ``due`` counts instances due on or before the date; ``done`` those reported done and accepted by
    then; ``done_on_time`` those of them reported done on or before their due date; ``overdue`` the rest.
    ``on_time_rate`` is done_on_time / due, or None when nothing is due.
    """

    key: str
    due: int
    done: int
    done_on_time: int
    overdue: int

    @property
    def on_time_rate(self) -> float | None:
        return self.done_on_time / self.due if self.due else None


@dataclass(frozen=True)
class WriteResult:
    """What an accepted write gives back: the record written and the validation messages (Warnings)."""

    report: Report
    messages: tuple[str, ...] = ()
