"""Progress reporting for long renders: the :data:`Stage` callback type and a terminal progress bar.

Contract: a ``Stage`` is called once with a short description as each stage of :func:`akg.matrix.build_pack`
or :func:`akg.matrix.render` starts; :func:`stage_count` says how many stages :func:`akg.matrix.render`
reports, so a bar can size itself before rendering. Nothing here knows about the matrix itself.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

# A stage callback: called with a short description as each stage starts.
Stage = Callable[[str], None]


def stage_count(pack_levels: int, fmt: str) -> int:
    """How many stages :func:`akg.matrix.render` reports for ``fmt`` with ``pack_levels`` level sheets."""
    # xlsx: the Matrix sheet, the Legend sheet, one per level, the save; every other format: one.
    return 3 + pack_levels if fmt == "xlsx" else 1


class ProgressBar:
    """A one-line progress bar on a terminal; silent when the stream is not a TTY.

    Call it with a stage description as each stage starts; ``total`` may grow while running.
    """

    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool | None = None, width: int = 24) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total, self.done, self.width = total, 0, width

    def __call__(self, message: str) -> None:
        self.done += 1
        self.total = max(self.total, self.done)
        if self.enabled:
            filled = self.width * (self.done - 1) // self.total
            bar = "#" * filled + "." * (self.width - filled)
            self.stream.write(f"\r\x1b[2K[{bar}] {self.done}/{self.total} {message}")
            self.stream.flush()

    def finish(self, message: str = "done") -> None:
        if self.enabled:
            self.stream.write(f"\r\x1b[2K[{'#' * self.width}] {message}\n")
            self.stream.flush()
