"""The render dispatcher: a format name to its writer.

Contract: :data:`FORMATS` lists every format; :func:`render` turns a scorecard into the bytes of one of
them (ValueError for any other). Every writer is deterministic: the same scorecard gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from akg.scorecard.html import render_html
from akg.scorecard.tabular import render_csv, render_json
from akg.scorecard.xlsx import render_xlsx

if TYPE_CHECKING:
    from akg.scorecard.card import Scorecard

FORMATS = ("xlsx", "html", "csv", "json")

_WRITERS: dict[str, Callable[[Scorecard], bytes]] = {
    "xlsx": render_xlsx,
    "html": render_html,
    "csv": render_csv,
    "json": render_json,
}


def render(card: Scorecard, fmt: str) -> bytes:
    """The bytes of ``card`` in ``fmt`` (one of :data:`FORMATS`); ValueError for any other format."""
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise ValueError(f"cannot write format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return writer(card)
