"""The html writer: one self-contained page that prints on A4 landscape.

Contract: :func:`render_html` takes a :class:`~akg.matrix.pack.MatrixPack` and returns UTF-8 bytes with
inline CSS and no external resources; the web page (``graphql_api.matrix_page``) reuses it, adding its
own controls, style and script.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from akg.matrix.content import GAP_MARK, GAP_TEXT, cell_notes, column_groups, date_text, is_lead, legend_rows
from akg.matrix.status import STATUS_FILLS, STATUS_MEANINGS, STATUS_WORDS, STATUSES

if TYPE_CHECKING:
    from akg.matrix.pack import MatrixPack

#: The print style of every akg page (A4 landscape, Noto fonts, bordered tables, a legend); the scorecard shares it.
HTML_STYLE = """
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
        f"<style>{HTML_STYLE}{status_style(pack)}{style}</style></head><body>",
        "<h1>Responsibility matrix</h1>",
        f'<p class="meta"><strong>{e(pack.title)}</strong>'
        + (f' — <time datetime="{date_text(pack.date)}">{date_text(pack.date)}</time>' if pack.date else "")
        + "".join(f"<br>{e(name)}: {e(value)}" for name, value in pack.filters)
        + "</p>",
        controls,
        '<table class="matrix"><thead><tr><th class="sector" rowspan="2">Sector</th>',
    ]
    out += [
        f'<th class="group" colspan="{span}">{e(heading)}</th>' for heading, span in column_groups(pack, matrix.columns)
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
            notes = cell_notes(pack, row.sector, cell)
            content = f"<b>{e(cell.letters)}</b><small>{e(', '.join(cell.clauses))}</small>" if cell.roles else ""
            tally = pack.status.cell(row.sector, cell, matrix.level) if pack.status else None
            status = ""
            if tally is not None and tally.status is not None:
                kind += f" status-{tally.status}"
                status = (
                    f' data-status="{tally.status}" data-due="{tally.due}" data-done="{tally.done}"'
                    f' data-overdue="{tally.overdue}"'
                )
                content += f'<small class="tally">{tally.done}/{tally.due}</small>' if tally.due else ""
                notes = [f"{STATUS_WORDS[pack.lang][tally.status]}: {tally.text(pack.lang)}", *notes]
            tip = "\n\n".join(notes)
            out.append(
                f'<td class="cell {kind}" data-column="{e(cell.column)}" data-letters="{e(cell.letters)}"'
                f' data-clauses="{e(", ".join(cell.clauses))}" data-obligations="{e(" ".join(cell.obligation_ids))}"'
                + status
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
    out += [f'<span class="key">{e(letter)}</span> {e(text)} ' for letter, text in legend_rows(pack)]
    out.append(
        '<br><span class="key" style="background:#f9c97c">&nbsp;</span> a lead cell '
        '<span class="key" style="background:#e8f1fb">&nbsp;</span> another duty. '
        "Each cell shows the RASCI letters and the clauses they rest on; hover for the obligation texts."
        + status_legend(pack)
        + "</div>"
    )
    if script:
        out.append(f"<script>{script}</script>")
    out.append("</body></html>\n")
    return "\n".join(out).encode("utf-8")


def status_style(pack: MatrixPack) -> str:
    """The status colours (after the lead and duty colours, so that they win); empty without a status view."""
    if pack.status is None:
        return ""
    rules = "".join(f"td.status-{status} {{ background: #{STATUS_FILLS[status]}; }}\n" for status in STATUSES)
    return rules + "td.cell small.tally { font-size: 6.5pt; font-weight: bold; color: #111; }\n"


def status_legend(pack: MatrixPack) -> str:
    """The status view's legend: what each colour and the done/due count mean; empty without a status view."""
    if pack.status is None:
        return ""
    e = html.escape
    words, meanings = STATUS_WORDS[pack.lang], STATUS_MEANINGS[pack.lang]
    keys = " ".join(
        f'<span class="key status-{s}" style="background:#{STATUS_FILLS[s]}">&nbsp;</span> '
        f"{e(words[s])}: {e(meanings[s])}."
        for s in STATUSES
    )
    return (
        f'<p class="status-legend"><strong>Status as of {pack.status.as_of.isoformat()}.</strong> {keys} '
        "A coloured cell counts the duty instances its sector owns for the duties behind it; "
        "<b>n/m</b>: n of the m instances due by then are done. Uncoloured cells have no instances to count.</p>"
    )
