"""Differential test: the rudof engine (the default) and the pyshacl engine (the reference) report the same findings.

They are compared on the shipped corpus, on the fixture documents and on every planted-defect case of
tests/test_shapes.py and tests/test_progress_shapes.py, by the set of (severity, focus node, path, source shape);
on the corpus and the fixture documents finding for finding (messages, files and lines too). How the shapes
were made to agree is in docs/validation.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rdflib import Graph, Namespace

from akg.validation import DEFAULT_ENGINE, ValidationReport, load_shapes, validate
from tests import test_progress_shapes as progress
from tests.test_shapes import DEADLINE, NEGATIVE_CASES, POSITIVE_CASES, SHAPES_DIR, Case, _case_id, build, replace

Key = tuple[str, str, str | None, str]
AKGSH = Namespace("https://w3id.org/akg/shapes#")


def keys(report: ValidationReport) -> set[Key]:
    return {(f.severity.value, f.focus_node, f.path, f.source_shape) for f in report.results}


def assert_agree(data: Graph, shapes_dir: Path = SHAPES_DIR) -> tuple[ValidationReport, ValidationReport]:
    reference = validate(data, shapes_dir, engine="pyshacl")
    rudof = validate(data, shapes_dir, engine="rudof")
    only_pyshacl = keys(reference) - keys(rudof)
    only_rudof = keys(rudof) - keys(reference)
    assert not only_pyshacl and not only_rudof, {"only pyshacl": only_pyshacl, "only rudof": only_rudof}
    return reference, rudof


@pytest.fixture(scope="module")
def ontology() -> Graph:
    from tests.test_shapes import _ontology_graph

    return _ontology_graph()


@pytest.mark.parametrize("case", NEGATIVE_CASES + POSITIVE_CASES, ids=_case_id)
def test_engines_agree_on_shape_case(ontology: Graph, case: Case) -> None:
    assert_agree(build(ontology, *case.updates))


def test_engines_agree_on_valid_graph(ontology: Graph) -> None:
    reference, rudof = assert_agree(build(ontology))
    assert reference.results == rudof.results == ()


# The progress cases run against the whole shapes folder, as `akg validate` does: their small graph also
# meets the other shapes (an obligation with no text, say), and those findings must agree too.
PROGRESS_CASES = [None, *progress.NEGATIVE, progress.ACCEPTED_WITHOUT_COMMENT]


@pytest.mark.parametrize("case", PROGRESS_CASES, ids=lambda c: f"progress: {c.shape if c else 'valid'}")
def test_engines_agree_on_progress_case(case: progress.Case | None) -> None:
    reference, _rudof = assert_agree(progress._graph(case))
    if case is not None and case is not progress.ACCEPTED_WITHOUT_COMMENT:
        assert str(AKGSH[case.shape]) in {f.source_shape for f in reference.results}


@pytest.mark.parametrize("folder", ["shipped", "fixture"])
def test_engines_agree_finding_for_finding(folder: str) -> None:
    from akg import resources
    from akg.store import open_store
    from tests.conftest import FIXTURE_DATA

    data = open_store(None if folder == "shipped" else FIXTURE_DATA).export()
    reference, rudof = assert_agree(data, resources.shapes_dir())
    # Beyond the key: the same files, lines, context and messages, finding for finding.
    assert reference.results == rudof.results
    assert reference.results  # the corpus has its Warnings and Infos, the fixture its planted Violations


def test_cli_engines_print_the_same_report(capsys: pytest.CaptureFixture[str]) -> None:
    from akg_cli import main
    from tests.conftest import FIXTURE_DATA

    outputs = []
    for engine in ("pyshacl", "rudof"):
        assert main(["validate", "--data", str(FIXTURE_DATA), "--format", "json", "--engine", engine]) == 1
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    assert "Violation" in outputs[0]


def test_an_ill_formed_date_is_one_finding_in_each_engine(ontology: Graph) -> None:
    # pySHACL fails both sh:datatype and sh:pattern of the shape; the user sees the shape's finding once.
    data = build(ontology, replace(DEADLINE, "akg:date", '"2025-02-29"^^xsd:date'))
    for engine in ("pyshacl", "rudof"):
        report = validate(data, SHAPES_DIR, engine=engine)
        found = [f for f in report.results if f.source_shape == str(AKGSH["Deadline-dateIsXsdDate"])]
        assert len(found) == 1, (engine, found)
        assert found[0].message.endswith('(value: "2025-02-29"^^xsd:date)')
        assert len(report.results) == 1, (engine, report.results)


def test_rudof_defers_order_comparisons_to_the_reference(ontology: Graph) -> None:
    # rudof alone reports Deadline-notBeforeDateSigned for an xsd:dateTime deadline (the pair cannot be
    # compared); pySHACL orders the pair by datatype IRI and does not. The reference's answer is taken.
    from akg import rudof_engine

    data = build(ontology, replace(DEADLINE, "akg:date", '"2025-12-31T00:00:00"^^xsd:dateTime'))
    shapes = load_shapes(SHAPES_DIR)
    comparison = AKGSH["Deadline-notBeforeDateSigned"]
    assert not rudof_engine._ordered_alike(data, shapes, comparison)
    assert rudof_engine._ordered_alike(build(ontology), shapes, comparison)
    shown = {f.source_shape for f in validate(data, SHAPES_DIR, engine="rudof").results}
    assert shown == {str(AKGSH["Deadline-dateIsXsdDate"])}


def test_order_comparisons_are_held_by_node_shapes_with_targets() -> None:
    # The deferral replaces a comparison shape's own findings; one nested in sh:node, sh:or or sh:not would
    # surface as the outer shape's finding instead, which the deferral would not reach.
    from akg.rudof_engine import SH, order_comparisons

    shapes = load_shapes(SHAPES_DIR)
    comparisons = order_comparisons(shapes)
    assert len(comparisons) >= 6
    for shape in comparisons:
        holders = set(shapes.subjects(SH.property, shape))
        assert holders and all(shapes.value(h, SH.targetClass) is not None for h in holders), shape
        nesting = (SH.node, SH["not"], SH.qualifiedValueShape, SH.first)
        assert not any((None, predicate, shape) in shapes for predicate in nesting), shape


def test_rudof_reports_an_ill_formed_signing_date_where_pyshacl_fails(ontology: Graph) -> None:
    # rdflib orders an ill-formed date by its lexical form and raises when that puts it after the other date
    # (here the deadline, 2025-12-31), so pySHACL fails on this graph; rudof reports the date. When pySHACL
    # copes, move this into the cases (the ill-formed date before the deadline is one: test_shapes.py).
    data = build(ontology, replace("docs:test-doc", "akg:dateSigned", '"2026-02-30"^^xsd:date'))
    from akg.validation import EngineFailure

    with pytest.raises(EngineFailure, match="--engine rudof"):  # a message for the user, not a traceback
        validate(data, SHAPES_DIR, engine="pyshacl")
    shown = {f.source_shape for f in validate(data, SHAPES_DIR, engine="rudof").results}
    assert str(AKGSH["PolicyDocument-dateSignedIsXsdDate"]) in shown


def test_unknown_engine_is_refused(ontology: Graph) -> None:
    with pytest.raises(ValueError, match="unknown validation engine"):
        validate(build(ontology), SHAPES_DIR, engine="jena")


def test_rudof_is_the_default_and_refuses_inference(ontology: Graph) -> None:
    assert DEFAULT_ENGINE == "rudof"
    with pytest.raises(ValueError, match="no inference"):
        validate(build(ontology), SHAPES_DIR, inference="rdfs")


def test_without_pyrudof_validate_names_the_reference_engine(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from akg_cli import main
    from tests.conftest import FIXTURE_DATA

    monkeypatch.setitem(sys.modules, "pyrudof", None)  # import pyrudof now raises ImportError
    monkeypatch.delitem(sys.modules, "akg.rudof_engine", raising=False)
    # --no-cache: a cached report of an earlier rudof run needs no engine at all (and is not a fall-back).
    assert main(["validate", "--data", str(FIXTURE_DATA), "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert "pyrudof" in err and "--engine pyshacl" in err
    assert "Traceback" not in err
    # No silent fall-back: the reference engine runs only when asked for.
    assert main(["validate", "--data", str(FIXTURE_DATA), "--engine", "pyshacl"]) == 1
