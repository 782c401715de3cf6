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


class InvalidArgument(ValueError):
    """A query's arguments cannot be answered as given; the message says why and is meant for the asker."""


class UnknownIdentifier(InvalidArgument):
    """A filter named an id the graph does not hold. ``kind`` says which vocabulary, ``value`` the id."""

    def __init__(self, kind: str, value: str) -> None:
        super().__init__(f"unknown {kind} {value!r}")
        self.kind, self.value = kind, value


@dataclass(frozen=True)
class Concept(_Labelled):
    """A SKOS concept of any scheme."""

    id: str  # skos:notation, e.g. "rehabilitation"
    scheme: str  # "needs", "capacities", "sectors", "levels", "groups", "roles", "modalities", "bases", ...
    labels: dict[str, str]  # {"en": ..., "zh": ...}
    definition: str | None
    broader: str | None  # id
    narrower: tuple[str, ...]
    rank: int | None  # levels and roles have akg:rank
    letter: str | None  # roles: the RASCI letter


GOVERNMENTAL_KINDS = frozenset({"DEPARTMENT", "GOVERNMENT"})


@dataclass(frozen=True)
class OrganizationRecord(_Labelled):
    """An organisation; sector and level are ids.

    ``kind`` is DEPARTMENT, INSTITUTION or GOVERNMENT (public bodies), COMMUNITY (villagers' and residents'
    committees), FAMILY (parents, guardians, relatives), SOCIETY (enterprises, social organisations,
    volunteers) or OTHER. ``counterparts`` are the departments of its sector at the other levels.
    ``level`` is the highest of ``levels`` (a directly administered unit's bureau is at two); a body of one
    division (``civil-affairs@420100``) has its ``jurisdiction`` code and the collectives it is ``member_of``.
    """

    id: str
    labels: dict[str, str]
    kind: str
    sector: str | None
    level: str | None
    signatory: bool
    vague: bool
    collective: bool
    counterparts: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    jurisdiction: str | None = None
    member_of: tuple[str, ...] = ()

    @property
    def governmental(self) -> bool:
        """True for governments and their departments (people's organisations and the judiciary included)."""
        return self.kind in GOVERNMENTAL_KINDS


@dataclass(frozen=True)
class JurisdictionRecord(_Labelled):
    """An administrative division; ``id`` is its six-digit code, ``parent`` the code of the division above.

    ``levels`` run from the highest: a county-level unit the province administers directly (Xiantao) is
    at the city and the county level, and its ``level`` is the city level. ``types`` is the division
    type by language (地级市, "prefecture-level city"); ``children`` the codes of the divisions within it.
    """

    id: str
    labels: dict[str, str]
    levels: tuple[str, ...]
    parent: str | None
    types: dict[str, str]
    children: tuple[str, ...] = ()

    @property
    def level(self) -> str | None:
        """The highest of its levels."""
        return self.levels[0] if self.levels else None

    def type(self, lang: str = "zh") -> str | None:
        """The division type in ``lang``, falling back to Chinese."""
        return self.types.get(lang) or self.types.get("zh")


@dataclass(frozen=True)
class AssignmentRecord:
    """One organisation holding one role in one obligation (all ids)."""

    organization: str
    role: str
    basis: str


@dataclass(frozen=True)
class DeadlineRecord:
    """A deadline of one ``kind`` (a concept of the deadline-kinds scheme).

    Dated kinds (date, effective, recurring, inherited) have a ``date``; ``instances == (date,)`` unless
    recurring, when ``date`` is the last instance. A relative deadline has ``amount`` ``unit`` (a
    time-units id) after its ``trigger`` and no date; a periodic one is due at least ``minimum`` times
    every ``period`` (a periods id); prompt and none-stated ones have neither date nor period.
    """

    kind: str
    date: dt.date | None
    basis: str | None
    wording: str
    recurrence: str | None
    instances: tuple[dt.date, ...]
    derived_from: str | None  # provision number
    amount: int | None = None
    unit: str | None = None
    trigger: str | None = None
    period: str | None = None
    minimum: int | None = None


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
    """A document, law or plan that a policy document cites; ``in_corpus`` when it is a policy document too."""

    id: str
    number: str | None
    title: str
    issuer: str | None
    in_corpus: bool = False


@dataclass(frozen=True)
class LinkEnd:
    """One end of a link: a provision of a document, or an obligation (``obligation`` is its full id)."""

    document: str
    provision: str
    obligation: str | None


@dataclass(frozen=True)
class LinkRecord:
    """A provision or obligation that implements or restates another, with the words that show it."""

    relation: str  # "implements" or "restates"
    source: LinkEnd
    target: LinkEnd
    quote: str


@dataclass(frozen=True)
class DocumentRecord:
    """A policy document; issuers, signatories, addressees and publisher are organisation ids.

    ``title`` is the English title; ``titles`` holds it by language. ``language`` is that of the source
    text held (zh or en); ``level`` the level of the issuing bodies (a levels id).
    """

    id: str
    title: str
    date_signed: dt.date | None
    date_published: dt.date | None
    signatories: tuple[str, ...]
    addressees: tuple[str, ...]
    publisher: str | None
    titles: dict[str, str] | None = None
    number: str | None = None
    language: str | None = None
    level: str | None = None
    issuers: tuple[str, ...] = ()

    def label(self, lang: str = "en") -> str:
        """The title in ``lang``, falling back to English, then to the id."""
        titles = self.titles or {}
        return titles.get(lang) or titles.get("en") or self.title or self.id


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
class EligibilityRecord:
    """A condition a text states for a group or a procedure: its words, an English restatement, an age range."""

    id: str  # "<doc-id>/<eligibility-id>"
    document: str
    provision: str
    quote: str
    condition: str  # English
    defines: str | None  # group id
    minimum_age: int | None  # inclusive, whole years
    age_below: int | None  # exclusive, whole years

    def admits_age(self, age: int) -> bool:
        """Whether a child of ``age`` whole years meets the age range (True where the text states none)."""
        return (self.minimum_age is None or age >= self.minimum_age) and (
            self.age_below is None or age < self.age_below
        )


@dataclass(frozen=True)
class StepRecord:
    """One step of a procedure; ``after`` is the id of the step whose event its deadline counts from."""

    id: str
    order: int
    titles: dict[str, str]
    actor: str  # organisation id
    obligations: tuple[str, ...]  # obligation ids
    after: str | None
    deadline: DeadlineRecord | None
    conditions: dict[str, str]  # by language; empty for a step taken in every case
    benefit: bool
    note: str | None

    def label(self, lang: str = "en") -> str:
        return self.titles.get(lang) or self.titles.get("en") or self.id


@dataclass(frozen=True)
class ProcedureRecord:
    """An ordered list of steps a document sets out; steps of one order are alternatives."""

    id: str  # "<doc-id>/<procedure-id>"
    document: str
    local_id: str
    titles: dict[str, str]
    provision: str
    quote: str
    needs: tuple[str, ...]
    groups: tuple[str, ...]
    eligibility: tuple[str, ...]  # eligibility ids
    steps: tuple[StepRecord, ...]  # by order, then id

    def label(self, lang: str = "en") -> str:
        return self.titles.get(lang) or self.titles.get("en") or self.id


@dataclass(frozen=True)
class MatrixCell:
    """What one sector holds for one column."""

    column: str  # need or capacity id
    roles: tuple[str, ...]  # role ids, leads first
    letters: str  # RASCI letters in role order, e.g. "AS"
    obligation_ids: tuple[str, ...]  # sorted
    clauses: tuple[str, ...]  # provision numbers in document order, "<doc-id> <number>" across documents


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
