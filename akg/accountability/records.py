"""The records the accountability queries answer with: plain frozen values whose references are ids.

Every record is built once, when the indexes are loaded (:mod:`akg.accountability.index`), and shared by
every answer afterwards; :class:`UnknownIdentifier` is what a query raises for an id the graph does not hold.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple


class _Labelled:
    """A record with an ``id`` and ``labels`` by language."""

    id: str
    labels: dict[str, str]

    def label(self, lang: str = "en") -> str:
        """The label in ``lang``, falling back to English, then to the id."""
        return self.labels.get(lang) or self.labels.get("en") or self.id


class UnknownIdentifier(ValueError):
    """A filter named an id the graph does not hold. ``kind`` says which vocabulary, ``value`` the id."""

    def __init__(self, kind: str, value: str) -> None:
        super().__init__(f"unknown {kind} {value!r}")
        self.kind, self.value = kind, value


@dataclass(frozen=True)
class Concept(_Labelled):
    """A SKOS concept of any scheme."""

    id: str  # skos:notation, e.g. "rehabilitation"
    scheme: str  # "needs", "capacities", "sectors", "levels", "groups", "roles", "modalities", "bases"
    labels: dict[str, str]  # {"en": ..., "zh": ...}
    definition: str | None
    broader: str | None  # id
    narrower: tuple[str, ...]
    rank: int | None  # levels and roles have akg:rank
    letter: str | None  # roles: the RASCI letter


@dataclass(frozen=True)
class OrganizationRecord(_Labelled):
    """An organisation; ``kind`` is DEPARTMENT, INSTITUTION, GOVERNMENT or OTHER; sector and level are ids."""

    id: str
    labels: dict[str, str]
    kind: str
    sector: str | None
    level: str | None
    signatory: bool
    vague: bool
    collective: bool


@dataclass(frozen=True)
class AssignmentRecord:
    """One organisation holding one role in one obligation (all ids)."""

    organization: str
    role: str
    basis: str


@dataclass(frozen=True)
class DeadlineRecord:
    """A deadline; ``instances == (date,)`` unless recurring, when ``date`` is the last instance."""

    date: dt.date
    basis: str
    wording: str
    recurrence: str | None
    instances: tuple[dt.date, ...]
    derived_from: str | None  # provision number


@dataclass(frozen=True)
class ProvisionRecord:
    """A provision of a document; ``parent`` and ``children`` are provision numbers."""

    document: str
    number: str
    heading: str | None
    text: str
    start: int
    end: int
    order: int
    parent: str | None
    children: tuple[str, ...]
    kind: str


@dataclass(frozen=True)
class CitationRecord:
    """A document citing another in one provision; relation is "implements", "based_on" or "cites"."""

    document: str
    cited: str
    relation: str
    provision: str
    quote: str


@dataclass(frozen=True)
class CitedDocumentRecord:
    """A document, law or plan that a policy document cites."""

    id: str
    number: str | None
    title: str
    issuer: str | None


@dataclass(frozen=True)
class DocumentRecord:
    """A policy document; signatories, addressees and publisher are organisation ids."""

    id: str
    title: str
    date_signed: dt.date | None
    date_published: dt.date | None
    signatories: tuple[str, ...]
    addressees: tuple[str, ...]
    publisher: str | None


@dataclass(frozen=True)
class ObligationRecord:
    """One duty stated in one span of one provision; every reference is an id."""

    id: str  # "<doc-id>/<obligation-id>", the GraphQL ID
    document: str
    local_id: str
    provision: str  # provision number
    text: str
    start: int
    end: int
    modality: str
    action: str | None
    assignments: tuple[AssignmentRecord, ...]  # leads first (role rank), then organisation id
    owner_basis: str | None
    owner_inherited_from: str | None  # obligation id ("<doc-id>/<obligation-id>")
    levels: tuple[str, ...]
    all_levels: bool
    deadline: DeadlineRecord | None
    needs: tuple[str, ...]
    capacities: tuple[str, ...]
    groups: tuple[str, ...]
    institutions: tuple[str, ...]
    cites: tuple[str, ...]
    note: str | None
    source_file: str | None
    source_line: int | None


@dataclass(frozen=True)
class MatrixCell:
    """What one sector holds for one column."""

    column: str  # need or capacity id
    roles: tuple[str, ...]  # role ids, leads first
    letters: str  # RASCI letters in role order, e.g. "AS"
    obligation_ids: tuple[str, ...]  # sorted
    clauses: tuple[str, ...]  # provision numbers, in document order


@dataclass(frozen=True)
class MatrixRow:
    """One sector's cells, one per column in column order (empty roles where it has no duty)."""

    sector: str
    cells: tuple[MatrixCell, ...]


@dataclass(frozen=True)
class ResponsibilityMatrix:
    """Sectors against needs and capacities, RASCI letters in the cells."""

    columns: tuple[Concept, ...]  # needs (narrow ones, tree order) then capacities, or those asked for
    rows: tuple[MatrixRow, ...]  # sectors in vocabulary order, or those asked for
    level: str | None
    target_group: str | None
    gaps: tuple[str, ...]  # column ids with no lead anywhere in the filtered obligations


class Responsibility(NamedTuple):
    """An organisation, the role it holds, and the obligations it holds it in (document order)."""

    organization: OrganizationRecord
    role: str
    obligations: tuple[ObligationRecord, ...]


class CoverageEntry(NamedTuple):
    """How one need or capacity is covered: its leads, how many duties, which sectors support."""

    concept: Concept
    leads: list[OrganizationRecord]
    obligation_count: int
    supporting_sectors: list[str]
    has_lead: bool


class SearchResult(NamedTuple):
    """Provisions and obligations whose text holds the searched words."""

    provisions: list[ProvisionRecord]
    obligations: list[ObligationRecord]
