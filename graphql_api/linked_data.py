"""The linked-data face of the service: a read-only SPARQL endpoint, the graph's IRIs, the ontology.

``linked_data_router(store, limits)`` returns the APIRouter that :func:`graphql_api.server.create_app`
includes when it is given the store:

- ``/sparql`` — the SPARQL 1.1 Protocol's query operation: ``GET ?query=``, ``POST`` of a form
  (``query=``) or of ``application/sparql-query``. SELECT and ASK answer as JSON, XML, CSV or TSV;
  CONSTRUCT and DESCRIBE as Turtle, N-Triples, JSON-LD or RDF/XML, by the ``Accept`` header. Queries run
  on the served graph only, in worker processes that stop them at the time limit (:mod:`akg.sparql`).
  Updates, ``SERVICE`` and dataset parameters are refused. A browser without a query gets a form.
- ``/id/...`` — every IRI the graph mints under ``https://w3id.org/akg/id/``, at the same path: an HTML
  page (:mod:`graphql_api.resource_page`), or Turtle, N-Triples, JSON-LD or RDF/XML of the resource and
  the nodes it owns; ``?format=html|ttl|nt|jsonld|rdfxml`` overrides the ``Accept`` header. 404 when the
  graph holds nothing about the IRI.
- ``/ontology`` — ``https://w3id.org/akg/ontology``: the pyLODE documentation
  (:mod:`graphql_api.ontology_docs`) to browsers, the ontology's Turtle (or N-Triples, JSON-LD,
  RDF/XML) to RDF clients.

Every error answers JSON ``{"errors": [{"message": ..., "extensions": {"code": ...}}]}`` (an HTML page for
a browser's 404), never a stack trace; the codes are in docs/linked-data.md.
"""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import AsyncIterator, Callable
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from akg.media_types import choose
from akg.serialization import serialize
from akg.sparql import QueryStopped, SparqlLimits, SparqlWorkers
from akg.store import (
    GRAPH_ALIASES,
    GRAPH_FORMATS,
    RESULT_ALIASES,
    RESULT_FORMATS,
    OxigraphStore,
    QueryRefused,
    ontology_graph,
)
from graphql_api.ontology_docs import DOCS_PATH
from graphql_api.resource_page import W3ID, render_not_found, render_resource

if TYPE_CHECKING:
    from akg.remote_store import SparqlStore

HTML = "text/html"
_FORMAT_NAMES = {
    "html": HTML,
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
_RDFLIB_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
# The HTTP status and extensions.code of each refusal (akg.store.QueryRefused, akg.sparql.QueryStopped).
_REFUSALS: dict[str, tuple[int, str]] = {
    "syntax": (400, "SPARQL_PARSE_FAILED"),
    "evaluation": (400, "SPARQL_EVALUATION_FAILED"),
    "service": (400, "SPARQL_SERVICE_REFUSED"),
    "update": (403, "FORBIDDEN"),
    "not-acceptable": (406, "NOT_ACCEPTABLE"),
    "too-many-results": (422, "TOO_MANY_RESULTS"),
    "too-large": (422, "RESULT_TOO_LARGE"),
    "timeout": (503, "QUERY_TIMEOUT"),
    "memory": (503, "QUERY_OUT_OF_MEMORY"),
    "busy": (503, "BUSY"),
    "failed": (503, "QUERY_FAILED"),
}
_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")


def _normal_escape(match: re.Match[str]) -> str:
    """RFC 3986 normal form of one ``%XX``: unreserved characters decoded, hex digits upper case."""
    char = chr(int(match[0][1:], 16))
    return char if char.isascii() and (char.isalnum() or char in "-._~") else match[0].upper()


def _error(message: str, status: int, code: str = "BAD_REQUEST", headers: dict[str, str] | None = None) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers=headers)


def _with_charset(media_type: str) -> str:
    return f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type


