"""The responsibility-matrix outputs: every format holds the same cells, agrees with the graph, marks gaps."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest

from akg import matrix as mx
from akg.accountability import Accountability, Concept, MatrixCell, MatrixRow, ResponsibilityMatrix
from akg.serialization import write_atomically
from akg.store import OxigraphStore
from akg_cli import main

# One canonical form per format: {(sector, column): (letters, clauses)} plus the gap columns.
Cells = dict[tuple[str, str], tuple[str, tuple[str, ...]]]
CELL_TEXT = re.compile(r"^(?P<letters>[A-Z]+)(?: \((?P<clauses>[^)]*)\))?$")


def canonical(matrix: ResponsibilityMatrix) -> tuple[Cells, tuple[str, ...]]:
    cells = {
        (row.sector, cell.column): (cell.letters, cell.clauses)
        for row in matrix.rows
        for cell in row.cells
        if cell.roles
    }
    return cells, matrix.gaps


def parse_cell_text(text: str) -> tuple[str, tuple[str, ...]]:
    found = CELL_TEXT.match(text.replace("**", ""))
    assert found, f"not a matrix cell: {text!r}"
    return found["letters"], tuple(c for c in (found["clauses"] or "").split(", ") if c)


# --------------------------------------------------------------------------- readers, one per format


def read_csv(path: Path) -> tuple[Cells, tuple[str, ...]]:
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    header, body, gap_row = rows[0], rows[1:-1], rows[-1]
    assert header[:2] == ["sector", "sector_label"]
    columns = header[2:]
    cells = {
        (row[0], column): parse_cell_text(text)
        for row in body
        for column, text in zip(columns, row[2:], strict=True)
        if text
    }
    assert gap_row[:2] == ["", mx.GAP_TEXT]
    return cells, tuple(c for c, mark in zip(columns, gap_row[2:], strict=True) if mark == mx.GAP_MARK)


def read_xlsx_sheet(sheet, matrix: ResponsibilityMatrix, lang: str = "en") -> tuple[Cells, tuple[str, ...]]:
    labels = [sheet.cell(row=2, column=j).value for j in range(2, len(matrix.columns) + 2)]
    assert labels == [c.label(lang) for c in matrix.columns]
    sectors = [sheet.cell(row=i, column=1).value for i in range(3, len(matrix.rows) + 3)]
    cells: Cells = {}
    for i, row in enumerate(matrix.rows, start=3):
        assert sectors[i - 3]  # a label
        for j, column in enumerate(matrix.columns, start=2):
            target = sheet.cell(row=i, column=j)
            if target.value:
                first_line = target.comment.text.splitlines()[0]
                assert first_line.startswith("Clauses: ")
                clauses = tuple(c for c in first_line.removeprefix("Clauses: ").split(", ") if c)
                cells[(row.sector, column.id)] = (target.value, clauses)
    gap_row = len(matrix.rows) + 3
    assert sheet.cell(row=gap_row, column=1).value == mx.GAP_TEXT
    gaps = tuple(
        c.id for j, c in enumerate(matrix.columns, start=2) if sheet.cell(row=gap_row, column=j).value == mx.GAP_MARK
    )
    return cells, gaps


def read_md(path: Path, matrix: ResponsibilityMatrix) -> tuple[Cells, tuple[str, ...]]:
    table = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    split = [[part.strip() for part in re.split(r"(?<!\\)\|", line)[1:-1]] for line in table]
    body, gap_row = split[2:-1], split[-1]
    assert len(body) == len(matrix.rows)
    cells = {
        (row.sector, column.id): parse_cell_text(text)
        for row, line in zip(matrix.rows, body, strict=True)
        for column, text in zip(matrix.columns, line[1:], strict=True)
        if text
    }
    return cells, tuple(c.id for c, mark in zip(matrix.columns, gap_row[1:], strict=True) if mark == mx.GAP_MARK)


def read_json(path: Path) -> tuple[Cells, tuple[str, ...]]:
    answer = json.loads(path.read_text(encoding="utf-8"))["responsibilityMatrix"]
    cells = {
        (row["sector"]["id"], cell["need"]["id"]): (cell["letters"], tuple(cell["clauses"]))
        for row in answer["rows"]
        for cell in row["cells"]
        if cell["roles"]
    }
    return cells, tuple(gap["id"] for gap in answer["gaps"])


class _MatrixHTML(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: Cells = {}
        self.gaps: list[str] = []
        self.gap_headers: list[str] = []
        self.sector: str | None = None
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("src", "href"):
            if a.get(key):
                self.external.append(a[key] or "")
        if tag == "link":
            self.external.append(str(a))
        if tag == "tr":
            self.sector = a.get("data-sector")
        classes = (a.get("class") or "").split()
        if tag == "td" and "cell" in classes and a.get("data-letters"):
            clauses = tuple(c for c in (a.get("data-clauses") or "").split(", ") if c)
            self.cells[(self.sector or "", a["data-column"] or "")] = (a["data-letters"] or "", clauses)
        if tag == "td" and "gap" in classes:
            self.gaps.append(a["data-column"] or "")
        if tag == "th" and "gap" in classes:
            self.gap_headers.append(a["data-column"] or "")


def read_html(path: Path) -> tuple[Cells, tuple[str, ...]]:
    parser = _MatrixHTML()
    parser.feed(path.read_text(encoding="utf-8"))
    assert parser.external == [], "the page must be self-contained"
    assert parser.gap_headers == parser.gaps
    return parser.cells, tuple(parser.gaps)


SVG = "{http://www.w3.org/2000/svg}"


def read_svg(path: Path) -> tuple[Cells, tuple[str, ...], dict[tuple[str, str], int], int]:
    """Cells (clauses from each cell's tooltip), gaps, obligation counts and the number of lead marks."""
    root = ET.parse(path).getroot()
    cells: Cells = {}
    counts = {}
    for rect in root.iter(f"{SVG}rect"):
        if rect.get("class") != "cell":
            continue
        key = (rect.get("data-sector", ""), rect.get("data-column", ""))
        counts[key] = int(rect.get("data-count", "0"))
        if rect.get("data-letters"):
            tip = rect.find(f"{SVG}title").text or ""
            cells[key] = parse_cell_text(tip.split(", ", 1)[1])
    gaps = tuple(r.get("data-column", "") for r in root.iter(f"{SVG}rect") if r.get("class") == "gap")
    leads = sum(1 for t in root.iter(f"{SVG}text") if t.get("class") == "lead")
    return cells, gaps, counts, leads


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def accountability(shipped_store: OxigraphStore) -> Accountability:
    return Accountability.from_store(shipped_store)


FILTERS = {
    "whole": [],
    "county-orphans": ["--level", "county", "--group", "orphans"],
    "picked": [
        *("--needs", "rehabilitation,protection,funding", "--sectors", "civil-affairs,health,public-security"),
        *("--document", "hubei-2022-child-welfare"),
    ],
}


def expected(accountability: Accountability, args: list[str]) -> ResponsibilityMatrix:
    options = dict(zip(args[::2], args[1::2], strict=True))
    return accountability.responsibility_matrix(
        needs=options["--needs"].split(",") if "--needs" in options else None,
        sectors=options["--sectors"].split(",") if "--sectors" in options else None,
        level=options.get("--level"),
        target_group=options.get("--group"),
        document=options.get("--document"),
    )


@pytest.fixture(scope="module", params=sorted(FILTERS))
def written(request, tmp_path_factory) -> tuple[str, Path]:
    """Every format written by the CLI for one set of filters."""
    folder = tmp_path_factory.mktemp(request.param)
    for fmt in mx.FORMATS:
        assert main(["matrix", *FILTERS[request.param], "--format", fmt, "-o", str(folder / f"m.{fmt}")]) == 0
    return request.param, folder


# --------------------------------------------------------------------------- against the graph


def test_graph_letters_match_sparql(accountability: Accountability, shipped_store: OxigraphStore) -> None:
    """The whole matrix, checked cell by cell against assignments read straight from the store."""
    rows = shipped_store.select("""
        PREFIX akg: <https://w3id.org/akg/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT DISTINCT ?sector ?column ?letter ?number ?doc WHERE {
          ?ob a akg:Obligation ; akg:hasAssignment ?a ; akg:provision ?p .
          ?p akg:number ?number ; akg:inDocument/akg:identifier ?doc .
          { ?ob akg:servesNeed ?c } UNION { ?ob akg:concernsCapacity ?c }
          ?c skos:notation ?column .
          ?a akg:organization/akg:sector/skos:notation ?sector ; akg:role/akg:letter ?letter .
        }""")
    from_graph: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
    for row in rows:
        letters, clauses = from_graph.setdefault((str(row["sector"]), str(row["column"])), (set(), set()))
        letters.add(str(row["letter"]))
        clauses.add(f"{row['doc']} {row['number']}")  # across documents a clause names its document
    cells, _ = canonical(accountability.responsibility_matrix())
    columns = {c.id for c in accountability.responsibility_matrix().columns}
    assert cells, "the shipped data fills some cells"
    assert {key for key in from_graph if key[1] in columns} == set(cells)
    for key, (letters, clauses) in cells.items():
        assert set(letters) == from_graph[key][0], key
        assert set(clauses) == from_graph[key][1], key


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_read_back_matches_graph(written: tuple[str, Path], accountability: Accountability, fmt: str) -> None:
    name, folder = written
    matrix = expected(accountability, FILTERS[name])
    if fmt == "csv":
        got = read_csv(folder / "m.csv")
    else:
        got = read_xlsx_sheet(openpyxl.load_workbook(folder / "m.xlsx")["Matrix"], matrix)
    assert got == canonical(matrix)


def test_every_format_holds_the_same_cells(written: tuple[str, Path], accountability: Accountability) -> None:
    name, folder = written
    matrix = expected(accountability, FILTERS[name])
    want = canonical(matrix)
    assert read_csv(folder / "m.csv") == want
    assert read_xlsx_sheet(openpyxl.load_workbook(folder / "m.xlsx")["Matrix"], matrix) == want
    assert read_md(folder / "m.md", matrix) == want
    assert read_json(folder / "m.json") == want
    assert read_html(folder / "m.html") == want
    cells, gaps, counts, leads = read_svg(folder / "m.svg")
    assert (cells, gaps) == want
    assert counts == {(r.sector, c.column): len(c.obligation_ids) for r in matrix.rows for c in r.cells}
    assert leads == sum(1 for r in matrix.rows for c in r.cells if mx.LEAD in c.roles)


def test_gaps_are_marked_in_every_format(tmp_path: Path, accountability: Accountability) -> None:
    args = FILTERS["county-orphans"]
    matrix = expected(accountability, args)
    assert matrix.gaps, "county duties for orphans leave some columns without a lead"
    for fmt in mx.FORMATS:
        assert main(["matrix", *args, "--format", fmt, "-o", str(tmp_path / f"m.{fmt}")]) == 0
    assert read_csv(tmp_path / "m.csv")[1] == matrix.gaps
    assert read_md(tmp_path / "m.md", matrix)[1] == matrix.gaps
    assert read_json(tmp_path / "m.json")[1] == matrix.gaps
    assert read_html(tmp_path / "m.html")[1] == matrix.gaps
    assert read_svg(tmp_path / "m.svg")[1] == matrix.gaps
    sheet = openpyxl.load_workbook(tmp_path / "m.xlsx")["Matrix"]
    assert read_xlsx_sheet(sheet, matrix)[1] == matrix.gaps
    for gap in matrix.gaps:
        header = sheet.cell(row=2, column=2 + [c.id for c in matrix.columns].index(gap))
        assert header.fill.fgColor.rgb.endswith(mx._GAP_FILL) and mx.GAP_TEXT in header.comment.text
    assert "Gaps: " in (tmp_path / "m.md").read_text(encoding="utf-8")


def test_json_has_the_graphql_shape(written: tuple[str, Path], accountability: Accountability) -> None:
    name, folder = written
    matrix = expected(accountability, FILTERS[name])
    answer = json.loads((folder / "m.json").read_text(encoding="utf-8"))["responsibilityMatrix"]
    assert answer["columns"] == [{"id": c.id, "label": c.label()} for c in matrix.columns]
    for row, got in zip(matrix.rows, answer["rows"], strict=True):
        assert got["sector"]["id"] == row.sector and got["sector"]["label"]
        assert [c["need"] for c in got["cells"]] == [{"id": c.column} for c in row.cells]
        assert [c["roles"] for c in got["cells"]] == [[r.upper() for r in c.roles] for c in row.cells]
        assert [c["obligationIds"] for c in got["cells"]] == [list(c.obligation_ids) for c in row.cells]
        assert [c["letters"] for c in got["cells"]] == [c.letters for c in row.cells]


GRAPHQL_MATRIX = """query ($needs: [ID!], $sectors: [ID!], $level: ID, $group: ID) {
  responsibilityMatrix(needs: $needs, sectors: $sectors, level: $level, targetGroup: $group) {
    columns { id label }
    rows { sector { id label } cells { need { id } roles letters obligationIds clauses } }
    gaps { id label }
  }
}"""


@pytest.mark.parametrize("name", ["whole", "county-orphans"])
def test_json_agrees_with_graphql_cell_for_cell(tmp_path: Path, accountability: Accountability, name: str) -> None:
    schema = pytest.importorskip("graphql_api.schema")
    options = dict(zip(FILTERS[name][::2], FILTERS[name][1::2], strict=True))
    variables = {"level": options.get("--level"), "group": options.get("--group")}
    answer = schema.create_schema().execute_sync(
        GRAPHQL_MATRIX, variable_values=variables, context_value=schema.make_context(accountability)
    )
    assert answer.errors is None
    pack = mx.build_pack(accountability, level=variables["level"], target_group=variables["group"], with_levels=False)
    assert json.loads(mx.render(pack, "json"))["responsibilityMatrix"] == answer.data["responsibilityMatrix"]


# --------------------------------------------------------------------------- the workbook


def test_workbook_layout(written: tuple[str, Path], accountability: Accountability) -> None:
    name, folder = written
    book = openpyxl.load_workbook(folder / "m.xlsx")
    levels = accountability.concepts("levels")
    assert book.sheetnames == ["Matrix", "Legend", *(level.label() for level in levels)]
    for sheet_name in ["Matrix", *(level.label() for level in levels)]:
        sheet = book[sheet_name]
        assert sheet.freeze_panes == "B3"
        assert sheet.print_title_rows == "$1:$2"
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    legend = [row for row in book["Legend"].iter_rows(values_only=True)]
    letters = {row[0] for row in legend}
    assert {"A", "R", "S", "C", "I", mx.GAP_MARK} <= letters
    # Each level sheet is the matrix with the same filters restricted to that level.
    options = dict(zip(FILTERS[name][::2], FILTERS[name][1::2], strict=True))
    options.pop("--level", None)
    for level in levels:
        matrix = expected(accountability, [*(a for pair in options.items() for a in pair), "--level", level.id])
        assert read_xlsx_sheet(book[level.label()], matrix) == canonical(matrix)


def test_workbook_lead_cells_and_comments(tmp_path: Path, accountability: Accountability) -> None:
    assert main(["matrix", "--format", "xlsx", "-o", str(tmp_path / "m.xlsx")]) == 0
    sheet = openpyxl.load_workbook(tmp_path / "m.xlsx")["Matrix"]
    matrix = accountability.responsibility_matrix()
    checked = 0
    for i, row in enumerate(matrix.rows, start=3):
        for j, cell in enumerate(row.cells, start=2):
            target = sheet.cell(row=i, column=j)
            if not cell.roles:
                assert target.value is None and target.comment is None
                continue
            fill = target.fill.fgColor.rgb
            assert fill.endswith(mx._LEAD_FILL if mx.LEAD in cell.roles else mx._DUTY_FILL)
            for obligation_id in cell.obligation_ids:
                record = accountability.obligation(obligation_id)
                assert f"§{record.provision} [{obligation_id}]" in target.comment.text
                assert record.text in target.comment.text
            checked += 1
    assert checked


# --------------------------------------------------------------------------- the page and the picture


def test_html_is_self_contained_and_prints_on_a4_landscape(written: tuple[str, Path], accountability) -> None:
    name, folder = written
    page = (folder / "m.html").read_text(encoding="utf-8")
    assert "@page { size: A4 landscape" in page
    args = FILTERS[name]
    if "--document" in args:  # one document: its title and date
        document = accountability.document(args[args.index("--document") + 1])
        assert document.title.replace("'", "&#x27;") in page and str(document.date_signed) in page
    else:  # the pack names every document it spans
        for document in accountability.documents():
            assert document.id in page and document.title.replace("'", "&#x27;") in page
    assert "Legend" in page and "<script" not in page and "url(" not in page


def test_svg_is_well_formed_with_a_legend(written: tuple[str, Path]) -> None:
    _, folder = written
    root = ET.parse(folder / "m.svg").getroot()
    words = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "Obligations per cell" in words and "a lead in this sector" in words and mx.GAP_MARK in words


# --------------------------------------------------------------------------- the command line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--needs", "flying"], "unknown need 'flying'"),
        (["--sectors", "civil-affairs,space"], "unknown sector 'space'"),
        (["--level", "planet"], "unknown level 'planet'"),
        (["--group", "aliens"], "unknown group 'aliens'"),
        (["--document", "no-such-document"], "unknown document 'no-such-document'"),
    ],
)
def test_unknown_ids_exit_2(tmp_path: Path, capsys, args: list[str], message: str) -> None:
    out = tmp_path / "m.csv"
    assert main(["matrix", *args, "--format", "csv", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and "known:" in err
    assert not out.exists()


def test_unwritable_format_exits_2(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["matrix", "--format", "pdf", "-o", str(tmp_path / "m.pdf")])
    assert stopped.value.code == 2
    assert "invalid choice: 'pdf'" in capsys.readouterr().err
    assert main(["matrix", "-o", str(tmp_path / "m.pdf")]) == 2
    assert "cannot tell the format" in capsys.readouterr().err


def test_format_from_suffix_and_quiet_off_a_terminal(tmp_path: Path, capsys) -> None:
    assert main(["matrix", "--level", "city", "-o", str(tmp_path / "m.md")]) == 0
    err = capsys.readouterr().err
    assert err.strip() == f"wrote the md matrix to {tmp_path / 'm.md'}"  # no progress bar when not a TTY
    assert (tmp_path / "m.md").read_text(encoding="utf-8").startswith("# Responsibility matrix")


def test_unwritable_path_exits_2(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["matrix", "--format", "csv", "-o", str(blocker / "m.csv")]) == 2
    assert "cannot write" in capsys.readouterr().err


# --------------------------------------------------------------------------- small hand-made matrices


def _concept(id: str, scheme: str, label: str, broader: str | None = None, letter: str | None = None) -> Concept:
    return Concept(id, scheme, {"en": label, "zh": label + "（中）"}, None, broader, (), None, letter)


ROLES = tuple(
    _concept(id, "roles", id.capitalize(), letter=letter)
    for id, letter in [("lead", "A"), ("responsible", "R"), ("supporting", "S"), ("consulted", "C"), ("informed", "I")]
)


def small_pack() -> mx.MatrixPack:
    columns = (
        _concept("schooling", "needs", "Schooling | school", broader="growth"),
        _concept("play", "needs", "Play", broader="growth"),
        _concept("money", "capacities", "Money"),
    )
    rows = (
        MatrixRow("teaching", (
            MatrixCell("schooling", ("lead", "supporting"), "AS", ("d/1-1", "d/2-1"), ("1", "2")),
            MatrixCell("play", ("supporting",), "S", ("d/3-1",), ("3",)),
            MatrixCell("money", (), "", (), ()),
        )),
        MatrixRow("treasury", (
            MatrixCell("schooling", (), "", (), ()),
            MatrixCell("play", (), "", (), ()),
            MatrixCell("money", ("responsible",), "R", ("d/3-2",), ("3",)),
        )),
    )  # fmt: skip
    matrix = ResponsibilityMatrix(columns, rows, level=None, target_group=None, gaps=("play", "money"))
    notes = {
        "d/1-1": mx.ObligationNote("d/1-1", "1", "Teach & care.", (mx.Holder("teaching", "Teachers", "lead"),)),
        "d/2-1": mx.ObligationNote(
            "d/2-1", "2", "Support <schools>.", (mx.Holder("teaching", "Teachers", "supporting"),)
        ),
        "d/3-1": mx.ObligationNote("d/3-1", "3", "Play safely.", ()),
        "d/3-2": mx.ObligationNote("d/3-2", "3", "Pay for it.", (mx.Holder("treasury", "Treasury", "responsible"),)),
    }
    labels = {("sectors", "teaching"): "Teaching", ("sectors", "treasury"): "Treasury", ("needs", "growth"): "Growth"}
    return mx.MatrixPack(matrix, "A & B <test> document", None, ROLES, labels, notes, (), (("level", "Town"),))


def test_small_matrix_in_every_format(tmp_path: Path) -> None:
    pack = small_pack()
    want = canonical(pack.matrix)
    for fmt in mx.FORMATS:
        mx.write_matrix(pack, fmt, tmp_path / f"s.{fmt}")
    assert read_csv(tmp_path / "s.csv") == want
    assert read_md(tmp_path / "s.md", pack.matrix) == want
    assert read_json(tmp_path / "s.json") == want
    assert read_html(tmp_path / "s.html") == want
    assert read_svg(tmp_path / "s.svg")[:2] == want
    book = openpyxl.load_workbook(tmp_path / "s.xlsx")
    assert book.sheetnames == ["Matrix", "Legend"]
    assert read_xlsx_sheet(book["Matrix"], pack.matrix) == want
    # The column groups head the columns: the broader need, then the capacities.
    assert book["Matrix"]["B1"].value == "Growth" and book["Matrix"]["D1"].value == "Capacities"
    assert "Teachers (A)" in book["Matrix"]["B3"].comment.text
    page = (tmp_path / "s.html").read_text(encoding="utf-8")
    assert "A &amp; B &lt;test&gt; document" in page and "<test>" not in page
    assert "Schooling \\| school" in (tmp_path / "s.md").read_text(encoding="utf-8")


def test_chinese_labels(tmp_path: Path) -> None:
    pack = small_pack()
    pack = mx.MatrixPack(pack.matrix, pack.title, pack.date, pack.roles, pack.labels, pack.obligations, lang="zh")
    mx.write_matrix(pack, "xlsx", tmp_path / "s.xlsx")
    mx.write_matrix(pack, "svg", tmp_path / "s.svg")
    assert read_xlsx_sheet(openpyxl.load_workbook(tmp_path / "s.xlsx")["Matrix"], pack.matrix, "zh")[0]
    assert "Play（中）" in (tmp_path / "s.svg").read_text(encoding="utf-8")


def test_render_refuses_an_unknown_format() -> None:
    with pytest.raises(ValueError, match="cannot write format 'pdf'"):
        mx.render(small_pack(), "pdf")


def test_atomic_write_leaves_the_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "m.csv"
    target.write_text("old")
    write_atomically(target, b"new")
    assert target.read_text() == "new"
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "inside").write_text("")
    with pytest.raises(OSError):
        write_atomically(folder, b"data")  # a non-empty folder cannot be replaced by a file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.csv", "taken"]  # no temporary file left


def test_progress_bar_only_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen, pipe = Terminal(), io.StringIO()
    for stream in (screen, pipe):
        bar = mx.ProgressBar(total=2, stream=stream)
        bar("one")
        bar("two")
        bar.finish()
    assert "1/2 one" in screen.getvalue() and "2/2 two" in screen.getvalue() and screen.getvalue().endswith("\n")
    assert pipe.getvalue() == ""
