"""The HTTP service: strawberry's GraphQL router on FastAPI, served by uvicorn (see ``akg serve``).

Routes: ``/graphql`` (POST; GET for queries; GraphiQL in a browser, its tabs preloaded with the example
queries, its scripts served from ``/graphiql-assets`` when set-up fetched them), ``/healthz`` (JSON:
status, counts, validation summary), ``/matrix`` (see :mod:`graphql_api.matrix_page`), ``/pathway``
(see :mod:`graphql_api.pathway_page`), given progress ``/scorecard`` (see :mod:`graphql_api.scorecard_page`)
and, given the store, ``/sparql``, ``/id/...`` and ``/ontology``
(see :mod:`graphql_api.linked_data`). Any unexpected
exception becomes a JSON error body without a traceback; request bodies above :data:`MAX_BODY` bytes are
refused with 413, and every error response has a JSON body.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import Response
from strawberry.fastapi import GraphQLRouter

from akg.accountability import Accountability
from graphql_api.examples import Example, load_examples
from graphql_api.graphiql_assets import ROUTE as ASSET_ROUTE
from graphql_api.graphiql_assets import assets_dir, localise
from graphql_api.linked_data import linked_data_router
from graphql_api.matrix_page import matrix_router
from graphql_api.pathway_page import pathway_router
from graphql_api.schema import create_schema, make_context
from graphql_api.schema.common import ErrorCode
from graphql_api.scorecard_page import scorecard_router

if TYPE_CHECKING:
    from akg.progress.records import Report
    from akg.progress.service import ProgressService
    from akg.remote_store import SparqlStore
    from akg.sparql import SparqlLimits
    from akg.store import OxigraphStore
    from akg.validation import Finding

MAX_BODY = 64 * 1024
#: The shape a report whose duty instance left the corpus would fail (it is a Warning at start-up instead).
ORPHAN_SHAPE = "https://w3id.org/akg/shapes#Report-concernsDutyInstance"
log = logging.getLogger("akg.server")

_QUERY_START = "const EXAMPLE_QUERY = `"
_PROPS_ANCHOR = "defaultEditorToolsVisibility: true,"


def _script_json(value: Any) -> str:
    """JSON safe to embed in a <script> element."""
    return json.dumps(value).replace("</", "<\\/")


def graphiql_with_examples(html: str, examples: list[Example]) -> str:
    """Strawberry's GraphiQL page with the examples as its opening query and default tabs.

    Returns ``html`` unchanged if the page does not have the expected shape (another strawberry version).
    """
    start = html.find(_QUERY_START)
    end = html.find("`;", start + len(_QUERY_START)) if start >= 0 else -1
    if not examples or start < 0 or end < 0 or _PROPS_ANCHOR not in html:
        return html
    tabs = [{"query": e.query} for e in examples]
    replacement = (
        f"const EXAMPLE_QUERY = {_script_json(examples[0].query)};\n      const AKG_TABS = {_script_json(tabs)};"
    )
    html = html[:start] + replacement + html[end + 2 :]
    return html.replace(_PROPS_ANCHOR, _PROPS_ANCHOR + "\n          defaultTabs: AKG_TABS,", 1)


class ExampleGraphQLRouter(GraphQLRouter):
    """strawberry's FastAPI router whose GraphiQL opens on the example queries."""

    def __init__(self, *args: Any, examples: list[Example], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ide_html: str | None = None
        self._examples = examples

    def decode_json(self, data: str | bytes) -> object:
        """JSON of a request; undecodable bytes or nesting too deep are a bad request (400), not a server error."""
        try:
            return json.loads(data)
        except (RecursionError, UnicodeDecodeError) as exc:
            raise json.JSONDecodeError(type(exc).__name__, "", 0) from None

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        if self._ide_html is None:
            page = graphiql_with_examples(self.graphql_ide_html, self._examples)
            self._ide_html = localise(page, assets_dir()) or page
        return HTMLResponse(self._ide_html)


def error_response(message: str, status: int, code: ErrorCode = ErrorCode.BAD_REQUEST) -> JSONResponse:
    """A GraphQL-shaped error body for a request refused before GraphQL saw it: ``errors[0].extensions.code``."""
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code.value}}]}, status_code=status)