def linked_data_router(
    store: OxigraphStore | SparqlStore,
    limits: SparqlLimits | None = None,
    on_new_corpus: list[Callable[[], None]] | None = None,
) -> APIRouter:
    """The routes of this module over ``store``; ``limits`` default to :class:`SparqlLimits`'s defaults, and
    ``limits.workers == 0`` leaves ``/sparql`` out. The router's lifespan starts and stops the workers.

    On a remote store (:class:`akg.remote_store.SparqlStore`) the pages and ``/sparql`` read its served graph
    as an in-memory copy; the router appends to ``on_new_corpus`` what to call when a new corpus is loaded.
    """
    limits = limits or SparqlLimits()
    workers = SparqlWorkers(store, limits) if limits.workers > 0 else None
    if workers is not None and on_new_corpus is not None:
        on_new_corpus.append(workers.reload)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if workers:
            workers.start()  # warm: the first query should not wait for a worker to load the graph
        yield
        if workers:
            workers.close()

    router = APIRouter(lifespan=lifespan)
    if workers:
        _add_sparql(router, workers)

    @router.api_route("/id/{path:path}", methods=["GET", "HEAD"], response_model=None)
    def resource(request: Request, path: str) -> Response:
        # The IRI is rebuilt from the raw path: the graph's IRIs are percent-encoded (loader.namespaces).
        raw = request.scope.get("raw_path") or request.url.path.encode()
        iri = W3ID + _PERCENT.sub(_normal_escape, raw.decode("latin-1").lstrip("/"))
        media = _negotiate(request, [HTML, *GRAPH_FORMATS])
        if media is None:
            return _error(_not_acceptable([HTML, *GRAPH_FORMATS]), 406, "NOT_ACCEPTABLE")
        statements = store.describe(iri)
        if not statements:
            if media == HTML:
                return HTMLResponse(render_not_found(iri), status_code=404)
            return _error(f"The graph holds nothing about {iri}.", 404, "NOT_FOUND")
        if media == HTML:
            return HTMLResponse(render_resource(store, iri, statements), headers={"Vary": "Accept"})
        return Response(store.describe_as(iri, media), media_type=_with_charset(media), headers={"Vary": "Accept"})

    @router.api_route("/ontology", methods=["GET", "HEAD"], response_model=None)
    def ontology(request: Request) -> Response:
        media = _negotiate(request, [HTML, *GRAPH_FORMATS])
        if media is None:
            return _error(_not_acceptable([HTML, *GRAPH_FORMATS]), 406, "NOT_ACCEPTABLE")
        if media == HTML:
            page = _ontology_page()
            if page is None:
                return _error("The ontology's documentation was not generated.", 503, "UNAVAILABLE")
            return HTMLResponse(page, headers={"Vary": "Accept"})
        return Response(_ontology_rdf(media), media_type=_with_charset(media), headers={"Vary": "Accept"})

    return router


def _negotiate(request: Request, offered: list[str]) -> str | None:
    """``?format=`` if given (a name of :data:`_FORMAT_NAMES`), else the ``Accept`` header's choice."""
    name = request.query_params.get("format")
    if name is not None:
        media = _FORMAT_NAMES.get(name)
        return media if media in offered else None
    return choose(request.headers.get("accept"), offered, GRAPH_ALIASES)


def _not_acceptable(offered: list[str]) -> str:
    names = ", ".join(f"{media} (?format={name})" for name, media in _FORMAT_NAMES.items() if media in offered)
    return f"None of the accepted media types is available here; ask for one of: {names}."


@cache
def _ontology_page() -> str | None:
    """The generated documentation, its links to the graph's IRIs made local; None if it is missing."""
    if not DOCS_PATH.is_file():
        return None
    page = DOCS_PATH.read_text(encoding="utf-8")
    page = page.replace(f'href="{W3ID}ontology#', 'href="#')
    return page.replace(f'href="{W3ID}', 'href="/')


