"""Reading progress: duty instances, each one's status and history, overdue duties, scorecards, the audit trail.

Every query is a fixed SPARQL text; the values a user gives (an obligation, a date) only filter the
answers in Python or are substituted as typed terms (:meth:`akg.store.OxigraphStore.select`).
Duty instances are part of the corpus and are read once; reports, reviews and audit entries are
read from the store at each call, so a write is seen by the next read.

"As of" a date: a report counts if it was made (``reportedOn``) on or before the date, the latest
such report (in write order) is the instance's status, and it counts as done when its status is
done and its review accepted it on or before the date (the day the service recorded the review).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from akg.accountability.records import UnknownIdentifier
from akg.progress.records import AuditEntry, Decision, DutyInstance, InstanceStatus, Report, Review, ScoreRow, Status
from akg.store import IRI, Bound, OxigraphStore
from loader.namespaces import AUDIT_GRAPH, REPORTS_GRAPH, organization_id

_PREFIXES = """
    PREFIX akg: <https://w3id.org/akg/ontology#>
    PREFIX prov: <http://www.w3.org/ns/prov#>
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

_INSTANCES = (
    _PREFIXES
    + """
    SELECT ?iri ?id ?obligation ?document ?code ?level ?owner ?reviewer ?sector ?due ?signed WHERE {
      ?iri a akg:DutyInstance ; akg:identifier ?id ; akg:instanceOf ?ob ; akg:inJurisdiction ?j ;
           akg:dutyLevel/skos:notation ?level ; akg:owner ?o ; akg:reviewer ?r .
      ?ob akg:identifier ?obid ; akg:provision/akg:inDocument ?doc .
      ?doc akg:identifier ?document .
      ?j akg:identifier ?code .
      ?o akg:identifier ?owner ; akg:sector/skos:notation ?sector .
      ?r akg:identifier ?reviewer .
      OPTIONAL { ?iri akg:due ?due }
      OPTIONAL { ?doc akg:dateSigned ?signed }
      BIND(CONCAT(?document, "/", ?obid) AS ?obligation)
    } ORDER BY ?id"""
)

_JURISDICTIONS = (
    _PREFIXES
    + """
    SELECT ?code ?parent ?level WHERE {
      ?j a akg:Jurisdiction ; akg:identifier ?code .
      OPTIONAL { ?j akg:withinJurisdiction/akg:identifier ?parent }
      OPTIONAL { ?j akg:jurisdictionLevel/skos:notation ?level }
    }"""
)

_REPORTS = (
    _PREFIXES
    + f"""
    SELECT ?report ?i ?status ?reportedOn ?at ?summary ?o ?url ?sha ?supersedes
           ?review ?decision ?comment ?ro ?reviewedAt ?sequence WHERE {{
      GRAPH <{REPORTS_GRAPH}> {{
        ?r a akg:Report ; akg:identifier ?report ; akg:concerns ?i ; akg:status ?s ; akg:reportedOn ?reportedOn ;
           prov:generatedAtTime ?at ; akg:summary ?summary ; akg:reportedBy ?o .
        OPTIONAL {{ ?r akg:evidenceUrl ?url }}
        OPTIONAL {{ ?r akg:evidenceSha256 ?sha }}
        OPTIONAL {{ ?r akg:supersedes/akg:identifier ?supersedes }}
      }}
      OPTIONAL {{
        GRAPH <{REPORTS_GRAPH}> {{
          ?v akg:reviews ?r ; akg:identifier ?review ; akg:decision ?d ; akg:reviewedBy ?ro ;
             prov:generatedAtTime ?reviewedAt .
          OPTIONAL {{ ?v akg:comment ?comment }}
        }}
        ?d skos:notation ?decision .
      }}
      GRAPH <{AUDIT_GRAPH}> {{ ?entry prov:generated ?r ; akg:sequence ?sequence }}
      ?s skos:notation ?status .
    }} ORDER BY DESC(?sequence)"""
)

