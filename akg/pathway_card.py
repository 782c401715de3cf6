"""The pathway card: one child's pathway on one printable page, in Chinese or English, every clause cited.

``render_card(pathway, accountability, fmt, lang)`` gives the bytes of an ``html`` page (self-contained,
A4 portrait, no script, no remote resource), ``md`` or ``json``. The card shows the profile it was asked
for (to be handed over, not stored), the conditions the texts state, each procedure step by step with its
actor and latest due date, and who is responsible for each need, with the clauses they rest on.
"""

from __future__ import annotations

import html
import json
from collections import defaultdict
from dataclasses import dataclass

from akg.accountability import Accountability, Pathway

FORMATS = ("html", "md", "json")

WORDS = {
    "en": {
        "title": "Care pathway", "profile": "Asked for", "groups": "groups", "age": "age", "level": "level",
        "start": "start", "none": "—", "conditions": "Who qualifies, as the texts say",
        "age_ok": "age fits", "age_no": "age does not fit", "procedures": "Procedures, step by step",
        "step": "Step", "who": "Who acts", "due": "Due by", "when": "If", "clause": "Clause",
        "benefit": "days from the start to the benefit", "owed": "Who is responsible for each need",
        "sources": "Sources", "note": "A profile is printed here for the holder of this card; akg does not keep it.",
        "roles": {"lead": "leads", "responsible": "responsible", "supporting": "supports", "consulted": "consulted",
                  "informed": "informed"},
        "basis": {"start": "start", "computed": "", "promptly": "promptly", "no period stated": "no period set",
                  "follows an undated step": "after an undated step", "a date the text states": "",
                  "no start date given": "no start date given"},
    },
    "zh": {
        "title": "关爱保护路径", "profile": "查询条件", "groups": "对象", "age": "年龄", "level": "层级",
        "start": "起始日", "none": "—", "conditions": "保障对象（依文件原文）",
        "age_ok": "年龄符合", "age_no": "年龄不符", "procedures": "工作流程",
        "step": "环节", "who": "责任主体", "due": "最迟时限", "when": "条件", "clause": "依据条款",
        "benefit": "自申请至获得保障的天数", "owed": "各项需求的责任主体",
        "sources": "依据文件", "note": "查询条件仅印于本卡供持卡人使用，系统不予保存。",
        "roles": {"lead": "牵头", "responsible": "负责", "supporting": "配合", "consulted": "征求意见",
                  "informed": "知悉"},
        "basis": {"start": "起始", "computed": "", "promptly": "及时", "no period stated": "未规定时限",
                  "follows an undated step": "前一环节无时限", "a date the text states": "",
                  "no start date given": "未给起始日"},
    },
}  # fmt: skip


@dataclass(frozen=True)
class _Line:
    """One row of a card table, already in the card's language."""

    cells: tuple[str, ...]


def _clause(acc: Accountability, document: str, provision: str) -> str:
    record = acc.document(document)
    return f"{record.number or record.id} {provision}" if record else f"{document} {provision}"


def card_content(pathway: Pathway, acc: Accountability, lang: str) -> dict:
    """The card as plain data in ``lang``: what every format shows."""
    words = WORDS[lang]
    profile = pathway.profile

    def concept(scheme: str, ident: str | None) -> str:
        found = acc.concept(scheme, ident) if ident else None
        return found.label(lang) if found else (ident or words["none"])

    def org(ident: str) -> str:
        found = acc.organization(ident)
        return found.label(lang) if found else ident

    asked = [
        (words["groups"], ", ".join(concept("groups", g) for g in profile.groups)),
        (words["age"], str(profile.age) if profile.age is not None else words["none"]),
        (words["level"], concept("levels", profile.level)),
        (words["start"], pathway.start.isoformat() if pathway.start else words["none"]),
    ]
    conditions = []
    for check in pathway.eligibility:
        c = check.condition
        verdict = "" if check.age_ok is None else words["age_ok"] if check.age_ok else words["age_no"]
        text = c.quote if lang == "zh" else c.condition
        conditions.append({"text": text, "verdict": verdict, "clause": _clause(acc, c.document, c.provision)})
    procedures = []
    for path in pathway.procedures:
        p = path.procedure
        rows = []
        for dated in path.steps:
            s = dated.step
            due = dated.due.isoformat() if dated.due else words["basis"].get(dated.basis, dated.basis)
            clauses = sorted({acc.obligation(o).provision for o in s.obligations if acc.obligation(o)})
            rows.append(
                {
                    "order": s.order,
                    "step": s.label(lang),
                    "actor": dated.actor.organization.label(lang),
                    "due": due,
                    "condition": s.conditions.get(lang) or s.conditions.get("en") or "",
                    "clause": ", ".join(_clause(acc, p.document, c) for c in clauses),
                }
            )
        procedures.append(
            {"title": p.label(lang), "clause": _clause(acc, p.document, p.provision), "steps": rows,
             "days_to_benefit": path.days_to_benefit}
        )  # fmt: skip
    by_need: dict[str, dict[tuple[str, str], set[str]]] = defaultdict(lambda: defaultdict(set))
    for duty in pathway.duties:
        ob = duty.obligation
        for need in ob.needs:
            for holder in duty.holders:
                by_need[need][(holder.role, holder.organization.id)].add(_clause(acc, ob.document, ob.provision))
    role_rank = {c.id: n for n, c in enumerate(acc.concepts("roles"))}
    owed = []
    for need in pathway.needs:
        holders = sorted(by_need[need], key=lambda key: (role_rank.get(key[0], 9), key[1]))
        owed.append(
            {
                "need": concept("needs", need),
                "holders": [
                    {"role": words["roles"].get(role, role), "organization": org(o),
                     "clauses": sorted(by_need[need][(role, o)])}
                    for role, o in holders
                ],
            }
        )  # fmt: skip
    documents = sorted(
        {d.obligation.document for d in pathway.duties} | {p.procedure.document for p in pathway.procedures}
        | {c.condition.document for c in pathway.eligibility}
    )  # fmt: skip
    sources = [f"{acc.document(d).number or d} {acc.document(d).label(lang)}" for d in documents if acc.document(d)]
    return {"title": words["title"], "asked": asked, "conditions": conditions, "procedures": procedures,
            "owed": owed, "sources": sources, "note": words["note"]}  # fmt: skip


