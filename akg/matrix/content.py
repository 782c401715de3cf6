"""What every format shows, whatever its layout: cell text, lead and gap marks, notes, headings, legend.

Contract: the writers (tabular, html, svg, xlsx) take these words from here and only lay them out, so
every format holds the same cells: the RASCI letters and the clause numbers they rest on, with gaps
(columns with no lead) marked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from akg.matrix.pack import concept_label

if TYPE_CHECKING:
    from akg.accountability import Concept, MatrixCell
    from akg.matrix.pack import MatrixPack

LEAD = "lead"  # the role id whose holders close a gap
GAP_MARK = "GAP"
GAP_TEXT = "no lead"


def is_lead(cell: MatrixCell) -> bool:
    return LEAD in cell.roles


def cell_text(cell: MatrixCell) -> str:
    """The text every tabular format shows in a cell: letters, then the clauses, e.g. ``AS (2.1.1, 2.1.3)``.

    Empty for a cell with no duty.
    """
    if not cell.roles:
        return ""
    return f"{cell.letters} ({', '.join(cell.clauses)})" if cell.clauses else cell.letters


def column_groups(pack: MatrixPack, columns: Sequence[Concept]) -> list[tuple[str, int]]:
    """Consecutive columns under one heading: the broader need, or the scheme for capacities."""
    groups: list[tuple[str, int]] = []
    for column in columns:
        if column.broader:
            heading = pack.label(column.scheme, column.broader)
        else:
            heading = column.scheme.capitalize() if column.scheme != "needs" else pack.column_label(column)
        if groups and groups[-1][0] == heading:
            groups[-1] = (heading, groups[-1][1] + 1)
        else:
            groups.append((heading, 1))
    return groups


def date_text(date: dt.date | None) -> str:
    return date.isoformat() if date else ""


def cell_notes(pack: MatrixPack, sector: str, cell: MatrixCell) -> list[str]:
    """One paragraph per obligation behind the cell: clause, id, the sector's holders, the text."""
    paragraphs = []
    for obligation_id in cell.obligation_ids:
        note = pack.obligations.get(obligation_id)
        if note is None:
            paragraphs.append(obligation_id)
            continue
        holders = [h for h in note.holders if h.sector == sector]
        who = "; ".join(f"{h.organization} ({pack.role_letter(h.role) or h.role})" for h in holders)
        head = f"§{note.clause} [{note.id}]" + (f" {who}" if who else "")
        paragraphs.append(f"{head}: {note.text}")
    return paragraphs


def legend_rows(pack: MatrixPack) -> list[tuple[str, str]]:
    rows = [(r.letter or "", concept_label(r, pack.lang)) for r in pack.roles]
    rows.append((GAP_MARK, f"{GAP_TEXT}: no organisation leads this need or capacity under these filters"))
    return rows
