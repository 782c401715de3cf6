"""The ``/scorecard`` web page: who has done what was due, as of a date, with downloads, for token holders.

``scorecard_router(accountability, progress)`` returns an APIRouter the service includes when it tracks
progress:

- ``GET /scorecard`` — the form (as of, level, by, language, token). With an ``Authorization: Bearer``
  header, also the scorecard for the query's ``as_of``, ``level``, ``by`` and ``lang``.
- ``POST /scorecard`` (``application/x-www-form-urlencoded``: ``as_of``, ``level``, ``by``, ``lang``,
  ``token``) — the form again, filled in, and the scorecard under it: the same page as
  ``akg scorecard --format html``, with buttons that post the same form for each download.
- ``POST /scorecard/download/{format}`` (the same form), or ``GET`` with the header — the scorecard as
  xlsx, html, csv or json.

Reading a scorecard needs a token of any role (see :mod:`akg.progress.service`). The token travels in the
``Authorization`` header or in the posted form, never in a URL: a ``token`` in the query string is refused
(400) and not used. Without a valid token the answer is 401 with the reason, and no data. Answers are
marked ``Cache-Control: no-store``: a scorecard is an internal record, and the form page carries the token.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from akg.accountability import Accountability, InvalidArgument
from akg.matrix.html import HTML_STYLE
from akg.progress.errors import Unauthenticated
from akg.progress.service import ProgressService
from akg.scorecard import BY, FORMATS, LANGUAGES, Scorecard, build_scorecard, render, render_html
from graphql_api.matrix_page import MEDIA_TYPES

MAX_FORM = 4096  # bytes: a date, three choices and a token
LEVELS = ("city", "county")
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="akg"'}
_ASK = "Give your token to see the scorecard (any role). · 请输入令牌（任何角色均可）。"
_BY_CHOICES = [("jurisdiction", "jurisdiction · 行政区划"), ("sector", "sector · 领域")]

_STYLE = """
form.scorecard { margin: .3em 0 .8em; display: flex; gap: 1em; align-items: end; flex-wrap: wrap; }
form.scorecard label { display: flex; flex-direction: column; font-size: 8pt; }
form.scorecard .downloads { display: flex; gap: .4em; align-items: end; font-size: 8pt; }
p.error { color: #a50f15; font-weight: bold; font-size: 9pt; }
@media print { form.scorecard, p.error { display: none; } }
"""


class _Refused(Exception):
    """A request answered with ``status`` and ``message`` in the page, and no scorecard."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _select(name: str, label: str, choices: list[tuple[str, str]], chosen: str) -> str:
    e = html.escape
    options = "".join(
        f'<option value="{e(value)}"{" selected" * (value == chosen)}>{e(text)}</option>' for value, text in choices
    )
    return f'<label>{e(label)}<select name="{e(name)}">{options}</select></label>'


def _form(accountability: Accountability, fields: Mapping[str, str], token: str, with_downloads: bool) -> str:
    """The form, filled in with ``fields``; the token field keeps ``token`` so that downloads can post it."""
    e = html.escape
    levels = [("", "city and county · 市、县两级")] + [
        (c.id, f"{c.label('en')} · {c.label('zh')}") for c in accountability.concepts("levels") if c.id in LEVELS
    ]
    downloads = ""
    if with_downloads:
        downloads = (
            '<span class="downloads">Download · 下载: '
            + "".join(
                f'<button type="submit" formaction="/scorecard/download/{fmt}" name="download" value="{fmt}">'
                f"{fmt}</button>"
                for fmt in FORMATS
            )
            + "</span>"
        )
    return (
        '<form class="scorecard" method="post" action="/scorecard">'
        f'<label>As of · 截至<input type="date" name="as_of" required value="{e(fields.get("as_of", ""))}"></label>'
        + _select("level", "Level · 层级", levels, fields.get("level", ""))
        + _select("by", "By · 统计口径", _BY_CHOICES, fields.get("by", "jurisdiction"))
        + _select("lang", "Language · 语言", [("en", "English"), ("zh", "中文")], fields.get("lang", "en"))
        + '<label>Token · 令牌<input type="password" name="token" autocomplete="off" spellcheck="false" '
        f'placeholder="akg_…" value="{e(token)}"></label>'
        '<button type="submit">Show · 查看</button>'
        f"{downloads}</form>"
    )


def _refusal(message: str, status: int, form: str = "") -> HTMLResponse:
    """A page with the ``form`` (if any) and ``message``, but no scorecard."""
    body = f'{form}<p class="error">{html.escape(message, quote=False)}</p>'
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Scorecard · 任务完成情况记分卡</title>'
        f"<style>{HTML_STYLE}{_STYLE}</style></head><body><h1>Scorecard · 任务完成情况记分卡</h1>{body}</body></html>\n"
    )
    headers = {**PRIVATE, **(CHALLENGE if status == 401 else {})}
    return HTMLResponse(page, status_code=status, headers=headers)


