"""``akg scorecard`` and the reading of progress that ``akg matrix --status-as-of`` shares with it.

Both read the reports of a store folder (``--store``, else ``$AKG_STORE``, else ./akg-store) as it is on
disk: the corpus it holds, with no rebuild, and nothing is written. Reading the folder is an operator's act
(file-system access to the store, like ``akg backup``), so no token is asked for; over HTTP the same
scorecard needs one (``/scorecard``, GraphQL ``scorecard``). A running ``akg serve --store`` holds the
folder's lock: the commands then say so and exit with status 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from akg_cli import (
    EXIT_FINDINGS,
    EXIT_INPUT,
    STORE_ENV,
    STORE_HELP,
    _date,
    _deliver,
    _format,
    _path,
    _store_root,
)

if TYPE_CHECKING:
    from akg.accountability import Accountability
    from akg.matrix import ProgressBar
    from akg.progress.tracking import Tracker


def read_progress(
    command: str, value: Path | None, bar: ProgressBar, instead: str
) -> tuple[Accountability, Tracker] | int:
    """The accountability indexes and the progress tracker of the store folder ``value`` (or the default).

    When they cannot be read, says why on stderr as ``akg COMMAND: ...`` and returns the exit status: 2 when
    the folder holds no graph, 1 when a running server holds it (``instead`` says what to do then).
    """
    from akg.accountability import Accountability
    from akg.progress.layout import StoreInUse, StoreLayout, open_existing
    from akg.progress.tracking import Tracker

    layout = StoreLayout(_store_root(value))
    bar(f"opening the store {layout.root}")
    try:
        store = open_existing(layout)
    except StoreInUse:
        bar.finish("stopped")
        print(
            f"akg {command}: the store {layout.root} is open in a running server (akg serve --store): stop it "
            f"first, or {instead}",
            file=sys.stderr,
        )
        return EXIT_FINDINGS
    except FileNotFoundError as exc:
        bar.finish("stopped")
        print(
            f"akg {command}: {exc}: give the store folder of `akg serve --store DIR` (--store, $AKG_STORE)",
            file=sys.stderr,
        )
        return EXIT_INPUT
    bar("reading the graph and the reports")
    return Accountability.from_store(store), Tracker(store)


def cmd_scorecard(args: argparse.Namespace) -> int:
    """Write the scorecard as of ``--as-of`` from a store folder's reports."""
    from akg.matrix import ProgressBar
    from akg.scorecard import FORMATS, build_scorecard, render

    fmt = _format("scorecard", args, FORMATS)
    if fmt is None:
        return EXIT_INPUT
    bar = ProgressBar(total=5)
    opened = read_progress("scorecard", args.store, bar, "open /scorecard on that server")
    if isinstance(opened, int):
        return opened
    accountability, tracker = opened
    bar(f"counting the duties due by {args.as_of}")
    card = build_scorecard(tracker, accountability, args.as_of, level=args.level, by=args.by, lang=args.lang)
    bar(f"writing {fmt}")
    totals = card.totals.score
    said = (
        f"wrote the {fmt} scorecard as of {args.as_of} to {args.output}: {len(card.rows)} rows; "
        f"{totals.due} duties due, {totals.done} done, {totals.overdue} overdue"
    )
    return _deliver("scorecard", args.output, render(card, fmt), said, bar)


def add_scorecard_parser(sub: Any) -> None:
    """Add ``akg scorecard`` to the top-level subparsers ``sub``."""
    from akg.scorecard import BY, FORMATS, LANGUAGES

    card = sub.add_parser(
        "scorecard",
        help="write the scorecard (due, done, overdue per jurisdiction or sector) as of a date",
        description="Write who has done what was due, as of a date, from the reports of a store folder "
        f"(--store DIR; default: ${STORE_ENV}, else ./akg-store). Reading the folder needs file-system access to "
        "it and no token; the folder must not be open in a running server. The file depends only on the reports "
        "and the date (see docs/progress.md).",
    )
    card.add_argument("--as-of", type=_date, required=True, metavar="YYYY-MM-DD", help="count what is due by this day")
    card.add_argument("--level", choices=["city", "county"], help="only the duties of this level (default: both)")
    card.add_argument("--by", choices=BY, default="jurisdiction", help="one row per jurisdiction (default) or sector")
    card.add_argument("--lang", choices=LANGUAGES, default="en", help="label and heading language")
    card.add_argument("--format", choices=FORMATS, help="default: from the output file's suffix")
    card.add_argument("-o", "--output", type=_path, required=True, help="output file, or - for stdout")
    card.add_argument("--store", type=_path, metavar="DIR", help=STORE_HELP)
    card.set_defaults(run=cmd_scorecard)
