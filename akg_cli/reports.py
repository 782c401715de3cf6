"""``akg reports import`` (a bureau's batch of reports from a spreadsheet) and ``akg reports template``.

Import writes into a store folder (``--store``, else ``$AKG_STORE``, else ./akg-store) or, with ``--url``,
sends the batch to a running server's ``submitReports`` mutation. Either way it is all or nothing: every
problem is printed on stderr as ``file:row:column: message`` and the exit status is 1. The token is read
from ``--token`` or ``$AKG_TOKEN`` and never printed.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import urllib.error
import urllib.parse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from akg_cli import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, STORE_ENV, STORE_HELP, _input_error, _path, _store_root
from loader.errors import LoadError

if TYPE_CHECKING:
    from akg.progress.layout import StoreLayout
    from akg.progress.spreadsheet import Problem, ReportSheet, SheetRefused

TOKEN_ENV = "AKG_TOKEN"
#: The mutation ``--url`` sends; statuses go as the GraphQL enum's names (IN_PROGRESS for in-progress).
SUBMIT_REPORTS = """
mutation SubmitReports($inputs: [ReportInput!]!) {
  submitReports(inputs: $inputs) { report { id instanceId } messages }
}"""
_TIMEOUT_SECONDS = 120


def _say(command: str, message: str) -> None:
    print(f"akg reports {command}: {message}", file=sys.stderr)


def _in_use(command: str, layout: StoreLayout, instead: str) -> int:
    _say(
        command, f"the store {layout.root} is open in a running server (akg serve --store): stop it first, or {instead}"
    )
    return EXIT_FINDINGS


def _print_refusal(refusal: SheetRefused) -> int:
    """Every problem on its line, then what it came to; the exit status of a refusal."""
    for line in refusal.lines:
        print(line, file=sys.stderr)
    rows = len({p.row for p in refusal.problems if p.row is not None})
    where = f" in {rows} row(s)" if rows else ""
    print(f"akg: nothing was imported from {refusal.file}: {len(refusal.lines)} problem(s){where}", file=sys.stderr)
    return EXIT_FINDINGS


def _imported(instances: Sequence[str], warnings: Sequence[str]) -> int:
    for warning in warnings:
        print(f"akg: warning: {warning}", file=sys.stderr)
    print(f"akg: imported {len(instances)} reports (instances: {', '.join(instances)})", file=sys.stderr)
    return EXIT_OK


def cmd_reports_import(args: argparse.Namespace) -> int:
    """Import every report of a spreadsheet, or none."""
    token = (args.token or os.environ.get(TOKEN_ENV) or "").strip()
    if not token:
        _say("import", f"give a reporter token: --token T, or set {TOKEN_ENV}")
        return EXIT_INPUT
    if not args.file.is_file():
        _say("import", f"{args.file}: no such file")
        return EXIT_INPUT
    if args.url:
        if args.check:
            _say("import", "--check checks against a store folder; it cannot be used with --url")
            return EXIT_INPUT
        if urllib.parse.urlsplit(args.url).scheme not in ("http", "https"):
            _say("import", f"--url must be an http or https URL, e.g. http://127.0.0.1:8000 (not {args.url!r})")
            return EXIT_INPUT
        return _import_remote(args, token)
    from akg import resources
    from akg.progress.errors import Unauthenticated
    from akg.progress.layout import StoreInUse, StoreLayout, open_existing
    from akg.progress.service import ProgressService
    from akg.progress.spreadsheet import (
        SheetRefused,
        check_sheet,
        import_sheet,
        read_sheet,
        report_statuses,
        status_names,
    )

    layout = StoreLayout(_store_root(args.store))
    try:
        store = open_existing(layout)
    except StoreInUse:
        return _in_use("import", layout, "send the reports to the server with --url http://127.0.0.1:8000")
    except FileNotFoundError:
        _say("import", f"{layout.root} holds no store: give --store DIR (made by akg serve --store DIR)")
        return EXIT_INPUT
    service = ProgressService.open(store, layout.root, resources.shapes_dir())
    assert service.tokens is not None and service.ledger is not None
    try:
        credential = service.tokens.authenticate(token)
    except Unauthenticated as exc:
        _say("import", f"the token was refused: {exc.message} Nothing was imported (store: {layout.root}).")
        return EXIT_FINDINGS
    except sqlite3.Error as exc:
        _say("import", f"the token registry in {layout.root} cannot be used: {exc}")
        return EXIT_FINDINGS
    sheet = read_sheet(args.file, status_names(report_statuses(store)), file=str(args.file))
    if args.check:
        problems = check_sheet(service.ledger, credential, sheet)
        if problems:
            return _print_refusal(SheetRefused(sheet.file, problems))
        print(
            f"akg: {sheet.file}: all {len(sheet.rows)} reports can be imported (nothing was written)", file=sys.stderr
        )
        return EXIT_OK
    try:
        results = import_sheet(service.ledger, credential, sheet)
    except SheetRefused as exc:
        return _print_refusal(exc)
    return _imported([r.report.instance for r in results], [m for r in results for m in r.messages])


def _import_remote(args: argparse.Namespace, token: str) -> int:
    """Send the sheet's reports to a server's submitReports mutation; place its problems on the rows."""
    from akg import resources
    from akg.progress.ledger import progress_shapes
    from akg.progress.spreadsheet import Placer, SheetRefused, read_sheet, report_statuses, shape_columns, status_names
    from akg.store import OxigraphStore, ontology_graph

    vocabulary = OxigraphStore()
    vocabulary.replace(ontology_graph())
    sheet = read_sheet(args.file, status_names(report_statuses(vocabulary)), file=str(args.file))
    if sheet.problems:
        return _print_refusal(SheetRefused(sheet.file, sheet.problems))
    url = args.url.rstrip("/")
    endpoint = url if url.endswith("/graphql") else url + "/graphql"
    try:
        answer = _post(endpoint, token, {"query": SUBMIT_REPORTS, "variables": {"inputs": _inputs(sheet)}})
    except (OSError, ValueError) as exc:  # unreachable, refused, not JSON
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        _say("import", f"cannot send the reports to {endpoint}: {reason}; nothing was imported")
        return EXIT_FINDINGS
    errors = answer.get("errors") or []
    if errors:
        placer = Placer(sheet, sheet.rows, shape_columns(progress_shapes(resources.shapes_dir())))
        problems: list[Problem] = []
        for error in errors:
            messages = (error.get("extensions") or {}).get("messages") or [error.get("message", "")]
            problems += placer.place_all(str(m) for m in messages)
        return _print_refusal(SheetRefused(sheet.file, problems))
    results = (answer.get("data") or {}).get("submitReports") or []
    return _imported(
        [r["report"]["instanceId"] for r in results], [m for r in results for m in r.get("messages") or []]
    )


def _inputs(sheet: ReportSheet) -> list[dict[str, Any]]:
    """The rows as the mutation's ReportInput objects (dates as YYYY-MM-DD, statuses as enum names)."""
    inputs = []
    for row in sheet.rows:
        report = row.report
        item: dict[str, Any] = {
            "obligation": report.obligation,
            "jurisdiction": report.jurisdiction,
            "status": report.status.upper().replace("-", "_"),
            "summary": report.summary,
        }
        optional = {
            "due": report.due and report.due.isoformat(),
            "evidenceUrl": report.evidence_url,
            "evidenceSha256": report.evidence_sha256,
            "reportedOn": report.reported_on and report.reported_on.isoformat(),
        }
        item.update({k: v for k, v in optional.items() if v})
        inputs.append(item)
    return inputs


