"""The one place the graph lives. Everything above the loader reads the graph through here.

The default store is embedded (pyoxigraph): in memory, or persistent in a folder so that a
restart skips rebuilding when no input changed. Callers use the :class:`GraphStore` protocol only
(``select`` and ``export``), so a remote SPARQL 1.1 endpoint can be added behind it later.

The store's default graph is the *served graph*: the ontology and every document's instances. Named
graphs are private (reports, tokens or an audit trail may be kept there): nothing that shows the graph
to clients reads them. :meth:`OxigraphStore.answer` runs a client's SPARQL query on the served graph
(plus the named graphs a deployment chooses to expose) and serialises the answer in the format the
client accepts; :meth:`OxigraphStore.describe` gives what the page of one IRI shows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral

from akg import build_cache, resources
from akg.media_types import choose
from loader.build import load_data_folder, new_graph
from loader.namespaces import PREFIXES
from loader.vocabulary import read_ontology

Value = str | int | float | bool | dt.date | None


class IRI(str):
    """A string that is an IRI: how callers of :meth:`OxigraphStore.select` and :meth:`OxigraphStore.write`
    tell an IRI from a plain string literal."""


Bound = IRI | str | int | bool | dt.datetime | dt.date
Quad = tuple[URIRef, URIRef, URIRef | RdfLiteral, URIRef]  # subject, predicate, object, named graph (rdflib terms)

_XSD = "http://www.w3.org/2001/XMLSchema#"
_CONVERT = {
    _XSD + "integer": int,
    _XSD + "int": int,
    _XSD + "decimal": float,
    _XSD + "double": float,
    _XSD + "boolean": lambda v: v == "true",
    _XSD + "date": dt.date.fromisoformat,
    _XSD + "dateTime": dt.datetime.fromisoformat,
}


class GraphStore(Protocol):
    """What the layers above may ask of a store."""

    def select(self, query: str) -> list[dict[str, Value]]:
        """Run a SPARQL SELECT; each row maps variable names to Python values (IRIs as strings)."""
        ...

    def export(self) -> Graph:
        """The whole graph, ontology included, as an rdflib graph."""
        ...

    def __len__(self) -> int: ...


def _rdf(value: Bound) -> ox.NamedNode | ox.Literal:
    """The RDF term of a Python value: IRI -> named node; str, int, bool, datetime, date -> typed literal."""
    if isinstance(value, IRI):
        return ox.NamedNode(value)
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(_XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(_XSD + "integer"))
    if isinstance(value, dt.datetime):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(_XSD + "dateTime"))
    if isinstance(value, dt.date):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(_XSD + "date"))
    return ox.Literal(value)


def _ox(term: URIRef | RdfLiteral) -> ox.NamedNode | ox.Literal:
    """The pyoxigraph term of an rdflib IRI or literal (datatype and language kept)."""
    if isinstance(term, RdfLiteral):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    return ox.NamedNode(str(term))


def _sync_write_ahead_log(folder: Path) -> None:
    # RocksDB appends each transaction to its numbered *.log files; fsync makes the append durable.
    # (Store.flush would also write new table files: 25 ms a write rather than 1.)
    for wal in folder.glob("*.log"):
        fd = os.open(wal, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _python(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Value:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        convert = _CONVERT.get(term.datatype.value)
        if convert:
            try:
                return convert(term.value)
            except ValueError:
                return term.value
        return term.value
    return term.value


class OxigraphStore:
    """An embedded pyoxigraph store, in memory (``path=None``) or on disk."""

    shared = False  #: one process holds the store: a counter kept in memory is the store's

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._store = ox.Store(str(path)) if path else ox.Store()

    def exclusive(self) -> contextlib.AbstractContextManager[None]:
        """Nothing to take: one process holds an embedded store (a remote one takes a writer lease here)."""
        return contextlib.nullcontext()

    def check_lease(self) -> None:
        """Nothing to check (see :meth:`exclusive`)."""

    def replace(self, graph: Graph, graph_name: str | None = None) -> None:
        """Replace the served (default) graph with ``graph``; with ``graph_name``, that named graph instead.

        The other graphs are kept: rebuilding the corpus never drops reports or the audit trail.
        """
        self.replace_ntriples(graph.serialize(format="nt", encoding="utf-8"), graph_name)

    def replace_ntriples(self, data: bytes, graph_name: str | None = None) -> None:
        """:meth:`replace` with the graph given as N-Triples (as :func:`corpus_ntriples` gives it)."""
        target = ox.NamedNode(graph_name) if graph_name else ox.DefaultGraph()
        self._store.clear_graph(target)
        self._store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=target)
        if self.path:
            self._store.flush()

    def select(self, query: str, bindings: Mapping[str, Bound] | None = None) -> list[dict[str, Value]]:
        """Run a fixed SPARQL SELECT; ``bindings`` give variables values as typed RDF terms.

        Values are never spliced into the query text: they are substituted after parsing (SEP-0007),
        so a user's text cannot change what the query does.
        """
        substitutions = {ox.Variable(name): _rdf(value) for name, value in (bindings or {}).items()}
        solutions = self._store.query(query, substitutions=substitutions or None)
        names = [v.value for v in solutions.variables]
        return [{name: _python(row[name]) for name in names} for row in solutions]

    def write(self, quads: Sequence[Quad]) -> None:
        """Add ``quads`` in one transaction, durably: all or nothing, and on disk when this returns.

        On an on-disk store the write-ahead log is synced to the device before returning, so an
        acknowledged write survives a crash of the process or of the machine.
        """
        self._store.extend([ox.Quad(_ox(s), _ox(p), _ox(o), _ox(g)) for s, p, o, g in quads])
        if self.path:
            _sync_write_ahead_log(self.path)

    def export(self) -> Graph:
        # Straight from the store's terms: as parsing its N-Triples dump would give, in a third of the time.
        return _rdflib_graph(self._store.quads_for_pattern(None, None, None, ox.DefaultGraph()))

    def __len__(self) -> int:
        return len(self._store)

    def named_graph_as(self, graph_name: str, media_type: str, subjects: Iterable[str] | None = None) -> bytes:
        """The triples of named graph ``graph_name`` (only those of ``subjects``, if given), serialised as
        ``media_type`` (a key of :data:`GRAPH_FORMATS`), sorted so that the same graph gives the same bytes."""
        wanted = None if subjects is None else set(subjects)
        triples = sorted(
            (
                q.triple
                for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph_name))
                if wanted is None or q.subject.value in wanted
            ),
            key=str,
        )
        used = _prefixes_in(" ".join(str(t) for t in triples).encode())
        return ox.serialize(triples, format=GRAPH_FORMATS[media_type], prefixes=used)

    # -- the served graph ----------------------------------------------------------------------------

    def served_nquads(self, exposed_graphs: Sequence[str] = ()) -> bytes:
        """The served graph (the default graph) and the named graphs in ``exposed_graphs``, as N-Quads.

        This is all a SPARQL worker process gets (see :mod:`akg.sparql`): what is not here cannot leak.
        """
        parts = [self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())]
        for name in exposed_graphs:
            quads = self._store.quads_for_pattern(None, None, None, ox.NamedNode(name))
            parts.append(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
        return b"".join(parts)

    @classmethod
    def from_nquads(cls, data: bytes) -> OxigraphStore:
        """A new in-memory store holding ``data`` (N-Quads, as :meth:`served_nquads` writes it)."""
        store = cls()
        store._store.load(data, format=ox.RdfFormat.N_QUADS)
        return store

    def answer(
        self, query: str, accept: str | None, max_results: int, max_bytes: int, named_graphs: Sequence[str] = ()
    ) -> QueryAnswer:
        """Run a client's SPARQL query on the default graph and serialise its answer as ``accept`` prefers.

        SELECT and ASK answer in :data:`RESULT_FORMATS`, CONSTRUCT and DESCRIBE in :data:`GRAPH_FORMATS`.
        ``GRAPH`` patterns see only ``named_graphs``. Raises :class:`QueryRefused` for a query that does not
        parse (with the parser's message), an update, a ``SERVICE`` call, an ``accept`` that takes none of
        the answer's formats, an answer of more than ``max_results`` rows or triples, or one of more than
        ``max_bytes`` bytes. Nothing here bounds time: run it where it can be stopped (:mod:`akg.sparql`).
        """
        check_query_text(query)
        result_type = choose(accept, list(RESULT_FORMATS), RESULT_ALIASES)
        graph_type = choose(accept, list(GRAPH_FORMATS), GRAPH_ALIASES)
        if result_type is None and graph_type is None:
            raise QueryRefused("not-acceptable", _not_acceptable([*RESULT_FORMATS, *GRAPH_FORMATS]))
        try:
            result = self._store.query(query, named_graphs=[ox.NamedNode(name) for name in named_graphs])
        except SyntaxError as exc:
            raise QueryRefused("syntax", f"The query does not parse: {exc}") from None
        except (OSError, RuntimeError, ValueError) as exc:
            raise QueryRefused("evaluation", f"The query could not be evaluated: {exc}") from None
        if isinstance(result, ox.QueryBoolean):
            if result_type is None:
                raise QueryRefused("not-acceptable", _not_acceptable(list(RESULT_FORMATS)))
            return QueryAnswer(result_type, result.serialize(format=RESULT_FORMATS[result_type]))
        solutions = isinstance(result, ox.QuerySolutions)
        chosen = result_type if solutions else graph_type
        if chosen is None:
            raise QueryRefused("not-acceptable", _not_acceptable(list(RESULT_FORMATS if solutions else GRAPH_FORMATS)))
        buffer = _CappedBuffer(max_bytes)
        try:  # evaluation is lazy: errors surface while the answer is written
            result.serialize(buffer, format=ox.QueryResultsFormat.JSON if solutions else ox.RdfFormat.N_TRIPLES)
        except (OSError, RuntimeError, ValueError) as exc:
            if buffer.overflowed:
                raise QueryRefused(
                    "too-large", f"The answer is larger than {max_bytes} bytes: add a LIMIT or select less."
                ) from None
            raise QueryRefused("evaluation", f"The query could not be evaluated: {exc}") from None
        body = bytes(buffer.data)
        if solutions:
            _check_count(sum(1 for _ in ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)), max_results)
            if RESULT_FORMATS[chosen] != ox.QueryResultsFormat.JSON:
                converted = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
                body = converted.serialize(format=RESULT_FORMATS[chosen])
            return QueryAnswer(chosen, body)
        _check_count(body.count(b"\n"), max_results)  # canonical N-Triples: one triple a line
        if GRAPH_FORMATS[chosen] != ox.RdfFormat.N_TRIPLES:
            triples = (quad.triple for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
            body = ox.serialize(triples, format=GRAPH_FORMATS[chosen], prefixes=_prefixes_in(body))
        return QueryAnswer(chosen, body)

    # -- what the page of one IRI shows --------------------------------------------------------------

    def describe(self, iri: str) -> list[Statement]:
        """The triples of ``iri`` and of the nodes it owns (see :data:`PART_PROPERTIES`), in the served graph.

        Empty when ``iri`` is the subject of no triple there (its page answers 404). The resource's own
        triples come first, then each owned node's, depth first; each node's are sorted.
        """
        return [(_term(q.subject), q.predicate.value, _term(q.object)) for q in self._owned_quads(iri)]

    def describe_as(self, iri: str, media_type: str) -> bytes:
        """:meth:`describe`'s triples serialised as ``media_type`` (a key of :data:`GRAPH_FORMATS`)."""
        triples = [quad.triple for quad in self._owned_quads(iri)]
        used = _prefixes_in(" ".join(str(t) for t in triples).encode())
        return ox.serialize(triples, format=GRAPH_FORMATS[media_type], prefixes=used)

    def _owned_quads(self, iri: str) -> list[ox.Quad]:
        try:
            root = ox.NamedNode(iri)
        except ValueError:
            return []
        found: list[ox.Quad] = []
        seen: set[str] = set()

        def visit(node: ox.NamedNode | ox.BlankNode, depth: int) -> None:
            if str(node) in seen:
                return
            seen.add(str(node))
            quads = sorted(
                self._store.quads_for_pattern(node, None, None, ox.DefaultGraph()),
                key=lambda q: (q.predicate.value, str(q.object)),
            )
            found.extend(quads)
            for quad in quads if depth < _MAX_PART_DEPTH else ():
                child = quad.object
                if isinstance(child, ox.BlankNode) or (
                    isinstance(child, ox.NamedNode)
                    and quad.predicate.value in PART_PROPERTIES
                    and child.value.startswith(node.value + "/")
                ):
                    visit(child, depth + 1)

        visit(root, 0)
        return found

    def objects(self, iri: str, predicate: str) -> list[Term]:
        """The objects of ``iri predicate ?o`` in the served graph, sorted."""
        try:
            subject, verb = ox.NamedNode(iri), ox.NamedNode(predicate)
        except ValueError:
            return []
        return sorted(_term(q.object) for q in self._store.quads_for_pattern(subject, verb, None, ox.DefaultGraph()))

    def labels(self, iris: Iterable[str]) -> dict[str, dict[str, str]]:
        """The label of each IRI by language (``""`` for none), from :data:`LABEL_PROPERTIES` in that order."""
        found: dict[str, dict[str, str]] = {}
        for iri in iris:
            try:
                subject = ox.NamedNode(iri)
            except ValueError:
                continue
            by_language: dict[str, str] = {}
            for predicate in LABEL_PROPERTIES:
                for quad in self._store.quads_for_pattern(subject, ox.NamedNode(predicate), None, ox.DefaultGraph()):
                    if isinstance(quad.object, ox.Literal):
                        by_language.setdefault(quad.object.language or "", quad.object.value)
            if by_language:
                found[iri] = by_language
        return found

    def referrers(self, iri: str, limit: int) -> list[tuple[str, str]]:
        """Up to ``limit`` ``(subject, predicate)`` pairs whose object is ``iri`` in the served graph, sorted."""
        try:
            target = ox.NamedNode(iri)
        except ValueError:
            return []
        pairs = []
        for quad in self._store.quads_for_pattern(None, None, target, ox.DefaultGraph()):
            if isinstance(quad.subject, ox.NamedNode):
                pairs.append((quad.subject.value, quad.predicate.value))
                if len(pairs) >= limit:
                    break
        return sorted(pairs)


# -- SPARQL queries from clients ----------------------------------------------------------------------

#: Formats of SELECT and ASK answers by media type, the preferred first.
RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
RESULT_ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
}
#: Formats of graphs (CONSTRUCT and DESCRIBE answers, the pages of IRIs) by media type, the preferred first.
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
GRAPH_ALIASES = {
    "application/turtle": "text/turtle",
    "application/x-turtle": "text/turtle",
    "application/x-json+ld": "application/ld+json",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
}
SERIALIZATION_PREFIXES: dict[str, str] = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    # akgdoc: would write an obligation as akgdoc:minfa-2019-62\/obligation\/2.2-1: full IRIs read better
    **{name: namespace for name, namespace in PREFIXES.items() if name != "akgdoc"},
}

