"""Reading a graph into the in-memory indexes that the accountability queries answer from.

The graph is read only through a store's ``select`` (see :mod:`akg.store`), with a fixed handful of SPARQL
SELECTs; :func:`load_index` turns their rows into records (:mod:`akg.accountability.records`) keyed by the
stable ids of docs/model.md, so that no question asked afterwards touches the store again (no N+1).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from akg.accountability.records import (
    AssignmentRecord,
    CitationRecord,
    CitedDocumentRecord,
    Concept,
    DeadlineRecord,
    DocumentRecord,
    EligibilityRecord,
    JurisdictionRecord,
    LinkEnd,
    LinkRecord,
    ObligationRecord,
    OrganizationRecord,
    ProcedureRecord,
    ProvisionRecord,
    StepRecord,
)
from akg.store import GraphStore

AKG = "https://w3id.org/akg/ontology#"
ID = "https://w3id.org/akg/id/"
SCHEME_NS = ID + "scheme/"
SCHEMES = (
    *("sectors", "levels", "needs", "capacities", "groups", "roles", "modalities", "bases"),
    *("deadline-kinds", "time-units", "periods"),
)
ORGANIZATION_KINDS = {
    AKG + "Department": "DEPARTMENT",
    AKG + "Institution": "INSTITUTION",
    AKG + "Government": "GOVERNMENT",
    AKG + "Community": "COMMUNITY",
    AKG + "Family": "FAMILY",
    AKG + "SocialActor": "SOCIETY",
    AKG + "OtherBody": "OTHER",
}
RELATIONS = {
    AKG + "implements": "implements",
    AKG + "basedOn": "based_on",
    AKG + "cites": "cites",
    AKG + "restates": "restates",
}

_PREFIXES = """
PREFIX akg: <https://w3id.org/akg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

Row = dict[str, Any]
ProvisionKey = tuple[str, str]  # (document id, provision number)


@dataclass(frozen=True)
class Index:
    """Every record of one graph, keyed by id and kept in the orders the queries answer in."""

    concepts: dict[str, dict[str, Concept]]  # scheme -> id -> concept, vocabulary order
    ordered: dict[str, list[Concept]]  # scheme -> concepts, trees depth first (each before its narrower ones)
    descendants: dict[str, frozenset[str]]  # need -> itself and every need below it
    organizations: dict[str, OrganizationRecord]  # by id
    documents: dict[str, DocumentRecord]  # by id
    provisions: dict[ProvisionKey, ProvisionRecord]  # document order
    provision_order: dict[ProvisionKey, int]  # position in ``provisions``
    citations: list[CitationRecord]  # by document, then citation number
    cited: dict[str, CitedDocumentRecord]  # by id
    obligations: dict[str, ObligationRecord]  # document order
    by_provision: dict[ProvisionKey, list[ObligationRecord]]  # text order
    role_rank: dict[str, int]  # role id -> position in the roles vocabulary
    replaced_by: dict[tuple[str, str], str]  # (scheme, deprecated id) -> the id that replaces it
    links: list[LinkRecord]  # by source document, then source order
    eligibility: dict[str, EligibilityRecord]  # by id, document order
    procedures: dict[str, ProcedureRecord]  # by id, document order
    jurisdictions: dict[str, JurisdictionRecord] = field(default_factory=dict)  # by code, code order
    bodies: dict[tuple[str, str], str] = field(default_factory=dict)  # (collective, jurisdiction) -> its body there

    def rank(self, scheme: str) -> dict[str, int]:
        """Concept id -> position in the vocabulary order of ``scheme``."""
        return positions(self.ordered.get(scheme, []))


def load_index(store: GraphStore) -> Index:
    """Every index of ``store`` (any object with ``select``), read with a fixed handful of SELECT queries."""
    return _Loader(store).index


def positions(concepts: Iterable[Concept]) -> dict[str, int]:
    """Concept id -> its position in ``concepts``."""
    return {c.id: n for n, c in enumerate(concepts)}


def _select(store: GraphStore, query: str) -> list[Row]:
    return store.select(_PREFIXES + query)


def _tail(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) else None


def _date(value: Any) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


def _first_per_id(rows: Iterable[Row]) -> dict[str, Row]:
    """Each ``?id`` with the first of its rows, by id (the store's order among rows of one id)."""
    first: dict[str, Row] = {}
    for row in sorted(rows, key=lambda r: str(r["id"])):
        first.setdefault(str(row["id"]), row)
    return first


def _first_values(rows: Iterable[Row], subject: str, keys: Iterable[str]) -> dict[str, Row]:
    """Per ``?subject`` (first seen first): the first value bound to each of ``keys``; unbound keys are absent."""
    merged: dict[str, Row] = {}
    for row in rows:
        entry = merged.setdefault(str(row[subject]), {})
        for key in keys:
            if row.get(key) is not None:
                entry.setdefault(key, row[key])
    return merged


