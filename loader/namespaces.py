"""The IRIs of akg (see docs/model.md). Identifiers built here are a public contract."""

from __future__ import annotations

from urllib.parse import quote, unquote

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
    "report-statuses": "report-status",
    "review-decisions": "review-decision",
    "audit-actions": "audit-action",
}

PREFIXES: dict[str, str] = {
    "akg": str(AKG),
    "akgsch": str(SCHEME),
    **{segment: f"{ID}{segment}/" for segment in SCHEME_SEGMENTS.values()},
    "akgorg": ID + "org/",
    "akgdoc": ID + "doc/",
    "akgjur": ID + "jurisdiction/",
}

# Named graphs of the progress records (issue 8): private, never part of the served graph.
REPORTS_GRAPH = URIRef(ID + "graph/reports")
AUDIT_GRAPH = URIRef(ID + "graph/audit")


def _safe(segment: str) -> str:
    return quote(segment, safe="-._~@")  # "@" is a pchar (RFC 3986): civil-affairs@420100


def concept_iri(scheme: str, notation: str) -> URIRef:
    """IRI of concept ``notation`` in ``scheme`` (a key of SCHEME_SEGMENTS)."""
    return URIRef(f"{ID}{SCHEME_SEGMENTS[scheme]}/{_safe(notation)}")


def organization_iri(org_id: str) -> URIRef:
    return URIRef(f"{ID}org/{_safe(org_id)}")


def organization_id(iri: str) -> str:
    """The registry id of the organisation ``iri``: the inverse of :func:`organization_iri`."""
    return unquote(iri.removeprefix(f"{ID}org/"))


def document_iri(doc_id: str) -> URIRef:
    return URIRef(f"{ID}doc/{_safe(doc_id)}")


def provision_iri(doc_id: str, number: str) -> URIRef:
    return URIRef(f"{document_iri(doc_id)}/provision/{_safe(number)}")


def obligation_iri(doc_id: str, obligation_id: str) -> URIRef:
    return URIRef(f"{document_iri(doc_id)}/obligation/{_safe(obligation_id)}")


def citation_iri(doc_id: str, n: int) -> URIRef:
    return URIRef(f"{document_iri(doc_id)}/citation/{n}")


def jurisdiction_iri(code: str) -> URIRef:
    """IRI of the administrative division with six-digit code ``code`` (e.g. "420100", Wuhan)."""
    return URIRef(f"{ID}jurisdiction/{_safe(code)}")


def counterpart_id(sector: str, code: str) -> str:
    """Organisation id of a jurisdiction's body of a sector: ``<sector>@<code>``, e.g. civil-affairs@420100."""
    return f"{sector}@{code}"


def duty_instance_iri(doc_id: str, obligation_id: str, code: str, due: str | None = None) -> URIRef:
    """IRI of one duty instance: an obligation in one jurisdiction (and, if recurring, one occurrence)."""
    base = f"{obligation_iri(doc_id, obligation_id)}/duty/{_safe(code)}"
    return URIRef(f"{base}/{due}" if due else base)


def report_iri(uuid: str) -> URIRef:
    return URIRef(f"{ID}report/{_safe(uuid)}")


def review_iri(uuid: str) -> URIRef:
    return URIRef(f"{ID}review/{_safe(uuid)}")


def audit_entry_iri(uuid: str) -> URIRef:
    return URIRef(f"{ID}audit/{_safe(uuid)}")
