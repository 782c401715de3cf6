"""The plain-data writers: csv, Markdown and json.

Contract: each ``render_*`` takes a :class:`~akg.matrix.pack.MatrixPack` and returns UTF-8 bytes;
:func:`matrix_json` is shaped like the GraphQL ``responsibilityMatrix`` answer, so a download and a
query agree.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from akg.matrix.content import GAP_MARK, GAP_TEXT, cell_text, date_text, is_lead, legend_rows

if TYPE_CHECKING:
    from akg.accountability import ResponsibilityMatrix
    from akg.matrix.pack import MatrixPack


def graphql_enum(role: str) -> str:
    """A role id as the GraphQL enum value (``lead`` -> ``LEAD``)."""
    return role.upper().replace("-", "_")


def render_csv(pack: MatrixPack) -> bytes:
    """Header ``sector, sector_label, <column ids>``; one row per sector; a last row marks the gaps."""
    matrix = pack.matrix
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["sector", "sector_label", *(c.id for c in matrix.columns)])
    for row in matrix.rows:
        writer.writerow([row.sector, pack.sector_label(row.sector), *(cell_text(c) for c in row.cells)])
    gaps = set(matrix.gaps)
    writer.writerow(["", GAP_TEXT, *(GAP_MARK if c.id in gaps else "" for c in matrix.columns)])
    return out.getvalue().encode("utf-8")


def _md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def render_md(pack: MatrixPack) -> bytes:
    """A Markdown page: title, filters, the table (gap columns flagged, gap row last), the legend."""
    matrix = pack.matrix
    gaps = set(matrix.gaps)
    lines = [
        "# Responsibility matrix",
        "",
        f"**{_md_escape(pack.title)}**" + (f" — {date_text(pack.date)}" * bool(pack.date)),
    ]
    for name, value in pack.filters:
        lines.append(f"- {name}: {_md_escape(value)}")
    lines.append("")
    header = ["Sector"] + [
        _md_escape(pack.column_label(c)) + (f" ({GAP_MARK})" if c.id in gaps else "") for c in matrix.columns
    ]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    for row in matrix.rows:
        cells = [f"**{cell_text(c)}**" if is_lead(c) else cell_text(c) for c in row.cells]
        lines.append("| " + " | ".join([_md_escape(pack.sector_label(row.sector)), *cells]) + " |")
    lines.append(
        "| " + " | ".join([f"*{GAP_TEXT}*", *(GAP_MARK if c.id in gaps else "" for c in matrix.columns)]) + " |"
    )
    lines += ["", "Legend: " + "; ".join(f"{letter} {text}" for letter, text in legend_rows(pack)) + "."]
    lines.append("Cells show the RASCI letters and, in brackets, the clauses they rest on; lead cells are bold.")
    if matrix.gaps:
        lines.append(
            "Gaps: " + ", ".join(_md_escape(pack.column_label(c)) for c in matrix.columns if c.id in gaps) + "."
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def matrix_json(matrix: ResponsibilityMatrix, pack: MatrixPack) -> dict[str, Any]:
    """The GraphQL ``responsibilityMatrix`` answer to ``{columns {id label} rows {sector {id label}
    cells {need {id} roles letters obligationIds clauses}} gaps {id label}}``, in the pack's language."""
    return {
        "columns": [{"id": c.id, "label": pack.column_label(c)} for c in matrix.columns],
        "rows": [
            {
                "sector": {"id": row.sector, "label": pack.sector_label(row.sector)},
                "cells": [
                    {
                        "need": {"id": cell.column},
                        "roles": [graphql_enum(r) for r in cell.roles],
                        "letters": cell.letters,
                        "obligationIds": list(cell.obligation_ids),
                        "clauses": list(cell.clauses),
                    }
                    for cell in row.cells
                ],
            }
            for row in matrix.rows
        ],
        "gaps": [{"id": c.id, "label": pack.column_label(c)} for c in matrix.columns if c.id in set(matrix.gaps)],
    }


def status_json(pack: MatrixPack) -> dict[str, Any]:
    """The status view: ``{"asOf": date, "cells": [{sector, need, instances, due, done, overdue, status}]}``,
    one entry per cell with duty instances, in row then column order."""
    assert pack.status is not None
    cells = []
    for row in pack.matrix.rows:
        for cell in row.cells:
            tally = pack.status.cell(row.sector, cell, pack.matrix.level)
            if tally.status is not None:
                cells.append({"sector": row.sector, "need": cell.column, **asdict(tally), "status": tally.status})
    return {"asOf": pack.status.as_of.isoformat(), "cells": cells}


def render_json(pack: MatrixPack) -> bytes:
    """``{"responsibilityMatrix": {...}, "document": {title, date}, "filters": {...}}``, and ``"status"``
    (see :func:`status_json`) with a status view."""
    body = {
        "responsibilityMatrix": matrix_json(pack.matrix, pack),
        "document": {"title": pack.title, "date": date_text(pack.date) or None},
        "filters": {name: value for name, value in pack.filters},
    }
    if pack.status is not None:
        body["status"] = status_json(pack)
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
