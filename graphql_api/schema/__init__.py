"""The GraphQL schema of the accountability service: its field and argument names are a contract.

The package keeps one concern per module: :mod:`~graphql_api.schema.common` (limits, input errors,
enums), :mod:`~graphql_api.schema.types` (object types), :mod:`~graphql_api.schema.queries` (the root
Query) and :mod:`~graphql_api.schema.build` (limits and context).

Every resolver reads the in-memory indexes of :class:`akg.accountability.Accountability` found in the
request context (``context["accountability"]``), so a request never queries the store (no N+1). The
validation report computed at start-up is ``context["validation"]``. Build a context with
:func:`make_context` and the schema with :func:`create_schema`.

Limits (checked against the installed strawberry): query depth, aliases and tokens are capped by
strawberry's ``QueryDepthLimiter``, ``MaxAliasesLimiter`` and ``MaxTokensLimiter`` (passed as
factories); field suggestions are off (``StrawberryConfig.disable_field_suggestions`` plus
:class:`HideSuggestions` for argument, enum and type suggestions); unexpected errors are masked by
``MaskErrors``; page sizes are capped at :data:`MAX_PAGE`. Every error carries ``extensions.code``
(:class:`~graphql_api.schema.common.ErrorCode`): resolvers raise a
:class:`~graphql_api.schema.common.ClientError` subclass (``QueryInputError``, ``Unauthenticated``,
``Forbidden``) and the ``ErrorCodes`` extension of :mod:`~graphql_api.schema.build` codes the rest.
"""

from graphql_api.schema.build import create_schema, make_context, schema, validation_view
from graphql_api.schema.common import MAX_PAGE, ClientError, ErrorCode, Forbidden, QueryInputError, Unauthenticated

__all__ = [
    "MAX_PAGE",
    "ClientError",
    "ErrorCode",
    "Forbidden",
    "QueryInputError",
    "Unauthenticated",
    "create_schema",
    "make_context",
    "schema",
    "validation_view",
]
