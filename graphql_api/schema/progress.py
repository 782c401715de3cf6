"""Progress tracking's GraphQL face: duty instances, reports, reviews, scorecards and the audit trail.

The types here wrap the records of :mod:`akg.progress.records`; the reads of :class:`ProgressQuery` and the
writes of :mod:`graphql_api.schema.mutations` go through the request's
:class:`akg.progress.service.ProgressService` (``info.context["progress"]``), so they apply its read rules:

- duty instances (``dutyInstances``, and every field of ``DutyInstance`` but ``status``) are open, as the
  policy graph is;
- reports, statuses, overdue lists, scorecards and the audit trail need a valid token of any role
  (UNAUTHENTICATED otherwise); a token that is not an admin's reads the audit entries of its own
  organisation only (FORBIDDEN for another's).

Reports are read once per request (``akg.reports`` in the request's context), so a list of instances
with their status costs one store query, not one per instance.
"""

from __future__ import annotations

import datetime as dt
import enum

import strawberry
from strawberry.types import Info

from akg.progress.records import AuditEntry, DutyInstance, InstanceStatus, Report, Review, ScoreRow
from akg.progress.tokens import Role
from graphql_api.schema.auth import credential, progress, refused
from graphql_api.schema.common import Forbidden, QueryInputError, _acc, _checked, _label, _text_arg
from graphql_api.schema.types import ConceptNode, Document, JurisdictionNode, ObligationNode, OrganizationNode

#: ``first`` of ``dutyInstances``: when omitted and at most; the corpus derives 787 instances.
MAX_INSTANCES = 1000
#: ``first`` of ``auditLog``: when omitted, and at most.
AUDIT_PAGE, MAX_AUDIT = 100, 1000

_REPORTS = "akg.reports"  # the request's reports by instance id, read once


@strawberry.enum(description="Where the work on a duty instance stands, as its report says.")
class ReportStatus(enum.Enum):
    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    BLOCKED = "blocked"


@strawberry.enum(
    description="A review's decision: ACCEPT the report, or RETURN it with a comment saying what to change."
)
class ReviewDecision(enum.Enum):
    ACCEPT = "accepted"
    RETURN = "returned"


@strawberry.enum(description="What a scorecard's rows are: one per JURISDICTION (division code) or per SECTOR.")
class ScorecardBy(enum.Enum):
    JURISDICTION = "jurisdiction"
    SECTOR = "sector"


@strawberry.enum(description="What an audited write did: SUBMIT_REPORT or REVIEW_REPORT.")
class AuditAction(enum.Enum):
    SUBMIT_REPORT = "submit-report"
    REVIEW_REPORT = "review-report"


# -- reading helpers --------------------------------------------------------------------------------------


def reports(info: Info) -> dict[str, list[Report]]:
    """Every report by duty instance id, newest first, read once per request."""
    found = info.context.get(_REPORTS)
    if found is None:
        found = info.context[_REPORTS] = progress(info).tracker.reports()
    return found


def forget_reports(info: Info) -> None:
    """After a write: the next read of this request sees it."""
    info.context.pop(_REPORTS, None)


def _organization(info: Info, org_id: str) -> OrganizationNode | None:
    found = _acc(info).organization(org_id)
    return OrganizationNode(record=found) if found else None


def _instance(info: Info, instance_id: str) -> DutyInstanceNode | None:
    found = progress(info).tracker.index.by_id.get(instance_id)
    return DutyInstanceNode(record=found) if found else None


def _check_ids(info: Info, obligation: str | None, document: str | None) -> None:
    """An unknown obligation or document in a filter is an error, as every unknown id in a filter is."""
    _text_arg(obligation, "obligation")
    _text_arg(document, "document")
    if obligation is not None and _acc(info).obligation(obligation) is None:
        raise QueryInputError(f"unknown obligation {obligation!r}")
    if document is not None and _acc(info).document(document) is None:
        raise QueryInputError(f"unknown document {document!r}")


def utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A time as UTC; a time without a zone is read as UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


# -- types --------------------------------------------------------------------------------------------------


