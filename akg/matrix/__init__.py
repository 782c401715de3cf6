"""Responsibility matrices for coordination meetings: xlsx, html, csv, md, json and a heat map (svg, png).

The matrix itself comes from :meth:`akg.accountability.Accountability.responsibility_matrix`; this package
only renders it. :func:`build_pack` gathers, once, everything the writers need (the matrix, one matrix per
administrative level, labels, the obligations behind the cells, the document's title and date) into a
:class:`MatrixPack`; :func:`render` turns a pack into the bytes of one format and :func:`write_matrix`
writes them atomically. Every format holds the same cells: the RASCI letters and the clause numbers
they rest on, with gaps (columns with no lead) marked.

Modules, one concern each: ``pack`` (building the pack), ``content`` (the words every format shares),
``tabular`` (csv, md, json), ``html``, ``svg``, ``png``, ``xlsx`` (the writers), ``formats`` (the dispatcher)
``progress`` (stage callbacks, the terminal bar) and ``status`` (the status view: each cell's duty instances
done and overdue as of a date, for ``akg matrix --status-as-of``). This module is the public API: import from here.
"""

from akg.matrix.content import GAP_MARK, GAP_TEXT, LEAD, cell_text, is_lead
from akg.matrix.formats import FORMATS, render, write_matrix
from akg.matrix.html import render_html
from akg.matrix.pack import Holder, MatrixPack, ObligationNote, build_pack, concept_label, known_ids
from akg.matrix.png import render_png
from akg.matrix.progress import ProgressBar, Stage, stage_count
from akg.matrix.status import STATUS_FILLS, STATUSES, StatusView, Tally, status_view
from akg.matrix.svg import render_svg
from akg.matrix.tabular import graphql_enum, matrix_json, render_csv, render_json, render_md

# The fills are private to the xlsx writer, re-exported (not in __all__) because tests check the colours.
from akg.matrix.xlsx import _DUTY_FILL as _DUTY_FILL
from akg.matrix.xlsx import _GAP_FILL as _GAP_FILL
from akg.matrix.xlsx import _LEAD_FILL as _LEAD_FILL
from akg.matrix.xlsx import render_xlsx

__all__ = [
    "FORMATS",
    "GAP_MARK",
    "GAP_TEXT",
    "LEAD",
    "STATUSES",
    "STATUS_FILLS",
    "Holder",
    "MatrixPack",
    "ObligationNote",
    "ProgressBar",
    "Stage",
    "StatusView",
    "Tally",
    "build_pack",
    "cell_text",
    "concept_label",
    "graphql_enum",
    "is_lead",
    "known_ids",
    "matrix_json",
    "render",
    "render_csv",
    "render_html",
    "render_json",
    "render_md",
    "render_png",
    "render_svg",
    "render_xlsx",
    "stage_count",
    "status_view",
    "write_matrix",
]
