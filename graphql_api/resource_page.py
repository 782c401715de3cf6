"""The HTML page of one IRI of the graph: what a person sees on opening ``https://w3id.org/akg/id/...``.

:func:`render_resource` shows the resource's labels in English and Chinese, its type, every statement
about it with links as links, the nodes it owns (an obligation's assignments and deadline, a
procedure's steps) and the resources that link to it. An obligation's page opens with what a reader
wants first: the quote, the action, the owners and their roles, the deadline and the clause.

IRIs under ``https://w3id.org/akg/id/`` and ``https://w3id.org/akg/ontology`` link to the same path on
this server (``/id/...``, ``/ontology#...``), so the pages work before and without a w3id.org redirect.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterable

from akg.store import SERIALIZATION_PREFIXES, OxigraphStore, Statement, Term

W3ID = "https://w3id.org/akg/"
AKG = W3ID + "ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
MAX_REFERRERS = 300  # "linked from" entries on one page: an organisation holds hundreds of roles
_LONG_TEXT = 600  # characters: longer literals (a document's source text) fold away
_PART = re.compile(r"^(?P<owner>.+)/(?:assignment/[^/]+|deadline|step/[^/]+|citation/[^/]+|link/[^/]+)$")
_FIRST = (RDF_TYPE, "http://www.w3.org/2004/02/skos/core#prefLabel", AKG + "title", AKG + "text", AKG + "action")

_STYLE = """
body { font: 10pt/1.5 "Noto Sans CJK SC", "Source Han Sans SC", sans-serif; margin: 1.5em auto; max-width: 62em;
       padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; margin-bottom: .2em; }