def render_card(pathway: Pathway, acc: Accountability, fmt: str, lang: str = "en") -> bytes:
    """The card in ``fmt`` (html, md or json) and ``lang`` (en or zh). Raises ValueError for others."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown card format {fmt!r}: expected one of {', '.join(FORMATS)}")
    if lang not in WORDS:
        raise ValueError(f"unknown language {lang!r}: expected en or zh")
    content = card_content(pathway, acc, lang)
    if fmt == "json":
        return (json.dumps(content, ensure_ascii=False, indent=2) + "\n").encode()
    if fmt == "md":
        return _markdown(content, WORDS[lang]).encode()
    return _html(content, WORDS[lang], lang).encode()


def _markdown(c: dict, w: dict) -> str:
    out = [f"# {c['title']}", "", f"{w['profile']}: " + "; ".join(f"{k} {v}" for k, v in c["asked"]), ""]
    if c["conditions"]:
        out += [f"## {w['conditions']}", ""]
        out += [f"- {x['text']} ({x['clause']}){' — ' + x['verdict'] if x['verdict'] else ''}" for x in c["conditions"]]
        out.append("")
    for p in c["procedures"]:
        out += [f"## {w['procedures']}: {p['title']} ({p['clause']})", ""]
        out += [f"| {w['step']} | {w['who']} | {w['due']} | {w['when']} | {w['clause']} |", "|---|---|---|---|---|"]
        out += [f"| {s['order']}. {s['step']} | {s['actor']} | {s['due']} | {s['condition']} | {s['clause']} |"
                for s in p["steps"]]  # fmt: skip
        if p["days_to_benefit"] is not None:
            out.append(f"\n{p['days_to_benefit']} {w['benefit']}")
        out.append("")
    out += [f"## {w['owed']}", ""]
    for need in c["owed"]:
        parts = [f"{h['organization']} ({h['role']}; {', '.join(h['clauses'])})" for h in need["holders"]]
        out.append(f"- **{need['need']}**: " + "; ".join(parts))
    out += ["", f"## {w['sources']}", "", *[f"- {s}" for s in c["sources"]], "", f"_{c['note']}_", ""]
    return "\n".join(out)


_STYLE = """
@page { size: A4 portrait; margin: 12mm; }
body { font: 8.5pt/1.35 "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; margin: 0; }
h1 { font-size: 14pt; margin: 0 0 .2em; } h2 { font-size: 10pt; margin: .8em 0 .3em; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #999; padding: 2px 4px; text-align: left;
vertical-align: top; } th { background: #eee; } .asked { color: #333; } .note { color: #555; font-size: 7.5pt; }
ul { margin: .2em 0; padding-left: 1.2em; } li { margin: .1em 0; } .lead { font-weight: bold; }
"""


def _html(c: dict, w: dict, lang: str) -> str:
    e = html.escape
    out = [f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">', f"<title>{e(c['title'])}</title>",
           f"<style>{_STYLE}</style></head><body>", f"<h1>{e(c['title'])}</h1>",
           '<p class="asked">' + " · ".join(f"{e(k)}: {e(v)}" for k, v in c["asked"]) + "</p>"]  # fmt: skip
    if c["conditions"]:
        out.append(f"<h2>{e(w['conditions'])}</h2><ul>")
        for x in c["conditions"]:
            verdict = f" — <b>{e(x['verdict'])}</b>" if x["verdict"] else ""
            out.append(f"<li>{e(x['text'])} <small>({e(x['clause'])})</small>{verdict}</li>")
        out.append("</ul>")
    for p in c["procedures"]:
        out.append(f"<h2>{e(w['procedures'])}: {e(p['title'])} <small>({e(p['clause'])})</small></h2>")
        out.append(f"<table><tr><th>{e(w['step'])}</th><th>{e(w['who'])}</th><th>{e(w['due'])}</th>"
                   f"<th>{e(w['when'])}</th><th>{e(w['clause'])}</th></tr>")  # fmt: skip
        for s in p["steps"]:
            cells = (f"{s['order']}. {s['step']}", s["actor"], s["due"], s["condition"], s["clause"])
            out.append("<tr>" + "".join(f"<td>{e(str(x))}</td>" for x in cells) + "</tr>")
        out.append("</table>")
        if p["days_to_benefit"] is not None:
            out.append(f"<p>{p['days_to_benefit']} {e(w['benefit'])}</p>")
    out.append(f"<h2>{e(w['owed'])}</h2><ul>")
    for need in c["owed"]:
        parts = []
        for h in need["holders"]:
            css = ' class="lead"' if h["role"] == w["roles"]["lead"] else ""
            parts.append(f"<span{css}>{e(h['organization'])}</span> ({e(h['role'])}; {e(', '.join(h['clauses']))})")
        out.append(f"<li><b>{e(need['need'])}</b>: " + "; ".join(parts) + "</li>")
    out.append(f"</ul><h2>{e(w['sources'])}</h2><ul>" + "".join(f"<li>{e(s)}</li>" for s in c["sources"]) + "</ul>")
    out.append(f'<p class="note">{e(c["note"])}</p></body></html>\n')
    return "\n".join(out)
