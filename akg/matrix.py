"""Responsibility matrices for coordination meetings: xlsx, html, csv, md, json and an svg heat map.

The matrix itself comes from :meth:`akg.accountability.Accountability.responsibility_matrix`; this module
only renders it. :func:`build_pack` gathers, once, everything the writers need (the matrix, one matrix per
administrative level, labels, the obligations behind the cells, the document's title and date) into a
:class:`MatrixPack`; :func:`render` turns a pack into the bytes of one format and :func:`write_matrix`
writes them atomically. Every format holds the same cells: the RASCI letters and the clause numbers
they rest on, with gaps (columns with no lead) marked.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from akg.serialization import write_atomically

if TYPE_CHECKING:
    from akg.accountability import Accountability, Concept, MatrixCell, ResponsibilityMatrix

FORMATS = ("xlsx", "html", "csv", "md", "json", "svg")
LEAD = "lead"  # the role id whose holders close a gap
GAP_MARK = "GAP"
GAP_TEXT = "no lead"

# A stage callback: called with a short description as each stage starts.
Stage = Callable[[str], None]


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
    ``(name, label)`` pairs, for headings.
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


def is_lead(cell: MatrixCell) -> bool:
    return LEAD in cell.roles


def cell_text(cell: MatrixCell) -> str:
    """The text every tabular format shows in a cell: letters, then the clauses, e.g. ``AS (2.1.1, 2.1.3)``.

    Empty for a cell with no duty.
    """
    if not cell.roles:
        return ""
    return f"{cell.letters} ({', '.join(cell.clauses)})" if cell.clauses else cell.letters


def graphql_enum(role: str) -> str:
    """A role id as the GraphQL enum value (``lead`` -> ``LEAD``)."""
    return role.upper().replace("-", "_")


# --------------------------------------------------------------------------- building a pack


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
        labels[("documents", record.id)] = record.title

    chosen = accountability.document(document) if document else (documents[0] if len(documents) == 1 else None)
    title = chosen.title if chosen else "Responsibility matrix"
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


# --------------------------------------------------------------------------- shared pieces


def _column_groups(pack: MatrixPack, columns: Sequence[Concept]) -> list[tuple[str, int]]:
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


def _date_text(date: dt.date | None) -> str:
    return date.isoformat() if date else ""


def _subtitle(pack: MatrixPack, matrix: ResponsibilityMatrix | None = None) -> str:
    parts = [pack.title]
    if pack.date:
        parts.append(_date_text(pack.date))
    filters = list(pack.filters)
    if matrix is not None and matrix is not pack.matrix and matrix.level:
        filters = [f for f in filters if f[0] != "level"] + [("level", pack.label("levels", matrix.level))]
    parts.extend(f"{name}: {value}" for name, value in filters)
    return " · ".join(parts)


def _notes(pack: MatrixPack, sector: str, cell: MatrixCell) -> list[str]:
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


def _legend_rows(pack: MatrixPack) -> list[tuple[str, str]]:
    rows = [(r.letter or "", concept_label(r, pack.lang)) for r in pack.roles]
    rows.append((GAP_MARK, f"{GAP_TEXT}: no organisation leads this need or capacity under these filters"))
    return rows


# --------------------------------------------------------------------------- csv, md, json


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
        f"**{_md_escape(pack.title)}**" + (f" — {_date_text(pack.date)}" * bool(pack.date)),
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
    lines += ["", "Legend: " + "; ".join(f"{letter} {text}" for letter, text in _legend_rows(pack)) + "."]
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


def render_json(pack: MatrixPack) -> bytes:
    """``{"responsibilityMatrix": {...}, "document": {title, date}, "filters": {...}}``."""
    body = {
        "responsibilityMatrix": matrix_json(pack.matrix, pack),
        "document": {"title": pack.title, "date": _date_text(pack.date) or None},
        "filters": {name: value for name, value in pack.filters},
    }
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# --------------------------------------------------------------------------- html

_HTML_STYLE = """
@page { size: A4 landscape; margin: 8mm; }
* { box-sizing: border-box; }
body { font: 8pt/1.2 "Noto Sans", "Noto Sans CJK SC", Arial, sans-serif; color: #111; margin: 0 1em; }
h1 { font-size: 13pt; margin: 0 0 .1em; }
p.meta { margin: 0 0 .5em; color: #333; }
table.matrix { border-collapse: collapse; width: 100%; table-layout: fixed; }
table.matrix th, table.matrix td {
  border: 1px solid #999; padding: 1px 2px; text-align: center; vertical-align: middle;
}
table.matrix thead { display: table-header-group; }
table.matrix tr { page-break-inside: avoid; break-inside: avoid; }
th.sector, td.sector { width: 10em; text-align: left; font-weight: normal; }
th.group { background: #eef; font-size: 7.5pt; }
th.col { height: 8em; font-size: 7pt; font-weight: normal; }
th.col span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; }
td.cell b { display: block; font-size: 8pt; }
td.cell small { display: block; font-size: 5.5pt; line-height: 1.1; color: #444; word-break: break-word; }
td.lead { background: #f9c97c; }
td.duty { background: #e8f1fb; }
th.gap, td.gap { background: #f8d0d0; color: #900; font-weight: bold; }
tr.gaps td { font-size: 7pt; }
.legend { margin-top: .6em; font-size: 8pt; }
.legend span.key {
  display: inline-block; min-width: 2.2em; padding: 0 .3em; border: 1px solid #999; text-align: center;
}
@media print { body { margin: 0; } a { color: inherit; text-decoration: none; } }
"""


def render_html(pack: MatrixPack, *, controls: str = "", style: str = "", script: str = "") -> bytes:
    """One self-contained page (inline CSS, no external resources) that prints on A4 landscape.

    The web page (graphql_api.matrix_page) adds ``controls`` (HTML placed above the table), ``style``
    (more CSS) and ``script`` (inline JavaScript); the file written by the CLI has none of them.
    """
    matrix = pack.matrix
    gaps = set(matrix.gaps)
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{e(pack.lang)}"><head><meta charset="utf-8">',
        f"<title>Responsibility matrix — {e(pack.title)}</title>",
        f"<style>{_HTML_STYLE}{style}</style></head><body>",
        "<h1>Responsibility matrix</h1>",
        f'<p class="meta"><strong>{e(pack.title)}</strong>'
        + (f' — <time datetime="{_date_text(pack.date)}">{_date_text(pack.date)}</time>' if pack.date else "")
        + "".join(f"<br>{e(name)}: {e(value)}" for name, value in pack.filters)
        + "</p>",
        controls,
        '<table class="matrix"><thead><tr><th class="sector" rowspan="2">Sector</th>',
    ]
    out += [
        f'<th class="group" colspan="{span}">{e(heading)}</th>'
        for heading, span in _column_groups(pack, matrix.columns)
    ]
    out.append("</tr><tr>")
    for column in matrix.columns:
        gap = column.id in gaps
        out.append(
            f'<th class="col{" gap" * gap}" data-column="{e(column.id)}"'
            f"{f' title={chr(34)}{GAP_TEXT}{chr(34)}' if gap else ''}><span>{e(pack.column_label(column))}</span></th>"
        )
    out.append("</tr></thead><tbody>")
    for row in matrix.rows:
        out.append(f'<tr data-sector="{e(row.sector)}"><td class="sector">{e(pack.sector_label(row.sector))}</td>')
        for cell in row.cells:
            kind = "lead" if is_lead(cell) else ("duty" if cell.roles else "empty")
            tip = "\n\n".join(_notes(pack, row.sector, cell))
            content = f"<b>{e(cell.letters)}</b><small>{e(', '.join(cell.clauses))}</small>" if cell.roles else ""
            out.append(
                f'<td class="cell {kind}" data-column="{e(cell.column)}" data-letters="{e(cell.letters)}"'
                f' data-clauses="{e(" ".join(cell.clauses))}" data-obligations="{e(" ".join(cell.obligation_ids))}"'
                + (f' title="{e(tip)}"' if tip else "")
                + f">{content}</td>"
            )
        out.append("</tr>")
    out.append(f'<tr class="gaps"><td class="sector"><em>{GAP_TEXT}</em></td>')
    out += [
        f'<td class="gap" data-column="{e(c.id)}">{GAP_MARK}</td>'
        if c.id in gaps
        else f'<td data-column="{e(c.id)}"></td>'
        for c in matrix.columns
    ]
    out.append("</tr></tbody></table>")
    out.append('<div class="legend"><strong>Legend.</strong> ')
    out += [f'<span class="key">{e(letter)}</span> {e(text)} ' for letter, text in _legend_rows(pack)]
    out.append(
        '<br><span class="key" style="background:#f9c97c">&nbsp;</span> a lead cell '
        '<span class="key" style="background:#e8f1fb">&nbsp;</span> another duty. '
        "Each cell shows the RASCI letters and the clauses they rest on; hover for the obligation texts.</div>"
    )
    if script:
        out.append(f"<script>{script}</script>")
    out.append("</body></html>\n")
    return "\n".join(out).encode("utf-8")


# --------------------------------------------------------------------------- svg heat map

_RAMP = ("#ffffff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")


def _shade(count: int, most: int) -> str:
    if count <= 0 or most <= 0:
        return _RAMP[0]
    return _RAMP[min(len(_RAMP) - 1, 1 + (count - 1) * (len(_RAMP) - 1) // most)]


def _text_width(text: str, size: float) -> float:
    # No font metrics here: a wide glyph (CJK) counts double.
    return sum(size * (1.0 if ord(ch) > 0x2E80 else 0.56) for ch in text)


def render_svg(pack: MatrixPack) -> bytes:
    """A heat map: sectors × columns shaded by the number of obligations, lead cells marked, gaps flagged."""
    matrix = pack.matrix
    gaps = set(matrix.gaps)
    e = html.escape
    cell_w, cell_h, font = 24, 20, 11
    row_labels = [pack.sector_label(r.sector) for r in matrix.rows]
    col_labels = [pack.column_label(c) for c in matrix.columns]
    left = 16 + max((_text_width(t, font) for t in row_labels), default=40)
    # Column labels run up at 60°: their height is the longest label's projection.
    top = 70 + 0.87 * max((_text_width(t, font) for t in col_labels), default=40)
    grid_w, grid_h = cell_w * len(matrix.columns), cell_h * len(matrix.rows)
    most = max((len(c.obligation_ids) for r in matrix.rows for c in r.cells), default=0)
    heading = pack.title + (f" — {_date_text(pack.date)}" if pack.date else "")
    filters = " · ".join(f"{name}: {value}" for name, value in pack.filters)
    # The last rotated label leans right past the grid by half its length.
    lean = 0.5 * _text_width(col_labels[-1], font) if col_labels else 0
    width = max(left + grid_w + 20 + lean, 620, 20 + max(_text_width(heading, 10), _text_width(filters, 10)))
    height = top + grid_h + cell_h + 90
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="Arial, Noto Sans CJK SC, sans-serif" font-size="{font}">',
        f"<title>Responsibility matrix — {e(pack.title)}</title>",
        '<rect width="100%" height="100%" fill="white"/>',
        '<text x="10" y="20" font-size="15" font-weight="bold">Responsibility matrix: obligations per cell</text>',
        f'<text x="10" y="38" font-size="10">{e(heading)}</text>',
        f'<text x="10" y="52" font-size="10">{e(filters)}</text>',
    ]
    for j, (column, label) in enumerate(zip(matrix.columns, col_labels, strict=True)):
        x, y = left + j * cell_w + cell_w / 2, top - 6
        colour = ' fill="#b00000" font-weight="bold"' if column.id in gaps else ""
        out.append(
            f'<text class="col" data-column="{e(column.id)}" x="{x:.1f}" y="{y:.1f}" '
            f'transform="rotate(-60 {x:.1f} {y:.1f})"{colour}>{e(label)}</text>'
        )
    for i, (row, label) in enumerate(zip(matrix.rows, row_labels, strict=True)):
        y = top + i * cell_h
        out.append(f'<text x="{left - 8:.1f}" y="{y + cell_h * 0.7:.1f}" text-anchor="end">{e(label)}</text>')
        for j, cell in enumerate(row.cells):
            x = left + j * cell_w
            count = len(cell.obligation_ids)
            tip = f"{label} × {col_labels[j]}: {count} obligation(s)" + (
                f", {cell.letters} ({', '.join(cell.clauses)})" if cell.roles else ""
            )
            out.append(
                f'<rect class="cell" data-sector="{e(row.sector)}" data-column="{e(cell.column)}" '
                f'data-count="{count}" data-letters="{e(cell.letters)}" x="{x:.1f}" y="{y:.1f}" '
                f'width="{cell_w}" height="{cell_h}" fill="{_shade(count, most)}" stroke="#bbb" stroke-width="0.5">'
                f"<title>{e(tip)}</title></rect>"
            )
            if is_lead(cell):
                dark = count * 2 > most
                out.append(
                    f'<text class="lead" x="{x + cell_w / 2:.1f}" y="{y + cell_h * 0.7:.1f}" text-anchor="middle" '
                    f'font-weight="bold" fill="{"white" if dark else "black"}">A</text>'
                )
    gap_y = top + grid_h
    out.append(
        f'<text x="{left - 8:.1f}" y="{gap_y + cell_h * 0.7:.1f}" text-anchor="end" fill="#b00000">{GAP_TEXT}</text>'
    )
    for j, column in enumerate(matrix.columns):
        if column.id in gaps:
            x = left + j * cell_w
            out.append(
                f'<rect class="gap" data-column="{e(column.id)}" x="{x:.1f}" y="{gap_y + 2:.1f}" width="{cell_w}" '
                f'height="{cell_h - 4}" fill="#f8d0d0" stroke="#b00000"/>'
                f'<text x="{x + cell_w / 2:.1f}" y="{gap_y + cell_h * 0.68:.1f}" text-anchor="middle" font-size="8" '
                f'fill="#b00000">{GAP_MARK}</text>'
            )
    # Legend: the shade ramp with its counts, the lead mark and the gap mark.
    ly = gap_y + cell_h + 24
    out.append(f'<text x="10" y="{ly:.1f}" font-weight="bold">Obligations per cell</text>')
    steps = (
        [0, *sorted({max(1, 1 + (k - 1) * most // (len(_RAMP) - 1)) for k in range(1, len(_RAMP))})] if most else [0]
    )
    for k, count in enumerate(steps):
        x = 10 + k * 44
        out.append(
            f'<rect x="{x}" y="{ly + 8:.1f}" width="{cell_w}" height="{cell_h - 4}" fill="{_shade(count, most)}" '
            f'stroke="#bbb"/><text x="{x + cell_w + 3}" y="{ly + 21:.1f}" font-size="9">'
            f"{'≥' if k else ''}{count}</text>"
        )
    lx = 10 + len(steps) * 44 + 20
    out.append(
        f'<text x="{lx}" y="{ly + 21:.1f}" font-weight="bold">A</text>'
        f'<text x="{lx + 14}" y="{ly + 21:.1f}">a lead in this sector</text>'
        f'<rect x="{lx + 150}" y="{ly + 8:.1f}" width="{cell_w}" height="{cell_h - 4}" '
        'fill="#f8d0d0" stroke="#b00000"/>'
        f'<text x="{lx + 150 + cell_w + 4}" y="{ly + 21:.1f}">{GAP_MARK}: {GAP_TEXT} anywhere</text>'
    )
    out.append("</svg>\n")
    return "\n".join(out).encode("utf-8")


# --------------------------------------------------------------------------- xlsx

_LEAD_FILL, _DUTY_FILL, _GAP_FILL, _HEAD_FILL = "F9C97C", "E8F1FB", "F8D0D0", "DDE3F0"
_BAD_SHEET_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})


def _sheet_name(name: str, taken: Iterable[str]) -> str:
    base = name.translate(_BAD_SHEET_CHARS).strip()[:31] or "Sheet"
    candidate, n = base, 2
    while candidate.lower() in {t.lower() for t in taken}:
        candidate = f"{base[: 31 - len(str(n)) - 1]} {n}"
        n += 1
    return candidate


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _write_sheet(ws: Any, pack: MatrixPack, matrix: ResponsibilityMatrix, heading: str) -> None:
    """One matrix on one sheet: two header rows (column groups, columns), a row per sector, the gap row."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    fill = {
        k: PatternFill("solid", fgColor=v)
        for k, v in (("lead", _LEAD_FILL), ("duty", _DUTY_FILL), ("gap", _GAP_FILL), ("head", _HEAD_FILL))
    }
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    gaps = set(matrix.gaps)

    ws.cell(row=1, column=1, value="Sector").font = Font(bold=True)
    ws.cell(row=1, column=1).fill = fill["head"]
    ws.merge_cells(start_row=1, start_column=1, end_row=2, end_column=1)
    col = 2
    for group, span in _column_groups(pack, matrix.columns):
        head = ws.cell(row=1, column=col, value=group)
        head.font, head.fill, head.alignment = Font(bold=True), fill["head"], centre
        if span > 1:
            ws.merge_cells(start_row=1, start_column=col, end_row=1, end_column=col + span - 1)
        col += span
    for j, column in enumerate(matrix.columns, start=2):
        head = ws.cell(row=2, column=j, value=pack.column_label(column))
        head.alignment = Alignment(horizontal="center", vertical="bottom", text_rotation=90, wrap_text=True)
        head.border = border
        head.fill = fill["gap"] if column.id in gaps else fill["head"]
        if column.id in gaps:
            head.font = Font(bold=True, color="990000")
            head.comment = Comment(f"{GAP_TEXT}: no organisation leads {pack.column_label(column)}", "akg")
        ws.column_dimensions[get_column_letter(j)].width = 6
    ws.row_dimensions[2].height = 120
    ws.column_dimensions["A"].width = max([12, *(len(pack.sector_label(r.sector)) + 2 for r in matrix.rows)][:40])

    for i, row in enumerate(matrix.rows, start=3):
        ws.cell(row=i, column=1, value=pack.sector_label(row.sector)).border = border
        for j, cell in enumerate(row.cells, start=2):
            target = ws.cell(row=i, column=j, value=cell.letters or None)
            target.alignment, target.border = centre, border
            if not cell.roles:
                continue
            target.fill = fill["lead"] if is_lead(cell) else fill["duty"]
            if is_lead(cell):
                target.font = Font(bold=True)
            text = f"Clauses: {', '.join(cell.clauses)}\n\n" + "\n\n".join(_notes(pack, row.sector, cell))
            comment = Comment(text, "akg")
            comment.width, comment.height = 420, min(600, 60 + 14 * (len(text) // 60 + 2 * len(cell.obligation_ids)))
            target.comment = comment
    last = len(matrix.rows) + 3
    ws.cell(row=last, column=1, value=GAP_TEXT).font = Font(italic=True, color="990000")
    for j, column in enumerate(matrix.columns, start=2):
        if column.id in gaps:
            mark = ws.cell(row=last, column=j, value=GAP_MARK)
            mark.fill, mark.font, mark.alignment, mark.border = (
                fill["gap"],
                Font(bold=True, color="990000"),
                centre,
                border,
            )

    ws.freeze_panes = "B3"
    ws.print_title_rows = "1:2"
    ws.print_title_cols = "A:A"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.gridLines = False
    # Excel refuses page headers over 255 characters; "&" starts a header code.
    ws.oddHeader.center.text = _shorten(heading, 240).replace("&", "&&")
    ws.oddFooter.right.text = "&P / &N"


def render_xlsx(pack: MatrixPack, progress: Stage | None = None) -> bytes:
    """A workbook: the matrix, a legend sheet, then one sheet per administrative level."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    stage = progress or (lambda _message: None)
    book = Workbook()
    main = book.active
    main.title = "Matrix"
    stage("writing the Matrix sheet")
    _write_sheet(main, pack, pack.matrix, _subtitle(pack))

    stage("writing the Legend sheet")
    legend = book.create_sheet("Legend")
    legend.append(["Responsibility matrix"])
    legend["A1"].font = Font(bold=True, size=14)
    legend.append([pack.title])
    legend.append(["Date", _date_text(pack.date)])
    for name, value in pack.filters:
        legend.append([name.capitalize(), value])
    legend.append([])
    legend.append(["Letter", "Role"])
    for letter, text in _legend_rows(pack):
        legend.append([letter, text])
    legend.cell(row=legend.max_row, column=1).fill = PatternFill("solid", fgColor=_GAP_FILL)
    legend.append([])
    legend.append(["", "lead cell: the sector leads this need or capacity"])
    legend.cell(row=legend.max_row, column=1).fill = PatternFill("solid", fgColor=_LEAD_FILL)
    legend.append(["", "another duty (responsible, supporting, consulted, informed)"])
    legend.cell(row=legend.max_row, column=1).fill = PatternFill("solid", fgColor=_DUTY_FILL)
    legend.append([])
    legend.append(["", "Each cell holds the RASCI letters; its comment lists the clauses and obligation texts."])
    legend.append(["", "The level sheets show the same matrix restricted to one administrative level."])
    legend.column_dimensions["A"].width = 12
    legend.column_dimensions["B"].width = 90

    for level, matrix in pack.by_level:
        name = _sheet_name(pack.label("levels", level), book.sheetnames)
        stage(f"writing the {name} sheet")
        _write_sheet(book.create_sheet(name), pack, matrix, _subtitle(pack, matrix))

    stage("saving the workbook")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- entry points

_TEXT_WRITERS: dict[str, Callable[[MatrixPack], bytes]] = {
    "html": render_html,
    "csv": render_csv,
    "md": render_md,
    "json": render_json,
    "svg": render_svg,
}


def stage_count(pack_levels: int, fmt: str) -> int:
    """How many stages :func:`render` reports for ``fmt`` with ``pack_levels`` level sheets."""
    return 3 + pack_levels if fmt == "xlsx" else 1


def render(pack: MatrixPack, fmt: str, progress: Stage | None = None) -> bytes:
    """The bytes of ``pack`` in ``fmt`` (one of :data:`FORMATS`); ValueError for any other format."""
    if fmt == "xlsx":
        return render_xlsx(pack, progress)
    writer = _TEXT_WRITERS.get(fmt)
    if writer is None:
        raise ValueError(f"cannot write format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if progress:
        progress(f"writing {fmt}")
    return writer(pack)


def write_matrix(pack: MatrixPack, fmt: str, path: Path, progress: Stage | None = None) -> None:
    """Render ``pack`` as ``fmt`` and write it atomically to ``path``."""
    write_atomically(path, render(pack, fmt, progress))


class ProgressBar:
    """A one-line progress bar on a terminal; silent when the stream is not a TTY.

    Call it with a stage description as each stage starts; ``total`` may grow while running.
    """

    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool | None = None, width: int = 24) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total, self.done, self.width = total, 0, width

    def __call__(self, message: str) -> None:
        self.done += 1
        self.total = max(self.total, self.done)
        if self.enabled:
            filled = self.width * (self.done - 1) // self.total
            bar = "#" * filled + "." * (self.width - filled)
            self.stream.write(f"\r\x1b[2K[{bar}] {self.done}/{self.total} {message}")
            self.stream.flush()

    def finish(self, message: str = "done") -> None:
        if self.enabled:
            self.stream.write(f"\r\x1b[2K[{'#' * self.width}] {message}\n")
            self.stream.flush()
