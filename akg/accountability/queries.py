"""The accountability questions, answered from the in-memory indexes of one graph.

The semantics every method shares (ids, broad needs, level, target-group and deadline filters, unknown ids,
vocabulary order) are documented in :mod:`akg.accountability`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from akg.accountability.answers import AnswerCache
from akg.accountability.index import ORGANIZATION_KINDS, Index, load_index
from akg.accountability.pathways import (
    Duty,
    Holder,
    Pathway,
    ProcedurePath,
    Profile,
    check_profile,
    date_steps,
    eligibility_checks,
)
from akg.accountability.records import (
    CitationRecord,
    CitedDocumentRecord,
    Concept,
    CoverageEntry,
    DocumentRecord,
    EligibilityRecord,
    InvalidArgument,
    JurisdictionRecord,
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
    UnknownIdentifier,
)
from akg.store import GraphStore

LEAD = "lead"
SUPPORTING = "supporting"


class Accountability:
    """In-memory indexes over one graph, answering the accountability questions without further queries."""

    def __init__(self, store: GraphStore) -> None:
        """Build every index from ``store`` with a fixed handful of SELECT queries.

        ``answers`` keeps answers already given (see :mod:`akg.accountability.answers`); it lives and dies
        with these indexes, so rebuilding them for a new store version starts it empty.
        """
        self._index: Index = load_index(store)
        self.answers = AnswerCache()
        self._serving = self._serving_index()

    @classmethod
    def from_store(cls, store: GraphStore) -> Accountability:
        """The accountability indexes of ``store`` (any object with ``select``)."""
        return cls(store)

    # -- vocabularies ------------------------------------------------------------------------

    def concepts(self, scheme: str) -> list[Concept]:
        """Every concept of ``scheme`` in vocabulary order (trees: each concept before its narrower ones)."""
        if scheme not in self._index.ordered:
            raise UnknownIdentifier("scheme", scheme)
        return list(self._index.ordered[scheme])

    def concept(self, scheme: str, id: str) -> Concept | None:
        """The concept ``id`` of ``scheme``, or None."""
        if scheme not in self._index.concepts:
            raise UnknownIdentifier("scheme", scheme)
        return self._index.concepts[scheme].get(id)

    def narrower_needs(self, need: str) -> frozenset[str]:
        """``need`` and every need below it in the tree. Raises UnknownIdentifier."""
        self._check("needs", need)
        return self._index.descendants[need]

    def resolve(self, scheme: str, value: str | None) -> str | None:
        """``value`` checked against ``scheme``, a deprecated id replaced by its successor. Raises UnknownIdentifier."""
        if value is None:
            return None
        value = self._index.replaced_by.get((scheme, value), value)
        if value not in self._index.concepts.get(scheme, {}):
            names = {"capacities": "capacity", "deadline-kinds": "deadline kind", "time-units": "time unit"}
            raise UnknownIdentifier(names.get(scheme, scheme.rstrip("s")), value)
        return value

    def _check(self, scheme: str, value: str | None) -> None:
        self.resolve(scheme, value)

    def _is_capacity(self, ident: str) -> bool:
        """True when ``ident`` is no need (nor a deprecated one) but a capacity."""
        needs = self._index.concepts["needs"]
        return (
            self._index.replaced_by.get(("needs", ident), ident) not in needs
            and ident in self._index.concepts["capacities"]
        )

    def _groups(self, target_group: str | None, target_groups: Sequence[str] | None) -> frozenset[str] | None:
        """The union of the groups asked for (deprecated ids resolved), or None for no group filter."""
        asked = [g for g in [target_group, *(target_groups or [])] if g is not None]
        return frozenset(self.resolve("groups", g) for g in asked) if asked else None

    def _documents(self, documents: Sequence[str] | str | None) -> frozenset[str] | None:
        if documents is None:
            return None
        documents = [documents] if isinstance(documents, str) else documents
        for document in documents:
            self._check_document(document)
        return frozenset(documents)

    def _check_document(self, document: str | None) -> None:
        if document is not None and document not in self._index.documents:
            raise UnknownIdentifier("document", document)

    def _kinds(self, owner_kinds: Sequence[str] | None) -> frozenset[str] | None:
        if owner_kinds is None:
            return None
        for kind in owner_kinds:
            if kind not in ORGANIZATION_KINDS.values():
                raise UnknownIdentifier("organization kind", kind)
        return frozenset(owner_kinds)

    # -- organisations and documents ---------------------------------------------------------

    def organizations(
        self, sector: str | None = None, level: str | None = None, kind: str | None = None
    ) -> list[OrganizationRecord]:
        """Organisations (by id) of a sector, level (any of theirs) and kind (see :class:`OrganizationRecord`)."""
        self._check("sectors", sector)
        self._check("levels", level)
        if kind is not None and kind not in ORGANIZATION_KINDS.values():
            raise UnknownIdentifier("organization kind", kind)
        return [
            o
            for o in self._index.organizations.values()
            if (sector is None or o.sector == sector)
            and (level is None or o.level == level or level in o.levels)
            and (kind is None or o.kind == kind)
        ]

    def organization(self, id: str) -> OrganizationRecord | None:
        """The organisation ``id``, or None."""
        return self._index.organizations.get(id)

    def jurisdictions(self, level: str | None = None, parent: str | None = None) -> list[JurisdictionRecord]:
        """The administrative divisions (code order) at ``level`` and directly within division ``parent``.

        A directly administered unit (Xiantao) is at both the city and the county level, and lies directly
        within its province. Raises :class:`UnknownIdentifier` for an unknown level or parent code.
        """
        self._check("levels", level)
        if parent is not None and parent not in self._index.jurisdictions:
            raise UnknownIdentifier("jurisdiction", parent)
        return [
            j
            for j in self._index.jurisdictions.values()
            if (level is None or level in j.levels) and (parent is None or j.parent == parent)
        ]

    def jurisdiction(self, id: str) -> JurisdictionRecord | None:
        """The division with six-digit code ``id``, or None."""
        return self._index.jurisdictions.get(id)

    def documents(self) -> list[DocumentRecord]:
        """The policy documents, by id."""
        return list(self._index.documents.values())

    def document(self, id: str) -> DocumentRecord | None:
        """The policy document ``id``, or None."""
        return self._index.documents.get(id)

    def provisions(self, document: str | None = None) -> list[ProvisionRecord]:
        """Every provision (of one document), in document order. Raises UnknownIdentifier for a document."""
        self._check_document(document)
        return [p for (doc, _), p in self._index.provisions.items() if document is None or doc == document]

    def provision(self, number: str, document: str | None = None) -> ProvisionRecord | None:
        """Provision ``number`` of ``document`` (without one: of the first document, by id, that has it)."""
        if document is not None:
            self._check_document(document)
            return self._index.provisions.get((document, number))
        return next((p for (_, n), p in self._index.provisions.items() if n == number), None)

    def provision_obligations(self, document: str, number: str) -> list[ObligationRecord]:
        """The obligations stated in one provision, in text order."""
        return list(self._index.by_provision.get((document, number), []))

    def citations(self, document: str | None = None) -> list[CitationRecord]:
        """Every citation (of one document), by document then citation number."""
        return [c for c in self._index.citations if document is None or c.document == document]

    def cited_documents(self) -> list[CitedDocumentRecord]:
        """Every cited document, by id."""
        return list(self._index.cited.values())

    def cited_document(self, id: str) -> CitedDocumentRecord | None:
        """The cited document ``id``, or None."""
        return self._index.cited.get(id)

    def citations_of(self, cited: str) -> list[CitationRecord]:
        """The citations of one cited document."""
        return [c for c in self._index.citations if c.cited == cited]

    def cites(self, document: str) -> list[DocumentRecord]:
        """The corpus documents ``document`` cites or links to (implements, restates), by id."""
        targets = {c.cited for c in self._index.citations if c.document == document}
        targets |= {link.target.document for link in self._index.links if link.source.document == document}
        targets.discard(document)
        return [d for i, d in self._index.documents.items() if i in targets]

    def cited_by(self, document: str) -> list[DocumentRecord]:
        """The corpus documents that cite or link to ``document``, by id."""
        sources = {c.document for c in self._index.citations if c.cited == document}
        sources |= {link.source.document for link in self._index.links if link.target.document == document}
        sources.discard(document)
        return [d for i, d in self._index.documents.items() if i in sources]

    def links(
        self, document: str | None = None, obligation: str | None = None, provision: str | None = None
    ) -> list[LinkRecord]:
        """Links made by a document, an obligation (its full id) or a provision number of ``document``."""
        return self._links_at("source", document, obligation, provision)

    def linked_from(
        self, document: str | None = None, obligation: str | None = None, provision: str | None = None
    ) -> list[LinkRecord]:
        """Links that point at a document, an obligation (its full id) or a provision number of ``document``."""
        return self._links_at("target", document, obligation, provision)

    def _links_at(
        self, end: str, document: str | None, obligation: str | None, provision: str | None
    ) -> list[LinkRecord]:
        found = []
        for link in self._index.links:
            at = getattr(link, end)
            if (
                (document is None or at.document == document)
                and (obligation is None or at.obligation == obligation)
                and (provision is None or (at.provision == provision and at.obligation is None))
            ):
                found.append(link)
        return found

    # -- obligations -------------------------------------------------------------------------

    def obligation(self, id: str) -> ObligationRecord | None:
        """The obligation ``"<doc-id>/<obligation-id>"``, or None."""
        return self._index.obligations.get(id)

    def all_obligations(self) -> list[ObligationRecord]:
        """Every obligation, in document order."""
        return list(self._index.obligations.values())

    def obligations(
        self,
        need: str | None = None,
        sector: str | None = None,
        organization: str | None = None,
        target_group: str | None = None,
        level: str | None = None,
        role: str | None = None,
        modality: str | None = None,
        due_before: dt.date | None = None,
        due_after: dt.date | None = None,
        text: str | None = None,
        document: Sequence[str] | str | None = None,
        capacity: str | None = None,
        deadline_kind: str | None = None,
        target_groups: Sequence[str] | None = None,
        owner_kinds: Sequence[str] | None = None,
    ) -> list[ObligationRecord]:
        """Obligations matching every filter given, in document order.

        - ``need``: serves it or a narrower need. ``capacity``: concerns it.
        - ``sector``, ``organization``, ``role``: one assignment matches all of those given.
        - ``target_group``/``target_groups``: strictly tagged with one of them. ``level``: addressed to it,
          to all levels or to none in particular. ``document``: one id or several.
        - ``due_before``/``due_after`` (inclusive): some dated instance lies in the range; obligations
          without a dated deadline never match. ``deadline_kind``: a deadline-kinds id (``none-stated``
          lists the duties the policy gives no deadline).
        - ``owner_kinds``: some owner is of one of these kinds (e.g. DEPARTMENT, GOVERNMENT: public bodies).
        - ``text``: case-insensitive substring of the quoted text or the action (Chinese or English).
        Raises :class:`UnknownIdentifier` for an unknown id.
        """
        need = self.resolve("needs", need)
        capacity = self.resolve("capacities", capacity)
        self._check("sectors", sector)
        groups = self._groups(target_group, target_groups)
        self._check("levels", level)
        self._check("roles", role)
        self._check("modalities", modality)
        deadline_kind = self.resolve("deadline-kinds", deadline_kind)
        if organization is not None and organization not in self._index.organizations:
            raise UnknownIdentifier("organization", organization)
        documents = self._documents(document)
        kinds = self._kinds(owner_kinds)
        needs = self._index.descendants[need] if need else None
        needle = text.casefold() if text else None
        result = []
        for ob in self._index.obligations.values():
            if documents is not None and ob.document not in documents:
                continue
            if needs is not None and not needs.intersection(ob.needs):
                continue
            if capacity is not None and capacity not in ob.capacities:
                continue
            if groups is not None and not groups.intersection(ob.groups):
                continue
            if deadline_kind is not None and (ob.deadline.kind if ob.deadline else None) != deadline_kind:
                continue
            if kinds is not None and not self._owned_by(ob, kinds):
                continue
            if level is not None and not self._at_level(ob, level):
                continue
            if modality is not None and ob.modality != modality:
                continue
            if (sector or organization or role) and not any(
                (organization is None or a.organization == organization)
                and (role is None or a.role == role)
                and (sector is None or self._index.organizations[a.organization].sector == sector)
                for a in ob.assignments
            ):
                continue
            if (due_before or due_after) and not self._due(ob, due_before, due_after):
                continue
            if needle and not self._mentions(ob, needle):
                continue
            result.append(ob)
        return result

    @staticmethod
    def _at_level(ob: ObligationRecord, level: str | None) -> bool:
        return level is None or ob.all_levels or not ob.levels or level in ob.levels

    @staticmethod
    def _due(ob: ObligationRecord, before: dt.date | None, after: dt.date | None) -> bool:
        if ob.deadline is None:
            return False  # a deadline with no date (relative, periodic, none stated) has no instances either
        return any((before is None or d <= before) and (after is None or d >= after) for d in ob.deadline.instances)

    @staticmethod
    def _mentions(ob: ObligationRecord, needle: str) -> bool:
        """Whether the casefolded ``needle`` is in the obligation's quoted text or its action."""
        return needle in ob.text.casefold() or needle in (ob.action or "").casefold()

    def _role_position(self, role: str) -> int:
        return self._index.role_rank.get(role, len(self._index.role_rank))

    @staticmethod
    def _for_group(ob: ObligationRecord, groups: frozenset[str] | None) -> bool:
        return groups is None or not ob.groups or bool(groups.intersection(ob.groups))

    def _owned_by(self, ob: ObligationRecord, kinds: frozenset[str]) -> bool:
        return any(self._index.organizations[a.organization].kind in kinds for a in ob.assignments)

    def _scoped(
        self, level: str | None, groups: frozenset[str] | None, documents: frozenset[str] | None = None
    ) -> list[ObligationRecord]:
        return [
            ob
            for ob in self._index.obligations.values()
            if self._at_level(ob, level)
            and self._for_group(ob, groups)
            and (documents is None or ob.document in documents)
        ]

    def _serving_index(self) -> dict[tuple[str, str], tuple[ObligationRecord, ...]]:
        """(scheme, concept id) -> the obligations serving that need (or a narrower one) or concerning that
        capacity, in document order: built once, so that a column or a coverage entry is not a scan of every
        obligation."""
        above: dict[str, set[str]] = defaultdict(set)  # need -> itself and every need above it
        for broad, narrower in self._index.descendants.items():
            for need in narrower:
                above[need].add(broad)
        serving: dict[tuple[str, str], list[ObligationRecord]] = defaultdict(list)
        for ob in self._index.obligations.values():
            for need in set().union(*(above[n] for n in ob.needs)):
                serving[("needs", need)].append(ob)
            for capacity in set(ob.capacities):
                serving[("capacities", capacity)].append(ob)
        return {key: tuple(obs) for key, obs in serving.items()}

    def _in_scope(
        self, level: str | None, groups: frozenset[str] | None, documents: frozenset[str] | None
    ) -> frozenset[str] | None:
        """The ids of the obligations :meth:`_scoped` keeps, or None when it keeps every one."""
        if level is None and groups is None and documents is None:
            return None
        return frozenset(ob.id for ob in self._scoped(level, groups, documents))

    def _matching(self, column: Concept, in_scope: frozenset[str] | None) -> list[ObligationRecord]:
        """The obligations with an id in ``in_scope`` (None: every one) that serve ``column``, in document order."""
        serving = self._serving.get(("needs" if column.scheme == "needs" else "capacities", column.id), ())
        return list(serving) if in_scope is None else [ob for ob in serving if ob.id in in_scope]

    # -- the accountability questions --------------------------------------------------------

    def responsible_for(
        self,
        need: str | None = None,
        target_group: str | None = None,
        level: str | None = None,
        *,
        capacity: str | None = None,
        target_groups: Sequence[str] | None = None,
        document: Sequence[str] | str | None = None,
        owner_kinds: Sequence[str] | None = None,
    ) -> list[Responsibility]:
        """Who holds which role in the duties serving ``need`` (or a narrower need) or concerning ``capacity``.

        ``need`` may name a capacity too ("who funds this?": ``need="funding"``). One entry per
        (organisation, role), ordered by role rank then organisation id, leads first; its obligations in
        document order, across every document unless ``document`` narrows them. ``target_group(s)``:
        duties for any of them, and those tagged with no group; ``level``: those addressed to it, to all
        levels or to none in particular; ``owner_kinds``: only owners of those kinds. With both a need and
        a capacity, the duties must serve the one and concern the other. Raises :class:`UnknownIdentifier`,
        and :class:`InvalidArgument` when neither is given.
        """
        if capacity is None and need is not None and self._is_capacity(need):
            need, capacity = None, need
        if need is None and capacity is None:
            raise InvalidArgument("give a need or a capacity")
        need, capacity = self.resolve("needs", need), self.resolve("capacities", capacity)
        groups = self._groups(target_group, target_groups)
        self._check("levels", level)
        kinds = self._kinds(owner_kinds)
        documents = self._documents(document)

        def serves(ob: ObligationRecord) -> bool:
            if need is not None and not self._index.descendants[need].intersection(ob.needs):
                return False
            return capacity is None or capacity in ob.capacities

        held: dict[tuple[str, str], list[ObligationRecord]] = defaultdict(list)
        for ob in self._scoped(level, groups, documents):
            if serves(ob):
                for a in ob.assignments:
                    if kinds is not None and self._index.organizations[a.organization].kind not in kinds:
                        continue
                    if not held[(a.organization, a.role)] or held[(a.organization, a.role)][-1] is not ob:
                        held[(a.organization, a.role)].append(ob)
        ordered = sorted(held, key=lambda key: (self._role_position(key[1]), key[0]))
        return [Responsibility(self._index.organizations[org], role, tuple(held[(org, role)])) for org, role in ordered]

    def coverage(self, level: str | None = None, document: Sequence[str] | str | None = None) -> list[CoverageEntry]:
        """For every need (tree order, broad ones included) then every capacity: leads, duty count, support.

        ``leads`` are the organisations holding the lead role in a duty serving the concept (narrower
        needs included); ``supporting_sectors`` the sectors (vocabulary order) of organisations holding
        the supporting role; ``has_lead`` is False for the gaps a coordination meeting must close.
        """
        self._check("levels", level)
        in_scope = self._in_scope(level, None, self._documents(document))
        sector_rank = self._index.rank("sectors")
        entries = []
        for concept in [*self._index.ordered.get("needs", []), *self._index.ordered.get("capacities", [])]:
            matching = self._matching(concept, in_scope)
            leads = sorted({a.organization for ob in matching for a in ob.assignments if a.role == LEAD})
            sectors = {
                sector
                for ob in matching
                for a in ob.assignments
                if a.role == SUPPORTING and (sector := self._index.organizations[a.organization].sector)
            }
            entries.append(
                CoverageEntry(
                    concept=concept,
                    leads=[self._index.organizations[o] for o in leads],
                    obligation_count=len(matching),
                    supporting_sectors=sorted(sectors, key=lambda s: sector_rank.get(s, len(sector_rank))),
                    has_lead=bool(leads),
                )
            )
        return entries

    def responsibility_matrix(
        self,
        needs: Sequence[str] | None = None,
        sectors: Sequence[str] | None = None,
        level: str | None = None,
        target_group: str | None = None,
        document: Sequence[str] | str | None = None,
        target_groups: Sequence[str] | None = None,
    ) -> ResponsibilityMatrix:
        """The RASCI matrix: sectors (rows) against needs and capacities (columns).

        ``needs`` may name needs (a broad one takes in its narrower needs) or capacities; by default the
        columns are the narrow needs in tree order, then the capacities. ``sectors`` picks rows (default:
        every sector, vocabulary order). An assignment counts in the row of its organisation's sector;
        organisations without a sector fill no row but their leads still close a gap. A cell's clauses are
        provision numbers, each prefixed by its document's id ("minfa-2019-62 2.3") unless the matrix is
        narrowed to one document. ``target_group(s)``
        and ``document`` (one id or several) narrow the duties as in :meth:`responsible_for`. Raises
        :class:`UnknownIdentifier`.
        """
        groups = self._groups(target_group, target_groups)
        self._check("levels", level)
        documents = self._documents(document)
        if needs is None:
            columns = [c for c in self._index.ordered.get("needs", []) if not c.narrower]
            columns += self._index.ordered.get("capacities", [])
        else:
            columns = []
            for ident in needs:
                ident = self._index.replaced_by.get(("needs", ident), ident)
                concept = self._index.concepts["needs"].get(ident) or self._index.concepts["capacities"].get(ident)
                if concept is None:
                    raise UnknownIdentifier("need", ident)
                columns.append(concept)
        if sectors is None:
            row_ids = [c.id for c in self._index.ordered.get("sectors", [])]
        else:
            for sector in sectors:
                self._check("sectors", sector)
            row_ids = list(sectors)
        in_scope = self._in_scope(level, groups, documents)
        # Across several documents a clause number alone is ambiguous: it is given with its document's id.
        qualify = len(documents if documents is not None else self._index.documents) > 1
        gaps = []
        # Per column, what each sector holds: its roles, the obligations and their clauses (in the order met).
        per_column: list[dict[str | None, tuple[set[str], set[str], dict[tuple[str, str], None]]]] = []
        for column in columns:
            matching = self._matching(column, in_scope)
            if not any(a.role == LEAD for ob in matching for a in ob.assignments):
                gaps.append(column.id)
            held: dict[str | None, tuple[set[str], set[str], dict[tuple[str, str], None]]] = {}
            for ob in matching:
                for a in ob.assignments:
                    sector = self._index.organizations[a.organization].sector
                    roles, obligation_ids, clauses = held.setdefault(sector, (set(), set(), {}))
                    roles.add(a.role)
                    obligation_ids.add(ob.id)
                    clauses[(ob.document, ob.provision)] = None
            per_column.append(held)
        nothing: tuple[set[str], set[str], dict[tuple[str, str], None]] = (set(), set(), {})
        rows = []
        for sector in row_ids:
            cells = []
            for column, held in zip(columns, per_column, strict=True):
                roles, obligation_ids, clauses = held.get(sector, nothing)
                ordered_roles = tuple(sorted(roles, key=lambda r: self._role_position(r)))
                letters = "".join(self._index.concepts["roles"][r].letter or "" for r in ordered_roles)
                clause_order = sorted(clauses, key=lambda key: self._index.provision_order.get(key, 0))
                cells.append(
                    MatrixCell(
                        column=column.id,
                        roles=ordered_roles,
                        letters=letters,
                        obligation_ids=tuple(sorted(obligation_ids)),
                        clauses=tuple(f"{doc} {number}" if qualify else number for doc, number in clause_order),
                    )
                )
            rows.append(MatrixRow(sector=sector, cells=tuple(cells)))
        group_ids = sorted(groups) if groups else []
        return ResponsibilityMatrix(
            columns=tuple(columns),
            rows=tuple(rows),
            level=level,
            target_group=",".join(group_ids) or None,
            gaps=tuple(gaps),
        )

    # -- procedures and pathways ---------------------------------------------------------------

    def procedures(
        self, document: str | None = None, need: str | None = None, target_group: str | None = None
    ) -> list[ProcedureRecord]:
        """Procedures (document order) of a document, serving a need (or a narrower one), for a group."""
        self._check_document(document)
        need, group = self.resolve("needs", need), self.resolve("groups", target_group)
        needs = self._index.descendants[need] if need else None
        return [
            p
            for p in self._index.procedures.values()
            if (document is None or p.document == document)
            and (needs is None or needs.intersection(p.needs))
            and (group is None or group in p.groups)
        ]

    def procedure(self, id: str) -> ProcedureRecord | None:
        """The procedure ``"<doc-id>/<procedure-id>"``, or None."""
        return self._index.procedures.get(id)

    def eligibility(self, group: str | None = None) -> list[EligibilityRecord]:
        """Eligibility conditions (document order), those that define ``group`` when given."""
        group = self.resolve("groups", group)
        return [e for e in self._index.eligibility.values() if group is None or e.defines == group]

    def eligibility_condition(self, id: str) -> EligibilityRecord | None:
        """The eligibility condition ``"<doc-id>/<id>"``, or None."""
        return self._index.eligibility.get(id)

    def resolve_holder(
        self, organization: str, role: str, level: str | None, jurisdiction: str | None = None
    ) -> Holder:
        """``organization`` resolved to ``level``, then to the body of one division where one is given.

        A department collective named with no level (民政部门) becomes its sector's departments at that
        level (县级民政部门) where the graph has them. With a ``jurisdiction`` (a code the graph holds), a
        collective at a level (县级民政部门) becomes its member body in the division at that level: the
        division itself, or the one above it that is at that level (a county's city for 市（州）民政部门),
        where the graph has one (``civil-affairs@420102``). Any other body stays as the text names it.
        """
        holder = self._to_level(self._index.organizations[organization], role, level)
        org = holder.organization
        if jurisdiction is None or not org.collective or org.level is None:
            return holder
        place = self._within_at(jurisdiction, org.level)
        body = self._index.bodies.get((org.id, place)) if place is not None else None
        if body is None:
            return holder
        return Holder(self._index.organizations[body], role, holder.resolved_from or org.id)

    def _to_level(self, org: OrganizationRecord, role: str, level: str | None) -> Holder:
        if level is None or org.kind != "DEPARTMENT" or org.level is not None or org.sector is None or org.vague:
            return Holder(org, role, None)
        for other in self._index.organizations.values():
            if (
                other.sector == org.sector
                and other.level == level
                and other.collective
                and not other.vague
                and other.kind == org.kind
            ):
                return Holder(other, role, org.id)
        return Holder(org, role, None)

    def _within_at(self, code: str, level: str) -> str | None:
        """The code of division ``code`` or of the division above it that is at ``level``, or None."""
        found = self._index.jurisdictions.get(code)
        while found is not None and level not in found.levels:
            found = self._index.jurisdictions.get(found.parent) if found.parent else None
        return found.id if found is not None else None

    def pathway(self, profile: Profile, start: dt.date | None = None) -> Pathway:
        """Everything owed to one child (see :mod:`akg.accountability.pathways`).

        A ``jurisdiction`` (a division code the graph holds) resolves each collective holder to its body in
        that division (:meth:`resolve_holder`); without a ``level``, the level is the division's lowest
        (county for a county, or for a directly administered unit). Raises :class:`UnknownIdentifier` for an
        unknown group, level or jurisdiction, and :class:`InvalidArgument` for an impossible profile.
        """
        check_profile(profile)
        groups = tuple(dict.fromkeys(self.resolve("groups", g) for g in profile.groups))
        self._check("levels", profile.level)
        level = profile.level
        if profile.jurisdiction is not None:
            place = self._index.jurisdictions.get(profile.jurisdiction)
            if place is None:
                raise UnknownIdentifier("jurisdiction", profile.jurisdiction)
            level = level or (place.levels[-1] if place.levels else None)
        wanted = frozenset(groups)

        def holder(org: str, role: str) -> Holder:
            return self.resolve_holder(org, role, level, profile.jurisdiction)

        conditions = [e for e in self._index.eligibility.values() if e.defines in wanted]
        duties = [
            Duty(ob, tuple(holder(a.organization, a.role) for a in ob.assignments))
            for ob in self._index.obligations.values()
            if ob.needs and wanted.intersection(ob.groups) and self._at_level(ob, level)
        ]
        need_rank = self._index.rank("needs")
        needs = sorted({n for d in duties for n in d.obligation.needs}, key=lambda n: (need_rank.get(n, 99), n))
        paths = []
        for procedure in self._index.procedures.values():
            if not wanted.intersection(procedure.groups):
                continue
            own = [self._index.eligibility[e] for e in procedure.eligibility if e in self._index.eligibility]
            steps, days = date_steps(procedure.steps, start, holder)
            paths.append(ProcedurePath(procedure, eligibility_checks(own, profile.age), steps, days))
        return Pathway(
            Profile(groups, profile.age, level, profile.jurisdiction),
            start,
            eligibility_checks(conditions, profile.age),
            tuple(needs),
            tuple(duties),
            tuple(paths),
        )

    def search(self, text: str) -> SearchResult:
        """Provisions (text or heading) and obligations (text or action) holding ``text``, case-insensitively.

        Blank text finds nothing. Both lists are in document order.
        """
        needle = text.strip().casefold()
        if not needle:
            return SearchResult([], [])
        provisions = [
            p
            for p in self._index.provisions.values()
            if needle in p.text.casefold() or needle in (p.heading or "").casefold()
        ]
        obligations = [ob for ob in self._index.obligations.values() if self._mentions(ob, needle)]
        return SearchResult(provisions, obligations)

    def counts(self) -> dict[str, int]:
        """How many documents, provisions, obligations, organisations, citations and cited documents."""
        return {
            "documents": len(self._index.documents),
            "provisions": len(self._index.provisions),
            "obligations": len(self._index.obligations),
            "organizations": len(self._index.organizations),
            "citations": len(self._index.citations),
            "cited_documents": len(self._index.cited),
        }
