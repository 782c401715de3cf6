"""The akg command: graph formats, deterministic output, validation formats and exit statuses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from junitparser import JUnitXml
from rdflib import Graph
from rdflib.compare import isomorphic

from akg_cli import main
from tests.conftest import FIXTURE_DATA

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT = "documents/county-notice-2024/document.yaml"


def _akg(*args: str, seed: str = "0") -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.run([sys.executable, "-m", "akg_cli", *args], capture_output=True, env=env, cwd=ROOT, check=False)


def test_turtle_output_is_deterministic_across_runs(tmp_path: Path) -> None:
    first, second = tmp_path / "a.ttl", tmp_path / "b.ttl"
    assert _akg("build", "--data", str(FIXTURE_DATA), "-o", str(first), seed="1").returncode == 0
    assert _akg("build", "--data", str(FIXTURE_DATA), "-o", str(second), seed="2").returncode == 0
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("ttl", "turtle"), ("jsonld", "json-ld"), ("nt", "nt")])
def test_every_graph_format_holds_the_same_graph_with_the_ontology(
    tmp_path: Path, fmt: str, rdflib_format: str
) -> None:
    reference = tmp_path / "ref.ttl"
    assert main(["build", "--data", str(FIXTURE_DATA), "-o", str(reference)]) == 0
    out = tmp_path / f"graph.{fmt}"
    assert main(["build", "--data", str(FIXTURE_DATA), "--format", fmt, "-o", str(out)]) == 0
    graph = Graph().parse(out, format=rdflib_format)
    assert isomorphic(graph, Graph().parse(reference, format="turtle"))
    assert any("ontology#Obligation" in str(s) for s in graph.subjects())  # the ontology is included


@pytest.fixture
def conforming_data(fixture_data: Path) -> Path:
    """The fixture with a work goal, so every obligation has a deadline (leaving one vague-owner Warning)."""
    path = fixture_data / DOCUMENT
    goal = '  goal: {provision: preamble, quote: "this notice is issued", date: 2024-12-31}\n'
    path.write_text(path.read_text().replace("deadlines:\n", "deadlines:\n" + goal))
    return fixture_data


def test_validate_exit_status_follows_fail_on(conforming_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(conforming_data)
    assert main(["validate", "--data", data]) == 0
    assert main(["validate", "--data", data, "--fail-on", "warning"]) == 1
    assert main(["validate", "--data", data, "--fail-on", "info"]) == 1
    assert "0 violations" in capsys.readouterr().out


def test_validate_fails_on_a_violation_and_names_its_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--data", str(FIXTURE_DATA), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["conforms"] is False
    (violation,) = [r for r in report["results"] if r["severity"] == "Violation"]
    obligations = (FIXTURE_DATA / "documents/county-notice-2024/obligations/all.yaml").read_text().splitlines()
    assert violation["sourceFile"] == "documents/county-notice-2024/obligations/all.yaml"
    assert obligations[violation["sourceLine"] - 1].strip() == "- id: 1-2"
    assert violation["focusNode"].endswith("/obligation/1-2")


def test_validate_junit_is_readable_by_a_junit_parser(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--data", str(FIXTURE_DATA), "--format", "junit"]) == 1
    path = tmp_path / "report.xml"
    path.write_text(capsys.readouterr().out)
    xml = JUnitXml.fromfile(str(path))
    failures = [case for suite in xml for case in suite if not case.is_passed and not case.is_skipped]
    assert len(failures) == 1


def test_validate_rejects_unknown_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["validate", "--format", "yaml"])
    assert caught.value.code == 2
    assert "invalid choice: 'yaml'" in capsys.readouterr().err


def test_shipped_data_conforms_with_counts() -> None:
    result = _akg("validate", "--format", "json")
    assert result.returncode == 0, result.stderr.decode()
    report = json.loads(result.stdout)
    assert report["conforms"] is True
    assert not [r for r in report["results"] if r["severity"] == "Violation"]
    counts = report["counts"]
    assert counts["documents"] == 7 and counts["obligations"] > 500 and counts["citations"] >= 12
    assert counts["provisions"] > 150 and counts["organizations"] >= 100


def test_every_command_is_known_to_the_fast_start() -> None:
    """main() builds a parser of the named command's options only when the command is in COMMANDS; a command
    missing there would still run, but a new one must be added so that the quick start keeps covering it."""
    from akg_cli import COMMANDS, parser

    choices = parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert set(choices) == COMMANDS
    for command in COMMANDS:  # each command's own parser has it
        assert command in parser(command)._subparsers._group_actions[0].choices  # type: ignore[union-attr]


def test_a_mistyped_command_is_told_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    from akg_cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["validat"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'validat'" in err and "'serve'" in err and "'scorecard'" in err


def test_a_reader_that_stops_early_gets_no_traceback() -> None:
    """`akg validate --format json | head` is common in a shell: akg stops quietly with 141 (128 + SIGPIPE)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "akg_cli", "validate", "--format", "json"],  # the shipped corpus's: about 1 MB
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(10)
    process.stdout.close()  # the reader goes away: the rest does not fit the pipe's buffer
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) in (0, 1, 141)
    assert "Traceback" not in err and "BrokenPipeError" not in err
