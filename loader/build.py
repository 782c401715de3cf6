"""Load a whole data folder: registries, then every document with its annotations."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from loader.annotations import AnnotationReader
from loader.document import load_document
from loader.errors import InputProblem, LoadError, ProblemLog
from loader.instances import add_duty_instances
from loader.jurisdictions import load_jurisdictions
from loader.links import LinkTargets, PendingLink, resolve_links
from loader.namespaces import PREFIXES, document_iri
from loader.procedures import ProcedureReader
from loader.registry import Registries, add_counterparts, load_cited_documents, load_organizations
from loader.vocabulary import read_ontology, vocabulary_from


def new_graph() -> Graph:
    """An empty graph with the project's prefixes bound (so serialisations are tidy)."""
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def document_folders(data_dir: Path) -> list[Path]:
    """Every ``documents/*/`` folder holding a document.yaml, in name order."""
    return sorted(p.parent for p in (data_dir / "documents").glob("*/document.yaml"))


def load_data_folder(data_dir: Path, ontology_dir: Path) -> Graph:
    """Build the instance graph of ``data_dir`` (without the ontology's own triples).

    Raises :class:`LoadError` listing every input problem; nothing is returned half-built.
    """
    if not data_dir.is_dir():
        raise LoadError([InputProblem(str(data_dir), None, "data folder not found")])
    vocab = vocabulary_from(read_ontology(ontology_dir))
    graph, log = new_graph(), ProblemLog()
    organizations = load_organizations(data_dir, vocab, graph, log)
    load_jurisdictions(data_dir, vocab, organizations, graph, log)
    cited = load_cited_documents(data_dir, organizations, graph, log)
    folders = document_folders(data_dir)
    if not folders:
        log.add(str(data_dir), None, "no documents/<id>/document.yaml found")
    corpus = {folder.name: document_iri(folder.name) for folder in folders}
    for ident in sorted(corpus.keys() & cited.keys()):
        log.add(
            "cited-documents.yaml",
            None,
            f"{ident!r} is a document of the corpus: cite it by its id, not as a cited document",
        )
    registries = Registries(organizations, cited, corpus)
    targets: dict[str, LinkTargets] = {}
    links: list[PendingLink] = []
    for folder in folders:
        try:
            doc = load_document(data_dir, folder, registries, vocab, graph, log)
            if doc is not None:
                AnnotationReader(doc, registries, vocab, graph, log).read_folder(folder, data_dir)
                ProcedureReader(doc, registries, vocab, graph, log).read_folder(folder, data_dir)
                targets[doc.id] = LinkTargets(doc.obligations, {n: doc.provision_iri(n) for n in doc.provisions})
                links += doc.links
        except LoadError as exc:  # a YAML syntax error stops that file; keep checking the others
            log.problems.extend(exc.problems)
    resolve_links(links, targets, graph, log)
    add_counterparts(organizations, graph)
    add_duty_instances(graph, log)  # after jurisdictions, documents and deadlines are all in
    log.raise_if_any()
    return graph
