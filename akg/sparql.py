"""Client SPARQL queries, run where they can be stopped: a small pool of worker processes.

pyoxigraph (0.5) cannot stop a query once it runs. ``Store.query`` takes no time limit; evaluation runs
in Rust with the GIL released, so no Python signal, thread or exception reaches it; the Rust evaluator
has a cancellation token, but the Python binding does not expose it. A three-way cross product such as
``SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }`` would hold a core for hours. So each client
query runs in a worker process that holds its own copy of the served graph; when a query's time is up
its worker is killed (a hard stop, whatever the query is doing) and a fresh worker takes its place.

A worker also:

- holds only the served graph and the named graphs a deployment exposes (:meth:`OxigraphStore.served_nquads`),
  never the private ones, so no query can read them;
- may open no file or socket once it has loaded its graph (``RLIMIT_NOFILE`` 0): pyoxigraph would
  otherwise fetch ``SERVICE`` calls over HTTP; :func:`akg.store.check_query_text` refuses them first,
  with a message, and this limit holds even if that check missed one;
- may use at most :attr:`SparqlLimits.memory` bytes of address space (``RLIMIT_AS``): a query that builds
  huge strings kills only its worker.

Workers are started on first use (or by :meth:`SparqlWorkers.start`); each takes about a second. On a
remote store (:mod:`akg.remote_store`) the workers hold its served graph the same way, fetched over its query
endpoint, and :meth:`SparqlWorkers.reload` replaces them when a new corpus is loaded there.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import resource  # POSIX: the service runs on Linux
import signal
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from akg.store import OxigraphStore, QueryAnswer, QueryRefused

if TYPE_CHECKING:
    from akg.remote_store import SparqlStore

log = logging.getLogger("akg.sparql")

_ABORTED = -signal.SIGABRT  # multiprocessing's exit code of a process the signal killed
_START_TIMEOUT = 120.0  # seconds for a new worker to load its graph (two cores shared with the service)


@dataclass(frozen=True)
class SparqlLimits:
    """What one query may cost. The defaults are the documented defaults of ``akg serve``."""

    timeout: float = 10.0  #: seconds to run a query and write its answer; also the longest wait for a free worker
    max_results: int = 10_000  #: rows of a SELECT answer, or triples of a CONSTRUCT or DESCRIBE answer
    max_bytes: int = 32 * 1024 * 1024  #: bytes of a serialised answer
    workers: int = 2  #: queries that can run at once
    memory: int = 1024 * 1024 * 1024  #: address space of a worker process, in bytes
    exposed_graphs: tuple[str, ...] = ()  #: named graphs a deployment lets queries read (none by default)


class QueryStopped(Exception):
    """A query that was stopped, or could not run: ``reason`` is ``timeout``, ``memory``, ``busy`` or ``failed``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(eq=False)  # identity: workers live in a set
class _Worker:
    process: Any  # multiprocessing's SpawnProcess
    connection: Connection

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=10)
        self.connection.close()


