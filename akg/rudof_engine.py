"""The rudof engine: run the SHACL shapes through pyrudof (the Rust engine rudof) and make Findings.

Contract:

* :func:`rudof_findings` gives the data graph to rudof as N-Triples and the shapes graph as
  Turtle, runs rudof's native SHACL validator and turns each result into the same
  :class:`akg.validation.Finding` that the pyshacl engine makes: source file, line and the
  obligation's context are resolved from the data graph by the same helpers; the message is
  the source shape's ``sh:message`` plus ``(value: ...)``, as on the pyshacl path; the path is
  the source shape's ``sh:path`` in SPARQL property-path syntax, as pyshacl reports it.
* rudof runs no inference: any ``inference`` other than ``"none"`` is refused by the caller.
* pyrudof is an optional dependency (``pip install 'akg[rudof]'``); importing this module
  without it raises ImportError with that hint.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.extras.shacl import parse_shacl_path
from rdflib.term import Node

from akg import validation as _v

try:
    import pyrudof
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("the rudof engine needs pyrudof: pip install 'akg[rudof]'") from exc

__all__ = ["rudof_findings"]


def rudof_findings(data: Graph, shapes: Graph) -> list[_v.Finding]:
    """Validate ``data`` against ``shapes`` with rudof; one Finding per result, unsorted."""
    session = pyrudof.Rudof(pyrudof.RudofConfig())
    session.read_data(data.serialize(format="nt"), format=pyrudof.RDFFormat.NTriples)
    session.read_shacl(shapes.serialize(format="turtle"), format=pyrudof.ShaclFormat.Turtle)
    report = session.validate_shacl(mode=pyrudof.ShaclValidationMode.Native)
    return [_finding(entry, data, shapes) for entry in report]


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
