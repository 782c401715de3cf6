"""The ``akg`` command: build, validate and serve the accountability graph.

Exit status: 0 success; 1 validation results at or above ``--fail-on``; 2 bad input or arguments.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from loader.errors import LoadError

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
GRAPH_FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt"}


class Progress:
    """Stage messages on stderr, only when a person is watching a terminal."""

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.started = time.perf_counter()

    def __call__(self, message: str) -> None:
        if self.enabled:
            print(f"[{time.perf_counter() - self.started:5.1f}s] {message}", file=sys.stderr, flush=True)


def _path(value: str) -> Path:
    return Path(value).expanduser()


def _input_error(exc: LoadError) -> int:
    print(f"akg: the input has {len(exc.problems)} problem(s):", file=sys.stderr)
    for problem in exc.problems:
        print(f"  {problem}", file=sys.stderr)
    return EXIT_INPUT


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a sibling temporary file, then rename: a failed run leaves no half-written output."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    partial.replace(path)


def cmd_build(args: argparse.Namespace) -> int:
    from akg.serialization import serialize
    from akg.store import build_graph

    progress = Progress()
    progress("loading data")
    try:
        graph = build_graph(args.data)
    except LoadError as exc:
        return _input_error(exc)
    progress(f"serialising {len(graph)} triples as {args.format}")
    data = serialize(graph, GRAPH_FORMATS[args.format])
    if str(args.output) == "-":
        sys.stdout.buffer.write(data)
    else:
        _write_atomically(args.output, data)
        print(f"wrote {len(graph)} triples to {args.output}", file=sys.stderr)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from akg import resources
    from akg.reports import render
    from akg.store import counts, open_store
    from akg.validation import Severity, validate

    progress = Progress()
    progress("loading data")
    try:
        store = open_store(args.data)
    except LoadError as exc:
        return _input_error(exc)
    progress("validating against the SHACL shapes")
    report = validate(store.export(), resources.shapes_dir())
    print(render(report, counts(store), args.format))
    return EXIT_OK if report.conforms_at(Severity.parse(args.fail_on)) else EXIT_FINDINGS


def parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for the documentation and tests)."""
    from akg import __version__

    top = argparse.ArgumentParser(prog="akg", description="Accountability knowledge graph of child-welfare policy.")
    top.add_argument("--version", action="version", version=f"akg {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    data_help = "data folder (default: the shipped Hubei 2022 data)"
    build = sub.add_parser("build", help="write the whole graph, ontology included")
    build.add_argument("--data", type=_path, help=data_help)
    build.add_argument("--format", choices=sorted(GRAPH_FORMATS), default="ttl")
    build.add_argument("-o", "--output", type=_path, required=True, help="output file, or - for stdout")
    build.set_defaults(run=cmd_build)

    check = sub.add_parser("validate", help="validate the graph against the SHACL shapes")
    check.add_argument("--data", type=_path, help=data_help)
    check.add_argument("--format", choices=["text", "json", "turtle", "junit", "sarif"], default="text")
    check.add_argument("--fail-on", choices=["violation", "warning", "info"], default="violation")
    check.set_defaults(run=cmd_validate)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = parser().parse_args(argv)
    return args.run(args)


def entry_point() -> None:
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
