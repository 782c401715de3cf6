"""Read one document folder's ``document.yaml`` and source text into document and provision triples."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, XSD, Graph, Literal, URIRef

from loader.errors import ProblemLog
from loader.fields import Fields, suggest
from loader.links import RELATION_KEYS, PendingLink, pending_links
from loader.namespaces import AKG, citation_iri, document_iri, jurisdiction_iri, provision_iri
from loader.provisions import Layout, LayoutError, Level, ParsedText, Provision, parse_text
from loader.registry import Registries, concept_or_problem
from loader.vocabulary import Vocabulary
from loader.yamlsource import read_yaml

RELATIONS = {"implements": AKG.implements, "based_on": AKG.basedOn, "cites": AKG.cites}
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")  # a BCP 47 tag: zh, en, bo, ug, zh-Hant


@dataclass(frozen=True)
class DeadlineScope:
    """A deadline stated once and inherited by the obligations of a provision (or the whole document)."""

    provision: str
    wording: str
    date: dt.date
    basis: str  # "inherited-from-provision" or "inherited-from-goal"


@dataclass
class PolicyDocument:
    """A loaded document: its text, provisions and the deadlines its obligations inherit."""

    id: str
    iri: URIRef
    folder: str  # relative to the data folder, for error messages
    source: str
    provisions: dict[str, Provision]
    date_signed: dt.date | None
    goal: DeadlineScope | None
    provision_deadlines: dict[str, DeadlineScope]
    obligations: dict[str, URIRef] = field(default_factory=dict)  # filled by the annotation reader
    links: list[PendingLink] = field(default_factory=list)  # resolved once every document is loaded

    def provision_iri(self, number: str) -> URIRef:
        return provision_iri(self.id, number)


def _pattern(f: Fields, key: str, value: object) -> re.Pattern[str] | None:
    try:
        return re.compile(str(value))
    except re.error as exc:
        f.problem(key, f"bad regular expression {value!r}: {exc}")
        return None


def _layout(f: Fields) -> Layout | None:
    f.allow(
        ["levels"], ["header_lines", "title_line", "end_marker", "signing_date", "heading_end", "closing_paragraphs"]
    )
    levels = []
    for item, _line in f.items("levels"):
        lf = Fields(item, f.file, f.log, "layout level")
        lf.allow(["name", "markers"])
        markers = tuple(p for m, _ in lf.items("markers") if (p := _pattern(lf, "markers", m)))
        levels.append(Level(lf.text("name") or "", markers))
    if not levels and "levels" in f.mapping:  # a missing key is reported by f.allow
        f.problem("levels", "layout levels are empty: give the numbering levels, outermost first")
    heading_end = _pattern(f, "heading_end", f.mapping.get("heading_end", r"\.\s"))
    signing_date = _pattern(f, "signing_date", f.mapping["signing_date"]) if "signing_date" in f.mapping else None
    if not (levels and heading_end) or ("signing_date" in f.mapping and signing_date is None):
        return None
    closing = f.integer("closing_paragraphs")
    return Layout(
        header_lines=f.integer("header_lines") or 0,
        end_marker=f.text("end_marker"),
        levels=tuple(levels),
        heading_end=heading_end,
        signing_date=signing_date,
        closing_paragraphs=1 if closing is None else closing,
    )


def _literal_date(value: dt.date) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.date)


def _add_provisions(graph: Graph, doc: PolicyDocument, parsed: ParsedText, source_name: str) -> None:
    # A provision's own annotation is the source text: findings about it point at its first line there.
    for order, p in enumerate(parsed.provisions, 1):
        iri = doc.provision_iri(p.number)
        graph.add((iri, AKG.sourceFile, Literal(f"{doc.folder}/{source_name}")))
        graph.add((iri, AKG.sourceLine, Literal(doc.source.count("\n", 0, p.start) + 1, datatype=XSD.integer)))
        graph.add((iri, RDF.type, AKG.Provision))
        graph.add((iri, AKG.number, Literal(p.number)))
        graph.add((iri, AKG.provisionKind, Literal(p.kind)))
        graph.add((iri, AKG.order, Literal(order, datatype=XSD.integer)))
        graph.add((iri, AKG.inDocument, doc.iri))
        graph.add((iri, AKG.text, Literal(p.text(doc.source))))
        graph.add((iri, AKG.startOffset, Literal(p.start, datatype=XSD.integer)))
        graph.add((iri, AKG.endOffset, Literal(p.end, datatype=XSD.integer)))
        if p.heading:
            graph.add((iri, AKG.heading, Literal(p.heading)))
        if p.parent is None:
            graph.add((doc.iri, AKG.hasProvision, iri))
        else:
            parent = doc.provision_iri(p.parent.number)
            graph.add((iri, AKG.isPartOf, parent))
            graph.add((parent, AKG.hasPart, iri))


def _signatories(f: Fields, parsed: ParsedText, source: str, registries: Registries) -> list[URIRef]:
    """Match the printed names, in order, against the signature block; every word must be accounted for."""
    expected = []
    for item, line in f.items("signatories"):
        sf = Fields(item, f.file, f.log, "signatory")
        sf.allow(["printed", "org"])
        org = sf.text("org") or ""
        if org not in registries.organizations:
            sf.problem("org", f"unknown organisation {org!r}{suggest(org, registries.organizations)}")
            continue
        expected.append((sf.text("printed") or "", registries.organizations[org].iri, line))
    found: list[URIRef] = []
    queue = list(expected)
    for block_line in parsed.signature_lines:
        rest = block_line.text(source).strip()
        while rest:
            if queue and rest.startswith(queue[0][0]):
                printed, iri, _ = queue.pop(0)
                found.append(iri)
                rest = rest[len(printed) :].strip()
            elif queue:
                printed, _iri, line = queue[0]
                f.log.add(
                    f.file,
                    line,
                    f"signatory {printed!r} not found in the signature block: "
                    f"source line {block_line.number} reads {rest!r} at that point",
                )
                return found
            else:
                f.problem(
                    "signatories", f"signature block, source line {block_line.number}: unlisted signatory {rest!r}"
                )
                return found
    for printed, _iri, line in queue:
        f.log.add(f.file, line, f"signatory {printed!r} not found in the signature block")
    return found


def _citations(f: Fields, graph: Graph, doc: PolicyDocument, registries: Registries) -> None:
    for n, (item, _line) in enumerate(f.items("citations"), 1):
        cf = Fields(item, f.file, f.log, "citation")
        cf.allow(["provision", "quote", "cited", "relation"])
        number, quote = cf.text("provision") or "", cf.text("quote") or ""
        cited, relation = cf.text("cited") or "", cf.text("relation") or ""
        provision = doc.provisions.get(number)
        if provision is None:
            cf.problem("provision", f"unknown provision {number!r}{suggest(number, doc.provisions)}")
            continue
        if quote not in provision.text(doc.source):
            cf.problem("quote", f"quote {quote!r} does not occur in provision {number}")
        known = {**registries.cited_documents, **registries.documents}
        if cited not in known:
            cf.problem("cited", f"unknown cited or corpus document {cited!r}{suggest(cited, known)}")
            continue
        if relation not in RELATIONS:
            cf.problem("relation", f"unknown relation {relation!r} (allowed: {', '.join(RELATIONS)})")
            continue
        iri, target, p_iri = citation_iri(doc.id, n), known[cited], doc.provision_iri(number)
        graph.add((iri, RDF.type, AKG.Citation))
        graph.add((iri, AKG.citedDocument, target))
        graph.add((iri, AKG.relation, RELATIONS[relation]))
        graph.add((iri, AKG.quote, Literal(quote)))
        graph.add((iri, AKG.provision, p_iri))
        graph.add((doc.iri, AKG.hasCitation, iri))
        graph.add((p_iri, AKG.hasCitation, iri))
        graph.add((p_iri, RELATIONS[relation], target))
        graph.add((doc.iri, RELATIONS[relation], target))
        graph.add((iri, AKG.sourceFile, Literal(f.file)))
        graph.add((iri, AKG.sourceLine, Literal(cf.line, datatype=XSD.integer)))


def _scope(f: Fields, doc: PolicyDocument, basis: str) -> DeadlineScope | None:
    f.allow(["provision", "quote", "date"])
    number, quote, date = f.text("provision") or "", f.text("quote") or "", f.date("date")
    if number not in doc.provisions:
        f.problem("provision", f"unknown provision {number!r}{suggest(number, doc.provisions)}")
        return None
    if quote not in doc.provisions[number].text(doc.source):
        f.problem("quote", f"quote {quote!r} does not occur in provision {number}")
        return None
    return DeadlineScope(number, quote, date, basis) if date else None


def load_document(
    data_dir: Path, folder: Path, registries: Registries, vocab: Vocabulary, graph: Graph, log: ProblemLog
) -> PolicyDocument | None:
    """Load ``folder/document.yaml`` and its source text into ``graph``.

    Returns None (with problems logged) when the document cannot be read far enough to annotate. The
    metadata that does not depend on the text (title, language, level, issuers) is checked first, so
    that a new document's first run names everything still to give, not only the missing text.
    """
    rel = folder.relative_to(data_dir).as_posix()
    name = f"{rel}/document.yaml"
    f = Fields(read_yaml(folder / "document.yaml", name), name, log, "document")
    f.allow(
        ["id", "title", "source", "layout", "language", "jurisdiction_level"],
        [
            "number",
            "issuers",
            "signatories",
            "date_signed",
            "date_published",
            "publisher",
            "addressees",
            "citations",
            "links",
            "deadlines",
            "jurisdiction",
            "note",
        ],
    )
    doc_id = f.text("id") or ""
    if doc_id != folder.name:
        f.problem("id", f"document id {doc_id!r} must equal its folder name {folder.name!r}")
    iri = document_iri(doc_id)
    language = f.text("language") or ""
    if not LANGUAGE_TAG.match(language):
        f.problem("language", f"language {language!r} is not a BCP 47 tag such as zh or en")
    else:
        graph.add((iri, AKG.language, Literal(language, datatype=XSD.language)))
    layout_fields = Fields(f.mapping.get("layout"), name, log, "layout")
    title_line = layout_fields.integer("title_line")
    titles, empty_titles = _titles(f, graph, iri, language, title_line)
    level = f.text("jurisdiction_level") or ""
    if not level:
        if "jurisdiction_level" in f.mapping:  # a missing key is reported by f.allow
            levels = ", ".join(sorted(vocab.notations("levels")))
            f.problem("jurisdiction_level", f"jurisdiction_level is empty: give the level of the issuers ({levels})")
    elif concept := concept_or_problem(f, "jurisdiction_level", level, vocab, "levels"):
        graph.add((iri, AKG.documentLevel, concept))
    if number := f.text("number"):
        graph.add((iri, AKG.number, Literal(number)))
    if (code := f.text("jurisdiction")) is not None:
        # Whether the division exists is checked once jurisdictions are loaded (loader/instances.py).
        if re.fullmatch(r"[0-9]{6}", code):
            graph.add((iri, AKG.appliesIn, jurisdiction_iri(code)))
        else:
            f.problem("jurisdiction", f"jurisdiction {code!r} is not a six-digit division code such as 420000")
    if published := f.date("date_published"):
        graph.add((iri, AKG.datePublished, _literal_date(published)))
    if (org := f.text("publisher")) is not None:
        if org in registries.organizations:
            graph.add((iri, AKG.publisher, registries.organizations[org].iri))
        else:
            f.problem("publisher", f"unknown organisation {org!r}{suggest(org, registries.organizations)}")
    for org in f.references("addressees", registries.organizations, "organisation"):
        graph.add((iri, AKG.addressee, registries.organizations[org].iri))
    issuers = [
        registries.organizations[o].iri for o in f.references("issuers", registries.organizations, "organisation")
    ]

    source_name = f.text("source") or ""
    layout = _layout(layout_fields)
    source = _source_text(f, folder, rel, source_name)
    if source is None or layout is None:
        # The text cannot be read: say now what else is missing, rather than one problem per run.
        if not issuers and "signatories" not in f.mapping:
            f.problem("issuers" if "issuers" in f.mapping else None, LACKS_ISSUERS)
        return None
    try:
        parsed = parse_text(source, layout)
    except LayoutError as exc:
        f.problem("layout", f"{rel}/{source_name}: {exc}")
        return None
    body = source[: parsed.body_end]
    doc = PolicyDocument(doc_id, iri, rel, body, parsed.by_number(), None, None, {})

    graph.add((iri, RDF.type, AKG.PolicyDocument))
    graph.add((iri, AKG.identifier, Literal(doc_id)))
    graph.add((iri, AKG.sourceText, Literal(body)))
    graph.add((iri, AKG.sourceFile, Literal(name)))
    graph.add((iri, AKG.sourceLine, Literal(f.line, datatype=XSD.integer)))
    _title_line(f, source, layout_fields, titles, empty_titles, language)
    _add_provisions(graph, doc, parsed, source_name)

    text_date = None
    if parsed.signing_date_line is not None:
        text_date = _signing_date(parsed.signing_date_line.text(source).strip())
    declared = f.date("date_signed")
    if declared and text_date and declared != text_date:
        f.problem("date_signed", f"date_signed {declared} disagrees with the text's signing date {text_date}")
    doc.date_signed = text_date or declared
    if doc.date_signed:
        graph.add((iri, AKG.dateSigned, _literal_date(doc.date_signed)))
    signatories: list[URIRef] = []
    if parsed.signing_date_line is not None:
        signatories = _signatories(f, parsed, source, registries)
    elif "signatories" in f.mapping:
        f.problem("signatories", "signatories are given but the layout declares no signature block (signing_date)")
    for org_iri in signatories:
        graph.add((iri, AKG.signatory, org_iri))
    # The issuers are the signatories unless the document says otherwise (a text with no signature block).
    for org_iri in issuers or signatories:
        graph.add((iri, AKG.issuedBy, org_iri))
    if not (issuers or signatories):
        f.problem("issuers" if "issuers" in f.mapping else None, LACKS_ISSUERS)
    _citations(f, graph, doc, registries)
    for item, _line in f.items("links"):
        lf = Fields(item, name, log, "link")
        lf.allow(["provision", "quote"], RELATION_KEYS)
        number, quote = lf.text("provision") or "", lf.text("quote") or ""
        if number not in doc.provisions:
            lf.problem("provision", f"unknown provision {number!r}{suggest(number, doc.provisions)}")
            continue
        if not quote or quote not in doc.provisions[number].text(doc.source):
            lf.problem("quote", f"quote {quote!r} does not occur in provision {number}")
            continue
        doc.links += pending_links(lf, doc.id, doc.provision_iri(number), quote)

    if "deadlines" not in f.mapping:
        return doc
    deadlines = Fields(f.mapping["deadlines"], name, log, "deadlines")
    deadlines.allow([], ["goal", "provisions"])
    if "goal" in deadlines.mapping:
        doc.goal = _scope(Fields(deadlines.mapping["goal"], name, log, "goal deadline"), doc, "inherited-from-goal")
    for item, _line in deadlines.items("provisions"):
        scope = _scope(Fields(item, name, log, "provision deadline"), doc, "inherited-from-provision")
        if scope:
            doc.provision_deadlines[scope.provision] = scope
    return doc


LACKS_ISSUERS = (
    "document lacks issuers: give 'issuers' (their ids in organizations.yaml), or 'signatories' with a signature block"
)
LANGUAGE_NAMES = {"en": "English", "zh": "Chinese"}


def _source_text(f: Fields, folder: Path, rel: str, source_name: str) -> str | None:
    """The source text, or None after a problem that says what to do: a new document's text is still to copy."""
    if not source_name:
        if "source" in f.mapping:  # a missing key is reported by f.allow
            f.problem("source", "source is empty: give the name of the text file, e.g. source.txt")
        return None
    path, shown = folder / source_name, f"{rel}/{source_name}"
    copy = "copy the document's text into this file, verbatim, as published"
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        f.problem("source", f"source text {shown} not found: create it and copy the document's text into it, verbatim")
        return None
    except UnicodeDecodeError as exc:
        f.problem("source", f"cannot read source text {shown}: not UTF-8 ({exc.reason} at byte {exc.start})")
        return None
    except OSError as exc:
        f.problem("source", f"cannot read source text {shown}: {exc.strerror or exc}")
        return None
    if not source.strip():
        # Reported at the text itself, where the text goes.
        f.log.add(shown, 1, f"the source text is empty: {copy}")
        return None
    return source


