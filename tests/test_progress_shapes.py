"""Each check of shapes/akg-progress-shapes.ttl, on a small valid graph and on one defect planted at a time.

The valid graph holds one duty instance (as the corpus derives it), one report on it, its review and the
audit entry of the report. Every property shape has a negative case here, and none fires on the valid graph.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyshacl
import pytest
from rdflib import Graph, Namespace
from rdflib.namespace import RDF, SH

from akg.resources import shapes_dir

AKGSH = Namespace("https://w3id.org/akg/shapes#")
SHAPES_FILE = shapes_dir() / "akg-progress-shapes.ttl"

PREFIXES = """
@prefix akg: <https://w3id.org/akg/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rs: <https://w3id.org/akg/id/report-status/> .
@prefix rd: <https://w3id.org/akg/id/review-decision/> .
@prefix aa: <https://w3id.org/akg/id/audit-action/> .
@prefix level: <https://w3id.org/akg/id/level/> .
@prefix ex: <https://w3id.org/akg/id/> .
"""

VALID = {
    "instance": """ex:duty a akg:DutyInstance ; akg:identifier "hubei-2022-child-welfare/closing-1@420100" ;
        akg:instanceOf ex:ob ; akg:inJurisdiction ex:wuhan ; akg:dutyLevel level:city ;
        akg:owner ex:bureau ; akg:reviewer ex:office ; akg:due "2022-11-20"^^xsd:date .""",
    "context": """ex:ob a akg:Obligation ; akg:provision ex:prov . ex:prov akg:inDocument ex:doc .
        ex:doc akg:dateSigned "2022-08-30"^^xsd:date . ex:wuhan a akg:Jurisdiction .
        ex:bureau a akg:Organization . ex:office a akg:Organization .""",
    "report": """ex:report a akg:Report ; akg:concerns ex:duty ; akg:status rs:done ;
        akg:reportedOn "2022-11-18"^^xsd:date ; akg:receivedOn "2022-11-18"^^xsd:date ;
        akg:summary "Plan sent." ; akg:reportedBy ex:bureau ;
        akg:evidenceUrl "https://example.org/plan.pdf"^^xsd:anyURI ;
        akg:evidenceSha256 "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" .""",
    "review": """ex:review a akg:Review ; akg:reviews ex:report ; akg:reviewedBy ex:office ;
        akg:decision rd:returned ; akg:comment "Attach the annex." .""",
    "audit": """ex:entry a akg:AuditEntry ; akg:auditAction aa:submit-report ; prov:wasAssociatedWith ex:bureau ;
        akg:viaToken "0123456789" ; prov:endedAtTime "2022-11-18T09:00:00+00:00"^^xsd:dateTime ;
        prov:generated ex:report ; akg:sequence 1 .""",
}


@dataclass(frozen=True)
class Case:
    shape: str
    part: str  # which part of VALID to change
    old: str  # text replaced in it ("" appends ``new``)
    new: str


def _graph(case: Case | None = None) -> Graph:
    parts = dict(VALID)
    if case is not None:
        assert case.old in parts[case.part], case
        if case.old:
            parts[case.part] = parts[case.part].replace(case.old, case.new)
        else:
            parts[case.part] += case.new
    graph = Graph()
    graph.parse(data=PREFIXES + "\n".join(parts.values()), format="turtle")
    return graph


def _run(graph: Graph) -> list[tuple[str, str]]:
    """(source shape, severity) of each result of the progress shapes alone on ``graph``."""
    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    _conforms, results, _text = pyshacl.validate(graph, shacl_graph=shapes, inference="none")
    return sorted(
        (
            str(results.value(r, SH.sourceShape)).removeprefix(str(AKGSH)),
            str(results.value(r, SH.resultSeverity)).removeprefix(str(SH)).lower(),
        )
        for r in results.subjects(RDF.type, SH.ValidationResult)
    )


NEGATIVE = [
    Case("DutyInstance-hasIdentifier", "instance", '"hubei-2022-child-welfare/closing-1@420100"', '"closing-1"'),
    Case("DutyInstance-instanceOfObligation", "instance", "akg:instanceOf ex:ob", "akg:instanceOf ex:wuhan"),
    Case("DutyInstance-inJurisdiction", "instance", "akg:inJurisdiction ex:wuhan", "akg:inJurisdiction ex:ob"),
    Case("DutyInstance-hasDutyLevel", "instance", "level:city", "level:province"),
    Case("DutyInstance-hasOneOwner", "instance", "akg:owner ex:bureau", "akg:owner ex:bureau, ex:office"),
    Case("DutyInstance-hasOneReviewer", "instance", "akg:reviewer ex:office ;", ""),
    Case("DutyInstance-dueIsDate", "instance", '"2022-11-20"^^xsd:date', '"2022-11-20"'),
    Case("DutyInstance-dueIsDate", "instance", '"2022-11-20"^^xsd:date', '"2022-11-31"^^xsd:date'),
    Case("Report-concernsDutyInstance", "report", "akg:concerns ex:duty", "akg:concerns ex:ob"),
    Case("Report-statusInVocabulary", "report", "rs:done", "rs:finished"),
    Case("Report-reportedOnIsDate", "report", 'akg:reportedOn "2022-11-18"^^xsd:date', 'akg:reportedOn "soon"'),
    Case(
        "Report-reportedOnIsDate",
        "report",
        'akg:reportedOn "2022-11-18"^^xsd:date',
        'akg:reportedOn "2022-11-18T09:00:00"^^xsd:dateTime',
    ),
    Case("Report-notInTheFuture", "report", 'akg:receivedOn "2022-11-18"', 'akg:receivedOn "2022-11-17"'),
    Case("Report-notBeforeTheDocument", "context", '"2022-08-30"', '"2022-11-19"'),
    Case("Report-summaryLength", "report", '"Plan sent."', '""'),
    Case("Report-summaryHasNoIdentityNumber", "report", '"Plan sent."', '"Child 42010620150101123X placed."'),
    Case("Report-summaryHasNoMobileNumber", "report", '"Plan sent."', '"Call 13912345678."'),
    Case("Report-evidenceUrlIsWeb", "report", "https://example.org/plan.pdf", "file:///etc/passwd"),
    Case("Report-evidenceHashIsSha256", "report", '"9f86d0', '"zz86d0'),
    Case("Report-reporterOwnsInstance", "report", "akg:reportedBy ex:bureau", "akg:reportedBy ex:office"),
    Case("Review-reviewsOneReport", "review", "akg:reviews ex:report", "akg:reviews ex:duty"),
    Case("Review-decisionInVocabulary", "review", "rd:returned", "rd:maybe"),
    Case("Review-commentLength", "review", '"Attach the annex."', '""'),
    Case("Review-commentHasNoIdentityNumber", "review", '"Attach the annex."', '"See 420106201501011234."'),
    Case("Review-commentHasNoMobileNumber", "review", '"Attach the annex."', '"Ring +86 139 1234 5678."'),
    Case("Review-reviewerIsInstanceReviewer", "review", "akg:reviewedBy ex:office", "akg:reviewedBy ex:bureau"),
    Case("ReviewShape", "review", ' ; akg:comment "Attach the annex." .', " ."),
    Case("AuditEntry-actionInVocabulary", "audit", "aa:submit-report", "aa:delete-report"),
    Case("AuditEntry-hasAgent", "audit", "prov:wasAssociatedWith ex:bureau", "prov:wasAssociatedWith ex:ob"),
    Case("AuditEntry-hasToken", "audit", 'akg:viaToken "0123456789" ;', ""),
    Case("AuditEntry-hasTime", "audit", '"2022-11-18T09:00:00+00:00"^^xsd:dateTime', '"2022-11-18"^^xsd:date'),
    Case("AuditEntry-hasTime", "audit", '"2022-11-18T09:00:00+00:00"', '"2022-11-18T24:00:00+00:00"'),
    Case("AuditEntry-generatedOneRecord", "audit", "prov:generated ex:report", "prov:generated ex:report, ex:review"),
    Case("AuditEntry-hasSequence", "audit", "akg:sequence 1", "akg:sequence 0"),
]


def test_the_valid_graph_has_no_findings() -> None:
    assert _run(_graph()) == []


@pytest.mark.parametrize("case", NEGATIVE, ids=lambda c: c.shape)
def test_each_defect_is_reported_by_its_shape_as_a_violation(case: Case) -> None:
    found = _run(_graph(case))
    assert (case.shape, "violation") in found, found
    assert all(severity == "violation" for _shape, severity in found)


# Accepting a report needs no comment (returning it does: ReviewShape).
ACCEPTED_WITHOUT_COMMENT = Case(
    "ReviewShape", "review", 'rd:returned ; akg:comment "Attach the annex." .', "rd:accepted ."
)


def test_accepting_without_a_comment_is_fine() -> None:
    assert _run(_graph(ACCEPTED_WITHOUT_COMMENT)) == []


def test_every_property_shape_of_the_file_has_a_negative_case() -> None:
    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    declared = {str(s).removeprefix(str(AKGSH)) for s in shapes.subjects(RDF.type, SH.PropertyShape)}
    assert declared - {case.shape for case in NEGATIVE} == set()
