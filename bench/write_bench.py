"""Latency of a validated report write against a bare store write, measured side by side in one run.

The baseline is the store's own durable write (:meth:`akg.store.OxigraphStore.write`) of the same quads a
report and its audit entry make; the measured path is :meth:`akg.progress.ledger.Ledger.submit_report`,
which adds the role and ownership checks, reading the instance's history, SHACL on the new record and the
audit entry. The two alternate, so a busy machine slows both alike. The goal (issue 8) is at most 20 ms
per write above the store's own time. Usage:
    python bench/write_bench.py [--writes N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from rdflib import Literal, URIRef

from akg import resources
from akg.progress.ledger import Ledger, ReportInput, progress_shapes
from akg.progress.tokens import Credential, Role
from akg.progress.tracking import Tracker
from akg.store import OxigraphStore, open_store
from loader.namespaces import AKG, REPORTS_GRAPH

BUREAU = Credential("bench", "civil-affairs@420100", Role.REPORTER)
PLAN = ReportInput("hubei-2022-child-welfare/closing-1", "420100", "in-progress", "Drafting the plan.")
QUADS_PER_WRITE = 20  # a report's triples (about 11) and its audit entry's (9)


def _bare_write(store: OxigraphStore) -> None:
    subject = URIRef(f"https://w3id.org/akg/id/report/{uuid.uuid4()}")
    store.write([(subject, AKG.summary, Literal(f"quad {n}"), REPORTS_GRAPH) for n in range(QUADS_PER_WRITE)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="akg-bench-") as folder:
        print("building the store...", file=sys.stderr)
        store = open_store(location=Path(folder) / "store")
        ledger = Ledger(Tracker(store), progress_shapes(resources.shapes_dir()))
        ledger.submit_report(BUREAU, PLAN)  # warm up: first SHACL run, first history read
        bare, validated = [], []
        for n in range(args.writes):
            started = time.perf_counter()
            _bare_write(store)
            bare.append(time.perf_counter() - started)
            started = time.perf_counter()
            ledger.submit_report(BUREAU, PLAN)
            validated.append(time.perf_counter() - started)
            if (n + 1) % 50 == 0:
                print(f"{n + 1}/{args.writes} writes", file=sys.stderr)
    b, v = statistics.median(bare), statistics.median(validated)
    p95 = statistics.quantiles(validated, n=20)[-1]
    print(f"bare durable store write (baseline): median {b * 1000:.1f} ms over {args.writes}")
    print(
        f"validated report write:              median {v * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, {v / b:.1f}x baseline"
    )
    print(f"above the store's own time:          {(v - b) * 1000:.1f} ms (goal: at most 20 ms)")
    print(f"history length at the end:           {args.writes + 1} reports on one instance")


if __name__ == "__main__":
    main()
