"""The svg writer: a heat map of sectors × columns shaded by the number of obligations per cell.

Contract: :func:`render_svg` takes a :class:`~akg.matrix.pack.MatrixPack` and returns UTF-8 bytes of a
standalone svg; lead cells and gap columns are marked, each cell's tooltip carries its letters and clauses.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from akg.matrix.content import GAP_MARK, GAP_TEXT, date_text, is_lead

if TYPE_CHECKING:
    from akg.matrix.pack import MatrixPack

# Named families before the generic one: a renderer without fontconfig (resvg, for the png) matches names
# only, and on a Linux machine without Arial or Noto CJK would otherwise find no font for "sans-serif".
_FONTS = "Arial, Noto Sans CJK SC, Liberation Sans, DejaVu Sans, sans-serif"
_RAMP = ("#ffffff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")


def _shade(count: int, most: int) -> str:
    if count <= 0 or most <= 0:
        return _RAMP[0]
    return _RAMP[min(len(_RAMP) - 1, 1 + (count - 1) * (len(_RAMP) - 1) // most)]


def _text_width(text: str, size: float) -> float:
    # No font metrics here: a wide glyph (CJK) counts double.
    return sum(size * (1.0 if ord(ch) > 0x2E80 else 0.56) for ch in text)


def _wrap(text: str, size: float, width: float) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width`` (a longer word keeps a line to itself)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and _text_width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def render_svg(pack: MatrixPack) -> bytes:
    """A heat map: sectors × columns shaded by the number of obligations, lead cells marked, gaps flagged."""
    matrix = pack.matrix
    gaps = set(matrix.gaps)
    e = html.escape
    cell_w, cell_h, font = 24, 20, 11
    row_labels = [pack.sector_label(r.sector) for r in matrix.rows]
    col_labels = [pack.column_label(c) for c in matrix.columns]
    left = 16 + max((_text_width(t, font) for t in row_labels), default=40)
    # Column labels run up at 60°: their height is the longest label's projection.
    top = 70 + 0.87 * max((_text_width(t, font) for t in col_labels), default=40)
    grid_w, grid_h = cell_w * len(matrix.columns), cell_h * len(matrix.rows)
    most = max((len(c.obligation_ids) for r in matrix.rows for c in r.cells), default=0)
    heading = pack.title + (f" — {date_text(pack.date)}" if pack.date else "")
    filters = " · ".join(f"{name}: {value}" for name, value in pack.filters)
    # The last rotated label leans right past the grid by half its length.
    lean = 0.5 * _text_width(col_labels[-1], font) if col_labels else 0
    # The filters (every document's title, unfiltered) wrap to the picture's width rather than widen it.
    width = max(left + grid_w + 20 + lean, 620, 20 + _text_width(heading, 10))
    filter_lines = _wrap(filters, 10, width - 20)
    top += 13 * (len(filter_lines) - 1)
    height = top + grid_h + cell_h + 90
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{_FONTS}" font-size="{font}">',
        f"<title>Responsibility matrix — {e(pack.title)}</title>",
        '<rect width="100%" height="100%" fill="white"/>',
        '<text x="10" y="20" font-size="15" font-weight="bold">Responsibility matrix: obligations per cell</text>',
        f'<text x="10" y="38" font-size="10">{e(heading)}</text>',
        *(f'<text x="10" y="{52 + 13 * k}" font-size="10">{e(line)}</text>' for k, line in enumerate(filter_lines)),
    ]
    for j, (column, label) in enumerate(zip(matrix.columns, col_labels, strict=True)):
        x, y = left + j * cell_w + cell_w / 2, top - 6
        colour = ' fill="#b00000" font-weight="bold"' if column.id in gaps else ""
        out.append(
            f'<text class="col" data-column="{e(column.id)}" x="{x:.1f}" y="{y:.1f}" '
            f'transform="rotate(-60 {x:.1f} {y:.1f})"{colour}>{e(label)}</text>'
        )
    for i, (row, label) in enumerate(zip(matrix.rows, row_labels, strict=True)):
        y = top + i * cell_h
        out.append(f'<text x="{left - 8:.1f}" y="{y + cell_h * 0.7:.1f}" text-anchor="end">{e(label)}</text>')
        for j, cell in enumerate(row.cells):
            x = left + j * cell_w
            count = len(cell.obligation_ids)
            tip = f"{label} × {col_labels[j]}: {count} obligation(s)" + (
                f", {cell.letters} ({', '.join(cell.clauses)})" if cell.roles else ""
            )
            out.append(
                f'<rect class="cell" data-sector="{e(row.sector)}" data-column="{e(cell.column)}" '
                f'data-count="{count}" data-letters="{e(cell.letters)}" x="{x:.1f}" y="{y:.1f}" '
                f'width="{cell_w}" height="{cell_h}" fill="{_shade(count, most)}" stroke="#bbb" stroke-width="0.5">'
                f"<title>{e(tip)}</title></rect>"
            )
            if is_lead(cell):
                dark = count * 2 > most
                out.append(
                    f'<text class="lead" x="{x + cell_w / 2:.1f}" y="{y + cell_h * 0.7:.1f}" text-anchor="middle" '
                    f'font-weight="bold" fill="{"white" if dark else "black"}">A</text>'
                )
    gap_y = top + grid_h
    out.append(
        f'<text x="{left - 8:.1f}" y="{gap_y + cell_h * 0.7:.1f}" text-anchor="end" fill="#b00000">{GAP_TEXT}</text>'
    )
    for j, column in enumerate(matrix.columns):
        if column.id in gaps:
            x = left + j * cell_w
            out.append(
                f'<rect class="gap" data-column="{e(column.id)}" x="{x:.1f}" y="{gap_y + 2:.1f}" width="{cell_w}" '
                f'height="{cell_h - 4}" fill="#f8d0d0" stroke="#b00000"/>'
                f'<text x="{x + cell_w / 2:.1f}" y="{gap_y + cell_h * 0.68:.1f}" text-anchor="middle" font-size="8" '
                f'fill="#b00000">{GAP_MARK}</text>'
            )
    # Legend: the shade ramp with its counts, the lead mark and the gap mark.
    ly = gap_y + cell_h + 24
    out.append(f'<text x="10" y="{ly:.1f}" font-weight="bold">Obligations per cell</text>')
    steps = (
        [0, *sorted({max(1, 1 + (k - 1) * most // (len(_RAMP) - 1)) for k in range(1, len(_RAMP))})] if most else [0]
    )
    for k, count in enumerate(steps):
        x = 10 + k * 44
        out.append(
            f'<rect x="{x}" y="{ly + 8:.1f}" width="{cell_w}" height="{cell_h - 4}" fill="{_shade(count, most)}" '
            f'stroke="#bbb"/><text x="{x + cell_w + 3}" y="{ly + 21:.1f}" font-size="9">'
            f"{'≥' if k else ''}{count}</text>"
        )
    lx = 10 + len(steps) * 44 + 20
    out.append(
        f'<text x="{lx}" y="{ly + 21:.1f}" font-weight="bold">A</text>'
        f'<text x="{lx + 14}" y="{ly + 21:.1f}">a lead in this sector</text>'
        f'<rect x="{lx + 150}" y="{ly + 8:.1f}" width="{cell_w}" height="{cell_h - 4}" '
        'fill="#f8d0d0" stroke="#b00000"/>'
        f'<text x="{lx + 150 + cell_w + 4}" y="{ly + 21:.1f}">{GAP_MARK}: {GAP_TEXT} anywhere</text>'
    )
    out.append("</svg>\n")
    return "\n".join(out).encode("utf-8")