_AKG = "https://w3id.org/akg/ontology#"
#: Properties that link a node to a part of it with no meaning of its own: an obligation's assignments and
#: deadline, a procedure's steps, a document's citations and links. A part's IRI extends its owner's.
PART_PROPERTIES = frozenset(
    _AKG + name for name in ("hasAssignment", "hasDeadline", "hasStep", "hasCitation", "hasLink")
)
_MAX_PART_DEPTH = 3
#: Where a node's label comes from, in order of preference.
LABEL_PROPERTIES = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    _AKG + "title",
    "http://purl.org/dc/terms/title",
)


@dataclass(frozen=True, order=True)
class Term:
    """An RDF term as a page shows it: an IRI, a blank node or a literal with its language or datatype."""

    kind: Literal["iri", "bnode", "literal"]
    value: str
    language: str | None = None
    datatype: str | None = None


Statement = tuple[Term, str, Term]  # subject, predicate IRI, object


@dataclass(frozen=True)
class QueryAnswer:
    """A serialised answer to a SPARQL query."""

    media_type: str
    body: bytes


class QueryRefused(ValueError):
    """A client's query that gets no answer. ``reason`` is one of :data:`REFUSAL_REASONS`; the message says why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message

    def __reduce__(self) -> tuple[type[QueryRefused], tuple[str, str]]:  # crosses process boundaries
        return (QueryRefused, (self.reason, self.message))


REFUSAL_REASONS = ("syntax", "update", "service", "evaluation", "not-acceptable", "too-many-results", "too-large")

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Term:
    if isinstance(term, ox.NamedNode):
        return Term("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return Term("bnode", term.value)
    if isinstance(term, ox.Literal):
        datatype = None if term.language or term.datatype.value == _XSD_STRING else term.datatype.value
        return Term("literal", term.value, term.language, datatype)
    return Term("literal", str(term))  # a quoted triple (RDF 1.2): shown as written


def _prefixes_in(ntriples: bytes) -> dict[str, str]:
    """The prefixes of :data:`SERIALIZATION_PREFIXES` whose namespace occurs in ``ntriples``."""
    return {name: ns for name, ns in SERIALIZATION_PREFIXES.items() if b"<" + ns.encode() in ntriples}


def _not_acceptable(offered: list[str]) -> str:
    return "None of the accepted media types fits this answer; it can be given as: " + ", ".join(offered) + "."


def _check_count(count: int, limit: int) -> None:
    if count > limit:
        raise QueryRefused(
            "too-many-results",
            f"The answer has {count} results (rows or triples), above this endpoint's limit of {limit}: "
            f"add a LIMIT (at most {limit}) or narrow the query.",
        )


class _CappedBuffer(io.RawIOBase):
    """A byte buffer that refuses to grow past ``cap`` bytes (pyoxigraph writes answers into it)."""

    def __init__(self, cap: int) -> None:
        super().__init__()
        self.cap = cap
        self.data = bytearray()
        self.overflowed = False

    def writable(self) -> bool:
        return True

    def write(self, chunk: bytes) -> int:  # type: ignore[override]
        if len(self.data) + len(chunk) > self.cap:
            self.overflowed = True
            raise OSError("answer too large")
        self.data += chunk
        return len(chunk)


# Lexing a query just enough to find its keywords: strings, IRIs and comments are opaque; variables,
# blank node labels and prefixed names absorb the letters next to them, as SPARQL's grammar does.
_OPAQUE = re.compile(
    r"'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|<[^<>\"{}|^`\\\x00-\x20]*>"
    r"|#[^\n\r]*"
    r"|\\.",  # an escape in a prefixed name (ex:a\'b): not the start of a string
    re.DOTALL,
)
_NAME = r"[\w\-.\u00B7\u0300-\u036F\u203F\u2040]"
_BARE = re.compile(
    r"(?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]*)"
    rf"|(?P<bnode>_:(?:{_NAME}|\\.)*)"
    rf"|(?P<pname>(?P<prefix>[^\W\d_]{_NAME}*)?:(?:{_NAME}|[:%]|\\.)*)"
    r"|(?P<number>\d[\d.]*(?:[eE][+-]?\d+)?)"
    r"|(?P<word>[^\W\d_]+)"
    r"|\\.|.",
    re.DOTALL,
)
_UPDATE_KEYWORDS = frozenset(("insert", "delete", "load", "clear", "drop", "create", "add", "move", "copy", "with"))


def _words(query: str) -> Iterable[tuple[str, str]]:
    """``("word", w)`` for every bare word of ``query``, ``("prefix", p)`` for every prefix of a prefixed name."""
    bare = _OPAQUE.sub(lambda m: "_" if m[0].startswith("\\") else " ", query)
    for token in _BARE.finditer(bare):
        if token["word"]:
            yield "word", token["word"].lower()
        elif token["pname"] is not None and token["prefix"]:
            yield "prefix", token["prefix"].lower()


def check_query_text(query: str) -> None:
    """Refuse (:class:`QueryRefused`) an update, and a query that calls ``SERVICE`` (another endpoint).

    Conservative: a bare word or a prefix that merely contains "service" is refused too, because the
    parser reads ``1SERVICE`` or ``SERVICEx:y`` as the keyword. The SPARQL workers cannot open a socket
    either (:mod:`akg.sparql`); this check is there to say why.
    """
    words = list(_words(query))
    first = next((w for kind, w in words if kind == "word" and w not in ("base", "prefix")), None)
    if first in _UPDATE_KEYWORDS:
        raise QueryRefused("update", "This endpoint is read-only: SPARQL Update is not accepted.")
    if any("service" in w for _, w in words):
        raise QueryRefused(
            "service", "SERVICE (a query to another endpoint) is not allowed here; nor is a prefix named like it."
        )


def build_graph(data_dir: Path | None = None, ontology_dir: Path | None = None) -> Graph:
    """The full graph of a data folder: the ontology plus every document's instances.

    Served from the build cache (:mod:`akg.build_cache`) while the inputs are unchanged. Raises
    ``loader.errors.LoadError`` on bad input.
    """
    data, graph = _corpus(data_dir or resources.data_dir(), ontology_dir or resources.ontology_dir())
    return graph if graph is not None else _graph_from_ntriples(data)


def corpus_ntriples(data_dir: Path | None = None, ontology_dir: Path | None = None) -> bytes:
    """:func:`build_graph`'s graph as N-Triples: what a store loads, with no rdflib graph made on a cache hit."""
    return _corpus(data_dir or resources.data_dir(), ontology_dir or resources.ontology_dir())[0]


