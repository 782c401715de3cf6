"""The accountability query core: who holds which duty, for which child need, by when, on which clause.

Shared by the GraphQL service (``graphql_api``) and the matrix writers (``akg.matrix*``). The graph is
read only through a store's ``select`` (see :mod:`akg.store`): a handful of SPARQL queries at
construction fill in-memory indexes, so no question asked afterwards touches the store again (no N+1).

Semantics shared by every method (docs/model.md is the data contract):

- Identifiers are the stable ids of docs/model.md: concept notations, organisation ids, provision
  numbers; an obligation's id is ``"<doc-id>/<obligation-id>"``.
- A broad need (a top concept such as ``protection``) takes in its narrower needs wherever a need
  filters obligations: :meth:`Accountability.responsible_for`, :meth:`Accountability.obligations`
  (``need=``), :meth:`Accountability.coverage` and :meth:`Accountability.responsibility_matrix`.
- A level filter ``L`` matches obligations addressed to every level (``all_levels``), to ``L``, or to no
  level in particular: where the text names a body without a level ("the public security department
  shall …"), the duty binds that body at whatever level it sits, and the graph records no level for it.
- A target-group filter in :meth:`~Accountability.responsible_for` and the matrix matches obligations
  tagged with that group plus those tagged with no group (general duties apply to every child); in
  :meth:`~Accountability.obligations` it is strict.
- Deadline filters look at every instance of a recurring deadline.
- Unknown ids in a filter raise :class:`UnknownIdentifier` (a ``ValueError``).
- Vocabulary order: concepts are ordered by ``akg:rank`` (or ``akg:order``) where the scheme gives
  one, else by id; the needs tree lists each top concept followed by its narrower needs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from akg.store import GraphStore

AKG = "https://w3id.org/akg/ontology#"
ID = "https://w3id.org/akg/id/"
SCHEME_NS = ID + "scheme/"
SCHEMES = ("sectors", "levels", "needs", "capacities", "groups", "roles", "modalities", "bases")
ORGANIZATION_KINDS = {
    AKG + "Department": "DEPARTMENT",
    AKG + "Institution": "INSTITUTION",
    AKG + "Government": "GOVERNMENT",
    AKG + "OtherBody": "OTHER",
}
RELATIONS = {AKG + "implements": "implements", AKG + "basedOn": "based_on", AKG + "cites": "cites"}
LEAD = "lead"
SUPPORTING = "supporting"

_PREFIXES = """
PREFIX akg: <https://w3id.org/akg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""


class UnknownIdentifier(ValueError):
    """A filter named an id the graph does not hold. ``kind`` says which vocabulary, ``value`` the id."""

    def __init__(self, kind: str, value: str) -> None:
        super().__init__(f"unknown {kind} {value!r}")
        self.kind, self.value = kind, value


@dataclass(frozen=True)
class Concept:
    """A SKOS concept of any scheme."""

    id: str  # skos:notation, e.g. "rehabilitation"
    scheme: str  # "needs", "capacities", "sectors", "levels", "groups", "roles", "modalities", "bases"
    labels: dict[str, str]  # {"en": ..., "zh": ...}
    definition: str | None
    broader: str | None  # id
    narrower: tuple[str, ...]
    rank: int | None  # levels and roles have akg:rank
    letter: str | None  # roles: the RASCI letter

    def label(self, lang: str = "en") -> str:
        """The label in ``lang``, falling back to English, then to the id."""
        return self.labels.get(lang) or self.labels.get("en") or self.id


@dataclass(frozen=True)
class OrganizationRecord:
    """An organisation; ``kind`` is DEPARTMENT, INSTITUTION, GOVERNMENT or OTHER; sector and level are ids."""

    id: str
    labels: dict[str, str]
    kind: str
    sector: str | None
    level: str | None
    signatory: bool
    vague: bool
    collective: bool

    def label(self, lang: str = "en") -> str:
        """The label in ``lang``, falling back to English, then to the id."""
        return self.labels.get(lang) or self.labels.get("en") or self.id


@dataclass(frozen=True)
class AssignmentRecord:
    """One organisation holding one role in one obligation (all ids)."""

    organization: str
    role: str
    basis: str


@dataclass(frozen=True)
class DeadlineRecord:
    """A deadline; ``instances == (date,)`` unless recurring, when ``date`` is the last instance."""

    date: dt.date
    basis: str
    wording: str
    recurrence: str | None
    instances: tuple[dt.date, ...]
    derived_from: str | None  # provision number


