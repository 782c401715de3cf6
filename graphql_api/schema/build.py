"""The schema with its limits, and the request context its resolvers read."""

from __future__ import annotations

import json
import re
from collections.abc import Hashable, Iterator
from typing import Any

import strawberry
from graphql import FieldNode, GraphQLError, OperationType, get_operation_ast
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from akg.accountability import Accountability
from akg.accountability.answers import AnswerCache
from akg.progress.service import ProgressService
from graphql_api.schema.common import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS, ClientError, ErrorCode
from graphql_api.schema.mutations import Mutation
from graphql_api.schema.progress import ProgressQuery
from graphql_api.schema.queries import Query
from graphql_api.schema.types import Validation, ValidationResult


def validation_view(report: Any) -> Validation | None:
    """The GraphQL view of an ``akg.validation.ValidationReport`` (None when there is none)."""
    if report is None:
        return None
    return Validation(
        conforms=bool(report.conforms_at("violation")),
        results=[
            ValidationResult(
                severity=str(getattr(f.severity, "value", f.severity)),
                message=f.message,
                focus_node=f.focus_node,
                path=f.path,
                source_shape=f.source_shape,
                source_file=f.source_file,
                source_line=f.source_line,
            )
            for f in report.results
        ],
    )


def make_context(
    accountability: Accountability, report: Any = None, progress: ProgressService | None = None
) -> dict[str, Any]:
    """The context the resolvers read: the indexes, the start-up validation report and progress tracking.

    The server adds each request (``request``, for its Authorization header) to a copy per request.
    """
    return {"accountability": accountability, "validation_view": validation_view(report), "progress": progress}


_SUGGESTION = re.compile(r"\s*Did you mean .*$", re.DOTALL)


class HideSuggestions(SchemaExtension):
    """Strips every "Did you mean ...?" hint (fields, arguments, enum values, types) from error messages."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in getattr(result, "errors", None) or []:
            if "Did you mean" in error.message:
                error.message = _SUGGESTION.sub("", error.message)


def should_mask(error: GraphQLError) -> bool:
    """Mask unexpected errors only: GraphQL (syntax, validation, variables) and client errors keep their message.

    Unexpected means raised while resolving a field (any exception but a ClientError), or an exception of
    the server's own outside GraphQL's stages.
    """
    original = error.original_error
    if original is None or isinstance(original, ClientError):
        return False
    return error.path is not None or not isinstance(original, GraphQLError)


class MaskUnexpected(MaskErrors):
    """strawberry's ``MaskErrors`` for :func:`should_mask`, whose masked errors say INTERNAL_SERVER_ERROR."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=should_mask)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": ErrorCode.INTERNAL_SERVER_ERROR.value}
        return masked


class ErrorCodes(SchemaExtension):
    """Gives every error of a response an ``extensions.code``; a code already there (a ClientError's) is kept.

    The code follows the stage the request failed at: the parser (GRAPHQL_PARSE_FAILED, the token limit
    included), validation against the schema (GRAPHQL_VALIDATION_FAILED, the depth and alias limits
    included), or execution: an error without a path is about the request's variables (BAD_USER_INPUT),
    one on a field that no ClientError explains is the server's (INTERNAL_SERVER_ERROR). Listed first among
    the extensions, so that it runs last, after the masking.
    """

    def on_operation(self) -> Iterator[None]:
        self._invalid = False
        yield
        result = self.execution_context.result
        parsed = self.execution_context.graphql_document is not None
        for error in getattr(result, "errors", None) or []:
            if not (error.extensions or {}).get("code"):
                error.extensions = {**(error.extensions or {}), "code": self._code(error, parsed).value}

    def on_validate(self) -> Iterator[None]:
        yield
        self._invalid = bool(self.execution_context.pre_execution_errors)

    def _code(self, error: GraphQLError, parsed: bool) -> ErrorCode:
        if not parsed:
            return ErrorCode.GRAPHQL_PARSE_FAILED
        if self._invalid:
            return ErrorCode.GRAPHQL_VALIDATION_FAILED
        return ErrorCode.BAD_USER_INPUT if error.path is None else ErrorCode.INTERNAL_SERVER_ERROR


#: The root fields whose answers depend on the graph alone: every field of the accountability Query but
#: ``validation`` (the context's report) and ``pathway`` (a child's profile is never kept, not even in memory).
KEPT_ROOTS = frozenset(
    StrawberryConfig().name_converter.from_field(f) for f in Query.__strawberry_definition__.fields
) - {"validation", "pathway"}
PREPARED_ENTRIES = 128  # query texts whose parsed and validated document is kept


