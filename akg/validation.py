"""Validate the graph against the SHACL shapes and turn the engine's results into findings.

Contract:

* :func:`validate` loads every ``*.ttl`` file of a shapes folder, runs an engine over them and returns a
  :class:`ValidationReport`. The engines: ``"rudof"`` (the default: rudof's native validator through
  pyrudof, see :mod:`akg.rudof_engine`) and ``"pyshacl"`` (the reference; SHACL-SPARQL stays enabled
  for shapes folders that use it). Both make the same findings; docs/validation.md says where and how
  they were made to agree.
  The data graph is expected to hold the ontology and the concept schemes, so no
  inference is run by default: ``sh:class`` and ``sh:targetClass`` follow
  ``rdfs:subClassOf`` chains in the data graph by themselves, and RDFS inference over
  ``rdfs:domain``/``rdfs:range`` would type nodes the data never typed.
* Each result becomes one :class:`Finding`, and one finding is reported once: a value that fails two
  constraints of one shape (e.g. ``sh:datatype`` and ``sh:pattern``) is one finding of that shape.
  Its source file and line come from
  the focus node's ``akg:sourceFile``/``akg:sourceLine``, else from the obligation that
  links to the focus node (``akg:hasAssignment`` or ``akg:hasDeadline``), else ``None``.
* A finding about an obligation, or about a node an obligation owns, also names the obligation's
  document, clause (provision number) and sentence, so that a drafter can find the text itself.
* Findings are sorted deterministically: severity (Violation first), source file,
  source line, focus node, source shape, then path and message.
* The report never raises on a non-conforming graph; callers decide with
  :meth:`ValidationReport.conforms_at` what a failure is.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.extras.shacl import parse_shacl_path
from rdflib.term import Node

__all__ = [
    "DEFAULT_ENGINE",
    "ENGINES",
    "Finding",
    "Severity",
    "ValidationReport",
    "engine_findings",
    "load_shapes",
    "validate",
]

AKG = Namespace("https://w3id.org/akg/ontology#")
SH = Namespace("http://www.w3.org/ns/shacl#")

# Properties that link an obligation to the nodes it owns; used to find the
# annotation file of an assignment or deadline that carries no source itself.
_OWNED_BY_OBLIGATION = (AKG.hasAssignment, AKG.hasDeadline)
#: Every property :func:`_source_of` and :func:`_context_of` read (and ``rdf:type akg:PolicyDocument``): a graph
#: of only these triples resolves a finding's file, line and context as the whole graph does.
RESOLUTION_PROPERTIES = (
    *_OWNED_BY_OBLIGATION,
    AKG.sourceFile,
    AKG.sourceLine,
    AKG.provision,
    AKG.inDocument,
    AKG.identifier,
    AKG.number,
    AKG.text,
)


class Severity(enum.StrEnum):
    """A SHACL severity, ordered ``VIOLATION > WARNING > INFO``.

    The value is the SHACL local name ("Violation", "Warning", "Info");
    ``Severity("warning")`` and :meth:`parse` accept any case, the ``sh:`` prefix
    and the full SHACL IRI. Members are also reachable by their SHACL spelling
    (``Severity.Violation is Severity.VIOLATION``).
    """

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"
    # Aliases spelled as in SHACL.
    Violation = "Violation"
    Warning = "Warning"
    Info = "Info"

    @property
    def rank(self) -> int:
        """3 for a violation, 2 for a warning, 1 for an info."""
        return {"Violation": 3, "Warning": 2, "Info": 1}[self.value]

    @property
    def iri(self) -> URIRef:
        """The SHACL IRI, e.g. ``sh:Violation``."""
        return SH[self.value]

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Read "violation", "Warning", "sh:Info" or a SHACL severity IRI."""
        name = str(text).strip()
        for prefix in (str(SH), "sh:"):
            if name.startswith(prefix):
                name = name[len(prefix) :]
        for member in cls:
            if member.value.lower() == name.lower():
                return member
        raise ValueError(f"unknown severity {text!r}: expected violation, warning or info")

    @classmethod
    def _missing_(cls, value: object) -> Severity | None:
        try:
            return cls.parse(str(value))
        except ValueError:
            return None

    # str's own ordering is alphabetical; severities order by rank.
    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank


