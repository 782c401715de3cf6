"""The ``akg`` command: build, validate and serve the accountability graph, print its matrices.

This package sits above both faces it composes, ``akg`` (the core) and ``graphql_api`` (the service),
so that neither imports upward.

Exit status: 0 success; 1 validation results at or above ``--fail-on``; 2 bad input or arguments.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from loader.errors import LoadError

if TYPE_CHECKING:
    from akg.matrix import ProgressBar
    from akg.remote_store import SparqlStore
    from akg.store import OxigraphStore
    from akg.validation import ValidationReport

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
COMMANDS = frozenset(
    [
        "build",
        "validate",
        "init",
        "matrix",
        "pathway",
        "serve",
        "load",
        "token",
        "backup",
        "restore",
        "audit",
        "reports",
        "scorecard",
        "synth",
    ]
)
STATUS_FORMATS = ("xlsx", "html", "json")  # the matrix formats that show the status view
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


def cmd_build(args: argparse.Namespace) -> int:
    from akg.serialization import serialize, write_atomically
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
        write_atomically(args.output, data)
        print(f"wrote {len(graph)} triples to {args.output}", file=sys.stderr)
    return EXIT_OK


def _load_and_validate(
    data: Path | None,
    progress: Progress,
    engine: str = "rudof",
    location: Path | None = None,
    remote: SparqlStore | None = None,
) -> tuple[OxigraphStore | SparqlStore, ValidationReport]:
    """Load a data folder into a store (on disk in ``location``, see :func:`akg.store.open_store`) and validate
    it with ``engine``; raises LoadError on bad input. Given a ``remote`` store, validate the graph it serves
    (exported over its query endpoint; raises :class:`akg.remote_store.StoreUnavailable`)."""
    from akg import resources
    from akg.store import open_store
    from akg.validation import validate

    if remote is not None:
        progress(f"reading the graph from {remote.endpoints.query}")
        graph = remote.export()
        progress(f"validating {len(graph)} triples against the SHACL shapes ({engine})")
        return remote, validate(graph, resources.shapes_dir(), engine=engine)
    progress("loading data")
    store = open_store(data, location=location)
    progress(f"validating against the SHACL shapes ({engine})")
    return store, validate(store.export(), resources.shapes_dir(), engine=engine)


def _load_and_validate_in_shards(
    data: Path | None, progress: Progress, engine: str, jobs: int, location: Path | None
) -> tuple[OxigraphStore, ValidationReport]:
    """The start-up of ``akg serve`` on a data folder: the store (see :func:`akg.store.open_store`) and its
    validation report, the cached one while the inputs, shapes, engine and code are unchanged, else the shards'
    (:mod:`akg.validation_shards`, ``jobs`` processes), which is then cached. With ``jobs`` above 1 the shards
    run in processes of their own, so the server's heap never holds a validation (national: 1.6 GB, not 8)."""
    from akg import resources, validation_cache
    from akg.store import corpus_ntriples, counts, open_store
    from akg.validation_shards import validate_sharded

    progress("loading data")
    store = open_store(data, location=location)
    cached = validation_cache.entry(
        data or resources.data_dir(), resources.ontology_dir(), resources.shapes_dir(), engine
    )
    known = cached.read()
    if known is not None:
        progress("validation: unchanged since the last run (the validation cache)")
        return store, known[0]
    progress(f"validating in shards, {jobs} process(es) at a time ({engine})")
    report = validate_sharded(corpus_ntriples(data), resources.shapes_dir(), engine=engine, jobs=jobs)
    cached.write(report, counts(store))
    return store, report


def _return_freed_memory() -> None:
    """Give the heap that building freed back to the system (glibc keeps it otherwise: gigabytes for a national
    corpus). Elsewhere than glibc this does nothing."""
    import contextlib
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


_ENGINE_ARGS = ("--engine",)
_NO_CACHE_HELP = "build the graph afresh, neither reading nor writing the build cache (see docs/architecture.md)"


def _engine_options() -> dict[str, object]:
    return {
        "choices": ["rudof", "pyshacl"],
        "default": "rudof",
        "help": "SHACL engine: rudof (the default, fast) or pyshacl (the reference, slower); they report the "
        "same findings (docs/validation.md)",
    }


def _validate_corpus(args: argparse.Namespace) -> tuple[ValidationReport, dict[str, int]]:
    """Build and validate the data folder of ``akg validate``: its report and the corpus counts it prints.

    With ``--jobs`` above 1 or ``--shard``, the graph is validated in shards (:mod:`akg.validation_shards`)."""
    from akg.store import counts

    if args.jobs == 1 and args.shard is None:
        store, report = _load_and_validate(args.data, Progress(), args.engine)
        return report, counts(store)
    from akg import resources
    from akg.store import OxigraphStore, corpus_ntriples
    from akg.validation_shards import validate_sharded

    progress = Progress()
    progress("loading data")
    ntriples = corpus_ntriples(args.data)
    shards, only = (args.shard[1], [args.shard[0]]) if args.shard else (None, None)
    progress(f"validating in shards, {args.jobs} process(es) at a time ({args.engine})")
    report = validate_sharded(
        ntriples, resources.shapes_dir(), engine=args.engine, jobs=args.jobs, shards=shards, only=only
    )
    store = OxigraphStore()
    store.replace_ntriples(ntriples)
    return report, counts(store)


