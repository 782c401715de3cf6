"""Writing progress: reports and reviews, authorised, validated, audited, durable.

A write goes through, in order: the role (a reporter reports, a reviewer reviews); the input's own
form (a status or decision from the vocabulary, a duty instance that exists); ownership (a reporter
reports only on its organisation's instances, a reviewer reviews only reports addressed to it); then
SHACL, with shapes/akg-progress-shapes.ttl, on the nodes the write touches: the new record, the duty
instance, its obligation's document and the report a review decides on. Only then are the record and
its audit entry (PROV-O) committed, in one durable transaction (:meth:`akg.store.OxigraphStore.write`).

A refused write raises :class:`~akg.progress.errors.Forbidden` or :class:`~akg.progress.errors.InvalidInput`
(with every message) and changes nothing. Writes are serialised by a lock (and, on a store several
processes write, by its writer lease: :meth:`akg.remote_store.SparqlStore.exclusive`), so concurrent writers
each supersede the report before them, none is lost and audit sequence numbers stay unique. Values are
written as typed RDF terms, never as query text.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pyshacl
from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import PROV, SH

from akg.progress.errors import Forbidden, InvalidInput
from akg.progress.records import Decision, DutyInstance, Report, Review, Status, WriteResult
from akg.progress.tokens import Credential, Role
from akg.progress.tracking import Tracker
from akg.store import Quad
from loader.namespaces import (
    AKG,
    AUDIT_GRAPH,
    REPORTS_GRAPH,
    audit_entry_iri,
    concept_iri,
    document_iri,
    obligation_iri,
    organization_iri,
    report_iri,
    review_iri,
)

Triple = tuple[URIRef, URIRef, URIRef | Literal]
E = TypeVar("E", Status, Decision)
Clock = Callable[[], dt.datetime]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def progress_shapes(shapes_dir: Path) -> Graph:
    """The shapes a write is validated with: akg-progress-shapes.ttl of ``shapes_dir``, targeting only
    the records a write makes (reports and reviews).

    Duty instances are checked with the corpus (``akg validate``) and audit entries are made by the ledger
    itself, so their node shapes lose their targets here: validating the context of a write against them
    would only cost time.
    """
    graph = Graph()
    graph.parse(shapes_dir / "akg-progress-shapes.ttl", format="turtle")
    for target in (AKG.DutyInstance, AKG.AuditEntry):
        graph.remove((None, SH.targetClass, target))
    return graph


@dataclass(frozen=True)
class ReportInput:
    """One report as a bureau gives it. ``obligation`` is "<document>/<obligation>", ``jurisdiction`` a code,
    ``status`` a report-statuses id; ``due`` picks the occurrence of a recurring deadline."""

    obligation: str
    jurisdiction: str
    status: str
    summary: str
    due: dt.date | None = None
    evidence_url: str | None = None
    evidence_sha256: str | None = None
    reported_on: dt.date | None = None


class Ledger:
    """Accepts reports and reviews into a store; one per store and process."""

    def __init__(self, tracker: Tracker, shapes: Graph, clock: Clock = _utc_now) -> None:
        self.tracker = tracker
        self.store = tracker.store
        self.shapes = shapes
        self.clock = clock
        self._lock = threading.Lock()
        self._sequence: int | None = None  # the last audit sequence number; read from the store once

    # -- reports ------------------------------------------------------------------------------------------

    def submit_report(self, credential: Credential, report: ReportInput) -> WriteResult:
        """Record one report; see :meth:`submit_reports`."""
        return self.submit_reports(credential, [report])[0]

    def submit_reports(self, credential: Credential, reports: Sequence[ReportInput]) -> list[WriteResult]:
        """Record ``reports`` all together or not at all, in one durable transaction.

        Each report is on the instance of its obligation in its jurisdiction (and due date, for a recurring
        deadline) and supersedes the instance's latest report, or the one before it in ``reports``.
        ``reported_on`` defaults to today (UTC). Raises :class:`Forbidden` when the token is not a reporter's
        or its organisation does not own an instance, and :class:`InvalidInput` with every problem of every
        report, each prefixed ``report N:`` (from 1) when there are several.
        """
        _require(credential, Role.REPORTER, "report on a duty")
        if not reports:
            raise InvalidInput(["No report was given."])
        several = len(reports) > 1
        problems: list[str] = []
        parsed: list[tuple[int, ReportInput, Status, DutyInstance]] = []
        for n, item in enumerate(reports, 1):
            mine: list[str] = []
            status = _enum(Status, item.status, "status", mine)
            instance = self._instance(item.obligation, item.jurisdiction, item.due, mine)
            if instance is not None and credential.org != instance.owner:
                raise Forbidden(
                    (f"report {n}: " if several else "")
                    + f"{credential.org} may not report on {instance.id}: it is owned by {instance.owner}."
                )
            mine += _unprintable("summary", item.summary) + _unprintable("evidenceUrl", item.evidence_url)
            problems += [f"report {n}: {m}" if several else m for m in mine]
            if status is not None and instance is not None:
                parsed.append((n, item, status, instance))
        now = self.clock()
        # The rows that parsed are validated too, so that every problem is told at once. The store's exclusive
        # part is the writer lease of a store that other processes write too (akg.remote_store).
        with self._lock, self.store.exclusive():
            latest = {}
            for instance in {i.id: i for _n, _item, _status, i in parsed}.values():
                history = self.tracker.reports(instance).get(instance.id)
                if history:
                    latest[instance.id] = history[0]
            records, triples_of = [], []
            for n, item, status, instance in parsed:
                previous = latest.get(instance.id)
                record = Report(
                    id=str(uuid.uuid4()),
                    instance=instance.id,
                    status=status,
                    reported_on=item.reported_on or now.date(),
                    received_at=now,
                    summary=item.summary,
                    reported_by=credential.org,
                    evidence_url=_blank_to_none(item.evidence_url),
                    evidence_sha256=(_blank_to_none(item.evidence_sha256) or "").lower() or None,
                    supersedes=previous.id if previous else None,
                )
                triples = _report_triples(record, instance, previous)
                try:
                    messages = self._validate(triples + _context(instance))
                except InvalidInput as exc:
                    problems += [f"report {n}: {m}" if several else m for m in exc.messages]
                    continue
                latest[instance.id] = record
                records.append(WriteResult(record, messages))
                triples_of.append((triples, report_iri(record.id), previous))
            if problems:
                raise InvalidInput(sorted(problems, key=_report_number) if several else problems)
            self._commit(credential, "submit-report", now, triples_of)
        return records

    # -- reviews -------------------------------------------------------------------------------------------

    def review_report(
        self, credential: Credential, report_id: str, decision: str, comment: str | None = None
    ) -> WriteResult:
        """Accept or return (``decision``: accepted or returned) report ``report_id``; a return needs a comment.

        Only the latest report on an instance may be reviewed, and only once.
        """
        _require(credential, Role.REVIEWER, "review a report")
        problems: list[str] = []
        parsed = _enum(Decision, decision, "decision", problems)
        problems += _unprintable("comment", comment)
        if problems:
            raise InvalidInput(problems)
        assert parsed is not None
        with self._lock, self.store.exclusive():
            report = self.tracker.report(report_id)
            if report is None:
                raise InvalidInput([f"No report has the id {report_id!r}."])
            instance = self.tracker.index.by_id.get(report.instance)
            if instance is None:
                raise InvalidInput([f"Report {report_id} concerns a duty instance no longer in the corpus."])
            reports = self.tracker.reports(instance)
            if credential.org != instance.reviewer:
                raise Forbidden(
                    f"{credential.org} may not review reports on {instance.id}: they are addressed to "
                    f"{instance.reviewer}."
                )
            latest = reports[report.instance][0]
            if latest.id != report.id:
                raise InvalidInput([f"Report {report_id} has been superseded by {latest.id}: review the latest."])
            if report.review is not None:
                raise InvalidInput(
                    [f"Report {report_id} was already {report.review.decision.value} on {report.review.at:%Y-%m-%d}."]
                )
            now = self.clock()
            review = Review(str(uuid.uuid4()), report.id, parsed, _blank_to_none(comment), credential.org, now)
            triples = _review_triples(review, report)
            messages = self._validate(triples + _context(instance) + _report_triples(report, instance, None))
            self._commit(credential, "review-report", now, [(triples, review_iri(review.id), None)])
        reviewed = Report(**{**report.__dict__, "review": review})
        return WriteResult(reviewed, messages)

    # -- shared steps -------------------------------------------------------------------------------------------

    def _instance(
        self, obligation: str, jurisdiction: str, due: dt.date | None, problems: list[str]
    ) -> DutyInstance | None:
        index = self.tracker.index
        if jurisdiction not in index.levels:
            problems.append(f"No jurisdiction has the code {jurisdiction!r}.")
            return None
        found = index.find(obligation, jurisdiction)
        if not found:
            problems.append(f"{obligation!r} has no duty instance in {jurisdiction}.")
            return None
        if due is not None:
            matching = [i for i in found if i.due == due]
            if not matching:
                dues = ", ".join(str(i.due) for i in found if i.due) or "no date"
                problems.append(f"{obligation} in {jurisdiction} is not due on {due}; it is due on {dues}.")
                return None
            return matching[0]
        if len(found) > 1:
            dues = ", ".join(str(i.due) for i in found)
            problems.append(f"{obligation} recurs in {jurisdiction}: give the due date of the occurrence ({dues}).")
            return None
        return found[0]

    def _validate(self, triples: list[Triple]) -> tuple[str, ...]:
        """SHACL on the new record only (its triples plus the context it refers to); Violations refuse it."""
        data = Graph(bind_namespaces="none")  # binding rdflib's default prefixes costs more than the check
        for triple in triples:
            data.add(triple)
        record = triples[0][0]
        # Not pyshacl's focus_nodes option: in 0.40 it also re-targets shapes nested in sh:not.
        _conforms, results, _text = pyshacl.validate(data, shacl_graph=self.shapes, inference="none")
        violations, others = [], []
        for result in results.subjects(RDF.type, SH.ValidationResult):
            if results.value(result, SH.focusNode) != record:
                continue  # the context is partial by design; only the new record is judged
            message = str(results.value(result, SH.resultMessage))
            severity = results.value(result, SH.resultSeverity)
            (violations if severity == SH.Violation else others).append(message)
        if violations:
            raise InvalidInput(sorted(set(violations)))
        return tuple(sorted(set(others)))

    def _commit(
        self,
        credential: Credential,
        action: str,
        now: dt.datetime,
        writes: Sequence[tuple[list[Triple], URIRef, Report | None]],
    ) -> None:
        """Write the records' triples and one audit entry each, in one transaction."""
        quads: list[Quad] = []
        # One process holds a store folder (RocksDB's lock), so the count kept here is the store's; a shared
        # (remote) store is read again, under the writer lease that every writer takes.
        shared = getattr(self.store, "shared", False)
        sequence = self._sequence if self._sequence is not None and not shared else self.tracker.last_sequence()
        for triples, generated, superseded in writes:
            sequence += 1
            entry_id = str(uuid.uuid4())
            entry = audit_entry_iri(entry_id)
            audit = [
                (entry, RDF.type, AKG.AuditEntry),
                (entry, RDF.type, PROV.Activity),
                (entry, AKG.identifier, Literal(entry_id)),
                (entry, AKG.sequence, Literal(sequence, datatype=XSD.integer)),
                (entry, AKG.auditAction, concept_iri("audit-actions", action)),
                (entry, PROV.wasAssociatedWith, organization_iri(credential.org)),
                (entry, AKG.viaToken, Literal(credential.token_id)),
                (entry, PROV.endedAtTime, Literal(now.isoformat(), datatype=XSD.dateTime)),
                (entry, PROV.generated, generated),
            ]
            if superseded is not None:
                audit.append((entry, AKG.supersededVersion, report_iri(superseded.id)))
            quads += [(s, p, o, REPORTS_GRAPH) for s, p, o in triples]
            quads += [(s, p, o, AUDIT_GRAPH) for s, p, o in audit]
        self.store.check_lease()  # a remote store's lease must not have run out while this write was made
        self.store.write(quads)
        self._sequence = sequence