class RequestGuard(BaseHTTPMiddleware):
    """Refuses request bodies above ``limit`` bytes (413) and gives plain-text error responses a JSON body.

    strawberry answers malformed HTTP requests (bad JSON, no query, wrong content type) with plain text;
    clients get ``{"errors": [{"message": ..., "extensions": {"code": "BAD_REQUEST"}}]}`` instead, with the
    same status.
    """

    def __init__(self, app: Any, limit: int = MAX_BODY) -> None:
        super().__init__(app)
        self.limit = limit

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            return error_response(f"request body above {self.limit} bytes", 413)
        if request.method == "POST" and length is None and request.headers.get("transfer-encoding"):
            return error_response("chunked request bodies are not accepted", 411)
        response = await call_next(request)
        if response.status_code >= 400 and response.headers.get("content-type", "").startswith("text/plain"):
            chunks = [chunk async for chunk in response.body_iterator]  # type: ignore[attr-defined]
            text = b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks).decode("utf-8", "replace")
            return error_response(text[:500], response.status_code)
        return response


class WithoutQueryStrings(logging.Filter):
    """Drops the query string from access-log lines: a GET /graphql may carry a child's profile in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def quiet_access_log() -> None:
    """Install :class:`WithoutQueryStrings` on uvicorn's access log (idempotent)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, WithoutQueryStrings) for f in access.filters):
        access.addFilter(WithoutQueryStrings())


def orphan_warnings(reports: list[Report]) -> list[Finding]:
    """A Warning for each report whose duty instance is no longer in the corpus: flagged, never deleted."""
    from akg.validation import Finding, Severity
    from loader.namespaces import AKG, report_iri

    return [
        Finding(
            severity=Severity.WARNING,
            message=f"Report {r.id} (of {r.reported_by}, {r.reported_on}) concerns the duty instance {r.instance}, "
            "which is no longer in the corpus (its obligation was removed or renamed); the report is kept.",
            focus_node=str(report_iri(r.id)),
            path=str(AKG.concerns),
            source_shape=ORPHAN_SHAPE,
            source_file=None,
            source_line=None,
        )
        for r in reports
    ]


def with_progress_warnings(report: Any, progress: ProgressService | None) -> Any:
    """The start-up validation ``report`` with the Warnings of :func:`orphan_warnings` added."""
    orphans = progress.tracker.orphaned_reports() if progress is not None else []
    if not orphans:
        return report
    from akg.validation import ValidationReport

    found = tuple(report.results) if report is not None else ()
    return ValidationReport(results=tuple(sorted(found + tuple(orphan_warnings(orphans)), key=lambda f: f.sort_key())))


