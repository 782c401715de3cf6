"""``akg audit``: export a store folder's audit trail, for an inspector or an archive.

The trail is read from the folder as it is on disk, like ``akg scorecard`` (file-system access is the
operator's, so no token); over HTTP the same entries are GraphQL ``auditLog`` (a token). ``json`` and
``csv`` give one row per entry in write order; ``ttl`` and ``jsonld`` give the entries as they are kept,
PROV-O activities of the private audit graph.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
from typing import Any

from akg_cli import EXIT_INPUT, STORE_ENV, STORE_HELP, _deliver, _format, _path

FORMATS = ("json", "csv", "ttl", "jsonld")
COLUMNS = ("sequence", "at", "action", "organization", "token", "generated", "superseded", "instance")
_RDF = {"ttl": "text/turtle", "jsonld": "application/ld+json"}


def _since(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a date or time such as 2022-11-01 or 2022-11-01T08:00Z: {value!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def cmd_audit(args: argparse.Namespace) -> int:
    """Write the audit entries from ``--since``, of ``--organization``, in the chosen format."""
    from akg.matrix import ProgressBar
    from akg_cli.scorecard import read_progress
    from loader.namespaces import AUDIT_GRAPH, audit_entry_iri

    fmt = _format("audit", args, FORMATS)
    if fmt is None:
        return EXIT_INPUT
    bar = ProgressBar(total=3)
    opened = read_progress("audit", args.store, bar, "query auditLog on that server")
    if isinstance(opened, int):
        return opened
    _accountability, tracker = opened
    entries = tracker.audit_log(since=args.since, organization=args.organization)
    if fmt in _RDF:
        subjects = [str(audit_entry_iri(e.id)) for e in entries]
        data = tracker.store.named_graph_as(str(AUDIT_GRAPH), _RDF[fmt], subjects)
    else:
        rows = [{c: _cell(getattr(e, c)) for c in COLUMNS} for e in entries]
        data = _json(rows) if fmt == "json" else _csv(rows)
    return _deliver("audit", args.output, data, f"wrote {len(entries)} audit entries ({fmt}) to {args.output}", bar)


def _cell(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def _json(rows: list[dict[str, Any]]) -> bytes:
    return (json.dumps(rows, ensure_ascii=False, indent=2) + "\n").encode()


def _csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def add_audit_parser(sub: Any) -> None:
    """Add ``akg audit`` to the top-level subparsers ``sub``."""
    audit = sub.add_parser(
        "audit",
        help="export the audit trail of a store folder (who wrote what, through which token, when)",
        description="Export the audit entries of a store folder (--store DIR; default: "
        f"${STORE_ENV}, else ./akg-store): json or csv rows in write order, or the PROV-O entries as ttl or "
        "jsonld. Reading the folder needs file-system access and no token; it must not be open in a running "
        "server (then use GraphQL auditLog).",
    )
    audit.add_argument("--since", type=_since, help="entries at or after this date or time (UTC unless given)")
    audit.add_argument("--organization", help="only the entries of this organisation id")
    audit.add_argument("--format", choices=FORMATS, help="default: from the output file's suffix")
    audit.add_argument("-o", "--output", type=_path, required=True, help="output file, or - for stdout")
    audit.add_argument("--store", type=_path, metavar="DIR", help=STORE_HELP)
    audit.set_defaults(run=cmd_audit)