class KnownQueries(SchemaExtension):
    """Skips the work already done for a question asked before: parsing, validation and, for the accountability
    queries, the whole answer.

    - A query text that parsed and validated is kept with its document in ``prepared`` (one cache per schema:
      the document and the validation rules depend on nothing else), so asking it again skips both. Mutations
      and any text naming ``pathway`` are never kept: a child's profile may be written in the query itself.
    - The answer to a query whose root fields are all in :data:`KEPT_ROOTS` depends only on the graph, the
      query text, the operation and the variables. It is kept, without errors only, in the answer cache of the
      request's :class:`~akg.accountability.Accountability` (``context["accountability"].answers``, see
      :mod:`akg.accountability.answers`), so it is never served from a graph other than the one it was computed
      from: indexes rebuilt for a new store version come with an empty cache. Progress queries, mutations,
      ``validation`` and ``pathway`` are always executed.
    """

    def __init__(self, prepared: AnswerCache) -> None:
        self.prepared = prepared
        self._known = False

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        document = self.prepared.get(context.query) if context.query else None
        if document is not None:
            context.graphql_document = document  # strawberry parses only when no document is set
            self._known = True
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if self._known:
            context.pre_execution_errors = []  # validated when first seen; strawberry validates only when None
        yield
        if not self._known and context.pre_execution_errors == [] and self._keepable():
            self.prepared.put(context.query, context.graphql_document, len(context.query))

    def _keepable(self) -> bool:
        """A query (not a mutation) that cannot hold a child's profile: its text never names ``pathway``."""
        context = self.execution_context
        if not context.query or "pathway" in context.query:
            return False
        operation = get_operation_ast(context.graphql_document, context.operation_name)
        return operation is not None and operation.operation == OperationType.QUERY

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        answers = self._answers()
        key = self._key() if answers is not None else None
        if key is not None and (found := answers.get(key)) is not None:
            context.result = found  # strawberry executes only when no result is set
            yield
            return
        yield
        result = context.result
        if key is not None and result is not None and not result.errors and result.data is not None:
            answers.put(key, result, len(json.dumps(result.data, default=str)))

    def _answers(self) -> AnswerCache | None:
        context = self.execution_context.context
        accountability = context.get("accountability") if isinstance(context, dict) else None
        return accountability.answers if isinstance(accountability, Accountability) else None

    def _key(self) -> Hashable | None:
        """(query text, operation name, variables) when the operation may be answered from the cache, else None."""
        context = self.execution_context
        if context.graphql_document is None or not context.query:
            return None
        operation = get_operation_ast(context.graphql_document, context.operation_name)
        if operation is None or operation.operation != OperationType.QUERY:
            return None
        for selection in operation.selection_set.selections:
            if not isinstance(selection, FieldNode):
                return None  # a fragment at the root: not worth looking into
            if selection.name.value not in KEPT_ROOTS and selection.name.value != "__typename":
                return None
        variables = json.dumps(context.variables or {}, sort_keys=True, default=str)
        return (context.query, context.operation_name, variables)


class AccountabilitySchema(strawberry.Schema):
    """A strawberry schema that logs (with traceback) only the unexpected errors, not the client's mistakes.

    ``prepared_documents`` are the parsed and validated query texts :class:`KnownQueries` keeps.
    """

    prepared_documents: AnswerCache

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        super().process_errors([e for e in errors if should_mask(e)], execution_context)


def create_schema(
    max_depth: int = MAX_DEPTH, max_aliases: int = MAX_ALIASES, max_tokens: int = MAX_TOKENS
) -> strawberry.Schema:
    """The schema with its limits: depth, aliases and tokens capped, suggestions hidden, unexpected errors masked,
    and an ``extensions.code`` on every error (see :class:`~graphql_api.schema.common.ErrorCode`); questions
    asked before are answered from what was kept of them (:class:`KnownQueries`)."""
    prepared = AnswerCache(max_entries=PREPARED_ENTRIES, enabled=True)  # parsing and validation, always
    built = AccountabilitySchema(
        query=merge_types("Query", (Query, ProgressQuery)),
        mutation=Mutation,
        config=StrawberryConfig(disable_field_suggestions=True),
        extensions=[
            ErrorCodes,  # first, so that its on_operation ends last, once the errors are final
            lambda: MaxTokensLimiter(max_token_count=max_tokens),
            lambda: QueryDepthLimiter(max_depth=max_depth),
            lambda: MaxAliasesLimiter(max_alias_count=max_aliases),
            HideSuggestions,
            MaskUnexpected,
            lambda: KnownQueries(prepared),
        ],
    )
    built.prepared_documents = prepared
    return built


schema = create_schema()
