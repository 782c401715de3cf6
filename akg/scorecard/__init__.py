"""Scorecards for the coordination meeting and the bureaus: who has done what was due, as of a date.

:func:`build_scorecard` gathers, once, what the writers need from a progress
:class:`~akg.progress.tracking.Tracker` and the accountability indexes into a :class:`Scorecard` (rows per
jurisdiction or per sector, overdue rows first, totals, the overdue duty instances, labels in en and zh);
:func:`render` turns it into xlsx, html, csv or json. The print formats share the matrix pack's look
(:mod:`akg.matrix`) and the status colours of its status view (:mod:`akg.matrix.status`).

Modules, one concern each: ``card`` (building the scorecard), ``content`` (the words every format shares),
``html``, ``xlsx``, ``tabular`` (csv, json) and ``formats`` (the dispatcher). This module is the public API.
"""

from akg.scorecard.card import BY, LANGUAGES, OverdueDuty, Scorecard, ScorecardRow, build_scorecard
from akg.scorecard.formats import FORMATS, render
from akg.scorecard.html import render_html
from akg.scorecard.tabular import CSV_COLUMNS, render_csv, render_json, scorecard_json
from akg.scorecard.xlsx import render_xlsx

__all__ = [
    "BY",
    "CSV_COLUMNS",
    "FORMATS",
    "LANGUAGES",
    "OverdueDuty",
    "Scorecard",
    "ScorecardRow",
    "build_scorecard",
    "render",
    "render_csv",
    "render_html",
    "render_json",
    "render_xlsx",
    "scorecard_json",
]