_AUDIT = (
    _PREFIXES
    + f"""
    SELECT ?entry ?sequence ?action ?o ?token ?at ?generated ?superseded ?i WHERE {{
      GRAPH <{AUDIT_GRAPH}> {{
        ?e a akg:AuditEntry ; akg:identifier ?entry ; akg:sequence ?sequence ; akg:auditAction ?a ;
           prov:wasAssociatedWith ?o ; akg:viaToken ?token ; prov:endedAtTime ?at ; prov:generated ?g .
      }}
      GRAPH <{REPORTS_GRAPH}> {{ ?g akg:identifier ?generated }}
      OPTIONAL {{
        GRAPH <{AUDIT_GRAPH}> {{ ?e akg:supersededVersion ?s }}
        GRAPH <{REPORTS_GRAPH}> {{ ?s akg:identifier ?superseded }}
      }}
      OPTIONAL {{ GRAPH <{REPORTS_GRAPH}> {{ ?g akg:concerns|(akg:reviews/akg:concerns) ?i }} }}
      ?a skos:notation ?action .
    }} ORDER BY ?sequence"""
)

_LAST_SEQUENCE = f"""
    PREFIX akg: <https://w3id.org/akg/ontology#>
    SELECT (MAX(?n) AS ?last) WHERE {{ GRAPH <{AUDIT_GRAPH}> {{ ?e akg:sequence ?n }} }}"""


@dataclass(frozen=True)
class InstanceIndex:
    """The corpus's duty instances, by id and by (obligation, jurisdiction), with the division tree."""

    by_id: dict[str, DutyInstance]
    parents: dict[str, str]  # jurisdiction code -> parent code
    levels: dict[str, frozenset[str]]  # jurisdiction code -> its levels

    @classmethod
    def from_store(cls, store: OxigraphStore) -> InstanceIndex:
        instances = {}
        for row in store.select(_INSTANCES):
            instances[row["id"]] = DutyInstance(
                id=row["id"],
                iri=row["iri"],
                obligation=row["obligation"],
                document=row["document"],
                jurisdiction=row["code"],
                level=row["level"],
                owner=row["owner"],
                reviewer=row["reviewer"],
                sector=row["sector"],
                due=row["due"],
                document_signed=row["signed"],
            )
        parents: dict[str, str] = {}
        levels: dict[str, set[str]] = defaultdict(set)
        for row in store.select(_JURISDICTIONS):
            if row["parent"]:
                parents[row["code"]] = row["parent"]
            if row["level"]:
                levels[row["code"]].add(row["level"])
        return cls(instances, parents, {code: frozenset(v) for code, v in levels.items()})

    def __len__(self) -> int:
        return len(self.by_id)

    @cached_property
    def by_iri(self) -> dict[str, DutyInstance]:
        return {i.iri: i for i in self.by_id.values()}

    def within(self, code: str, ancestor: str) -> bool:
        """Whether jurisdiction ``code`` is ``ancestor`` or lies within it."""
        while code:
            if code == ancestor:
                return True
            code = self.parents.get(code, "")
        return False

    @cached_property
    def by_place(self) -> dict[tuple[str, str], list[DutyInstance]]:
        """Instances by (obligation, jurisdiction), each list in id order (so by due date)."""
        result: dict[tuple[str, str], list[DutyInstance]] = defaultdict(list)
        for instance in self.by_id.values():
            result[instance.obligation, instance.jurisdiction].append(instance)
        return dict(result)

    @cached_property
    def sectors(self) -> frozenset[str]:
        return frozenset(i.sector for i in self.by_id.values())

    def find(self, obligation: str, jurisdiction: str, due: dt.date | None = None) -> list[DutyInstance]:
        """The instances of ``obligation`` in ``jurisdiction`` (all occurrences, or the one due on ``due``)."""
        return [i for i in self.by_place.get((obligation, jurisdiction), []) if due is None or i.due == due]