@dataclass(frozen=True)
class Finding:
    """One validation result.

    ``focus_node``, ``path`` and ``source_shape`` are IRIs as strings; a complex
    (non-IRI) path is given in SPARQL property-path syntax, a blank focus node as
    ``_:id``. ``path`` is ``None`` for node-level results. ``source_file`` is relative
    to the data folder, as in ``akg:sourceFile``; ``source_line`` is 1-based.
    ``document``, ``clause`` and ``sentence`` name the obligation the finding concerns
    (its document id, provision number and quoted text), or the document of a document-level
    finding; ``None`` where the finding concerns neither.
    """

    severity: Severity
    message: str
    focus_node: str
    path: str | None
    source_shape: str
    source_file: str | None
    source_line: int | None
    document: str | None = None
    clause: str | None = None
    sentence: str | None = None

    def sort_key(self) -> tuple[object, ...]:
        """Severity rank (highest first), file, line, focus node, shape, path, message."""
        return (
            -self.severity.rank,
            self.source_file is None,
            self.source_file or "",
            self.source_line is None,
            self.source_line or 0,
            self.focus_node,
            self.source_shape,
            self.path or "",
            self.message,
        )


@dataclass(frozen=True)
class ValidationReport:
    """The findings of one validation run, sorted as :meth:`Finding.sort_key` says."""

    results: tuple[Finding, ...]

    def conforms_at(self, threshold: Severity | str) -> bool:
        """True when no finding is at least as severe as ``threshold``.

        ``conforms_at(Severity.VIOLATION)`` is SHACL conformance; ``conforms_at("info")``
        asks for a report with no findings at all.
        """
        level = threshold if isinstance(threshold, Severity) else Severity.parse(threshold)
        return all(finding.severity < level for finding in self.results)

    @property
    def conforms(self) -> bool:
        """True when there is no violation."""
        return self.conforms_at(Severity.VIOLATION)

    def counts_by_severity(self) -> dict[str, int]:
        """Number of findings per severity, every severity present, most severe first."""
        counts = Counter(finding.severity for finding in self.results)
        return {member.value: counts.get(member, 0) for member in _SEVERITIES}


# Canonical members only (iterating an Enum skips aliases), most severe first.
_SEVERITIES: tuple[Severity, ...] = tuple(sorted(Severity, reverse=True))


def load_shapes(shapes_dir: Path) -> Graph:
    """Parse every ``*.ttl`` file of ``shapes_dir`` (in name order) into one graph."""
    files = sorted(Path(shapes_dir).glob("*.ttl"))
    if not files:
        raise FileNotFoundError(f"no *.ttl shapes in {shapes_dir}")
    shapes = Graph()
    for file in files:
        shapes.parse(file, format="turtle")
    return shapes


ENGINES = ("pyshacl", "rudof")
DEFAULT_ENGINE = "rudof"


def validate(
    data: Graph, shapes_dir: Path, *, inference: str = "none", engine: str = DEFAULT_ENGINE
) -> ValidationReport:
    """Validate ``data`` against the shapes in ``shapes_dir``; the data graph is not changed.

    ``engine`` is "rudof" (the default) or "pyshacl" (the reference); both make the same
    :class:`Finding` objects. ``inference`` ("none", "rdfs", "owlrl", "both") is pyshacl's; see the
    module docstring for why the default is "none". rudof runs no inference, so any other value needs
    ``engine="pyshacl"`` (ValueError otherwise). ImportError when pyrudof cannot be imported: there is
    no silent fall-back to the other engine.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r}: expected one of {', '.join(ENGINES)}")
    if engine == "rudof" and inference != "none":
        raise ValueError("the rudof engine runs no inference: use inference='none' or engine='pyshacl'")
    return _report(engine_findings(data, load_shapes(shapes_dir), engine, inference=inference))


def engine_findings(data: Graph, shapes: Graph, engine: str, *, inference: str = "none") -> list[Finding]:
    """``engine``'s findings of ``shapes`` on ``data``, unsorted and not deduplicated."""
    if engine == "rudof":
        from akg.rudof_engine import rudof_findings

        return rudof_findings(data, shapes)
    return reference_findings(data, shapes, shapes, inference=inference)


def _report(findings: list[Finding]) -> ValidationReport:
    """Each finding once (two constraints of one shape failing on one value are one finding), sorted."""
    return ValidationReport(results=tuple(sorted(dict.fromkeys(findings), key=Finding.sort_key)))


class EngineFailure(RuntimeError):
    """The engine could not validate the graph at all; the message says why and what to do."""


def reference_findings(data: Graph, run: Graph, shapes: Graph, *, inference: str = "none") -> list[Finding]:
    """pySHACL's results of the shapes graph ``run`` on ``data``, as findings, unsorted and not deduplicated.

    ``shapes`` is the full shapes graph, where the messages are looked up (``run`` may be a part of it).
    """
    import pyshacl  # here, not at the top: the default engine does not need it

    try:
        _conforms, results_graph, _text = pyshacl.validate(
            data,
            shacl_graph=run,
            advanced=True,  # SHACL-SPARQL constraints
            inference=inference,
            inplace=False,
            abort_on_first=False,
            allow_warnings=True,
            allow_infos=True,
        )
    except TypeError as exc:  # rdflib cannot order an ill-formed literal ("2026-02-30"^^xsd:date) before another
        raise EngineFailure(
            f"pySHACL cannot compare two values of the graph, one of them ill-formed ({exc}); "
            "the default engine, rudof, reports the ill-formed value: validate with --engine rudof"
        ) from None
    # The report's own results only: pyshacl also types the nested results it hangs under
    # sh:detail (the failing member shape of an sh:node) as sh:ValidationResult.
    return [
        _finding(results_graph, result, data, shapes)
        for report in results_graph.subjects(RDF.type, SH.ValidationReport)
        for result in results_graph.objects(report, SH.result)
    ]


