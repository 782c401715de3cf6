"""Sharded validation: the findings of all shards together are exactly a one-process run's, on the shipped corpus,
on a SYNTHETIC corpus with jurisdictions, with either engine, in processes or as CI jobs (``--shard K/N``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph

from akg import resources
from akg.store import _graph_from_ntriples, corpus_ntriples
from akg.validation import load_shapes, validate
from akg.validation_shards import ShardingRefused, reach_of, unit_of, validate_sharded
from akg_cli import main

SHAPES = resources.shapes_dir()


def _one_process(ntriples: bytes) -> set[object]:
    return set(validate(_graph_from_ntriples(ntriples), SHAPES).results)


def test_the_shipped_corpus_sharded_gives_the_one_process_findings() -> None:
    ntriples = corpus_ntriples()
    whole = _one_process(ntriples)
    sharded = validate_sharded(ntriples, SHAPES, shards=3)
    assert len(whole) > 1000
    assert set(sharded.results) == whole
    assert len(sharded.results) == len(whole)  # no finding twice: every focus node has one shard


def test_a_synthetic_corpus_with_jurisdictions_sharded_gives_the_one_process_findings(tmp_path: Path) -> None:
    assert main(["synth", "--out", str(tmp_path / "data"), "--provinces", "1"]) == 0
    ntriples = corpus_ntriples(tmp_path / "data")
    assert b"/id/jurisdiction/" in ntriples
    # A planted defect whose check reads another shard: an organisation's jurisdiction is no longer a
    # Jurisdiction (sh:class of JurisdictionBody-inOneJurisdiction), and the organisation sits in the province's
    # shard while its assignments sit in documents' shards.
    jurisdiction_type = (
        b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/akg/ontology#Jurisdiction>"
    )
    lines = ntriples.splitlines(keepends=True)
    dropped = next(i for i, line in enumerate(lines) if jurisdiction_type in line and b"/jurisdiction/4201" in line)
    ntriples = b"".join(lines[:dropped] + lines[dropped + 1 :])
    whole = _one_process(ntriples)
    assert any("Jurisdiction" in f.source_shape for f in whole)  # type: ignore[attr-defined]
    assert set(validate_sharded(ntriples, SHAPES, shards=5).results) == whole


@pytest.mark.parametrize("engine", ["rudof", "pyshacl"])
def test_jobs_and_ci_shards_print_what_one_process_prints(
    fixture_data: Path, engine: str, capsys: pytest.CaptureFixture[str]
) -> None:
    def run(*options: str) -> dict[str, object]:
        main(["validate", "--data", str(fixture_data), "--format", "json", "--engine", engine, "--no-cache", *options])
        return json.loads(capsys.readouterr().out)

    whole = run()
    assert run("--jobs", "2") == whole
    parts = [run("--shard", f"{k}/3") for k in (1, 2, 3)]
    merged = sorted(json.dumps(r, sort_keys=True) for part in parts for r in part["results"])  # type: ignore[attr-defined]
    assert merged == sorted(json.dumps(r, sort_keys=True) for r in whole["results"])  # type: ignore[attr-defined]
    assert all(part["counts"] == whole["counts"] for part in parts)


def test_the_plan_names_every_unit_once(fixture_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--data", str(fixture_data), "--plan", "--shard", "1/2"]) == 0
    shown = json.loads(capsys.readouterr().out)
    units = [u for shard in shown["shards"] for u in shard["units"]]
    assert len(units) == len(set(units)) and "doc county-notice-2024" in units and "shared" in units
    assert [s["shard"] for s in shown["shards"]] == ["1/2", "2/2"]
    assert shown["depth"] >= 4


def test_nodes_belong_to_their_document_or_province() -> None:
    assert unit_of(b"<https://w3id.org/akg/id/doc/minfa-2019-62/obligation/3-1>") == "doc minfa-2019-62"
    assert unit_of(b"<https://w3id.org/akg/id/org/civil-affairs@420100>") == "place 42"
    assert unit_of(b"<https://w3id.org/akg/id/jurisdiction/421122>") == "place 42"
    assert unit_of(b"<https://w3id.org/akg/ontology#Obligation>") == "shared"


def test_a_path_of_unbounded_length_refuses_sharding() -> None:
    shapes = load_shapes(SHAPES)
    assert reach_of(shapes).depth >= 4
    extra = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:s> a sh:NodeShape ; sh:targetClass <urn:C> ;
            sh:property [ sh:path [ sh:zeroOrMorePath <urn:p> ] ; sh:minCount 1 ] .""",
        format="turtle",
    )
    with pytest.raises(ShardingRefused, match="unbounded"):
        reach_of(shapes + extra)


def test_a_shard_out_of_range_is_an_input_error(fixture_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["validate", "--data", str(fixture_data), "--shard", "3/2"])
    assert "1 <= K <= N" in capsys.readouterr().err
