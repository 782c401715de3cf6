"""The GraphQL object types: the accountability records as nodes, resolved from the in-memory indexes."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

import strawberry
from strawberry.types import Info

from akg.accountability import (
    CitationRecord,
    CitedDocumentRecord,
    Concept,
    CoverageEntry,
    DeadlineRecord,
    DocumentRecord,
    EligibilityRecord,
    JurisdictionRecord,
    LinkEnd,
    LinkRecord,
    MatrixCell,
    MatrixRow,
    ObligationRecord,
    OrganizationRecord,
    ProcedureRecord,
    ProvisionRecord,
    ResponsibilityMatrix,
    StepRecord,
)
from graphql_api.schema.common import (
    MAX_PAGE,
    DeadlineKind,
    OrganizationKind,
    QueryInputError,
    Role,
    _acc,
    _checked,
    _label,
    _role,
)


def _concept_label(root: Any, lang: str = "en") -> str:
    return _label(root.record.labels, lang, root.record.id)


def _concept_broader(root: Any, info: Info) -> ConceptNode | None:
    if root.record.broader is None:
        return None
    found = _acc(info).concept(root.record.scheme, root.record.broader)
    return ConceptNode(record=found) if found else None


def _concept_narrower(root: Any, info: Info) -> list[ConceptNode]:
    acc = _acc(info)
    return [ConceptNode(record=c) for k in root.record.narrower if (c := acc.concept(root.record.scheme, k))]


@strawberry.type(
    name="Concept", description="A concept of a controlled vocabulary (need, capacity, sector, level, group, role...)."
)
class ConceptNode:
    # The fields without arguments are plain values, filled in from the record once: strawberry reads them
    # without a resolver call, the most frequent cost of the large answers (matrix, coverage).
    record: strawberry.Private[Concept]
    id: strawberry.ID = strawberry.field(description="The stable id, e.g. `rehabilitation`.", default=None)
    scheme: str = strawberry.field(
        description="The vocabulary: needs, capacities, sectors, levels, groups, roles, modalities, bases, "
        "deadline-kinds, time-units, periods.",
        default=None,
    )
    label: str = strawberry.field(
        resolver=_concept_label,
        description='The label in `lang` ("en" or "zh"); English when that language has none.',
    )
    definition: str | None = strawberry.field(description="The English definition.", default=None)
    broader: ConceptNode | None = strawberry.field(
        resolver=_concept_broader, description="The broader concept (needs: the right it belongs to)."
    )
    narrower: list[ConceptNode] = strawberry.field(
        resolver=_concept_narrower, description="The narrower concepts, in vocabulary order."
    )
    rank: int | None = strawberry.field(
        description="Order within the scheme where it has one (levels, roles).", default=None
    )
    letter: str | None = strawberry.field(description="The RASCI letter of a role.", default=None)

    def __post_init__(self) -> None:
        record = self.record
        self.id, self.scheme, self.definition = strawberry.ID(record.id), record.scheme, record.definition
        self.rank, self.letter = record.rank, record.letter


def _concept(info: Info, scheme: str, ident: str | None) -> ConceptNode | None:
    if ident is None:
        return None
    found = _acc(info).concept(scheme, ident)
    return ConceptNode(record=found) if found else None


def _concepts(info: Info, scheme: str, ids: Sequence[str]) -> list[ConceptNode]:
    return [node for ident in ids if (node := _concept(info, scheme, ident))]


@strawberry.type(description="Information about a page of a connection.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type(description="An obligation and its cursor.")
class ObligationEdge:
    node: ObligationNode
    cursor: str


@strawberry.type(description="A page of obligations (Relay cursor connection).")
class ObligationConnection:
    edges: list[ObligationEdge]
    page_info: PageInfo
    total_count: int = strawberry.field(description="How many obligations match, on every page.")


_CURSOR = re.compile(r"^obligation:(\d{1,9})$")


def _cursor(offset: int) -> str:
    return base64.b64encode(f"obligation:{offset}".encode()).decode()


def _offset(cursor: str) -> int:
    try:
        match = _CURSOR.match(base64.b64decode(cursor.encode("ascii"), validate=True).decode("ascii"))
    except (binascii.Error, UnicodeError, ValueError):
        match = None
    if match is None:
        raise QueryInputError("after is not a cursor of this connection")
    return int(match.group(1))


def paginate(records: list[ObligationRecord], first: int | None, after: str | None) -> ObligationConnection:
    """The page of ``records`` after cursor ``after``, at most ``first`` (capped at MAX_PAGE) long."""
    if first is not None and not 0 <= first <= MAX_PAGE:
        raise QueryInputError(f"first must be between 0 and {MAX_PAGE}")
    start = _offset(after) + 1 if after is not None else 0
    size = MAX_PAGE if first is None else first
    page = records[start : start + size]
    edges = [ObligationEdge(node=ObligationNode(record=r), cursor=_cursor(start + n)) for n, r in enumerate(page)]
    return ObligationConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=start + len(page) < len(records),
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=len(records),
    )


def _organization_label(root: Any, lang: str = "en") -> str:
    return _label(root.record.labels, lang, root.record.id)


def _organization_sector(root: Any, info: Info) -> ConceptNode | None:
    return _concept(info, "sectors", root.record.sector)


def _organization_level(root: Any, info: Info) -> ConceptNode | None:
    return _concept(info, "levels", root.record.level)


def _counterparts(root: Any, info: Info) -> list[OrganizationNode]:
    acc = _acc(info)
    return [OrganizationNode(record=o) for i in root.record.counterparts if (o := acc.organization(i))]


def _organization_obligations(
    root: Any,
    info: Info,
    role: Role | None = None,
    need: strawberry.ID | None = None,
    first: int | None = None,
    after: str | None = None,
) -> ObligationConnection:
    records = _checked(
        lambda: _acc(info).obligations(organization=root.record.id, role=role.value if role else None, need=need)
    )
    return paginate(records, first, after)


@strawberry.type(
    name="Organization", description="An organisation: a department, institution, government or other body."
)
class OrganizationNode:
    # Plain values filled in once (see ConceptNode).
    record: strawberry.Private[OrganizationRecord]
    id: strawberry.ID = strawberry.field(default=None)
    label: str = strawberry.field(resolver=_organization_label, description='The name in `lang` ("en" or "zh").')
    kind: OrganizationKind = strawberry.field(default=None)
    sector: ConceptNode | None = strawberry.field(
        resolver=_organization_sector,
        description="The sector (system) it belongs to; none for governments and vague bodies.",
    )
    level: ConceptNode | None = strawberry.field(
        resolver=_organization_level, description="Its administrative level, when it has one."
    )
    signatory: bool = strawberry.field(description="True when it signed a policy document.", default=None)
    vague: bool = strawberry.field(
        description='True when the text names no definite body ("relevant departments").', default=None
    )
    collective: bool = strawberry.field(
        description="True when it stands for every body of its kind at its level.", default=None
    )
    governmental: bool = strawberry.field(
        description="True for governments and their departments (the judiciary and people's organisations "
        "included); false for institutions, communities, families and society.",
        default=None,
    )
    counterparts: list[OrganizationNode] = strawberry.field(
        resolver=_counterparts,
        description="The departments of its sector at the other levels (a ministry's provincial, city and county "
        "departments, and theirs), from the top level down.",
    )
    obligations: ObligationConnection = strawberry.field(
        resolver=_organization_obligations,
        description="The obligations it holds a role in (that role, that need), document order.",
    )

    def __post_init__(self) -> None:
        record = self.record
        self.id, self.kind = strawberry.ID(record.id), OrganizationKind(record.kind)
        self.signatory, self.vague, self.collective = record.signatory, record.vague, record.collective
        self.governmental = record.governmental


@strawberry.type(
    name="Jurisdiction",
    description="An administrative division: a province, a city-level or a county-level unit, identified by its "
    "six-digit division code (420100 is Wuhan).",
)
class JurisdictionNode:
    code: strawberry.Private[str]

    def _record(self, info: Info) -> JurisdictionRecord | None:
        return _acc(info).jurisdiction(self.code)

    @strawberry.field(description="The six-digit division code, e.g. `420100`.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.code)

    @strawberry.field(description='The name in `lang` ("en" or "zh"): Wuhan, 武汉市.')
    def label(self, info: Info, lang: str = "en") -> str:
        record = self._record(info)
        return _label(record.labels, lang, self.code) if record else self.code

    @strawberry.field(
        description="Its highest level: city for the directly administered units (Xiantao, Qianjiang, Tianmen, "
        "Shennongjia), which are at both the city and the county level."
    )
    def level(self, info: Info) -> ConceptNode | None:
        record = self._record(info)
        return _concept(info, "levels", record.level) if record else None

    @strawberry.field(description="Every level it is at, highest first.")
    def levels(self, info: Info) -> list[ConceptNode]:
        record = self._record(info)
        return _concepts(info, "levels", record.levels) if record else []

    @strawberry.field(description="The division it lies directly within (a county's city, a city's province).")
    def parent(self, info: Info) -> JurisdictionNode | None:
        record = self._record(info)
        return JurisdictionNode(code=record.parent) if record and record.parent else None

    @strawberry.field(description="The divisions directly within it, by code.")
    def children(self, info: Info) -> list[JurisdictionNode]:
        record = self._record(info)
        return [JurisdictionNode(code=c) for c in record.children] if record else []

    @strawberry.field(
        description='The division type in `lang`: "zh" as the official list gives it (地级市, 县级市, 市辖区...), '
        '"en" in English (prefecture-level city...).'
    )
    def type(self, info: Info, lang: str = "en") -> str | None:
        record = self._record(info)
        return record.type(lang.lower()) if record else None


@strawberry.type(description="An organisation holding a role in an obligation.")
class Assignment:
    record: strawberry.Private[Any]

    @strawberry.field
    def organization(self, info: Info) -> OrganizationNode:
        return OrganizationNode(record=_acc(info).organization(self.record.organization))

    @strawberry.field
    def role(self) -> Role:
        return _role(self.record.role)

    @strawberry.field(description="How the owner was established: explicit or inherited-from-context.")
    def basis(self) -> str:
        return self.record.basis


@strawberry.type(description="A period counted from a triggering event.")
class RelativePeriod:
    record: strawberry.Private[DeadlineRecord]

    @strawberry.field(description="How many units.")
    def amount(self) -> int:
        return self.record.amount or 0

    @strawberry.field(description="The unit: working-days, days, months or calendar-months.")
    def unit(self, info: Info) -> ConceptNode | None:
        return _concept(info, "time-units", self.record.unit)

    @strawberry.field(description="The event it counts from, in English (the Chinese words are in wording).")
    def trigger(self) -> str:
        return self.record.trigger or ""


@strawberry.type(description="How often a periodic duty falls due.")
class Periodicity:
    record: strawberry.Private[DeadlineRecord]

    @strawberry.field(description="The period: week, month, quarter, half-year or year.")
    def every(self, info: Info) -> ConceptNode | None:
        return _concept(info, "periods", self.record.period)

    @strawberry.field(description="At least this many times in every period.")
    def at_least(self) -> int:
        return self.record.minimum or 0


@strawberry.type(
    description="When a duty is due. A dated kind has a date (a recurring one lists every instance); a relative "
    "one counts from a trigger and has no calendar date; periodic, prompt and none-stated ones have none either."
)
class Deadline:
    record: strawberry.Private[DeadlineRecord]

    @strawberry.field(description="What kind of deadline it is.")
    def kind(self) -> DeadlineKind:
        return DeadlineKind(self.record.kind)

    @strawberry.field(
        description="The date (for a recurrence its last instance; for EFFECTIVE the day it applies from); null "
        "for RELATIVE, PERIODIC, PROMPT and NONE_STATED deadlines."
    )
    def date(self) -> dt.date | None:
        return self.record.date

    @strawberry.field(description="explicit, inherited-from-provision or inherited-from-goal.")
    def basis(self) -> str:
        return self.record.basis or "explicit"

    @strawberry.field(description="The words of the text that set it (empty when the text sets none).")
    def wording(self) -> str:
        return self.record.wording

    @strawberry.field(description="How it recurs: annual dates, or at least so often every period.")
    def recurrence(self) -> str | None:
        if self.record.kind == "periodic":
            return f"at least {self.record.minimum} time(s) every {self.record.period}"
        return self.record.recurrence

    @strawberry.field(description="For a RELATIVE deadline: the amount, unit and trigger.")
    def relative(self) -> RelativePeriod | None:
        return RelativePeriod(record=self.record) if self.record.kind == "relative" else None

    @strawberry.field(description="For a PERIODIC duty: the period and how often in it.")
    def periodic(self) -> Periodicity | None:
        return Periodicity(record=self.record) if self.record.kind == "periodic" else None

    @strawberry.field(description="Every date it falls due, in order (empty when it has no date).")
    def instances(self) -> list[dt.date]:
        return list(self.record.instances)

    @strawberry.field(description="The number of the provision whose text holds the wording.")
    def derived_from(self) -> str | None:
        return self.record.derived_from


@strawberry.type(description="One end of a link: a provision, or an obligation stated in it.")
class LinkEndNode:
    record: strawberry.Private[LinkEnd]

    @strawberry.field
    def document(self, info: Info) -> Document:
        return Document(record=_acc(info).document(self.record.document))

    @strawberry.field
    def provision(self, info: Info) -> ProvisionNode | None:
        found = _acc(info).provision(self.record.provision, self.record.document)
        return ProvisionNode(record=found) if found else None

    @strawberry.field(description="The obligation, when this end is one (null for a provision).")
    def obligation(self, info: Info) -> ObligationNode | None:
        found = _acc(info).obligation(self.record.obligation) if self.record.obligation else None
        return ObligationNode(record=found) if found else None


@strawberry.type(description="A provision or obligation that implements or restates another, in any document.")
class TextLink:
    record: strawberry.Private[LinkRecord]

    @strawberry.field(description="implements or restates.")
    def relation(self) -> str:
        return self.record.relation

    @strawberry.field(description="The words of the linking text that show the link.")
    def quote(self) -> str:
        return self.record.quote

    @strawberry.field(description="What makes the link.")
    def source(self) -> LinkEndNode:
        return LinkEndNode(record=self.record.source)

    @strawberry.field(description="What it implements or restates.")
    def target(self) -> LinkEndNode:
        return LinkEndNode(record=self.record.target)


def _links(records: Sequence[LinkRecord]) -> list[TextLink]:
    return [TextLink(record=r) for r in records]


@strawberry.type(description="A policy document whose duties are modelled.")
class Document:
    record: strawberry.Private[DocumentRecord]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description='The title in `lang` ("en" or "zh"); English when that language has none.')
    def title(self, lang: str = "en") -> str:
        return self.record.label(lang.lower())

    @strawberry.field(description='The official document number, e.g. "民发〔2019〕62号"; null where it has none.')
    def number(self) -> str | None:
        return self.record.number

    @strawberry.field(description="The language of the source text held: zh, or en for a translation.")
    def language(self) -> str | None:
        return self.record.language

    @strawberry.field(description="The level of the issuing bodies: national or province.")
    def level(self, info: Info) -> ConceptNode | None:
        return _concept(info, "levels", self.record.level)

    @strawberry.field(description="The bodies that issued it (its signatories, where it has a signature block).")
    def issuers(self, info: Info) -> list[OrganizationNode]:
        acc = _acc(info)
        return [OrganizationNode(record=o) for i in self.record.issuers if (o := acc.organization(i))]

    @strawberry.field(description="The corpus documents it cites or links to.")
    def cites(self, info: Info) -> list[Document]:
        return [Document(record=d) for d in _acc(info).cites(self.record.id)]

    @strawberry.field(description="The corpus documents that cite it or link to it.")
    def cited_by(self, info: Info) -> list[Document]:
        return [Document(record=d) for d in _acc(info).cited_by(self.record.id)]

    @strawberry.field(description="The links its provisions and obligations make to other texts.")
    def links(self, info: Info) -> list[TextLink]:
        return _links(_acc(info).links(document=self.record.id))

    @strawberry.field(description="The day of issue; null where the source gives none.")
    def date_signed(self) -> dt.date | None:
        return self.record.date_signed

    @strawberry.field
    def date_published(self) -> dt.date | None:
        return self.record.date_published

    @strawberry.field
    def signatories(self, info: Info) -> list[OrganizationNode]:
        acc = _acc(info)
        return [OrganizationNode(record=o) for i in self.record.signatories if (o := acc.organization(i))]

    @strawberry.field
    def addressees(self, info: Info) -> list[OrganizationNode]:
        acc = _acc(info)
        return [OrganizationNode(record=o) for i in self.record.addressees if (o := acc.organization(i))]

    @strawberry.field
    def publisher(self, info: Info) -> OrganizationNode | None:
        found = _acc(info).organization(self.record.publisher) if self.record.publisher else None
        return OrganizationNode(record=found) if found else None

    @strawberry.field(description="Every provision, in document order.")
    def provisions(self, info: Info) -> list[ProvisionNode]:
        return [ProvisionNode(record=p) for p in _acc(info).provisions(self.record.id)]

    @strawberry.field
    def citations(self, info: Info) -> list[Citation]:
        return [Citation(record=c) for c in _acc(info).citations(self.record.id)]


@strawberry.type(name="Provision", description="A numbered or unnumbered part of a document's text.")
class ProvisionNode:
    record: strawberry.Private[ProvisionRecord]

    @strawberry.field(description='Its number, e.g. "2.1.3", or a name such as "preamble".')
    def number(self) -> str:
        return self.record.number

    @strawberry.field
    def heading(self) -> str | None:
        return self.record.heading

    @strawberry.field(description="The exact text, heading included.")
    def text(self) -> str:
        return self.record.text

    @strawberry.field(description="section, subsection, item, preamble, greeting, closing...")
    def kind(self) -> str:
        return self.record.kind

    @strawberry.field
    def start_offset(self) -> int:
        return self.record.start

    @strawberry.field
    def end_offset(self) -> int:
        return self.record.end

    @strawberry.field
    def document(self, info: Info) -> Document:
        return Document(record=_acc(info).document(self.record.document))

    @strawberry.field
    def parent(self, info: Info) -> ProvisionNode | None:
        if self.record.parent is None:
            return None
        found = _acc(info).provision(self.record.parent, self.record.document)
        return ProvisionNode(record=found) if found else None

    @strawberry.field
    def children(self, info: Info) -> list[ProvisionNode]:
        acc = _acc(info)
        return [ProvisionNode(record=p) for n in self.record.children if (p := acc.provision(n, self.record.document))]

    @strawberry.field(description="The obligations stated in this provision, in text order.")
    def obligations(self, info: Info) -> list[ObligationNode]:
        return [
            ObligationNode(record=o) for o in _acc(info).provision_obligations(self.record.document, self.record.number)
        ]

    @strawberry.field(description="The provisions and obligations this provision implements or restates.")
    def links(self, info: Info) -> list[TextLink]:
        return _links(_acc(info).links(document=self.record.document, provision=self.record.number))

    @strawberry.field(description="The provisions and obligations that implement or restate this provision.")
    def linked_from(self, info: Info) -> list[TextLink]:
        return _links(_acc(info).linked_from(document=self.record.document, provision=self.record.number))


@strawberry.type(description="A document citing another in one provision.")
class Citation:
    record: strawberry.Private[CitationRecord]

    @strawberry.field(description="implements, based_on or cites.")
    def relation(self) -> str:
        return self.record.relation

    @strawberry.field
    def quote(self) -> str:
        return self.record.quote

    @strawberry.field
    def provision(self, info: Info) -> ProvisionNode | None:
        found = _acc(info).provision(self.record.provision, self.record.document)
        return ProvisionNode(record=found) if found else None

    @strawberry.field
    def cited(self, info: Info) -> CitedDocument:
        return CitedDocument(record=_acc(info).cited_document(self.record.cited))


@strawberry.type(description="A document, law or plan that a policy document cites.")
class CitedDocument:
    record: strawberry.Private[CitedDocumentRecord]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description='The official number, e.g. "Minfa [2021] No. 44".')
    def number(self) -> str | None:
        return self.record.number

    @strawberry.field
    def title(self) -> str:
        return self.record.title

    @strawberry.field(description="The issuer as the text names it.")
    def issuer(self) -> str | None:
        return self.record.issuer

    @strawberry.field(description="The policy document of the corpus it is, when the corpus holds it (one node).")
    def document(self, info: Info) -> Document | None:
        found = _acc(info).document(self.record.id) if self.record.in_corpus else None
        return Document(record=found) if found else None

    @strawberry.field(description="The provisions that cite it, in document order.")
    def cited_by(self, info: Info) -> list[ProvisionNode]:
        acc = _acc(info)
        seen: dict[tuple[str, str], ProvisionRecord] = {}
        for c in acc.citations_of(self.record.id):
            if (p := acc.provision(c.provision, c.document)) is not None:
                seen.setdefault((c.document, c.provision), p)
        return [ProvisionNode(record=p) for p in sorted(seen.values(), key=lambda p: (p.document, p.order))]

    @strawberry.field
    def citations(self, info: Info) -> list[Citation]:
        return [Citation(record=c) for c in _acc(info).citations_of(self.record.id)]


@strawberry.type(name="Obligation", description="One duty, stated in one span of one provision.")
class ObligationNode:
    record: strawberry.Private[ObligationRecord]

    @strawberry.field(description='"<document-id>/<obligation-id>", e.g. "hubei-2022-child-welfare/2.1.4-2".')
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description="The obligation's id within its document.")
    def local_id(self) -> str:
        return self.record.local_id

    @strawberry.field(description="The verbatim span of the provision that states the duty.")
    def text(self) -> str:
        return self.record.text

    @strawberry.field(description="must, should, encouraged or may.")
    def modality(self) -> str:
        return self.record.modality

    @strawberry.field(description="The annotator's plain-English restatement.")
    def action(self) -> str | None:
        return self.record.action

    @strawberry.field(description="The provision (clause) the duty rests on.")
    def provision(self, info: Info) -> ProvisionNode:
        return ProvisionNode(record=_acc(info).provision(self.record.provision, self.record.document))

    @strawberry.field
    def document(self, info: Info) -> Document:
        return Document(record=_acc(info).document(self.record.document))

    @strawberry.field(description="Who holds which role; leads first.")
    def assignments(self) -> list[Assignment]:
        return [Assignment(record=a) for a in self.record.assignments]

    @strawberry.field
    def deadline(self) -> Deadline | None:
        return Deadline(record=self.record.deadline) if self.record.deadline else None

    @strawberry.field(description="The child needs it serves.")
    def needs(self, info: Info) -> list[ConceptNode]:
        return _concepts(info, "needs", self.record.needs)

    @strawberry.field(description="The institutional capacities it concerns.")
    def capacities(self, info: Info) -> list[ConceptNode]:
        return _concepts(info, "capacities", self.record.capacities)

    @strawberry.field
    def target_groups(self, info: Info) -> list[ConceptNode]:
        return _concepts(info, "groups", self.record.groups)

    @strawberry.field(description="The documents it cites (laws, plans, and corpus documents).")
    def citations(self, info: Info) -> list[CitedDocument]:
        acc = _acc(info)
        return [CitedDocument(record=c) for i in self.record.cites if (c := acc.cited_document(i))]

    @strawberry.field(description="The levels it is addressed to (see allLevels).")
    def level(self, info: Info) -> list[ConceptNode]:
        return _concepts(info, "levels", self.record.levels)

    @strawberry.field(description='True when the text addresses "all levels" or "all localities".')
    def all_levels(self) -> bool:
        return self.record.all_levels

    @strawberry.field(description="The institutions it concerns.")
    def institutions(self, info: Info) -> list[OrganizationNode]:
        acc = _acc(info)
        return [OrganizationNode(record=o) for i in self.record.institutions if (o := acc.organization(i))]

    @strawberry.field(description="explicit, or inherited-from-context when the owners come from another duty.")
    def owner_basis(self) -> str | None:
        return self.record.owner_basis

    @strawberry.field(description="The obligation whose owners this one takes.")
    def owner_inherited_from(self, info: Info) -> ObligationNode | None:
        source = self.record.owner_inherited_from
        found = _acc(info).obligation(source) if source else None
        return ObligationNode(record=found) if found else None

    @strawberry.field(description="The obligations and provisions it implements or restates, in any document.")
    def links(self, info: Info) -> list[TextLink]:
        return _links(_acc(info).links(obligation=self.record.id))

    @strawberry.field(description="The obligations and provisions that implement or restate it.")
    def linked_from(self, info: Info) -> list[TextLink]:
        return _links(_acc(info).linked_from(obligation=self.record.id))

    @strawberry.field
    def note(self) -> str | None:
        return self.record.note

    @strawberry.field(description="The annotation file, relative to the data folder.")
    def source_file(self) -> str | None:
        return self.record.source_file

    @strawberry.field(description="The 1-based line of the annotation entry.")
    def source_line(self) -> int | None:
        return self.record.source_line


@strawberry.type(description="An organisation, the role it holds for a need, and the duties it holds it in.")
class Responsibility:
    organization: OrganizationNode
    role: Role
    obligations: list[ObligationNode]


def _supporting_sectors(root: Any, info: Info) -> list[ConceptNode]:
    return _concepts(info, "sectors", root.entry.supporting_sectors)


@strawberry.type(description="How one need or capacity is covered; hasLead false marks a gap.")
class Coverage:
    # Plain values filled in once (see ConceptNode).
    entry: strawberry.Private[CoverageEntry]
    need: ConceptNode = strawberry.field(description="The need or capacity.", default=None)
    leads: list[OrganizationNode] = strawberry.field(default=None)
    obligation_count: int = strawberry.field(default=None)
    supporting_sectors: list[ConceptNode] = strawberry.field(resolver=_supporting_sectors)
    has_lead: bool = strawberry.field(
        description="False where no organisation leads any duty serving it.", default=None
    )

    def __post_init__(self) -> None:
        entry = self.entry
        self.need, self.leads = ConceptNode(record=entry.concept), [OrganizationNode(record=o) for o in entry.leads]
        self.obligation_count, self.has_lead = entry.obligation_count, entry.has_lead


@strawberry.type(name="MatrixCell", description="What one sector holds for one column of the matrix.")
class MatrixCellNode:
    # Plain values filled in once (see ConceptNode); ``column`` is the matrix's own column node.
    record: strawberry.Private[MatrixCell]
    column: strawberry.Private[ConceptNode]
    need: ConceptNode = strawberry.field(description="The column: a need or a capacity.", default=None)
    roles: list[Role] = strawberry.field(description="The roles held, leads first.", default=None)
    letters: str = strawberry.field(
        description="RASCI letters in role order: A lead, R responsible, S supporting, C, I.", default=None
    )
    obligation_ids: list[strawberry.ID] = strawberry.field(default=None)
    clauses: list[str] = strawberry.field(
        description='The clauses the cell rests on, in document order: provision numbers, each as "<document-id> '
        '<number>" unless the matrix is narrowed to one document.',
        default=None,
    )

    def __post_init__(self) -> None:
        record = self.record
        self.need, self.roles, self.letters = self.column, [_role(r) for r in record.roles], record.letters
        self.obligation_ids, self.clauses = [strawberry.ID(i) for i in record.obligation_ids], list(record.clauses)


def _row_sector(root: Any, info: Info) -> ConceptNode:
    return _concept(info, "sectors", root.record.sector)


@strawberry.type(name="MatrixRow", description="One sector's row of the matrix.")
class MatrixRowNode:
    record: strawberry.Private[MatrixRow]
    columns: strawberry.Private[tuple[ConceptNode, ...]]
    sector: ConceptNode = strawberry.field(resolver=_row_sector)
    cells: list[MatrixCellNode] = strawberry.field(default=None)

    def __post_init__(self) -> None:
        self.cells = [MatrixCellNode(record=c, column=n) for c, n in zip(self.record.cells, self.columns, strict=True)]


@strawberry.type(name="ResponsibilityMatrix", description="Sectors against needs and capacities.")
class ResponsibilityMatrixNode:
    record: strawberry.Private[ResponsibilityMatrix]
    columns: list[ConceptNode] = strawberry.field(default=None)
    rows: list[MatrixRowNode] = strawberry.field(default=None)
    gaps: list[ConceptNode] = strawberry.field(description="The columns no organisation leads.", default=None)

    def __post_init__(self) -> None:
        self.columns = [ConceptNode(record=c) for c in self.record.columns]
        by_id = {node.id: node for node in self.columns}
        self.rows = [MatrixRowNode(record=r, columns=tuple(self.columns)) for r in self.record.rows]
        self.gaps = [by_id[g] for g in self.record.gaps]


@strawberry.type(description="Provisions and obligations whose text holds the searched words.")
class SearchResult:
    provisions: list[ProvisionNode]
    obligations: list[ObligationNode]


@strawberry.type(description="One SHACL validation finding.")
class ValidationResult:
    severity: str
    message: str
    focus_node: str
    path: str | None
    source_shape: str
    source_file: str | None
    source_line: int | None


@strawberry.type(description="The SHACL validation report of the served graph, computed at start-up.")
class Validation:
    conforms: bool
    results: list[ValidationResult]


# -- procedures and pathways -----------------------------------------------------------------------


@strawberry.type(name="Eligibility", description="A condition a text states for a group or a procedure.")
class EligibilityNode:
    record: strawberry.Private[EligibilityRecord]

    @strawberry.field(description='"<document-id>/<condition-id>".')
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description="The text's own words, verbatim.")
    def quote(self) -> str:
        return self.record.quote

    @strawberry.field(description="The condition restated in English.")
    def condition(self) -> str:
        return self.record.condition

    @strawberry.field(description="The youngest age admitted, in whole years (inclusive), where the text says.")
    def minimum_age(self) -> int | None:
        return self.record.minimum_age

    @strawberry.field(description="The age the child must be below, in whole years, where the text says.")
    def age_below(self) -> int | None:
        return self.record.age_below

    @strawberry.field(description="The target group it defines, if it is a definition.")
    def defines(self, info: Info) -> ConceptNode | None:
        return _concept(info, "groups", self.record.defines)

    @strawberry.field
    def provision(self, info: Info) -> ProvisionNode | None:
        found = _acc(info).provision(self.record.provision, self.record.document)
        return ProvisionNode(record=found) if found else None


@strawberry.type(name="Step", description="One step of a procedure; steps of one order are alternatives.")
class StepNode:
    record: strawberry.Private[StepRecord]
    document: strawberry.Private[str]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description="Its place in the procedure, from 1; alternatives share a place.")
    def order(self) -> int:
        return self.record.order

    @strawberry.field(description='The step\'s title in `lang` ("en" or "zh").')
    def title(self, lang: str = "en") -> str:
        return self.record.label(lang.lower())

    @strawberry.field(description="The organisation that takes the step, as the text names it.")
    def actor(self, info: Info) -> OrganizationNode | None:
        found = _acc(info).organization(self.record.actor)
        return OrganizationNode(record=found) if found else None

    @strawberry.field(description="The obligations that state the step.")
    def obligations(self, info: Info) -> list[ObligationNode]:
        acc = _acc(info)
        return [ObligationNode(record=o) for i in self.record.obligations if (o := acc.obligation(i))]

    @strawberry.field(description="The step it follows: the event its deadline counts from.")
    def after(self) -> strawberry.ID | None:
        return strawberry.ID(self.record.after) if self.record.after else None

    @strawberry.field(description="The deadline the step is due by (one of its obligations' deadlines).")
    def deadline(self) -> Deadline | None:
        return Deadline(record=self.record.deadline) if self.record.deadline else None

    @strawberry.field(description="The condition under which the step is taken, in `lang`; null when always.")
    def condition(self, lang: str = "en") -> str | None:
        return self.record.conditions.get(lang.lower()) or self.record.conditions.get("en")

    @strawberry.field(description="True on the step at which the child receives the benefit.")
    def benefit(self) -> bool:
        return self.record.benefit


@strawberry.type(name="Procedure", description="An ordered list of steps a document sets out for a child's case.")
class ProcedureNode:
    record: strawberry.Private[ProcedureRecord]

    @strawberry.field(description='"<document-id>/<procedure-id>".')
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description='The title in `lang` ("en" or "zh").')
    def title(self, lang: str = "en") -> str:
        return self.record.label(lang.lower())

    @strawberry.field
    def document(self, info: Info) -> Document:
        return Document(record=_acc(info).document(self.record.document))

    @strawberry.field(description="The provision that sets it out.")
    def provision(self, info: Info) -> ProvisionNode | None:
        found = _acc(info).provision(self.record.provision, self.record.document)
        return ProvisionNode(record=found) if found else None

    @strawberry.field
    def needs(self, info: Info) -> list[ConceptNode]:
        return _concepts(info, "needs", self.record.needs)

    @strawberry.field
    def target_groups(self, info: Info) -> list[ConceptNode]:
        return _concepts(info, "groups", self.record.groups)

    @strawberry.field(description="The conditions a child must meet, as the text states them.")
    def eligibility(self, info: Info) -> list[EligibilityNode]:
        acc = _acc(info)
        return [EligibilityNode(record=e) for i in self.record.eligibility if (e := acc.eligibility_condition(i))]

    @strawberry.field(description="The steps, by order.")
    def steps(self) -> list[StepNode]:
        return [StepNode(record=s, document=self.record.document) for s in self.record.steps]


@strawberry.type(description="A condition the texts state, and whether the child's age meets it.")
class EligibilityCheck:
    check: strawberry.Private[Any]

    @strawberry.field
    def condition(self) -> EligibilityNode:
        return EligibilityNode(record=self.check.condition)

    @strawberry.field(description="True or false where the text states an age and the profile gives one; else null.")
    def age_ok(self) -> bool | None:
        return self.check.age_ok


@strawberry.type(description="An organisation holding a role, resolved to the child's level.")
class ResolvedHolder:
    holder: strawberry.Private[Any]

    @strawberry.field
    def organization(self) -> OrganizationNode:
        return OrganizationNode(record=self.holder.organization)

    @strawberry.field
    def role(self) -> Role:
        return _role(self.holder.role)

    @strawberry.field(description="The body the text names, where it was resolved to one of the child's level.")
    def named_as(self, info: Info) -> OrganizationNode | None:
        found = _acc(info).organization(self.holder.resolved_from) if self.holder.resolved_from else None
        return OrganizationNode(record=found) if found else None


@strawberry.type(description="A duty owed to the child, with its holders resolved to the child's level.")
class OwedDuty:
    duty: strawberry.Private[Any]

    @strawberry.field
    def obligation(self) -> ObligationNode:
        return ObligationNode(record=self.duty.obligation)

    @strawberry.field
    def holders(self) -> list[ResolvedHolder]:
        return [ResolvedHolder(holder=h) for h in self.duty.holders]


@strawberry.type(description="A step with its actor resolved and its latest due date.")
class DatedStep:
    dated: strawberry.Private[Any]
    document: strawberry.Private[str]

    @strawberry.field
    def step(self) -> StepNode:
        return StepNode(record=self.dated.step, document=self.document)

    @strawberry.field
    def actor(self) -> ResolvedHolder:
        return ResolvedHolder(holder=self.dated.actor)

    @strawberry.field(description="The latest due date, counted from the start on China's working-day calendar.")
    def due(self) -> dt.date | None:
        return self.dated.due

    @strawberry.field(
        description='How the date was found: "start", "computed", "a date the text states", or why there is none '
        '("promptly", "no period stated", "follows an undated step", a year the calendar does not cover).'
    )
    def basis(self) -> str:
        return self.dated.basis


@strawberry.type(description="A procedure that applies to the child, with its steps dated.")
class ProcedurePath:
    path: strawberry.Private[Any]

    @strawberry.field
    def procedure(self) -> ProcedureNode:
        return ProcedureNode(record=self.path.procedure)

    @strawberry.field
    def eligibility(self) -> list[EligibilityCheck]:
        return [EligibilityCheck(check=c) for c in self.path.eligibility]

    @strawberry.field
    def steps(self) -> list[DatedStep]:
        return [DatedStep(dated=s, document=self.path.procedure.document) for s in self.path.steps]

    @strawberry.field(description="Calendar days from the start to the step at which the child receives the benefit.")
    def days_to_benefit(self) -> int | None:
        return self.path.days_to_benefit


@strawberry.type(description="What one child is owed across the corpus, who acts, and by when.")
class Pathway:
    pathway: strawberry.Private[Any]

    @strawberry.field(description="The child's target groups (deprecated ids read as their successors).")
    def target_groups(self, info: Info) -> list[ConceptNode]:
        return _concepts(info, "groups", self.pathway.profile.groups)

    @strawberry.field
    def start(self) -> dt.date | None:
        return self.pathway.start

    @strawberry.field(description="The conditions the texts state for the child's groups.")
    def eligibility(self) -> list[EligibilityCheck]:
        return [EligibilityCheck(check=c) for c in self.pathway.eligibility]

    @strawberry.field(description="The needs the duties owed to the child serve, in vocabulary order.")
    def needs(self, info: Info) -> list[ConceptNode]:
        return _concepts(info, "needs", self.pathway.needs)

    @strawberry.field(description="The duties owed to the child, in document order.")
    def duties(self) -> list[OwedDuty]:
        return [OwedDuty(duty=d) for d in self.pathway.duties]

    @strawberry.field(description="The procedures that apply, with dates.")
    def procedures(self) -> list[ProcedurePath]:
        return [ProcedurePath(path=p) for p in self.pathway.procedures]
