"""Latency of the example queries over HTTP, as a ratio to the same answers taken straight from the indexes.

Starts the service in-process (uvicorn on a free loopback port, in a thread), runs every example of
graphql_api/examples/ ``--count`` times over HTTP, in-process through the schema, and, where the example
has a direct equivalent, straight from :class:`akg.accountability.Accountability`; prints p50/p95 of each
and the HTTP/direct ratios. No assertions: it only measures.

    python bench/graphql_bench.py [--count 200] [--data DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import socket
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
import uvicorn

from akg.accountability import Accountability
from akg.store import open_store
from graphql_api.examples import load_examples
from graphql_api.schema import make_context, schema
from graphql_api.server import create_app

MATRIX_NEEDS = [
    "household-registration", "education", "housing", "medical-insurance",
    "military-service", "employment", "safety", "rehabilitation",
]  # fmt: skip


def direct_answers(acc: Accountability) -> dict[str, Callable[[], object]]:
    """The examples' answers (with their default variables) taken straight from the indexes."""

    def rehabilitation() -> object:
        return [
            (e.role, e.organization.label("en"), e.organization.label("zh"), e.organization.sector,
             [(o.id, o.action, o.deadline, o.provision, acc.provision(o.provision, o.document)) for o in e.obligations])
            for e in acc.responsible_for("rehabilitation", "children-with-disabilities", None)
        ]  # fmt: skip

    def coverage() -> object:
        return [(c.concept.label("en"), c.has_lead, [o.label("en") for o in c.leads]) for c in acc.coverage("city")]

    def matrix() -> object:
        return acc.responsibility_matrix(needs=MATRIX_NEEDS)

    def due() -> object:
        return acc.obligations(due_before=dt.date(2023, 12, 31))[:20]

    return {
        "01-rehabilitation": rehabilitation,
        "02-needs-without-lead": coverage,
        "03-responsibility-matrix": matrix,
        "04-due-before": due,
    }


def timed(call: Callable[[], object], count: int) -> list[float]:
    """Milliseconds of ``count`` calls (after 5 warm-up calls)."""
    for _ in range(5):
        call()
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def p(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="requests per example (default 200)")
    parser.add_argument("--data", type=Path, help="data folder (default: the shipped data)")
    args = parser.parse_args(argv)

    acc = Accountability.from_store(open_store(args.data))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(acc), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    context = make_context(acc)
    direct = direct_answers(acc)
    header = f"{'example':26} {'http p50':>9} {'p95':>7} {'schema p50':>11} {'direct p50':>11} {'p95':>7}"
    print(f"{header} {'http/direct p50':>16} {'p95':>7}   (ms, {args.count} runs each)")
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for example in load_examples():
                payload = {"query": example.query}

                def over_http(payload: dict = payload) -> object:
                    response = client.post("/graphql", json=payload)
                    response.raise_for_status()
                    return response.json()

                def in_process(query: str = example.query) -> object:
                    return schema.execute_sync(query, context_value=context)

                http = timed(over_http, args.count)
                local = timed(in_process, args.count)
                line = f"{example.name:26} {p(http, 50):9.2f} {p(http, 95):7.2f} {p(local, 50):11.2f}"
                if example.name in direct:
                    straight = timed(direct[example.name], args.count)
                    d50, d95 = p(straight, 50), p(straight, 95)
                    line += f" {d50:11.3f} {d95:7.3f} {p(http, 50) / d50:15.0f}x {p(http, 95) / d95:6.0f}x"
                else:
                    line += f" {'-':>11} {'-':>7} {'-':>16} {'-':>7}"
                print(line, flush=True)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
