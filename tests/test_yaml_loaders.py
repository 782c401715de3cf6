"""The loader reads YAML with libyaml when PyYAML has it, and the ontology once per process, with no change to
what it builds or to the errors it reports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from akg import resources
from akg.store import build_graph
from loader import vocabulary, yamlsource
from loader.build import load_data_folder
from loader.errors import LoadError

needs_libyaml = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML was built without libyaml")
OBLIGATIONS = "documents/county-notice-2024/obligations/all.yaml"
AKG_SOURCE_LINE = URIRef("https://w3id.org/akg/ontology#sourceLine")


def _load_with(monkeypatch: pytest.MonkeyPatch, loader_class: type, data: Path) -> Graph:
    monkeypatch.setattr(yamlsource, "YAML_LOADER", loader_class)
    return load_data_folder(data, resources.ontology_dir())


def _errors_with(monkeypatch: pytest.MonkeyPatch, loader_class: type, data: Path) -> list[str]:
    monkeypatch.setattr(yamlsource, "YAML_LOADER", loader_class)
    with pytest.raises(LoadError) as caught:
        load_data_folder(data, resources.ontology_dir())
    return [str(problem) for problem in caught.value.problems]


def test_libyaml_is_the_default_when_pyyaml_has_it() -> None:
    expected = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
    assert yamlsource.YAML_LOADER is expected


@needs_libyaml
def test_both_yaml_loaders_build_the_same_graph_of_the_shipped_data(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _load_with(monkeypatch, yaml.CSafeLoader, resources.data_dir())
    pure = _load_with(monkeypatch, yaml.SafeLoader, resources.data_dir())
    lines = sorted((str(s), int(o)) for s, o in fast.subject_objects(AKG_SOURCE_LINE))
    assert len(lines) > 1000  # every entry records its line
    assert lines == sorted((str(s), int(o)) for s, o in pure.subject_objects(AKG_SOURCE_LINE))
    assert isomorphic(fast, pure)


@needs_libyaml
@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("obligations:", "obligations: nested: mapping", 1, "invalid YAML: mapping values are not allowed here"),
        ('provision: "1"', 'provision: "1', 5, "invalid YAML: expected <block end>, but found '<scalar>'"),
        ("  - id: 1-1", "  - id: [1-1", 4, "invalid YAML: expected ',' or ']', but got ':'"),
        ("  - id: 1-1", "\tbad: tab", 3, "invalid YAML: found character '\\t' that cannot start any token"),
        ('provision: "1"', 'provision: "1"\n    provision: "2"', 5, "duplicate key 'provision'"),
    ],
)  # fmt: skip
def test_both_yaml_loaders_report_the_same_errors(
    monkeypatch: pytest.MonkeyPatch, fixture_data: Path, old: str, new: str, line: int, message: str
) -> None:
    path = fixture_data / OBLIGATIONS
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    fast = _errors_with(monkeypatch, yaml.CSafeLoader, fixture_data)
    pure = _errors_with(monkeypatch, yaml.SafeLoader, fixture_data)
    assert fast == pure
    assert f"{OBLIGATIONS}:{line}: {message}" in fast


def test_the_ontology_is_parsed_once_per_build(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ontology = tmp_path / "ontology"
    shutil.copytree(resources.ontology_dir(), ontology)  # a folder no earlier test has read
    parsed: list[Path] = []
    original = Graph.parse

    def counting_parse(graph: Graph, source: object = None, **kwargs: object) -> Graph:
        if isinstance(source, Path) and source.parent == ontology:
            parsed.append(source)
        return original(graph, source, **kwargs)

    monkeypatch.setattr(Graph, "parse", counting_parse)
    monkeypatch.setenv("AKG_CACHE_DIR", "off")
    graph = build_graph(resources.data_dir(), ontology)  # reads it for the vocabularies, then adds its triples
    build_graph(resources.data_dir(), ontology)
    assert sorted(parsed) == sorted(ontology.glob("*.ttl"))
    assert len(graph) > len(vocabulary.read_ontology(ontology))


def test_the_shared_ontology_cannot_be_changed_and_follows_its_files(tmp_path: Path) -> None:
    ontology = tmp_path / "ontology"
    shutil.copytree(resources.ontology_dir(), ontology)
    shared = vocabulary.read_ontology(ontology)
    assert vocabulary.read_ontology(ontology) is shared
    triple = (URIRef("urn:x:s"), URIRef("urn:x:p"), URIRef("urn:x:o"))
    with pytest.raises(TypeError, match="read-only"):
        shared.add(triple)
    copy = Graph()
    copy += shared
    copy.add(triple)  # a copy is the caller's own
    assert triple not in shared

    extra = ontology / "extra.ttl"
    extra.write_text("<urn:x:s> <urn:x:p> <urn:x:o> .\n", encoding="utf-8")
    changed = vocabulary.read_ontology(ontology)
    assert triple in changed and len(changed) == len(shared) + 1
