"""A bureau's batch of reports from a spreadsheet (.xlsx or .csv), checked in full before anything is written.

The sheet is the one named "Reports" (else the first) of a workbook, or a CSV file in UTF-8 (a byte order
mark, as Excel writes, is allowed). Its first row names the columns of :data:`COLUMNS` in any order, in
English (case, spaces, ``_`` and ``-`` do not matter) or by their Chinese names; each later row that is
not blank is one report.

Every problem is a :class:`Problem` placed at ``file:row:column`` (row numbers as the spreadsheet shows
them, the header being row 1; the column as its header is written), or ``file:row`` / ``file`` when no
narrower place can be told. :func:`import_sheet` writes all the reports in one durable transaction
(:meth:`akg.progress.ledger.Ledger.submit_reports`) or none: when the cells or the ledger find any problem
it raises :class:`SheetRefused` with every problem of every row.

The ledger's own messages (``report N: ...``) are placed by keeping the rows in input order; their column
comes from the message: the ledger's checks of status, jurisdiction, obligation and due date, and, for
SHACL messages, the report property the shape constrains (read from the shapes, so it follows them).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from akg.progress.errors import Forbidden, InvalidInput
from akg.progress.ledger import Ledger, ReportInput
from akg.progress.records import Status, WriteResult
from akg.progress.tokens import Credential, Role
from akg.progress.tracking import Tracker
from akg.store import GraphStore
from loader.namespaces import AKG, SCHEME

SHEET_NAME = "Reports"
Cell = object  # a cell's value: str from a CSV file; str, int, float, datetime, bool or None from a workbook


@dataclass(frozen=True)
class Column:
    """One column of the reports sheet: ``name`` is its English header and the ReportInput field it fills."""

    name: str
    zh: str
    required: bool
    help_en: str
    help_zh: str
    is_date: bool = False


COLUMNS: tuple[Column, ...] = (
    Column(
        "obligation",
        "职责编号",
        True,
        "The obligation's id, <document>/<obligation>, as listed in the Instances sheet "
        "(e.g. hubei-2022-child-welfare/closing-1).",
        "职责编号，格式为“文件/职责”，见 Instances 表（如 hubei-2022-child-welfare/closing-1）。",
    ),
    Column(
        "jurisdiction",
        "行政区划代码",
        True,
        "The six-digit division code of the jurisdiction the report is for (e.g. 420100 is Wuhan).",
        "报告所属行政区划的六位代码（如武汉市为 420100）。",
    ),
    Column(
        "due",
        "截止日期",
        False,
        "The due date of the occurrence reported on (YYYY-MM-DD). Needed when the duty recurs, e.g. every "
        "year before 20 December; may be left empty otherwise.",
        "所报告的那一次的截止日期（年-月-日）。按年重复的职责（如每年12月20日前）必须填写，其余可留空。",
        is_date=True,
    ),
    Column(
        "status",
        "进展状态",
        True,
        "Where the work stands: one of the statuses below.",
        "工作进展：下列状态之一。",
    ),
    Column(
        "summary",
        "进展摘要",
        True,
        "What has been done and what remains, 1 to 2,000 characters. Reports are about duties, not cases: "
        "no name, identity number or telephone number of any person.",
        "已完成和待完成的工作，1至2000字。报告针对职责而非个案：不得填写任何人的姓名、身份证号或电话号码。",
    ),
    Column(
        "evidence_url",
        "佐证链接",
        False,
        "Optional: an http or https link to a document that shows the work (e.g. the published plan).",
        "可选：佐证材料的 http 或 https 链接（如已印发的方案）。",
    ),
    Column(
        "evidence_sha256",
        "佐证文件SHA-256",
        False,
        "Optional: the SHA-256 digest of the evidence document, 64 hexadecimal digits "
        "(sha256sum FILE; on Windows: certutil -hashfile FILE SHA256).",
        "可选：佐证文件的 SHA-256 摘要，64位十六进制数字（sha256sum 文件；Windows：certutil -hashfile 文件 SHA256）。",
    ),
    Column(
        "reported_on",
        "报告日期",
        False,
        "The date the report was made (YYYY-MM-DD): not in the future, not before the document. Empty: today.",
        "报告日期（年-月-日）：不得晚于今天，也不得早于文件印发日期。留空即为今天。",
        is_date=True,
    ),
)
BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}

_REPORT_STATUSES = f"""
    PREFIX akg: <{AKG}>
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    SELECT ?id ?en ?zh ?definition ?definitionZh ?rank WHERE {{
      ?c skos:inScheme <{SCHEME}report-statuses> ; skos:notation ?id .
      OPTIONAL {{ ?c skos:prefLabel ?en FILTER(LANG(?en) = "en") }}
      OPTIONAL {{ ?c skos:prefLabel ?zh FILTER(LANG(?zh) = "zh") }}
      OPTIONAL {{ ?c skos:definition ?definition FILTER(LANG(?definition) = "en") }}
      OPTIONAL {{ ?c skos:definition ?definitionZh FILTER(LANG(?definitionZh) = "zh") }}
      OPTIONAL {{ ?c akg:rank ?rank }}
    }} ORDER BY ?rank ?id"""


@dataclass(frozen=True)
class StatusTerm:
    """A report status as the graph defines it."""

    id: str
    en: str
    zh: str
    definition: str
    definition_zh: str


def report_statuses(store: GraphStore) -> list[StatusTerm]:
    """The report statuses of the graph, in rank order, with their labels and definitions."""
    return [
        StatusTerm(
            str(r["id"]),
            str(r["en"] or r["id"]),
            str(r["zh"] or r["en"] or r["id"]),
            str(r["definition"] or ""),
            str(r["definitionZh"] or r["definition"] or ""),
        )
        for r in store.select(_REPORT_STATUSES)
    ]


def status_names(terms: Iterable[StatusTerm]) -> dict[str, str]:
    """What a status cell may say (its id, English or Chinese label, any case) -> the status id."""
    names = {s.value: s.value for s in Status}
    for term in terms:
        names.update({term.id: term.id, term.en.casefold(): term.id, term.zh: term.id})
    return names


# -- problems ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the sheet, at a row (None: the whole file) and a column (its header as written)."""

    row: int | None
    column: str | None
    message: str
    position: int = 0  # the column's index, to sort problems as the sheet reads
    forbidden: bool = False  # the token may not do this (rather than the sheet being wrong)

    def at(self, file: str) -> str:
        """``file:row:column: message``, narrowed to ``file:row`` or ``file`` when the place is not known."""
        where = file
        if self.row is not None:
            where += f":{self.row}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"

    def sort_key(self) -> tuple[int, int]:
        return (self.row or 0, self.position if self.column is not None else -1)