def _require(credential: Credential, role: Role, doing: str) -> None:
    if credential.role is not role:
        raise Forbidden(f"To {doing} you need a {role.value} token; this one is a {credential.role.value} token.")


def _enum(kind: type[E], value: str, name: str, problems: list[str]) -> E | None:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        problems.append(f"{name} {value!r} is not one of {allowed}.")
        return None


# C0 controls but tab, line feed and carriage return; DEL; lone surrogates (not text, and not storable).
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _unprintable(name: str, value: str | None) -> list[str]:
    """A message when ``value`` holds a control character or a lone surrogate, naming the first one."""
    found = _UNPRINTABLE.search(value or "")
    if found is None:
        return []
    return [
        f"{name} holds the control character U+{ord(found.group()):04X} at position {found.start() + 1}: remove it."
    ]


def _report_number(message: str) -> int:
    """N of a "report N: ..." message (stable sort keeps each report's own order)."""
    return int(message.split(":", 1)[0].removeprefix("report "))


def _blank_to_none(value: str | None) -> str | None:
    return value if value is not None and value.strip() else None


def _report_triples(report: Report, instance: DutyInstance, previous: Report | None) -> list:
    iri = report_iri(report.id)
    triples = [
        (iri, RDF.type, AKG.Report),
        (iri, RDF.type, PROV.Entity),
        (iri, AKG.identifier, Literal(report.id)),
        (iri, AKG.concerns, URIRef(instance.iri)),
        (iri, AKG.status, concept_iri("report-statuses", report.status.value)),
        (iri, AKG.reportedOn, Literal(report.reported_on.isoformat(), datatype=XSD.date)),
        (iri, AKG.receivedOn, Literal(report.received_at.date().isoformat(), datatype=XSD.date)),
        (iri, PROV.generatedAtTime, Literal(report.received_at.isoformat(), datatype=XSD.dateTime)),
        (iri, AKG.summary, Literal(report.summary)),
        (iri, AKG.reportedBy, organization_iri(report.reported_by)),
    ]
    if report.evidence_url:
        triples.append((iri, AKG.evidenceUrl, Literal(report.evidence_url, datatype=XSD.anyURI)))
    if report.evidence_sha256:
        triples.append((iri, AKG.evidenceSha256, Literal(report.evidence_sha256)))
    if previous is not None:
        triples.append((iri, AKG.supersedes, report_iri(previous.id)))
    return triples


