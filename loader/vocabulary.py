"""The controlled vocabularies (SKOS schemes) that annotations may use, read from the ontology."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from loader.errors import InputProblem, LoadError
from loader.namespaces import SCHEME, SCHEME_SEGMENTS


@dataclass(frozen=True)
class Vocabulary:
    """Concept IRIs by scheme name and notation, e.g. ``concepts["needs"]["rehabilitation"]``."""

    concepts: dict[str, dict[str, URIRef]]

    def concept(self, scheme: str, notation: str) -> URIRef | None:
        return self.concepts.get(scheme, {}).get(str(notation))

    def notations(self, scheme: str) -> list[str]:
        return sorted(self.concepts.get(scheme, {}))


class _ParsedOntology(Graph):
    """An ontology graph shared by every caller in the process: once parsed, its triples cannot change.

    Set operations (``+``, ``-``) still give new, mutable graphs; ``graph += ontology`` copies from it.
    """

    _frozen = False

    def add(self, triple: Any) -> Graph:  # type: ignore[override]
        self._refuse_change()
        return super().add(triple)

    def addN(self, quads: Any) -> Graph:  # type: ignore[override]
        self._refuse_change()
        return super().addN(quads)

    def remove(self, triple: Any) -> Graph:  # type: ignore[override]
        self._refuse_change()
        return super().remove(triple)

    def _refuse_change(self) -> None:
        if self._frozen:
            raise TypeError(
                "the ontology from read_ontology is shared and read-only: copy it (g += ontology) to change it"
            )


# Parsed ontologies by (folder, sha256 of its files): a build reads the ontology once, not once per caller.
_PARSED: dict[tuple[str, str], _ParsedOntology] = {}
_PARSED_KEPT = 4  # tests read several ontology folders; keep memory bounded


def _content_key(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise LoadError([InputProblem(str(path), None, f"cannot read file: {exc}")]) from exc
        digest.update(f"{path.name}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def read_ontology(ontology_dir: Path) -> Graph:
    """Parse every ``*.ttl`` file of the ontology folder into one graph.

    The graph is parsed once per process while the files' content is unchanged, and shared: it is read-only
    (adding or removing a triple raises ``TypeError``).
    """
    files = sorted(ontology_dir.glob("*.ttl"))
    if not files:
        raise LoadError([InputProblem(str(ontology_dir), None, "no ontology files (*.ttl) found")])
    key = (str(ontology_dir.resolve()), _content_key(files))
    if key in _PARSED:
        return _PARSED[key]
    graph = _ParsedOntology()
    for path in files:
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several parser exception types
            raise LoadError([InputProblem(str(path), None, f"invalid Turtle: {exc}")]) from exc
    graph._frozen = True
    while len(_PARSED) >= _PARSED_KEPT:
        del _PARSED[next(iter(_PARSED))]  # the oldest
    _PARSED[key] = graph
    return graph


def vocabulary_from(ontology: Graph) -> Vocabulary:
    """Collect each scheme's concepts by their ``skos:notation``."""
    concepts: dict[str, dict[str, URIRef]] = {name: {} for name in SCHEME_SEGMENTS}
    for name in SCHEME_SEGMENTS:
        for concept in ontology.subjects(SKOS.inScheme, SCHEME[name]):
            for notation in ontology.objects(concept, SKOS.notation):
                concepts[name][str(notation)] = URIRef(concept)
    return Vocabulary(concepts)