@strawberry.type(
    name="DutyInstance",
    description="One obligation binding one jurisdiction's body, for one occurrence of a recurring deadline. "
    "Derived from the corpus and the division list, with a stable id `<document>/<obligation>@<code>[/<due>]`. "
    "Every field is open but `status`, which needs a token.",
)
class DutyInstanceNode:
    record: strawberry.Private[DutyInstance]

    @strawberry.field(description="The stable id, e.g. `hubei-2022-child-welfare/closing-1@420100`.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description="The obligation it is an instance of.")
    def obligation(self, info: Info) -> ObligationNode:
        found = _acc(info).obligation(self.record.obligation)
        if found is None:  # both are read from the same corpus at start-up
            raise LookupError(f"obligation {self.record.obligation} of {self.record.id} is not indexed")
        return ObligationNode(record=found)

    @strawberry.field(description="The document stating the obligation.")
    def document(self, info: Info) -> Document | None:
        found = _acc(info).document(self.record.document)
        return Document(record=found) if found else None

    @strawberry.field(description="The jurisdiction it binds (its id is the six-digit division code).")
    def jurisdiction(self) -> JurisdictionNode:
        return JurisdictionNode(code=self.record.jurisdiction)

    @strawberry.field(description="The level it binds at: city or county.")
    def level(self, info: Info) -> ConceptNode | None:
        found = _acc(info).concept("levels", self.record.level)
        return ConceptNode(record=found) if found else None

    @strawberry.field(description="The sector of its owner.")
    def sector(self, info: Info) -> ConceptNode | None:
        found = _acc(info).concept("sectors", self.record.sector)
        return ConceptNode(record=found) if found else None

    @strawberry.field(
        description="Who must act: the jurisdiction's body of the duty's sector, e.g. civil-affairs@420100."
    )
    def owner(self, info: Info) -> OrganizationNode | None:
        return _organization(info, self.record.owner)

    @strawberry.field(description="Who receives and reviews its reports, e.g. hubei-child-welfare-office.")
    def reviewer(self, info: Info) -> OrganizationNode | None:
        return _organization(info, self.record.reviewer)

    @strawberry.field(description="When it falls due; null for a duty without a calendar date.")
    def due(self) -> dt.date | None:
        return self.record.due

    @strawberry.field(description="Its reports, latest first, and the latest one's review. Needs a token.")
    def status(self, info: Info) -> InstanceStatusNode:
        credential(info)
        history = tuple(reports(info).get(self.record.id, ()))
        return InstanceStatusNode(record=InstanceStatus(self.record, history))


@strawberry.type(name="Review", description="The receiving body's decision on one report.")
class ReviewNode:
    record: strawberry.Private[Review]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field
    def decision(self) -> ReviewDecision:
        return ReviewDecision(self.record.decision.value)

    @strawberry.field(description="What to change (a returned report always has one).")
    def comment(self) -> str | None:
        return self.record.comment

    @strawberry.field(description="The body that reviewed it.")
    def reviewed_by(self, info: Info) -> OrganizationNode | None:
        return _organization(info, self.record.reviewed_by)

    @strawberry.field(description="When the review was recorded (UTC).")
    def at(self) -> dt.datetime:
        return self.record.at


@strawberry.type(name="Report", description="A report on one duty instance. Reports are append-only.")
class ReportNode:
    record: strawberry.Private[Report]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description="The id of the duty instance it is about.")
    def instance_id(self) -> strawberry.ID:
        return strawberry.ID(self.record.instance)

    @strawberry.field(
        description="The duty instance it is about; null when its obligation is no longer in the corpus "
        "(the report is kept, and flagged as a Warning at start-up)."
    )
    def instance(self, info: Info) -> DutyInstanceNode | None:
        return _instance(info, self.record.instance)

    @strawberry.field
    def status(self) -> ReportStatus:
        return ReportStatus(self.record.status.value)

    @strawberry.field(description="The date the bureau made the report.")
    def reported_on(self) -> dt.date:
        return self.record.reported_on

    @strawberry.field(description="When the service recorded it (UTC).")
    def received_at(self) -> dt.datetime:
        return self.record.received_at

    @strawberry.field(description="At most 2,000 characters.")
    def summary(self) -> str:
        return self.record.summary

    @strawberry.field(description="The body that reported.")
    def reported_by(self, info: Info) -> OrganizationNode | None:
        return _organization(info, self.record.reported_by)

    @strawberry.field
    def evidence_url(self) -> str | None:
        return self.record.evidence_url

    @strawberry.field(description="The SHA-256 of the evidence document, 64 lower-case hex digits.")
    def evidence_sha256(self) -> str | None:
        return self.record.evidence_sha256

    @strawberry.field(description="The report this one superseded (the instance's latest before it).")
    def supersedes(self, info: Info) -> ReportNode | None:
        if self.record.supersedes is None:
            return None
        history = reports(info).get(self.record.instance, ())
        found = next((r for r in history if r.id == self.record.supersedes), None)
        return ReportNode(record=found) if found else None

    @strawberry.field(description="The receiving body's decision, once made.")
    def review(self) -> ReviewNode | None:
        return ReviewNode(record=self.record.review) if self.record.review else None


