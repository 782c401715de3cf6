"""A store that is an existing SPARQL 1.1 server (Oxigraph server, Fuseki, GraphDB, QLever), beside :mod:`akg.store`.

:class:`SparqlStore` answers what the layers above ask of the embedded :class:`akg.store.OxigraphStore`
(``select`` with bindings, ``export``, ``write``, ``describe`` and the rest), over HTTP with the standard
library (no download, no extra dependency):

- **Reads** are SPARQL 1.1 Protocol queries (POST of a form, JSON results) to the *query endpoint*.
- **Bindings** cannot be sent: the protocol has no parameters, and no user value is ever spliced into
  SPARQL text. :meth:`SparqlStore.select` runs the fixed query unbound and keeps the rows whose bound
  variables hold the given terms. That is the substituted query's answer when each bound variable is
  projected (checked) and bound in every solution of the query (not only in an OPTIONAL part): the callers'
  queries bind only such variables (``?i`` and ``?report`` of the reports query in :mod:`akg.progress.tracking`).
- **Writes** of data that may hold user text (reports, reviews) are N-Quads bodies POSTed to the *data
  endpoint* (the Graph Store Protocol's, which Oxigraph and Fuseki also take quads on), never SPARQL
  Update. Fixed updates, holding only values akg makes (UUIDs, fixed graph IRIs, SHA-256 digests), go to
  the *update endpoint*: the writer lease, and the swap of a new corpus into the default graph.
- **Pages of IRIs** (``describe``, ``objects``, ``labels``, ``referrers``) and the ``/sparql`` workers read a
  copy of the served (default) graph held in memory, fetched once per corpus version: an IRI from a URL
  never enters a query, and the answers are the embedded store's, byte for byte.

The store's *corpus version* (:meth:`SparqlStore.corpus_version`) lives in the private named graph
:data:`META_GRAPH`; ``akg load`` changes it in the same update that swaps the corpus in, so a replica that
reads it per request knows when to rebuild its in-memory indexes. Reports, reviews and the audit trail are
never cached, so they need no version: each read sees every write, through any replica.

Audit sequence numbers stay unique across replicas through a *writer lease* (:meth:`SparqlStore.exclusive`):
a fixed update takes it only when no unexpired holder exists, then a read checks that this writer is the
only holder (two updates racing on a server without serialisable updates can both insert; both then back
off and retry). The lease expires after :data:`LEASE_SECONDS` on the server's clock, so a crashed replica
does not block the others; a commit first checks that the lease still has :data:`LEASE_MARGIN_SECONDS` to
run. Under the lease a writer reads the latest report and the last sequence, validates, and POSTs its
records and their audit entries in one request: one transaction on Oxigraph server (``POST /store`` of a
dataset without ``no_transaction`` loads with ``Store::load_from_reader``, which is atomic); one transaction
on Fuseki (every HTTP request is); on GraphDB's ``/repositories/R/statements`` one transaction.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph

from akg.store import (
    _CONVERT,
    _XSD,
    GRAPH_FORMATS,
    IRI,
    Bound,
    OxigraphStore,
    Quad,
    QueryAnswer,
    Statement,
    Term,
    Value,
    _graph_from_ntriples,
    _ox,
    _prefixes_in,
    _rdf,
)
from loader.namespaces import ID

SCHEMES = ("sparql+http://", "sparql+https://")
#: The private graph of the store's own facts: the corpus version and the writer lease. Never served.
META_GRAPH = ID + "graph/meta"
#: A graph a load fills before one update makes the default graph equal to it.
STAGING_GRAPH = ID + "graph/staging"
_META = META_GRAPH + "#"
LEASE_SECONDS = 30
LEASE_MARGIN_SECONDS = 5
_LEASE_WAIT_SECONDS = 60.0
BATCH_TRIPLES = 50_000
#: Seconds the swap of a new corpus may take: one transaction of the whole corpus (minutes at national scale).
SWAP_TIMEOUT = 3 * 3600.0

_CORPUS_VERSION = (
    f"SELECT ?version WHERE {{ GRAPH <{META_GRAPH}> {{ <{META_GRAPH}> <{_META}corpusVersion> ?version }} }}"
)
_DEFAULT_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
_LEASE = f'"PT{LEASE_SECONDS}S"^^<{_XSD}dayTimeDuration>'
_LEASE_HOLDERS = f"""
    SELECT ?holder ?left WHERE {{
      GRAPH <{META_GRAPH}> {{ <{_META}writer> <{_META}heldBy> ?holder . ?holder <{_META}since> ?since }}
      BIND({_LEASE} - (NOW() - ?since) AS ?left)
      FILTER(NOW() - ?since < {_LEASE})
    }}"""


class StoreUnavailable(Exception):
    """The SPARQL server cannot be used: unreachable, an HTTP error, or an answer that is not SPARQL's.

    The message names the endpoint and says what happened; it is meant for the user as it is.
    """


@dataclass(frozen=True)
class Endpoints:
    """Where a SPARQL server takes queries, updates and Graph Store Protocol requests."""

    query: str
    update: str | None = None
    data: str | None = None

    @classmethod
    def oxigraph(cls, url: str) -> Endpoints:
        """The endpoints of an Oxigraph server at ``sparql+http(s)://HOST:PORT[/PATH]``: /query, /update, /store."""
        base = url.removeprefix("sparql+").rstrip("/")
        return cls(base + "/query", base + "/update", base + "/store")

    def describe(self) -> str:
        return self.query.rsplit("/", 1)[0] if self.query.endswith("/query") else self.query


