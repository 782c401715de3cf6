"""The ``/matrix`` web page: the responsibility matrix with filters, cell pop-ups and downloads.

``matrix_router(accountability)`` returns an APIRouter the service includes next to ``/graphql``:

- ``GET /matrix?level=&group=&needgroup=&lang=`` — the page: the same table as ``akg matrix --format html``,
  a filter form (level, target group, need group), and for each cell a pop-up listing the obligations
  behind it with their clause and text. ``needgroup`` is a broad need (its narrower needs become the
  columns) or ``capacities``.
- ``GET /matrix/download/{format}?...`` — the same matrix, filters applied, in any ``akg matrix`` format.

Unknown filter values answer 400 with the reason; an unknown format 404.
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import HTMLResponse, Response

from akg.accountability import Accountability, UnknownIdentifier
from akg.matrix import FORMATS, MatrixPack, build_pack, render, render_html

MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
    "svg": "image/svg+xml",
    "png": "image/png",
}
CAPACITIES = "capacities"

_STYLE = """
form.filters { margin: .3em 0 .6em; display: flex; gap: 1em; align-items: end; flex-wrap: wrap; }
form.filters label { display: flex; flex-direction: column; font-size: 8pt; }
nav.downloads { margin: 0 0 .6em; font-size: 8pt; }
nav.downloads a { margin-right: .8em; }
td.cell[data-obligations]:not([data-obligations=""]) { cursor: pointer; }
td.cell:focus { outline: 2px solid #08519c; }
dialog { max-width: 60em; font-size: 9pt; }
dialog li { margin-bottom: .5em; }
@media print { form.filters, nav.downloads, dialog { display: none; } }
"""

# Opens the obligations behind a cell; OBLIGATIONS is filled in by the server.
_SCRIPT = """
const dialog = document.getElementById("obligations");
function openCell(td) {
  const ids = (td.dataset.obligations || "").split(" ").filter(Boolean);
  if (!ids.length) return;
  const sector = td.parentElement.dataset.sector;
  const head = document.querySelector(`th.col[data-column="${td.dataset.column}"]`);
  dialog.querySelector("h2").textContent =
    `${td.parentElement.cells[0].textContent} × ${head ? head.textContent : td.dataset.column}: ${td.dataset.letters}`;
  const list = dialog.querySelector("ol");
  list.replaceChildren();
  for (const id of ids) {
    const ob = OBLIGATIONS[id];
    const item = document.createElement("li");
    item.dataset.obligation = id;
    const who = ob.holders.filter(h => h.sector === sector)
      .map(h => `${h.organization} (${LETTERS[h.role] || h.role})`);
    const clause = document.createElement("strong");
    clause.className = "clause";
    clause.textContent = `§${ob.clause}`;
    const text = document.createElement("p");
    text.className = "text";
    text.textContent = ob.text;
    item.append(clause, ` ${id}${who.length ? " — " + who.join("; ") : ""}`, text);
    list.append(item);
  }
  dialog.showModal();
}
document.querySelectorAll("td.cell").forEach(td => {
  if (!td.dataset.obligations) return;
  td.tabIndex = 0;
  td.addEventListener("click", () => openCell(td));
  td.addEventListener("keydown", event => { if (event.key === "Enter") openCell(td); });
});
document.querySelectorAll("form.filters select").forEach(s => s.addEventListener("change", () => s.form.submit()));
"""


def _options(name: str, label: str, choices: list[tuple[str, str]], chosen: str | None) -> str:
    e = html.escape
    items = ['<option value="">all</option>'] + [
        f'<option value="{e(value)}"{" selected" * (value == chosen)}>{e(text)}</option>' for value, text in choices
    ]
    return f'<label>{e(label)}<select name="{e(name)}">{"".join(items)}</select></label>'


def _json_for_script(value: Any) -> str:
    # "<" escaped so that no text can close the script element.
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def matrix_router(accountability: Accountability) -> APIRouter:
    """The ``/matrix`` page and its downloads, answered from ``accountability``."""
    router = APIRouter()

    def pack_for(level: str | None, group: str | None, needgroup: str | None, lang: str, levels: bool) -> MatrixPack:
        needs = None
        if needgroup == CAPACITIES:
            needs = [c.id for c in accountability.concepts(CAPACITIES)]
        elif needgroup:
            concept = accountability.concept("needs", needgroup)
            if concept is None:
                raise HTTPException(400, f"unknown need group {needgroup!r}")
            needs = list(concept.narrower) or [concept.id]
        try:
            return build_pack(
                accountability,
                needs=needs,
                level=level or None,
                target_group=group or None,
                lang=lang,
                with_levels=levels,
            )
        except UnknownIdentifier as exc:
            raise HTTPException(400, str(exc)) from exc

    def query_string(level: str | None, group: str | None, needgroup: str | None, lang: str) -> str:
        from urllib.parse import urlencode

        chosen = {"level": level, "group": group, "needgroup": needgroup, "lang": lang if lang != "en" else None}
        return urlencode({k: v for k, v in chosen.items() if v})

    @router.get("/matrix", response_class=HTMLResponse)
    def page(
        level: str | None = None,
        group: str | None = None,
        needgroup: str | None = None,
        lang: str = Query("en", pattern="^(en|zh)$"),
    ) -> HTMLResponse:
        pack = pack_for(level, group, needgroup, lang, levels=False)
        top_needs = [c for c in accountability.concepts("needs") if not c.broader]
        controls = (
            '<form class="filters" method="get" action="/matrix">'
            + _options("level", "Level", [(c.id, c.label(lang)) for c in accountability.concepts("levels")], level)
            + _options(
                "group", "Target group", [(c.id, c.label(lang)) for c in accountability.concepts("groups")], group
            )
            + _options(
                "needgroup",
                "Need group",
                [(c.id, c.label(lang)) for c in top_needs] + [(CAPACITIES, "Capacities")],
                needgroup,
            )
            + f'<input type="hidden" name="lang" value="{html.escape(lang)}">'
            + '<button type="submit">Apply</button></form>'
        )
        query = html.escape(query_string(level, group, needgroup, lang))
        controls += (
            '<nav class="downloads">Download: '
            + " ".join(
                f'<a href="/matrix/download/{fmt}{"?" * bool(query)}{query}" download>{fmt}</a>' for fmt in FORMATS
            )
            + "</nav>"
            + '<dialog id="obligations"><h2></h2><ol></ol><form method="dialog"><button>Close</button></form></dialog>'
        )
        notes = {key: asdict(note) for key, note in pack.obligations.items()}
        letters = {role.id: role.letter for role in pack.roles}
        script = f"const OBLIGATIONS = {_json_for_script(notes)};\nconst LETTERS = {_json_for_script(letters)};\n"
        return HTMLResponse(render_html(pack, controls=controls, style=_STYLE, script=script + _SCRIPT))

    @router.get("/matrix/download/{fmt}")
    def download(
        fmt: str,
        level: str | None = None,
        group: str | None = None,
        needgroup: str | None = None,
        lang: str = Query("en", pattern="^(en|zh)$"),
    ) -> Response:
        if fmt not in FORMATS:
            raise HTTPException(404, f"no format {fmt!r}; choose one of {', '.join(FORMATS)}")
        pack = pack_for(level, group, needgroup, lang, levels=fmt == "xlsx")
        name = "-".join(["matrix", *(v for v in (level, group, needgroup) if v)]) + f".{fmt}"
        return Response(
            render(pack, fmt),
            media_type=MEDIA_TYPES[fmt],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    return router
