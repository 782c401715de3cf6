"""The national bench's floor is honest: the shapes compiled to plain SPARQL find exactly what the engine finds."""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from akg import resources
from akg.store import corpus_ntriples
from akg.validation import load_shapes, validate

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.sparql_floor import check_same, compile_shapes, engine_findings, floor_findings


def _floor(ntriples: bytes) -> set[tuple[str, str, str]]:
    store = ox.Store()
    store.load(ntriples, format=ox.RdfFormat.N_TRIPLES)
    return floor_findings(store, compile_shapes(load_shapes(resources.shapes_dir())))


def _engine(ntriples: bytes) -> set[tuple[str, str, str]]:
    graph = Graph()
    graph.parse(data=ntriples, format="nt")
    return engine_findings(validate(graph, resources.shapes_dir()))


def test_the_floor_finds_the_engines_findings_on_the_shipped_corpus() -> None:
    ntriples = corpus_ntriples()
    floor = _floor(ntriples)
    assert len(floor) > 1000  # the shipped corpus's Warnings and Infos
    check_same(floor, _engine(ntriples))


def test_the_floor_finds_planted_violations_as_the_engine_does() -> None:
    """An obligation without its owner, and a deadline moved before its document was signed."""
    lines = corpus_ntriples().decode().splitlines()
    owner = next(line for line in lines if "#hasAssignment>" in line and "hubei-2022" in line)
    subject = owner.split(" ", 1)[0]
    kept = [line for line in lines if not (line.startswith(subject + " ") and "#hasAssignment>" in line)]
    dated = next(i for i, line in enumerate(kept) if "ontology#date> " in line and "hubei-2022" in line)
    kept[dated] = (
        kept[dated].rsplit('"', 1)[0].rsplit('"', 1)[0] + '"1990-01-01"^^<http://www.w3.org/2001/XMLSchema#date> .'
    )
    ntriples = ("\n".join(kept) + "\n").encode()
    floor = _floor(ntriples)
    violations = {f for f in floor if f[0] == "Violation"}
    assert any(f[2].endswith("Obligation-hasOwner") and f[1] == subject.strip("<>") for f in violations)
    assert any(f[2].endswith("Deadline-notBeforeDateSigned") for f in violations)
    check_same(floor, _engine(ntriples))


def test_a_shape_the_floor_cannot_compile_is_refused() -> None:
    shapes = load_shapes(resources.shapes_dir())
    shapes.parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:P .
        ex:P sh:path ex:p ; sh:closed true .""",
        format="turtle",
    )
    with pytest.raises(ValueError, match="does not compile"):
        compile_shapes(shapes)
