"""Duty instances: each obligation of a provincial document, as it binds each jurisdiction's body.

A document that ``applies in`` a jurisdiction (``jurisdiction:`` in its document.yaml) binds the
bodies of that jurisdiction and of the divisions within it. An obligation whose lead is a body of
the city or county level (``city-civil-affairs``, ``county-childrens-welfare-institutions``, ...)
becomes one duty instance per jurisdiction at that level, and per occurrence of a recurring
deadline. The instance is owned by the jurisdiction's body of the lead's sector (``<sector>@<code>``,
see loader/jurisdictions.py): the bureau reports for the institutions it runs. It is reviewed by the
body the text says is informed at the province level (the Provincial Child Welfare Office for the
Hubei closing paragraph), else by the issuing provincial department of the lead's sector.

Instances are derived, never typed in; their ids are stable while the obligation id, the division
code and the due date are: ``<document>/<obligation>@<code>`` and, for a recurring deadline,
``<document>/<obligation>@<code>/<due date>``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from rdflib import RDF, XSD, Graph, Literal, URIRef

from loader.errors import ProblemLog
from loader.namespaces import AKG, concept_iri, counterpart_id, duty_instance_iri, organization_iri

LEVELS = ("city", "county")  # the levels whose bodies report; province-level duties have one body each
_LEAD_ROLES = (concept_iri("roles", "lead"), concept_iri("roles", "responsible"))
_INFORMED = concept_iri("roles", "informed")
_PROVINCE = concept_iri("levels", "province")
_DUE_KINDS = (concept_iri("deadline-kinds", "date"), concept_iri("deadline-kinds", "inherited"))


def add_duty_instances(graph: Graph, log: ProblemLog) -> int:
    """Add the duty instances of every document with ``akg:appliesIn``; return how many.

    Problems (an unknown jurisdiction, a body missing for a sector, leads of several sectors at one
    level) are logged against the document's or the obligation's source file and line.
    """
    count = 0
    for document, scope in sorted(graph.subject_objects(AKG.appliesIn)):
        if (scope, RDF.type, AKG.Jurisdiction) not in graph:
            code = str(graph.value(scope, AKG.identifier) or str(scope).rsplit("/", 1)[-1])
            _problem(graph, log, document, f"jurisdiction {code!r} is not a division of data/jurisdictions.yaml")
            continue
        by_level = _jurisdictions_by_level(graph, scope)
        provisions = set(graph.subjects(AKG.inDocument, document))
        obligations = {o for p in provisions for o in graph.subjects(AKG.provision, p)}
        for obligation in sorted(obligations):
            if (obligation, RDF.type, AKG.Obligation) in graph:
                count += _instances_of(graph, log, document, obligation, by_level)
    return count


def _jurisdictions_by_level(graph: Graph, scope: URIRef) -> dict[URIRef, list[URIRef]]:
    """The jurisdictions within ``scope`` (itself included), by level, in code order."""
    within: set[URIRef] = set()
    frontier = [scope]
    while frontier:
        node = frontier.pop()
        if node not in within:
            within.add(node)
            frontier.extend(graph.subjects(AKG.withinJurisdiction, node))
    result: dict[URIRef, list[URIRef]] = defaultdict(list)
    for jurisdiction in within:
        for level in graph.objects(jurisdiction, AKG.jurisdictionLevel):
            result[level].append(jurisdiction)
    for members in result.values():
        members.sort(key=lambda j: str(graph.value(j, AKG.identifier)))
    return result


def _instances_of(
    graph: Graph, log: ProblemLog, document: URIRef, obligation: URIRef, by_level: dict[URIRef, list[URIRef]]
) -> int:
    leads = _leads(graph, obligation)
    if not leads:
        return 0
    doc_id = str(graph.value(document, AKG.identifier))
    ob_id = str(graph.value(obligation, AKG.identifier))
    dues = list(_due_dates(graph, obligation))
    deadline = graph.value(obligation, AKG.hasDeadline)
    recurring = deadline is not None and graph.value(deadline, AKG.instanceDate) is not None
    count, seen = 0, set()
    for level_name in LEVELS:
        level = concept_iri("levels", level_name)
        sectors = sorted({sector for org, org_level, sector in leads if org_level == level and sector is not None})
        if not sectors:
            continue
        if len(sectors) > 1:
            names = ", ".join(s.rsplit("/", 1)[-1] for s in sectors)
            _problem(
                graph,
                log,
                obligation,
                f"leads of several sectors at the {level_name} level ({names}): "
                "a duty instance has one owner; split the obligation or name one lead",
            )
            continue
        sector = sectors[0].rsplit("/", 1)[-1]
        reviewer = _reviewer(graph, document, obligation, sectors[0])
        if reviewer is None:
            _problem(
                graph,
                log,
                obligation,
                f"no reviewer: no province-level body is informed and no issuer "
                f"of the document is of sector {sector!r}",
            )
            continue
        for jurisdiction in by_level.get(level, []):
            code = str(graph.value(jurisdiction, AKG.identifier))
            owner = organization_iri(counterpart_id(sector, code))
            if (owner, AKG.jurisdiction, jurisdiction) not in graph:
                _problem(
                    graph,
                    log,
                    obligation,
                    f"no body {counterpart_id(sector, code)!r} for this duty: add "
                    f"{sector!r} to the counterpart sectors of data/jurisdictions.yaml",
                )
                return count
            if jurisdiction in seen:  # a unit at both levels (Xiantao...) binds once, at the first
                continue
            seen.add(jurisdiction)
            for due in dues or [None]:
                _add(graph, doc_id, ob_id, obligation, jurisdiction, code, owner, reviewer, due, recurring, level)
                count += 1
    return count


def _leads(graph: Graph, obligation: URIRef) -> list[tuple[URIRef, URIRef | None, URIRef | None]]:
    """(organisation, level, sector) of the obligation's lead assignments, else its responsible ones."""
    for role in _LEAD_ROLES:
        orgs = [
            graph.value(a, AKG.organization)
            for a in graph.objects(obligation, AKG.hasAssignment)
            if (a, AKG.role, role) in graph
        ]
        if orgs:
            return [(o, graph.value(o, AKG.level), graph.value(o, AKG.sector)) for o in sorted(orgs)]
    return []


