"""Read a document's procedures (``procedures/*.yaml``) and eligibility conditions (``eligibility.yaml``).

A procedure is an ordered list of steps, each with its actor, the obligations that state it, and the
deadline it is due by, counted from the step it follows. Steps that share an order are alternatives
(a branch of the text, or channels it lists), each taken under its own condition. An eligibility
condition is an age range and the words of a definition, quoted from the text. Both are read after the
document's obligations, whose ids they name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, XSD, Graph, Literal, URIRef

from loader.document import PolicyDocument
from loader.errors import ProblemLog
from loader.fields import Fields, suggest
from loader.namespaces import AKG, document_iri
from loader.registry import Registries, concept_or_problem
from loader.vocabulary import Vocabulary
from loader.yamlsource import read_yaml

STEP_KEYS = (["id", "order", "title", "actor", "obligations"], ["after", "deadline", "condition", "benefit", "note"])


@dataclass(frozen=True)
class _Step:
    id: str
    iri: URIRef
    order: int
    after: str | None
    fields: Fields


def _provenance(graph: Graph, node: URIRef, f: Fields) -> None:
    graph.add((node, AKG.sourceFile, Literal(f.file)))
    graph.add((node, AKG.sourceLine, Literal(f.line, datatype=XSD.integer)))


class ProcedureReader:
    """Turns one document's procedure and eligibility files into triples, logging every defect."""

    def __init__(
        self, doc: PolicyDocument, registries: Registries, vocab: Vocabulary, graph: Graph, log: ProblemLog
    ) -> None:
        self.doc, self.registries, self.vocab, self.graph, self.log = doc, registries, vocab, graph, log
        self.eligibility: dict[str, URIRef] = {}

    def read_folder(self, folder: Path, data_dir: Path) -> None:
        """Read ``eligibility.yaml`` (if any), then every ``procedures/*.yaml``."""
        path = folder / "eligibility.yaml"
        if path.exists():
            name = path.relative_to(data_dir).as_posix()
            root = Fields(read_yaml(path, name), name, self.log, "file")
            root.allow(["eligibility"])
            for item, _line in root.items("eligibility"):
                self._eligibility(Fields(item, name, self.log, "eligibility condition"))
        seen: dict[str, str] = {}
        for path in sorted((folder / "procedures").glob("*.yaml")):
            name = path.relative_to(data_dir).as_posix()
            root = Fields(read_yaml(path, name), name, self.log, "file")
            root.allow(["procedures"])
            for item, _line in root.items("procedures"):
                self._procedure(Fields(item, name, self.log, "procedure"), seen)

    # -- shared checks ------------------------------------------------------------------------

    def _quote(self, f: Fields, number: str) -> str | None:
        """The ``quote`` of an entry, checked against provision ``number``; None after logging a problem."""
        provision = self.doc.provisions.get(number)
        if provision is None:
            f.problem("provision", f"unknown provision {number!r}{suggest(number, self.doc.provisions)}")
            return None
        quote = f.text("quote") or ""
        if not quote or quote not in provision.text(self.doc.source):
            f.problem("quote", f"quote {quote!r} does not occur in provision {number}")
            return None
        return quote

    def _bilingual(self, f: Fields, key: str, node: URIRef, predicate: URIRef, required: tuple[str, ...]) -> None:
        tf = Fields(f.mapping.get(key), f.file, self.log, key)
        tf.allow(required, [lang for lang in ("en", "zh") if lang not in required])
        for lang in ("en", "zh"):
            if text := tf.text(lang):
                self.graph.add((node, predicate, Literal(text, lang=lang)))

    def _concepts(self, f: Fields, key: str, scheme: str, predicate: URIRef, node: URIRef) -> None:
        for value, _line in f.items(key):
            if concept := concept_or_problem(f, key, str(value), self.vocab, scheme):
                self.graph.add((node, predicate, concept))

    # -- eligibility --------------------------------------------------------------------------

    def _eligibility(self, f: Fields) -> None:
        f.allow(["id", "provision", "quote", "condition"], ["defines", "age", "note"])
        ident = f.text("id") or ""
        if ident in self.eligibility:
            f.problem("id", f"duplicate eligibility id {ident!r}")
            return
        node = URIRef(f"{document_iri(self.doc.id)}/eligibility/{ident}")
        self.eligibility[ident] = node
        g = self.graph
        g.add((node, RDF.type, AKG.Eligibility))
        g.add((node, AKG.identifier, Literal(ident)))
        g.add((node, AKG.inDocument, self.doc.iri))
        number = f.text("provision") or ""
        if (quote := self._quote(f, number)) is not None:
            g.add((node, AKG.provision, self.doc.provision_iri(number)))
            g.add((node, AKG.quote, Literal(quote)))
            g.add((node, AKG.condition, Literal(quote, lang=self.doc_language)))
        if condition := f.text("condition"):
            g.add((node, AKG.condition, Literal(condition, lang="en")))
        defines = f.text("defines")
        if defines and (concept := concept_or_problem(f, "defines", defines, self.vocab, "groups")):
            g.add((node, AKG.defines, concept))
        if "age" in f.mapping:
            af = Fields(f.mapping["age"], f.file, self.log, "age")
            af.allow([], ["from", "below"])
            low, below = af.integer("from"), af.integer("below")
            if low is None and below is None:
                af.problem(None, "age needs from, below or both (whole years; below is exclusive)")
            if low is not None and below is not None and low >= below:
                af.problem("below", f"age below {below} leaves no age from {low}")
            if low is not None:
                g.add((node, AKG.minimumAge, Literal(low, datatype=XSD.integer)))
            if below is not None:
                g.add((node, AKG.ageBelow, Literal(below, datatype=XSD.integer)))
        if note := f.text("note"):
            g.add((node, AKG.note, Literal(note, lang="en")))
        _provenance(g, node, f)

    @property
    def doc_language(self) -> str:
        language = self.graph.value(self.doc.iri, AKG.language)
        return str(language) if language is not None else "en"

    # -- procedures ---------------------------------------------------------------------------

    def _procedure(self, f: Fields, seen: dict[str, str]) -> None:
        f.allow(["id", "title", "provision", "quote", "steps"], ["needs", "groups", "eligibility", "note"])
        ident = f.text("id") or ""
        if ident in seen:
            f.problem("id", f"duplicate procedure id {ident!r} (first at {seen[ident]})")
            return
        seen[ident] = f"{f.file}:{f.line}"
        node = URIRef(f"{document_iri(self.doc.id)}/procedure/{ident}")
        g = self.graph
        g.add((node, RDF.type, AKG.Procedure))
        g.add((node, AKG.identifier, Literal(ident)))
        g.add((node, AKG.inDocument, self.doc.iri))
        self._bilingual(f, "title", node, AKG.title, ("en", "zh"))
        number = f.text("provision") or ""
        if (quote := self._quote(f, number)) is not None:
            g.add((node, AKG.provision, self.doc.provision_iri(number)))
            g.add((node, AKG.quote, Literal(quote)))
        self._concepts(f, "needs", "needs", AKG.servesNeed, node)
        self._concepts(f, "groups", "groups", AKG.targetGroup, node)
        for value, line in f.items("eligibility"):
            if str(value) in self.eligibility:
                g.add((node, AKG.hasEligibility, self.eligibility[str(value)]))
            else:
                self.log.add(
                    f.file, line, f"unknown eligibility condition {value!r}{suggest(str(value), self.eligibility)}"
                )
        if note := f.text("note"):
            g.add((node, AKG.note, Literal(note, lang="en")))
        _provenance(g, node, f)
        text = self.doc.provisions[number].text(self.doc.source) if number in self.doc.provisions else ""
        steps = [
            step
            for item, _line in f.items("steps")
            if (step := self._step(node, Fields(item, f.file, self.log, "step"), text))
        ]
        self._check_order(f, steps)

    def _step(self, procedure: URIRef, f: Fields, text: str) -> _Step | None:
        f.allow(*STEP_KEYS)
        ident, order = f.text("id") or "", f.integer("order")
        if not ident or order is None:
            return None
        if order < 1:
            f.problem("order", f"order must be at least 1, got {order}")
        node = URIRef(f"{procedure}/step/{ident}")
        g = self.graph
        g.add((procedure, AKG.hasStep, node))
        g.add((node, RDF.type, AKG.ProcedureStep))
        g.add((node, AKG.identifier, Literal(ident)))
        g.add((node, AKG.stepOrder, Literal(order, datatype=XSD.integer)))
        self._bilingual(f, "title", node, AKG.title, ("en", "zh"))
        actor = f.text("actor") or ""
        if actor in self.registries.organizations:
            g.add((node, AKG.actor, self.registries.organizations[actor].iri))
        else:
            f.problem("actor", f"unknown organisation {actor!r}{suggest(actor, self.registries.organizations)}")
        obligations = []
        for value, line in f.items("obligations"):
            if (found := self.doc.obligations.get(str(value))) is None:
                self.log.add(f.file, line, f"unknown obligation {value!r}{suggest(str(value), self.doc.obligations)}")
                continue
            obligations.append(str(value))
            g.add((node, AKG.stepObligation, found))
        if (deadline := f.text("deadline")) is not None:
            if deadline not in obligations:
                f.problem("deadline", f"deadline {deadline!r} must name one of the step's obligations {obligations}")
            elif (d := g.value(self.doc.obligations[deadline], AKG.hasDeadline)) is None:
                f.problem("deadline", f"obligation {deadline!r} has no deadline")
            else:
                g.add((node, AKG.stepDeadline, d))
        if "condition" in f.mapping:
            self._condition(f, node, text)
        if "benefit" in f.mapping:
            g.add((node, AKG.benefit, Literal(f.flag("benefit"))))
        if note := f.text("note"):
            g.add((node, AKG.note, Literal(note, lang="en")))
        _provenance(g, node, f)
        return _Step(ident, node, order, f.text("after"), f)

    def _condition(self, f: Fields, node: URIRef, text: str) -> None:
        """A step's condition: the text's own words (found in the procedure's provision) and English."""
        language = self.doc_language
        cf = Fields(f.mapping["condition"], f.file, self.log, "condition")
        cf.allow(sorted({language, "en"}))
        words = cf.text(language) or ""
        if words and words not in text:
            cf.problem(language, f"condition {words!r} does not occur in the procedure's provision")
        for lang in ("en", "zh"):
            if value := cf.text(lang):
                self.graph.add((node, AKG.condition, Literal(value, lang=lang)))

    def _check_order(self, f: Fields, steps: list[_Step]) -> None:
        """Orders run 1, 2, 3 ... with no gap; alternatives share an order and each has a condition;
        every step after the first follows one step of an earlier order."""
        by_id = {s.id: s for s in steps}
        if len(by_id) != len(steps):
            f.problem("steps", "step ids must be unique within a procedure")
        orders = sorted({s.order for s in steps})
        if orders != list(range(1, len(orders) + 1)):
            f.problem("steps", f"step orders must run 1, 2, 3 ... without a gap; got {orders}")
        for step in steps:
            if sum(s.order == step.order for s in steps) > 1 and "condition" not in step.fields.mapping:
                step.fields.problem(
                    "order", f"step {step.id!r} shares order {step.order} with another: give its condition"
                )
            if step.after is None:
                if step.order != 1:
                    step.fields.problem(
                        None, f"step {step.id!r} (order {step.order}) needs 'after': the step it follows"
                    )
                continue
            before = by_id.get(step.after)
            if before is None:
                step.fields.problem("after", f"unknown step {step.after!r}{suggest(step.after, by_id)}")
            elif before.order >= step.order:
                step.fields.problem("after", f"step {step.id!r} follows {before.id!r}, which does not come before it")
            else:
                self.graph.add((step.iri, AKG.follows, before.iri))