h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
code, .iri { font-family: "DejaVu Sans Mono", monospace; font-size: .9em; color: #555; word-break: break-all; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; vertical-align: top; padding: .25em .5em; }
th { width: 16em; font-weight: normal; color: #555; } tr + tr { border-top: 1px solid #eee; }
dl.summary { display: grid; grid-template-columns: 12em 1fr; gap: .3em 1em; background: #f6f8fa; padding: 1em; }
dl.summary dt { color: #555; } dl.summary dd { margin: 0; }
.quote { font-size: 1.1em; } .lang { color: #888; font-size: .8em; margin-left: .3em; }
.formats a { margin-right: .8em; } ul.values { margin: 0; padding-left: 1.1em; }
"""


def local_href(iri: str) -> str:
    """The link to ``iri``: a path on this server for the graph's own IRIs, else the IRI itself."""
    if iri.startswith(W3ID + "id/") or iri.startswith(W3ID + "ontology"):
        return "/" + iri[len(W3ID) :]
    return iri


class _Names:
    """Readable names of IRIs for one page: their labels in both languages, or a name built from the graph."""

    def __init__(self, store: OxigraphStore) -> None:
        self.store = store
        self.labels: dict[str, dict[str, str]] = {}

    def prefetch(self, iris: Iterable[str]) -> None:
        wanted = {iri for iri in iris if iri not in self.labels}
        found = self.store.labels(wanted)
        for iri in wanted:
            self.labels[iri] = found.get(iri, {})

    def both(self, iri: str) -> tuple[str, str]:
        """(English, Chinese) names of ``iri``; either may be empty."""
        self.prefetch([iri])
        labels = self.labels[iri]
        if labels:
            return labels.get("en") or labels.get("", ""), labels.get("zh", "")
        return self._built(iri)

    def text(self, iri: str) -> str:
        en, zh = self.both(iri)
        return " · ".join(part for part in (en, zh) if part) or _compact(iri)

    def _built(self, iri: str) -> tuple[str, str]:
        # Obligations, provisions, assignments ... have no label: "Obligation 2.2-1 (民发〔2019〕62号)".
        store = self.store
        types = [t.value for t in store.objects(iri, RDF_TYPE) if t.value.startswith(AKG)]
        if not types:
            return "", ""
        self.prefetch(types)
        type_labels = self.labels[types[0]]
        ident = next(
            (
                t.value
                for p in (AKG + "identifier", AKG + "number", "http://www.w3.org/2004/02/skos/core#notation")
                for t in store.objects(iri, p)
            ),
            iri.rstrip("/").rsplit("/", 1)[-1],
        )
        type_en = type_labels.get("en", types[0].rsplit("#", 1)[-1])
        if ident.lower() == type_en.lower():  # a deadline's IRI ends in /deadline
            ident = ""
        en = f"{type_en} {ident}".strip()
        zh = f"{type_labels['zh']} {ident}".strip() if "zh" in type_labels else ""
        document = _document_of(store, iri)
        if document:  # once, after both names: "Obligation 2.2-1 · 职责 2.2-1 (民发〔2019〕62号)"
            en, zh = (en, f"{zh} ({document})") if zh else (f"{en} ({document})", zh)
        return en, zh


def _document_of(store: OxigraphStore, iri: str) -> str:
    """The number (e.g. 民发〔2019〕62号) of the document an obligation, provision or part belongs to."""
    owner = _PART.match(iri)
    if owner:
        iri = owner["owner"]
    for provision in [*store.objects(iri, AKG + "provision"), Term("iri", iri)]:
        for document in store.objects(provision.value, AKG + "inDocument"):
            for number in store.objects(document.value, AKG + "number"):
                return number.value
    return ""


def _compact(iri: str) -> str:
    for prefix, namespace in SERIALIZATION_PREFIXES.items():
        if iri.startswith(namespace) and iri != namespace:
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def _link(iri: str, names: _Names) -> str:
    e = html.escape
    href = local_href(iri)
    if not href.startswith(("/", "http://", "https://")):
        return f"<code>{e(iri)}</code>"
    return f'<a href="{e(href)}">{e(names.text(iri))}</a>'


def _value(term: Term, names: _Names) -> str:
    e = html.escape
    if term.kind == "iri":
        return _link(term.value, names)
    if term.kind == "bnode":
        return f"<code>_:{e(term.value)}</code>"
    text = e(term.value).replace("\n", "<br>")
    if len(term.value) > _LONG_TEXT:
        text = f"<details><summary>{e(term.value[:120])}… ({len(term.value)} characters)</summary>{text}</details>"
    if term.language:
        text += f'<span class="lang">@{e(term.language)}</span>'
    elif term.datatype:
        text += f'<span class="lang">{e(_compact(term.datatype))}</span>'
    return text


def _table(statements: list[Statement], names: _Names) -> str:
    by_predicate: dict[str, list[Term]] = defaultdict(list)
    for _, predicate, obj in statements:
        by_predicate[predicate].append(obj)
    order = sorted(by_predicate, key=lambda p: (_FIRST.index(p) if p in _FIRST else len(_FIRST), names.text(p)))
    rows = []
    for predicate in order:
        values = by_predicate[predicate]
        cell = (
            _value(values[0], names)
            if len(values) == 1
            else '<ul class="values">' + "".join(f"<li>{_value(v, names)}</li>" for v in values) + "</ul>"
        )
        rows.append(f"<tr><th>{_link(predicate, names)}</th><td>{cell}</td></tr>")
    return "<table>" + "".join(rows) + "</table>"


def _obligation_summary(iri: str, names: _Names) -> str:
    """Quote, action, owners and roles, deadline and clause of an obligation, as a reader wants them first."""
    store, e = names.store, html.escape

    def first(predicate: str, subject: str = iri) -> Term | None:
        values = store.objects(subject, predicate)
        return values[0] if values else None

    rows: list[tuple[str, str]] = []
    text, action = first(AKG + "text"), first(AKG + "action")
    if text:
        rows.append(("Quote · 原文", f'<span class="quote">{e(text.value)}</span>'))
    if action:
        rows.append(("Action · 行动", e(action.value)))
    modality = first(AKG + "modality")
    if modality:
        rows.append(("Modality · 情态", _link(modality.value, names)))
    owners = []
    for assignment in store.objects(iri, AKG + "hasAssignment"):
        org, role = first(AKG + "organization", assignment.value), first(AKG + "role", assignment.value)
        if org:
            owners.append(f"<li>{_link(org.value, names)} — {_link(role.value, names) if role else ''}</li>")
    inherited = first(AKG + "ownerInheritedFrom")
    if owners:
        rows.append(("Owners and roles · 责任主体与角色", '<ul class="values">' + "".join(owners) + "</ul>"))
    elif inherited:
        rows.append(("Owners and roles · 责任主体与角色", "as in " + _link(inherited.value, names)))
    deadline = first(AKG + "hasDeadline")
    if deadline:
        when = deadline.value
        parts = [_value(value, names) for p in ("wording", "date", "recurrence") if (value := first(AKG + p, when))]
        amount, unit = first(AKG + "relativeAmount", when), first(AKG + "relativeUnit", when)
        trigger = first(AKG + "trigger", when)
        if amount and unit:
            parts.append(
                f"= {e(amount.value)} {_link(unit.value, names)}" + (f" after {e(trigger.value)}" if trigger else "")
            )
        kind = first(AKG + "deadlineKind", when)
        if kind:
            parts.append(f"({_link(kind.value, names)})")
        rows.append(("Deadline · 时限", " ".join(parts)))
    provision = first(AKG + "provision")
    if provision:
        clause = _link(provision.value, names)
        document = first(AKG + "inDocument", provision.value)
        if document:
            clause += " · " + _link(document.value, names)
        rows.append(("Clause · 条款", clause))
    return '<dl class="summary">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"


def _referrers(iri: str, names: _Names) -> str:
    """Who links here: each linking part (an assignment, a deadline) is shown as its owner."""
    seen: dict[tuple[str, str], None] = {}
    for subject, predicate in names.store.referrers(iri, MAX_REFERRERS):
        owner = _PART.match(subject)
        seen[(owner["owner"] if owner else subject, predicate)] = None
    if not seen:
        return ""
    items = "".join(
        f'<li>{_link(subject, names)} <span class="lang">{html.escape(names.text(predicate))}</span></li>'
        for subject, predicate in seen
    )
    more = f"<p>(the first {MAX_REFERRERS} links)</p>" if len(seen) >= MAX_REFERRERS else ""
    return f'<section><h2>Linked from · 被引用</h2><ul class="values">{items}</ul>{more}</section>'


def render_resource(store: OxigraphStore, iri: str, statements: list[Statement]) -> str:
    """The page of ``iri``, whose :meth:`~akg.store.OxigraphStore.describe` is ``statements`` (not empty)."""
    e = html.escape
    names = _Names(store)
    names.prefetch(
        {p for _, p, _ in statements} | {o.value for _, _, o in statements if o.kind == "iri"} | {iri},
    )
    own = [s for s in statements if s[0].value == iri]
    parts: dict[str, list[Statement]] = defaultdict(list)
    for statement in statements:
        if statement[0].value != iri:
            parts[statement[0].value].append(statement)
    en, zh = names.both(iri)
    title = " · ".join(t for t in (en, zh) if t) or iri
    types = [o.value for _, p, o in own if p == RDF_TYPE]
    type_links = ", ".join(_link(t, names) for t in types)
    body = [
        f"<h1>{e(title)}</h1>",
        f'<p><span class="iri">{e(iri)}</span>{" · " + type_links if type_links else ""}</p>',
        '<p class="formats">Also as · 其他格式: <a href="?format=ttl">Turtle</a><a href="?format=nt">N-Triples</a>'
        '<a href="?format=jsonld">JSON-LD</a></p>',
    ]
    if AKG + "Obligation" in types:
        body.append(_obligation_summary(iri, names))
    body.append(f"<section><h2>Statements · 陈述</h2>{_table(own, names)}</section>")
    for part, part_statements in parts.items():
        body.append(
            f'<section id="{e(part.rsplit("/", 1)[-1])}"><h2>{_link(part, names)}</h2>'
            f"{_table(part_statements, names)}</section>"
        )
    body.append(_referrers(iri, names))
    return _page(title, "".join(body))


def render_not_found(iri: str) -> str:
    """The 404 page of an IRI the graph does not hold."""
    e = html.escape
    return _page(
        "Not found · 未找到",
        f"<h1>Not found · 未找到</h1><p>The graph holds nothing about <code>{e(iri)}</code>.</p>"
        '<p><a href="/ontology">The ontology · 本体</a> · <a href="/sparql">SPARQL</a></p>',
    )


def _page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_STYLE}</style></head>'
        f"<body>{body}</body></html>\n"
    )