@cache
def _ontology_rdf(media_type: str) -> bytes:
    return serialize(ontology_graph(), _RDFLIB_FORMATS[media_type])


# -- /sparql ----------------------------------------------------------------------------------------

_DATASET_PARAMETERS = ("default-graph-uri", "named-graph-uri")
_EXAMPLE = """PREFIX akg: <https://w3id.org/akg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?obligation ?text ?organization ?role WHERE {
  ?obligation a akg:Obligation ; akg:text ?text ; akg:hasAssignment ?assignment .
  ?assignment akg:organization/skos:prefLabel ?organization ; akg:role/skos:prefLabel ?role .
  FILTER(LANG(?organization) = "zh" && LANG(?role) = "en")
} LIMIT 20"""


def _add_sparql(router: APIRouter, workers: SparqlWorkers) -> None:
    @router.api_route("/sparql", methods=["GET", "POST"], response_model=None)
    async def sparql(request: Request) -> Response:
        fields: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            fields.setdefault(key, []).append(value)
        if request.method == "POST":
            media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
            try:
                body = (await request.body()).decode("utf-8")
            except UnicodeDecodeError:
                return _error("The request body is not UTF-8.", 400)
            if media == "application/x-www-form-urlencoded":
                for key, values in parse_qs(body, keep_blank_values=True).items():
                    fields.setdefault(key, []).extend(values)
            elif media == "application/sparql-query":
                fields.setdefault("query", []).append(body)
            elif media == "application/sparql-update":
                fields.setdefault("update", []).append(body)
            else:
                return _error(
                    "POST a form (application/x-www-form-urlencoded) with query=, or application/sparql-query.",
                    415,
                    "UNSUPPORTED_MEDIA_TYPE",
                )
        if "update" in fields:
            return _error("This endpoint is read-only: SPARQL Update is not accepted.", 403, "FORBIDDEN")
        if any(name in fields for name in _DATASET_PARAMETERS):
            return _error(
                "default-graph-uri and named-graph-uri are not supported: this endpoint serves one graph.", 400
            )
        queries = fields.get("query", [])
        prefers_html = choose(request.headers.get("accept"), [*RESULT_FORMATS, HTML], RESULT_ALIASES) == HTML
        if not queries and request.method == "GET" and prefers_html:  # a person with a browser
            return HTMLResponse(_form_page(workers.limits))
        if len(queries) != 1 or not queries[0].strip():
            return _error(
                "Give exactly one query: ?query=, a form field query=, or an application/sparql-query body.", 400
            )
        try:
            answer = await run_in_threadpool(workers.answer, queries[0], request.headers.get("accept"))
        except (QueryRefused, QueryStopped) as exc:
            status, code = _REFUSALS.get(exc.reason, (400, "BAD_REQUEST"))
            headers = {"Retry-After": "2"} if exc.reason == "busy" else None
            return _error(exc.message, status, code, headers)
        return Response(answer.body, media_type=_with_charset(answer.media_type), headers={"Vary": "Accept"})


def _form_page(limits: SparqlLimits) -> str:
    e = html.escape
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>SPARQL · akg</title><style>'
        'body { font: 10pt/1.5 "Noto Sans CJK SC", sans-serif; margin: 1.5em auto; max-width: 60em; padding: 0 1em; }'
        " textarea { width: 100%; font-family: monospace; }</style></head><body>"
        "<h1>SPARQL · 查询</h1><p>A read-only SPARQL 1.1 endpoint over the accountability graph. "
        f"Each query may run {limits.timeout:g} s and return {limits.max_results} rows or triples. "
        'See the <a href="/ontology">ontology · 本体</a>.</p>'
        f'<form method="get" action="/sparql"><textarea name="query" rows="12">{e(_EXAMPLE)}</textarea>'
        '<p><button type="submit">Run · 运行</button></p></form></body></html>\n'
    )