def create_app(
    accountability: Accountability,
    report: Any = None,
    allow_graphiql: bool = True,
    store: OxigraphStore | SparqlStore | None = None,
    sparql: SparqlLimits | None = None,
    progress: ProgressService | None = None,
) -> FastAPI:
    """The FastAPI application serving ``accountability`` and the start-up validation ``report``.

    ``report`` is an ``akg.validation.ValidationReport`` (or None: ``validation`` then answers null);
    ``allow_graphiql=False`` turns the in-browser IDE off. Given the ``store``, the app also serves the
    linked-data routes (``/sparql`` within the ``sparql`` limits, ``/id/...``, ``/ontology``: see
    :mod:`graphql_api.linked_data`). Given ``progress``, GraphQL answers the progress queries and, when it
    has a ledger (a store folder), the mutations; reports whose duty instance left the corpus are added to
    ``report`` as Warnings (see :func:`orphan_warnings`). Without it, those fields answer FORBIDDEN. A remote
    ``store`` (:class:`akg.remote_store.SparqlStore`) is followed: see :func:`_follow_corpus`.
    """
    report = with_progress_warnings(report, progress)
    context = make_context(accountability, report, progress)
    counts = accountability.counts()
    health: dict[str, Any] = {"status": "ok", "counts": counts}
    if progress is not None:
        health["progress"] = {"instances": len(progress.tracker.index), "reportsKept": progress.writable}
    if report is not None:
        health["validation"] = {
            "conforms": bool(report.conforms_at("violation")),
            "findings": dict(report.counts_by_severity()) if hasattr(report, "counts_by_severity") else {},
        }

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        quiet_access_log()  # after uvicorn has configured its loggers
        yield

    app = FastAPI(
        title="akg accountability service", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.add_middleware(RequestGuard)

    async def get_context() -> dict[str, Any]:
        return dict(context)  # one per request: strawberry adds the request, auth keeps its credential there

    router = ExampleGraphQLRouter(
        create_schema(),
        graphql_ide="graphiql" if allow_graphiql else None,
        allow_queries_via_get=True,
        context_getter=get_context,
        examples=load_examples(),
    )
    app.include_router(router, prefix="/graphql")
    app.include_router(matrix_router(accountability))
    app.include_router(pathway_router(accountability))
    if progress is not None:
        app.include_router(scorecard_router(accountability, progress))
    on_new_corpus: list[Callable[[], None]] = []
    if store is not None:
        app.include_router(linked_data_router(store, sparql, on_new_corpus))
    if store is not None and getattr(store, "shared", False):
        _follow_corpus(app, store, accountability, progress, health, on_new_corpus)
    if allow_graphiql and assets_dir().is_dir():
        app.mount(ASSET_ROUTE, StaticFiles(directory=assets_dir()), name="graphiql-assets")

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        return health

    from akg.remote_store import StoreUnavailable

    @app.exception_handler(StoreUnavailable)
    async def unavailable(request: Request, exc: StoreUnavailable) -> JSONResponse:
        log.error("the store failed on %s %s: %s", request.method, request.url.path, exc)
        return error_response("The store is unavailable; try again later.", 503, ErrorCode.INTERNAL_SERVER_ERROR)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error on %s %s: %r", request.method, request.url.path, exc)
        return error_response("Internal server error.", 500, ErrorCode.INTERNAL_SERVER_ERROR)

    return app


def _follow_corpus(
    app: FastAPI,
    store: SparqlStore,
    accountability: Accountability,
    progress: ProgressService | None,
    health: dict[str, Any],
    on_new_corpus: list[Callable[[], None]],
) -> None:
    """Before each request, read the remote store's corpus version (one small query) and, when ``akg load`` has
    changed it since, rebuild the in-memory indexes in place: the accountability indexes, the duty instances,
    the served graph's copy and the ``/sparql`` workers. Reports, reviews and the audit trail are read from
    the store at each request, so they need nothing here: what one replica writes, the next request to
    any replica sees.
    """
    from akg.progress.tracking import InstanceIndex

    seen = [store.corpus_version()]
    lock = asyncio.Lock()

    def rebuild(version: str | None) -> None:
        fresh = Accountability.from_store(store)
        stale = set(vars(accountability)) - set(vars(fresh))
        vars(accountability).update(vars(fresh))  # every reference to the indexes sees the new ones
        for name in stale:  # cached answers of the old corpus
            vars(accountability).pop(name, None)
        if progress is not None:
            progress.tracker.index = InstanceIndex.from_store(store)
        store.served()
        health["counts"] = accountability.counts()
        for reload in on_new_corpus:
            reload()
        log.info("a new corpus was loaded into the store (version %s): indexes rebuilt", version)
        seen[0] = version

    async def check() -> None:
        version = await run_in_threadpool(store.corpus_version)
        if version != seen[0]:
            async with lock:
                if version != seen[0]:
                    await run_in_threadpool(rebuild, version)

    app.add_middleware(_CorpusFollower, check=check)


class _CorpusFollower:
    """Plain ASGI middleware (cheaper than BaseHTTPMiddleware on every request): awaits ``check`` before each
    HTTP request; a store that cannot be reached answers 503 with a JSON error body."""

    def __init__(self, app: Any, check: Callable[[], Awaitable[None]]) -> None:
        self.app = app
        self.check = check

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            from akg.remote_store import StoreUnavailable

            try:
                await self.check()
            except StoreUnavailable as exc:
                log.error("the store failed on %s %s: %s", scope.get("method"), scope.get("path"), exc)
                response = error_response(
                    "The store is unavailable; try again later.", 503, ErrorCode.INTERNAL_SERVER_ERROR
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
