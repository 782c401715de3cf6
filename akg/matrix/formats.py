"""The render dispatcher: a format name to its writer.

Contract: :data:`FORMATS` lists every format; :func:`render` turns a pack into the bytes of one of them
(ValueError for any other) and :func:`write_matrix` writes those bytes atomically.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from akg.matrix.html import render_html
from akg.matrix.png import render_png
from akg.matrix.svg import render_svg
from akg.matrix.tabular import render_csv, render_json, render_md
from akg.matrix.xlsx import render_xlsx
from akg.serialization import write_atomically

if TYPE_CHECKING:
    from pathlib import Path

    from akg.matrix.pack import MatrixPack
    from akg.matrix.progress import Stage

FORMATS = ("xlsx", "html", "csv", "md", "json", "svg", "png")

_ONE_STAGE_WRITERS: dict[str, Callable[[MatrixPack], bytes]] = {
    "html": render_html,
    "csv": render_csv,
    "md": render_md,
    "json": render_json,
    "svg": render_svg,
    "png": render_png,
}


def render(pack: MatrixPack, fmt: str, progress: Stage | None = None) -> bytes:
    """The bytes of ``pack`` in ``fmt`` (one of :data:`FORMATS`); ValueError for any other format."""
    if fmt == "xlsx":
        return render_xlsx(pack, progress)
    writer = _ONE_STAGE_WRITERS.get(fmt)
    if writer is None:
        raise ValueError(f"cannot write format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if progress:
        progress(f"writing {fmt}")
    return writer(pack)


def write_matrix(pack: MatrixPack, fmt: str, path: Path, progress: Stage | None = None) -> None:
    """Render ``pack`` as ``fmt`` and write it atomically to ``path``."""
    write_atomically(path, render(pack, fmt, progress))