@strawberry.type(name="InstanceStatus", description="A duty instance with its reports.")
class InstanceStatusNode:
    record: strawberry.Private[InstanceStatus]

    @strawberry.field
    def instance(self) -> DutyInstanceNode:
        return DutyInstanceNode(record=self.record.instance)

    @strawberry.field(description="The latest report, or null when none was made.")
    def latest(self) -> ReportNode | None:
        return ReportNode(record=self.record.latest) if self.record.latest else None

    @strawberry.field(description="Every report, newest first; each supersedes the next.")
    def history(self) -> list[ReportNode]:
        return [ReportNode(record=r) for r in self.record.history]

    @strawberry.field(description="The latest report's review, or null.")
    def review(self) -> ReviewNode | None:
        latest = self.record.latest
        return ReviewNode(record=latest.review) if latest and latest.review else None


@strawberry.type(
    name="ScoreRow",
    description="One row of a scorecard as of a date: due counts instances due on or before it; done those "
    "reported done and accepted by then; doneOnTime those of them reported on or before their due date; "
    "overdue the rest of the due ones; onTimeRate is doneOnTime / due (null when nothing is due).",
)
class ScoreRowNode:
    record: strawberry.Private[ScoreRow]
    by: strawberry.Private[ScorecardBy]

    @strawberry.field(description="A division code (by JURISDICTION) or a sector id (by SECTOR).")
    def key(self) -> strawberry.ID:
        return strawberry.ID(self.record.key)

    @strawberry.field(description='The jurisdiction\'s or sector\'s name in `lang` ("en" or "zh").')
    def label(self, info: Info, lang: str = "en") -> str:
        acc = _acc(info)
        if self.by is ScorecardBy.JURISDICTION:
            found = acc.jurisdiction(self.record.key)
        else:
            found = acc.concept("sectors", self.record.key)
        return _label(found.labels, lang, self.record.key) if found else self.record.key

    @strawberry.field
    def due(self) -> int:
        return self.record.due

    @strawberry.field
    def done(self) -> int:
        return self.record.done

    @strawberry.field
    def done_on_time(self) -> int:
        return self.record.done_on_time

    @strawberry.field
    def overdue(self) -> int:
        return self.record.overdue

    @strawberry.field
    def on_time_rate(self) -> float | None:
        return self.record.on_time_rate


@strawberry.type(
    name="AuditEntry",
    description="One accepted write (PROV-O: an activity associated with the organisation, generating the "
    "report or review): who, through which token, when, what, and the report it superseded.",
)
class AuditEntryNode:
    record: strawberry.Private[AuditEntry]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description="Its position in the write order, from 1.")
    def sequence(self) -> int:
        return self.record.sequence

    @strawberry.field
    def action(self) -> AuditAction:
        return AuditAction(self.record.action)

    @strawberry.field(description="The id of the organisation that wrote.")
    def organization_id(self) -> strawberry.ID:
        return strawberry.ID(self.record.organization)

    @strawberry.field(description="The organisation that wrote (null if no longer in the corpus).")
    def organization(self, info: Info) -> OrganizationNode | None:
        return _organization(info, self.record.organization)

    @strawberry.field(description="The public id of the token it wrote with (never the secret).")
    def token(self) -> strawberry.ID:
        return strawberry.ID(self.record.token)

    @strawberry.field(description="When the write was committed (UTC).")
    def at(self) -> dt.datetime:
        return self.record.at

    @strawberry.field(description="The id of the report or review written.")
    def generated(self) -> strawberry.ID:
        return strawberry.ID(self.record.generated)

    @strawberry.field(description="The id of the report the write superseded, if any.")
    def superseded(self) -> strawberry.ID | None:
        return strawberry.ID(self.record.superseded) if self.record.superseded else None

    @strawberry.field(description="The duty instance the record concerns.")
    def instance(self, info: Info) -> DutyInstanceNode | None:
        return _instance(info, self.record.instance) if self.record.instance else None


# -- the queries ----------------------------------------------------------------------------------------------


