"""The rudof engine: run the SHACL shapes through pyrudof (the Rust engine rudof) and make Findings.

Contract:

* :func:`rudof_findings` gives the data graph to rudof as N-Triples and the shapes graph as
  Turtle, runs rudof's native SHACL validator and turns each result into the same
  :class:`akg.validation.Finding` that the pyshacl engine makes: source file, line and the
  obligation's context are resolved from the data graph by the same helpers; the message is
  the source shape's ``sh:message`` plus ``(value: ...)``, as on the pyshacl path; the path is
  the source shape's ``sh:path`` in SPARQL property-path syntax, as pyshacl reports it.
* rudof runs no inference: any ``inference`` other than ``"none"`` is refused by the caller.
* The order comparisons (shapes with ``sh:lessThan`` or ``sh:lessThanOrEquals``) stay with the reference
  engine wherever the engines could part: unless every value of the properties such a shape compares is a
  well-formed literal of one datatype both engines order by value (``xsd:date``, ``xsd:integer``), that
  shape's findings are pySHACL's. rudof reports a pair it cannot compare (an ``xsd:date`` and an
  ``xsd:dateTime``), as SHACL says; pySHACL orders it by datatype IRI, as SPARQL's ORDER BY does; no
  core SHACL rewrite keeps such a pair out of the comparison (docs/validation.md).
* pyrudof is a main dependency. Importing this module without it raises ImportError naming
  ``--engine pyshacl``: there is no silent fall-back to the other engine.
"""

from __future__ import annotations

from collections.abc import Callable

from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.extras.shacl import parse_shacl_path
from rdflib.term import Node

from akg import validation as _v

try:
    import pyrudof
except ImportError as exc:
    raise ImportError(
        f"the rudof engine (the default) needs pyrudof, which cannot be imported ({exc}): "
        "reinstall akg, or validate with the reference engine: --engine pyshacl"
    ) from exc

__all__ = ["REFERENCE_DATATYPES", "order_comparisons", "properties_read", "rudof_findings"]

SH = _v.SH
# The datatypes both engines order by value: a comparison between well-formed literals of one of them gives
# the same result in each.
REFERENCE_DATATYPES = (XSD.date, XSD.integer)
_ORDERS = (SH.lessThan, SH.lessThanOrEquals)
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_SHAPE_TYPES = (SH.NodeShape, SH.PropertyShape)


def rudof_findings(
    data: Graph, shapes: Graph, *, ntriples: bytes | None = None, whole: Callable[[], Graph] | None = None
) -> list[_v.Finding]:
    """Validate ``data`` against ``shapes`` with rudof; one Finding per result, unsorted. ``ntriples``, when
    given, is the graph as N-Triples, which rudof reads; ``data`` may then hold only the triples of
    :func:`properties_read` (what the findings and the order check read), and ``whole`` makes the whole graph
    when pySHACL must run.

    The findings of an order comparison whose values the engines could order differently are pySHACL's
    (see the module docstring).
    """
    session = pyrudof.Rudof(pyrudof.RudofConfig())
    text = ntriples.decode("utf-8") if ntriples is not None else data.serialize(format="nt")
    session.read_data(text, format=pyrudof.RDFFormat.NTriples)
    session.read_shacl(_turtle(shapes), format=pyrudof.ShaclFormat.Turtle)
    report = session.validate_shacl(mode=pyrudof.ShaclValidationMode.Native)
    findings = [_finding(entry, data, shapes) for entry in report]
    referred = {shape for shape in order_comparisons(shapes) if not _ordered_alike(data, shapes, shape)}
    if not referred:
        return findings
    try:
        reference = _v.reference_findings(whole() if whole else data, _shapes_of(shapes, referred), shapes)
    except _v.EngineFailure:
        # rdflib cannot order an ill-formed literal (say "2022-02-30"^^xsd:date) before another: pySHACL
        # fails on the whole graph then, and has no answer to defer to; rudof's stands.
        return findings
    names = {_v._term_text(shape) for shape in referred}
    return [f for f in findings if f.source_shape not in names] + [f for f in reference if f.source_shape in names]


_written: list[tuple[Graph, int, str]] = []


def _turtle(shapes: Graph) -> str:
    """``shapes`` as Turtle, written once per shapes graph (a shard process validates many graphs with one)."""
    for graph, size, text in _written:
        if graph is shapes and size == len(shapes):
            return text
    text = shapes.serialize(format="turtle")
    _written[:] = [(shapes, len(shapes), text)]
    return text


def properties_read(shapes: Graph) -> set[URIRef]:
    """The properties whose triples :func:`rudof_findings` reads from ``data`` besides rudof: those that resolve
    a finding (:data:`akg.validation.RESOLUTION_PROPERTIES`) and those the order check looks at (``rdf:type``
    triples are read only to know a document: ``akg:PolicyDocument``)."""
    read = set(_v.RESOLUTION_PROPERTIES)
    for shape in order_comparisons(shapes):
        last = _last_step(shapes, shapes.value(shape, SH.path))
        if last is not None:
            read.add(last)
        read |= {p for order in _ORDERS for p in shapes.objects(shape, order) if isinstance(p, URIRef)}
    return read


