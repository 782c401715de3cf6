"""Throughput of the GraphQL service under concurrent clients, each query as a ratio to the no-op ceiling.

Starts the real service as ``make serve`` runs it: ``akg serve`` in a subprocess (one uvicorn worker, start-up
validation included) on a free loopback port. Then, for each query in turn, ``--clients`` concurrent clients
(default 16) send it back to back for ``--seconds`` (default 60) after a short warm-up, and the bench prints
requests per second, p50 and p95 latency and errors, with each query's rate as a ratio to the no-op query
``{ __typename }`` (strawberry, FastAPI and HTTP with no resolver work: the ceiling). The machine the bench
runs on may be shared, and its speed drift over minutes: so each query's time is cut into ``--rounds``
slices (default 3) that alternate with slices of the no-op, and its ratio is to that no-op, measured
beside it (``ceiling`` in the table). The first line is the no-op over all its slices.

The queries are the no-op and the example queries of ``graphql_api/examples`` with their default variables
(``responsibleFor``, ``coverage``, ``responsibilityMatrix``, three ``obligations`` queries).

Load generator: wrk is not installed on the bench machine, so the clients are plain asyncio streams in a
separate process (``multiprocessing``, spawn), one keep-alive HTTP/1.1 connection per client, each request's
bytes built once. Without httpx's or h11's per-request work, the generator costs a fraction of the server's
CPU; on a 2-core machine it still shares the cores with the server (one core each, roughly). An error is a
status other than 200, a body holding ``"errors"``, or a broken connection.

It also reports the server's resident memory: after start (the indexes built), and its peak (``VmHWM``, start-up
validation included) and the whole process tree's (the SPARQL worker processes included) at the end.

Repeated queries are answered from the answer cache of the indexes (:mod:`akg.accountability.answers`);
``--no-answer-cache`` measures the path that works every answer out.

    python bench/throughput_bench.py [--seconds 60] [--rounds 3] [--clients 16] [--data DIR] [--only coverage]
                                     [--no-answer-cache]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.process_tree import tree_rss  # noqa: E402
from graphql_api.examples import load_examples  # noqa: E402

NOOP = "noop"
#: Short names of the examples, by file stem.
NAMES = {
    "01-rehabilitation": "responsibleFor",
    "02-needs-without-lead": "coverage",
    "03-responsibility-matrix": "responsibilityMatrix",
    "04-due-before": "obligations(dueBefore)",
    "05-who-confirms": "obligations(text)",
    "06-no-deadline-stated": "obligations(deadlineKind)",
}
WARM_UP = 2.0  # seconds of load before each measurement, not counted


@dataclass(frozen=True)
class Result:
    """One query's measurement: completed requests, errors, seconds and the latencies (seconds) of the requests."""

    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    def __add__(self, other: Result) -> Result:
        return Result(
            self.requests + other.requests,
            self.errors + other.errors,
            self.seconds + other.seconds,
            self.latencies + other.latencies,
        )

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[q - 1]


def queries() -> dict[str, str]:
    """Name -> query: the no-op first, then every example."""
    found = {NOOP: "{ __typename }"}
    for example in load_examples():
        found[NAMES.get(example.name, example.name)] = example.query
    return found


def request_bytes(port: int, query: str) -> bytes:
    body = json.dumps({"query": query}).encode()
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Accept: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if b":" in line:
            key, value = line.split(b":", 1)
            headers[key.strip().lower()] = value.strip()
    if b"content-length" in headers:
        return status, await reader.readexactly(int(headers[b"content-length"]))
    chunks = []  # chunked transfer encoding
    while True:
        size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
        chunk = await reader.readexactly(size + 2)
        if size == 0:
            return status, b"".join(chunks)
        chunks.append(chunk[:-2])


async def _client(port: int, payload: bytes, warm_until: float, stop_at: float, out: list, errors: list) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while (start := time.perf_counter()) < stop_at:
            try:
                writer.write(payload)
                status, body = await _read_response(reader)
                ok = status == 200 and b'"errors"' not in body
            except (OSError, asyncio.IncompleteReadError, ValueError):
                ok = False
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            end = time.perf_counter()
            if start >= warm_until and end <= stop_at:
                (out if ok else errors).append(end - start)
    finally:
        writer.close()


async def _load(port: int, payload: bytes, clients: int, seconds: float) -> Result:
    now = time.perf_counter()
    warm_until, stop_at = now + WARM_UP, now + WARM_UP + seconds
    latencies: list[float] = []
    errors: list[float] = []
    await asyncio.gather(*(_client(port, payload, warm_until, stop_at, latencies, errors) for _ in range(clients)))
    return Result(len(latencies), len(errors), seconds, latencies)


def _generate(port: int, payload: bytes, clients: int, seconds: float, results: multiprocessing.Queue) -> None:
    results.put(asyncio.run(_load(port, payload, clients, seconds)))