class _Loader:
    """Reads the rows of a store into records; the IRI -> id maps it keeps are needed only while it reads."""

    def __init__(self, store: GraphStore) -> None:
        self._load_concepts(store)
        self._load_jurisdictions(store)
        self._load_organizations(store)
        self._load_documents(store)
        self._load_provisions(store)
        self._load_citations(store)
        self._load_obligations(store)
        self._load_links(store)
        self._load_procedures(store)
        self.index = Index(
            concepts=self._concepts,
            ordered=self._ordered,
            descendants=self._descendants,
            organizations=self._organizations,
            documents=self._documents,
            provisions=self._provisions,
            provision_order=self._provision_order,
            citations=self._citations,
            cited=self._cited,
            obligations=self._obligations,
            by_provision=self._by_provision,
            role_rank=self._role_rank,
            replaced_by=self._replaced_by,
            links=self._links,
            eligibility=self._eligibility,
            procedures=self._procedures,
            jurisdictions=self._jurisdictions,
            bodies=self._bodies,
        )

    def _rank(self, scheme: str) -> dict[str, int]:
        return positions(self._ordered.get(scheme, []))

    @staticmethod
    def _labels(store: GraphStore) -> dict[str, dict[str, str]]:
        rows = _select(store, "SELECT ?s ?label (LANG(?label) AS ?lang) WHERE { ?s skos:prefLabel ?label }")
        labels: dict[str, dict[str, str]] = defaultdict(dict)
        for row in rows:
            labels[str(row["s"])][str(row["lang"] or "en").lower()] = str(row["label"])
        return labels

    def _load_concepts(self, store: GraphStore) -> None:
        self._label_index = self._labels(store)
        rows = _select(
            store,
            """
            SELECT ?c ?scheme ?notation ?definition ?broader ?rank ?order ?letter WHERE {
              ?c skos:inScheme ?scheme ; skos:notation ?notation .
              FILTER(STRSTARTS(STR(?scheme), "SCHEME_NS"))
              OPTIONAL { ?c skos:definition ?definition FILTER(LANG(?definition) IN ("en", "")) }
              OPTIONAL { ?c skos:broader ?broader }
              OPTIONAL { ?c akg:rank ?rank }
              OPTIONAL { ?c akg:order ?order }
              OPTIONAL { ?c akg:letter ?letter }
            }""".replace("SCHEME_NS", SCHEME_NS),
        )
        raw = _first_values(rows, "c", ("scheme", "notation", "definition", "broader", "rank", "order", "letter"))
        self._concept_ids: dict[str, tuple[str, str]] = {
            iri: (_tail(str(e["scheme"])), str(e["notation"])) for iri, e in raw.items()
        }
        children: dict[str, list[str]] = defaultdict(list)
        for iri, e in raw.items():
            if e.get("broader") in self._concept_ids:
                children[self._concept_ids[e["broader"]][1]].append(iri)

        def sort_key(iri: str) -> tuple[int, int, str]:
            e = raw[iri]
            rank = _int(e.get("rank"))
            if rank is None:
                rank = _int(e.get("order"))
            return (0 if rank is not None else 1, rank or 0, self._concept_ids[iri][1])

        self._concepts: dict[str, dict[str, Concept]] = {name: {} for name in SCHEMES}
        for iri in sorted(raw, key=sort_key):
            e = raw[iri]
            scheme, ident = self._concept_ids[iri]
            broader = self._concept_ids.get(str(e["broader"]), (None, None))[1] if e.get("broader") else None
            kids = tuple(self._concept_ids[k][1] for k in sorted(children.get(ident, []), key=sort_key))
            concept = Concept(
                id=ident, scheme=scheme, labels=dict(self._label_index.get(iri, {})),
                definition=_str(e.get("definition")), broader=broader, narrower=kids,
                rank=_int(e.get("rank")), letter=_str(e.get("letter")),
            )  # fmt: skip
            self._concepts.setdefault(scheme, {})[ident] = concept
        # Tree order: each top concept, then its narrower concepts, depth first.
        self._ordered: dict[str, list[Concept]] = {}
        for scheme, by_id in self._concepts.items():
            ordered: list[Concept] = []

            def visit(concept: Concept, by_id: dict[str, Concept] = by_id, ordered: list[Concept] = ordered) -> None:
                ordered.append(concept)
                for kid in concept.narrower:
                    if kid in by_id:
                        visit(by_id[kid])

            for concept in by_id.values():
                if concept.broader is None or concept.broader not in by_id:
                    visit(concept)
            self._ordered[scheme] = ordered
        self._replaced_by: dict[tuple[str, str], str] = {}
        for row in _select(store, "SELECT ?old ?new WHERE { ?old dcterms:isReplacedBy ?new }"):
            old, new = self._concept_ids.get(str(row["old"])), self._concept_ids.get(str(row["new"]))
            if old and new and old[0] == new[0]:
                self._replaced_by[old] = new[1]
        self._descendants: dict[str, frozenset[str]] = {}
        for concept in self._concepts["needs"].values():
            found, stack = {concept.id}, list(concept.narrower)
            while stack:
                kid = stack.pop()
                if kid not in found and kid in self._concepts["needs"]:
                    found.add(kid)
                    stack.extend(self._concepts["needs"][kid].narrower)
            self._descendants[concept.id] = frozenset(found)

    def _concept_id(self, iri: Any, scheme: str | None = None) -> str | None:
        found = self._concept_ids.get(str(iri)) if iri is not None else None
        if found is None or (scheme is not None and found[0] != scheme):
            return None
        return found[1]

    def _load_jurisdictions(self, store: GraphStore) -> None:
        rows = _select(
            store,
            """
            SELECT ?j ?id ?level ?parent ?type (LANG(?type) AS ?lang) WHERE {
              ?j a akg:Jurisdiction ; akg:identifier ?id .
              OPTIONAL { ?j akg:jurisdictionLevel ?level }
              OPTIONAL { ?j akg:withinJurisdiction/akg:identifier ?parent }
              OPTIONAL { ?j akg:divisionType ?type }
            }""",
        )
        level_rank = self._rank("levels")
        found: dict[str, dict[str, Any]] = {}
        for row in rows:
            entry = found.setdefault(str(row["id"]), {"iri": str(row["j"]), "levels": set(), "types": {}})
            if (level := self._concept_id(row["level"], "levels")) is not None:
                entry["levels"].add(level)
            if row["parent"] is not None:
                entry.setdefault("parent", str(row["parent"]))
            if row["type"] is not None:
                entry["types"].setdefault(str(row["lang"] or "zh").lower(), str(row["type"]))
        children: dict[str, list[str]] = defaultdict(list)
        for code, entry in found.items():
            if entry.get("parent") in found:
                children[entry["parent"]].append(code)
        self._jurisdiction_iris = {entry["iri"]: code for code, entry in found.items()}
        self._jurisdictions: dict[str, JurisdictionRecord] = {
            code: JurisdictionRecord(
                id=code,
                labels=dict(self._label_index.get(entry["iri"], {})),
                levels=tuple(sorted(entry["levels"], key=lambda lv: (level_rank.get(lv, 99), lv))),
                parent=entry.get("parent"),
                types=entry["types"],
                children=tuple(sorted(children[code])),
            )
            for code, entry in sorted(found.items())
        }

    def _load_organizations(self, store: GraphStore) -> None:
        values = " ".join(f"<{iri}>" for iri in ORGANIZATION_KINDS)
        rows = _select(
            store,
            f"""
            SELECT ?o ?class ?id ?sector ?level ?vague ?collective ?signatory WHERE {{
              VALUES ?class {{ {values} }}
              ?o a ?class ; akg:identifier ?id .
              OPTIONAL {{ ?o akg:sector ?sector }}
              OPTIONAL {{ ?o akg:level ?level }}
              OPTIONAL {{ ?o akg:vague ?vague }}
              OPTIONAL {{ ?o akg:collective ?collective }}
              BIND(EXISTS {{ ?d akg:signatory ?o }} AS ?signatory)
            }}""",
        )
        self._org_iris: dict[str, str] = {str(row["o"]): ident for ident, row in _first_per_id(rows).items()}
        level_rank = self._rank("levels")
        levels: dict[str, set[str]] = defaultdict(set)  # a directly administered unit's bureau is at two
        for row in rows:
            if (level := self._concept_id(row["level"], "levels")) is not None:
                levels[str(row["id"])].add(level)
        counterparts: dict[str, set[str]] = defaultdict(set)
        for row in _select(store, "SELECT ?a ?b WHERE { ?a akg:counterpart ?b }"):
            a, b = self._org_iris.get(str(row["a"])), self._org_iris.get(str(row["b"]))
            if a and b:
                counterparts[a].add(b)
        jurisdiction: dict[str, str] = {}
        member_of: dict[str, set[str]] = defaultdict(set)
        for row in _select(store, "SELECT ?o ?p ?v WHERE { VALUES ?p { akg:jurisdiction akg:memberOf } ?o ?p ?v }"):
            org = self._org_iris.get(str(row["o"]))
            if org is None:
                continue
            if str(row["p"]) == AKG + "jurisdiction" and (code := self._jurisdiction_iris.get(str(row["v"]))):
                jurisdiction.setdefault(org, code)
            elif (collective := self._org_iris.get(str(row["v"]))) is not None:
                member_of[org].add(collective)
        self._organizations: dict[str, OrganizationRecord] = {}
        self._bodies: dict[tuple[str, str], str] = {}
        for ident, row in _first_per_id(rows).items():
            own = tuple(sorted(levels[ident], key=lambda lv: (level_rank.get(lv, 99), lv)))
            self._organizations[ident] = OrganizationRecord(
                id=ident,
                labels=dict(self._label_index.get(str(row["o"]), {})),
                kind=ORGANIZATION_KINDS[str(row["class"])],
                sector=self._concept_id(row["sector"], "sectors"),
                level=own[0] if own else None,
                signatory=row["signatory"] is True,
                vague=row["vague"] is True,
                collective=row["collective"] is True,
                levels=own,
                jurisdiction=jurisdiction.get(ident),
                member_of=tuple(sorted(member_of[ident])),
            )
            if ident in jurisdiction:
                for collective in member_of[ident]:
                    self._bodies.setdefault((collective, jurisdiction[ident]), ident)
        for ident, found in counterparts.items():
            # Counterparts from the top level down; the record stays frozen, so replace it.
            ordered = sorted(found, key=lambda o: (level_rank.get(self._organizations[o].level or "", 99), o))
            record = self._organizations[ident]
            self._organizations[ident] = OrganizationRecord(**{**record.__dict__, "counterparts": tuple(ordered)})

    def _load_documents(self, store: GraphStore) -> None:
        rows = _select(
            store,
            """
            SELECT ?d ?id ?signed ?published ?publisher ?number ?language ?level WHERE {
              ?d a akg:PolicyDocument ; akg:identifier ?id .
              OPTIONAL { ?d akg:dateSigned ?signed }
              OPTIONAL { ?d akg:datePublished ?published }
              OPTIONAL { ?d akg:publisher ?publisher }
              OPTIONAL { ?d akg:number ?number }
              OPTIONAL { ?d akg:language ?language }
              OPTIONAL { ?d akg:documentLevel ?level }
            }""",
        )
        titles: dict[str, dict[str, str]] = defaultdict(dict)
        for row in _select(store, "SELECT ?d ?t (LANG(?t) AS ?lang) WHERE { ?d a akg:PolicyDocument ; akg:title ?t }"):
            titles[str(row["d"])][str(row["lang"] or "en").lower()] = str(row["t"])
        parties = _select(
            store,
            """
            SELECT ?d ?p ?o WHERE {
              VALUES ?p { akg:signatory akg:addressee akg:issuedBy }
              ?d a akg:PolicyDocument ; ?p ?o .
            }""",
        )
        by_doc: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for row in parties:
            if (org := self._org_iris.get(str(row["o"]))) is not None:
                by_doc[str(row["d"])][str(row["p"])].add(org)
        self._doc_iris: dict[str, str] = {}
        self._documents: dict[str, DocumentRecord] = {}
        for ident, row in _first_per_id(rows).items():
            iri = str(row["d"])
            self._doc_iris[iri] = ident
            self._documents[ident] = DocumentRecord(
                id=ident,
                title=titles[iri].get("en") or ident,
                titles=dict(titles[iri]),
                number=_str(row["number"]),
                language=_str(row["language"]),
                level=self._concept_id(row["level"], "levels"),
                issuers=self._in_sector_order(by_doc[iri][AKG + "issuedBy"]),
                date_signed=_date(row["signed"]),
                date_published=_date(row["published"]),
                signatories=self._in_sector_order(by_doc[iri][AKG + "signatory"]),
                addressees=self._in_sector_order(by_doc[iri][AKG + "addressee"]),
                publisher=self._org_iris.get(str(row["publisher"])) if row["publisher"] else None,
            )

    def _in_sector_order(self, org_ids: Iterable[str]) -> tuple[str, ...]:
        sector_rank = self._rank("sectors")

        def key(org_id: str) -> tuple[int, str]:
            sector = self._organizations[org_id].sector
            return (sector_rank.get(sector, len(sector_rank)) if sector else len(sector_rank), org_id)

        return tuple(sorted(org_ids, key=key))

    def _load_provisions(self, store: GraphStore) -> None:
        rows = _select(
            store,
            """
            SELECT ?p ?doc ?number ?heading ?text ?start ?end ?order ?parent ?kind WHERE {
              ?p a akg:Provision ; akg:inDocument ?doc ; akg:number ?number .
              OPTIONAL { ?p akg:heading ?heading }
              OPTIONAL { ?p akg:text ?text }
              OPTIONAL { ?p akg:startOffset ?start }
              OPTIONAL { ?p akg:endOffset ?end }
              OPTIONAL { ?p akg:order ?order }
              OPTIONAL { ?p akg:isPartOf ?parent }
              OPTIONAL { ?p akg:provisionKind ?kind }
            }""",
        )
        self._provision_keys: dict[str, ProvisionKey] = {}
        for row in rows:
            if (doc := self._doc_iris.get(str(row["doc"]))) is not None:
                self._provision_keys[str(row["p"])] = (doc, str(row["number"]))
        children: dict[ProvisionKey, list[tuple[int, str]]] = defaultdict(list)
        for row in rows:
            key = self._provision_keys.get(str(row["p"]))
            parent = self._provision_keys.get(str(row["parent"])) if row["parent"] else None
            if key and parent:
                children[parent].append((_int(row["order"]) or 0, key[1]))
        provisions: dict[ProvisionKey, ProvisionRecord] = {}
        for row in rows:
            key = self._provision_keys.get(str(row["p"]))
            if key is None or key in provisions:
                continue
            parent = self._provision_keys.get(str(row["parent"])) if row["parent"] else None
            provisions[key] = ProvisionRecord(
                document=key[0],
                number=key[1],
                heading=_str(row["heading"]),
                text=_str(row["text"]) or "",
                start=_int(row["start"]) or 0,
                end=_int(row["end"]) or 0,
                order=_int(row["order"]) or 0,
                parent=parent[1] if parent else None,
                children=tuple(number for _, number in sorted(children[key])),
                kind=_str(row["kind"]) or "",
            )
        self._provisions = dict(sorted(provisions.items(), key=lambda item: (item[0][0], item[1].order)))
        self._provision_order = {key: n for n, key in enumerate(self._provisions)}

    def _load_citations(self, store: GraphStore) -> None:
        cited_rows = _select(
            store,
            """
            SELECT ?c ?id ?number ?title ?issuer WHERE {
              ?c a akg:CitedDocument ; akg:identifier ?id .
              OPTIONAL { ?c akg:number ?number }
              OPTIONAL { ?c akg:title ?title }
              OPTIONAL { ?c akg:issuerName ?issuer }
            }""",
        )
        # Every IRI of a cited document maps to its id, even where several IRIs share one id.
        self._cited_iris = {str(row["c"]): str(row["id"]) for row in sorted(cited_rows, key=lambda r: str(r["id"]))}
        self._cited = {
            ident: CitedDocumentRecord(ident, _str(row["number"]), _str(row["title"]) or ident, _str(row["issuer"]))
            for ident, row in _first_per_id(cited_rows).items()
        }
        # A corpus document that is cited is one node: its record is made from the policy document.
        cited_corpus = {
            str(row["cited"])
            for row in _select(store, "SELECT DISTINCT ?cited WHERE { ?c akg:citedDocument ?cited }")
            if str(row["cited"]) in self._doc_iris
        }
        for iri in sorted(cited_corpus):
            doc = self._documents[self._doc_iris[iri]]
            self._cited_iris[iri] = doc.id
            issuers = ", ".join(self._organizations[o].label("en") for o in doc.issuers)
            self._cited[doc.id] = CitedDocumentRecord(doc.id, doc.number, doc.title, issuers or None, in_corpus=True)
        self._cited = dict(sorted(self._cited.items()))
        rows = _select(
            store,
            """
            SELECT ?c ?doc ?cited ?relation ?provision ?quote WHERE {
              ?doc a akg:PolicyDocument ; akg:hasCitation ?c .
              ?c akg:citedDocument ?cited ; akg:relation ?relation ; akg:provision ?provision .
              OPTIONAL { ?c akg:quote ?quote }
            }""",
        )
        citations: list[tuple[tuple[str, int, str], CitationRecord]] = []
        for row in rows:
            doc, target = self._doc_iris.get(str(row["doc"])), self._cited_iris.get(str(row["cited"]))
            provision = self._provision_keys.get(str(row["provision"]))
            if doc is None or target is None or provision is None:
                continue
            tail = _tail(str(row["c"]))
            key = (doc, int(tail) if tail.isdigit() else 0, str(row["c"]))
            relation = RELATIONS.get(str(row["relation"]), _tail(str(row["relation"])))
            citations.append((key, CitationRecord(doc, target, relation, provision[1], _str(row["quote"]) or "")))
        self._citations = [record for _, record in sorted(citations, key=lambda item: item[0])]

    def _load_obligations(self, store: GraphStore) -> None:
        rows = _select(
            store,
            """
            SELECT ?ob ?id ?provision ?text ?start ?end ?modality ?action ?basis ?inherited ?all ?note ?file ?line
            WHERE {
              ?ob a akg:Obligation ; akg:identifier ?id ; akg:provision ?provision .
              OPTIONAL { ?ob akg:text ?text }
              OPTIONAL { ?ob akg:startOffset ?start }
              OPTIONAL { ?ob akg:endOffset ?end }
              OPTIONAL { ?ob akg:modality ?modality }
              OPTIONAL { ?ob akg:action ?action }
              OPTIONAL { ?ob akg:ownerBasis ?basis }
              OPTIONAL { ?ob akg:ownerInheritedFrom ?inherited }
              OPTIONAL { ?ob akg:allLevels ?all }
              OPTIONAL { ?ob akg:note ?note }
              OPTIONAL { ?ob akg:sourceFile ?file }
              OPTIONAL { ?ob akg:sourceLine ?line }
            }""",
        )
        links = _select(
            store,
            """
            SELECT ?ob ?p ?v WHERE {
              VALUES ?p { akg:servesNeed akg:concernsCapacity akg:targetGroup akg:concernsInstitution akg:cites
                          akg:addressedLevel }
              ?ob a akg:Obligation ; ?p ?v .
            }""",
        )
        assignment_rows = _select(
            store,
            """
            SELECT ?ob ?a ?org ?role ?basis WHERE {
              ?ob a akg:Obligation ; akg:hasAssignment ?a .
              ?a akg:organization ?org ; akg:role ?role .
              OPTIONAL { ?a akg:basis ?basis }
            }""",
        )
        deadline_rows = _select(
            store,
            """
            SELECT ?ob ?kind ?date ?basis ?wording ?recurrence ?derived ?instance ?amount ?unit ?trigger ?period
                   ?minimum WHERE {
              ?ob a akg:Obligation ; akg:hasDeadline ?d .
              OPTIONAL { ?d akg:deadlineKind ?kind }
              OPTIONAL { ?d akg:relativeAmount ?amount }
              OPTIONAL { ?d akg:relativeUnit ?unit }
              OPTIONAL { ?d akg:trigger ?trigger }
              OPTIONAL { ?d akg:period ?period }
              OPTIONAL { ?d akg:minimumOccurrences ?minimum }
              OPTIONAL { ?d akg:date ?date }
              OPTIONAL { ?d akg:basis ?basis }
              OPTIONAL { ?d akg:wording ?wording }
              OPTIONAL { ?d akg:recurrence ?recurrence }
              OPTIONAL { ?d akg:derivedFrom ?derived }
              OPTIONAL { ?d akg:instanceDate ?instance }
            }""",
        )
        linked: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for row in links:
            predicate, value = str(row["p"])[len(AKG) :], str(row["v"])
            ident = (
                self._org_iris.get(value)
                if predicate == "concernsInstitution"
                else self._cited_iris.get(value)
                if predicate == "cites"
                else self._concept_id(value)
            )
            if ident is not None:
                linked[str(row["ob"])][predicate].add(ident)

        role_rank = self._rank("roles")
        assignments: dict[str, dict[str, AssignmentRecord]] = defaultdict(dict)
        for row in assignment_rows:
            org, role = self._org_iris.get(str(row["org"])), self._concept_id(row["role"], "roles")
            if org is None or role is None:
                continue
            basis = self._concept_id(row["basis"], "bases") or "explicit"
            assignments[str(row["ob"])][str(row["a"])] = AssignmentRecord(org, role, basis)

        deadline_keys = ("kind", "date", "basis", "wording", "recurrence", "derived", "amount", "unit", "trigger")
        deadlines = _first_values(deadline_rows, "ob", (*deadline_keys, "period", "minimum"))
        instances_of: dict[str, set[dt.date]] = defaultdict(set)
        for row in deadline_rows:
            if (instance := _date(row["instance"])) is not None:
                instances_of[str(row["ob"])].add(instance)

        def order_of(concepts: set[str], scheme: str) -> tuple[str, ...]:
            rank = self._rank(scheme)
            return tuple(sorted(concepts, key=lambda c: (rank.get(c, len(rank)), c)))

        records: list[tuple[tuple[str, int, int, str], ObligationRecord]] = []
        obligation_ids_by_iri: dict[str, str] = {}
        for row in rows:
            iri = str(row["ob"])
            provision = self._provision_keys.get(str(row["provision"]))
            if provision is not None:
                obligation_ids_by_iri.setdefault(iri, f"{provision[0]}/{row['id']}")
        for row in rows:
            iri = str(row["ob"])
            provision = self._provision_keys.get(str(row["provision"]))
            if provision is None:
                continue
            doc, number = provision
            links_of = linked[iri]
            deadline = None
            if (d := deadlines.get(iri)) is not None:
                instances = tuple(sorted(instances_of[iri]))
                date = _date(d.get("date")) or (instances[-1] if instances else None)
                kind = self._concept_id(d.get("kind"), "deadline-kinds") or ("date" if date else "none-stated")
                derived = self._provision_keys.get(str(d.get("derived"))) if d.get("derived") else None
                deadline = DeadlineRecord(
                    kind=kind,
                    date=date,
                    basis=self._concept_id(d.get("basis"), "bases"),
                    wording=_str(d.get("wording")) or "",
                    recurrence=_str(d.get("recurrence")),
                    instances=instances or ((date,) if date else ()),
                    derived_from=derived[1] if derived else None,
                    amount=_int(d.get("amount")),
                    unit=self._concept_id(d.get("unit"), "time-units"),
                    trigger=_str(d.get("trigger")),
                    period=self._concept_id(d.get("period"), "periods"),
                    minimum=_int(d.get("minimum")),
                )
            held = sorted(
                assignments[iri].values(), key=lambda a: (role_rank.get(a.role, len(role_rank)), a.organization)
            )
            record = ObligationRecord(
                id=obligation_ids_by_iri[iri],
                document=doc,
                local_id=str(row["id"]),
                provision=number,
                text=_str(row["text"]) or "",
                start=_int(row["start"]) or 0,
                end=_int(row["end"]) or 0,
                modality=self._concept_id(row["modality"], "modalities") or "",
                action=_str(row["action"]),
                assignments=tuple(held),
                owner_basis=self._concept_id(row["basis"], "bases"),
                owner_inherited_from=obligation_ids_by_iri.get(str(row["inherited"])) if row["inherited"] else None,
                levels=order_of(links_of["addressedLevel"], "levels"),
                all_levels=row["all"] is True,
                deadline=deadline,
                needs=order_of(links_of["servesNeed"], "needs"),
                capacities=order_of(links_of["concernsCapacity"], "capacities"),
                groups=order_of(links_of["targetGroup"], "groups"),
                institutions=tuple(sorted(links_of["concernsInstitution"])),
                cites=tuple(sorted(links_of["cites"])),
                note=_str(row["note"]),
                source_file=_str(row["file"]),
                source_line=_int(row["line"]),
            )
            key = (doc, self._provision_order.get(provision, 0), record.start, record.local_id)
            records.append((key, record))
        unique: dict[str, ObligationRecord] = {}
        for _, record in sorted(records, key=lambda item: item[0]):
            unique.setdefault(record.id, record)
        self._obligations = unique
        self._obligation_iris = {iri: ident for iri, ident in obligation_ids_by_iri.items() if ident in unique}
        self._by_provision: dict[ProvisionKey, list[ObligationRecord]] = defaultdict(list)
        for record in unique.values():
            self._by_provision[(record.document, record.provision)].append(record)
        self._role_rank = role_rank

    def _link_end(self, iri: str) -> LinkEnd | None:
        if (ident := self._obligation_iris.get(iri)) is not None:
            ob = self._obligations[ident]
            return LinkEnd(ob.document, ob.provision, ident)
        if (key := self._provision_keys.get(iri)) is not None:
            return LinkEnd(key[0], key[1], None)
        return None

    def _load_links(self, store: GraphStore) -> None:
        rows = _select(
            store,
            """
            SELECT ?l ?from ?to ?relation ?quote WHERE {
              ?l a akg:Link ; akg:linkFrom ?from ; akg:linkTo ?to ; akg:relation ?relation .
              OPTIONAL { ?l akg:quote ?quote }
            }""",
        )
        links: list[tuple[tuple[str, int, int], LinkRecord]] = []
        for row in _first_per_id({**r, "id": r["l"]} for r in rows).values():
            source, target = self._link_end(str(row["from"])), self._link_end(str(row["to"]))
            if source is None or target is None:
                continue
            relation = RELATIONS.get(str(row["relation"]), _tail(str(row["relation"])))
            record = LinkRecord(relation, source, target, _str(row["quote"]) or "")
            order = self._provision_order.get((source.document, source.provision), 0)
            tail = _tail(str(row["l"]))
            links.append(((source.document, order, int(tail) if tail.isdigit() else 0), record))
        self._links = [record for _, record in sorted(links, key=lambda item: item[0])]

    def _load_procedures(self, store: GraphStore) -> None:
        """Eligibility conditions, procedures and their steps (deadlines are their obligations' records)."""
        rows = _select(
            store,
            """
            SELECT ?e ?id ?provision ?quote ?condition ?defines ?min ?below WHERE {
              ?e a akg:Eligibility ; akg:identifier ?id ; akg:provision ?provision ; akg:quote ?quote .
              OPTIONAL { ?e akg:condition ?condition FILTER(LANG(?condition) = "en") }
              OPTIONAL { ?e akg:defines ?defines }
              OPTIONAL { ?e akg:minimumAge ?min }
              OPTIONAL { ?e akg:ageBelow ?below }
            }""",
        )
        eligibility: dict[str, EligibilityRecord] = {}
        eligibility_ids: dict[str, str] = {}
        for row in rows:
            key = self._provision_keys.get(str(row["provision"]))
            if key is None:
                continue
            ident = f"{key[0]}/{row['id']}"
            eligibility_ids[str(row["e"])] = ident
            eligibility.setdefault(
                ident,
                EligibilityRecord(
                    id=ident, document=key[0], provision=key[1], quote=str(row["quote"]),
                    condition=_str(row["condition"]) or "", defines=self._concept_id(row["defines"], "groups"),
                    minimum_age=_int(row["min"]), age_below=_int(row["below"]),
                ),
            )  # fmt: skip
        order = self._provision_order
        self._eligibility = dict(
            sorted(
                eligibility.items(), key=lambda i: (i[1].document, order.get((i[1].document, i[1].provision), 0), i[0])
            )
        )

        titles: dict[str, dict[str, str]] = defaultdict(dict)
        conditions: dict[str, dict[str, str]] = defaultdict(dict)
        for row in _select(
            store,
            """
            SELECT ?s ?p ?v (LANG(?v) AS ?lang) WHERE {
              VALUES ?class { akg:Procedure akg:ProcedureStep } VALUES ?p { akg:title akg:condition }
              ?s a ?class ; ?p ?v .
            }""",
        ):
            target = titles if str(row["p"]) == AKG + "title" else conditions
            target[str(row["s"])][str(row["lang"] or "en")] = str(row["v"])
        procedures = _select(
            store,
            """
            SELECT ?pr ?id ?provision ?quote ?p ?v WHERE {
              ?pr a akg:Procedure ; akg:identifier ?id ; akg:provision ?provision ; akg:quote ?quote .
              OPTIONAL { VALUES ?p { akg:servesNeed akg:targetGroup akg:hasEligibility } ?pr ?p ?v }
            }""",
        )
        steps = _select(
            store,
            """
            SELECT ?pr ?s ?id ?order ?actor ?after ?deadline ?benefit ?note ?ob WHERE {
              ?pr a akg:Procedure ; akg:hasStep ?s .
              ?s akg:identifier ?id ; akg:stepOrder ?order ; akg:actor ?actor .
              OPTIONAL { ?s akg:stepObligation ?ob }
              OPTIONAL { ?s akg:follows/akg:identifier ?after }
              OPTIONAL { ?s akg:stepDeadline ?deadline }
              OPTIONAL { ?s akg:benefit ?benefit }
              OPTIONAL { ?s akg:note ?note }
            }""",
        )
        step_rows: dict[str, dict[str, Row]] = defaultdict(dict)
        step_obligations: dict[str, set[str]] = defaultdict(set)
        for row in steps:
            step_rows[str(row["pr"])].setdefault(str(row["s"]), row)
            if (ob := self._obligation_iris.get(str(row["ob"]))) is not None:
                step_obligations[str(row["s"])].add(ob)
        procedure_links: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        heads: dict[str, Row] = {}
        for row in procedures:
            heads.setdefault(str(row["pr"]), row)
            if row.get("p") is not None:
                value = str(row["v"])
                ident = eligibility_ids.get(value) or self._concept_id(value)
                if ident is not None:
                    procedure_links[str(row["pr"])][str(row["p"])[len(AKG) :]].add(ident)
        position = {ident: n for n, ident in enumerate(self._obligations)}  # document order
        records: dict[str, ProcedureRecord] = {}
        for iri, row in heads.items():
            key = self._provision_keys.get(str(row["provision"]))
            if key is None:
                continue
            made = []
            for s_iri, s in step_rows[iri].items():
                deadline_of = (
                    self._obligation_iris.get(str(s["deadline"]).removesuffix("/deadline")) if s["deadline"] else None
                )
                ordered = sorted(step_obligations[s_iri], key=position.__getitem__)
                made.append(
                    StepRecord(
                        id=str(s["id"]),
                        order=_int(s["order"]) or 0,
                        titles=dict(titles[s_iri]),
                        actor=self._org_iris.get(str(s["actor"]), ""),
                        obligations=tuple(ordered),
                        after=_str(s["after"]),
                        deadline=self._obligations[deadline_of].deadline if deadline_of else None,
                        conditions=dict(conditions[s_iri]),
                        benefit=s["benefit"] is True,
                        note=_str(s["note"]),
                    )
                )
            links = procedure_links[iri]
            ident = f"{key[0]}/{row['id']}"
            records[ident] = ProcedureRecord(
                id=ident, document=key[0], local_id=str(row["id"]), titles=dict(titles[iri]), provision=key[1],
                quote=str(row["quote"]),
                needs=tuple(sorted(links["servesNeed"], key=lambda c: (self._rank("needs").get(c, 99), c))),
                groups=tuple(sorted(links["targetGroup"], key=lambda c: (self._rank("groups").get(c, 99), c))),
                eligibility=tuple(sorted(links["hasEligibility"])),
                steps=tuple(sorted(made, key=lambda s: (s.order, s.id))),
            )  # fmt: skip
        self._procedures = dict(
            sorted(records.items(), key=lambda i: (i[1].document, order.get((i[1].document, i[1].provision), 0), i[0]))
        )
