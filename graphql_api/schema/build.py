"""The schema with its limits, and the request context its resolvers read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig

from akg.accountability import Accountability
from graphql_api.schema.common import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS, QueryInputError
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


def make_context(accountability: Accountability, report: Any = None) -> dict[str, Any]:
    """The request context the resolvers read: the indexes and the start-up validation report."""
    return {"accountability": accountability, "validation_view": validation_view(report)}


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
    """Mask unexpected errors only: GraphQL (syntax, validation) and input errors keep their message."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    return not isinstance(original, QueryInputError)


class AccountabilitySchema(strawberry.Schema):
    """A strawberry schema that logs (with traceback) only the unexpected errors, not the client's mistakes."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        super().process_errors([e for e in errors if should_mask(e)], execution_context)


def create_schema(
    max_depth: int = MAX_DEPTH, max_aliases: int = MAX_ALIASES, max_tokens: int = MAX_TOKENS
) -> strawberry.Schema:
    """The schema with its limits: depth, aliases and tokens capped, suggestions hidden, unexpected errors masked."""
    return AccountabilitySchema(
        query=Query,
        config=StrawberryConfig(disable_field_suggestions=True),
        extensions=[
            lambda: MaxTokensLimiter(max_token_count=max_tokens),
            lambda: QueryDepthLimiter(max_depth=max_depth),
            lambda: MaxAliasesLimiter(max_alias_count=max_aliases),
            HideSuggestions,
            lambda: MaskErrors(should_mask_error=should_mask),
        ],
    )


schema = create_schema()
