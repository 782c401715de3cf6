"""Who is asking: the bearer token of a request, and the refusals of progress tracking as GraphQL errors.

A request's token is read from its ``Authorization: Bearer akg_<id>_<secret>`` header (the request is
``info.context["request"]``, which strawberry's FastAPI router puts in every request's context) and
checked once per request by :meth:`akg.progress.service.ProgressService.authenticate`; the credential,
or the refusal, is kept in the request's context for the other fields of the same request.

Every refusal of the progress core (:class:`akg.progress.errors.ProgressError`) becomes a
:class:`~graphql_api.schema.common.ClientError` of the same code (``UNAUTHENTICATED``, ``FORBIDDEN``,
``BAD_USER_INPUT``) and message, with every problem in ``extensions.messages``; an unknown id in a
filter is ``BAD_USER_INPUT`` as everywhere else in the schema. No refusal carries a stack trace.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from strawberry.types import Info

from akg.accountability import InvalidArgument
from akg.progress.errors import InvalidInput, ProgressError
from akg.progress.ledger import Ledger
from akg.progress.service import ProgressService
from akg.progress.tokens import Credential
from graphql_api.schema.common import ClientError, Forbidden, QueryInputError, Unauthenticated

T = TypeVar("T")

#: The message of every progress field of a service that tracks no progress (built without one).
NO_PROGRESS = "This service tracks no progress: start it with `akg serve` (and --store DIR to keep reports)."
#: The message of every write to a service without a store folder.
READ_ONLY = (
    "This service keeps no reports: it was started without a store folder. Start it with "
    "`akg serve --store DIR` to accept reports and reviews."
)

_CLIENT_ERRORS: dict[str, type[ClientError]] = {
    "UNAUTHENTICATED": Unauthenticated,
    "FORBIDDEN": Forbidden,
    "BAD_USER_INPUT": QueryInputError,
}
_CREDENTIAL = "akg.credential"  # the key of the request's credential (or refusal) in its context


def client_error(error: ProgressError) -> ClientError:
    """The GraphQL error of a progress refusal: same code and message, every problem in ``messages``."""
    kind = _CLIENT_ERRORS.get(error.code)
    if kind is None:  # not a refusal: a bug, which the schema masks and logs
        raise error
    messages = error.messages if isinstance(error, InvalidInput) else ()
    return kind(error.message, messages)


@contextmanager
def refusals() -> Iterator[None]:
    """Turn the refusals of the progress core (and unknown ids) raised inside into client errors."""
    try:
        yield
    except ProgressError as exc:
        raise client_error(exc) from None
    except InvalidArgument as exc:
        raise QueryInputError(str(exc)) from None


def refused(call: Callable[[], T]) -> T:
    """``call()``, its refusals turned into client errors."""
    with refusals():
        return call()


def progress(info: Info) -> ProgressService:
    """The request's progress service; FORBIDDEN when the service was built without one."""
    service = info.context.get("progress")
    if service is None:
        raise Forbidden(NO_PROGRESS)
    return service


def ledger(info: Info) -> Ledger:
    """The ledger writes go to; FORBIDDEN (saying how to start a writable service) when there is none."""
    found = progress(info).ledger
    if found is None:
        raise Forbidden(READ_ONLY)
    return found


def authorization(info: Info) -> str | None:
    """The request's ``Authorization`` header, or None."""
    request: Any = info.context.get("request")
    return request.headers.get("authorization") if request is not None else None


def credential(info: Info) -> Credential:
    """The credential of the request's token, checked once per request; raises UNAUTHENTICATED."""
    service = progress(info)
    found = info.context.get(_CREDENTIAL)
    if found is None:
        try:
            found = service.authenticate(authorization(info))
        except ProgressError as exc:
            found = exc
        info.context[_CREDENTIAL] = found
    if isinstance(found, ProgressError):
        raise client_error(found)
    return found