class SparqlWorkers:
    """Answers client queries on ``store``'s served graph within ``limits`` (see the module docstring)."""

    def __init__(self, store: OxigraphStore | SparqlStore, limits: SparqlLimits) -> None:
        self.limits = limits
        self._store = store
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._started = self._closed = False
        self._context = multiprocessing.get_context("spawn")  # no fork: the service runs threads

    def start(self) -> None:
        """Start the workers in the background (idempotent); :meth:`answer` calls it."""
        with self._lock:
            if self._started or self._closed:
                return
            self._started = True
        for _ in range(self.limits.workers):
            self._replace()

    def answer(self, query: str, accept: str | None) -> QueryAnswer:
        """The answer to ``query``, serialised as ``accept`` prefers.

        Raises :class:`~akg.store.QueryRefused` (the query's fault: see :meth:`OxigraphStore.answer`) or
        :class:`QueryStopped` (over the time or memory limit, or no worker free within the time limit).
        Blocks: call it from a worker thread.
        """
        self.start()
        try:
            worker = self._idle.get(timeout=self.limits.timeout)
        except queue.Empty:
            raise QueryStopped(
                "busy", f"All {self.limits.workers} query workers are busy; try again in a moment."
            ) from None
        try:
            worker.connection.send((query, accept))
            if not worker.connection.poll(self.limits.timeout):
                self._discard(worker)
                raise QueryStopped(
                    "timeout",
                    f"The query ran longer than this endpoint's limit of {self.limits.timeout:g} s and was stopped: "
                    "narrow it or add a LIMIT.",
                )
            kind, first, second = worker.connection.recv()
            body = worker.connection.recv_bytes() if kind == "answer" else b""
        except (EOFError, OSError):  # the worker died: Rust aborts when an allocation fails (RLIMIT_AS)
            exit_code = self._discard(worker)
            log.warning("a SPARQL worker died during a query (exit code %s)", exit_code)
            if exit_code == _ABORTED:
                raise self._out_of_memory() from None
            raise QueryStopped("failed", "The query's worker failed; try again.") from None
        if kind == "memory":  # Python's MemoryError in the worker, which then exits
            self._discard(worker)
            raise self._out_of_memory()
        self._release(worker)
        if kind == "refused":
            raise QueryRefused(first, second)
        return QueryAnswer(first, body)

    def reload(self) -> None:
        """Start afresh on the store's current served graph (its corpus changed): idle workers stop now, busy
        ones once their query is answered (:meth:`_release`)."""
        with self._lock:
            if self._closed:
                return
            self._all, old_idle = set(), self._idle
            self._idle = queue.Queue()
            self._started = False
        while True:
            try:
                old_idle.get_nowait().kill()
            except queue.Empty:
                break
        self.start()

    def _release(self, worker: _Worker) -> None:
        """Put ``worker`` back to answer the next query, or stop it if a :meth:`reload` made it stale."""
        with self._lock:
            current = worker in self._all
        if current:
            self._idle.put(worker)
        else:
            worker.kill()

    def _out_of_memory(self) -> QueryStopped:
        return QueryStopped(
            "memory",
            "The query was stopped: it needed more memory than this endpoint allows "
            f"({self.limits.memory // 2**20} MiB). Narrow it or add a LIMIT.",
        )

    def close(self) -> None:
        """Stop every worker; later queries get ``busy``."""
        with self._lock:
            self._closed = True
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.kill()

    def _discard(self, worker: _Worker) -> int | None:
        """Kill ``worker``, start another in its place; returns the old one's exit code."""
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        self._replace()
        return worker.process.exitcode

    def _replace(self) -> None:
        threading.Thread(target=self._spawn, name="akg-sparql-spawn", daemon=True).start()

    def _spawn(self) -> None:
        parent, child = self._context.Pipe()
        limits = self.limits
        process = self._context.Process(
            target=_serve,
            args=(child, limits.max_results, limits.max_bytes, limits.memory, limits.exposed_graphs),
            name="akg-sparql-worker",
            daemon=True,
        )
        worker = _Worker(process, parent)
        with self._lock:
            if self._closed:
                return
            self._all.add(worker)
            process.start()
        child.close()
        try:
            # Dumped for each worker, not kept: on the national corpus the bytes alone are 150 MB of the service's
            # memory, and a new worker is started only at start-up, after a reload or in place of a stopped one.
            parent.send_bytes(self._store.served_nquads(limits.exposed_graphs))
            ready = parent.poll(_START_TIMEOUT) and parent.recv() == ("ready",)
        except (EOFError, OSError):
            ready = False
        if not ready:
            log.error("a SPARQL worker did not start (exit code %s)", process.exitcode)
            with self._lock:
                self._all.discard(worker)
            worker.kill()
            return
        with self._lock:
            if self._closed:
                worker.kill()
                return
        self._idle.put(worker)


def lock_down(memory: int) -> None:
    """Limit this process to ``memory`` bytes of address space and to the files and sockets it has open.

    From here on the process can open nothing (``RLIMIT_NOFILE`` 0: every new descriptor is refused),
    so it can reach no other host; import what it needs first.
    """
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_NOFILE, (0, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))


def _serve(
    connection: Connection, max_results: int, max_bytes: int, memory: int, exposed_graphs: tuple[str, ...]
) -> None:
    """A worker process: load the served graph, lock itself down, then answer queries until the pipe closes."""
    os.environ["RUST_BACKTRACE"] = "0"  # an allocation failure prints one line, not a backtrace
    store = OxigraphStore.from_nquads(connection.recv_bytes())
    lock_down(memory)
    connection.send(("ready",))
    while True:
        try:
            query, accept = connection.recv()
        except (EOFError, OSError):
            return
        try:
            answer = store.answer(query, accept, max_results, max_bytes, exposed_graphs)
        except QueryRefused as exc:
            connection.send(("refused", exc.reason, exc.message))
        except MemoryError:
            connection.send(("memory", "", ""))
            return
        else:
            connection.send(("answer", answer.media_type, ""))
            connection.send_bytes(answer.body)