def _post(endpoint: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST a GraphQL request with the token in the Authorization header; the answer, also on an HTTP error."""
    import urllib.request  # here: it costs every other akg command a tenth of a second to start

    request = urllib.request.Request(
        endpoint,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:  # GraphQL errors may come with a 4xx status
        payload = exc.read()
        try:
            return json.loads(payload)
        except ValueError:
            raise ValueError(f"HTTP {exc.code} {exc.reason}") from None


def cmd_reports_template(args: argparse.Namespace) -> int:
    """Write the template workbook, made from the store's graph (or a data folder's)."""
    from akg.accountability import InvalidArgument, UnknownIdentifier
    from akg.progress.layout import StoreInUse, StoreLayout, open_existing
    from akg.progress.template import TemplateContent, render_template
    from akg.progress.tracking import Tracker
    from akg.store import open_store
    from akg_cli import _write_output

    layout = StoreLayout(_store_root(args.store))
    try:
        if args.data is None and (args.store or layout.oxigraph.is_dir()):
            store = open_existing(layout)
        else:
            if args.data is None:
                _say("template", f"no store in {layout.root}: listing the duty instances of the shipped corpus")
            store = open_store(args.data)
    except StoreInUse:
        return _in_use("template", layout, "make the template from the data folder the server uses, with --data DIR")
    except FileNotFoundError:
        _say("template", f"{layout.root} holds no store: give --store DIR, or --data DIR")
        return EXIT_INPUT
    except LoadError as exc:
        return _input_error(exc)
    try:
        content = TemplateContent.from_tracker(Tracker(store), args.jurisdiction)
    except UnknownIdentifier as exc:
        _say("template", f"{exc}: give the six-digit division code of a city or county of the graph, e.g. 420100")
        return EXIT_INPUT
    except InvalidArgument as exc:
        _say("template", str(exc))
        return EXIT_INPUT
    if not _write_output("reports template", args.output, render_template(content)):
        return EXIT_INPUT
    scope = f"jurisdiction {args.jurisdiction}" if args.jurisdiction else "every jurisdiction"
    print(
        f"akg: wrote the reports template ({len(content.instances)} duty instances of {scope}) to {args.output}",
        file=sys.stderr,
    )
    return EXIT_OK


def add_reports_parser(sub: Any) -> None:
    """Add ``akg reports import|template`` to the top-level subparsers ``sub``."""
    reports = sub.add_parser(
        "reports",
        help="import a bureau's reports from a spreadsheet; write the template to fill in",
        description="Progress reports from a spreadsheet (see docs/progress.md).",
    )
    actions = reports.add_subparsers(dest="reports_command", required=True, metavar="ACTION")
    load = actions.add_parser(
        "import",
        help="import every report of an .xlsx or .csv file, or none (all rows are checked first)",
        description="Import a batch of reports from FILE (.xlsx: the sheet named Reports, else the first; "
        ".csv: UTF-8). Every row is checked before any is written: on any problem nothing is written, each "
        "problem is printed as file:row:column: message, and the exit status is 1.",
    )
    load.add_argument("file", type=_path, metavar="FILE", help="the spreadsheet (.xlsx or .csv)")
    load.add_argument(
        "--token",
        metavar="T",
        help=f"a reporter token (default: ${TOKEN_ENV}, better: a command line is visible to the machine's other "
        "users); it is never printed",
    )
    where = load.add_mutually_exclusive_group()
    where.add_argument("--store", type=_path, metavar="DIR", help=STORE_HELP)
    where.add_argument(
        "--url",
        metavar="URL",
        help="send the reports to a running server instead (e.g. http://127.0.0.1:8000), for a store it holds",
    )
    load.add_argument("--check", action="store_true", help="check every row and write nothing (not with --url)")
    load.set_defaults(run=cmd_reports_import)
    template = actions.add_parser(
        "template",
        help="write the .xlsx template (columns, legend, validation lists, duty instances) from the graph",
        description="Write the reports template, made from the graph of the store folder (default: "
        f"${STORE_ENV}, else ./akg-store, else the shipped corpus) or of --data.",
    )
    template.add_argument("-o", "--output", type=_path, required=True, help="the .xlsx file to write, or - for stdout")
    template.add_argument(
        "--jurisdiction", metavar="CODE", help="only the duty instances of this division (a bureau's own), e.g. 420100"
    )
    source = template.add_mutually_exclusive_group()
    source.add_argument("--store", type=_path, metavar="DIR", help=STORE_HELP)
    source.add_argument("--data", type=_path, metavar="DIR", help="a data folder to build the graph from instead")
    template.set_defaults(run=cmd_reports_template)
