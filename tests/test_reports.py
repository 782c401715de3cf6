"""Tests of akg.reports: every format parses with its own tool and says the same thing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from junitparser import Attr, Failure, IntAttr, JUnitXml, TestCase, TestSuite
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from akg.reports import FORMATS, render, shape_name, summary_line
from akg.validation import Finding, Severity, ValidationReport, validate

ROOT = Path(__file__).resolve().parents[1]
SARIF_SUBSET_SCHEMA = Path(__file__).resolve().parent / "fixtures" / "sarif-2.1.0-subset.json"

SH = Namespace("http://www.w3.org/ns/shacl#")
AKG = Namespace("https://w3id.org/akg/ontology#")
AKGSH = "https://w3id.org/akg/shapes#"
DOC = "https://w3id.org/akg/id/doc/hubei-2022-child-welfare"
FILE = "documents/hubei-2022-child-welfare/obligations/2-institutions.yaml"

COUNTS = {"obligations": 2, "assignments": 3, "deadlines": 2}

FINDINGS = (
    Finding(
        Severity.VIOLATION,
        "The obligation has no owner: it needs at least one akg:hasAssignment.",
        f"{DOC}/obligation/2.1.1-1",
        "https://w3id.org/akg/ontology#hasAssignment",
        AKGSH + "Obligation-hasOwner",
        FILE,
        12,
    ),
    Finding(
        Severity.VIOLATION,
        "The provision's akg:startOffset is after its akg:endOffset.",
        f"{DOC}/provision/2.1",
        "https://w3id.org/akg/ontology#startOffset",
        AKGSH + "Provision-startNotAfterEnd",
        None,
        None,
    ),
    Finding(
        Severity.WARNING,
        "The obligation is assigned to the vague owner https://w3id.org/akg/id/org/relevant-departments.",
        f"{DOC}/obligation/2.1.2-1",
        "https://w3id.org/akg/ontology#hasAssignment",
        AKGSH + "Obligation-ownerIsDefinite",
        FILE,
        30,
    ),
    Finding(
        Severity.INFO,
        'The deadline is not stated with the duty; it is inherited <from> the document\'s goal & "plan".',
        f"{DOC}/obligation/2.1.2-1/deadline",
        "<https://w3id.org/akg/ontology#date>|<https://w3id.org/akg/ontology#instanceDate>",
        AKGSH + "Deadline-isExplicit",
        FILE,
        30,
    ),
    Finding(
        Severity.INFO,
        "The obligation names no actor; its owner is inherited from the enclosing context.",
        f"{DOC}/obligation/2.1.2-2",
        None,
        AKGSH + "Obligation-ownerIsStated",
        FILE,
        None,
    ),
)
REPORT = ValidationReport(tuple(sorted(FINDINGS, key=Finding.sort_key)))
CLEAN = ValidationReport(())
WARNINGS_ONLY = ValidationReport(tuple(f for f in REPORT.results if f.severity is not Severity.VIOLATION))


class AkgTestCase(TestCase):
    """A JUnit test case with the file and line attributes akg writes."""

    file = Attr()
    line = IntAttr()


def parse_junit(text: str) -> list[TestSuite]:
    # An XML declaration naming an encoding needs bytes, not str.
    xml = JUnitXml.fromstring(text.encode("utf-8"))
    return list(xml)


def test_formats_are_the_five_documented() -> None:
    assert FORMATS == ("text", "json", "turtle", "junit", "sarif")


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown report format"):
        render(REPORT, COUNTS, "html")


@pytest.mark.parametrize("fmt", ["text", "json", "turtle", "junit", "sarif"])
def test_output_is_deterministic(fmt: str) -> None:
    shuffled = ValidationReport(tuple(sorted(REPORT.results, key=Finding.sort_key)))
    assert render(REPORT, COUNTS, fmt) == render(shuffled, dict(COUNTS), fmt)


@pytest.mark.parametrize("fmt", ["text", "json", "turtle", "junit", "sarif"])
def test_an_empty_report_renders(fmt: str) -> None:
    assert render(CLEAN, {}, fmt)


# -- text ---------------------------------------------------------------------


def test_text_lists_counts_then_groups_then_summary() -> None:
    text = render(REPORT, COUNTS, "text")
    lines = text.splitlines()
    assert lines[0] == "Graph counts:"
    assert any(line.split() == ["obligations", "2"] for line in lines[1:4])
    headers = [line for line in lines if line.endswith("):") and not line.startswith(" ")]
    assert headers == ["Violations (2):", "Warnings (1):", "Infos (2):"]
    assert f"  {FILE}:12: The obligation has no owner" in text
    assert f"  {DOC}/provision/2.1: The provision's" in text  # no file: the focus node locates it
    assert f"  {FILE}: The obligation names no actor" in text  # a file without a line
    assert lines[-1] == "2 violations, 1 warning, 2 infos"


def test_text_skips_empty_groups() -> None:
    text = render(WARNINGS_ONLY, COUNTS, "text")
    assert "Violations" not in text
    assert text.splitlines()[-1] == "0 violations, 1 warning, 2 infos"


def test_summary_line() -> None:
    assert summary_line(CLEAN) == "0 violations, 0 warnings, 0 infos"
    assert summary_line(REPORT) == "2 violations, 1 warning, 2 infos"


# -- json ---------------------------------------------------------------------


def test_json_has_exactly_the_documented_keys() -> None:
    document = json.loads(render(REPORT, COUNTS, "json"))
    assert set(document) == {"conforms", "counts", "results"}
    assert document["conforms"] is False
    assert document["counts"] == COUNTS
    assert len(document["results"]) == len(REPORT.results)
    keys = {"severity", "message", "focusNode", "path", "sourceShape", "sourceFile", "sourceLine"}
    keys |= {"document", "clause", "sentence"}  # the obligation a finding concerns, where it concerns one
    assert all(set(result) == keys for result in document["results"])
    first = document["results"][0]
    assert first == {
        "severity": "Violation",
        "message": "The obligation has no owner: it needs at least one akg:hasAssignment.",
        "focusNode": f"{DOC}/obligation/2.1.1-1",
        "path": "https://w3id.org/akg/ontology#hasAssignment",
        "sourceShape": AKGSH + "Obligation-hasOwner",
        "sourceFile": FILE,
        "sourceLine": 12,
        "document": None,
        "clause": None,
        "sentence": None,
    }
    assert [r["severity"] for r in document["results"]] == ["Violation", "Violation", "Warning", "Info", "Info"]


def test_json_conforms_without_violations() -> None:
    assert json.loads(render(WARNINGS_ONLY, COUNTS, "json"))["conforms"] is True
    assert json.loads(render(CLEAN, {}, "json")) == {"conforms": True, "counts": {}, "results": []}


# -- turtle -------------------------------------------------------------------


def test_turtle_is_a_shacl_validation_report() -> None:
    graph = Graph().parse(data=render(REPORT, COUNTS, "turtle"), format="turtle")
    (report,) = graph.subjects(RDF.type, SH.ValidationReport)
    assert graph.value(report, SH.conforms) == Literal(False)
    results = set(graph.objects(report, SH.result))
    assert results == set(graph.subjects(RDF.type, SH.ValidationResult))
    assert len(results) == len(REPORT.results)
    severities = sorted(str(graph.value(r, SH.resultSeverity)).rsplit("#", 1)[1] for r in results)
    assert severities == ["Info", "Info", "Violation", "Violation", "Warning"]
    (owner,) = graph.subjects(SH.sourceShape, URIRef(AKGSH + "Obligation-hasOwner"))
    assert graph.value(owner, SH.focusNode) == URIRef(f"{DOC}/obligation/2.1.1-1")
    assert graph.value(owner, SH.resultPath) == AKG.hasAssignment
    assert graph.value(owner, AKG.sourceFile) == Literal(FILE)
    assert graph.value(owner, AKG.sourceLine).toPython() == 12
    assert str(graph.value(owner, SH.resultMessage)).startswith("The obligation has no owner")
    (inherited,) = graph.subjects(SH.sourceShape, URIRef(AKGSH + "Deadline-isExplicit"))
    assert graph.value(inherited, SH.resultPath) is None  # a complex path is not an IRI


def test_turtle_is_stable_across_processes() -> None:
    # Hash randomisation changes set and dict iteration order between processes.
    script = (
        "import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]\n"
        "from test_reports import REPORT, COUNTS\n"
        "from akg.reports import render\n"
        "sys.stdout.write(render(REPORT, COUNTS, 'turtle'))\n"
    )
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", script, str(ROOT), str(Path(__file__).parent)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        outputs.add(done.stdout)
    assert outputs == {render(REPORT, COUNTS, "turtle")}


def test_turtle_of_a_clean_report_conforms() -> None:
    graph = Graph().parse(data=render(CLEAN, {}, "turtle"), format="turtle")
    (report,) = graph.subjects(RDF.type, SH.ValidationReport)
    assert graph.value(report, SH.conforms) == Literal(True)
    assert list(graph.objects(report, SH.result)) == []


# -- junit --------------------------------------------------------------------


def test_junit_has_one_suite_per_severity() -> None:
    suites = parse_junit(render(REPORT, COUNTS, "junit"))
    assert [s.name for s in suites] == ["akg.shapes.Violation", "akg.shapes.Warning", "akg.shapes.Info"]
    assert [s.tests for s in suites] == [2, 1, 2]
    assert [s.failures for s in suites] == [2, 0, 0]


def test_junit_violations_fail_and_others_pass() -> None:
    suites = parse_junit(render(REPORT, COUNTS, "junit"))
    violations, warnings, infos = suites
    for case in violations:
        (failure,) = case.result
        assert isinstance(failure, Failure)
        assert failure.type == "Violation"
        assert failure.message
    for case in [*warnings, *infos]:
        assert case.is_passed
        assert case.system_out.split(":", 1)[0] in {"Warning", "Info"}


def test_junit_cases_carry_file_and_line() -> None:
    (violations, warnings, _infos) = parse_junit(render(REPORT, COUNTS, "junit"))
    cases = [AkgTestCase.fromelem(case) for case in violations]
    owner = next(c for c in cases if c.classname == "akg.shapes.Obligation-hasOwner")
    assert (owner.file, owner.line) == (FILE, 12)
    assert owner.name == f"Obligation-hasOwner {DOC}/obligation/2.1.1-1"
    provision = next(c for c in cases if c.classname == "akg.shapes.Provision-startNotAfterEnd")
    assert (provision.file, provision.line) == (None, None)
    (vague,) = [AkgTestCase.fromelem(case) for case in warnings]
    assert (vague.file, vague.line) == (FILE, 30)


def test_junit_properties_hold_the_counts() -> None:
    suites = parse_junit(render(REPORT, COUNTS, "junit"))
    properties = {p.name: p.value for p in suites[0].properties()}
    assert properties == {"count.obligations": "2", "count.assignments": "3", "count.deadlines": "2"}


def test_junit_of_a_clean_report_has_no_failures() -> None:
    suites = parse_junit(render(CLEAN, {}, "junit"))
    assert [s.tests for s in suites] == [0, 0, 0]
    assert all(s.failures == 0 for s in suites)


# -- sarif --------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, object]:
    return json.loads(SARIF_SUBSET_SCHEMA.read_text(encoding="utf-8"))


@pytest.mark.parametrize("report", [REPORT, WARNINGS_ONLY, CLEAN], ids=["mixed", "warnings", "clean"])
def test_sarif_is_valid_against_the_subset_schema(sarif_schema: dict[str, object], report: ValidationReport) -> None:
    document = json.loads(render(report, COUNTS, "sarif"))
    jsonschema.validate(document, sarif_schema, format_checker=jsonschema.FormatChecker())


def test_sarif_content() -> None:
    document = json.loads(render(REPORT, COUNTS, "sarif"))
    assert document["version"] == "2.1.0"
    assert isinstance(document["$schema"], str)
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "akg"
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert sorted(rule_ids) == sorted({shape_name(f.source_shape) for f in REPORT.results})
    results = run["results"]
    assert [r["level"] for r in results] == ["error", "error", "warning", "note", "note"]
    for result in results:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["message"]["text"]
    first = results[0]
    assert first["ruleId"] == "Obligation-hasOwner"
    physical = first["locations"][0]["physicalLocation"]
    assert physical == {"artifactLocation": {"uri": FILE}, "region": {"startLine": 12}}
    assert first["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == f"{DOC}/obligation/2.1.1-1"
    no_file = next(r for r in results if r["ruleId"] == "Provision-startNotAfterEnd")
    assert "physicalLocation" not in no_file["locations"][0]
    no_line = next(r for r in results if r["ruleId"] == "Obligation-ownerIsStated")
    assert "region" not in no_line["locations"][0]["physicalLocation"]


# -- from a real validation run -------------------------------------------------

TINY_GRAPH = """
@prefix akg: <https://w3id.org/akg/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/akg/id/doc/t/obligation/1> a akg:Obligation ;
    akg:text "Departments should cooperate." ;
    akg:sourceFile "documents/t/obligations/1.yaml" ;
    akg:sourceLine 7 .
"""


def test_every_format_renders_a_real_report() -> None:
    report = validate(Graph().parse(data=TINY_GRAPH, format="turtle"), ROOT / "shapes")
    shapes = {shape_name(f.source_shape) for f in report.results}
    assert {"Obligation-hasOwner", "Obligation-hasDeadline", "Obligation-hasProvision"} <= shapes
    assert all((f.source_file, f.source_line) == ("documents/t/obligations/1.yaml", 7) for f in report.results)
    document = json.loads(render(report, {"obligations": 1}, "json"))
    assert document["conforms"] is False
    assert "documents/t/obligations/1.yaml:7: " in render(report, {}, "text")
    graph = Graph().parse(data=render(report, {}, "turtle"), format="turtle")
    assert len(set(graph.subjects(RDF.type, SH.ValidationResult))) == len(report.results)
    (violations, _, _) = parse_junit(render(report, {}, "junit"))
    assert violations.failures == len(report.results)