def order_comparisons(shapes: Graph) -> set[Node]:
    """The shapes that compare the order of two values (``sh:lessThan``, ``sh:lessThanOrEquals``)."""
    return {shape for order in _ORDERS for shape in shapes.subjects(order, None)}


def _ordered_alike(data: Graph, shapes: Graph, shape: Node) -> bool:
    """True when every value the comparison ``shape`` could meet is a well-formed literal of one datatype of
    REFERENCE_DATATYPES, so that both engines order each pair by value."""
    last = _last_step(shapes, shapes.value(shape, SH.path))
    if last is None:
        return False
    datatypes = set()
    for prop in [last, *(prop for order in _ORDERS for prop in shapes.objects(shape, order))]:
        for value in data.objects(None, prop):
            if not isinstance(value, Literal) or value.ill_typed is not False:
                return False
            datatypes.add(value.datatype)
    return len(datatypes) <= 1 and datatypes <= set(REFERENCE_DATATYPES)


def _last_step(shapes: Graph, path: Node | None) -> URIRef | None:
    """The property a path ends with (a property, or a sequence ending in one); None for any other path."""
    if isinstance(path, URIRef):
        return path
    if isinstance(path, BNode) and (path, RDF.first, None) in shapes:
        steps = list(Collection(shapes, path))
        return steps[-1] if steps and isinstance(steps[-1], URIRef) else None
    return None


def _shapes_of(shapes: Graph, referred: set[Node]) -> Graph:
    """The part of ``shapes`` that runs ``referred`` alone: each with the shapes it refers to, and the targets
    and the ``sh:property`` link of the node shapes that hold it."""
    part = Graph()
    for shape in referred:
        for holder in shapes.subjects(SH.property, shape):
            part.add((holder, RDF.type, SH.NodeShape))
            part.add((holder, SH.property, shape))
            for target in _TARGETS:
                for value in shapes.objects(holder, target):
                    part.add((holder, target, value))
    pending, seen = list(referred), set()
    while pending:
        shape = pending.pop()
        if shape in seen:
            continue
        seen.add(shape)
        described = shapes.cbd(shape)
        part += described
        pending += [o for o in described.objects() if any((o, RDF.type, kind) in shapes for kind in _SHAPE_TYPES)]
    return part


def _finding(entry: pyrudof.ShaclValidationEntry, data: Graph, shapes: Graph) -> _v.Finding:
    focus = _node(entry.focus_node)
    shape = _node(entry.source_shape) if entry.source_shape else None
    source_file, source_line = _v._source_of(data, focus)
    document, clause, sentence = _v._context_of(data, focus)
    return _v.Finding(
        severity=_severity(entry.severity),
        message=_message(entry, shapes, shape),
        focus_node=_v._term_text(focus),
        path=_path(entry, shapes, shape),
        source_shape=_v._term_text(shape),
        source_file=source_file,
        source_line=source_line,
        document=document,
        clause=clause,
        sentence=sentence,
    )


def _node(text: str) -> Node:
    """A focus node or shape as rudof prints it: an IRI, or ``_:id`` for a blank node."""
    text = text.strip()
    if text.startswith("_:"):
        return BNode(text[2:])
    return URIRef(text.strip("<>"))


def _severity(text: str) -> _v.Severity:
    try:
        return _v.Severity.parse(text)
    except ValueError:
        # rudof's own Debug/Trace levels and custom severities: report them as infos.
        return _v.Severity.INFO


def _message(entry: pyrudof.ShaclValidationEntry, shapes: Graph, shape: Node | None) -> str:
    """The shape's sh:message (as the pyshacl path shows it), with the value appended."""
    messages = sorted({str(m) for m in shapes.objects(shape, _v.SH.message)}) if shape is not None else []
    message = " ".join(messages) if messages else "Constraint not satisfied."
    value = entry.value
    if value is not None and value != "":
        shown = _value_text(value, shapes)
        if _plain(value) not in message:
            message = f"{message} (value: {shown})"
    return message


def _plain(value: str) -> str:
    """The lexical form of a literal as rudof prints it, or the IRI."""
    if value.startswith('"'):
        return value[1 : value.rindex('"')]
    return value.strip("<>")


def _value_text(value: str, shapes: Graph) -> str:
    if value.startswith('"'):
        try:
            literal = Graph().parse(data=f"<urn:s> <urn:p> {value} .", format="nt")
            term = next(iter(literal.objects()))
            if isinstance(term, Literal):
                return term.n3(shapes.namespace_manager)
        except Exception:  # an unusual spelling falls back to rudof's own
            return value
    return value.strip("<>")


def _path(entry: pyrudof.ShaclValidationEntry, shapes: Graph, shape: Node | None) -> str | None:
    if entry.path is None or entry.path == "":
        return None
    declared = shapes.value(shape, _v.SH.path) if shape is not None else None
    if isinstance(declared, URIRef):
        return str(declared)
    if declared is not None:
        try:
            return parse_shacl_path(shapes, declared).n3()
        except (TypeError, ValueError):
            pass
    return entry.path.strip("<>")
