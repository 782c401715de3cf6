"""The matrix pack: everything the writers need, gathered once from the graph.

Contract: :func:`build_pack` is the only place that reads an :class:`~akg.accountability.Accountability`
(besides :func:`known_ids`, for error messages); it returns a :class:`MatrixPack` that holds the matrix,
one matrix per administrative level, labels in the pack's language, the obligations behind the cells,
the document's title and date and the filters applied. Writers take a pack and never touch the graph.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from akg.accountability import Accountability, Concept, ResponsibilityMatrix
    from akg.matrix.progress import Stage
    from akg.matrix.status import StatusView


@dataclass(frozen=True)
class Holder:
    """One organisation holding one role in an obligation, with the sector row it counts in."""

    sector: str | None
    organization: str  # label
    role: str  # role id


@dataclass(frozen=True)
class ObligationNote:
    """What a cell comment or pop-up says about one obligation behind a cell."""

    id: str
    clause: str  # provision number
    text: str
    holders: tuple[Holder, ...] = ()


@dataclass(frozen=True)
class MatrixPack:
    """Everything the writers need, independent of the graph.

    ``labels`` maps ``(scheme, id)`` to a label in the pack's language, for sectors, levels, groups,
    documents and the broader needs that head column groups (columns carry their own labels).
    ``by_level`` holds, for the xlsx level sheets, the matrix with the same filters but the level,
    for each administrative level in rank order. ``filters`` describes the filters applied, as
    ``(name, label)`` pairs, for headings. ``status``, when given, is the status view as of a date
    (:mod:`akg.matrix.status`): the html, xlsx and json writers then colour or count each cell by it.
    """

    matrix: ResponsibilityMatrix
    title: str
    date: dt.date | None
    roles: tuple[Concept, ...]  # RASCI roles in rank order: the legend
    labels: Mapping[tuple[str, str], str] = field(default_factory=dict)
    obligations: Mapping[str, ObligationNote] = field(default_factory=dict)
    by_level: tuple[tuple[str, ResponsibilityMatrix], ...] = ()
    filters: tuple[tuple[str, str], ...] = ()
    lang: str = "en"
    status: StatusView | None = None

    def label(self, scheme: str, id: str) -> str:
        """The label of a concept or document, its id when unknown."""
        return self.labels.get((scheme, id), id)

    def column_label(self, column: Concept) -> str:
        return concept_label(column, self.lang)

    def sector_label(self, sector: str) -> str:
        return self.label("sectors", sector)

    def role_letter(self, role: str) -> str:
        return next((r.letter or "" for r in self.roles if r.id == role), "")


def concept_label(concept: Concept, lang: str = "en") -> str:
    """A concept's label in ``lang``, falling back to English, then to its id."""
    return concept.labels.get(lang) or concept.labels.get("en") or concept.id


def build_pack(
    accountability: Accountability,
    *,
    needs: Sequence[str] | None = None,
    sectors: Sequence[str] | None = None,
    level: str | None = None,
    target_group: str | None = None,
    document: str | None = None,
    lang: str = "en",
    with_levels: bool = True,
    progress: Stage | None = None,
) -> MatrixPack:
    """Compute the matrix for the filters (same semantics as ``Accountability.responsibility_matrix``).

    With ``with_levels`` also one matrix per administrative level (the other filters kept), for the
    xlsx level sheets. Unknown ids raise ``akg.accountability.UnknownIdentifier``. The title and date are
    those of ``document``, or of the only document when there is one.
    """
    stage = progress or (lambda _message: None)
    query = {"needs": needs or None, "sectors": sectors or None, "target_group": target_group, "document": document}
    stage("computing the matrix")
    matrix = accountability.responsibility_matrix(level=level, **query)

    levels = sorted(accountability.concepts("levels"), key=lambda c: (c.rank is None, c.rank or 0, c.id))
    by_level: list[tuple[str, ResponsibilityMatrix]] = []
    if with_levels:
        for each in levels:
            stage(f"computing the {concept_label(each, lang)} matrix")
            by_level.append((each.id, accountability.responsibility_matrix(level=each.id, **query)))

    labels: dict[tuple[str, str], str] = {}
    for scheme in ("sectors", "levels", "groups", "needs", "capacities", "roles"):
        for concept in accountability.concepts(scheme):
            labels[(scheme, concept.id)] = concept_label(concept, lang)
    documents = list(accountability.documents())
    for record in documents:
        labels[("documents", record.id)] = record.label(lang)

    chosen = accountability.document(document) if document else (documents[0] if len(documents) == 1 else None)
    title = chosen.label(lang) if chosen else "Responsibility matrix"
    date = (chosen.date_signed or chosen.date_published) if chosen else None

    organizations: dict[str, tuple[str, str | None]] = {
        org.id: (org.labels.get(lang) or org.labels.get("en") or org.id, org.sector)
        for org in accountability.organizations()
    }
    notes: dict[str, ObligationNote] = {}
    for each in [matrix, *(m for _, m in by_level)]:
        for row in each.rows:
            for cell in row.cells:
                for obligation_id in cell.obligation_ids:
                    if obligation_id in notes:
                        continue
                    record = accountability.obligation(obligation_id)
                    if record is None:
                        continue
                    holders = tuple(
                        Holder(
                            organizations.get(a.organization, (a.organization, None))[1],
                            organizations.get(a.organization, (a.organization, None))[0],
                            a.role,
                        )
                        for a in record.assignments
                    )
                    notes[obligation_id] = ObligationNote(record.id, record.provision, record.text, holders)

    filters: list[tuple[str, str]] = []
    if document:
        filters.append(("document", labels.get(("documents", document), document)))
    elif len(documents) > 1:
        filters.append(("documents", "; ".join(f"{d.id}: {d.label(lang)}" for d in documents)))
    if level:
        filters.append(("level", labels.get(("levels", level), level)))
    if target_group:
        filters.append(("target group", labels.get(("groups", target_group), target_group)))
    if needs:
        filters.append(("needs", ", ".join(_column_label(labels, n) for n in needs)))
    if sectors:
        filters.append(("sectors", ", ".join(labels.get(("sectors", s), s) for s in sectors)))

    roles = tuple(sorted(accountability.concepts("roles"), key=lambda c: (c.rank is None, c.rank or 0, c.id)))
    return MatrixPack(matrix, title, date, roles, labels, notes, tuple(by_level), tuple(filters), lang)


def known_ids(accountability: Accountability, kind: str) -> list[str]:
    """The ids a filter of ``kind`` (as in ``UnknownIdentifier.kind``) accepts, for error messages."""
    if kind == "document":
        return [d.id for d in accountability.documents()]
    schemes = {"need": ("needs", "capacities"), "capacity": ("capacities",), "sector": ("sectors",)}
    schemes |= {"level": ("levels",), "group": ("groups",)}
    return [c.id for scheme in schemes.get(kind, ()) for c in accountability.concepts(scheme)]


def _column_label(labels: Mapping[tuple[str, str], str], id: str) -> str:
    return labels.get(("needs", id)) or labels.get(("capacities", id)) or id
