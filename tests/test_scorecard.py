"""Scorecards (akg scorecard) and the matrix's status view (akg matrix --status-as-of), from fixture reports.

The reports are written through the Ledger into a private on-disk store (tests/scorecard_support.py): Wuhan's
plan is done and accepted by 2022-11-21, the other 16 city-level plans are overdue then.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import openpyxl
import pyoxigraph as ox
import pytest

from akg.accountability import Accountability, InvalidArgument, UnknownIdentifier
from akg.matrix import STATUS_FILLS, build_pack, status_view
from akg.matrix import render as render_matrix
from akg.progress.tracking import Tracker
from akg.scorecard import CSV_COLUMNS, Scorecard, build_scorecard, render
from akg.store import OxigraphStore
from akg_cli import main
from tests.scorecard_support import AS_OF, CITIES, LATER, write_fixture_reports

HUBEI = "hubei-2022-child-welfare"
RED, GREEN, GREY = (STATUS_FILLS[s] for s in ("overdue", "done", "not-due"))


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store folder with the fixture reports, closed (the CLI opens it)."""
    location = tmp_path_factory.mktemp("scorecard") / "store"
    write_fixture_reports(location)
    return location


@pytest.fixture(scope="module")
def progress(store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Accountability, Tracker]]:
    """The indexes and tracker of a copy of the store folder (the original stays free for the CLI)."""
    copy = tmp_path_factory.mktemp("reader") / "store"
    shutil.copytree(store_dir, copy)
    store = OxigraphStore(copy / "oxigraph")
    yield Accountability.from_store(store), Tracker(store)


def card(progress: tuple[Accountability, Tracker], **options: object) -> Scorecard:
    accountability, tracker = progress
    return build_scorecard(tracker, accountability, options.pop("as_of", AS_OF), **options)  # type: ignore[arg-type]


def row_of(scorecard: Scorecard, key: str):
    return next(r for r in scorecard.rows if r.score.key == key)


# -- the content ------------------------------------------------------------------------------------------


def test_the_day_after_the_plans_were_due_one_city_is_done_and_sixteen_are_overdue(progress) -> None:
    scorecard = card(progress, level="city")
    assert len(scorecard.rows) == CITIES
    wuhan = row_of(scorecard, "420100")
    assert (wuhan.status, wuhan.score.due, wuhan.score.done, wuhan.score.done_on_time) == ("done", 1, 1, 1)
    assert wuhan.labels == {"en": "Wuhan", "zh": "武汉市"} and wuhan.within == "420000"
    others = [r for r in scorecard.rows if r.score.key != "420100"]
    assert {(r.status, r.score.overdue) for r in others} == {("overdue", 1)}
    assert scorecard.rows[-1] is wuhan  # overdue rows first
    totals = scorecard.totals.score
    assert (totals.due, totals.done, totals.done_on_time, totals.overdue) == (17, 1, 1, 16)
    assert scorecard.totals.status == "overdue"


def test_reports_made_or_reviewed_after_the_date_do_not_count(progress) -> None:
    early, late = card(progress, level="city"), card(progress, level="city", as_of=LATER)
    assert row_of(early, "420300").status == "overdue"  # Shiyan reported on the 22nd
    shiyan = row_of(late, "420300").score
    assert (shiyan.done, shiyan.done_on_time, shiyan.overdue) == (1, 0, 0)  # done, but late
    overdue = {d.jurisdiction: d for d in early.overdue}
    assert len(overdue) == 16 and "420100" not in overdue
    assert (overdue["420300"].latest, overdue["420300"].review) == (None, None)
    assert (overdue["420600"].latest, overdue["420600"].review) == ("done", "returned")
    assert (overdue["420500"].latest, overdue["420500"].review) == ("in-progress", None)
    assert overdue["420500"].days_overdue == 1 and overdue["420500"].clause == "closing"


def test_by_sector_counts_every_instance_once(progress) -> None:
    scorecard = card(progress, by="sector", level="city")
    assert [(r.score.key, r.label("en"), r.label("zh")) for r in scorecard.rows] == [
        ("civil-affairs", "Civil affairs", "民政")
    ]
    civil = scorecard.rows[0].score
    assert (civil.due, civil.done, civil.overdue) == (17, 1, 16)


def test_jurisdictions_with_nothing_due_come_last(progress) -> None:
    scorecard = card(progress)  # both levels: the county-level duties are not due in 2022
    statuses = [r.status for r in scorecard.rows]
    assert statuses == sorted(statuses, key=["overdue", "done", "not-due"].index)
    county = row_of(scorecard, "420102")  # Jiang'an District, within Wuhan
    assert (county.status, county.score.due, county.score.on_time_rate) == ("not-due", 0, None)
    assert county.within == "420100"


def test_bad_arguments_are_named(progress) -> None:
    with pytest.raises(UnknownIdentifier, match="province"):
        card(progress, level="province")
    with pytest.raises(InvalidArgument, match="'county-ish'"):
        card(progress, by="county-ish")


# -- the formats -------------------------------------------------------------------------------------------


