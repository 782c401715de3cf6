"""Read a document's obligation annotations (``obligations/*.yaml``) into obligation triples.

Annotations say what the text alone cannot: owners and roles, needs, groups, deadlines. Each
points at its provision by number and at its sentence by quoting it; the quote fixes the offsets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, XSD, Graph, Literal, URIRef

from loader.document import DeadlineScope, PolicyDocument
from loader.errors import ProblemLog
from loader.fields import Fields, suggest
from loader.links import pending_links
from loader.namespaces import AKG, concept_iri, obligation_iri
from loader.registry import Registries, concept_or_problem
from loader.vocabulary import Vocabulary
from loader.yamlsource import read_yaml

OBLIGATION_KEYS = (
    ["id", "provision", "quote", "modality", "action"],
    [
        "assignments",
        "owner_from",
        "level",
        "deadline",
        "needs",
        "capacities",
        "groups",
        "institutions",
        "cites",
        "implements",
        "restates",
        "note",
    ],
)

# Each deadline kind (a concept of the deadline-kinds scheme) and the class whose shape checks it.
KIND_CLASSES = {
    "date": AKG.DatedDeadline,
    "effective": AKG.DatedDeadline,
    "recurring": AKG.DatedDeadline,
    "inherited": AKG.DatedDeadline,
    "relative": AKG.RelativeDeadline,
    "periodic": AKG.PeriodicDeadline,
    "prompt": AKG.UnstatedDeadline,
    "none-stated": AKG.UnstatedDeadline,
}
# The key of a deadline mapping that gives its kind; exactly one is needed.
KIND_KEYS = {
    "date": "date",
    "effective": "effective",
    "relative": "relative",
    "recurrence": "recurring",
    "periodic": "periodic",
    "prompt": "prompt",
}


@dataclass
class Annotation:
    """One obligation entry, checked, with the triples still to be completed by owner inheritance."""

    id: str
    iri: URIRef
    fields: Fields
    provision: str
    assignments: list[tuple[str, str, int]] = field(default_factory=list)  # (org id, role, line)
    owner_from: str | None = None


def _date(value: dt.date) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.date)


def _provenance(graph: Graph, node: URIRef, f: Fields, line: int | None = None) -> None:
    graph.add((node, AKG.sourceFile, Literal(f.file)))
    graph.add((node, AKG.sourceLine, Literal(line or f.line, datatype=XSD.integer)))


class AnnotationReader:
    """Turns the annotation files of one document into triples, logging every defect."""

    def __init__(
        self, doc: PolicyDocument, registries: Registries, vocab: Vocabulary, graph: Graph, log: ProblemLog
    ) -> None:
        self.doc, self.registries, self.vocab, self.graph, self.log = doc, registries, vocab, graph, log
        self.annotations: dict[str, Annotation] = {}

    def read_folder(self, folder: Path, data_dir: Path) -> None:
        files = sorted((folder / "obligations").glob("*.yaml"))
        for path in files:
            name = path.relative_to(data_dir).as_posix()
            root = Fields(read_yaml(path, name), name, self.log, "file")
            root.allow(["obligations"])
            for item, _line in root.items("obligations"):
                self._read(Fields(item, name, self.log, "obligation"))
        self._assign_owners()

    def _concepts(self, f: Fields, key: str, scheme: str, predicate: URIRef, node: URIRef) -> None:
        for value, _line in f.items(key):
            concept = self.vocab.concept(scheme, str(value))
            if concept is None:
                self.log.add(
                    f.file,
                    _line,
                    f"unknown {scheme} value {value!r}{suggest(str(value), self.vocab.notations(scheme))}",
                )
            else:
                self.graph.add((node, predicate, concept))

    def _read(self, f: Fields) -> None:
        f.allow(*OBLIGATION_KEYS)
        ident = f.text("id")
        if not ident:
            return
        if ident in self.annotations:
            first = self.annotations[ident].fields
            f.problem("id", f"duplicate obligation id {ident!r} (first at {first.file}:{first.line})")
            return
        number = f.text("provision") or ""
        provision = self.doc.provisions.get(number)
        if provision is None:
            f.problem("provision", f"unknown provision {number!r}{suggest(number, self.doc.provisions)}")
            return
        node = obligation_iri(self.doc.id, ident)
        annotation = Annotation(ident, node, f, number)
        self.annotations[ident] = annotation
        self.doc.obligations[ident] = node
        g = self.graph
        g.add((node, RDF.type, AKG.Obligation))
        g.add((node, AKG.identifier, Literal(ident)))
        g.add((node, AKG.provision, self.doc.provision_iri(number)))
        _provenance(g, node, f)

        text = provision.text(self.doc.source)
        quote = f.text("quote") or ""
        count = text.count(quote) if quote else 0
        if count == 0:
            f.problem("quote", f"quote {quote!r} does not occur in provision {number}")
        elif count > 1:
            f.problem("quote", f"quote {quote!r} occurs {count} times in provision {number}; quote more of it")
        else:
            start = provision.start + text.index(quote)
            self.doc.links += pending_links(f, self.doc.id, node, quote)
            g.add((node, AKG.text, Literal(quote)))
            g.add((node, AKG.startOffset, Literal(start, datatype=XSD.integer)))
            g.add((node, AKG.endOffset, Literal(start + len(quote), datatype=XSD.integer)))

        self._concepts(f, "modality", "modalities", AKG.modality, node)
        if action := f.text("action"):
            g.add((node, AKG.action, Literal(action, lang="en")))
        if note := f.text("note"):
            g.add((node, AKG.note, Literal(note, lang="en")))

        for item, line in f.items("assignments"):
            af = Fields(item, f.file, self.log, "assignment")
            af.allow(["org", "role"], ["note"])
            org, role = af.text("org") or "", af.text("role") or ""
            ok = True
            if org not in self.registries.organizations:
                af.problem("org", f"unknown organisation {org!r}{suggest(org, self.registries.organizations)}")
                ok = False
            if self.vocab.concept("roles", role) is None:
                af.problem("role", f"unknown role {role!r} (allowed: {', '.join(self.vocab.notations('roles'))})")
                ok = False
            if ok:
                annotation.assignments.append((org, role, line))
        annotation.owner_from = f.text("owner_from")
        if annotation.owner_from and annotation.assignments:
            f.problem("owner_from", "give either assignments or owner_from, not both")
        # An entry with neither is loaded ownerless: the shapes report it as a Violation.

        self._level(f, node)
        self._deadline(f, node, number)
        self._concepts(f, "needs", "needs", AKG.servesNeed, node)
        self._concepts(f, "capacities", "capacities", AKG.concernsCapacity, node)
        self._concepts(f, "groups", "groups", AKG.targetGroup, node)
        for org in f.references("institutions", self.registries.organizations, "organisation"):
            g.add((node, AKG.concernsInstitution, self.registries.organizations[org].iri))
        for cited in f.references("cites", self.registries.cited_documents, "cited document"):
            g.add((node, AKG.cites, self.registries.cited_documents[cited]))

    def _level(self, f: Fields, node: URIRef) -> None:
        value = f.mapping.get("level")
        if value is None:
            return
        if value == "all":
            self.graph.add((node, AKG.allLevels, Literal(True)))
            return
        self._concepts(f, "level", "levels", AKG.addressedLevel, node)

    def _deadline(self, f: Fields, node: URIRef, number: str) -> None:
        """The obligation's deadline, of the kind its annotation gives (see docs/model.md#deadlines).

        With no ``deadline`` key the provision's or the document's deadline is inherited; where there
        is none, the obligation gets no deadline and the shapes report it: the annotator must decide.
        """
        g, deadline = self.graph, URIRef(f"{node}/deadline")
        if "deadline" not in f.mapping:
            scope = self._inherited_scope(number)
            if scope is None:
                return
            self._deadline_node(node, deadline, "inherited", f)
            g.add((deadline, AKG.date, _date(scope.date)))
            g.add((deadline, AKG.basis, concept_iri("bases", scope.basis)))
            g.add((deadline, AKG.wording, Literal(scope.wording)))
            g.add((deadline, AKG.derivedFrom, self.doc.provision_iri(scope.provision)))
            return
        if f.mapping["deadline"] == "none":
            # The annotator read the sentence and states that it sets no deadline: that reading is explicit.
            self._deadline_node(node, deadline, "none-stated", f, f.line_of("deadline"))
            g.add((deadline, AKG.basis, concept_iri("bases", "explicit")))
            g.add((deadline, AKG.derivedFrom, self.doc.provision_iri(number)))
            return
        df = Fields(f.mapping["deadline"], f.file, self.log, "deadline (a mapping, or 'none')")
        df.allow(["wording"], [*KIND_KEYS, "note"])
        kinds = [KIND_KEYS[key] for key in KIND_KEYS if key in df.mapping]
        if len(kinds) != 1:
            df.problem(None, f"deadline needs exactly one of {', '.join(KIND_KEYS)}; got {', '.join(kinds) or 'none'}")
            return
        kind = kinds[0]
        wording = df.text("wording") or ""
        if wording and wording not in self.doc.provisions[number].text(self.doc.source):
            df.problem("wording", f"deadline wording {wording!r} does not occur in provision {number}")
        self._deadline_node(node, deadline, kind, df)
        g.add((deadline, AKG.basis, concept_iri("bases", "explicit")))
        g.add((deadline, AKG.wording, Literal(wording)))
        g.add((deadline, AKG.derivedFrom, self.doc.provision_iri(number)))
        if note := df.text("note"):
            g.add((deadline, AKG.note, Literal(note, lang="en")))
        if kind in ("date", "effective"):
            if (date := df.date(kind)) is not None:
                g.add((deadline, AKG.date, _date(date)))
        elif kind == "recurring":
            self._recurrence(df, deadline)
        elif kind == "relative":
            self._relative(df, deadline)
        elif kind == "periodic":
            self._periodic(df, deadline)
        elif df.mapping["prompt"] is not True:
            df.problem("prompt", "prompt must be true: the text asks for prompt action and sets no period")

    def _deadline_node(self, node: URIRef, deadline: URIRef, kind: str, f: Fields, line: int | None = None) -> None:
        g = self.graph
        g.add((node, AKG.hasDeadline, deadline))
        g.add((deadline, RDF.type, AKG.Deadline))
        g.add((deadline, RDF.type, KIND_CLASSES[kind]))
        g.add((deadline, AKG.deadlineKind, concept_iri("deadline-kinds", kind)))
        _provenance(g, deadline, f, line)

    def _recurrence(self, df: Fields, deadline: URIRef) -> None:
        rf = Fields(df.mapping["recurrence"], df.file, self.log, "recurrence")
        rf.allow(["month_day", "from_year", "to_year"])
        month_day, first, last = rf.text("month_day") or "", rf.integer("from_year"), rf.integer("to_year")
        if first is None or last is None:
            return
        if first > last:
            rf.problem("to_year", f"to_year {last} is before from_year {first}")
        try:
            dates = [dt.date.fromisoformat(f"{year:04d}-{month_day}") for year in range(first, last + 1)]
        except ValueError:
            rf.problem("month_day", f"bad month_day {month_day!r}: expected MM-DD")
            return
        self.graph.add((deadline, AKG.recurrence, Literal(f"annually before {month_day}, {first}-{last}")))
        for date in dates:
            self.graph.add((deadline, AKG.instanceDate, _date(date)))
        if dates:
            self.graph.add((deadline, AKG.date, _date(dates[-1])))

    def _relative(self, df: Fields, deadline: URIRef) -> None:
        rf = Fields(df.mapping["relative"], df.file, self.log, "relative deadline")
        rf.allow(["amount", "unit", "trigger"])
        amount, unit, trigger = rf.integer("amount"), rf.text("unit") or "", rf.text("trigger")
        if amount is not None:
            if amount < 1:
                rf.problem("amount", f"amount must be at least 1, got {amount}")
            self.graph.add((deadline, AKG.relativeAmount, Literal(amount, datatype=XSD.integer)))
        if concept := concept_or_problem(rf, "unit", unit, self.vocab, "time-units"):
            self.graph.add((deadline, AKG.relativeUnit, concept))
        if trigger:
            self.graph.add((deadline, AKG.trigger, Literal(trigger, lang="en")))

    def _periodic(self, df: Fields, deadline: URIRef) -> None:
        pf = Fields(df.mapping["periodic"], df.file, self.log, "periodic deadline")
        pf.allow(["every", "at_least"])
        if concept := concept_or_problem(pf, "every", pf.text("every") or "", self.vocab, "periods"):
            self.graph.add((deadline, AKG.period, concept))
        if (times := pf.integer("at_least")) is not None:
            if times < 1:
                pf.problem("at_least", f"at_least must be at least 1, got {times}")
            self.graph.add((deadline, AKG.minimumOccurrences, Literal(times, datatype=XSD.integer)))

    def _inherited_scope(self, number: str) -> DeadlineScope | None:
        provision = self.doc.provisions[number]
        while provision is not None:
            if provision.number in self.doc.provision_deadlines:
                return self.doc.provision_deadlines[provision.number]
            provision = provision.parent
        return self.doc.goal

    def _owners(self, annotation: Annotation, seen: tuple[str, ...] = ()) -> list[tuple[str, str, int]] | None:
        if not annotation.owner_from:
            return annotation.assignments
        source = self.annotations.get(annotation.owner_from)
        f = annotation.fields
        if source is None:
            f.problem(
                "owner_from",
                f"unknown obligation {annotation.owner_from!r}{suggest(annotation.owner_from, self.annotations)}",
            )
            return None
        if source.id in seen:
            f.problem("owner_from", f"owner_from forms a cycle: {' -> '.join((*seen, source.id))}")
            return None
        return self._owners(source, (*seen, annotation.id))

    def _assign_owners(self) -> None:
        g = self.graph
        for annotation in self.annotations.values():
            owners = self._owners(annotation)
            if owners is None:
                continue
            inherited = annotation.owner_from is not None
            basis = concept_iri("bases", "inherited-from-context" if inherited else "explicit")
            if owners:
                g.add((annotation.iri, AKG.ownerBasis, basis))
            if inherited:
                g.add((annotation.iri, AKG.ownerInheritedFrom, obligation_iri(self.doc.id, annotation.owner_from)))
            levels = set()
            for n, (org, role, line) in enumerate(owners, 1):
                node = URIRef(f"{annotation.iri}/assignment/{n}")
                organization = self.registries.organizations[org]
                g.add((annotation.iri, AKG.hasAssignment, node))
                g.add((node, RDF.type, AKG.Assignment))
                g.add((node, AKG.organization, organization.iri))
                g.add((node, AKG.role, concept_iri("roles", role)))
                g.add((node, AKG.basis, basis))
                _provenance(g, node, annotation.fields, annotation.fields.line if inherited else line)
                if organization.level:
                    levels.add(organization.level)
            # Without a level in the text, the owners' levels are the levels addressed.
            if "level" not in annotation.fields.mapping:
                for level in sorted(levels):
                    g.add((annotation.iri, AKG.addressedLevel, concept_iri("levels", level)))
