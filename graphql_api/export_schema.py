"""Write the schema's SDL to graphql_api/schema.graphql: ``python -m graphql_api.export_schema [--check] [PATH]``.

With ``--check`` nothing is written; the exit status is 1 when the file differs from the schema (drift).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

SDL_PATH = Path(__file__).resolve().parent / "schema.graphql"


def sdl() -> str:
    """The schema's SDL, as exported (ends with one newline)."""
    from graphql_api.schema import schema

    return schema.as_str().rstrip("\n") + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Write (or with --check, compare) the SDL file; returns the exit status."""
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--check", action="store_true", help="only report whether the file has drifted")
    args.add_argument("path", nargs="?", type=Path, default=SDL_PATH)
    options = args.parse_args(argv)
    text = sdl()
    if options.check:
        current = options.path.read_text(encoding="utf-8") if options.path.exists() else ""
        if current != text:
            print(f"{options.path} is out of date: run python -m graphql_api.export_schema", file=sys.stderr)
            return 1
        return 0
    options.path.write_text(text, encoding="utf-8")
    print(f"wrote {options.path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