def _reviewer(graph: Graph, document: URIRef, obligation: URIRef, sector: URIRef) -> URIRef | None:
    informed = sorted(
        graph.value(a, AKG.organization)
        for a in graph.objects(obligation, AKG.hasAssignment)
        if (a, AKG.role, _INFORMED) in graph
    )
    provincial = [o for o in informed if (o, AKG.level, _PROVINCE) in graph]
    if len(provincial) == 1:
        return provincial[0]
    issuers = sorted(o for o in graph.objects(document, AKG.issuedBy) if (o, AKG.sector, sector) in graph)
    return issuers[0] if issuers else None


def _due_dates(graph: Graph, obligation: URIRef) -> Iterator[Literal]:
    """The dates an instance is due: each occurrence of a recurrence, or the one date of a dated deadline.

    An effective date (the duty applies from it) and deadlines without a date give none.
    """
    deadline = graph.value(obligation, AKG.hasDeadline)
    if deadline is None:
        return
    occurrences = sorted(graph.objects(deadline, AKG.instanceDate), key=str)
    if occurrences:
        yield from occurrences
    elif graph.value(deadline, AKG.deadlineKind) in _DUE_KINDS and (date := graph.value(deadline, AKG.date)):
        yield date


def _add(
    graph: Graph,
    doc_id: str,
    ob_id: str,
    obligation: URIRef,
    jurisdiction: URIRef,
    code: str,
    owner: URIRef,
    reviewer: URIRef,
    due: Literal | None,
    recurring: bool,
    level: URIRef,
) -> None:
    suffix = str(due) if recurring and due is not None else None
    iri = duty_instance_iri(doc_id, ob_id, code, suffix)
    ident = f"{doc_id}/{ob_id}@{code}" + (f"/{suffix}" if suffix else "")
    graph.add((iri, RDF.type, AKG.DutyInstance))
    graph.add((iri, AKG.identifier, Literal(ident)))
    graph.add((iri, AKG.instanceOf, obligation))
    graph.add((iri, AKG.inJurisdiction, jurisdiction))
    graph.add((iri, AKG.dutyLevel, level))
    graph.add((iri, AKG.owner, owner))
    graph.add((iri, AKG.reviewer, reviewer))
    if due is not None:
        graph.add((iri, AKG.due, Literal(str(due), datatype=XSD.date)))


def _problem(graph: Graph, log: ProblemLog, node: URIRef, message: str) -> None:
    file = graph.value(node, AKG.sourceFile)
    line = graph.value(node, AKG.sourceLine)
    log.add(str(file) if file else str(node), int(line) if line is not None else None, message)
