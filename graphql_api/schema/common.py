"""What every part of the schema shares: limits, client-facing input errors, the context's indexes, enums."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import strawberry
from strawberry.types import Info

from akg.accountability import Accountability, InvalidArgument

MAX_PAGE = 100
MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 2000
MAX_TEXT = 200  # longest text argument (search, text filter)


class ErrorCode(enum.StrEnum):
    """The ``extensions.code`` every client-facing error carries (Apollo Server's names, which clients know).

    The table in docs/graphql.md says which error gets which code; :class:`ClientError` subclasses carry
    theirs, and the schema's ``ErrorCodes`` extension gives one to every other error of a response.
    """

    BAD_REQUEST = "BAD_REQUEST"  # not a GraphQL request at all (bad JSON, no query, body too large)
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"  # the document is not GraphQL, or has too many tokens
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"  # not valid against the schema, too deep, too many aliases
    BAD_USER_INPUT = "BAD_USER_INPUT"  # a value is wrong: unknown id, bad cursor, page size, variable
    UNAUTHENTICATED = "UNAUTHENTICATED"  # the request needs a valid token it lacks (missing, unknown, revoked, expired)
    FORBIDDEN = "FORBIDDEN"  # the token does not allow this, or the service keeps no reports (no --store)
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"  # masked: the server failed; logged, never detailed


class ClientError(Exception):
    """An error the client caused: its message is shown and its :attr:`code` goes into ``extensions.code``.

    graphql-core copies an exception's ``extensions`` into the GraphQL error it wraps it in, so raising a
    subclass from a resolver is all it takes.
    """

    code: ClassVar[ErrorCode] = ErrorCode.BAD_USER_INPUT

    def __init__(self, message: str, messages: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.messages = list(messages)

    @property
    def extensions(self) -> dict[str, Any]:
        """``code``, and ``messages`` (every problem, as a list) when the error has them."""
        if self.messages:
            return {"code": self.code.value, "messages": self.messages}
        return {"code": self.code.value}


class QueryInputError(ClientError, ValueError):
    """A request's argument is wrong (bad cursor, page size, unknown id); its message is shown to the client."""

    code = ErrorCode.BAD_USER_INPUT


class Unauthenticated(ClientError):
    """The request needs a valid token it does not carry (see :mod:`graphql_api.schema.auth`)."""

    code = ErrorCode.UNAUTHENTICATED


class Forbidden(ClientError):
    """The request's token does not allow what it asks, or this service does not do it (no store)."""

    code = ErrorCode.FORBIDDEN


def _acc(info: Info) -> Accountability:
    return info.context["accountability"]


def _label(labels: dict[str, str], lang: str, fallback: str) -> str:
    return labels.get(lang.lower()) or labels.get("en") or fallback


def _checked(call: Callable[[], Any]) -> Any:
    """Run ``call``, turning an unknown identifier or an unanswerable argument into a client-facing error."""
    try:
        return call()
    except InvalidArgument as exc:
        raise QueryInputError(str(exc)) from None


def _text_arg(value: str | None, name: str) -> str | None:
    if value is not None and len(value) > MAX_TEXT:
        raise QueryInputError(f"{name} is longer than {MAX_TEXT} characters")
    return value


@strawberry.enum(description="A RASCI role: LEAD (A, accountable), RESPONSIBLE, SUPPORTING, CONSULTED, INFORMED.")
class Role(enum.Enum):
    LEAD = "lead"
    RESPONSIBLE = "responsible"
    SUPPORTING = "supporting"
    CONSULTED = "consulted"
    INFORMED = "informed"


@strawberry.enum(
    description="What kind of body an organisation is. DEPARTMENT and GOVERNMENT are government bodies (the "
    "judiciary and the people's organisations included); INSTITUTION a public service institution (school, "
    "welfare institution, hospital); COMMUNITY a villagers' or residents' committee; FAMILY parents, guardians "
    "or relatives; SOCIETY enterprises, social organisations and volunteers; OTHER anything else."
)
class OrganizationKind(enum.Enum):
    DEPARTMENT = "DEPARTMENT"
    INSTITUTION = "INSTITUTION"
    GOVERNMENT = "GOVERNMENT"
    COMMUNITY = "COMMUNITY"
    FAMILY = "FAMILY"
    SOCIETY = "SOCIETY"
    OTHER = "OTHER"


@strawberry.enum(
    description="What kind of deadline a duty has: DATE (by a calendar date), EFFECTIVE (applies from a date), "
    "RELATIVE (a period from a trigger event, no calendar date), RECURRING (recurring calendar dates), PERIODIC "
    "(at least so often, open-ended), PROMPT (promptly, no period set), INHERITED (the provision's or the "
    "document's goal date), NONE_STATED (the policy sets none)."
)
class DeadlineKind(enum.Enum):
    DATE = "date"
    EFFECTIVE = "effective"
    RELATIVE = "relative"
    RECURRING = "recurring"
    PERIODIC = "periodic"
    PROMPT = "prompt"
    INHERITED = "inherited"
    NONE_STATED = "none-stated"


def _role(role_id: str) -> Role:
    return Role(role_id)