def _review_triples(review: Review, report: Report) -> list:
    iri = review_iri(review.id)
    triples = [
        (iri, RDF.type, AKG.Review),
        (iri, RDF.type, PROV.Entity),
        (iri, AKG.identifier, Literal(review.id)),
        (iri, AKG.reviews, report_iri(report.id)),
        (iri, AKG.decision, concept_iri("review-decisions", review.decision.value)),
        (iri, AKG.reviewedBy, organization_iri(review.reviewed_by)),
        (iri, AKG.receivedOn, Literal(review.at.date().isoformat(), datatype=XSD.date)),
        (iri, PROV.generatedAtTime, Literal(review.at.isoformat(), datatype=XSD.dateTime)),
    ]
    if review.comment:
        triples.append((iri, AKG.comment, Literal(review.comment)))
    return triples


def _context(instance: DutyInstance) -> list[Triple]:
    """The neighbourhood a write is validated against: the instance, its owner and reviewer, the document.

    Only what the shapes of a report or review follow; the instance is typed for sh:class, and the
    write shapes do not target duty instances (:func:`progress_shapes`), so it needs no more.
    """
    iri = URIRef(instance.iri)
    obligation = obligation_iri(instance.document, instance.obligation.split("/", 1)[1])
    document = document_iri(instance.document)
    provision = URIRef(f"{obligation}#provision")  # a stand-in node: only the path to the document matters
    triples = [
        (iri, RDF.type, AKG.DutyInstance),
        (iri, AKG.owner, organization_iri(instance.owner)),
        (iri, AKG.reviewer, organization_iri(instance.reviewer)),
        (organization_iri(instance.owner), RDF.type, AKG.Organization),
        (organization_iri(instance.reviewer), RDF.type, AKG.Organization),
        (iri, AKG.instanceOf, obligation),
        (obligation, AKG.provision, provision),
        (provision, AKG.inDocument, document),
    ]
    if instance.document_signed:
        triples.append((document, AKG.dateSigned, Literal(instance.document_signed.isoformat(), datatype=XSD.date)))
    return triples
