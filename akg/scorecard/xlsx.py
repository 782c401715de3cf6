"""The xlsx writer: the scorecard, the overdue duties and a legend, printed like the matrix workbook.

Contract: :func:`render_xlsx` takes a :class:`~akg.scorecard.card.Scorecard` and returns the workbook's
bytes. Every cell of a row is filled with its status colour (overdue red, done green, nothing due grey);
the header is frozen and repeated on each printed page (A4 landscape, one page wide). The bytes depend
only on the scorecard: the workbook's created and modified times are the as-of date and the zip entries
carry it too, so two runs on the same store and date give the same file. openpyxl is imported only when
a workbook is written.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import TYPE_CHECKING, Any

from akg.matrix.status import OVERDUE, STATUS_FILLS
from akg.matrix.xlsx import _HEAD_FILL, print_layout
from akg.scorecard.content import (
    heading,
    legend_rows,
    notes,
    overdue_cells,
    overdue_headings,
    row_cells,
    row_headings,
    row_kinds,
    words,
)

if TYPE_CHECKING:
    from akg.scorecard.card import Scorecard

_SHEETS = {"en": ("Scorecard", "Overdue duties", "Legend"), "zh": ("记分卡", "逾期任务", "图例")}
_CORE = "docProps/core.xml"


def _header(ws: Any, headings: list[str], widths: list[float]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    for j, (text, width) in enumerate(zip(headings, widths, strict=True), start=1):
        head = ws.cell(row=1, column=j, value=text)
        head.font, head.fill = Font(bold=True), PatternFill("solid", fgColor=_HEAD_FILL)
        head.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.row_dimensions[1].height = 32


def _write_rows(ws: Any, card: Scorecard) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    kinds = row_kinds(card)
    widths = [28.0, 9.0, 22.0][: kinds.count("label")] + [10.0] * 5 + [16.0]
    _header(ws, row_headings(card), widths)
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    rows = [(row, False) for row in card.rows] + [(card.totals, True)]
    for i, (row, total) in enumerate(rows, start=2):
        fill = PatternFill("solid", fgColor=STATUS_FILLS[row.status])
        for j, (kind, value) in enumerate(zip(kinds, row_cells(card, row, total=total), strict=True), start=1):
            target = ws.cell(row=i, column=j, value=value)
            target.fill, target.border = fill, border
            if kind != "label":
                target.alignment = Alignment(horizontal="center" if kind == "status" else "right")
            if kind == "rate":
                target.number_format = "0%"
            if total:
                target.font = Font(bold=True)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(kinds))}{len(rows)}"  # the totals row stays out of the sort
    print_layout(ws, heading(card), freeze="B2", title_rows="1:1")


def _write_overdue(ws: Any, card: Scorecard) -> None:
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.utils import get_column_letter

    _header(ws, overdue_headings(card), [11, 8, 22, 9, 30, 9, 60, 26])
    if not card.overdue:
        ws.cell(row=2, column=1, value=words(card)["none_overdue"])
    overdue = PatternFill("solid", fgColor=STATUS_FILLS[OVERDUE])
    for i, duty in enumerate(card.overdue, start=2):
        for j, value in enumerate(overdue_cells(card, duty), start=1):
            target = ws.cell(row=i, column=j, value=value)
            target.alignment = Alignment(vertical="top", wrap_text=j in (5, 7, 8))
        ws.cell(row=i, column=1).number_format = "yyyy-mm-dd"
        ws.cell(row=i, column=2).fill = overdue
    if card.overdue:
        ws.auto_filter.ref = f"A1:{get_column_letter(ws.max_column)}{ws.max_row}"
    print_layout(ws, f"{words(card)['overdue_duties']} — {heading(card)}", freeze="A2", title_rows="1:1")


def _write_legend(ws: Any, card: Scorecard) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    w = words(card)
    ws.append([w["title"]])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([heading(card)])
    ws.append([])
    ws.append(["", w["legend"]])
    ws.cell(row=ws.max_row, column=2).font = Font(bold=True)
    for _status, fill, text in legend_rows(card):
        ws.append(["", text])
        ws.cell(row=ws.max_row, column=1).fill = PatternFill("solid", fgColor=fill)
    ws.append([])
    for sentence in notes(card):
        ws.append(["", sentence])
        ws.cell(row=ws.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 100


def render_xlsx(card: Scorecard) -> bytes:
    """A workbook: the scorecard, the overdue duties, the legend; the same bytes for the same scorecard."""
    from openpyxl import Workbook

    names = _SHEETS[card.lang]
    book = Workbook()
    main = book.active
    main.title = names[0]
    _write_rows(main, card)
    _write_overdue(book.create_sheet(names[1]), card)
    _write_legend(book.create_sheet(names[2]), card)
    moment = dt.datetime.combine(card.as_of, dt.time())
    book.properties.creator = "akg"
    book.properties.created = moment
    out = io.BytesIO()
    book.save(out)
    book.properties.modified = moment  # save() stamps the current time: write the as-of date instead
    return _fixed_zip(out.getvalue(), moment, {_CORE: _core_xml(book)})


def _core_xml(book: Any) -> bytes:
    from openpyxl.xml.functions import tostring

    return tostring(book.properties.to_tree())


def _fixed_zip(data: bytes, moment: dt.datetime, replace: dict[str, bytes]) -> bytes:
    """``data`` (a zip) rewritten with every entry dated ``moment`` and the entries of ``replace`` replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=moment.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = entry.external_attr
            target.writestr(info, replace.get(entry.filename, source.read(entry.filename)))
    return out.getvalue()
