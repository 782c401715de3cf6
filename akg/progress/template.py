"""The reports template: the workbook a bureau fills in for ``akg reports import``, made from the graph.

Made from the graph, it cannot drift from what the import accepts: the columns are
:data:`akg.progress.spreadsheet.COLUMNS`, the status list is the graph's report-statuses scheme, and the
obligation and jurisdiction lists are those of the duty instances (of one jurisdiction, if asked).

Sheets: "Reports" (the header row, with a bilingual comment on each column, validation lists, date
formats; no data), "Legend" (each column and status, in English and Chinese), "Instances" (the duty
instances one may report on: id, obligation, jurisdiction, due date, action) and a hidden "Lists" sheet
the validation lists refer to. The bytes are the same for the same graph: the timestamps openpyxl would
write (the document's modified time, the archive members' times) are fixed.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from akg.accountability.records import InvalidArgument
from akg.progress.records import DutyInstance
from akg.progress.spreadsheet import COLUMNS, SHEET_NAME, StatusTerm, report_statuses
from akg.progress.tracking import Tracker
from loader.namespaces import AKG

#: The time written into the workbook's properties and archive: fixed, so the same graph gives the same bytes.
FIXED_TIME = dt.datetime(2022, 1, 1)
DATA_ROWS = 2000  # rows below the header that carry the validation lists and formats

_HEAD_FILL, _REQUIRED_FILL = "DDE3F0", "F9E0B0"
_NAMES = """
    PREFIX akg: <https://w3id.org/akg/ontology#>
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    SELECT ?code ?en ?zh WHERE {
      ?j a akg:Jurisdiction ; akg:identifier ?code .
      OPTIONAL { ?j skos:prefLabel ?en FILTER(LANG(?en) = "en") }
      OPTIONAL { ?j skos:prefLabel ?zh FILTER(LANG(?zh) = "zh") }
    }"""
_ACTIONS = f"""
    PREFIX akg: <{AKG}>
    SELECT ?document ?obligation ?action WHERE {{
      ?ob a akg:Obligation ; akg:identifier ?obligation ; akg:action ?action ;
          akg:provision/akg:inDocument/akg:identifier ?document .
    }}"""


@dataclass(frozen=True)
class TemplateContent:
    """What the template lists, read from the graph."""

    instances: tuple[DutyInstance, ...]
    statuses: tuple[StatusTerm, ...]
    names: dict[str, tuple[str, str]]  # jurisdiction code -> (English, Chinese) name
    actions: dict[str, str]  # obligation id -> its action, in English
    jurisdiction: str | None

    @classmethod
    def from_tracker(cls, tracker: Tracker, jurisdiction: str | None = None) -> TemplateContent:
        """The instances of ``jurisdiction`` (exactly that division: a bureau's own), or of every jurisdiction.

        Raises UnknownIdentifier for a code the graph does not hold, InvalidArgument when it has no instances.
        """
        if jurisdiction is not None:
            tracker.check_jurisdiction(jurisdiction)
        instances = sorted(
            (i for i in tracker.index.by_id.values() if jurisdiction is None or i.jurisdiction == jurisdiction),
            key=lambda i: (i.jurisdiction, i.obligation, i.due or dt.date.min),
        )
        if not instances:
            raise InvalidArgument(f"no duty instance binds jurisdiction {jurisdiction}: there is nothing to report on")
        names = {
            str(r["code"]): (str(r["en"] or r["code"]), str(r["zh"] or r["en"] or r["code"]))
            for r in tracker.store.select(_NAMES)
        }
        actions = {f"{r['document']}/{r['obligation']}": str(r["action"]) for r in tracker.store.select(_ACTIONS)}
        return cls(tuple(instances), tuple(report_statuses(tracker.store)), names, actions, jurisdiction)


def render_template(content: TemplateContent) -> bytes:
    """The template workbook's bytes (the same for the same content)."""
    from openpyxl import Workbook

    book = Workbook()
    reports = book.active
    reports.title = SHEET_NAME
    legend, instances, lists = book.create_sheet("Legend"), book.create_sheet("Instances"), book.create_sheet("Lists")
    ranges = _write_lists(lists, content)
    lists.sheet_state = "hidden"
    _write_reports(reports, ranges)
    _write_legend(legend, content)
    _write_instances(instances, content)
    book.properties.creator = "akg"
    book.properties.title = "Progress reports / 工作进展报告"
    book.properties.created = FIXED_TIME
    out = io.BytesIO()
    book.save(out)
    return _fixed_times(out.getvalue())


def _write_lists(ws: Any, content: TemplateContent) -> dict[str, str]:
    """The values of the validation lists, one column each; returns each list's range, by column name."""
    columns = {
        "status": [s.id for s in content.statuses],
        "obligation": sorted({i.obligation for i in content.instances}),
        "jurisdiction": sorted({i.jurisdiction for i in content.instances}),
    }
    ranges = {}
    for n, (name, values) in enumerate(columns.items(), 1):
        from openpyxl.utils import get_column_letter

        letter = get_column_letter(n)
        ws.cell(row=1, column=n, value=name)
        for row, value in enumerate(values, 2):
            ws.cell(row=row, column=n, value=value)
        ranges[name] = f"=Lists!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def _write_reports(ws: Any, ranges: dict[str, str]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.datetime import to_excel
    from openpyxl.worksheet.datavalidation import DataValidation

    widths = {"obligation": 38, "jurisdiction": 14, "summary": 60, "evidence_url": 36, "evidence_sha256": 30}
    for n, column in enumerate(COLUMNS, 1):
        letter = get_column_letter(n)
        cell = ws.cell(row=1, column=n, value=column.name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=_REQUIRED_FILL if column.required else _HEAD_FILL)
        need = "required / 必填" if column.required else "optional / 选填"
        comment = Comment(f"{column.name} / {column.zh} ({need})\n\n{column.help_en}\n\n{column.help_zh}", "akg")
        comment.width, comment.height = 320, 200
        cell.comment = comment
        dimension = ws.column_dimensions[letter]
        dimension.width = widths.get(column.name, 14)
        cells = f"{letter}2:{letter}{DATA_ROWS + 1}"
        if column.is_date:
            dimension.number_format = "yyyy-mm-dd"
            check = DataValidation(
                type="date", operator="greaterThanOrEqual", formula1=str(int(to_excel(dt.date(2000, 1, 1))))
            )
            _explain(check, "Not a date / 不是日期", "Enter a date, YYYY-MM-DD. / 请填写日期（年-月-日）。")
        elif column.name in ranges:
            check = DataValidation(type="list", formula1=ranges[column.name], allow_blank=True)
            _explain(
                check,
                f"Not a known {column.name} / {column.zh}不在列表中",
                "Pick a value from the list (see the Legend and Instances sheets). "
                "/ 请从列表中选择（见 Legend 和 Instances 表）。",
            )
        elif column.name == "summary":
            dimension.alignment = Alignment(wrap_text=True, vertical="top")
            check = DataValidation(type="textLength", operator="between", formula1="1", formula2="2000")
            _explain(check, "Too long / 过长", "A summary has 1 to 2,000 characters. / 摘要为1至2000字。")
        elif column.name == "evidence_sha256":
            check = DataValidation(type="textLength", operator="equal", formula1="64")
            _explain(
                check,
                "Not a SHA-256 / 不是SHA-256",
                "A SHA-256 digest has 64 hexadecimal digits. / SHA-256 摘要为64位十六进制数字。",
            )
        else:
            continue
        check.add(cells)
        ws.add_data_validation(check)
    ws.freeze_panes = "A2"


def _explain(check: Any, title: str, text: str) -> None:
    check.showErrorMessage = True
    check.errorTitle, check.error = title, text


def _write_legend(ws: Any, content: TemplateContent) -> None:
    from openpyxl.styles import Alignment, Font

    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    scope = "every jurisdiction / 全部行政区划"
    if content.jurisdiction:
        en, zh = content.names.get(content.jurisdiction, (content.jurisdiction, content.jurisdiction))
        scope = f"{content.jurisdiction} {en} / {zh}"
    rows: list[Sequence[str]] = [
        ("Progress reports: how to fill in the Reports sheet / 工作进展报告填表说明",),
        (f"Duty instances of: {scope} / 本表所列职责范围",),
        (
            "One row per report. Every row is checked before any is written: if one cell is wrong, nothing is "
            "imported and each problem is named as file:row:column. Import with: akg reports import FILE --token T",
        ),
        (
            "每行一条报告。导入前逐行检查：任一单元格有误，则一条也不导入，并按“文件:行:列”列出每个问题。"
            "导入命令：akg reports import 文件 --token 令牌",
        ),
        (),
        ("Column", "列名", "Required / 必填", "Meaning", "说明"),
    ]
    heads = [1, 6]
    for column in COLUMNS:
        rows.append(
            (column.name, column.zh, "yes / 是" if column.required else "no / 否", column.help_en, column.help_zh)
        )
    rows += [(), ("Status", "English", "中文", "Meaning", "说明")]
    heads.append(len(rows))
    for status in content.statuses:
        rows.append((status.id, status.en, status.zh, status.definition, status.definition_zh))
    for number, values in enumerate(rows, 1):
        for n, value in enumerate(values, 1):
            cell = ws.cell(row=number, column=n, value=value)
            cell.alignment = wrap if n > 3 else Alignment(vertical="top")
            if number in heads:
                cell.font = bold
    for letter, width in zip("ABCDE", (18, 16, 16, 60, 50), strict=True):
        ws.column_dimensions[letter].width = width


def _write_instances(ws: Any, content: TemplateContent) -> None:
    from openpyxl.styles import Font

    header = (
        "instance",
        "obligation",
        "jurisdiction",
        "name",
        "名称",
        "owner",
        "receives reports",
        "due",
        "action",
    )
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i in content.instances:
        en, zh = content.names.get(i.jurisdiction, (i.jurisdiction, i.jurisdiction))
        ws.append(
            (
                i.id,
                i.obligation,
                i.jurisdiction,
                en,
                zh,
                i.owner,
                i.reviewer,
                i.due,
                content.actions.get(i.obligation, ""),
            )
        )
    for row in ws.iter_rows(min_row=2, min_col=8, max_col=8):
        row[0].number_format = "yyyy-mm-dd"
    for letter, width in zip("ABCDEFGHI", (52, 38, 12, 18, 14, 24, 26, 12, 80), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


_MODIFIED = re.compile(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>")


def _fixed_times(data: bytes) -> bytes:
    """The same workbook with the save time openpyxl stamps replaced by :data:`FIXED_TIME`, in the document
    properties and on every archive member."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"<dcterms:modified\1>" + stamp + rb"</dcterms:modified>", content)
            member = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, content)
    return out.getvalue()
