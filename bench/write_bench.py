"""Latency of a validated report write against a bare store write, measured side by side in one run.

The baseline is the store's own durable write (:meth:`akg.store.OxigraphStore.write`) of the same quads a
report and its audit entry make; the measured path is :meth:`akg.progress.ledger.Ledger.submit_report`,
which adds the role and ownership checks, reading the instance's history, SHACL on the new record and the
audit entry. The two alternate, so a busy machine slows both alike. The goal (issue 8) is at most 20 ms
per write above the store's own time. Usage:
    python bench/write_bench.py [--writes N]

With ``--annotation``, it times instead the incremental validation of one edited annotation file (a role changed
in a copy of a shipped obligations file; :func:`akg.validation_changes.validate_change` on the corpus built before
and after) against the store's own durable write of the triples that changed, and a full validation of the graph
after, alternating:
    python bench/write_bench.py --annotation [--writes N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from rdflib import BNode, Literal, URIRef

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


EDITED = "documents/hubei-2022-child-welfare/obligations/1.2-3-closing.yaml"


def annotation(writes: int) -> None:
    import shutil

    from akg.store import _graph_from_ntriples, corpus_ntriples
    from akg.validation import validate
    from akg.validation_changes import validate_change

    with tempfile.TemporaryDirectory(prefix="akg-bench-") as folder:
        data = Path(folder) / "data"
        shutil.copytree(resources.data_dir(), data)
        before = corpus_ntriples(data)
        path = data / EDITED
        path.write_text(path.read_text(encoding="utf-8").replace("role: lead", "role: supporting", 1), encoding="utf-8")
        after = corpus_ntriples(data)
        added = set(after.splitlines()) - set(before.splitlines())
        graph = URIRef("urn:akg:bench")
        # The ontology's blank nodes get new labels in every build: the annotation's own triples are written.
        quads = [
            (s, p, o, graph)
            for s, p, o in _graph_from_ntriples(b"\n".join(added) + b"\n")
            if not isinstance(s, BNode) and not isinstance(o, BNode)
        ]
        store = OxigraphStore(Path(folder) / "store")
        bare, incremental, full = [], [], []
        for n in range(writes):
            started = time.perf_counter()
            store.write(quads)
            bare.append(time.perf_counter() - started)
            started = time.perf_counter()
            change = validate_change(before, after, resources.shapes_dir())
            incremental.append(time.perf_counter() - started)
            if n < 3:  # slow: a few runs
                started = time.perf_counter()
                validate(_graph_from_ntriples(after), resources.shapes_dir())
                full.append(time.perf_counter() - started)
            print(f"{n + 1}/{writes}", file=sys.stderr)
    b, i, f = statistics.median(bare), statistics.median(incremental), statistics.median(full)
    print(f"one edited annotation file: {len(quads)} triples written, {len(change.affected)} nodes affected")
    print(f"store's own durable write of the changed triples (baseline): median {b * 1000:.1f} ms over {writes}")
    print(f"incremental validation (validate_change):   median {i * 1000:.1f} ms, {(i - b) * 1000:.1f} ms above")
    print(f"full validation of the graph after:         median {f * 1000:.1f} ms over {len(full)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--annotation", action="store_true", help="time one edited annotation file instead")
    args = parser.parse_args()
    if args.annotation:
        annotation(args.writes)
        return
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
