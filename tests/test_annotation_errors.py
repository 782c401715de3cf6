"""Bad input gets an error naming the file, the line and the value; exit status 2; nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pytest

from akg.store import build_graph
from akg_cli import main
from loader.errors import LoadError

OBLIGATIONS = "documents/county-notice-2024/obligations/all.yaml"
DOCUMENT = "documents/county-notice-2024/document.yaml"


def _edit(data: Path, name: str, old: str, new: str) -> None:
    path = data / name
    text = path.read_text()
    assert old in text, f"fixture no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1))


def _line_of(data: Path, name: str, needle: str) -> int:
    return next(n for n, line in enumerate((data / name).read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("name", "old", "new", "marker", "expected"),
    [
        ("organizations.yaml", "sector: education", "sector: educaton", "educaton", "unknown sector 'educaton'"),
        (OBLIGATIONS, 'provision: "2.1"', 'provision: "2.9"', 'provision: "2.9"', "unknown provision '2.9'"),
        (OBLIGATIONS, "date: 2024-09-01", "date: 2024-13-01", "date: 2024-13-01", "bad date '2024-13-01'"),
        (OBLIGATIONS, "quote: \"Keep a file", "quote: \"Keep a folder", "Keep a folder",
         "does not occur in provision 2.2"),
        (OBLIGATIONS, "id: 1-2", "id: 1-1  # again", "# again", "duplicate obligation id '1-1'"),
        (OBLIGATIONS, "org: test-county-education, role: lead", "org: county-education, role: lead",
         "org: county-education", "unknown organisation 'county-education'"),
        (OBLIGATIONS, "role: lead}", "role: leader}", "role: leader", "unknown role 'leader'"),
        (OBLIGATIONS, "needs: [education]", "needs: [schooling]", "schooling", "unknown needs value 'schooling'"),
        (OBLIGATIONS, "owner_from: 2.1-1", "owner_from: 2.1-7", "owner_from: 2.1-7", "unknown obligation '2.1-7'"),
        (OBLIGATIONS, "modality: should", "modalty: should", "modalty", "unknown key 'modalty'"),
        (OBLIGATIONS, "wording: \"by September 1, 2024\"", "wording: \"by October 1, 2024\"", "October",
         "deadline wording 'by October 1, 2024' does not occur"),
        (DOCUMENT, "cited: law-on-protection-of-minors", "cited: minors-law", "minors-law",
         "unknown cited or corpus document 'minors-law'"),
        (DOCUMENT, 'printed: "Test County Education Bureau"', 'printed: "Test County Schools Bureau"',
         "Schools Bureau", "signatory 'Test County Schools Bureau' not found"),
    ],
)  # fmt: skip
def test_each_defect_is_reported_with_file_line_and_value(
    fixture_data: Path, name: str, old: str, new: str, marker: str, expected: str
) -> None:
    _edit(fixture_data, name, old, new)
    with pytest.raises(LoadError) as caught:
        build_graph(fixture_data)
    line = _line_of(fixture_data, name, marker)
    messages = [str(p) for p in caught.value.problems]
    assert any(m.startswith(f"{name}:{line}: ") and expected in m for m in messages), messages


def test_yaml_syntax_errors_name_the_line(fixture_data: Path) -> None:
    _edit(fixture_data, OBLIGATIONS, "    modality: must\n", "    modality: [must\n")
    with pytest.raises(LoadError) as caught:
        build_graph(fixture_data)
    assert str(caught.value.problems[0]).startswith(f"{OBLIGATIONS}:")
    assert "invalid YAML" in str(caught.value)


def test_all_problems_are_reported_in_one_run(fixture_data: Path) -> None:
    _edit(fixture_data, OBLIGATIONS, "needs: [education]", "needs: [schooling]")
    _edit(fixture_data, OBLIGATIONS, "role: responsible}", "role: boss}")
    with pytest.raises(LoadError) as caught:
        build_graph(fixture_data)
    assert len(caught.value.problems) == 2


def test_cli_exits_2_and_writes_nothing_on_bad_input(
    fixture_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "graph.ttl"
    out.write_text("previous good output\n")
    _edit(fixture_data, OBLIGATIONS, 'provision: "2.1"', 'provision: "2.9"')
    status = main(["build", "--data", str(fixture_data), "--format", "ttl", "-o", str(out)])
    assert status == 2
    err = capsys.readouterr().err
    assert f"{OBLIGATIONS}:" in err and "unknown provision '2.9'" in err
    assert out.read_text() == "previous good output\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "graph.ttl"]


def test_missing_data_folder_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--data", str(tmp_path / "nowhere"), "-o", str(tmp_path / "g.ttl")]) == 2
    assert "data folder not found" in capsys.readouterr().err


def test_owner_from_cycles_are_reported(fixture_data: Path) -> None:
    # 2.2-1 takes its owner from 2.1-1; make 2.1-1 take its owner from 2.2-1.
    _edit(
        fixture_data,
        OBLIGATIONS,
        "    assignments:\n      - {org: test-county-civil-affairs, role: lead}\n    needs: [guardianship]",
        "    owner_from: 2.2-1\n    needs: [guardianship]",
    )
    with pytest.raises(LoadError) as caught:
        build_graph(fixture_data)
    assert "owner_from forms a cycle" in str(caught.value)


def test_owner_from_and_assignments_exclude_each_other(fixture_data: Path) -> None:
    _edit(
        fixture_data,
        OBLIGATIONS,
        "    owner_from: 2.1-1\n",
        "    owner_from: 2.1-1\n    assignments: [{org: relevant-departments, role: lead}]\n",
    )
    with pytest.raises(LoadError) as caught:
        build_graph(fixture_data)
    line = _line_of(fixture_data, OBLIGATIONS, "owner_from: 2.1-1")
    assert f"{OBLIGATIONS}:{line}: give either assignments or owner_from, not both" in str(caught.value)