@dataclass(frozen=True)
class ProvisionRecord:
    """A provision of a document; ``parent`` and ``children`` are provision numbers."""

    document: str
    number: str
    heading: str | None
    text: str
    start: int
    end: int
    order: int
    parent: str | None
    children: tuple[str, ...]
    kind: str


@dataclass(frozen=True)
class CitationRecord:
    """A document citing another in one provision; relation is "implements", "based_on" or "cites"."""

    document: str
    cited: str
    relation: str
    provision: str
    quote: str


@dataclass(frozen=True)
class CitedDocumentRecord:
    """A document, law or plan that a policy document cites."""

    id: str
    number: str | None
    title: str
    issuer: str | None


@dataclass(frozen=True)
class DocumentRecord:
    """A policy document; signatories, addressees and publisher are organisation ids."""

    id: str
    title: str
    date_signed: dt.date | None
    date_published: dt.date | None
    signatories: tuple[str, ...]
    addressees: tuple[str, ...]
    publisher: str | None


@dataclass(frozen=True)
class ObligationRecord:
    """One duty stated in one span of one provision; every reference is an id."""

    id: str  # "<doc-id>/<obligation-id>", the GraphQL ID
    document: str
    local_id: str
    provision: str  # provision number
    text: str
    start: int
    end: int
    modality: str
    action: str | None
    assignments: tuple[AssignmentRecord, ...]  # leads first (role rank), then organisation id
    owner_basis: str | None
    owner_inherited_from: str | None  # obligation id ("<doc-id>/<obligation-id>")
    levels: tuple[str, ...]
    all_levels: bool
    deadline: DeadlineRecord | None
    needs: tuple[str, ...]
    capacities: tuple[str, ...]
    groups: tuple[str, ...]
    institutions: tuple[str, ...]
    cites: tuple[str, ...]
    note: str | None
    source_file: str | None
    source_line: int | None


@dataclass(frozen=True)
class MatrixCell:
    """What one sector holds for one column."""

    column: str  # need or capacity id
    roles: tuple[str, ...]  # role ids, leads first
    letters: str  # RASCI letters in role order, e.g. "AS"
    obligation_ids: tuple[str, ...]  # sorted
    clauses: tuple[str, ...]  # provision numbers, in document order


@dataclass(frozen=True)
class MatrixRow:
    """One sector's cells, one per column in column order (empty roles where it has no duty)."""

    sector: str
    cells: tuple[MatrixCell, ...]


@dataclass(frozen=True)
class ResponsibilityMatrix:
    """Sectors against needs and capacities, RASCI letters in the cells."""

    columns: tuple[Concept, ...]  # needs (narrow ones, tree order) then capacities, or those asked for
    rows: tuple[MatrixRow, ...]  # sectors in vocabulary order, or those asked for
    level: str | None
    target_group: str | None
    gaps: tuple[str, ...]  # column ids with no lead anywhere in the filtered obligations


class Responsibility(NamedTuple):
    """An organisation, the role it holds, and the obligations it holds it in (document order)."""

    organization: OrganizationRecord
    role: str
    obligations: tuple[ObligationRecord, ...]


class CoverageEntry(NamedTuple):
    """How one need or capacity is covered: its leads, how many duties, which sectors support."""

    concept: Concept
    leads: list[OrganizationRecord]
    obligation_count: int
    supporting_sectors: list[str]
    has_lead: bool


class SearchResult(NamedTuple):
    """Provisions and obligations whose text holds the searched words."""

    provisions: list[ProvisionRecord]
    obligations: list[ObligationRecord]