def _titles(
    f: Fields, graph: Graph, iri: URIRef, language: str, title_line: int | None
) -> tuple[dict[str, str], set[str]]:
    """The title in each language given, by language, and the languages whose title is empty.

    An empty title is a problem that asks for it.
    """
    value = f.mapping.get("title")
    if isinstance(value, str):
        tf, keys = None, {"en": "title"}
        given = {"en": value}
    else:
        tf = Fields(value, f.file, f.log, "title")
        tf.allow(["en"], ["zh"])
        keys = {lang: f"title.{lang}" for lang in ("en", "zh")}
        given = {lang: tf.text(lang) for lang in ("en", "zh") if lang in tf.mapping}
    titles, empty = {}, set()
    for lang, text in given.items():
        if text and text.strip():
            titles[lang] = text
            graph.add((iri, AKG.title, Literal(text, lang=lang)))
        else:
            empty.add(lang)
            where = tf.line_of(lang) if tf is not None else f.line_of("title")
            hint = f", as line {title_line} of the source text prints it" if lang == language and title_line else ""
            f.log.add(f.file, where, f"{keys[lang]} is empty: give the title in {LANGUAGE_NAMES[lang]}{hint}")
    return titles, empty


def _title_line(f: Fields, source: str, layout: Fields, titles: dict[str, str], empty: set[str], language: str) -> None:
    """``layout.title_line`` says which source line holds the title in the document's language, verbatim."""
    if (line := layout.integer("title_line")) is None:
        return
    lines = source.splitlines()
    printed = lines[line - 1].strip() if 0 < line <= len(lines) else None
    expected = titles.get(language)
    if expected is None:
        if language not in empty:  # an empty title was reported already
            name = LANGUAGE_NAMES.get(language, language)
            f.problem(
                "title", f"give the title in {name} (title.{language}), as source line {line} prints it: {printed!r}"
            )
    elif printed != expected:
        f.problem("title", f"title ({language}) {expected!r} differs from source line {line}: {printed!r}")


def _signing_date(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text, "%B %d, %Y").date()
    except ValueError:
        return None
