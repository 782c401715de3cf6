"""One store's progress tracking, composed: who is asking (tokens), what is known (tracker), what is written (ledger).

The GraphQL service, the web pages and the CLI all use this one object, so they apply the same rules:

- Reading the policy graph, and the duty instances derived from it, needs no token.
- Reading reports, statuses, overdue lists, scorecards and the audit trail needs a valid token of any
  role: progress reports are internal records of government, not open data. A non-admin token sees the
  audit entries of its own organisation only; an admin token sees them all.
- Writing needs a reporter token (reports) or a reviewer token (reviews); see :mod:`akg.progress.ledger`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from akg.progress.errors import Unauthenticated
from akg.progress.layout import StoreLayout
from akg.progress.ledger import Ledger, progress_shapes
from akg.progress.tokens import Credential, Role, TokenRegistry
from akg.progress.tracking import Tracker
from akg.store import OxigraphStore

if TYPE_CHECKING:
    from akg.remote_store import SparqlStore

BEARER = "bearer "


@dataclass
class ProgressService:
    """Progress tracking over one store folder; ``ledger`` is None when the store is read-only."""

    tracker: Tracker
    ledger: Ledger | None
    tokens: TokenRegistry | None

    @classmethod
    def open(
        cls, store: OxigraphStore | SparqlStore, root: Path | None, shapes_dir: Path, tokens: Path | None = None
    ) -> ProgressService:
        """Progress over ``store``; with ``root`` (the store folder) reports can be written and tokens checked.

        Without ``root`` (an in-memory store) duty instances can be read and nothing else. A remote store
        (:class:`akg.remote_store.SparqlStore`) has no folder: given ``tokens`` (a token registry file, which
        every replica is given), it takes reports too.
        """
        tracker = Tracker(store)
        registry = tokens or (StoreLayout(root).tokens if root is not None else None)
        if registry is None:
            return cls(tracker, None, None)
        return cls(tracker, Ledger(tracker, progress_shapes(shapes_dir)), TokenRegistry(registry))

    @property
    def writable(self) -> bool:
        return self.ledger is not None

    def authenticate(self, authorization: str | None) -> Credential:
        """The credential of an ``Authorization: Bearer <token>`` header value; raises Unauthenticated."""
        if self.tokens is None:
            raise Unauthenticated(
                "missing",
                "This service keeps no reports (it was started without --store, or --tokens for a remote store), "
                "so it takes no tokens.",
            )
        if not authorization or not authorization.strip():
            raise Unauthenticated("missing", "Give a token: Authorization: Bearer akg_<id>_<secret>.")
        if not authorization.lower().startswith(BEARER):
            raise Unauthenticated("malformed", "The Authorization header must read: Bearer akg_<id>_<secret>.")
        return self.tokens.authenticate(authorization[len(BEARER) :].strip())

    @staticmethod
    def sees_audit_of(credential: Credential, organization: str) -> bool:
        """Whether ``credential`` may read the audit entries of ``organization``."""
        return credential.role is Role.ADMIN or credential.org == organization
