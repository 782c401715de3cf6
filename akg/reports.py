"""Render a :class:`~akg.validation.ValidationReport` for people, scripts and CI tools.

``render(report, counts, fmt)`` returns the whole document as a string; ``counts`` are
the caller's graph statistics (e.g. ``{"obligations": 140}``) and are shown as given.
Every format is deterministic: findings keep the report's order and the Turtle output
uses numbered result IRIs instead of blank nodes.

Formats:

``text``
    The counts, then the findings grouped by severity, each line prefixed with
    ``file:line`` (or the focus node when no annotation file is known), then a summary
    line such as ``0 violations, 3 warnings, 140 infos``.
``json``
    One object ``{"conforms", "counts", "results"}``; ``conforms`` is true when there is
    no Violation; each result has ``severity``, ``message``, ``focusNode``, ``path``,
    ``sourceShape``, ``sourceFile`` and ``sourceLine``.
``turtle``
    A ``sh:ValidationReport`` with one ``sh:ValidationResult`` per finding, plus
    ``akg:sourceFile``/``akg:sourceLine``. Complex (non-IRI) paths are omitted, since the
    finding keeps only their SPARQL text. ``counts`` are not part of this format.
``junit``
    JUnit XML: one ``<testsuite>`` per severity (always all three, most severe first),
    one ``<testcase>`` per finding with ``file`` and ``line`` attributes. Only a
    Violation is a ``<failure>``, so a CI job fails exactly when the graph does not
    conform; a Warning or Info is a passing test case whose message is in
    ``<system-out>`` (not ``<skipped>``: the check did run). ``counts`` are
    ``<properties>`` of each suite.
``sarif``
    SARIF 2.1.0: one run whose ``tool.driver`` is ``akg`` with one rule per source
    shape that has findings; results have level ``error``/``warning``/``note``, and a
    physical location (``sourceFile`` relative to the data folder, ``startLine``) when
    the annotation file is known, a logical location (the focus node) always. Given a
    :class:`SourceRoot` (``akg validate --format sarif --sarif-root data``), every physical
    location is instead relative to the repository root (``data/documents/...``) with
    ``uriBaseId`` ``%SRCROOT%``, and ``run.originalUriBaseIds`` gives ``%SRCROOT%`` as an absolute
    ``file:`` URI. GitHub code scanning reads a relative ``uri`` as relative to the repository
    root and does not resolve ``originalUriBaseIds``, so the ``uri`` itself must carry the data
    folder's path; the base id makes the file resolvable by any SARIF consumer too.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import XSD

from akg.validation import Finding, Severity, ValidationReport

__all__ = ["FORMATS", "SRCROOT", "SourceRoot", "render", "shape_name", "summary_line"]

AKG = Namespace("https://w3id.org/akg/ontology#")
AKGSH = Namespace("https://w3id.org/akg/shapes#")
SH = Namespace("http://www.w3.org/ns/shacl#")

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
REPORT_IRI = URIRef("urn:akg:validation-report")

_ORDER: tuple[Severity, ...] = (Severity.VIOLATION, Severity.WARNING, Severity.INFO)
NO_DEADLINE_SHAPE = "Obligation-deadlineIsStatedInPolicy"  # the Warning for a duty the policy gives no deadline
_PLURAL = {Severity.VIOLATION: "violations", Severity.WARNING: "warnings", Severity.INFO: "infos"}
_SARIF_LEVEL = {Severity.VIOLATION: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
#: The SARIF base id of the repository root (the name CodeQL uses too).
SRCROOT = "%SRCROOT%"


@dataclass(frozen=True)
class SourceRoot:
    """Where the data folder sits in its repository, so that SARIF locations name repository files.

    ``data_path`` is the data folder's path from the repository root, POSIX, without a trailing slash
    ("data"; "" when the data folder is the repository root); ``root_uri`` is the repository root on
    this machine as an absolute ``file:`` URI ending in "/".
    """

    data_path: str
    root_uri: str

    @classmethod
    def locate(cls, data_dir: Path, data_path: str) -> SourceRoot:
        """The root for ``data_dir`` given its path from the repository root (``akg validate --sarif-root``).

        The repository root is ``data_dir`` less ``data_path``'s trailing segments; raises ``ValueError``
        when ``data_path`` is absolute, climbs with "..", or is not how ``data_dir``'s path ends.
        """
        relative = PurePosixPath(data_path.replace("\\", "/"))
        if relative.is_absolute() or ".." in relative.parts:
            raise ValueError(
                f"--sarif-root {data_path!r} must be the data folder's path relative to the repository root, e.g. data"
            )
        parts = tuple(part for part in relative.parts if part != ".")
        folder = Path(os.path.abspath(data_dir))
        if parts and folder.parts[-len(parts) :] != parts:
            raise ValueError(
                f"--sarif-root {data_path!r} does not match the data folder {folder}: "
                "give the data folder's path from the repository root"
            )
        root = folder.parents[len(parts) - 1] if parts else folder
        return cls("/".join(parts), root.as_uri().rstrip("/") + "/")

    def uri(self, source_file: str) -> str:
        """The repository-relative URI of a file named relative to the data folder."""
        return _uri(f"{self.data_path}/{source_file}" if self.data_path else source_file)


def render(report: ValidationReport, counts: dict[str, int], fmt: str, *, source_root: SourceRoot | None = None) -> str:
    """Render ``report`` (with the graph ``counts``) as ``fmt``, one of :data:`FORMATS`.

    ``source_root`` (SARIF only) makes every location relative to the repository root, with a base id.
    Raises ``ValueError`` for an unknown format, or a ``source_root`` with another format.
    """
    try:
        renderer = _RENDERERS[fmt.lower()]
    except KeyError:
        raise ValueError(f"unknown report format {fmt!r}: expected one of {', '.join(FORMATS)}") from None
    if fmt.lower() == "sarif":
        return _sarif(report, counts, source_root)
    if source_root is not None:
        raise ValueError(f"a source root applies to the sarif format only, not {fmt!r}")
    return renderer(report, counts)


def shape_name(source_shape: str) -> str:
    """The local name of a shape IRI ("Obligation-hasOwner"), or the IRI if it has none."""
    for separator in ("#", "/"):
        if separator in source_shape:
            tail = source_shape.rsplit(separator, 1)[1]
            if tail:
                return tail
    return source_shape


def summary_line(report: ValidationReport) -> str:
    """``"0 violations, 3 warnings, 140 infos"`` (singular for one)."""
    counts = report.counts_by_severity()
    parts = []
    for severity in _ORDER:
        n = counts[severity.value]
        parts.append(f"{n} {severity.value.lower() if n == 1 else _PLURAL[severity]}")
    return ", ".join(parts)


def _location(finding: Finding) -> str:
    if finding.source_file is None:
        return finding.focus_node
    if finding.source_line is None:
        return finding.source_file
    return f"{finding.source_file}:{finding.source_line}"


# -- text ---------------------------------------------------------------------


def _text(report: ValidationReport, counts: dict[str, int]) -> str:
    lines = ["Graph counts:"]
    width = max((len(name) for name in counts), default=0)
    lines += [f"  {name.ljust(width)}  {value}" for name, value in counts.items()]
    for severity in _ORDER:
        findings = [f for f in report.results if f.severity is severity]
        if not findings:
            continue
        lines += ["", f"{_PLURAL[severity].capitalize()} ({len(findings)}):"]
        for finding in findings:
            line = f"  {_location(finding)}: {finding.message} [{shape_name(finding.source_shape)}]"
            if finding.source_file is not None:
                line += f" <{finding.focus_node}>"
            lines.append(line)
            if finding.clause is not None:
                lines.append(f"      {finding.document} {finding.clause}: {finding.sentence}")
    lines += _by_document(report)
    lines += ["", summary_line(report)]
    return "\n".join(lines) + "\n"


def _by_document(report: ValidationReport) -> list[str]:
    """A table of findings per document: each severity, and how many duties the policy sets no deadline."""
    documents = sorted({f.document for f in report.results if f.document is not None})
    if not documents:
        return []
    width = max(len(d) for d in documents)
    lines = ["", "By document:", f"  {'document'.ljust(width)}  violations  warnings  infos  no deadline stated"]
    for document in documents:
        mine = [f for f in report.results if f.document == document]
        count = {s: sum(f.severity is s for f in mine) for s in _ORDER}
        unset = sum(shape_name(f.source_shape) == NO_DEADLINE_SHAPE for f in mine)
        lines.append(
            f"  {document.ljust(width)}  {count[Severity.VIOLATION]:>10}  {count[Severity.WARNING]:>8}"
            f"  {count[Severity.INFO]:>5}  {unset:>18}"
        )
    return lines


# -- json ---------------------------------------------------------------------


def _finding_json(finding: Finding) -> dict[str, object]:
    return {
        "severity": finding.severity.value,
        "message": finding.message,
        "focusNode": finding.focus_node,
        "path": finding.path,
        "sourceShape": finding.source_shape,
        "sourceFile": finding.source_file,
        "sourceLine": finding.source_line,
        "document": finding.document,
        "clause": finding.clause,
        "sentence": finding.sentence,
    }


def _json(report: ValidationReport, counts: dict[str, int]) -> str:
    document = {
        "conforms": report.conforms_at(Severity.VIOLATION),
        "counts": counts,
        "results": [_finding_json(f) for f in report.results],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# -- turtle -------------------------------------------------------------------


def _node(text: str) -> URIRef | BNode:
    return BNode(text[2:]) if text.startswith("_:") else URIRef(text)


def _is_iri(text: str) -> bool:
    # Findings hold complex paths as SPARQL text such as "<a>|<b>" or "^<a>".
    return ":" in text and not text.startswith(("<", "^", "(", "!", "_:"))


def _turtle(report: ValidationReport, counts: dict[str, int]) -> str:
    graph = Graph()
    for prefix, namespace in (("sh", SH), ("akg", AKG), ("akgsh", AKGSH), ("xsd", XSD)):
        graph.bind(prefix, namespace)
    graph.add((REPORT_IRI, RDF.type, SH.ValidationReport))
    graph.add((REPORT_IRI, SH.conforms, Literal(report.conforms_at(Severity.VIOLATION))))
    digits = max(4, len(str(len(report.results))))
    for index, finding in enumerate(report.results, start=1):
        # Numbered IRIs, not blank nodes, so that the serialisation is stable.
        result = URIRef(f"{REPORT_IRI}:result-{index:0{digits}d}")
        graph.add((REPORT_IRI, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.resultSeverity, finding.severity.iri))
        graph.add((result, SH.resultMessage, Literal(finding.message, lang="en")))
        graph.add((result, SH.focusNode, _node(finding.focus_node)))
        graph.add((result, SH.sourceShape, _node(finding.source_shape)))
        if finding.path is not None and _is_iri(finding.path):
            graph.add((result, SH.resultPath, URIRef(finding.path)))
        if finding.source_file is not None:
            graph.add((result, AKG.sourceFile, Literal(finding.source_file)))
        if finding.source_line is not None:
            graph.add((result, AKG.sourceLine, Literal(finding.source_line, datatype=XSD.integer)))
    # rdflib's Turtle serializer sorts subjects and predicates; objects of one
    # predicate are sorted too, so equal graphs serialise to equal text.
    return graph.serialize(format="turtle")


# -- junit --------------------------------------------------------------------


def _junit(report: ValidationReport, counts: dict[str, int]) -> str:
    total_failures = sum(1 for f in report.results if f.severity is Severity.VIOLATION)
    root = ET.Element(
        "testsuites",
        {
            "name": "akg validation",
            "tests": str(len(report.results)),
            "failures": str(total_failures),
            "errors": "0",
        },
    )
    for severity in _ORDER:
        findings = [f for f in report.results if f.severity is severity]
        failures = len(findings) if severity is Severity.VIOLATION else 0
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": f"akg.shapes.{severity.value}",
                "tests": str(len(findings)),
                "failures": str(failures),
                "errors": "0",
                "skipped": "0",
            },
        )
        if counts:
            properties = ET.SubElement(suite, "properties")
            for name, value in counts.items():
                ET.SubElement(properties, "property", {"name": f"count.{name}", "value": str(value)})
        for finding in findings:
            attributes = {
                "name": f"{shape_name(finding.source_shape)} {finding.focus_node}",
                "classname": f"akg.shapes.{shape_name(finding.source_shape)}",
            }
            if finding.source_file is not None:
                attributes["file"] = finding.source_file
            if finding.source_line is not None:
                attributes["line"] = str(finding.source_line)
            case = ET.SubElement(suite, "testcase", attributes)
            details = _details(finding)
            if severity is Severity.VIOLATION:
                failure = ET.SubElement(case, "failure", {"message": finding.message, "type": severity.value})
                failure.text = details
            else:
                ET.SubElement(case, "system-out").text = f"{severity.value}: {finding.message}\n{details}"
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _details(finding: Finding) -> str:
    lines = [
        f"location: {_location(finding)}",
        f"focus node: {finding.focus_node}",
        f"source shape: {finding.source_shape}",
    ]
    if finding.path is not None:
        lines.append(f"path: {finding.path}")
    return "\n".join(lines)


# -- sarif --------------------------------------------------------------------


def _uri(path: str) -> str:
    # A SARIF uri is a URI reference: a space or a Chinese file name is percent-encoded.
    return quote(path, safe="/")


def _sarif(report: ValidationReport, counts: dict[str, int], root: SourceRoot | None = None) -> str:
    shapes = sorted({f.source_shape for f in report.results})
    rule_index = {shape: index for index, shape in enumerate(shapes)}
    rules = []
    for shape in shapes:
        # A shape has one severity; take the most severe seen to be safe.
        worst = max(f.severity for f in report.results if f.source_shape == shape)
        rule: dict[str, object] = {
            "id": shape_name(shape),
            "name": shape_name(shape),
            "shortDescription": {"text": f"SHACL shape {shape_name(shape)}"},
            "defaultConfiguration": {"level": _SARIF_LEVEL[worst]},
            "properties": {"shape": shape},
        }
        if shape.startswith(("http://", "https://")):
            rule["helpUri"] = shape
        rules.append(rule)
    results = []
    for finding in report.results:
        location: dict[str, object] = {
            "logicalLocations": [{"fullyQualifiedName": finding.focus_node, "kind": "object"}]
        }
        if finding.source_file is not None:
            artifact: dict[str, object] = (
                {"uri": root.uri(finding.source_file), "uriBaseId": SRCROOT}
                if root is not None
                else {"uri": _uri(finding.source_file)}
            )
            physical: dict[str, object] = {"artifactLocation": artifact}
            if finding.source_line is not None and finding.source_line >= 1:
                physical["region"] = {"startLine": finding.source_line}
            location = {"physicalLocation": physical, **location}
        results.append(
            {
                "ruleId": shape_name(finding.source_shape),
                "ruleIndex": rule_index[finding.source_shape],
                "level": _SARIF_LEVEL[finding.severity],
                "message": {"text": finding.message},
                "locations": [location],
                "properties": {
                    "severity": finding.severity.value,
                    "focusNode": finding.focus_node,
                    "path": finding.path,
                    "sourceShape": finding.source_shape,
                },
            }
        )
    run: dict[str, object] = {
        "tool": {"driver": {"name": "akg", "informationUri": "https://w3id.org/akg", "rules": rules}},
    }
    if root is not None:
        run["originalUriBaseIds"] = {
            SRCROOT: {"uri": root.root_uri, "description": {"text": "The root of the repository that holds the data."}}
        }
    run["results"] = results
    run["properties"] = {"counts": counts}
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


_RENDERERS: dict[str, Callable[[ValidationReport, dict[str, int]], str]] = {
    "text": _text,
    "json": _json,
    "turtle": _turtle,
    "junit": _junit,
    "sarif": _sarif,
}

#: The formats :func:`render` accepts.
FORMATS: tuple[str, ...] = tuple(_RENDERERS)
