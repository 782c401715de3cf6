"""The xlsx writer: a workbook with the matrix, a legend sheet and one sheet per administrative level.

Contract: :func:`render_xlsx` takes a :class:`~akg.matrix.pack.MatrixPack` and returns the workbook's
bytes, reporting one stage per sheet and one for the save (see :func:`akg.matrix.progress.stage_count`).
Each filled cell carries a comment with its clauses and obligation texts. openpyxl is imported only when
a workbook is written.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from akg.matrix.content import GAP_MARK, GAP_TEXT, cell_notes, column_groups, date_text, is_lead, legend_rows
from akg.matrix.status import STATUS_FILLS, STATUS_MEANINGS, STATUS_WORDS, STATUSES

if TYPE_CHECKING:
    from akg.accountability import ResponsibilityMatrix
    from akg.matrix.pack import MatrixPack
    from akg.matrix.progress import Stage

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


def _subtitle(pack: MatrixPack, matrix: ResponsibilityMatrix | None = None) -> str:
    parts = [pack.title]
    if pack.date:
        parts.append(date_text(pack.date))
    filters = list(pack.filters)
    if matrix is not None and matrix is not pack.matrix and matrix.level:
        filters = [f for f in filters if f[0] != "level"] + [("level", pack.label("levels", matrix.level))]
    parts.extend(f"{name}: {value}" for name, value in filters)
    return " · ".join(parts)


def _write_sheet(ws: Any, pack: MatrixPack, matrix: ResponsibilityMatrix, heading: str) -> None:
    """One matrix on one sheet: two header rows (column groups, columns), a row per sector, the gap row."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

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
    for group, span in column_groups(pack, matrix.columns):
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
        ws.column_dimensions[get_column_letter(j)].width = 8 if pack.status else 6  # room for "AS 3/17"
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
            text = f"Clauses: {', '.join(cell.clauses)}\n\n" + "\n\n".join(cell_notes(pack, row.sector, cell))
            tally = pack.status.cell(row.sector, cell, matrix.level) if pack.status else None
            if tally is not None and tally.status is not None:
                target.value = f"{cell.letters} {tally.done}/{tally.due}" if tally.due else cell.letters
                target.fill = PatternFill("solid", fgColor=STATUS_FILLS[tally.status])
                text = f"{STATUS_WORDS[pack.lang][tally.status]}: {tally.text(pack.lang)}\n\n{text}"
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

    print_layout(ws, heading, freeze="B3", title_rows="1:2")


def print_layout(ws: Any, heading: str, *, freeze: str, title_rows: str, title_cols: str = "A:A") -> None:
    """Freeze the header, repeat it on every printed page, print on A4 landscape one page wide, number pages.

    ``heading`` is the page header (shortened to what Excel accepts).
    """
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.freeze_panes = freeze
    ws.print_title_rows = title_rows
    ws.print_title_cols = title_cols
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
    legend.append(["Date", date_text(pack.date)])
    for name, value in pack.filters:
        legend.append([name.capitalize(), value])
    legend.append([])
    legend.append(["Letter", "Role"])
    for letter, text in legend_rows(pack):
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
    if pack.status is not None:
        legend.append([])
        legend.append(["", f"Status as of {pack.status.as_of.isoformat()}"])
        legend.cell(row=legend.max_row, column=2).font = Font(bold=True)
        for status in STATUSES:
            legend.append(["", f"{STATUS_WORDS[pack.lang][status]}: {STATUS_MEANINGS[pack.lang][status]}"])
            legend.cell(row=legend.max_row, column=1).fill = PatternFill("solid", fgColor=STATUS_FILLS[status])
        legend.append(
            [
                "",
                "A coloured cell counts the duty instances its sector owns for the duties behind it: "
                "'A 3/17' means 3 of the 17 instances due by then are done.",
            ]
        )
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