class Tracker:
    """Answers the progress questions of a store whose corpus holds duty instances."""

    def __init__(self, store: OxigraphStore, index: InstanceIndex | None = None) -> None:
        self.store = store
        self.index = index or InstanceIndex.from_store(store)

    # -- checking filters -------------------------------------------------------------------------------

    def check_jurisdiction(self, code: str) -> None:
        if code not in self.index.levels:
            raise UnknownIdentifier("jurisdiction", code)

    def check_level(self, level: str) -> None:
        if level not in {"city", "county"}:
            raise UnknownIdentifier("level", level)

    def check_sector(self, sector: str) -> None:
        if sector not in self.index.sectors:
            raise UnknownIdentifier("sector", sector)

    # -- instances ----------------------------------------------------------------------------------------

    def instances(
        self,
        obligation: str | None = None,
        jurisdiction: str | None = None,
        sector: str | None = None,
        level: str | None = None,
        document: str | None = None,
        due_from: dt.date | None = None,
        due_to: dt.date | None = None,
    ) -> list[DutyInstance]:
        """Duty instances matching every filter given; a jurisdiction filter includes the divisions within it.

        Raises UnknownIdentifier for a jurisdiction, level or sector the graph does not hold. Sorted by
        due date (undated last), then id.
        """
        if jurisdiction is not None:
            self.check_jurisdiction(jurisdiction)
        if level is not None:
            self.check_level(level)
        if sector is not None:
            self.check_sector(sector)
        found = [
            i
            for i in self.index.by_id.values()
            if (obligation is None or i.obligation == obligation)
            and (jurisdiction is None or self.index.within(i.jurisdiction, jurisdiction))
            and (sector is None or i.sector == sector)
            and (level is None or i.level == level)
            and (document is None or i.document == document)
            and (due_from is None or (i.due is not None and i.due >= due_from))
            and (due_to is None or (i.due is not None and i.due <= due_to))
        ]
        return sorted(found, key=lambda i: (i.due is None, i.due or dt.date.min, i.id))

    # -- reports --------------------------------------------------------------------------------------------

    def reports(self, instance: DutyInstance | None = None) -> dict[str, list[Report]]:
        """Every report by duty instance id, newest (in write order) first; only ``instance``'s if given."""
        return self._reports({"i": IRI(instance.iri)} if instance is not None else None)

    def _reports(self, bindings: dict[str, Bound] | None) -> dict[str, list[Report]]:
        result: dict[str, list[Report]] = defaultdict(list)
        for row in self.store.select(_REPORTS, bindings):
            review = None
            if row["review"]:
                review = Review(
                    id=row["review"],
                    report=row["report"],
                    decision=Decision(row["decision"]),
                    comment=row["comment"],
                    reviewed_by=organization_id(row["ro"]),
                    at=row["reviewedAt"],
                )
            instance = self.instance_id(row["i"])
            result[instance].append(
                Report(
                    id=row["report"],
                    instance=instance,
                    status=Status(row["status"]),
                    reported_on=row["reportedOn"],
                    received_at=row["at"],
                    summary=row["summary"],
                    reported_by=organization_id(row["o"]),
                    evidence_url=row["url"],
                    evidence_sha256=row["sha"],
                    supersedes=row["supersedes"],
                    review=review,
                )
            )
        return result

    def report(self, report_id: str) -> Report | None:
        """One report by id, with its review, or None."""
        found = self._reports({"report": report_id})
        return next((r for history in found.values() for r in history), None)

    def status(self, obligation: str, jurisdiction: str, due: dt.date | None = None) -> list[InstanceStatus]:
        """The status and history of each instance of ``obligation`` in ``jurisdiction`` (one per occurrence)."""
        self.check_jurisdiction(jurisdiction)
        found = sorted(self.index.find(obligation, jurisdiction, due), key=lambda i: (i.due or dt.date.min, i.id))
        reports = self.reports()
        return [InstanceStatus(i, tuple(reports.get(i.id, ()))) for i in found]

    # -- as of a date -------------------------------------------------------------------------------------------

    @staticmethod
    def latest_as_of(history: Iterable[Report], as_of: dt.date) -> Report | None:
        """The latest report (in write order) made on or before ``as_of``."""
        return next((r for r in history if r.reported_on <= as_of), None)

    @classmethod
    def done_as_of(cls, history: Iterable[Report], as_of: dt.date) -> Report | None:
        """The report that makes an instance done as of ``as_of``: done, and accepted by then; else None."""
        latest = cls.latest_as_of(history, as_of)
        if latest is None or latest.status is not Status.DONE or latest.review is None:
            return None
        accepted = latest.review.decision is Decision.ACCEPTED and latest.review.at.date() <= as_of
        return latest if accepted else None

    def overdue(
        self,
        as_of: dt.date,
        level: str | None = None,
        sector: str | None = None,
        jurisdiction: str | None = None,
        document: str | None = None,
    ) -> list[InstanceStatus]:
        """Instances due on or before ``as_of`` and not done and accepted by then; earliest due first."""
        due = self.instances(jurisdiction=jurisdiction, sector=sector, level=level, document=document, due_to=as_of)
        reports = self.reports()
        return [
            InstanceStatus(i, tuple(reports.get(i.id, ())))
            for i in due
            if self.done_as_of(reports.get(i.id, ()), as_of) is None
        ]

    def scorecard(self, as_of: dt.date, level: str | None = None, by: str = "jurisdiction") -> list[ScoreRow]:
        """Per jurisdiction (code) or per sector: due, done, done on time, overdue as of ``as_of``.

        Rows with something due come first, by most overdue, then by key; rows with nothing due follow.
        """
        if by not in {"jurisdiction", "sector"}:
            raise ValueError(f"by must be jurisdiction or sector, not {by!r}")
        reports = self.reports()
        counts: dict[str, list[int]] = {}
        for instance in self.instances(level=level):
            key = instance.jurisdiction if by == "jurisdiction" else instance.sector
            row = counts.setdefault(key, [0, 0, 0])
            if instance.due is None or instance.due > as_of:
                continue
            row[0] += 1
            done = self.done_as_of(reports.get(instance.id, ()), as_of)
            if done is not None:
                row[1] += 1
                row[2] += done.reported_on <= instance.due
        rows = [ScoreRow(key, due, done, on_time, due - done) for key, (due, done, on_time) in counts.items()]
        return sorted(rows, key=lambda r: (r.due == 0, -r.overdue, r.key))

    # -- the audit trail --------------------------------------------------------------------------------------

    def audit_log(
        self, since: dt.datetime | None = None, organization: str | None = None, first: int | None = None
    ) -> list[AuditEntry]:
        """Audit entries in write order, from ``since`` (inclusive), of ``organization``, at most ``first``."""
        entries = []
        for row in self.store.select(_AUDIT):
            entry = AuditEntry(
                id=row["entry"],
                sequence=row["sequence"],
                action=row["action"],
                organization=organization_id(row["o"]),
                token=row["token"],
                at=row["at"],
                generated=row["generated"],
                superseded=row["superseded"],
                instance=self.instance_id(row["i"]) if row["i"] else None,
            )
            if since is not None and entry.at < since:
                continue
            if organization is not None and entry.organization != organization:
                continue
            entries.append(entry)
        return entries[:first] if first is not None else entries

    def instance_id(self, iri: str) -> str:
        """The id of the duty instance ``iri``; for one no longer in the corpus, its IRI."""
        instance = self.index.by_iri.get(iri)
        return instance.id if instance else iri

    def last_sequence(self) -> int:
        rows = self.store.select(_LAST_SEQUENCE)
        return int(rows[0]["last"] or 0) if rows else 0

    def orphaned_reports(self) -> list[Report]:
        """Reports whose duty instance is no longer in the corpus (its obligation was removed or renamed)."""
        return [r for history in self.reports().values() for r in history if r.instance not in self.index.by_id]