def _tail(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


class Accountability:
    """In-memory indexes over one graph, answering the accountability questions without further queries."""

    def __init__(self, store: GraphStore) -> None:
        """Build every index from ``store`` with a fixed handful of SELECT queries."""
        self._load_concepts(store)
        self._load_organizations(store)
        self._load_documents(store)
        self._load_provisions(store)
        self._load_citations(store)
        self._load_obligations(store)

    @classmethod
    def from_store(cls, store: GraphStore) -> Accountability:
        """The accountability indexes of ``store`` (any object with ``select``)."""
        return cls(store)

    # -- loading -----------------------------------------------------------------------------

    @staticmethod
    def _labels(store: GraphStore) -> dict[str, dict[str, str]]:
        rows = store.select(_PREFIXES + "SELECT ?s ?label (LANG(?label) AS ?lang) WHERE { ?s skos:prefLabel ?label }")
        labels: dict[str, dict[str, str]] = defaultdict(dict)
        for row in rows:
            labels[str(row["s"])][str(row["lang"] or "en").lower()] = str(row["label"])
        return labels

    def _load_concepts(self, store: GraphStore) -> None:
        self._label_index = self._labels(store)
        rows = store.select(
            _PREFIXES
            + """
            SELECT ?c ?scheme ?notation ?definition ?broader ?rank ?order ?letter WHERE {
              ?c skos:inScheme ?scheme ; skos:notation ?notation .
              FILTER(STRSTARTS(STR(?scheme), "SCHEME_NS"))
              OPTIONAL { ?c skos:definition ?definition FILTER(LANG(?definition) IN ("en", "")) }
              OPTIONAL { ?c skos:broader ?broader }
              OPTIONAL { ?c akg:rank ?rank }
              OPTIONAL { ?c akg:order ?order }
              OPTIONAL { ?c akg:letter ?letter }
            }""".replace("SCHEME_NS", SCHEME_NS)
        )
        raw: dict[str, dict[str, Any]] = {}
        for row in rows:
            iri = str(row["c"])
            entry = raw.setdefault(
                iri,
                {
                    "scheme": _tail(str(row["scheme"])),
                    "id": str(row["notation"]),
                    "definition": None,
                    "broader": None,
                    "rank": None,
                    "order": None,
                    "letter": None,
                },
            )
            for key in ("definition", "broader", "rank", "order", "letter"):
                if row.get(key) is not None and entry[key] is None:
                    entry[key] = row[key]
        self._concept_ids: dict[str, tuple[str, str]] = {iri: (e["scheme"], e["id"]) for iri, e in raw.items()}
        children: dict[str, list[str]] = defaultdict(list)
        for iri, e in raw.items():
            if e["broader"] in self._concept_ids:
                children[self._concept_ids[e["broader"]][1]].append(iri)

        def sort_key(iri: str) -> tuple[int, int, str]:
            e = raw[iri]
            rank = e["rank"] if isinstance(e["rank"], int) else e["order"] if isinstance(e["order"], int) else None
            return (0 if rank is not None else 1, rank or 0, e["id"])

        self._concepts: dict[str, dict[str, Concept]] = {name: {} for name in SCHEMES}
        for iri in sorted(raw, key=sort_key):
            e = raw[iri]
            broader = self._concept_ids.get(str(e["broader"]), (None, None))[1] if e["broader"] else None
            kids = tuple(raw[k]["id"] for k in sorted(children.get(e["id"], []), key=sort_key))
            concept = Concept(
                id=e["id"], scheme=e["scheme"], labels=dict(self._label_index.get(iri, {})),
                definition=_str(e["definition"]), broader=broader, narrower=kids,
                rank=e["rank"] if isinstance(e["rank"], int) else None, letter=_str(e["letter"]),
            )  # fmt: skip
            self._concepts.setdefault(e["scheme"], {})[e["id"]] = concept
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

    def _load_organizations(self, store: GraphStore) -> None:
        values = " ".join(f"<{iri}>" for iri in ORGANIZATION_KINDS)
        rows = store.select(
            _PREFIXES
            + f"""
            SELECT ?o ?class ?id ?sector ?level ?vague ?collective ?signatory WHERE {{
              VALUES ?class {{ {values} }}
              ?o a ?class ; akg:identifier ?id .
              OPTIONAL {{ ?o akg:sector ?sector }}
              OPTIONAL {{ ?o akg:level ?level }}
              OPTIONAL {{ ?o akg:vague ?vague }}
              OPTIONAL {{ ?o akg:collective ?collective }}
              BIND(EXISTS {{ ?d akg:signatory ?o }} AS ?signatory)
            }}"""
        )
        self._org_iris: dict[str, str] = {}
        orgs: dict[str, OrganizationRecord] = {}
        for row in sorted(rows, key=lambda r: str(r["id"])):
            ident = str(row["id"])
            if ident in orgs:
                continue
            self._org_iris[str(row["o"])] = ident
            orgs[ident] = OrganizationRecord(
                id=ident,
                labels=dict(self._label_index.get(str(row["o"]), {})),
                kind=ORGANIZATION_KINDS[str(row["class"])],
                sector=self._concept_id(row["sector"], "sectors"),
                level=self._concept_id(row["level"], "levels"),
                signatory=row["signatory"] is True,
                vague=row["vague"] is True,
                collective=row["collective"] is True,
            )
        self._organizations = orgs

    def _load_documents(self, store: GraphStore) -> None:
        rows = store.select(
            _PREFIXES
            + """
            SELECT ?d ?id ?title ?signed ?published ?publisher WHERE {
              ?d a akg:PolicyDocument ; akg:identifier ?id .
              OPTIONAL { ?d akg:title ?title }
              OPTIONAL { ?d akg:dateSigned ?signed }
              OPTIONAL { ?d akg:datePublished ?published }
              OPTIONAL { ?d akg:publisher ?publisher }
            }"""
        )
        parties = store.select(
            _PREFIXES
            + """
            SELECT ?d ?p ?o WHERE {
              VALUES ?p { akg:signatory akg:addressee }
              ?d a akg:PolicyDocument ; ?p ?o .
            }"""
        )
        by_doc: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for row in parties:
            if (org := self._org_iris.get(str(row["o"]))) is not None:
                by_doc[str(row["d"])][str(row["p"])].add(org)
        self._doc_iris: dict[str, str] = {}
        docs: dict[str, DocumentRecord] = {}
        for row in sorted(rows, key=lambda r: str(r["id"])):
            ident = str(row["id"])
            if ident in docs:
                continue
            iri = str(row["d"])
            self._doc_iris[iri] = ident
            docs[ident] = DocumentRecord(
                id=ident,
                title=_str(row["title"]) or ident,
                date_signed=row["signed"] if isinstance(row["signed"], dt.date) else None,
                date_published=row["published"] if isinstance(row["published"], dt.date) else None,
                signatories=self._in_sector_order(by_doc[iri][AKG + "signatory"]),
                addressees=self._in_sector_order(by_doc[iri][AKG + "addressee"]),
                publisher=self._org_iris.get(str(row["publisher"])) if row["publisher"] else None,
            )
        self._documents = docs

    def _in_sector_order(self, org_ids: Iterable[str]) -> tuple[str, ...]:
        sector_rank = {c.id: n for n, c in enumerate(self._ordered.get("sectors", []))}

        def key(org_id: str) -> tuple[int, str]:
            sector = self._organizations[org_id].sector
            return (sector_rank.get(sector, len(sector_rank)) if sector else len(sector_rank), org_id)

        return tuple(sorted(org_ids, key=key))

    def _load_provisions(self, store: GraphStore) -> None:
        rows = store.select(
            _PREFIXES
            + """
            SELECT ?p ?doc ?number ?heading ?text ?start ?end ?order ?parent ?kind WHERE {
              ?p a akg:Provision ; akg:inDocument ?doc ; akg:number ?number .
              OPTIONAL { ?p akg:heading ?heading }
              OPTIONAL { ?p akg:text ?text }
              OPTIONAL { ?p akg:startOffset ?start }
              OPTIONAL { ?p akg:endOffset ?end }
              OPTIONAL { ?p akg:order ?order }
              OPTIONAL { ?p akg:isPartOf ?parent }
              OPTIONAL { ?p akg:provisionKind ?kind }
            }"""
        )
        self._provision_keys: dict[str, tuple[str, str]] = {}
        for row in rows:
            if (doc := self._doc_iris.get(str(row["doc"]))) is not None:
                self._provision_keys[str(row["p"])] = (doc, str(row["number"]))
        children: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
        for row in rows:
            key = self._provision_keys.get(str(row["p"]))
            parent = self._provision_keys.get(str(row["parent"])) if row["parent"] else None
            if key and parent:
                children[parent].append((row["order"] if isinstance(row["order"], int) else 0, key[1]))
        provisions: dict[tuple[str, str], ProvisionRecord] = {}
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
                start=row["start"] if isinstance(row["start"], int) else 0,
                end=row["end"] if isinstance(row["end"], int) else 0,
                order=row["order"] if isinstance(row["order"], int) else 0,
                parent=parent[1] if parent else None,
                children=tuple(number for _, number in sorted(children[key])),
                kind=_str(row["kind"]) or "",
            )
        self._provisions = dict(sorted(provisions.items(), key=lambda item: (item[0][0], item[1].order)))
        self._provision_order = {key: n for n, key in enumerate(self._provisions)}

    def _load_citations(self, store: GraphStore) -> None:
        cited_rows = store.select(
            _PREFIXES
            + """
            SELECT ?c ?id ?number ?title ?issuer WHERE {
              ?c a akg:CitedDocument ; akg:identifier ?id .
              OPTIONAL { ?c akg:number ?number }
              OPTIONAL { ?c akg:title ?title }
              OPTIONAL { ?c akg:issuerName ?issuer }
            }"""
        )
        self._cited_iris: dict[str, str] = {}
        cited: dict[str, CitedDocumentRecord] = {}
        for row in sorted(cited_rows, key=lambda r: str(r["id"])):
            ident = str(row["id"])
            self._cited_iris[str(row["c"])] = ident
            if ident not in cited:
                cited[ident] = CitedDocumentRecord(ident, _str(row["number"]), _str(row["title"]) or ident,
                                                   _str(row["issuer"]))  # fmt: skip
        self._cited = cited
        rows = store.select(
            _PREFIXES
            + """
            SELECT ?c ?doc ?cited ?relation ?provision ?quote WHERE {
              ?doc a akg:PolicyDocument ; akg:hasCitation ?c .
              ?c akg:citedDocument ?cited ; akg:relation ?relation ; akg:provision ?provision .
              OPTIONAL { ?c akg:quote ?quote }
            }"""
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
        rows = store.select(
            _PREFIXES
            + """
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
            }"""
        )
        links = store.select(
            _PREFIXES
            + """
            SELECT ?ob ?p ?v WHERE {
              VALUES ?p { akg:servesNeed akg:concernsCapacity akg:targetGroup akg:concernsInstitution akg:cites
                          akg:addressedLevel }
              ?ob a akg:Obligation ; ?p ?v .
            }"""
        )
        assignment_rows = store.select(
            _PREFIXES
            + """
            SELECT ?ob ?a ?org ?role ?basis WHERE {
              ?ob a akg:Obligation ; akg:hasAssignment ?a .
              ?a akg:organization ?org ; akg:role ?role .
              OPTIONAL { ?a akg:basis ?basis }
            }"""
        )
        deadline_rows = store.select(
            _PREFIXES
            + """
            SELECT ?ob ?date ?basis ?wording ?recurrence ?derived ?instance WHERE {
              ?ob a akg:Obligation ; akg:hasDeadline ?d .
              OPTIONAL { ?d akg:date ?date }
              OPTIONAL { ?d akg:basis ?basis }
              OPTIONAL { ?d akg:wording ?wording }
              OPTIONAL { ?d akg:recurrence ?recurrence }
              OPTIONAL { ?d akg:derivedFrom ?derived }
              OPTIONAL { ?d akg:instanceDate ?instance }
            }"""
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

        role_rank = {c.id: n for n, c in enumerate(self._ordered.get("roles", []))}
        assignments: dict[str, dict[str, AssignmentRecord]] = defaultdict(dict)
        for row in assignment_rows:
            org, role = self._org_iris.get(str(row["org"])), self._concept_id(row["role"], "roles")
            if org is None or role is None:
                continue
            basis = self._concept_id(row["basis"], "bases") or "explicit"
            assignments[str(row["ob"])][str(row["a"])] = AssignmentRecord(org, role, basis)

        deadlines: dict[str, dict[str, Any]] = {}
        for row in deadline_rows:
            entry = deadlines.setdefault(str(row["ob"]), {"instances": set()})
            for key in ("date", "basis", "wording", "recurrence", "derived"):
                if row[key] is not None:
                    entry.setdefault(key, row[key])
            if isinstance(row["instance"], dt.date):
                entry["instances"].add(row["instance"])

        def order_of(concepts: set[str], scheme: str) -> tuple[str, ...]:
            rank = {c.id: n for n, c in enumerate(self._ordered.get(scheme, []))}
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
                instances = tuple(sorted(d["instances"]))
                date = d.get("date") if isinstance(d.get("date"), dt.date) else (instances[-1] if instances else None)
                if date is not None:
                    derived = self._provision_keys.get(str(d.get("derived"))) if d.get("derived") else None
                    deadline = DeadlineRecord(
                        date=date,
                        basis=self._concept_id(d.get("basis"), "bases") or "explicit",
                        wording=_str(d.get("wording")) or "",
                        recurrence=_str(d.get("recurrence")),
                        instances=instances or (date,),
                        derived_from=derived[1] if derived else None,
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
                start=row["start"] if isinstance(row["start"], int) else 0,
                end=row["end"] if isinstance(row["end"], int) else 0,
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
                source_line=row["line"] if isinstance(row["line"], int) else None,
            )
            key = (doc, self._provision_order.get(provision, 0), record.start, record.local_id)
            records.append((key, record))
        unique: dict[str, ObligationRecord] = {}
        for _, record in sorted(records, key=lambda item: item[0]):
            unique.setdefault(record.id, record)
        self._obligations = unique
        self._by_provision: dict[tuple[str, str], list[ObligationRecord]] = defaultdict(list)
        for record in unique.values():
            self._by_provision[(record.document, record.provision)].append(record)
        self._role_rank = role_rank

    # -- vocabularies ------------------------------------------------------------------------

    def concepts(self, scheme: str) -> list[Concept]:
        """Every concept of ``scheme`` in vocabulary order (trees: each concept before its narrower ones)."""
        if scheme not in self._ordered:
            raise UnknownIdentifier("scheme", scheme)
        return list(self._ordered[scheme])

    def concept(self, scheme: str, id: str) -> Concept | None:
        """The concept ``id`` of ``scheme``, or None."""
        if scheme not in self._concepts:
            raise UnknownIdentifier("scheme", scheme)
        return self._concepts[scheme].get(id)

    def narrower_needs(self, need: str) -> frozenset[str]:
        """``need`` and every need below it in the tree. Raises UnknownIdentifier."""
        self._check("needs", need)
        return self._descendants[need]

    def _check(self, scheme: str, value: str | None) -> None:
        if value is not None and value not in self._concepts.get(scheme, {}):
            raise UnknownIdentifier(scheme.rstrip("s") if scheme != "capacities" else "capacity", value)

    # -- organisations and documents ---------------------------------------------------------

    def organizations(
        self, sector: str | None = None, level: str | None = None, kind: str | None = None
    ) -> list[OrganizationRecord]:
        """Organisations (by id) of a sector, level and kind (DEPARTMENT, INSTITUTION, GOVERNMENT, OTHER)."""
        self._check("sectors", sector)
        self._check("levels", level)
        if kind is not None and kind not in ORGANIZATION_KINDS.values():
            raise UnknownIdentifier("organization kind", kind)
        return [
            o
            for o in self._organizations.values()
            if (sector is None or o.sector == sector)
            and (level is None or o.level == level)
            and (kind is None or o.kind == kind)
        ]

    def organization(self, id: str) -> OrganizationRecord | None:
        """The organisation ``id``, or None."""
        return self._organizations.get(id)

    def documents(self) -> list[DocumentRecord]:
        """The policy documents, by id."""
        return list(self._documents.values())

    def document(self, id: str) -> DocumentRecord | None:
        """The policy document ``id``, or None."""
        return self._documents.get(id)

    def provisions(self, document: str | None = None) -> list[ProvisionRecord]:
        """Every provision (of one document), in document order. Raises UnknownIdentifier for a document."""
        if document is not None and document not in self._documents:
            raise UnknownIdentifier("document", document)
        return [p for (doc, _), p in self._provisions.items() if document is None or doc == document]

    def provision(self, number: str, document: str | None = None) -> ProvisionRecord | None:
        """Provision ``number`` of ``document`` (without one: of the first document, by id, that has it)."""
        if document is not None:
            if document not in self._documents:
                raise UnknownIdentifier("document", document)
            return self._provisions.get((document, number))
        return next((p for (_, n), p in self._provisions.items() if n == number), None)

    def provision_obligations(self, document: str, number: str) -> list[ObligationRecord]:
        """The obligations stated in one provision, in text order."""
        return list(self._by_provision.get((document, number), []))

    def citations(self, document: str | None = None) -> list[CitationRecord]:
        """Every citation (of one document), by document then citation number."""
        return [c for c in self._citations if document is None or c.document == document]

    def cited_documents(self) -> list[CitedDocumentRecord]:
        """Every cited document, by id."""
        return list(self._cited.values())

    def cited_document(self, id: str) -> CitedDocumentRecord | None:
        """The cited document ``id``, or None."""
        return self._cited.get(id)

    def citations_of(self, cited: str) -> list[CitationRecord]:
        """The citations of one cited document."""
        return [c for c in self._citations if c.cited == cited]

    # -- obligations -------------------------------------------------------------------------

    def obligation(self, id: str) -> ObligationRecord | None:
        """The obligation ``"<doc-id>/<obligation-id>"``, or None."""
        return self._obligations.get(id)

    def all_obligations(self) -> list[ObligationRecord]:
        """Every obligation, in document order."""
        return list(self._obligations.values())

    def obligations(
        self,
        need: str | None = None,
        sector: str | None = None,
        organization: str | None = None,
        target_group: str | None = None,
        level: str | None = None,
        role: str | None = None,
        modality: str | None = None,
        due_before: dt.date | None = None,
        due_after: dt.date | None = None,
        text: str | None = None,
        document: str | None = None,
        capacity: str | None = None,
    ) -> list[ObligationRecord]:
        """Obligations matching every filter given, in document order.

        - ``need``: serves it or a narrower need. ``capacity``: concerns it.
        - ``sector``, ``organization``, ``role``: one assignment matches all of those given.
        - ``target_group``: strictly tagged with it. ``level``: addressed to it, to all levels or to none in particular.
        - ``due_before``/``due_after`` (inclusive): some deadline instance lies in the range; obligations
          without a deadline never match.
        - ``text``: case-insensitive substring of the quoted text or the action.
        Raises :class:`UnknownIdentifier` for an unknown id.
        """
        self._check("needs", need)
        self._check("capacities", capacity)
        self._check("sectors", sector)
        self._check("groups", target_group)
        self._check("levels", level)
        self._check("roles", role)
        self._check("modalities", modality)
        if organization is not None and organization not in self._organizations:
            raise UnknownIdentifier("organization", organization)
        if document is not None and document not in self._documents:
            raise UnknownIdentifier("document", document)
        needs = self._descendants[need] if need else None
        needle = text.casefold() if text else None
        result = []
        for ob in self._obligations.values():
            if document is not None and ob.document != document:
                continue
            if needs is not None and not needs.intersection(ob.needs):
                continue
            if capacity is not None and capacity not in ob.capacities:
                continue
            if target_group is not None and target_group not in ob.groups:
                continue
            if level is not None and not self._at_level(ob, level):
                continue
            if modality is not None and ob.modality != modality:
                continue
            if (sector or organization or role) and not any(
                (organization is None or a.organization == organization)
                and (role is None or a.role == role)
                and (sector is None or self._organizations[a.organization].sector == sector)
                for a in ob.assignments
            ):
                continue
            if (due_before or due_after) and not self._due(ob, due_before, due_after):
                continue
            if needle and needle not in ob.text.casefold() and needle not in (ob.action or "").casefold():
                continue
            result.append(ob)
        return result

    @staticmethod
    def _at_level(ob: ObligationRecord, level: str | None) -> bool:
        return level is None or ob.all_levels or not ob.levels or level in ob.levels

    @staticmethod
    def _due(ob: ObligationRecord, before: dt.date | None, after: dt.date | None) -> bool:
        if ob.deadline is None:
            return False
        return any((before is None or d <= before) and (after is None or d >= after) for d in ob.deadline.instances)

    @staticmethod
    def _for_group(ob: ObligationRecord, group: str | None) -> bool:
        return group is None or not ob.groups or group in ob.groups

    def _scoped(
        self, level: str | None, target_group: str | None, document: str | None = None
    ) -> list[ObligationRecord]:
        return [
            ob
            for ob in self._obligations.values()
            if self._at_level(ob, level)
            and self._for_group(ob, target_group)
            and (document is None or ob.document == document)
        ]

    def _column_match(self, column: Concept) -> frozenset[str]:
        return self._descendants[column.id] if column.scheme == "needs" else frozenset({column.id})

    @staticmethod
    def _serves(ob: ObligationRecord, column: Concept, ids: frozenset[str]) -> bool:
        return bool(ids.intersection(ob.needs if column.scheme == "needs" else ob.capacities))

    # -- the accountability questions --------------------------------------------------------

    def responsible_for(
        self, need: str, target_group: str | None = None, level: str | None = None
    ) -> list[Responsibility]:
        """Who holds which role in the duties serving ``need`` (or a narrower need), leads first.

        One entry per (organisation, role), ordered by role rank then organisation id; its obligations
        in document order. ``target_group`` takes in the duties tagged with no group; ``level`` those
        addressed to all levels or to none in particular. Raises :class:`UnknownIdentifier`.
        """
        self._check("needs", need)
        self._check("groups", target_group)
        self._check("levels", level)
        wanted = self._descendants[need]
        held: dict[tuple[str, str], list[ObligationRecord]] = defaultdict(list)
        for ob in self._scoped(level, target_group):
            if wanted.intersection(ob.needs):
                for a in ob.assignments:
                    if not held[(a.organization, a.role)] or held[(a.organization, a.role)][-1] is not ob:
                        held[(a.organization, a.role)].append(ob)
        ordered = sorted(held, key=lambda key: (self._role_rank.get(key[1], len(self._role_rank)), key[0]))
        return [Responsibility(self._organizations[org], role, tuple(held[(org, role)])) for org, role in ordered]

    def coverage(self, level: str | None = None) -> list[CoverageEntry]:
        """For every need (tree order, broad ones included) then every capacity: leads, duty count, support.

        ``leads`` are the organisations holding the lead role in a duty serving the concept (narrower
        needs included); ``supporting_sectors`` the sectors (vocabulary order) of organisations holding
        the supporting role; ``has_lead`` is False for the gaps a coordination meeting must close.
        """
        self._check("levels", level)
        scoped = self._scoped(level, None)
        sector_rank = {c.id: n for n, c in enumerate(self._ordered.get("sectors", []))}
        entries = []
        for concept in [*self._ordered.get("needs", []), *self._ordered.get("capacities", [])]:
            ids = self._column_match(concept)
            matching = [ob for ob in scoped if self._serves(ob, concept, ids)]
            leads = sorted({a.organization for ob in matching for a in ob.assignments if a.role == LEAD})
            sectors = {
                sector
                for ob in matching
                for a in ob.assignments
                if a.role == SUPPORTING and (sector := self._organizations[a.organization].sector)
            }
            entries.append(
                CoverageEntry(
                    concept=concept,
                    leads=[self._organizations[o] for o in leads],
                    obligation_count=len(matching),
                    supporting_sectors=sorted(sectors, key=lambda s: sector_rank.get(s, len(sector_rank))),
                    has_lead=bool(leads),
                )
            )
        return entries

    def responsibility_matrix(
        self,
        needs: Sequence[str] | None = None,
        sectors: Sequence[str] | None = None,
        level: str | None = None,
        target_group: str | None = None,
        document: str | None = None,
    ) -> ResponsibilityMatrix:
        """The RASCI matrix: sectors (rows) against needs and capacities (columns).

        ``needs`` may name needs (a broad one takes in its narrower needs) or capacities; by default the
        columns are the narrow needs in tree order, then the capacities. ``sectors`` picks rows (default:
        every sector, vocabulary order). An assignment counts in the row of its organisation's sector;
        organisations without a sector fill no row but their leads still close a gap. Raises
        :class:`UnknownIdentifier`.
        """
        self._check("groups", target_group)
        self._check("levels", level)
        if document is not None and document not in self._documents:
            raise UnknownIdentifier("document", document)
        if needs is None:
            columns = [c for c in self._ordered.get("needs", []) if not c.narrower]
            columns += self._ordered.get("capacities", [])
        else:
            columns = []
            for ident in needs:
                concept = self._concepts["needs"].get(ident) or self._concepts["capacities"].get(ident)
                if concept is None:
                    raise UnknownIdentifier("need", ident)
                columns.append(concept)
        if sectors is None:
            row_ids = [c.id for c in self._ordered.get("sectors", [])]
        else:
            for sector in sectors:
                self._check("sectors", sector)
            row_ids = list(sectors)
        scoped = self._scoped(level, target_group, document)
        gaps = []
        per_column: list[list[ObligationRecord]] = []
        for column in columns:
            ids = self._column_match(column)
            matching = [ob for ob in scoped if self._serves(ob, column, ids)]
            per_column.append(matching)
            if not any(a.role == LEAD for ob in matching for a in ob.assignments):
                gaps.append(column.id)
        rows = []
        for sector in row_ids:
            cells = []
            for column, matching in zip(columns, per_column, strict=True):
                roles: set[str] = set()
                obligation_ids: set[str] = set()
                clauses: dict[tuple[str, str], None] = {}
                for ob in matching:
                    for a in ob.assignments:
                        if self._organizations[a.organization].sector == sector:
                            roles.add(a.role)
                            obligation_ids.add(ob.id)
                            clauses[(ob.document, ob.provision)] = None
                ordered_roles = tuple(sorted(roles, key=lambda r: self._role_rank.get(r, len(self._role_rank))))
                letters = "".join(self._concepts["roles"][r].letter or "" for r in ordered_roles)
                clause_order = sorted(clauses, key=lambda key: self._provision_order.get(key, 0))
                cells.append(
                    MatrixCell(
                        column=column.id,
                        roles=ordered_roles,
                        letters=letters,
                        obligation_ids=tuple(sorted(obligation_ids)),
                        clauses=tuple(number for _, number in clause_order),
                    )
                )
            rows.append(MatrixRow(sector=sector, cells=tuple(cells)))
        return ResponsibilityMatrix(
            columns=tuple(columns), rows=tuple(rows), level=level, target_group=target_group, gaps=tuple(gaps)
        )

    def search(self, text: str) -> SearchResult:
        """Provisions (text or heading) and obligations (text or action) holding ``text``, case-insensitively.

        Blank text finds nothing. Both lists are in document order.
        """
        needle = text.strip().casefold()
        if not needle:
            return SearchResult([], [])
        provisions = [
            p
            for p in self._provisions.values()
            if needle in p.text.casefold() or needle in (p.heading or "").casefold()
        ]
        obligations = [
            ob
            for ob in self._obligations.values()
            if needle in ob.text.casefold() or needle in (ob.action or "").casefold()
        ]
        return SearchResult(provisions, obligations)

    def counts(self) -> dict[str, int]:
        """How many documents, provisions, obligations, organisations, citations and cited documents."""
        return {
            "documents": len(self._documents),
            "provisions": len(self._provisions),
            "obligations": len(self._obligations),
            "organizations": len(self._organizations),
            "citations": len(self._citations),
            "cited_documents": len(self._cited),
        }
