"""The controlled vocabularies (SKOS schemes) that annotations may use, read from the ontology."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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


def read_ontology(ontology_dir: Path) -> Graph:
    """Parse every ``*.ttl`` file of the ontology folder into one graph."""
    graph = Graph()
    files = sorted(ontology_dir.glob("*.ttl"))
    if not files:
        raise LoadError([InputProblem(str(ontology_dir), None, "no ontology files (*.ttl) found")])
    for path in files:
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several parser exception types
            raise LoadError([InputProblem(str(path), None, f"invalid Turtle: {exc}")]) from exc
    return graph


def vocabulary_from(ontology: Graph) -> Vocabulary:
    """Collect each scheme's concepts by their ``skos:notation``."""
    concepts: dict[str, dict[str, URIRef]] = {name: {} for name in SCHEME_SEGMENTS}
    for name in SCHEME_SEGMENTS:
        for concept in ontology.subjects(SKOS.inScheme, SCHEME[name]):
            for notation in ontology.objects(concept, SKOS.notation):
                concepts[name][str(notation)] = URIRef(concept)
    return Vocabulary(concepts)