def _corpus(data_dir: Path, ontology_dir: Path) -> tuple[bytes, Graph | None]:
    """The full graph as N-Triples, from the build cache when it holds this build, else built now (and then
    also as the rdflib graph it was serialised from)."""
    cached = build_cache.entry(data_dir, ontology_dir)
    data = cached.read()
    if data is not None:
        return data, None
    graph = load_data_folder(data_dir, ontology_dir)  # a LoadError is raised here, before anything is cached
    graph += read_ontology(ontology_dir)
    data = graph.serialize(format="nt", encoding="utf-8")
    cached.write(data)
    return data, graph


def _graph_from_ntriples(data: bytes) -> Graph:
    """The graph that rdflib serialised as ``data``, term for term (blank nodes keep their labels)."""
    if _read_alike_by_pyoxigraph(data):
        try:
            return _rdflib_graph(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
        except (SyntaxError, ValueError):
            pass  # rdflib wrote something pyoxigraph refuses: rdflib reads its own output
    graph = new_graph()
    graph.parse(data=data, format="nt")
    return graph


def _read_alike_by_pyoxigraph(data: bytes) -> bool:
    """Whether pyoxigraph reads ``data``'s terms as rdflib wrote them. It does not read "a"^^xsd:string (it gives
    the plain literal "a") nor a language tag with capitals (it lowercases it)."""
    if b"^^<http://www.w3.org/2001/XMLSchema#string>" in data:
        return False
    at = data.find(b'"@')
    while at >= 0:  # conservative: '\"@X' inside a literal's text counts too
        end = at + 2
        while end < len(data) and data[end : end + 1] not in b" \t.":
            end += 1
        if data[at + 2 : end] != data[at + 2 : end].lower():
            return False
        at = data.find(b'"@', end)
    return True


def _rdflib_graph(quads: Iterable[ox.Quad]) -> Graph:
    """An rdflib graph (the project's prefixes bound) of the triples of ``quads``; graph names are dropped.

    Each distinct term is made once: building rdflib terms, not storing them, is most of the cost.
    """
    terms: dict[ox.NamedNode | ox.BlankNode | ox.Literal, URIRef | BNode | RdfLiteral] = {}

    def rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> URIRef | BNode | RdfLiteral:
        found = terms.get(term)
        if found is None:
            if isinstance(term, ox.NamedNode):
                found = URIRef(term.value)
            elif isinstance(term, ox.BlankNode):
                found = BNode(term.value)
            elif isinstance(term, ox.Literal):
                datatype = term.datatype.value
                found = RdfLiteral(
                    term.value,
                    lang=term.language,
                    datatype=None if term.language or datatype == _XSD_STRING else URIRef(datatype),
                )
            else:
                raise ValueError(f"not an RDF 1.1 term: {term}")
            terms[term] = found
        return found

    graph = new_graph()
    graph.addN((rdflib_term(q.subject), rdflib_term(q.predicate), rdflib_term(q.object), graph) for q in quads)
    return graph


def ontology_graph(ontology_dir: Path | None = None) -> Graph:
    """The ontology's files as one graph, prefixes bound: what ``https://w3id.org/akg/ontology`` serves.

    Raises ``loader.errors.LoadError`` on bad input.
    """
    graph = new_graph()
    graph += read_ontology(ontology_dir or resources.ontology_dir())
    return graph


# What a store folder holds besides other modules' files (akg/progress/layout.py names them all).
GRAPH_FOLDER = "oxigraph"
STAMP_FILE = "akg-inputs.sha256"


def open_store(
    data_dir: Path | None = None, ontology_dir: Path | None = None, location: Path | None = None
) -> OxigraphStore:
    """Load a data folder into a store.

    With ``location``, the store persists there and is reused while the inputs are unchanged: the data
    and ontology files, and the loader's code and data packages (the build cache's key, so that an
    upgrade of akg rebuilds the corpus). A rebuild replaces the served graph in place and keeps the named
    graphs (reports, reviews, the audit trail); the inputs' fingerprint is written last, so a rebuild
    cut short is done again at the next start.
    """
    data_dir, ontology_dir = data_dir or resources.data_dir(), ontology_dir or resources.ontology_dir()
    if location is None:
        store = OxigraphStore()
        store.replace_ntriples(corpus_ntriples(data_dir, ontology_dir))
        return store
    fingerprint = build_cache.input_key(data_dir, ontology_dir)
    stamp = location / STAMP_FILE
    if stamp.exists() and stamp.read_text().strip() == fingerprint:
        return OxigraphStore(location / GRAPH_FOLDER)
    ntriples = corpus_ntriples(data_dir, ontology_dir)  # raises before anything on disk changes
    location.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)  # a rebuild cut short by a crash is redone at the next start
    store = OxigraphStore(location / GRAPH_FOLDER)
    store.replace_ntriples(ntriples)  # the served graph only: reports and the audit trail stay
    partial = stamp.with_suffix(".partial")
    partial.write_text(fingerprint + "\n")
    partial.replace(stamp)
    return store


def counts(store: GraphStore) -> dict[str, int]:
    """How many documents, provisions, obligations, organisations, citations and assignments."""
    query = """
        PREFIX akg: <https://w3id.org/akg/ontology#>
        SELECT ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE {
          VALUES (?kind ?class) {
            ("documents" akg:PolicyDocument) ("provisions" akg:Provision) ("obligations" akg:Obligation)
            ("citations" akg:Citation) ("assignments" akg:Assignment) ("cited_documents" akg:CitedDocument)
          }
          ?s a ?class .
        } GROUP BY ?kind"""
    result = {"documents": 0, "provisions": 0, "obligations": 0, "organizations": 0, "citations": 0}
    result.update({row["kind"]: row["n"] for row in store.select(query)})
    orgs = """
        PREFIX akg: <https://w3id.org/akg/ontology#>
        SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {
          VALUES ?class { akg:Department akg:Institution akg:Government akg:OtherBody } ?o a ?class }"""
    result["organizations"] = store.select(orgs)[0]["n"]
    return result
