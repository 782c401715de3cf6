"""The png writer: the svg heat map rasterised, for slide decks and word processors that take no svg.

Contract: :func:`render_png` takes a :class:`~akg.matrix.pack.MatrixPack` and returns the bytes of a PNG of
exactly the picture :func:`~akg.matrix.svg.render_svg` draws, at :data:`SCALE` times its size (sharp on a
projector and in print), on white. The renderer is resvg, through resvg-py, whose wheel carries resvg's
compiled Rust library: no system library, no network. Text is set in the machine's own fonts (Arial or any
sans-serif; Noto Sans CJK for Chinese labels, as the svg asks); no font is ever downloaded.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from akg.matrix.svg import render_svg

if TYPE_CHECKING:
    from akg.matrix.pack import MatrixPack

SCALE = 2.0
MAX_SIDE = 12000  # pixels: a bound on memory and file size, whatever the filters give


def render_png(pack: MatrixPack) -> bytes:
    """The heat map of ``pack`` as PNG bytes, :data:`SCALE` times the svg's size (less if a side would pass
    :data:`MAX_SIDE`)."""
    import resvg_py  # imported here: only this format needs the renderer

    svg = render_svg(pack).decode("utf-8")
    width, height = _size(svg)
    zoom = min(SCALE, MAX_SIDE / max(width, height, 1))
    return bytes(resvg_py.svg_to_bytes(svg_string=svg, zoom=zoom, background="white"))


def _size(svg: str) -> tuple[float, float]:
    """The width and height attributes of the root element that render_svg writes."""
    root = ET.fromstring(svg)
    return float(root.get("width", "0")), float(root.get("height", "0"))
