"""``akg reports import``: a bureau's spreadsheet of reports, all or nothing, with every problem at file:row:column;
``akg reports template``: the workbook to fill in, made from the graph.

Every report here is a fixture in a private copy of a store folder: no report is shipped (see the last tests).
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from akg import resources
from akg.progress.layout import StoreLayout
from akg.progress.ledger import progress_shapes
from akg.progress.records import Report
from akg.progress.spreadsheet import COLUMNS, read_sheet, shape_columns
from akg.progress.template import TemplateContent, render_template
from akg.progress.tokens import TokenRegistry
from akg.progress.tracking import Tracker
from akg.store import OxigraphStore, open_store
from akg_cli import main
from loader.namespaces import REPORTS_GRAPH

HUBEI = "hubei-2022-child-welfare"
PLAN = f"{HUBEI}/closing-1"  # each city's work plan, due 2022-11-20
ANNUAL = f"{HUBEI}/closing-2"  # each city's report, before 20 December, 2022 to 2025
WUHAN, HUANGSHI = "420100", "420200"
HEADER = "obligation,jurisdiction,due,status,summary,evidence_url,evidence_sha256,reported_on"
GOOD_ROWS = (
    f"{PLAN},{WUHAN},,in-progress,Plan drafted with the education and health bureaus.,,,2022-11-10",
    f"{ANNUAL},{WUHAN},2022-12-20,done,Annual report sent to the provincial office.,https://example.org/r.pdf,"
    f"{'ab' * 32},2022-12-15",
)
SHA = "0123456789abcdef" * 4


@pytest.fixture(scope="module")
def base_store(corpus_store_folder: Path) -> Path:
    """A store folder with the shipped corpus and no report, closed (tests copy it)."""
    return corpus_store_folder


@pytest.fixture
def store_dir(base_store: Path, tmp_path: Path) -> Path:
    root = tmp_path / "store"
    shutil.copytree(base_store, root)
    return root


def token(root: Path, org: str = f"civil-affairs@{WUHAN}", role: str = "reporter") -> str:
    return TokenRegistry(StoreLayout(root).tokens).issue(org, role).text


def reports(root: Path) -> dict[str, list[Report]]:
    """The reports in the store folder, by duty instance (the store is closed again on return)."""
    store = OxigraphStore(StoreLayout(root).oxigraph)
    try:
        return dict(Tracker(store).reports())
    finally:
        del store
        gc.collect()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """``akg argv``: its exit status and its stderr."""
    code = main(list(argv))
    gc.collect()
    return code, capsys.readouterr().err


def csv_file(path: Path, *rows: str, header: str = HEADER, bom: bool = False) -> Path:
    path.write_bytes(("\ufeff" if bom else "").encode() + "\r\n".join((header, *rows)).encode() + b"\r\n")
    return path


def workbook(path: Path, rows: list[tuple[Any, ...]], header: tuple[str, ...] | None = None) -> Path:
    book = openpyxl.Workbook()
    book.active.title = "Notes"  # the reports are read from the sheet named Reports, wherever it is
    book.active.append(("not read",))
    sheet = book.create_sheet("Reports")
    sheet.append(header or tuple(c.name for c in COLUMNS))
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def problems(stderr: str) -> list[str]:
    """The problem lines of stderr, without the closing summary."""
    return [line for line in stderr.splitlines() if not line.startswith("akg")]


# -- good sheets ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bom", [False, True], ids=["utf-8", "utf-8 with BOM"])
def test_a_good_csv_imports_every_row(store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture, bom: bool):
    sheet = csv_file(tmp_path / "wuhan.csv", *GOOD_ROWS, bom=bom)
    code, err = run(capsys, "reports", "import", str(sheet), "--token", token(store_dir), "--store", str(store_dir))
    assert code == 0, err
    assert "akg: imported 2 reports" in err and f"{ANNUAL}@{WUHAN}/2022-12-20" in err
    found = reports(store_dir)
    (plan,) = found[f"{PLAN}@{WUHAN}"]
    assert (plan.status.value, plan.reported_on, plan.reported_by) == (
        "in-progress",
        dt.date(2022, 11, 10),
        f"civil-affairs@{WUHAN}",
    )
    (annual,) = found[f"{ANNUAL}@{WUHAN}/2022-12-20"]
    assert annual.evidence_url == "https://example.org/r.pdf" and annual.evidence_sha256 == "ab" * 32


def test_a_good_workbook_with_excel_date_cells_and_chinese_headers_imports(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
):
    rows: list[tuple[Any, ...]] = [
        (PLAN, int(WUHAN), None, "已完成", "Plan sent.", None, None, dt.datetime(2022, 11, 18)),  # a number cell
        (
            ANNUAL,
            WUHAN,
            dt.date(2023, 12, 20),
            "In progress",
            "Report being drafted.",
            None,
            None,
            dt.date(2023, 12, 1),
        ),
    ]
    header = tuple(c.zh for c in COLUMNS)
    sheet = workbook(tmp_path / "wuhan.xlsx", rows, header)
    monkeypatch.setenv("AKG_TOKEN", token(store_dir))
    monkeypatch.setenv("AKG_STORE", str(store_dir))
    code, err = run(capsys, "reports", "import", str(sheet))
    assert code == 0, err
    found = reports(store_dir)
    assert found[f"{PLAN}@{WUHAN}"][0].status.value == "done"
    assert found[f"{PLAN}@{WUHAN}"][0].reported_on == dt.date(2022, 11, 18)
    assert found[f"{ANNUAL}@{WUHAN}/2023-12-20"][0].status.value == "in-progress"


# -- bad sheets: nothing is written, every problem is named ---------------------------------------------------


def test_bad_rows_anywhere_write_nothing_and_every_bad_cell_is_named(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture
):
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    rows = (
        GOOD_ROWS[0],  # row 2
        f"{ANNUAL},{WUHAN},2022-12-20,finished,Sent.,,,2022-13-01",  # 3: a status and a date
        f"{ANNUAL},{WUHAN},,done,Sent.,,,2022-12-10",  # 4: a recurring duty without its due date
        f"{PLAN},{WUHAN},,done,,,,",  # 5: no summary
        f"{PLAN},{WUHAN},,done,Call 13812345678 for details.,,,2022-11-15",  # 6: personal data
        f"{PLAN},{WUHAN},,done,Sent.,ftp://x,{SHA[:10]},{future}",  # 7: url, hash and date
        f"{HUBEI}/closing-9,{WUHAN},,done,Sent.,,,",  # 8: no such obligation
        f"{PLAN},420102,,done,Sent.,,,",  # 9: a county has no plan to send
        f"{PLAN},{WUHAN},,done,Sent.,,,2020-01-01",  # 10: before the document
        GOOD_ROWS[1],  # 11
    )
    sheet = csv_file(tmp_path / "wuhan.csv", *rows)
    code, err = run(capsys, "reports", "import", str(sheet), "--token", token(store_dir), "--store", str(store_dir))
    assert code == 1
    lines = problems(err)
    at = [line.split(": ", 1)[0].removeprefix(str(sheet)) for line in lines]
    assert at == [
        ":3:status",
        ":3:reported_on",
        ":4:due",
        ":5:summary",
        ":6:summary",
        ":7:evidence_url",
        ":7:evidence_sha256",
        ":7:reported_on",
        ":8:obligation",
        ":9:jurisdiction",
        ":10:reported_on",
    ], err
    assert "'finished' is not a status" in lines[0] and "'2022-13-01' is not a date" in lines[1]
    assert "mobile telephone number" in lines[4] and "in the future" in lines[7]
    assert f"nothing was imported from {sheet}: 11 problem(s) in 8 row(s)" in err
    assert reports(store_dir) == {}


def test_header_problems_are_named_at_row_1(store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture):
    header = "obligation,jurisdiction,Status,notes,status,reported on"
    sheet = csv_file(tmp_path / "bad-header.csv", f"{PLAN},{WUHAN},done,x,done,2022-11-15", header=header)
    code, err = run(capsys, "reports", "import", str(sheet), "--token", token(store_dir), "--store", str(store_dir))
    assert code == 1
    assert problems(err) == [
        f"{sheet}:1: the column summary (进展摘要) is missing: every report needs it",
        f"{sheet}:1:notes: unknown column 'notes': the columns are obligation, jurisdiction, due, status, summary, "
        "evidence_url, evidence_sha256, reported_on",
        f"{sheet}:1:status: the column status is given twice: in column C (Status) and column E",
    ]
    assert reports(store_dir) == {}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (HEADER.encode() + b"\n,,,,\n", "the file holds no reports"),
        ("obligation,summary\nx,进展\n".encode("gbk"), "line 2 is not UTF-8 text"),
    ],
    ids=["empty", "header only", "not UTF-8"],
)
def test_a_file_with_no_readable_reports_is_refused(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture, content: bytes, message: str
):
    sheet = tmp_path / "reports.csv"
    sheet.write_bytes(content)
    code, err = run(capsys, "reports", "import", str(sheet), "--token", token(store_dir), "--store", str(store_dir))
    assert code == 1
    assert problems(err)[0].startswith(f"{sheet}: {message}"), err


def test_an_unknown_token_writes_nothing_and_is_never_echoed(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture
):
    sheet = csv_file(tmp_path / "wuhan.csv", *GOOD_ROWS)
    wrong = "akg_0123456789_" + "x" * 43
    code, err = run(capsys, "reports", "import", str(sheet), "--token", wrong, "--store", str(store_dir))
    assert code == 1
    assert "The token is not known" in err and "Nothing was imported" in err
    assert wrong not in err and "x" * 43 not in err
    assert reports(store_dir) == {}


def test_no_token_at_all_is_asked_for(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("AKG_TOKEN", raising=False)
    sheet = csv_file(tmp_path / "wuhan.csv", *GOOD_ROWS)
    code, err = run(capsys, "reports", "import", str(sheet), "--store", str(store_dir))
    assert code == 2 and "--token T, or set AKG_TOKEN" in err


def test_a_row_on_another_bureaus_instance_is_forbidden_at_its_row(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture
):
    sheet = csv_file(tmp_path / "wuhan.csv", GOOD_ROWS[0], f"{PLAN},{HUANGSHI},,done,Sent.,,,2022-11-15", GOOD_ROWS[1])
    code, err = run(capsys, "reports", "import", str(sheet), "--token", token(store_dir), "--store", str(store_dir))
    assert code == 1
    assert problems(err) == [
        f"{sheet}:3: civil-affairs@{WUHAN} may not report on {PLAN}@{HUANGSHI}: it is owned by "
        f"civil-affairs@{HUANGSHI}."
    ]
    assert reports(store_dir) == {}


def test_a_reviewer_token_may_not_import(store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture):
    sheet = csv_file(tmp_path / "wuhan.csv", *GOOD_ROWS)
    office = token(store_dir, "hubei-child-welfare-office", "reviewer")
    code, err = run(capsys, "reports", "import", str(sheet), "--token", office, "--store", str(store_dir))
    assert code == 1
    assert problems(err) == [f"{sheet}: To report on a duty you need a reporter token; this one is a reviewer token."]
    assert reports(store_dir) == {}


def test_check_names_the_problems_and_writes_nothing_even_when_all_is_well(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture
):
    sheet = csv_file(tmp_path / "wuhan.csv", *GOOD_ROWS)
    code, err = run(
        capsys, "reports", "import", str(sheet), "--check", "--token", token(store_dir), "--store", str(store_dir)
    )
    assert code == 0 and "all 2 reports can be imported" in err
    assert reports(store_dir) == {}


def test_a_store_held_by_a_server_is_named_and_url_suggested(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture
):
    sheet = csv_file(tmp_path / "wuhan.csv", *GOOD_ROWS)
    reporter = token(store_dir)
    held = OxigraphStore(StoreLayout(store_dir).oxigraph)  # as `akg serve --store` holds it
    code, err = run(capsys, "reports", "import", str(sheet), "--token", reporter, "--store", str(store_dir))
    del held
    assert code == 1
    assert "is open in a running server" in err and "--url http://127.0.0.1:8000" in err


def test_every_report_shape_message_is_placed_at_its_column():
    """SHACL messages are placed by the property their shape constrains; a change of the shapes follows."""
    columns = shape_columns(progress_shapes(resources.shapes_dir()))
    by_column = {}
    for message, column in columns.items():
        by_column.setdefault(column, []).append(message)
    assert set(by_column) == {"", "status", "reported_on", "summary", "evidence_url", "evidence_sha256"}
    assert len(by_column["reported_on"]) == 3  # one date, not in the future, not before the document
    assert len(by_column["summary"]) == 3  # length, identity number, mobile number
    assert len(by_column[""]) == 2  # the duty instance, its owner: the row as a whole


# -- through a running server (--url) -----------------------------------------------------------------------------


@pytest.fixture
def server(store_dir: Path) -> Iterator[tuple[str, Tracker]]:
    """``akg serve --store store_dir`` in this process (without the start-up validation): its URL and tracker."""
    from akg.accountability import Accountability
    from akg.progress.service import ProgressService
    from graphql_api.server import create_app
    from tests.graphql_support import serving

    store = open_store(location=store_dir)
    service = ProgressService.open(store, store_dir, resources.shapes_dir())
    app = create_app(Accountability.from_store(store), None, progress=service)
    with serving(app) as url:
        yield url, service.tracker
    del app, service, store
    gc.collect()


def test_url_sends_the_batch_to_a_running_server(
    store_dir: Path, server: tuple[str, Tracker], tmp_path: Path, capsys: pytest.CaptureFixture
):
    url, tracker = server
    reporter = token(store_dir)
    sheet = csv_file(tmp_path / "wuhan.csv", *GOOD_ROWS)
    code, err = run(capsys, "reports", "import", str(sheet), "--token", reporter, "--url", url)
    assert code == 0, err
    assert "akg: imported 2 reports" in err and f"{PLAN}@{WUHAN}" in err

    bad = csv_file(
        tmp_path / "bad.csv", GOOD_ROWS[0], f"{PLAN},{WUHAN},,done,Sent.,,,2020-01-01", f"{ANNUAL},{WUHAN},,done,x,,,"
    )
    code, err = run(capsys, "reports", "import", str(bad), "--token", reporter, "--url", url)
    assert code == 1
    assert [line.split(": ", 1)[0] for line in problems(err)] == [f"{bad}:3:reported_on", f"{bad}:4:due"], err
    assert set(tracker.reports()) == {f"{PLAN}@{WUHAN}", f"{ANNUAL}@{WUHAN}/2022-12-20"}  # the first batch only

    wrong = "akg_0123456789_" + "x" * 43
    code, err = run(capsys, "reports", "import", str(sheet), "--token", wrong, "--url", url)
    assert code == 1 and wrong not in err
    assert problems(err) == [f"{sheet}: The token is not known (mistyped, or from another store)."]
    assert err.endswith(f"nothing was imported from {sheet}: 1 problem(s)\n")


# -- the template -------------------------------------------------------------------------------------------------


def test_the_template_is_filled_in_and_imported(store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture):
    path = tmp_path / "template.xlsx"
    code, err = run(capsys, "reports", "template", "-o", str(path), "--jurisdiction", WUHAN, "--store", str(store_dir))
    assert code == 0, err
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Reports", "Legend", "Instances", "Lists"]
    sheet = book["Reports"]
    assert [c.value for c in sheet[1]] == [c.name for c in COLUMNS]
    assert "进展状态" in sheet["D1"].comment.text
    checks = {str(v.sqref): (v.type, v.formula1) for v in sheet.data_validations.dataValidation}
    assert checks["D2:D2001"] == ("list", "=Lists!$A$2:$A$5")  # status
    assert checks["C2:C2001"][0] == checks["H2:H2001"][0] == "date"  # due, reported_on
    assert sheet.column_dimensions["C"].number_format == "yyyy-mm-dd"
    assert [r[0] for r in book["Lists"].iter_rows(min_row=2, max_col=1, values_only=True) if r[0]] == [
        "not-started",
        "in-progress",
        "done",
        "blocked",
    ]
    assert {r[0] for r in book["Lists"].iter_rows(min_row=2, min_col=3, max_col=3, values_only=True) if r[0]} == {WUHAN}
    instances = list(book["Instances"].iter_rows(min_row=2, values_only=True))
    assert len(instances) == 16 and {row[2] for row in instances} == {WUHAN}
    assert (f"{PLAN}@{WUHAN}", PLAN, WUHAN, "Wuhan", "武汉市") == instances[
        [r[0] for r in instances].index(f"{PLAN}@{WUHAN}")
    ][:5]
    legend = [row for row in book["Legend"].iter_rows(values_only=True)]
    assert {row[0] for row in legend} >= {c.name for c in COLUMNS} | {"not-started", "blocked"}

    sheet.append((PLAN, WUHAN, None, "done", "Plan sent.", None, None, dt.date(2022, 11, 18)))
    sheet.append((ANNUAL, WUHAN, dt.date(2022, 12, 20), "done", "Report sent.", None, None, dt.date(2022, 12, 19)))
    book.save(path)
    code, err = run(capsys, "reports", "import", str(path), "--token", token(store_dir), "--store", str(store_dir))
    assert code == 0, err
    assert set(reports(store_dir)) == {f"{PLAN}@{WUHAN}", f"{ANNUAL}@{WUHAN}/2022-12-20"}


def test_the_shipped_template_is_the_one_the_graph_makes(shipped_store: OxigraphStore):
    made = render_template(TemplateContent.from_tracker(Tracker(shipped_store)))
    assert made == render_template(TemplateContent.from_tracker(Tracker(shipped_store)))  # no timestamps
    shipped = Path(__file__).parents[1] / "docs" / "templates" / "reports-template.xlsx"
    assert shipped.read_bytes() == made, (
        "docs/templates/reports-template.xlsx is out of date: akg reports template --data data "
        "-o docs/templates/reports-template.xlsx"
    )
    rows = list(openpyxl.load_workbook(io.BytesIO(made), read_only=True)["Reports"].iter_rows(values_only=True))
    assert len(rows) == 1  # the header only: no report is shipped


def test_no_report_is_shipped(shipped_store: OxigraphStore):
    """Reports about real cities are made only by their bureaus: the data and the built graph hold none."""
    in_graphs = shipped_store.select(
        "SELECT (COUNT(*) AS ?n) WHERE { { GRAPH ?g { ?r a <https://w3id.org/akg/ontology#Report> } } "
        "UNION { ?r a <https://w3id.org/akg/ontology#Report> } }"
    )
    assert in_graphs[0]["n"] == 0
    assert shipped_store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{REPORTS_GRAPH}> {{ ?s ?p ?o }} }}") == [
        {"n": 0}
    ]
    data = resources.data_dir()
    suspects = [
        p
        for p in data.rglob("*")
        if p.is_file() and p.suffix in {".csv", ".xlsx", ".yaml", ".ttl"} and "report" in p.name.lower()
    ]
    assert suspects == []


def test_dates_come_from_date_cells_or_text_and_are_never_guessed_from_numbers(tmp_path: Path):
    rows: list[tuple[Any, ...]] = [
        (PLAN, WUHAN, None, "done", "a", None, None, dt.datetime(2022, 11, 18, 9, 30)),
        (PLAN, WUHAN, None, "done", "b", None, None, "2022/11/18"),
        (PLAN, WUHAN, None, "done", "c", None, None, "2022年11月18日"),
        (PLAN, WUHAN, None, "done", "d", None, None, 44883),  # an Excel serial number in a number cell
        (PLAN, WUHAN, None, "done", "e", None, None, "18/11/2022"),
    ]
    sheet = read_sheet(workbook(tmp_path / "dates.xlsx", rows), file="dates.xlsx")
    assert [row.report.reported_on for row in sheet.rows] == [dt.date(2022, 11, 18)] * 3
    assert [p.at(sheet.file) for p in sheet.problems] == [
        "dates.xlsx:5:reported_on: 44883 is a number, not a date: format the cell as a date, or write YYYY-MM-DD",
        "dates.xlsx:6:reported_on: '18/11/2022' is not a date: write YYYY-MM-DD (e.g. 2022-11-20)",
    ]


def test_the_template_refuses_an_unknown_jurisdiction(store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture):
    path = tmp_path / "template.xlsx"
    code, err = run(capsys, "reports", "template", "-o", str(path), "--jurisdiction", "4201", "--store", str(store_dir))
    assert code == 2 and "unknown jurisdiction '4201'" in err and "e.g. 420100" in err
    assert not path.exists()