def is_remote(value: str) -> bool:
    """Whether a ``--store`` value names a SPARQL server rather than a folder."""
    return value.startswith(SCHEMES)


def _literal_text(term: Mapping[str, str]) -> Value:
    if term["type"] in ("literal", "typed-literal"):
        datatype = term.get("datatype")
        convert = _CONVERT.get(datatype) if datatype else None
        if convert:
            try:
                return convert(term["value"])
            except ValueError:
                return term["value"]
    return term["value"]


def _matches(term: Mapping[str, str] | None, value: Bound) -> bool:
    """Whether the JSON result term ``term`` is the RDF term :func:`akg.store._rdf` makes of ``value``."""
    if term is None:
        return False
    if isinstance(value, IRI):
        return term["type"] == "uri" and term["value"] == value
    if term["type"] not in ("literal", "typed-literal"):
        return False
    node = _ox_bound(value)
    datatype = term.get("datatype") or (None if term.get("xml:lang") else _XSD + "string")
    return term["value"] == node.value and datatype == node.datatype.value and not term.get("xml:lang")


def _ox_bound(value: Bound) -> ox.Literal:
    node = _rdf(value)
    assert isinstance(node, ox.Literal)
    return node


class SparqlStore:
    """A SPARQL 1.1 server as akg's store (see the module docstring). ``timeout`` bounds each request, in seconds."""

    shared = True  #: other processes write here too: counters kept in memory are not the store's

    def __init__(self, endpoints: Endpoints, timeout: float = 60.0) -> None:
        self.endpoints = endpoints
        self.timeout = timeout
        self._mirror: tuple[str | None, OxigraphStore] | None = None
        self._lease = threading.local()  # the holder of the lease this thread took, if any

    # -- HTTP -----------------------------------------------------------------------------------------

    def _request(
        self,
        url: str | None,
        role: str,
        body: bytes | None,
        content_type: str | None,
        accept: str | None = None,
        method: str = "POST",
        timeout: float | None = None,
    ) -> tuple[str, bytes]:
        """(content type, body) of one request; raises :class:`StoreUnavailable` naming ``url``."""
        if url is None:
            raise StoreUnavailable(
                f"this needs the SPARQL server's {role} endpoint: give --{role}-endpoint URL "
                f"(the query endpoint is {self.endpoints.query})"
            )
        headers = {}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:
                return response.headers.get("content-type", ""), response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode("utf-8", "replace").strip()
            raise StoreUnavailable(
                f"the SPARQL {role} endpoint {url} answered HTTP {exc.code} {exc.reason}"
                + (f": {detail}" if detail else "")
            ) from None
        except urllib.error.URLError as exc:
            raise StoreUnavailable(f"cannot reach the SPARQL {role} endpoint {url}: {exc.reason}") from None
        except TimeoutError:
            raise StoreUnavailable(
                f"the SPARQL {role} endpoint {url} did not answer within {timeout or self.timeout:g} s"
            ) from None
        except (OSError, ValueError) as exc:  # a connection reset, a malformed URL
            raise StoreUnavailable(f"cannot use the SPARQL {role} endpoint {url}: {exc}") from None

    def _query(self, query: str, accept: str, timeout: float | None = None) -> tuple[str, bytes]:
        form = urllib.parse.urlencode({"query": query}).encode()
        return self._request(
            self.endpoints.query, "query", form, "application/x-www-form-urlencoded", accept, timeout=timeout
        )

    def update(self, update: str, timeout: float | None = None) -> None:
        """Run a fixed SPARQL Update (only values akg makes may be in it: see the module docstring)."""
        form = urllib.parse.urlencode({"update": update}).encode()
        self._request(self.endpoints.update, "update", form, "application/x-www-form-urlencoded", timeout=timeout)

    def _results(self, query: str) -> tuple[list[str], list[dict[str, dict[str, str]]]]:
        media, body = self._query(query, "application/sparql-results+json")
        try:
            answer = json.loads(body)
            return list(answer["head"]["vars"]), list(answer["results"]["bindings"])
        except (ValueError, KeyError, TypeError):
            raise StoreUnavailable(
                f"the SPARQL query endpoint {self.endpoints.query} did not answer with SPARQL JSON results "
                f"(content type {media or 'none'}): is it a SPARQL endpoint?"
            ) from None

    # -- what the layers above ask ------------------------------------------------------------------

    def select(self, query: str, bindings: Mapping[str, Bound] | None = None) -> list[dict[str, Value]]:
        """:meth:`akg.store.OxigraphStore.select` on the server: ``bindings`` filter the unbound query's rows.

        Each bound variable must be projected (ValueError otherwise) and bound in every solution.
        """
        names, rows = self._results(query)
        bound = dict(bindings or {})
        missing = sorted(set(bound) - set(names))
        if missing:
            raise ValueError(f"bound variables must be projected to be filtered on: {', '.join(missing)}")
        return [
            {name: _literal_text(row[name]) if name in row else None for name in names}
            for row in rows
            if all(_matches(row.get(name), value) for name, value in bound.items())
        ]

    def served_ntriples(self) -> bytes:
        """The served (default) graph as N-Triples, by a CONSTRUCT streamed from the query endpoint."""
        media, body = self._query(_DEFAULT_GRAPH, "application/n-triples", timeout=max(self.timeout, 600))
        if not media.startswith(("application/n-triples", "text/plain")):
            raise StoreUnavailable(
                f"the SPARQL query endpoint {self.endpoints.query} did not answer the graph as N-Triples "
                f"(content type {media or 'none'})"
            )
        return body

    def export(self) -> Graph:
        """The served graph, ontology included, as an rdflib graph."""
        return _graph_from_ntriples(self.served_ntriples())

    def __len__(self) -> int:
        query = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
        return int(self.select(query)[0]["n"] or 0)

    def write(self, quads: Sequence[Quad]) -> None:
        """Add ``quads`` in one request of N-Quads to the data endpoint (one transaction where the server makes
        a request one: Oxigraph server, Fuseki, GraphDB)."""
        body = ox.serialize(
            [ox.Quad(_ox(s), _ox(p), _ox(o), _ox(g)) for s, p, o, g in quads], format=ox.RdfFormat.N_QUADS
        )
        self._request(self.endpoints.data, "data", body, "application/n-quads")

    def named_graph_as(self, graph_name: str, media_type: str, subjects: Sequence[str] | None = None) -> bytes:
        """:meth:`akg.store.OxigraphStore.named_graph_as`: ``graph_name`` is one of akg's own graph IRIs."""
        name = ox.NamedNode(graph_name)  # an IRI akg makes; checked all the same
        _media, body = self._query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {name} {{ ?s ?p ?o }} }}", "application/n-triples"
        )
        wanted = None if subjects is None else set(subjects)
        triples = sorted(
            (t for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES) if wanted is None or t.subject.value in wanted),
            key=str,
        )
        used = _prefixes_in(" ".join(str(t) for t in triples).encode())
        return ox.serialize(triples, format=GRAPH_FORMATS[media_type], prefixes=used)

    # -- the corpus ----------------------------------------------------------------------------------

    def corpus_version(self) -> str | None:
        """The version ``akg load`` last wrote; None when no corpus was loaded. One small query."""
        rows = self.select(_CORPUS_VERSION)
        return str(rows[0]["version"]) if rows else None

    def load_corpus(
        self,
        ntriples: bytes,
        fingerprint: str,
        batch: int = BATCH_TRIPLES,
        progress: Callable[[int, int], None] | None = None,
    ) -> str:
        """Replace the served graph with ``ntriples``, keeping every named graph; returns the new corpus version.

        The triples go in batches of ``batch`` into :data:`STAGING_GRAPH`, as N-Quads POSTed to the data
        endpoint (triples with blank nodes all in the first batch, so that servers that scope blank-node
        labels to a request keep them one node); then one update makes the default graph equal to the
        staging graph (deleting what the new corpus lacks, inserting what it adds: only the difference is
        written) and writes the version, so readers see the old corpus or the new one, never a mix; then the
        staging graph is dropped. ``progress(done, total)`` is called after each batch.
        """
        lines = [line for line in ntriples.split(b"\n") if line.strip()]
        with_blank = [line for line in lines if b"_:" in line]
        without = [line for line in lines if b"_:" not in line]
        ordered = with_blank + without
        size = max(batch, len(with_blank))
        batches = [ordered[:size]] + [ordered[i : i + batch] for i in range(size, len(ordered), batch)]
        version = f"{fingerprint}/{uuid.uuid4()}"
        self._empty_staging(batch)  # what a load cut short left
        done = 0
        staging = f" <{STAGING_GRAPH}> .".encode()
        for chunk in batches:
            # N-Quads naming the staging graph, like every write: a data endpoint need take nothing else
            body = b"\n".join(line.rstrip().removesuffix(b".").rstrip() + staging for line in chunk) + b"\n"
            self._request(self.endpoints.data, "data", body, "application/n-quads")
            done += len(chunk)
            if progress is not None:
                progress(done, len(lines))
        assert all(c in "0123456789abcdef-/" for c in version)  # akg's own digest and UUID, nothing else
        # Only the difference is written in the swap's transaction: a reload that changed one file is quick.
        staged = f"GRAPH <{STAGING_GRAPH}> {{ ?s ?p ?o }}"
        self.update(
            f"DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER NOT EXISTS {{ {staged} }} }} ;\n"
            f"INSERT {{ ?s ?p ?o }} WHERE {{ {staged} FILTER NOT EXISTS {{ ?s ?p ?o }} }} ;\n"
            f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{META_GRAPH}> <{_META}corpusVersion> ?v }} }} ;\n"
            f'INSERT DATA {{ GRAPH <{META_GRAPH}> {{ <{META_GRAPH}> <{_META}corpusVersion> "{version}" }} }}',
            SWAP_TIMEOUT,
        )
        self._empty_staging(batch)
        return version

    def _empty_staging(self, batch: int) -> None:
        """Delete the staging graph ``batch`` triples per update: one transaction of a whole national corpus
        would hold it all in the server's memory (Oxigraph deletes a graph triple by triple)."""
        staged = f"GRAPH <{STAGING_GRAPH}> {{ ?s ?p ?o }}"
        step = f"DELETE {{ {staged} }} WHERE {{ SELECT ?s ?p ?o WHERE {{ {staged} }} LIMIT {int(batch)} }}"
        while self.select(f"SELECT ?s WHERE {{ {staged} }} LIMIT 1"):
            self.update(step, SWAP_TIMEOUT)

    def served(self) -> OxigraphStore:
        """An in-memory copy of the served graph, fetched again when the corpus version changes."""
        version = self.corpus_version()
        if self._mirror is None or self._mirror[0] != version:
            self._mirror = (version, OxigraphStore.from_nquads(self.served_ntriples()))
        return self._mirror[1]

    # -- the pages of IRIs and the /sparql workers: on the in-memory copy ----------------------------

    def _copy(self) -> OxigraphStore:
        return self._mirror[1] if self._mirror is not None else self.served()

    def describe(self, iri: str) -> list[Statement]:
        return self._copy().describe(iri)

    def describe_as(self, iri: str, media_type: str) -> bytes:
        return self._copy().describe_as(iri, media_type)

    def objects(self, iri: str, predicate: str) -> list[Term]:
        return self._copy().objects(iri, predicate)

    def labels(self, iris: Sequence[str]) -> dict[str, dict[str, str]]:
        return self._copy().labels(iris)

    def referrers(self, iri: str, limit: int) -> list[tuple[str, str]]:
        return self._copy().referrers(iri, limit)

    def served_nquads(self, exposed_graphs: Sequence[str] = ()) -> bytes:
        """The served graph and the ``exposed_graphs`` (a deployment's choice) as N-Quads, for the /sparql workers."""
        parts = [self.served().served_nquads()]
        for name in exposed_graphs:
            node = ox.NamedNode(name)
            _media, body = self._query(
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {node} {{ ?s ?p ?o }} }}", "application/n-triples"
            )
            quads = (
                ox.Quad(t.subject, t.predicate, t.object, node) for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
            )
            parts.append(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
        return b"".join(parts)

    def answer(
        self, query: str, accept: str | None, max_results: int, max_bytes: int, named_graphs: Sequence[str] = ()
    ) -> QueryAnswer:
        return self._copy().answer(query, accept, max_results, max_bytes, named_graphs)

    # -- the writer lease ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the store's writer lease while the block runs (see the module docstring)."""
        holder = f"urn:uuid:{uuid.uuid4()}"
        deadline = time.monotonic() + _LEASE_WAIT_SECONDS
        while True:
            self.update(_take_lease(holder))
            holders = [str(row["holder"]) for row in self.select(_LEASE_HOLDERS)]
            if holders == [holder]:
                break
            if holder in holders:  # another writer raced this one in: both let go and try again
                self.update(_drop_lease(holder))
            if time.monotonic() > deadline:
                raise StoreUnavailable(
                    f"another writer has held the writer lease of {self.endpoints.describe()} for over "
                    f"{_LEASE_WAIT_SECONDS:g} s; try again"
                )
            time.sleep(random.uniform(0.01, 0.1))
        self._lease.holder = holder
        try:
            yield
        finally:
            self._lease.holder = None
            self.update(_drop_lease(holder))

    def check_lease(self) -> None:
        """Raise :class:`StoreUnavailable` unless this store holds the writer lease with time to spare."""
        holder = getattr(self._lease, "holder", None)
        for row in self.select(_LEASE_HOLDERS):
            if str(row["holder"]) == holder and _seconds(row["left"]) > LEASE_MARGIN_SECONDS:
                return
        raise StoreUnavailable(f"the writer lease of {self.endpoints.describe()} ran out before the write; try again")


def _seconds(value: Value) -> float:
    """Seconds of an xsd:dayTimeDuration such as ``PT29.5S`` (as the server writes the lease's time left)."""
    text = str(value)
    negative = text.startswith("-")
    match = re.fullmatch(r"-?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?)?", text)
    if not match:
        return 0.0
    days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    return -total if negative else total


def _take_lease(holder: str) -> str:
    """The fixed update that takes the lease for ``holder`` (a UUID URN akg made) when no holder's is running.

    Times are the server's (``NOW()``), so the replicas' clocks do not matter.
    """
    assert holder.startswith("urn:uuid:") and all(c in "0123456789abcdef-" for c in holder[9:])
    return f"""
        DELETE {{ GRAPH <{META_GRAPH}> {{ <{_META}writer> <{_META}heldBy> ?old . ?old <{_META}since> ?s }} }}
        INSERT {{ GRAPH <{META_GRAPH}> {{
          <{_META}writer> <{_META}heldBy> <{holder}> . <{holder}> <{_META}since> ?now
        }} }}
        WHERE {{
          FILTER NOT EXISTS {{
            GRAPH <{META_GRAPH}> {{ <{_META}writer> <{_META}heldBy> ?live . ?live <{_META}since> ?ls }}
            FILTER(NOW() - ?ls < {_LEASE})
          }}
          OPTIONAL {{ GRAPH <{META_GRAPH}> {{ <{_META}writer> <{_META}heldBy> ?old . ?old <{_META}since> ?s }} }}
          BIND(NOW() AS ?now)
        }}"""


def _drop_lease(holder: str) -> str:
    return f"""
        DELETE WHERE {{ GRAPH <{META_GRAPH}> {{
          <{_META}writer> <{_META}heldBy> <{holder}> . <{holder}> <{_META}since> ?s
        }} }}"""