def _finding(report: Graph, result: Node, data: Graph, shapes: Graph) -> Finding:
    focus = report.value(result, SH.focusNode)
    shape = report.value(result, SH.sourceShape)
    severity_node = report.value(result, SH.resultSeverity)
    path_node = report.value(result, SH.resultPath)
    source_file, source_line = _source_of(data, focus)
    document, clause, sentence = _context_of(data, focus)
    return Finding(
        severity=Severity.parse(str(severity_node)) if severity_node is not None else Severity.VIOLATION,
        message=_message(report, result, shapes, shape),
        focus_node=_term_text(focus),
        path=_path_text(report, path_node),
        source_shape=_term_text(shape),
        source_file=source_file,
        source_line=source_line,
        document=document,
        clause=clause,
        sentence=sentence,
    )


def _context_of(data: Graph, focus: Node | None) -> tuple[str | None, str | None, str | None]:
    """(document id, clause, sentence) of the obligation that is or owns ``focus``, or of a focus document."""
    if focus is None:
        return None, None, None
    if (focus, RDF.type, AKG.PolicyDocument) in data:
        return _literal(data, focus, AKG.identifier), None, None
    obligations = [focus] if (focus, AKG.provision, None) in data else []
    obligations += sorted({o for prop in _OWNED_BY_OBLIGATION for o in data.subjects(prop, focus)}, key=str)
    for obligation in obligations:
        provision = data.value(obligation, AKG.provision)
        if provision is None:
            continue
        document = data.value(provision, AKG.inDocument)
        return (
            _literal(data, document, AKG.identifier) if document is not None else None,
            _literal(data, provision, AKG.number),
            _literal(data, obligation, AKG.text),
        )
    return None, None, None


def _literal(data: Graph, node: Node, prop: URIRef) -> str | None:
    value = data.value(node, prop)
    return str(value) if value is not None else None


def _message(report: Graph, result: Node, shapes: Graph, shape: Node | None) -> str:
    """The most specific message of a result, naming the offending value.

    pyshacl reports both the shape's sh:message and the SPARQL constraint's
    (with its variables filled in); the constraint's says more, so the shape's
    generic one is dropped when another is present. A core constraint's message
    cannot name the value, so ``(value: ...)`` is appended when the result has one
    that the message does not already mention.
    """
    messages = sorted({str(m) for m in report.objects(result, SH.resultMessage)})
    generic = {str(m) for m in shapes.objects(shape, SH.message)} if shape is not None else set()
    specific = [m for m in messages if m not in generic]
    chosen = specific or messages
    message = " ".join(chosen) if chosen else "Constraint not satisfied."
    value = report.value(result, SH.value)
    if value is not None:
        shown = value.n3(shapes.namespace_manager) if isinstance(value, Literal) else _term_text(value)
        if str(value) not in message:
            message = f"{message} (value: {shown})"
    return message


def _source_of(data: Graph, focus: Node | None) -> tuple[str | None, int | None]:
    """The annotation file and line of ``focus``, or of the obligation that owns it."""
    if focus is None:
        return None, None
    own = _own_source(data, focus)
    if own[0] is not None:
        return own
    owners = sorted(
        {obligation for prop in _OWNED_BY_OBLIGATION for obligation in data.subjects(prop, focus)},
        key=str,
    )
    for obligation in owners:
        found = _own_source(data, obligation)
        if found[0] is not None:
            return found
    return None, None


def _own_source(data: Graph, node: Node) -> tuple[str | None, int | None]:
    files = sorted(str(f) for f in data.objects(node, AKG.sourceFile))
    if not files:
        return None, None
    lines = sorted(line for line in (_as_int(v) for v in data.objects(node, AKG.sourceLine)) if line is not None)
    return files[0], (lines[0] if lines else None)


def _as_int(value: Node) -> int | None:
    if isinstance(value, Literal):
        try:
            return int(str(value))
        except ValueError:
            return None
    return None


def _term_text(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _path_text(report: Graph, path: Node | None) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    try:
        return parse_shacl_path(report, path).n3()
    except (TypeError, ValueError):
        # pyshacl did not copy the path's structure into the report graph.
        return _term_text(path)