def _choices(fields: Mapping[str, str]) -> tuple[dt.date, str | None, str, str]:
    """The as-of date, level, by and language of a request; raises _Refused (400) naming a bad value."""
    text = fields.get("as_of", "").strip()
    try:
        as_of = dt.date.fromisoformat(text) if text else dt.datetime.now(dt.UTC).date()
    except ValueError:
        raise _Refused(400, f"as of {text!r} is not a date (YYYY-MM-DD)") from None
    level = fields.get("level") or None
    if level is not None and level not in LEVELS:
        raise _Refused(400, f"level {level!r}: choose city or county, or leave it empty for both")
    by, lang = fields.get("by") or "jurisdiction", fields.get("lang") or "en"
    if by not in BY:
        raise _Refused(400, f"by {by!r}: choose jurisdiction or sector")
    if lang not in LANGUAGES:
        raise _Refused(400, f"language {lang!r}: choose en or zh")
    return as_of, level, by, lang


async def _form_fields(request: Request) -> dict[str, str]:
    """The posted form's fields (the first value of each); raises _Refused for a body that is too large."""
    body = await request.body()
    if len(body) > MAX_FORM:
        raise _Refused(413, "The form is too large.")
    parsed = parse_qs(body.decode("utf-8", errors="replace"), max_num_fields=16)
    return {name: values[0] for name, values in parsed.items()}


def scorecard_router(accountability: Accountability, progress: ProgressService) -> APIRouter:
    """The ``/scorecard`` page and its downloads, counted from ``progress``'s reports."""
    router = APIRouter()

    def answer(request: Request, fields: dict[str, str]) -> tuple[Scorecard, str]:
        """The scorecard the request asks for and the token it came with; raises _Refused."""
        if "token" in request.query_params:
            raise _Refused(400, "A token must never be put in a URL: send it in the Authorization header or the form.")
        token = fields.get("token", "").strip()
        header = request.headers.get("authorization")
        try:
            if header is None and not token:
                raise Unauthenticated("missing", _ASK)
            progress.authenticate(header if header is not None else f"Bearer {token}")
        except Unauthenticated as exc:
            raise _Refused(401, exc.message) from None
        as_of, level, by, lang = _choices(fields)
        try:
            card = build_scorecard(progress.tracker, accountability, as_of, level=level, by=by, lang=lang)
        except InvalidArgument as exc:
            raise _Refused(400, str(exc)) from None
        return card, token if header is None else ""

    def page(request: Request, fields: dict[str, str]) -> HTMLResponse:
        try:
            card, token = answer(request, fields)
        except _Refused as refused:
            return _refusal(refused.message, refused.status, _form(accountability, fields, "", False))
        shown = {**fields, "as_of": card.as_of.isoformat()}
        controls = _form(accountability, shown, token, True)
        return HTMLResponse(render_html(card, controls=controls, style=_STYLE), headers=PRIVATE)

    def download(request: Request, fmt: str, fields: dict[str, str]) -> Response:
        if fmt not in FORMATS:
            return _refusal(f"No format {fmt!r}: choose {', '.join(FORMATS)}.", 404)
        try:
            card, _token = answer(request, fields)
        except _Refused as refused:
            return _refusal(refused.message, refused.status)
        name = "-".join(["scorecard", card.as_of.isoformat(), card.by, *([card.level] if card.level else [])])
        return Response(
            render(card, fmt),
            media_type=MEDIA_TYPES[fmt],
            headers={**PRIVATE, "Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
        )

    @router.get("/scorecard", response_class=HTMLResponse)
    def form(request: Request) -> HTMLResponse:
        fields = dict(request.query_params)
        if request.headers.get("authorization") is None and "token" not in fields:
            return _refusal(_ASK, 401, _form(accountability, fields, "", False))
        return page(request, fields)

    @router.post("/scorecard", response_class=HTMLResponse)
    async def posted(request: Request) -> HTMLResponse:
        try:
            fields = await _form_fields(request)
        except _Refused as refused:
            return _refusal(refused.message, refused.status)
        return page(request, fields)

    @router.get("/scorecard/download/{fmt}")
    def fetched(request: Request, fmt: str) -> Response:
        return download(request, fmt, dict(request.query_params))

    @router.post("/scorecard/download/{fmt}")
    async def posted_download(request: Request, fmt: str) -> Response:
        try:
            fields = await _form_fields(request)
        except _Refused as refused:
            return _refusal(refused.message, refused.status)
        return download(request, fmt, fields)

    return router