def _print_plan(args: argparse.Namespace) -> int:
    """``akg validate --plan``: the shards ``--jobs`` or ``--shard`` would run, as JSON."""
    import json

    from akg import resources
    from akg.store import corpus_ntriples
    from akg.validation_shards import ShardingRefused, plan_of, shard_count

    try:
        ntriples = corpus_ntriples(args.data)
        count = args.shard[1] if args.shard else shard_count(ntriples.count(b"\n"), args.jobs)
        the_plan, reach = plan_of(ntriples, resources.shapes_dir(), count)
    except LoadError as exc:
        return _input_error(exc)
    except ShardingRefused as exc:
        print(f"akg validate: {exc}", file=sys.stderr)
        return EXIT_INPUT
    shown = {"depth": reach.depth, "backward": sorted(reach.backward), **the_plan.as_json()}
    print(json.dumps(shown, indent=2, ensure_ascii=False))
    return EXIT_OK


def _validate_remote(args: argparse.Namespace, remote: SparqlStore, source_root: object) -> int:
    """``akg validate --store sparql+http://...``: the graph the server serves (no cache: it may change)."""
    from akg.remote_store import StoreUnavailable
    from akg.reports import render
    from akg.store import counts
    from akg.validation import EngineFailure, Severity

    if args.data is not None:
        print("akg validate: --data and a remote store are exclusive (akg load puts a folder there)", file=sys.stderr)
        return EXIT_INPUT
    try:
        store, report = _load_and_validate(None, Progress(), args.engine, remote=remote)
        corpus_counts = counts(store)
    except (ImportError, EngineFailure, StoreUnavailable) as exc:
        print(f"akg validate: {exc}", file=sys.stderr)
        return EXIT_INPUT
    print(render(report, corpus_counts, args.format, source_root=source_root))
    return EXIT_OK if report.conforms_at(Severity.parse(args.fail_on)) else EXIT_FINDINGS


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def _shard(text: str) -> tuple[int, int]:
    """``K/N``: shard K (1..N) of N."""
    k, _, n = text.partition("/")
    try:
        shard, count = int(k), int(n)
    except ValueError:
        shard = count = 0
    if not 1 <= shard <= count:
        raise argparse.ArgumentTypeError(f"expected K/N with 1 <= K <= N, e.g. 1/4, got {text!r}")
    return shard, count


def cmd_validate(args: argparse.Namespace) -> int:
    from akg import resources, validation_cache
    from akg.reports import SourceRoot, render
    from akg.validation import EngineFailure, Severity

    source_root = None
    if args.sarif_root is not None:
        # Checked before the slow part, so a misconfigured CI job fails at once.
        if args.format != "sarif":
            print("akg validate: --sarif-root applies to --format sarif only", file=sys.stderr)
            return EXIT_INPUT
        try:
            source_root = SourceRoot.locate(args.data or resources.data_dir(), args.sarif_root)
        except ValueError as exc:
            print(f"akg validate: {exc}", file=sys.stderr)
            return EXIT_INPUT
    remote = _remote_store("validate", args, args.store)
    if isinstance(remote, int):
        return remote
    if remote is not None:
        return _validate_remote(args, remote, source_root)
    if args.plan:
        return _print_plan(args)
    # Unchanged inputs, shapes, engine and code: the findings of the last run, with no store built.
    cached = validation_cache.entry(
        args.data or resources.data_dir(), resources.ontology_dir(), resources.shapes_dir(), args.engine
    )
    if args.shard is not None:  # a part of the findings: not the cached whole
        cached = validation_cache.ValidationCacheEntry(None, None)
    known = cached.read()
    if known is not None:
        report, corpus_counts = known
    else:
        try:
            report, corpus_counts = _validate_corpus(args)
        except LoadError as exc:
            return _input_error(exc)
        except ImportError as exc:  # pyrudof missing or broken: say so, never fall back silently
            print(f"akg validate: {exc}", file=sys.stderr)
            return EXIT_INPUT
        except (EngineFailure, ValueError) as exc:  # ValueError: a sharding refused, a shard out of range
            print(f"akg validate: {exc}", file=sys.stderr)
            return EXIT_INPUT
        cached.write(report, corpus_counts)
    print(render(report, corpus_counts, args.format, source_root=source_root))
    return EXIT_OK if report.conforms_at(Severity.parse(args.fail_on)) else EXIT_FINDINGS


def cmd_init(args: argparse.Namespace) -> int:
    """Scaffold a new document folder; nothing is written when any part cannot be."""
    from akg.scaffold import ScaffoldError, scaffold_document

    try:
        scaffold = scaffold_document(args.dir, args.document, args.language)
    except ScaffoldError as exc:
        print(f"akg init: {exc}", file=sys.stderr)
        return EXIT_INPUT
    print(f"akg init: wrote {len(scaffold.files)} files in {scaffold.data_dir}:")
    for name in scaffold.files:
        print(f"  {name}")
    print(f"next: follow {scaffold.folder / 'README.md'}, starting with the text in source.txt;")
    print(f"then run: akg validate --data {scaffold.data_dir}  (it names what is still to give, by file and line)")
    return EXIT_OK


