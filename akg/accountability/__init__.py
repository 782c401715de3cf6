"""The accountability query core: who holds which duty, for which child need, by when, on which clause.

Shared by the GraphQL service (``graphql_api``) and the matrix writers (``akg.matrix*``). The graph is
read only through a store's ``select`` (see :mod:`akg.store`): a handful of SPARQL queries at
construction fill in-memory indexes, so no question asked afterwards touches the store again (no N+1).

The package keeps one concern per module: :mod:`~akg.accountability.records` holds the records the
answers are made of (and :class:`UnknownIdentifier`), :mod:`~akg.accountability.index` reads the graph
into the in-memory indexes, and :mod:`~akg.accountability.queries` answers the questions from them
(:class:`Accountability`). Everything public is importable from here.

Semantics shared by every method (docs/model.md is the data contract):

- Identifiers are the stable ids of docs/model.md: concept notations, organisation ids, provision
  numbers; an obligation's id is ``"<doc-id>/<obligation-id>"``; a jurisdiction's its six-digit division
  code (``"420100"``). A directly administered unit (Xiantao) and its bureau are at two levels, city and
  county: a level filter matches either, and ``level`` is the higher.
- A broad need (a top concept such as ``protection``) takes in its narrower needs wherever a need
  filters obligations: :meth:`Accountability.responsible_for`, :meth:`Accountability.obligations`
  (``need=``), :meth:`Accountability.coverage` and :meth:`Accountability.responsibility_matrix`.
- A level filter ``L`` matches obligations addressed to every level (``all_levels``), to ``L``, or to no
  level in particular: where the text names a body without a level ("the public security department
  shall …"), the duty binds that body at whatever level it sits, and the graph records no level for it.
- A target-group filter in :meth:`~Accountability.responsible_for` and the matrix matches obligations
  tagged with any of the groups given plus those tagged with no group (general duties apply to every
  child); in :meth:`~Accountability.obligations` it is strict (tagged with one of them).
- Answers span every document of the corpus; a ``document`` filter (one id or several) narrows them.
- Deadline filters look at every instance of a recurring deadline; deadlines without a date (relative,
  periodic, prompt, none stated) never match a date filter, but ``deadline_kind`` finds them.
- A deprecated id (``dcterms:isReplacedBy`` in the ontology, e.g. the group ``unattended-children``)
  is read as the id that replaces it.
- Unknown ids in a filter raise :class:`UnknownIdentifier`, and unanswerable arguments
  :class:`InvalidArgument` (both ``ValueError``).
- Vocabulary order: concepts are ordered by ``akg:rank`` (or ``akg:order``) where the scheme gives
  one, else by id; the needs tree lists each top concept followed by its narrower needs.
"""

from akg.accountability.index import AKG, ID, ORGANIZATION_KINDS, RELATIONS, SCHEME_NS, SCHEMES
from akg.accountability.pathways import Pathway, Profile
from akg.accountability.queries import LEAD, SUPPORTING, Accountability
from akg.accountability.records import (
    AssignmentRecord,
    CitationRecord,
    CitedDocumentRecord,
    Concept,
    CoverageEntry,
    DeadlineRecord,
    DocumentRecord,
    EligibilityRecord,
    InvalidArgument,
    JurisdictionRecord,
    LinkEnd,
    LinkRecord,
    MatrixCell,
    MatrixRow,
    ObligationRecord,
    OrganizationRecord,
    ProcedureRecord,
    ProvisionRecord,
    Responsibility,
    ResponsibilityMatrix,
    SearchResult,
    StepRecord,
    UnknownIdentifier,
)

__all__ = [
    "AKG",
    "ID",
    "LEAD",
    "ORGANIZATION_KINDS",
    "RELATIONS",
    "SCHEMES",
    "SCHEME_NS",
    "SUPPORTING",
    "Accountability",
    "AssignmentRecord",
    "CitationRecord",
    "CitedDocumentRecord",
    "Concept",
    "CoverageEntry",
    "DeadlineRecord",
    "DocumentRecord",
    "EligibilityRecord",
    "InvalidArgument",
    "JurisdictionRecord",
    "LinkEnd",
    "LinkRecord",
    "MatrixCell",
    "MatrixRow",
    "ObligationRecord",
    "OrganizationRecord",
    "Pathway",
    "ProcedureRecord",
    "Profile",
    "ProvisionRecord",
    "Responsibility",
    "ResponsibilityMatrix",
    "SearchResult",
    "StepRecord",
    "UnknownIdentifier",
]
