"""The IRIs of akg (see docs/model.md). Identifiers built here are a public contract."""

from __future__ import annotations

from urllib.parse import quote

from rdflib import Namespace, URIRef

AKG = Namespace("https://w3id.org/akg/ontology#")
ID = "https://w3id.org/akg/id/"
SCHEME = Namespace(ID + "scheme/")

# Concept scheme name -> the path segment of its concepts' IRIs.
SCHEME_SEGMENTS: dict[str, str] = {
    "sectors": "sector",
    "levels": "level",
    "needs": "need",
    "capacities": "capacity",
    "groups": "group",
    "roles": "role",
    "modalities": "modality",
    "bases": "basis",
    "deadline-kinds": "deadline-kind",
    "time-units": "time-unit",
    "periods": "period",
}

PREFIXES: dict[str, str] = {
    "akg": str(AKG),
    "akgsch": str(SCHEME),
    **{segment: f"{ID}{segment}/" for segment in SCHEME_SEGMENTS.values()},
    "akgorg": ID + "org/",
    "akgdoc": ID + "doc/",
}


def _safe(segment: str) -> str:
    return quote(segment, safe="-._~")


def concept_iri(scheme: str, notation: str) -> URIRef:
    """IRI of concept ``notation`` in ``scheme`` (a key of SCHEME_SEGMENTS)."""
    return URIRef(f"{ID}{SCHEME_SEGMENTS[scheme]}/{_safe(notation)}")


def organization_iri(org_id: str) -> URIRef:
    return URIRef(f"{ID}org/{_safe(org_id)}")


def document_iri(doc_id: str) -> URIRef:
    return URIRef(f"{ID}doc/{_safe(doc_id)}")


def provision_iri(doc_id: str, number: str) -> URIRef:
    return URIRef(f"{document_iri(doc_id)}/provision/{_safe(number)}")


def obligation_iri(doc_id: str, obligation_id: str) -> URIRef:
    return URIRef(f"{document_iri(doc_id)}/obligation/{_safe(obligation_id)}")


def citation_iri(doc_id: str, n: int) -> URIRef:
    return URIRef(f"{document_iri(doc_id)}/citation/{n}")