def _ids(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _format(command: str, args: argparse.Namespace, formats: Sequence[str]) -> str | None:
    """The output format: ``--format``, else the output file's suffix; None (after saying so) if unknown."""
    fmt = args.format or args.output.suffix.lstrip(".").lower()
    if fmt not in formats:
        print(
            f"akg {command}: cannot tell the format of {args.output}; give --format {'|'.join(formats)}",
            file=sys.stderr,
        )
        return None
    return fmt


def _write_output(command: str, output: Path, data: bytes) -> bool:
    """Write ``data`` to ``output`` atomically, or to stdout for ``-``; False (after saying why) if it cannot."""
    from akg.serialization import write_atomically

    try:
        if str(output) == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            write_atomically(output, data)
    except OSError as exc:
        print(f"akg {command}: cannot write {output}: {exc.strerror or exc}", file=sys.stderr)
        return False
    return True


def _deliver(command: str, output: Path, data: bytes, said: str, bar: ProgressBar | None = None) -> int:
    """Write ``data`` (see :func:`_write_output`), finish ``bar``, and say ``said`` on stderr unless the output
    went to stdout; the exit status."""
    if not _write_output(command, output, data):
        if bar is not None:
            bar.finish("stopped")
        return EXIT_INPUT
    if bar is not None:
        bar.finish("done")
    if str(output) != "-":
        print(said, file=sys.stderr)
    return EXIT_OK


def cmd_matrix(args: argparse.Namespace) -> int:
    from akg.accountability import Accountability, UnknownIdentifier
    from akg.matrix import FORMATS, ProgressBar, build_pack, known_ids, render, stage_count
    from akg.store import open_store

    fmt = _format("matrix", args, FORMATS)
    if fmt is None:
        return EXIT_INPUT
    if args.status_as_of is None and args.store is not None:
        print("akg matrix: --store goes with --status-as-of", file=sys.stderr)
        return EXIT_INPUT
    if args.status_as_of is not None and fmt not in STATUS_FORMATS:
        print(f"akg matrix: the status view is written as xlsx, html or json, not {fmt}", file=sys.stderr)
        return EXIT_INPUT
    if args.status_as_of is not None and args.data is not None:
        print("akg matrix: --status-as-of reads the matrix from the store's graph: leave out --data", file=sys.stderr)
        return EXIT_INPUT
    bar = ProgressBar(total=3 + stage_count(0, fmt))
    tracker = None
    if args.status_as_of is not None:
        from akg_cli.scorecard import read_progress

        opened = read_progress("matrix", args.store, bar, "see its /scorecard page")
        if isinstance(opened, int):
            return opened
        accountability, tracker = opened
    else:
        bar("loading data")
        try:
            accountability = Accountability.from_store(open_store(args.data))
        except LoadError as exc:
            return _input_error(exc)
    levels = len(accountability.concepts("levels")) if fmt == "xlsx" else 0
    bar.total += levels + stage_count(levels, fmt) - stage_count(0, fmt)
    try:
        pack = build_pack(
            accountability,
            needs=args.needs,
            sectors=args.sectors,
            level=args.level,
            target_group=args.group,
            document=args.document,
            lang=args.lang,
            with_levels=fmt == "xlsx",  # only the workbook has level sheets
            progress=bar,
        )
    except UnknownIdentifier as exc:
        bar.finish("stopped")
        print(f"akg matrix: {exc}; known: {', '.join(known_ids(accountability, exc.kind))}", file=sys.stderr)
        return EXIT_INPUT
    if tracker is not None:
        from dataclasses import replace

        from akg.matrix import status_view

        bar(f"counting the duty instances done and overdue by {args.status_as_of}")
        status = status_view(tracker, args.status_as_of)
        pack = replace(pack, status=status, filters=(*pack.filters, ("status as of", args.status_as_of.isoformat())))
    data = render(pack, fmt, bar)
    bar("writing the file")
    return _deliver("matrix", args.output, data, f"wrote the {fmt} matrix to {args.output}", bar)


def cmd_pathway(args: argparse.Namespace) -> int:
    """Write one child's pathway card. The profile is used for this card only: it is not stored or logged."""
    from akg.accountability import Accountability, InvalidArgument, Profile, UnknownIdentifier
    from akg.pathway_card import FORMATS, render_card
    from akg.store import open_store

    fmt = _format("pathway", args, FORMATS)
    if fmt is None:
        return EXIT_INPUT
    try:
        accountability = Accountability.from_store(open_store(args.data))
    except LoadError as exc:
        return _input_error(exc)
    profile = Profile(tuple(args.groups), args.age, args.level, args.jurisdiction)
    try:
        pathway = accountability.pathway(profile, args.start)
    except UnknownIdentifier as exc:
        known = ""
        if exc.kind in ("group", "level"):
            known = "; known: " + ", ".join(c.id for c in accountability.concepts(exc.kind + "s"))
        print(f"akg pathway: {exc}{known}", file=sys.stderr)
        return EXIT_INPUT
    except InvalidArgument as exc:
        print(f"akg pathway: {exc}", file=sys.stderr)
        return EXIT_INPUT
    card = render_card(pathway, accountability, fmt, args.lang)
    return _deliver("pathway", args.output, card, f"wrote the {fmt} pathway card to {args.output}")


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _age(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an age in whole years: {value!r}") from None


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"port {port} is outside 1-65535")
    return port


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not 0 < seconds <= 3600:
        raise argparse.ArgumentTypeError(f"{value} is outside 0-3600 seconds")
    return seconds


def _count(value: str) -> int:
    try:
        count = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if count < 0:
        raise argparse.ArgumentTypeError(f"{count} is negative")
    return count


def cmd_serve(args: argparse.Namespace) -> int:
    """Load and validate the graph, then serve GraphQL; refuse to start on Violations unless --allow-invalid.

    With ``--store DIR`` (or ``$AKG_STORE``) the graph, the reports and the tokens are kept in DIR and the
    service accepts reports; without, the graph is in memory and progress can be read but not written.
    """
    from akg import resources
    from akg.accountability import Accountability
    from akg.progress.layout import StoreInUse, StoreLayout
    from akg.progress.service import ProgressService
    from akg.remote_store import StoreUnavailable
    from akg.validation import EngineFailure, Severity

    progress = Progress()
    target = args.store or (_store_target(os.environ[STORE_ENV]) if os.environ.get(STORE_ENV) else None)
    remote = _remote_store("serve", args, target)
    if isinstance(remote, int):
        return remote
    if remote is not None and args.data is not None:
        print(
            "akg serve: a remote store serves the corpus loaded there: leave out --data (see akg load)", file=sys.stderr
        )
        return EXIT_INPUT
    if args.tokens is not None and remote is None:
        print("akg serve: --tokens goes with a remote store (a store folder keeps its own)", file=sys.stderr)
        return EXIT_INPUT
    if args.tokens is not None and remote is not None and None in (remote.endpoints.update, remote.endpoints.data):
        print("akg serve: taking reports (--tokens) needs --update-endpoint and --data-endpoint", file=sys.stderr)
        return EXIT_INPUT
    root = target if isinstance(target, Path) else None
    try:
        if remote is not None:
            store, report = _load_and_validate(args.data, progress, args.engine, remote=remote)
        else:
            store, report = _load_and_validate_in_shards(args.data, progress, args.engine, args.jobs, root)
    except LoadError as exc:
        return _input_error(exc)
    except StoreUnavailable as exc:
        print(f"akg serve: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except ImportError as exc:  # pyrudof missing or broken: say so, never fall back silently
        print(f"akg serve: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except EngineFailure as exc:
        print(f"akg serve: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as exc:  # RocksDB's lock: another server holds the store, or the folder is unusable
        problem = StoreInUse(StoreLayout(root)) if root and "lock" in str(exc).lower() else exc
        print(f"akg serve: {problem}", file=sys.stderr)
        return EXIT_INPUT
    from akg.reports import summary_line

    print(f"akg: validation: {summary_line(report)} (details: akg validate)", file=sys.stderr)
    violations = [f for f in report.results if f.severity >= Severity.VIOLATION]
    if violations:
        print(f"akg: the graph has {len(violations)} violation(s):", file=sys.stderr)
        for finding in violations:
            where = f"{finding.source_file}:{finding.source_line}: " if finding.source_file else ""
            print(f"  {where}{finding.message} [{finding.focus_node}]", file=sys.stderr)
        if not args.allow_invalid:
            print("akg: not serving an invalid graph (pass --allow-invalid to serve it anyway)", file=sys.stderr)
            return EXIT_FINDINGS
    progress("indexing")
    accountability = Accountability.from_store(store)
    _return_freed_memory()

    import uvicorn

    from akg.sparql import SparqlLimits
    from graphql_api.server import create_app

    sparql = SparqlLimits(timeout=args.sparql_timeout, max_results=args.sparql_max_results, workers=args.sparql_workers)
    tracking = ProgressService.open(store, root, resources.shapes_dir(), tokens=args.tokens)
    app = create_app(accountability, report, store=store, sparql=sparql, progress=tracking)
    if remote is not None:
        where = remote.endpoints.describe()
        kept = f"reports kept in {where}" if args.tokens else f"reading {where} (give --tokens FILE to take reports)"
    else:
        kept = f"reports kept in {root}" if root else "no reports kept (start with --store DIR to accept them)"
    print(f"akg: serving http://{args.host}:{args.port}/graphql; {kept}", file=sys.stderr, flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return EXIT_OK


# -- tokens, backup and restore (issue 8) ---------------------------------------------------------------

STORE_ENV = "AKG_STORE"
STORE_HELP = f"store folder (default: ${STORE_ENV}, else ./akg-store)"


REMOTE_HELP = "or a SPARQL server: sparql+http://HOST:PORT (Oxigraph server's layout; see docs/remote-stores.md)"


def _store_target(value: str) -> Path | str:
    """A ``--store`` value: a store folder, or a SPARQL server's ``sparql+http(s)://HOST:PORT`` (kept as text)."""
    from akg.remote_store import is_remote

    return value if is_remote(value) else _path(value)


def _add_endpoint_options(command: argparse.ArgumentParser, writes: bool) -> None:
    """--query-endpoint, and for commands that write --update-endpoint and --data-endpoint."""
    command.add_argument(
        "--query-endpoint",
        metavar="URL",
        help="a SPARQL server laid out otherwise than Oxigraph's: its query endpoint (e.g. Fuseki's "
        "http://HOST:3030/ds/query, GraphDB's http://HOST:7200/repositories/R)",
    )
    if writes:
        command.add_argument("--update-endpoint", metavar="URL", help="its SPARQL Update endpoint")
        command.add_argument(
            "--data-endpoint",
            metavar="URL",
            help="its Graph Store Protocol endpoint, which must take N-Quads (Fuseki's http://HOST:3030/ds, "
            "GraphDB's http://HOST:7200/repositories/R/statements)",
        )


def _remote_store(command: str, args: argparse.Namespace, target: Path | str | None) -> SparqlStore | int | None:
    """The remote store that ``target`` (a ``--store`` value) or the endpoint options name; None for a folder or
    nothing; an exit status (after saying why) when they conflict."""
    query = getattr(args, "query_endpoint", None)
    update, data = getattr(args, "update_endpoint", None), getattr(args, "data_endpoint", None)
    if not (isinstance(target, str) or query or update or data):
        return None  # a folder or nothing: the remote store's module (and the embedded store's) is not imported
    from akg.remote_store import Endpoints, SparqlStore

    if isinstance(target, Path) and (query or update or data):
        print(f"akg {command}: give --store DIR or a SPARQL server's endpoints, not both", file=sys.stderr)
        return EXIT_INPUT
    if isinstance(target, str):
        endpoints = Endpoints.oxigraph(target)
    elif query:
        endpoints = Endpoints(query)
    elif update or data:
        print(f"akg {command}: --update-endpoint and --data-endpoint go with --query-endpoint", file=sys.stderr)
        return EXIT_INPUT
    else:
        return None
    return SparqlStore(Endpoints(query or endpoints.query, update or endpoints.update, data or endpoints.data))


def cmd_load(args: argparse.Namespace) -> int:
    """Build the corpus and load it into a store: a SPARQL server (in batches, the named graphs kept) or a folder."""
    from akg import build_cache, resources
    from akg.matrix import ProgressBar
    from akg.remote_store import StoreUnavailable
    from akg.store import corpus_ntriples, open_store

    remote = _remote_store("load", args, args.store)
    if isinstance(remote, int):
        return remote
    if remote is None and args.store is None:
        print("akg load: give --store (a folder, or sparql+http://HOST:PORT) or --query-endpoint", file=sys.stderr)
        return EXIT_INPUT
    if remote is not None and None in (remote.endpoints.update, remote.endpoints.data):
        print("akg load: loading needs --update-endpoint and --data-endpoint besides --query-endpoint", file=sys.stderr)
        return EXIT_INPUT
    bar = ProgressBar(total=3)
    bar("building the corpus")
    data_dir, ontology_dir = args.data or resources.data_dir(), resources.ontology_dir()
    try:
        if remote is None:
            bar.total = 2
            open_store(data_dir, location=args.store)
            bar.finish("done")
            print(f"akg: loaded the corpus into the store folder {args.store}", file=sys.stderr)
            return EXIT_OK
        ntriples = corpus_ntriples(data_dir, ontology_dir)
    except LoadError as exc:
        bar.finish("stopped")
        return _input_error(exc)
    lines = ntriples.count(b"\n")
    bar.total = 2 + -(-lines // args.batch)

    def loaded(done: int, total: int) -> None:
        bar(f"loaded {done:,} of {total:,} triples into {remote.endpoints.describe()}")

    try:
        version = remote.load_corpus(ntriples, build_cache.input_key(data_dir, ontology_dir), args.batch, loaded)
    except StoreUnavailable as exc:
        bar.finish("stopped")
        print(f"akg load: {exc}", file=sys.stderr)
        return EXIT_INPUT
    bar.finish("done")
    print(
        f"akg: loaded {lines:,} triples into the default graph of {remote.endpoints.describe()} "
        f"(named graphs kept; corpus version {version})",
        file=sys.stderr,
    )
    return EXIT_OK


def _store_root(value: Path | None) -> Path:
    """``--store``, else ``$AKG_STORE``, else ``./akg-store``; a SPARQL server's URL is refused (exit status 2)."""
    root = value or _path(os.environ.get(STORE_ENV) or "akg-store")
    if str(root).startswith(("sparql+http:", "sparql+https:")):  # a Path has folded its "//"
        print(
            "akg: this command takes a store folder, not a SPARQL server; a remote store's tokens are a file that "
            "akg token writes in a folder (akg serve --tokens DIR/tokens.sqlite): see docs/remote-stores.md",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_INPUT)
    return root


def _registry_errors(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Report an unreadable token file (not SQLite, locked too long, unwritable) as a message, not a traceback."""

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except (sqlite3.Error, OSError) as exc:
            print(f"akg token: the token registry in {_store_root(args.store)} cannot be used: {exc}", file=sys.stderr)
            return EXIT_FINDINGS

    return run


@_registry_errors
def cmd_token_issue(args: argparse.Namespace) -> int:
    """Print a new token, once, as the only line on stdout; the organisation must be in the graph."""
    import difflib

    from akg.progress.errors import InvalidInput
    from akg.progress.layout import ORGANIZATION_IDS, StoreLayout, organization_ids
    from akg.progress.tokens import TokenRegistry

    layout = StoreLayout(_store_root(args.store))
    try:
        known = organization_ids(layout)
    except OSError as exc:  # a read beside a running server can meet a file RocksDB just compacted away
        print(f"akg token issue: could not read the graph in {layout.root} ({exc}): try again", file=sys.stderr)
        return EXIT_FINDINGS
    if known is None:
        from akg.store import open_store

        source = args.data or "the shipped corpus"
        print(f"akg token issue: {layout.root} holds no graph yet: checking --org against {source}", file=sys.stderr)
        try:
            known = [str(row["id"]) for row in open_store(args.data).select(ORGANIZATION_IDS)]
        except LoadError as exc:
            return _input_error(exc)
    if args.org not in known:
        close = difflib.get_close_matches(args.org, known, n=5, cutoff=0.6)
        close += [org for org in known if args.org.lower() in org.lower() and org not in close][: 5 - len(close)]
        hint = (
            f" Did you mean: {', '.join(close)}?"
            if close
            else f" It has {len(known)}, with ids like hubei-civil-affairs or civil-affairs@420100."
        )
        print(f"akg token issue: no organisation {args.org!r} in the graph of {layout.root}.{hint}", file=sys.stderr)
        return EXIT_INPUT
    try:
        issued = TokenRegistry(layout.tokens).issue(args.org, args.role, args.expires)
    except InvalidInput as exc:
        print(f"akg token issue: {exc.message}", file=sys.stderr)
        return EXIT_INPUT
    record = issued.record
    until = f", valid through {record.expires} (UTC)" if record.expires else ", with no expiry date"
    print(issued.text, flush=True)
    print(
        f"akg: token {record.id} for {record.org} as {record.role.value}{until}. It is shown only now: "
        f"hand it over privately. Revoke it with `akg token revoke {record.id}`.",
        file=sys.stderr,
    )
    return EXIT_OK


@_registry_errors
def cmd_token_list(args: argparse.Namespace) -> int:
    """List the tokens (never a secret nor its hash) as a table or JSON."""
    import json

    from akg.progress.layout import StoreLayout
    from akg.progress.tokens import TokenRegistry

    layout = StoreLayout(_store_root(args.store))
    records = TokenRegistry(layout.tokens).list() if layout.tokens.exists() else []
    rows = [
        {
            "id": r.id,
            "org": r.org,
            "role": r.role.value,
            "created": r.created.isoformat(),
            "expires": r.expires.isoformat() if r.expires else None,
            "status": r.status(),
            "revoked": r.revoked.isoformat() if r.revoked else None,
            "last_used": r.last_used.isoformat() if r.last_used else None,
        }
        for r in records
    ]
    if args.format == "json":
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    if not rows:
        print(f"akg: no tokens in {layout.root} yet (akg token issue)", file=sys.stderr)
    header = ("id", "org", "role", "created (UTC)", "expires", "status", "last used (UTC)")
    table = [header] + [
        tuple(_minute(row[k]) if k in ("created", "last_used") else row[k] or "-" for k in _TOKEN_COLUMNS)
        for row in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for line in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
    return EXIT_OK


_TOKEN_COLUMNS = ("id", "org", "role", "created", "expires", "status", "last_used")


def _minute(iso: str | None) -> str:
    return iso[:16].replace("T", " ") if iso else "-"


@_registry_errors
def cmd_token_revoke(args: argparse.Namespace) -> int:
    from akg.progress.layout import StoreLayout
    from akg.progress.tokens import TokenRegistry, UnknownToken

    layout = StoreLayout(_store_root(args.store))
    try:
        if not layout.tokens.exists():
            raise UnknownToken(args.id)
        record = TokenRegistry(layout.tokens).revoke(args.id)
    except UnknownToken as exc:
        print(f"akg token revoke: {exc.message} (store: {layout.root})", file=sys.stderr)
        return EXIT_INPUT
    print(f"revoked token {record.id} ({record.org}, {record.role.value}) at {record.revoked:%Y-%m-%d %H:%M} UTC")
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    from akg.progress.backup import BackupError, back_up
    from akg.progress.layout import StoreInUse

    try:
        manifest = back_up(args.dir, args.file, Progress())
    except (BackupError, StoreInUse, OSError) as exc:  # OSError: a full disk, a folder it may not write
        print(f"akg backup: {exc}", file=sys.stderr)
        return EXIT_FINDINGS
    size = args.file.stat().st_size / 1e6
    print(
        f"akg: backed up {args.dir} to {args.file} ({size:.1f} MB): {manifest.quads} quads in all graphs, "
        f"{manifest.tokens} tokens",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from akg.progress.backup import BackupError, restore
    from akg.progress.layout import StoreInUse

    try:
        manifest = restore(args.file, args.dir, force=args.force, progress=Progress())
    except (BackupError, StoreInUse, OSError) as exc:  # OSError: a full disk, a folder it may not write
        print(f"akg restore: {exc}", file=sys.stderr)
        return EXIT_FINDINGS
    print(
        f"akg: restored {args.dir} from {args.file} (made {manifest.created:%Y-%m-%d %H:%M} UTC by akg "
        f"{manifest.akg_version}): {manifest.quads} quads in all graphs, {manifest.tokens} tokens",
        file=sys.stderr,
    )
    return EXIT_OK


def parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser (exposed for the documentation and tests).

    With ``command``, the subcommands whose options import heavy modules (init, matrix, serve, scorecard) are
    left out unless ``command`` is one of them: ``akg validate`` on an unchanged corpus then starts in a
    fraction of the time. Without it, every subcommand is there (``akg --help``).
    """
    from akg import __version__

    top = argparse.ArgumentParser(prog="akg", description="Accountability knowledge graph of child-welfare policy.")
    top.add_argument("--version", action="version", version=f"akg {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    data_help = "data folder (default: the shipped corpus)"
    build = sub.add_parser("build", help="write the whole graph, ontology included")
    build.add_argument("--data", type=_path, help=data_help)
    build.add_argument("--format", choices=sorted(GRAPH_FORMATS), default="ttl")
    build.add_argument("-o", "--output", type=_path, required=True, help="output file, or - for stdout")
    build.add_argument("--no-cache", action="store_true", help=_NO_CACHE_HELP)
    build.set_defaults(run=cmd_build)

    check = sub.add_parser("validate", help="validate the graph against the SHACL shapes")
    check.add_argument("--data", type=_path, help=data_help)
    check.add_argument("--format", choices=["text", "json", "turtle", "junit", "sarif"], default="text")
    check.add_argument("--fail-on", choices=["violation", "warning", "info"], default="violation")
    check.add_argument(
        "--sarif-root",
        metavar="PATH",
        help="with --format sarif: the data folder's path from the repository root (e.g. data), so that "
        "code scanning maps each finding to its file (uriBaseId %%SRCROOT%%)",
    )
    check.add_argument(*_ENGINE_ARGS, **_engine_options())
    check.add_argument(
        "--store",
        type=_store_target,
        metavar="URL",
        help="validate the graph a SPARQL server serves: sparql+http://HOST:PORT (see docs/remote-stores.md)",
    )
    _add_endpoint_options(check, writes=False)
    check.add_argument("--no-cache", action="store_true", help=_NO_CACHE_HELP)
    check.add_argument(
        "--jobs",
        type=_positive,
        default=1,
        metavar="N",
        help="validate in shards, N processes at a time (the same findings; see docs/validation.md)",
    )
    check.add_argument(
        "--shard",
        type=_shard,
        metavar="K/N",
        help="validate only shard K of N (CI jobs; the N shards' findings together are the whole report)",
    )
    check.add_argument("--plan", action="store_true", help="print the shard plan of --jobs or --shard as JSON")
    check.set_defaults(run=cmd_validate)

    if command in (None, "init"):  # its imports are heavy: only when it may run
        from akg.scaffold import LANGUAGES

        init = sub.add_parser("init", help="scaffold a new document folder in a data folder")
        init.add_argument("dir", type=_path, metavar="DIR", help="the data folder (created if missing)")
        init.add_argument("--document", required=True, metavar="ID", help="the new document's id, e.g. minfa-2019-62")
        init.add_argument(
            "--language", required=True, choices=LANGUAGES, help="the text's language: its usual numbering is laid out"
        )
        init.set_defaults(run=cmd_init)

    if command in (None, "matrix"):  # its imports are heavy: only when it may run
        from akg.matrix import FORMATS as MATRIX_FORMATS

        grid = sub.add_parser("matrix", help="write the responsibility matrix (sectors × needs and capacities)")
        grid.add_argument("--data", type=_path, help=data_help)
        grid.add_argument("--level", help="only duties addressed to this level (or to all levels)")
        grid.add_argument("--needs", type=_ids, help="columns: need or capacity ids, comma-separated")
        grid.add_argument("--sectors", type=_ids, help="rows: sector ids, comma-separated")
        grid.add_argument("--group", help="target group: its duties plus the general ones")
        grid.add_argument("--document", help="only this policy document's duties")
        grid.add_argument("--lang", choices=["en", "zh"], default="en", help="label language")
        grid.add_argument("--format", choices=MATRIX_FORMATS, help="default: from the output file's suffix")
        grid.add_argument("-o", "--output", type=_path, required=True, help="output file, or - for stdout")
        grid.add_argument(
            "--status-as-of",
            type=_date,
            metavar="YYYY-MM-DD",
            help="colour each cell by its duty instances done and overdue by this day, read from the store folder "
            "(--store; xlsx, html or json only; see docs/progress.md)",
        )
        grid.add_argument("--store", type=_path, metavar="DIR", help=f"with --status-as-of: {STORE_HELP}")
        grid.set_defaults(run=cmd_matrix)

    path = sub.add_parser("pathway", help="write one child's pathway card (the profile is not stored)")
    path.add_argument("--data", type=_path, help=data_help)
    path.add_argument("--groups", type=_ids, required=True, help="target group ids, comma-separated")
    path.add_argument("--age", type=_age, help="age in whole years")
    path.add_argument("--level", help="the level of the child's place, e.g. county")
    path.add_argument(
        "--jurisdiction", help="six-digit division code (e.g. 420102): holders become that division's bureaus"
    )
    path.add_argument("--start", type=_date, help="date of the application (YYYY-MM-DD): due dates count from it")
    path.add_argument("--lang", choices=["en", "zh"], default="en", help="card language")
    path.add_argument("--format", choices=["html", "md", "json"], help="default: from the output file's suffix")
    path.add_argument("-o", "--output", type=_path, required=True, help="output file, or - for stdout")
    path.set_defaults(run=cmd_pathway)

    if command in (None, "serve"):  # its imports are heavy: only when it may run
        serve = sub.add_parser("serve", help="serve the GraphQL accountability API (with GraphiQL) and /healthz")
        serve.add_argument("--data", type=_path, help=data_help)
        serve.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1)")
        serve.add_argument("--port", type=_port, default=8000, help="port (default: 8000)")
        serve.add_argument("--allow-invalid", action="store_true", help="serve even when validation finds Violations")
        serve.add_argument(
            "--store",
            type=_store_target,
            metavar="DIR|URL",
            help=f"keep the graph, the reports and the tokens in the store folder DIR (default: ${STORE_ENV}; "
            f"without either the graph is in memory and no report can be written); {REMOTE_HELP}",
        )
        _add_endpoint_options(serve, writes=True)
        serve.add_argument(
            "--tokens",
            type=_path,
            metavar="FILE",
            help="with a remote store: the token registry (a tokens.sqlite that akg token issue --store DIR wrote in "
            "DIR), given to every replica; without it the service takes no reports",
        )
        serve.add_argument(*_ENGINE_ARGS, **_engine_options())
        serve.add_argument(
            "--jobs",
            type=_positive,
            default=os.cpu_count() or 1,
            metavar="N",
            help="validate at start in shards, N processes at a time (default: the cores; 1: in the server's "
            "own process; docs/validation.md)",
        )
        from akg.sparql import SparqlLimits

        limits = SparqlLimits()
        serve.add_argument(
            "--sparql-timeout",
            type=_seconds,
            default=limits.timeout,
            metavar="SECONDS",
            help=f"a /sparql query still running after this long is stopped (default: {limits.timeout:g})",
        )
        serve.add_argument(
            "--sparql-max-results",
            type=_count,
            default=limits.max_results,
            metavar="N",
            help=f"most rows or triples one /sparql answer may have (default: {limits.max_results})",
        )
        serve.add_argument(
            "--sparql-workers",
            type=_count,
            default=limits.workers,
            metavar="N",
            help=f"/sparql queries that can run at once, each in its own process; 0 turns /sparql off "
            f"(default: {limits.workers})",
        )
        serve.set_defaults(run=cmd_serve)

    load = sub.add_parser(
        "load",
        help="build the corpus and load it into a store (a SPARQL server, in batches, or a folder)",
        description="Replace the served (default) graph of a store with the corpus of a data folder, keeping the "
        "named graphs (reports, the audit trail). On a SPARQL server the triples go in batches into a staging "
        "graph that one update then moves into place, with a new corpus version that running replicas follow.",
    )
    load.add_argument("--data", type=_path, help=data_help)
    load.add_argument("--store", type=_store_target, metavar="DIR|URL", help=f"a store folder, {REMOTE_HELP}")
    _add_endpoint_options(load, writes=True)
    load.add_argument("--batch", type=_count, default=50_000, metavar="N", help="triples per request (default: 50000)")
    load.set_defaults(run=cmd_load)

    token = sub.add_parser(
        "token",
        help="issue, list and revoke the bearer tokens of a store",
        description=f"Bearer tokens of a store folder (--store DIR; default: ${STORE_ENV}, else ./akg-store), "
        "kept in DIR/tokens.sqlite as hashes. See docs/operations.md.",
    )
    token_sub = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    issue = token_sub.add_parser("issue", help="print a new token once, on one line (only a hash of it is kept)")
    issue.add_argument(
        "--org", required=True, metavar="ORG_ID", help="the organisation it acts for, e.g. civil-affairs@420100"
    )
    issue.add_argument("--role", required=True, choices=["reporter", "reviewer", "admin"])
    issue.add_argument("--expires", type=_date, metavar="YYYY-MM-DD", help="last day it is valid (UTC); default: none")
    issue.add_argument("--store", type=_path, metavar="DIR", help=STORE_HELP)
    issue.add_argument("--data", type=_path, help="data folder to check --org in while DIR holds no graph yet")
    issue.set_defaults(run=cmd_token_issue)
    listing = token_sub.add_parser("list", help="list the tokens and their status (never a secret)")
    listing.add_argument("--store", type=_path, metavar="DIR", help=STORE_HELP)
    listing.add_argument("--format", choices=["table", "json"], default="table")
    listing.set_defaults(run=cmd_token_list)
    revoke = token_sub.add_parser("revoke", help="revoke a token at once, by its id")
    revoke.add_argument("id", metavar="ID", help="the token's id (the ten hex digits after akg_)")
    revoke.add_argument("--store", type=_path, metavar="DIR", help=STORE_HELP)
    revoke.set_defaults(run=cmd_token_revoke)

    backup = sub.add_parser(
        "backup",
        help="write a store folder (every graph, the tokens) to one archive file",
        description="Write the store folder DIR (every graph, the tokens, the input fingerprint) to one "
        "checked archive. The store must not be open in a running server.",
    )
    backup.add_argument("dir", type=_path, metavar="DIR", help="the store folder (as in akg serve --store)")
    backup.add_argument("file", type=_path, metavar="FILE", help="the archive to write (.tar.gz); replaced atomically")
    backup.set_defaults(run=cmd_backup)
    back = sub.add_parser(
        "restore",
        help="make a store folder from a backup archive (checked before anything is written)",
        description="Restore the archive FILE into the store folder DIR, which must be missing or empty "
        "unless --force. Exit status 1 when refused; nothing is written then.",
    )
    back.add_argument("file", type=_path, metavar="FILE", help="an archive written by akg backup")
    back.add_argument("dir", type=_path, metavar="DIR", help="the store folder to create")
    back.add_argument("--force", action="store_true", help="replace DIR even if it is not empty (in one rename)")
    back.set_defaults(run=cmd_restore)

    from akg_cli.audit import add_audit_parser
    from akg_cli.reports import add_reports_parser

    if command in (None, "scorecard"):  # its imports are heavy: only when it may run
        from akg_cli.scorecard import add_scorecard_parser
    from akg_cli.synth import add_synth_parser

    add_audit_parser(sub)
    add_reports_parser(sub)
    if command in (None, "scorecard"):
        add_scorecard_parser(sub)
    add_synth_parser(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    given = list(sys.argv[1:] if argv is None else argv)
    # Another word (a typo) gets the whole parser, so that argparse's message lists every command.
    command = given[0] if given and given[0] in COMMANDS else None
    args = parser(command).parse_args(given)
    if getattr(args, "no_cache", False):
        from akg import build_cache

        with build_cache.disabled():
            return args.run(args)
    return args.run(args)


def entry_point() -> None:
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:  # the reader went away (akg validate | head): say nothing more, as a shell tool does
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that flushing stdout at exit does not fail again
        sys.exit(141)  # 128 + SIGPIPE
