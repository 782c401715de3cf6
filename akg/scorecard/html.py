"""The html writer: one self-contained page that prints on A4 landscape, in the matrix's print style.

Contract: :func:`render_html` takes a :class:`~akg.scorecard.card.Scorecard` and returns UTF-8 bytes with
inline CSS and no external resources: the rows table (every cell of a row coloured by the row's status,
overdue rows first, a totals row), the overdue duties and the legend. The web page
(``graphql_api.scorecard_page``) reuses it, adding its own controls and style.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from akg.matrix.html import HTML_STYLE
from akg.matrix.status import STATUS_FILLS, STATUSES
from akg.scorecard.content import (
    heading,
    legend_rows,
    notes,
    overdue_cells,
    overdue_headings,
    rate_text,
    row_cells,
    row_headings,
    row_kinds,
    subtitle,
    words,
)

if TYPE_CHECKING:
    from akg.scorecard.card import Scorecard, ScorecardRow

_STYLE = """
table.scorecard { width: auto; min-width: 60%; table-layout: auto; margin-bottom: .8em; }
table.scorecard th { background: #dde3f0; font-size: 8pt; }
table.scorecard td { font-size: 8pt; }
table.scorecard td.label, table.scorecard td.text { text-align: left; }
table.scorecard td.number { text-align: right; font-variant-numeric: tabular-nums; }
table.scorecard tr.total td { font-weight: bold; border-top: 2px solid #555; }
table.overdue-duties td.text { max-width: 40em; }
table.overdue-duties td.date { white-space: nowrap; }
h2 { font-size: 10.5pt; margin: .6em 0 .2em; }
""" + "".join(f"tr.status-{s} td, td.status-{s} {{ background: #{STATUS_FILLS[s]}; }}\n" for s in STATUSES)


def _cell(kind: str, value: str | int | float | None) -> str:
    if kind == "rate":
        return f'<td class="number rate">{rate_text(value)}</td>'  # type: ignore[arg-type]
    css = {"label": "label", "count": "number", "status": "status"}[kind]
    return f'<td class="{css}">{html.escape(str(value))}</td>'


def _row(card: Scorecard, row: ScorecardRow, *, total: bool = False) -> str:
    e = html.escape
    cells = "".join(_cell(kind, v) for kind, v in zip(row_kinds(card), row_cells(card, row, total=total), strict=True))
    kind = "total" if total else "row"
    return (
        f'<tr class="{kind} status-{row.status}" data-key="{e(row.score.key)}" data-status="{row.status}" '
        f'data-due="{row.score.due}" data-overdue="{row.score.overdue}">{cells}</tr>'
    )


def render_html(card: Scorecard, *, controls: str = "", style: str = "", script: str = "") -> bytes:
    """One self-contained page (inline CSS, no external resources) that prints on A4 landscape.

    The web page adds ``controls`` (HTML placed above the table), ``style`` and ``script``; the file written
    by the CLI has none of them.
    """
    e = html.escape
    w = words(card)
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{e(card.lang)}"><head><meta charset="utf-8">',
        f"<title>{e(heading(card))}</title>",
        f"<style>{HTML_STYLE}{_STYLE}{style}</style></head><body>",
        f"<h1>{e(w['title'])}</h1>",
        f'<p class="meta"><strong>{e(subtitle(card))}</strong></p>',
        controls,
        f'<table class="matrix scorecard" data-as-of="{card.as_of.isoformat()}" data-by="{card.by}"><thead><tr>',
        *(f"<th>{e(text)}</th>" for text in row_headings(card)),
        "</tr></thead><tbody>",
        *(_row(card, row) for row in card.rows),
        _row(card, card.totals, total=True),
        "</tbody></table>",
        f"<h2>{e(w['overdue_duties'])} ({len(card.overdue)})</h2>",
    ]
    if card.overdue:
        out.append('<table class="matrix scorecard overdue-duties"><thead><tr>')
        out += [f"<th>{e(text)}</th>" for text in overdue_headings(card)]
        out.append("</tr></thead><tbody>")
        for duty in card.overdue:
            cells = overdue_cells(card, duty)
            kinds = ["date", "number status-overdue", *["text"] * (len(cells) - 2)]
            out.append(
                f'<tr data-instance="{e(duty.instance)}">'
                + "".join(f'<td class="{kind}">{e(str(v))}</td>' for kind, v in zip(kinds, cells, strict=True))
                + "</tr>"
            )
        out.append("</tbody></table>")
    else:
        out.append(f"<p>{e(w['none_overdue'])}</p>")
    out.append(f'<div class="legend"><strong>{e(w["legend"])}</strong> ')
    out += [
        f'<span class="key" style="background:#{fill}">&nbsp;</span> {e(text)}{e(w["stop"])}'
        for _status, fill, text in legend_rows(card)
    ]
    out.append("<br>" + " ".join(e(sentence) for sentence in notes(card)) + "</div>")
    if script:
        out.append(f"<script>{script}</script>")
    out.append("</body></html>\n")
    return "\n".join(out).encode("utf-8")
