"""The ``/pathway`` web page: choose a child's groups, age, level and a start date; see the pathway card.

``pathway_router(accountability)`` returns an APIRouter the service includes:

- ``GET /pathway`` — the form;
- ``POST /pathway`` (``application/x-www-form-urlencoded``: ``group`` repeated, ``age``, ``level``, ``start``,
  ``lang``) — the form again, filled in, and the card below it: the same card as ``akg pathway --format html``.

The profile travels in the request body, not the URL, so that no access log or browser history keeps it;
it is used for the answer and forgotten. A bad value answers 400 with the reason, in the page.
"""

from __future__ import annotations

import datetime as dt
import html
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from akg.accountability import Accountability, InvalidArgument, Profile
from akg.pathway_card import render_card

MAX_FORM = 4096  # bytes: a handful of ids, an age and a date

_STYLE = """
body { font: 9pt/1.4 "Noto Sans CJK SC", "Source Han Sans SC", sans-serif; margin: 1em; }
form.profile { display: flex; gap: 1.2em; flex-wrap: wrap; align-items: end; margin-bottom: 1em; }
form.profile fieldset { border: 1px solid #bbb; } form.profile label { display: block; }
.error { color: #a50f15; font-weight: bold; } iframe { width: 100%; border: 0; }
"""


def _form(acc: Accountability, chosen: dict[str, list[str]]) -> str:
    e = html.escape
    picked = set(chosen.get("group", []))
    boxes = "".join(
        f'<label><input type="checkbox" name="group" value="{e(c.id)}"{" checked" if c.id in picked else ""}> '
        f"{e(c.label('en'))} · {e(c.label('zh'))}</label>"
        for c in acc.concepts("groups")
        if acc.resolve("groups", c.id) == c.id  # a deprecated id is not offered: its successor is
    )
    level = (chosen.get("level") or [""])[0]
    levels = "".join(
        f'<option value="{e(c.id)}"{" selected" if c.id == level else ""}>'
        f"{e(c.label('en'))} · {e(c.label('zh'))}</option>"
        for c in acc.concepts("levels")
    )
    lang = (chosen.get("lang") or ["en"])[0]
    age, start = (chosen.get("age") or [""])[0], (chosen.get("start") or [""])[0]
    return (
        '<form class="profile" method="post" action="/pathway">'
        f"<fieldset><legend>Groups · 对象</legend>{boxes}</fieldset>"
        f'<label>Age · 年龄 <input type="number" name="age" min="0" max="25" value="{e(age)}"></label>'
        f'<label>Level · 层级 <select name="level"><option value="">any · 不限</option>{levels}</select></label>'
        f'<label>Start · 申请日 <input type="date" name="start" value="{e(start)}"></label>'
        '<label>Language · 语言 <select name="lang">'
        f'<option value="en"{" selected" if lang == "en" else ""}>English</option>'
        f'<option value="zh"{" selected" if lang == "zh" else ""}>中文</option></select></label>'
        '<button type="submit">Show the pathway · 查看路径</button></form>'
    )


def _page(body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Care pathway · 关爱保护路径</title>'
        f"<style>{_STYLE}</style></head><body><h1>Care pathway · 关爱保护路径</h1>"
        "<p>Nothing you enter here is stored or logged. · 所填信息不予保存。</p>"
        f"{body}</body></html>\n"
    )


def _profile(fields: dict[str, list[str]]) -> tuple[Profile, dt.date | None, str]:
    """The profile, start date and language of a submitted form; raises InvalidArgument naming the bad value."""
    groups = tuple(fields.get("group", []))
    age_text = (fields.get("age") or [""])[0].strip()
    try:
        age = int(age_text) if age_text else None
    except ValueError:
        raise InvalidArgument(f"age {age_text!r} is not a whole number") from None
    start_text = (fields.get("start") or [""])[0].strip()
    try:
        start = dt.date.fromisoformat(start_text) if start_text else None
    except ValueError:
        raise InvalidArgument(f"start {start_text!r} is not a date (YYYY-MM-DD)") from None
    lang = (fields.get("lang") or ["en"])[0]
    if lang not in ("en", "zh"):
        raise InvalidArgument(f"language {lang!r}: choose en or zh")
    level = (fields.get("level") or [""])[0] or None
    return Profile(groups, age, level), start, lang


def pathway_router(accountability: Accountability) -> APIRouter:
    """The ``/pathway`` routes over one graph's indexes."""
    router = APIRouter()

    @router.get("/pathway", response_class=HTMLResponse)
    def form() -> HTMLResponse:
        return HTMLResponse(_page(_form(accountability, {})))

    @router.post("/pathway", response_class=HTMLResponse)
    async def answer(request: Request) -> HTMLResponse:
        body = await request.body()
        if len(body) > MAX_FORM:
            return HTMLResponse(_page('<p class="error">The form is too large.</p>'), status_code=413)
        fields = parse_qs(body.decode("utf-8", errors="replace"), max_num_fields=64)
        try:
            profile, start, lang = _profile(fields)
            pathway = accountability.pathway(profile, start)
        except InvalidArgument as exc:
            error = f'<p class="error">{html.escape(str(exc))}</p>'
            return HTMLResponse(_page(_form(accountability, fields) + error), status_code=400)
        card = render_card(pathway, accountability, "html", lang).decode()
        inner = card[card.index("<body>") + len("<body>") : card.rindex("</body>")]
        style = card[card.index("<style>") + len("<style>") : card.index("</style>")]
        return HTMLResponse(
            _page(_form(accountability, fields) + f'<style>{style}</style><section class="card">{inner}</section>')
        )

    return router
