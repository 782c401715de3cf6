"""The ontology defines every term the graph uses, bilingually, and keeps the stable identifiers."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from akg import resources
from akg.store import OxigraphStore
from loader.namespaces import AKG, concept_iri
from loader.vocabulary import read_ontology, vocabulary_from

STABLE = {
    "sectors": """civil-affairs establishment-office development-reform education public-security finance
        human-resources-social-security natural-resources housing-urban-rural health emergency-management
        market-supervision medical-security fire-rescue conscription-office disabled-persons-federation""",
    "levels": "province city county township village",
    "needs": """upbringing household-registration education medical-care medical-insurance rehabilitation
        psychological-support family-placement social-work employment housing military-service
        social-assistance safety guardianship survival development protection participation""",
    "capacities": """staffing funding planning-and-land construction-projects workforce-training
        professional-titles supervision publicity""",
    "groups": """orphans abandoned-infants children-with-disabilities rural-left-behind-children
        children-in-difficulty unattended-children minors-lacking-guardianship""",
    "roles": "lead responsible supporting consulted informed",
    "modalities": "must should encouraged may",
}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return read_ontology(resources.ontology_dir())


def _langs(graph: Graph, subject: URIRef, predicate: URIRef) -> set[str | None]:
    return {o.language for o in graph.objects(subject, predicate) if isinstance(o, Literal)}


@pytest.mark.parametrize("scheme", sorted(STABLE))
def test_stable_identifiers_exist(ontology: Graph, scheme: str) -> None:
    vocab = vocabulary_from(ontology)
    for notation in STABLE[scheme].split():
        assert vocab.concept(scheme, notation) == concept_iri(scheme, notation), (scheme, notation)


def test_the_four_rights_are_the_top_concepts_of_child_needs(ontology: Graph) -> None:
    tops = set(ontology.objects(URIRef("https://w3id.org/akg/id/scheme/needs"), SKOS.hasTopConcept))
    assert tops == {concept_iri("needs", n) for n in ("survival", "development", "protection", "participation")}
    assert (concept_iri("needs", "safety"), SKOS.broader, concept_iri("needs", "protection")) in ontology


def test_every_term_the_graph_uses_is_defined_in_english_and_chinese(
    ontology: Graph, shipped_store: OxigraphStore
) -> None:
    used = shipped_store.select(
        f"SELECT DISTINCT ?t WHERE {{ {{ ?s ?t ?o }} UNION {{ ?s a ?t }} FILTER(STRSTARTS(STR(?t), '{AKG}')) }}"
    )
    terms = {URIRef(row["t"]) for row in used}
    assert len(terms) > 40
    for term in sorted(terms):
        assert _langs(ontology, term, RDFS.label) >= {"en", "zh"}, term
        assert (term, RDFS.comment, None) in ontology, term
        assert set(ontology.objects(term, RDF.type)) & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}, term


def test_every_concept_has_bilingual_labels_and_a_definition(ontology: Graph) -> None:
    concepts = set(ontology.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) > 60
    for concept in concepts:
        assert _langs(ontology, concept, SKOS.prefLabel) >= {"en", "zh"}, concept
        assert _langs(ontology, concept, SKOS.definition) >= {"en"}, concept


def test_alignment_names_vocabularies_without_importing_them(ontology: Graph) -> None:
    assert not list(ontology.objects(None, OWL.imports))
    assert (AKG.Organization, RDFS.subClassOf, URIRef("http://www.w3.org/ns/org#Organization")) in ontology
    assert (AKG.Obligation, RDFS.subClassOf, URIRef("http://www.w3.org/ns/odrl/2/Duty")) in ontology