def test_workbook_colours_rows_by_status_and_prints_like_the_matrix(progress) -> None:
    book = openpyxl.load_workbook(io.BytesIO(render(card(progress, level="city"), "xlsx")))
    assert book.sheetnames == ["Scorecard", "Overdue duties", "Legend"]
    sheet = book["Scorecard"]
    assert [c.value for c in sheet[1]] == [
        "Jurisdiction", "Code", "Within", "Due", "Done", "Done on time", "Overdue", "On-time rate", "Status",
    ]  # fmt: skip
    assert (sheet.freeze_panes, sheet.print_title_rows, sheet.page_setup.orientation) == ("B2", "$1:$1", "landscape")
    rows = {r[1].value: r for r in sheet.iter_rows(min_row=2)}
    assert {c.fill.fgColor.rgb[-6:] for c in rows["420100"]} == {GREEN}
    assert {c.fill.fgColor.rgb[-6:] for c in rows["420200"]} == {RED}
    assert list(rows)[:16] == [r.score.key for r in card(progress, level="city").rows][:16]
    total = sheet[sheet.max_row]
    assert total[0].value == "Total" and total[3].value == 17 and total[6].value == 16 and total[0].font.bold
    assert total[7].number_format == "0%"
    overdue = book["Overdue duties"]
    assert overdue.max_row == 1 + 16 and overdue["H1"].value == "Latest report"
    legend = [c.fill.fgColor.rgb[-6:] for c in book["Legend"]["A"] if c.fill.fill_type]
    assert legend == [RED, GREEN, GREY]


def test_workbook_is_the_same_bytes_for_the_same_date(progress) -> None:
    scorecard = card(progress, level="city")
    first, second = render(scorecard, "xlsx"), render(scorecard, "xlsx")
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time[:3] for info in archive.infolist()} == {(2022, 11, 21)}
        assert b"2022-11-21T00:00:00Z" in archive.read("docProps/core.xml")


def test_chinese_workbook(progress) -> None:
    book = openpyxl.load_workbook(io.BytesIO(render(card(progress, level="city", lang="zh"), "xlsx")))
    assert book.sheetnames == ["记分卡", "逾期任务", "图例"]
    sheet = book["记分卡"]
    assert sheet["A1"].value == "行政区划" and sheet[sheet.max_row][0].value == "合计"
    assert "武汉市" in [c.value for c in sheet["A"]]


def test_csv_has_stable_columns_and_both_languages(progress) -> None:
    text = render(card(progress, level="city"), "csv").decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_COLUMNS and len(rows) == CITIES
    assert rows[-1] == {
        "as_of": "2022-11-21", "by": "jurisdiction", "key": "420100", "label_en": "Wuhan", "label_zh": "武汉市",
        "within": "420000", "status": "done", "due": "1", "done": "1", "done_on_time": "1", "overdue": "0",
        "on_time_rate": "1.0000",
    }  # fmt: skip
    assert rows[0]["status"] == "overdue" and rows[0]["on_time_rate"] == "0.0000"


def test_json_rows_agree_with_the_graphql_score_row(progress) -> None:
    body = json.loads(render(card(progress, level="city"), "json"))["scorecard"]
    assert (body["asOf"], body["by"], body["level"], body["lang"]) == ("2022-11-21", "jurisdiction", "city", "en")
    wuhan = body["rows"][-1]
    assert wuhan == {
        "key": "420100", "label": "Wuhan", "labels": {"en": "Wuhan", "zh": "武汉市"}, "within": "420000",
        "status": "done", "due": 1, "done": 1, "doneOnTime": 1, "overdue": 0, "onTimeRate": 1.0,
    }  # fmt: skip
    assert body["totals"] == {
        "key": "total", "status": "overdue", "due": 17, "done": 1, "doneOnTime": 1, "overdue": 16, "onTimeRate": 0.0588,
    }  # fmt: skip
    returned = next(d for d in body["overdue"] if d["jurisdiction"] == "420600")
    assert returned["latestReport"] == {"status": "done", "reportedOn": "2022-11-19", "review": "returned"}
    assert returned["owner"] == "civil-affairs@420600" and returned["due"] == "2022-11-20"
    assert next(d for d in body["overdue"] if d["jurisdiction"] == "420200")["latestReport"] is None


def test_html_is_self_contained_overdue_first_and_in_either_language(progress) -> None:
    page = render(card(progress, level="city"), "html").decode("utf-8")
    assert "@page { size: A4 landscape" in page and "http://" not in page and "https://" not in page
    statuses = [part.split('"')[0] for part in page.split('<tr class="row status-')[1:]]
    assert statuses == ["overdue"] * 16 + ["done"]
    assert "Overdue duties (16)" in page
    chinese = render(card(progress, level="city", lang="zh"), "html").decode("utf-8")
    assert '<html lang="zh">' in chinese and "武汉市" in chinese and "逾期任务清单 (16)" in chinese


# -- the command -------------------------------------------------------------------------------------------