@strawberry.type
class ProgressQuery:
    @strawberry.field(
        description="Duty instances matching every filter, by due date (undated last), then id; open to all. "
        "jurisdiction takes in the divisions within it (420000: all of Hubei); dueFrom/dueTo are inclusive. "
        f"first is at most {MAX_INSTANCES} (and {MAX_INSTANCES} when omitted). Unknown ids are errors."
    )
    def duty_instances(
        self,
        info: Info,
        obligation: strawberry.ID | None = None,
        jurisdiction: strawberry.ID | None = None,
        sector: strawberry.ID | None = None,
        level: strawberry.ID | None = None,
        document: strawberry.ID | None = None,
        due_from: dt.date | None = None,
        due_to: dt.date | None = None,
        first: int | None = None,
    ) -> list[DutyInstanceNode]:
        if first is not None and not 0 <= first <= MAX_INSTANCES:
            raise QueryInputError(f"first must be between 0 and {MAX_INSTANCES}")
        _check_ids(info, obligation, document)
        _text_arg(jurisdiction, "jurisdiction")
        tracker = progress(info).tracker
        found = _checked(lambda: tracker.instances(obligation, jurisdiction, sector, level, document, due_from, due_to))
        return [DutyInstanceNode(record=i) for i in found[: MAX_INSTANCES if first is None else first]]

    @strawberry.field(
        description="The status of each instance of an obligation in one jurisdiction (one per occurrence of a "
        "recurring deadline; due picks one): the latest report, its review and the history. Needs a token."
    )
    def status(
        self, info: Info, obligation: strawberry.ID, jurisdiction: strawberry.ID, due: dt.date | None = None
    ) -> list[InstanceStatusNode]:
        credential(info)
        _check_ids(info, obligation, None)
        _text_arg(jurisdiction, "jurisdiction")
        found = refused(lambda: progress(info).tracker.status(obligation, jurisdiction, due))
        return [InstanceStatusNode(record=s) for s in found]

    @strawberry.field(
        description="Duty instances due on or before asOf and not reported done and accepted by then, earliest "
        "due first. Needs a token."
    )
    def overdue(
        self,
        info: Info,
        as_of: dt.date,
        level: strawberry.ID | None = None,
        sector: strawberry.ID | None = None,
        jurisdiction: strawberry.ID | None = None,
        document: strawberry.ID | None = None,
    ) -> list[DutyInstanceNode]:
        credential(info)
        _check_ids(info, None, document)
        _text_arg(jurisdiction, "jurisdiction")
        found = refused(lambda: progress(info).tracker.overdue(as_of, level, sector, jurisdiction, document))
        return [DutyInstanceNode(record=s.instance) for s in found]

    @strawberry.field(
        description="Per jurisdiction or per sector, as of asOf: due, done, done on time, overdue and the on-time "
        "rate. Rows with something due come first, most overdue first. Needs a token."
    )
    def scorecard(
        self,
        info: Info,
        as_of: dt.date,
        level: strawberry.ID | None = None,
        by: ScorecardBy = ScorecardBy.JURISDICTION,
    ) -> list[ScoreRowNode]:
        credential(info)
        rows = refused(lambda: progress(info).tracker.scorecard(as_of, level, by.value))
        return [ScoreRowNode(record=r, by=by) for r in rows]

    @strawberry.field(
        description="Audit entries in write order, from since (inclusive; a time without a zone is UTC), at most "
        f"first ({AUDIT_PAGE} when omitted, at most {MAX_AUDIT}). Needs a token; an admin's reads every "
        "organisation's entries, any other its own organisation's only."
    )
    def audit_log(
        self,
        info: Info,
        since: dt.datetime | None = None,
        organization: strawberry.ID | None = None,
        first: int | None = None,
    ) -> list[AuditEntryNode]:
        who = credential(info)
        if first is not None and not 0 <= first <= MAX_AUDIT:
            raise QueryInputError(f"first must be between 0 and {MAX_AUDIT}")
        _text_arg(organization, "organization")
        service = progress(info)
        if organization is None and who.role is not Role.ADMIN:
            organization = strawberry.ID(who.org)
        if organization is not None and not service.sees_audit_of(who, organization):
            raise Forbidden(f"{who.org} may read its own audit entries only, not those of {organization}.")
        if organization is not None and _acc(info).organization(organization) is None:
            raise QueryInputError(f"unknown organization {organization!r}")
        entries = service.tracker.audit_log(utc(since), organization, AUDIT_PAGE if first is None else first)
        return [AuditEntryNode(record=e) for e in entries]

    @strawberry.field(description="A report by id, with its review; null for an unknown id. Needs a token.")
    def report(self, info: Info, id: strawberry.ID) -> ReportNode | None:
        credential(info)
        _text_arg(id, "id")
        found = next((r for history in reports(info).values() for r in history if r.id == id), None)
        return ReportNode(record=found) if found else None
