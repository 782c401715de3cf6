"""The shared registries of a data folder: organisations and cited documents."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from loader.errors import ProblemLog
from loader.fields import Fields, suggest
from loader.namespaces import AKG, document_iri, jurisdiction_iri, organization_iri
from loader.vocabulary import Vocabulary
from loader.yamlsource import read_yaml

_DIVISION_CODE = re.compile(r"^[0-9]{6}$")
KIND_CLASSES = {
    "department": AKG.Department,
    "institution": AKG.Institution,
    "government": AKG.Government,
    "community": AKG.Community,
    "family": AKG.Family,
    "society": AKG.SocialActor,
    "other": AKG.OtherBody,
}


@dataclass(frozen=True)
class Organization:
    id: str
    iri: URIRef
    kind: str
    level: str | None
    vague: bool
    sector: str | None = None
    part_of: str | None = None
    collective: bool = False
    jurisdiction: str | None = None  # the six-digit code of the division it acts in, where the registry says


@dataclass(frozen=True)
class Registries:
    """What documents may refer to: organisations and cited documents, by id."""

    organizations: dict[str, Organization]
    cited_documents: dict[str, URIRef]
    documents: dict[str, URIRef]  # the policy documents of the corpus, which may be cited too


def _provenance(graph: Graph, node: URIRef, file: str, line: int) -> None:
    graph.add((node, AKG.sourceFile, Literal(file)))
    graph.add((node, AKG.sourceLine, Literal(line, datatype=XSD.integer)))


def registry_files(data_dir: Path, stem: str) -> list[Path]:
    """``<stem>.yaml`` and every ``<stem>/*.yaml``, in name order: a registry may be split by theme."""
    single = data_dir / f"{stem}.yaml"
    return ([single] if single.exists() else []) + sorted((data_dir / stem).glob("*.yaml"))


def _entries(data_dir: Path, stem: str, key: str, log: ProblemLog) -> list[tuple[Fields, str]]:
    paths = registry_files(data_dir, stem)
    if not paths:
        log.add(f"{stem}.yaml", None, f"file not found in the data folder (nor any {stem}/*.yaml)")
        return []
    entries, seen = [], {}
    for path in paths:
        name = path.relative_to(data_dir).as_posix()
        root = Fields(read_yaml(path, name), name, log, "file")
        root.allow([key])
        for item, _line in root.items(key):
            fields = Fields(item, name, log, f"{key} entry")
            ident = fields.text("id")
            if not ident:
                fields.problem(None, f"{key} entry lacks an id")
                continue
            if ident in seen:
                fields.problem("id", f"duplicate id {ident!r} (first defined at {seen[ident]})")
                continue
            seen[ident] = f"{name}:{fields.line}"
            entries.append((fields, ident))
    return entries


def load_organizations(data_dir: Path, vocab: Vocabulary, graph: Graph, log: ProblemLog) -> dict[str, Organization]:
    """Read ``organizations.yaml`` (and ``organizations/*.yaml``) into ``graph``; returns them by id."""
    result: dict[str, Organization] = {}
    parents: list[tuple[Fields, URIRef, str]] = []
    for f, ident in _entries(data_dir, "organizations", "organizations", log):
        name = f.file
        f.allow(
            ["id", "kind", "label"],
            ["sector", "level", "heads_sector", "collective", "vague", "part_of", "jurisdiction", "note"],
        )
        iri = organization_iri(ident)
        kind = f.text("kind") or ""
        if kind not in KIND_CLASSES:
            f.problem("kind", f"unknown kind {kind!r} (allowed: {', '.join(KIND_CLASSES)})")
        else:
            graph.add((iri, RDF.type, KIND_CLASSES[kind]))
        graph.add((iri, AKG.identifier, Literal(ident)))
        label = Fields(f.mapping.get("label"), name, log, f"label of {ident}")
        label.allow(["en"], ["zh"])
        for lang in ("en", "zh"):
            if text := label.text(lang):
                graph.add((iri, SKOS.prefLabel, Literal(text, lang=lang)))
        level = sector = None
        for key, scheme, predicate in (
            ("sector", "sectors", AKG.sector),
            ("level", "levels", AKG.level),
            ("heads_sector", "sectors", AKG.headsSector),
        ):
            value = f.text(key)
            if value is None:
                continue
            concept = vocab.concept(scheme, value)
            if concept is None:
                f.problem(key, f"unknown {scheme[:-1]} {value!r}{suggest(value, vocab.notations(scheme))}")
                continue
            graph.add((iri, predicate, concept))
            level = value if key == "level" else level
            sector = value if key == "sector" else sector
        for key, predicate in (("collective", AKG.collective), ("vague", AKG.vague)):
            if key in f.mapping:
                graph.add((iri, predicate, Literal(f.flag(key))))
        if parent := f.text("part_of"):
            parents.append((f, iri, parent))
        # Whether the division is in scope is for the shapes (akg:jurisdiction has class akg:Jurisdiction).
        if (code := f.text("jurisdiction")) is not None and not _DIVISION_CODE.match(code):
            f.problem("jurisdiction", f"jurisdiction {code!r} is not a six-digit division code such as 420000")
            code = None
        if code is not None:
            graph.add((iri, AKG.jurisdiction, jurisdiction_iri(code)))
        _provenance(graph, iri, name, f.line)
        result[ident] = Organization(
            ident, iri, kind, level, f.flag("vague"), sector, f.text("part_of"), f.flag("collective"), code
        )
    for f, iri, parent in parents:
        if parent not in result:
            f.problem("part_of", f"unknown organisation {parent!r}{suggest(parent, result)}")
        else:
            graph.add((iri, AKG.subOrganizationOf, result[parent].iri))
    return result


def load_cited_documents(
    data_dir: Path, organizations: dict[str, Organization], graph: Graph, log: ProblemLog
) -> dict[str, URIRef]:
    """Read ``cited-documents.yaml`` (and ``cited-documents/*.yaml``) into ``graph``; returns IRIs by id."""
    result: dict[str, URIRef] = {}
    for f, ident in _entries(data_dir, "cited-documents", "cited_documents", log):
        name = f.file
        f.allow(["id", "title"], ["number", "issuer", "issued_by", "year", "note"])
        iri = document_iri(ident)
        graph.add((iri, RDF.type, AKG.CitedDocument))
        graph.add((iri, AKG.identifier, Literal(ident)))
        graph.add((iri, AKG.title, Literal(f.text("title"), lang="en")))
        if number := f.text("number"):
            graph.add((iri, AKG.number, Literal(number)))
        if issuer := f.text("issuer"):
            graph.add((iri, AKG.issuerName, Literal(issuer, lang="en")))
        if (year := f.integer("year")) is not None:
            graph.add((iri, AKG.year, Literal(str(year), datatype=XSD.gYear)))
        if issued_by := f.text("issued_by"):
            if issued_by in organizations:
                graph.add((iri, AKG.issuedBy, organizations[issued_by].iri))
            else:
                f.problem("issued_by", f"unknown organisation {issued_by!r}{suggest(issued_by, organizations)}")
        _provenance(graph, iri, name, f.line)
        result[ident] = iri
    return result


def add_counterparts(organizations: dict[str, Organization], graph: Graph) -> None:
    """Link each department to the departments of its sector at the other levels (akg:counterpart).

    A national ministry's duty addressed down the hierarchy is then answered by its provincial, city
    and county departments. Vague bodies, offices within a department (``part_of``) and bodies without a
    sector or level take no part.
    """
    by_sector: dict[str, list[Organization]] = {}
    for org in organizations.values():
        if org.kind == "department" and org.sector and org.level and not org.vague and not org.part_of:
            by_sector.setdefault(org.sector, []).append(org)
    for members in by_sector.values():
        for a in members:
            for b in members:
                if a.level != b.level:
                    graph.add((a.iri, AKG.counterpart, b.iri))


def concept_or_problem(f: Fields, key: str, value: str, vocab: Vocabulary, scheme: str) -> URIRef | None:
    """The concept for ``value`` in ``scheme``, or None after logging an unknown-value problem."""
    concept = vocab.concept(scheme, value)
    if concept is None:
        f.problem(key, f"unknown {scheme} value {value!r}{suggest(value, vocab.notations(scheme))}")
    return concept