def test_cli_writes_every_format(store_dir: Path, tmp_path: Path, capsys) -> None:
    for fmt in ("xlsx", "html", "csv", "json"):
        output = tmp_path / f"card.{fmt}"
        assert (
            main(
                ["scorecard", "--as-of", "2022-11-21", "--level", "city", "-o", str(output), "--store", str(store_dir)]
            )
            == 0
        )
        assert output.stat().st_size > 200
    assert "17 duties due, 1 done, 16 overdue" in capsys.readouterr().err
    assert json.loads((tmp_path / "card.json").read_text())["scorecard"]["totals"]["overdue"] == 16


def test_cli_by_sector_to_stdout(store_dir: Path, capsys) -> None:
    argv = ["scorecard", "--as-of", "2022-11-21", "--by", "sector", "--format", "csv", "-o", "-"]
    assert main([*argv, "--store", str(store_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("2022-11-21,sector,civil-affairs,Civil affairs,民政,,overdue,17,1,1,16,")


def test_cli_reads_the_store_named_by_the_environment(store_dir: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("AKG_STORE", str(store_dir))
    assert main(["scorecard", "--as-of", "2022-11-21", "-o", str(tmp_path / "card.csv")]) == 0


def test_a_bad_date_is_named_and_exits_2(store_dir: Path, tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["scorecard", "--as-of", "2022-11-31", "-o", str(tmp_path / "x.csv"), "--store", str(store_dir)])
    assert stop.value.code == 2
    assert "not a date (YYYY-MM-DD): '2022-11-31'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-o", "card.pdf"], "cannot tell the format of"),
        (["-o", "card.csv", "--store", "missing"], "holds no graph"),
    ],
)
def test_bad_input_exits_2(tmp_path: Path, capsys, monkeypatch, argv: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["scorecard", "--as-of", "2022-11-21", *argv]) == 2
    assert message in capsys.readouterr().err


def test_a_store_open_in_a_server_is_refused_with_exit_1(store_dir: Path, tmp_path: Path, capsys) -> None:
    holder = ox.Store(str(store_dir / "oxigraph"))  # what a running `akg serve --store` does
    try:
        assert (
            main(["scorecard", "--as-of", "2022-11-21", "-o", str(tmp_path / "x.csv"), "--store", str(store_dir)]) == 1
        )
    finally:
        del holder
    assert "is open in a running server" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


# -- the matrix's status view --------------------------------------------------------------------------------


def test_matrix_status_view_counts_the_instances_behind_each_cell(store_dir: Path, tmp_path: Path) -> None:
    output = tmp_path / "status.json"
    argv = ["matrix", "--document", HUBEI, "--level", "city", "--status-as-of", "2022-11-21", "-o", str(output)]
    assert main([*argv, "--store", str(store_dir)]) == 0
    body = json.loads(output.read_text())
    assert body["filters"]["status as of"] == "2022-11-21"
    cells = {(c["sector"], c["need"]): c for c in body["status"]["cells"]}
    plan = cells[("civil-affairs", "coordination")]  # the plan (closing-1) is a coordination duty
    assert (plan["due"], plan["done"], plan["overdue"], plan["status"]) == (17, 1, 16, "overdue")
    assert {sector for sector, _ in cells} == {"civil-affairs"}  # only the lead's sector owns instances
    assert {c["status"] for c in cells.values()} == {"overdue", "not-due"}


def test_matrix_status_view_colours_html_and_xlsx_cells(store_dir: Path, tmp_path: Path) -> None:
    for fmt in ("html", "xlsx"):
        argv = ["matrix", "--document", HUBEI, "--status-as-of", "2022-11-21", "-o", str(tmp_path / f"m.{fmt}")]
        assert main([*argv, "--store", str(store_dir)]) == 0
    page = (tmp_path / "m.html").read_text()
    assert 'data-column="coordination" data-letters="ARI"' in page
    assert 'status-overdue" data-column="coordination"' in page and "Status as of 2022-11-21." in page
    sheet = openpyxl.load_workbook(tmp_path / "m.xlsx")["Matrix"]
    coloured = {c.value: c.fill.fgColor.rgb[-6:] for row in sheet.iter_rows(min_row=3) for c in row if c.value}
    assert coloured["ARI 1/17"] == RED


def test_matrix_without_the_option_is_unchanged(progress) -> None:
    accountability, tracker = progress
    pack = build_pack(accountability, document=HUBEI, lang="en")
    with_status = replace(pack, status=status_view(tracker, AS_OF))
    page = render_matrix(pack, "html").decode()
    assert "data-status" not in page and "status-legend" not in page and "td.status-" not in page
    assert "status" not in json.loads(render_matrix(pack, "json"))
    assert "data-status" in render_matrix(with_status, "html").decode()
    for fmt in ("csv", "md", "svg"):  # the formats without the view ignore it
        assert render_matrix(with_status, fmt) == render_matrix(pack, fmt)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-o", "m.csv", "--status-as-of", "2022-11-21"], "written as xlsx, html or json, not csv"),
        (["-o", "m.html", "--store", "s"], "--store goes with --status-as-of"),
        (["-o", "m.html", "--status-as-of", "2022-11-21", "--data", "d"], "leave out --data"),
    ],
)
def test_matrix_status_option_errors(tmp_path: Path, capsys, monkeypatch, argv: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["matrix", *argv]) == 2
    assert message in capsys.readouterr().err