class SheetRefused(Exception):
    """Nothing was written: ``lines`` are every problem as ``file:row:column: message``, in sheet order.

    ``code`` is FORBIDDEN when the token may not make some of the reports, else BAD_USER_INPUT.
    """

    def __init__(self, file: str, problems: Sequence[Problem], code: str = InvalidInput.code) -> None:
        self.file = file
        self.problems = sorted(problems, key=Problem.sort_key)
        self.lines = [p.at(file) for p in self.problems]
        self.code = code
        super().__init__("\n".join(self.lines))


# -- reading --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetRow:
    """A data row whose every cell was understood: its row number and the report it gives."""

    number: int
    report: ReportInput


@dataclass
class ReportSheet:
    """A reports sheet as read: the rows understood, and every problem of the others and of the header."""

    file: str
    headers: dict[str, tuple[int, str]] = field(default_factory=dict)  # column name -> (index, header text)
    rows: list[SheetRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    data_rows: int = 0  # rows that are not blank, understood or not

    def problem(self, row: int | None, name: str | None, message: str) -> Problem:
        """A problem at ``row`` in the column named ``name`` (as the sheet heads it), or at the row only."""
        if name is not None and name in self.headers:
            index, header = self.headers[name]
            return Problem(row, header, message, index)
        return Problem(row, None, message)


class _Unreadable(Exception):
    pass


def read_sheet(path: Path, statuses: Mapping[str, str] | None = None, file: str | None = None) -> ReportSheet:
    """Read the reports of the spreadsheet ``path`` and check every cell; nothing is raised for bad content.

    ``statuses`` maps what a status cell may say to a status id (default: the ids; see :func:`status_names`).
    ``file`` is how messages name the file (default: ``path`` as given).
    """
    sheet = ReportSheet(file or str(path))
    names = {k.casefold(): v for k, v in (statuses or status_names(())).items()}
    try:
        rows = list(_rows(path))
    except _Unreadable as exc:
        sheet.problems.append(Problem(None, None, str(exc)))
        return sheet
    if not rows or not any(_text(v) for v in rows[0][1]):
        what = "the first row is blank" if any(_text(v) for _n, values in rows for v in values) else "the file is empty"
        sheet.problems.append(Problem(None, None, f"{what}: the first row must name the columns {_column_list()}"))
        return sheet
    header_number, header = rows[0]
    unheaded = _read_header(sheet, header_number, header)
    for number, values in rows[1:]:
        if not any(_text(v) for v in values):
            continue  # a blank row (Excel keeps formatted empty rows)
        sheet.data_rows += 1
        _read_row(sheet, number, values, unheaded, names)
    if sheet.data_rows == 0 and not sheet.problems:
        sheet.problems.append(Problem(None, None, "the file holds no reports: there is no row below the header"))
    return sheet


def _column_list() -> str:
    return "(" + ", ".join(c.name for c in COLUMNS) + ")"


def _key(header: str) -> str:
    return re.sub(r"[\s_\-]+", "", header).casefold()


_HEADER_KEYS: dict[str, Column] = {_key(c.name): c for c in COLUMNS} | {_key(c.zh): c for c in COLUMNS}


def _read_header(sheet: ReportSheet, number: int, header: Sequence[Cell]) -> set[int]:
    """Map the header's columns; returns the indexes of columns with no header (data under them is a problem)."""
    unheaded = set()
    for index, cell in enumerate(header):
        text = _text(cell)
        if not text:
            unheaded.add(index)
            continue
        column = _HEADER_KEYS.get(_key(text))
        if column is None:
            sheet.problems.append(
                Problem(number, text, f"unknown column {text!r}: the columns are {_column_list()[1:-1]}", index)
            )
        elif column.name in sheet.headers:
            first_index, first = sheet.headers[column.name]
            sheet.problems.append(
                Problem(
                    number,
                    text,
                    f"the column {column.name} is given twice: in column {_letter(first_index)} ({first}) "
                    f"and column {_letter(index)}",
                    index,
                )
            )
        else:
            sheet.headers[column.name] = (index, text)
    for column in COLUMNS:
        if column.required and column.name not in sheet.headers:
            sheet.problems.append(
                Problem(number, None, f"the column {column.name} ({column.zh}) is missing: every report needs it")
            )
    return unheaded


def _read_row(
    sheet: ReportSheet, number: int, values: Sequence[Cell], unheaded: set[int], statuses: Mapping[str, str]
) -> None:
    problems: list[Problem] = []
    for index in sorted(unheaded):
        if index < len(values) and _text(values[index]):
            problems.append(
                Problem(number, _letter(index), f"a value under column {_letter(index)}, which has no header", index)
            )
    fields: dict[str, object] = {}
    for column in COLUMNS:
        if column.name not in sheet.headers:
            continue
        index, _header = sheet.headers[column.name]
        value = values[index] if index < len(values) else None
        try:
            fields[column.name] = _parse(column, value, statuses)
        except ValueError as exc:
            problems.append(sheet.problem(number, column.name, str(exc)))
            continue
        if column.required and fields[column.name] is None:
            problems.append(sheet.problem(number, column.name, f"the {column.name} is missing: every report needs one"))
    if problems or any(c.required and c.name not in sheet.headers for c in COLUMNS):
        sheet.problems += problems
        return
    sheet.rows.append(SheetRow(number, ReportInput(**fields)))  # type: ignore[arg-type]


def _parse(column: Column, value: Cell, statuses: Mapping[str, str]) -> object:
    """The value of one cell for ``column``, or None when blank; raises ValueError saying what is wrong."""
    if column.is_date:
        return _date(value)
    if column.name == "jurisdiction" and isinstance(value, int | float) and float(value).is_integer():
        return str(int(value))  # a code typed into a number cell
    if isinstance(value, dt.datetime | dt.date):
        raise ValueError(f"a date ({value:%Y-%m-%d}) where the {column.name} should be")
    text = _text(value) if column.name != "summary" else _summary(value)
    if not text:
        return None
    if column.name == "status":
        status = statuses.get(text.casefold())
        if status is None:
            allowed = ", ".join(s.value for s in Status)
            raise ValueError(f"{text!r} is not a status: give one of {allowed}")
        return status
    return text


def _summary(value: Cell) -> str:
    return _text(value) and str(value).strip()  # keeps the line breaks inside the text


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def _date(value: Cell) -> dt.date | None:
    """A date cell's date: a real date cell, or text YYYY-MM-DD (also YYYY/MM/DD and YYYY年M月D日)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float):  # bool included
        raise ValueError(f"{value!r} is a number, not a date: format the cell as a date, or write YYYY-MM-DD")
    text = str(value).strip()
    match = _DATE.fullmatch(text)
    if match:
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            raise ValueError(f"{text!r} is not a date of the calendar") from None
    raise ValueError(f"{text!r} is not a date: write YYYY-MM-DD (e.g. 2022-11-20)")


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _rows(path: Path) -> Iterator[tuple[int, tuple[Cell, ...]]]:
    """The rows of the sheet with their numbers (1-based); raises _Unreadable saying why the file cannot be read."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise _Unreadable("no such file" if not path.exists() else "not a file")
    if suffix == ".csv":
        yield from _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        yield from _workbook_rows(path)
    elif suffix == ".xls":
        raise _Unreadable("an .xls file (Excel 97-2003) is not read: save it as .xlsx, or as CSV UTF-8")
    else:
        raise _Unreadable(f"cannot tell the format of {path.name}: give an .xlsx or a .csv file")


def _csv_rows(path: Path) -> Iterator[tuple[int, tuple[Cell, ...]]]:
    data = path.read_bytes()
    try:
        text = codecs.decode(data, "utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _Unreadable(
            f"line {line} is not UTF-8 text (Excel's plain 'CSV' is not): save the sheet as 'CSV UTF-8', "
            "or import the .xlsx"
        ) from None
    try:
        for number, record in enumerate(csv.reader(text.splitlines(keepends=True)), 1):
            yield number, tuple(record)
    except csv.Error as exc:
        raise _Unreadable(f"not a readable CSV file: {exc}") from None


def _workbook_rows(path: Path) -> Iterator[tuple[int, tuple[Cell, ...]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise _Unreadable(f"not a readable .xlsx workbook ({exc})") from None
    try:
        named = [name for name in book.sheetnames if name.casefold() == SHEET_NAME.casefold()]
        sheet = book[named[0] if named else book.sheetnames[0]]
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            yield number, tuple(values)
    finally:
        book.close()


# -- placing the ledger's messages ---------------------------------------------------------------------------

_REPORT_N = re.compile(r"report (\d+): ")
#: The ledger's own checks (before SHACL), by the column they concern.
_LEDGER_COLUMNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^status .* is not one of "), "status"),
    (re.compile(r"^No jurisdiction has the code "), "jurisdiction"),
    (re.compile(r" has no duty instance in "), "obligation"),  # or jurisdiction: see Placer.column_of
    (re.compile(r" is not due on | recurs in .*give the due date"), "due"),
)
#: The report properties a column fills, to place SHACL messages.
PROPERTY_COLUMNS: dict[URIRef, str] = {
    AKG.status: "status",
    AKG.reportedOn: "reported_on",
    AKG.summary: "summary",
    AKG.evidenceUrl: "evidence_url",
    AKG.evidenceSha256: "evidence_sha256",
}
_COMPARED = (SH.lessThan, SH.lessThanOrEquals, SH.equals, SH.disjoint)


def shape_columns(shapes: Graph) -> dict[str, str]:
    """The sh:message of each Report property shape -> the column it is about, when it is about one column.

    A shape is about the columns whose properties it names as its path or compares its path with
    (so "not before the document", a path through the document compared with akg:reportedOn, is about
    reported_on); a shape about none or several (the duty instance, the owner) is placed at the row.
    """
    columns: dict[str, str] = {}
    for node in shapes.subjects(SH.targetClass, AKG.Report):
        if (node, RDF.type, SH.NodeShape) not in shapes:
            continue
        for shape in shapes.objects(node, SH.property):
            properties = {shapes.value(shape, SH.path)} | {o for p in _COMPARED for o in shapes.objects(shape, p)}
            found = {PROPERTY_COLUMNS[p] for p in properties if p in PROPERTY_COLUMNS}
            for message in shapes.objects(shape, SH.message):
                columns[str(message)] = next(iter(found)) if len(found) == 1 else ""
    return columns


@dataclass(frozen=True)
class Placer:
    """Places the messages of one ledger call on the rows it was given, in that order."""

    sheet: ReportSheet
    rows: Sequence[SheetRow]
    shape_columns: Mapping[str, str]
    obligations: frozenset[str] | None = None  # the obligations that have duty instances, when known

    def place(self, message: str) -> Problem:
        """The problem ``message`` (``report N: ...`` or, for one report, unprefixed) at its row and column."""
        match = _REPORT_N.match(message)
        if match:
            n, text = int(match.group(1)), message[match.end() :]
        else:
            n, text = (1 if len(self.rows) == 1 else 0), message
        if not 1 <= n <= len(self.rows):
            return Problem(None, None, text)
        row = self.rows[n - 1]
        return self.sheet.problem(row.number, self.column_of(text, row), text)

    def place_all(self, messages: Iterable[str]) -> list[Problem]:
        """Each message placed; a message that joins several (``report 1: ... report 2: ...``) is split first."""
        return [self.place(part.strip()) for m in messages for part in re.split(r"\s(?=report \d+: )", m)]

    def column_of(self, text: str, row: SheetRow) -> str | None:
        if text in self.shape_columns:
            return self.shape_columns[text] or None
        for pattern, column in _LEDGER_COLUMNS:
            if pattern.search(text):
                if column == "obligation" and self.obligations is not None:
                    return "obligation" if row.report.obligation not in self.obligations else "jurisdiction"
                return column
        return None


# -- importing --------------------------------------------------------------------------------------------------


def import_sheet(ledger: Ledger, credential: Credential, sheet: ReportSheet) -> list[WriteResult]:
    """Write every report of ``sheet`` in one durable transaction, or none.

    Raises :class:`SheetRefused` with every problem: the sheet's own (cells, header) and the ledger's
    (unknown instances, ownership, SHACL) for every row, placed at ``file:row:column``.
    """
    problems = check_sheet(ledger, credential, sheet) if sheet.problems else []
    if problems:
        raise _refusal(sheet, problems)
    placer = _placer(ledger, sheet, sheet.rows)
    try:
        return ledger.submit_reports(credential, [row.report for row in sheet.rows])
    except (InvalidInput, Forbidden) as exc:
        # Gather the problems of every row (the ledger stops at its first kind of problem).
        problems = check_sheet(ledger, credential, sheet)
        if not problems:
            if isinstance(exc, Forbidden):
                problems = [replace(placer.place(exc.message), forbidden=True)]
            else:
                problems = placer.place_all(exc.messages)
        raise _refusal(sheet, problems) from None


def check_sheet(ledger: Ledger, credential: Credential, sheet: ReportSheet) -> list[Problem]:
    """Every problem of ``sheet``, the ledger's included, writing nothing (a rehearsal of :func:`import_sheet`).

    The rows the sheet understood are given to a ledger over the same store whose write is refused; each
    call's problems are placed and their rows set aside, until the rest would be written.
    """
    problems = list(sheet.problems)
    if not sheet.rows:
        return problems
    rehearsal = Ledger(Tracker(_Rehearsal(ledger.store), ledger.tracker.index), ledger.shapes, ledger.clock)  # type: ignore[arg-type]
    candidates = list(sheet.rows)
    while candidates:
        placer = _placer(ledger, sheet, candidates)
        try:
            rehearsal.submit_reports(credential, [row.report for row in candidates])
        except _Rehearsed:
            break
        except Forbidden as exc:
            if credential.role is not Role.REPORTER:
                return [*problems, Problem(None, None, exc.message, forbidden=True)]
            found = [replace(placer.place(exc.message), forbidden=True)]
        except InvalidInput as exc:
            found = placer.place_all(exc.messages)
        problems += found
        refused = {p.row for p in found}
        if None in refused:
            break  # a problem of the whole batch: the rest cannot be judged apart from it
        candidates = [row for row in candidates if row.number not in refused]
    return problems


def _placer(ledger: Ledger, sheet: ReportSheet, rows: Sequence[SheetRow]) -> Placer:
    obligations = frozenset(i.obligation for i in ledger.tracker.index.by_id.values())
    return Placer(sheet, rows, shape_columns(ledger.shapes), obligations)


def _refusal(sheet: ReportSheet, problems: Sequence[Problem]) -> SheetRefused:
    forbidden = any(p.forbidden for p in problems)
    return SheetRefused(sheet.file, problems, Forbidden.code if forbidden else InvalidInput.code)


class _Rehearsed(Exception):
    """The rehearsal reached the write: every report given would have been written."""


class _Rehearsal:
    """A store that answers reads and refuses every write, so a ledger over it checks and writes nothing."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store

    def select(self, *args: object, **kwargs: object) -> object:
        return self._store.select(*args, **kwargs)  # type: ignore[call-arg]

    def exclusive(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()  # a rehearsal writes nothing, so it takes no writer lease

    def check_lease(self) -> None:
        """Nothing to check: see :meth:`exclusive`."""

    def write(self, quads: object) -> None:
        raise _Rehearsed