def measure(port: int, query: str, clients: int, seconds: float) -> Result:
    """Run the clients in a separate process, so that the server's process does no client work."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=_generate, args=(port, request_bytes(port, query), clients, seconds, results))
    process.start()
    result = results.get()
    process.join()
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def memory_kib(pid: int, field: str) -> int:
    """``VmRSS`` or ``VmHWM`` (peak) of a process, in KiB; 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def start_server(data: Path | None, port: int, timeout: float, answer_cache: bool = True) -> subprocess.Popen:
    """``akg serve`` on ``port``, returned once ``/healthz`` answers (start-up validation included).

    ``answer_cache=False`` starts it with ``AKG_ANSWER_CACHE=off``: every query is worked out each time.
    """
    command = [str(Path(sys.executable).with_name("akg")), "serve", "--host", "127.0.0.1", "--port", str(port)]
    if data is not None:
        command += ["--data", str(data)]
    env = {**os.environ, "AKG_ANSWER_CACHE": "on" if answer_cache else "off"}
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, text=True, env=env)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"akg serve stopped with status {server.returncode}:\n{server.stderr.read()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"akg serve did not answer within {timeout:.0f} s")


def check_answers(port: int, chosen: dict[str, str]) -> None:
    """Each query answered once without errors before any load, so that a broken query is not measured."""
    for name, query in chosen.items():
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/graphql",
            data=json.dumps({"query": query}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            answer = json.loads(response.read())
        if answer.get("errors") or not answer.get("data"):
            raise SystemExit(f"{name}: the service answered with errors: {answer.get('errors')}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="measured seconds per query (default 60)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--data", type=Path, help="data folder to serve (default: the shipped corpus)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="slices per query, each beside a slice of the no-op (default 3)"
    )
    parser.add_argument("--only", help="comma-separated query names (the no-op is always measured)")
    parser.add_argument(
        "--no-answer-cache",
        action="store_true",
        help="serve with AKG_ANSWER_CACHE=off: every answer worked out each time (akg.accountability.answers)",
    )
    parser.add_argument("--start-timeout", type=float, default=1800.0, help="seconds to wait for the service")
    args = parser.parse_args(argv)
    chosen = queries()
    if args.only:
        wanted = {NOOP, *args.only.split(",")}
        unknown = wanted - set(chosen)
        if unknown:
            parser.error(f"unknown query names {sorted(unknown)}; known: {', '.join(chosen)}")
        chosen = {name: q for name, q in chosen.items() if name in wanted}

    port = free_port()
    began = time.monotonic()
    server = start_server(args.data, port, args.start_timeout, answer_cache=not args.no_answer_cache)
    try:
        started = time.monotonic() - began
        rss_started = memory_kib(server.pid, "VmRSS")
        check_answers(port, chosen)
        print(
            f"akg serve {'--data ' + str(args.data) if args.data else '(shipped corpus)'}"
            f"{' with AKG_ANSWER_CACHE=off' if args.no_answer_cache else ''}: up in {started:.1f} s, "
            f"RSS {rss_started / 1024:.0f} MiB after start; {args.clients} clients x {args.seconds:g} s per query; "
            f"load generator: asyncio streams in a separate process; {os.cpu_count()} cores"
        )
        slice_seconds = args.seconds / max(1, args.rounds)
        measured: dict[str, tuple[Result, Result]] = {}
        for name, query in chosen.items():
            if name == NOOP:
                continue
            ceiling, result = Result(0, 0, 0.0, []), Result(0, 0, 0.0, [])
            for _ in range(max(1, args.rounds)):
                ceiling += measure(port, chosen[NOOP], args.clients, slice_seconds)
                result += measure(port, query, args.clients, slice_seconds)
            measured[name] = (ceiling, result)
        noop = sum((c for c, _ in measured.values()), Result(0, 0, 0.0, []))
        if not measured:
            noop = measure(port, chosen[NOOP], args.clients, args.seconds)
        print(f"{'query':<28}{'req/s':>9}{'ceiling':>9}{'ratio':>8}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}")
        for name, (ceiling, result) in {NOOP: (noop, noop), **measured}.items():
            ratio = result.rate / ceiling.rate if ceiling.rate else float("nan")
            print(
                f"{name:<28}{result.rate:>9.1f}{ceiling.rate:>9.1f}{ratio:>7.0%} {result.percentile(50) * 1000:>8.1f}"
                f"{result.percentile(95) * 1000:>9.1f}{result.errors:>8d}",
                flush=True,
            )
        now, peak, tree = memory_kib(server.pid, "VmRSS"), memory_kib(server.pid, "VmHWM"), tree_rss(server.pid) // 1024
        print(
            f"server RSS: {now / 1024:.0f} MiB now, peak {peak / 1024:.0f} MiB (start-up validation included); "
            f"process tree now {tree / 1024:.0f} MiB"
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
