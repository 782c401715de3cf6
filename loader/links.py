"""Links between texts: a provision or obligation that implements or restates another, in any document.

Annotations name the target as ``<id>`` (same document) or ``<document>/<id>``, where ``<id>`` is an
obligation id or a provision number. Targets in other documents exist only once every document is
loaded, so links are collected while reading and resolved at the end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import RDF, XSD, Graph, Literal, URIRef

from loader.errors import ProblemLog
from loader.fields import Fields, suggest
from loader.namespaces import AKG, document_iri

RELATION_KEYS = ("implements", "restates")
_PREDICATES = {"implements": AKG.implements, "restates": AKG.restates}


@dataclass(frozen=True)
class PendingLink:
    """A link read from an annotation, its target not yet resolved."""

    document: str  # the id of the document that makes the link
    source: URIRef  # the provision or obligation that makes it
    relation: str  # a key of RELATION_KEYS
    target: str  # "<id>" or "<document>/<id>", as written
    quote: str  # the words that show the link
    file: str
    line: int


@dataclass(frozen=True)
class LinkTargets:
    """What a link may point at in one document: obligations by id, provisions by number."""

    obligations: Mapping[str, URIRef]
    provisions: Mapping[str, URIRef]


def pending_links(f: Fields, document: str, source: URIRef, quote: str) -> list[PendingLink]:
    """The ``implements`` and ``restates`` references of one annotation entry."""
    return [
        PendingLink(document, source, relation, str(target), quote, f.file, line)
        for relation in RELATION_KEYS
        for target, line in f.items(relation)
    ]


def resolve_links(links: list[PendingLink], corpus: Mapping[str, LinkTargets], graph: Graph, log: ProblemLog) -> None:
    """Add an ``akg:Link`` node and the direct relation for every link; log each unknown target."""
    counters: dict[str, int] = {}
    for link in links:
        doc_id, _, ident = link.target.rpartition("/")
        doc_id = doc_id or link.document
        if doc_id not in corpus:
            log.add(link.file, link.line, f"{link.relation}: unknown document {doc_id!r}{suggest(doc_id, corpus)}")
            continue
        targets = corpus[doc_id]
        target = targets.obligations.get(ident) or targets.provisions.get(ident)
        if target is None:
            known = [*targets.obligations, *targets.provisions]
            log.add(
                link.file,
                link.line,
                f"{link.relation}: no obligation or provision {ident!r} in {doc_id}{suggest(ident, known)}",
            )
            continue
        if target == link.source:
            log.add(link.file, link.line, f"{link.relation}: {link.target!r} links to itself")
            continue
        n = counters[link.document] = counters.get(link.document, 0) + 1
        node = URIRef(f"{document_iri(link.document)}/link/{n}")
        predicate = _PREDICATES[link.relation]
        graph.add((document_iri(link.document), AKG.hasLink, node))
        graph.add((node, RDF.type, AKG.Link))
        graph.add((node, AKG.linkFrom, link.source))
        graph.add((node, AKG.linkTo, target))
        graph.add((node, AKG.relation, predicate))
        graph.add((node, AKG.quote, Literal(link.quote)))
        graph.add((node, AKG.sourceFile, Literal(link.file)))
        graph.add((node, AKG.sourceLine, Literal(link.line, datatype=XSD.integer)))
        graph.add((link.source, predicate, target))
