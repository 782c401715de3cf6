"""Refusals of progress tracking, each with a stable code a client can act on.

The codes are those the GraphQL face puts in ``extensions.code``: ``UNAUTHENTICATED`` (no valid token),
``FORBIDDEN`` (a valid token that may not do this) and ``BAD_USER_INPUT`` (the request itself is wrong).
Messages are shown to users as they are: they name what was wrong and never echo a secret.
"""

from __future__ import annotations

from collections.abc import Sequence


class ProgressError(Exception):
    """A refusal with a user-facing ``message`` and a stable ``code``; nothing was changed."""

    code = "INTERNAL"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


#: Why a token was not accepted, and what the user is told.
UNAUTHENTICATED_REASONS: dict[str, str] = {
    "missing": "No token was given.",
    "malformed": "The token is not of the form akg_<id>_<secret>.",
    "unknown": "The token is not known (mistyped, or from another store).",
    "revoked": "The token has been revoked.",
    "expired": "The token has expired.",
}


class Unauthenticated(ProgressError):
    """No valid token. ``reason`` is a key of :data:`UNAUTHENTICATED_REASONS`."""

    code = "UNAUTHENTICATED"

    def __init__(self, reason: str, message: str | None = None) -> None:
        if reason not in UNAUTHENTICATED_REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        super().__init__(message or UNAUTHENTICATED_REASONS[reason])
        self.reason = reason


class Forbidden(ProgressError):
    """A valid token whose organisation or role may not do what was asked."""

    code = "FORBIDDEN"

    def __init__(self, message: str) -> None:
        super().__init__(message)


class InvalidInput(ProgressError):
    """The request is wrong; ``messages`` says every way it is (``message`` joins them)."""

    code = "BAD_USER_INPUT"

    def __init__(self, messages: Sequence[str] | str) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__(" ".join(self.messages))
