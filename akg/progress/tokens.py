"""Bearer tokens: who may report, review or manage, for which organisation.

A token is shown once, when issued, as ``akg_<id>_<secret>``: ``id`` is ten hex digits, public (it names
the token in lists, audit entries and messages); ``secret`` is ``secrets.token_urlsafe(32)``, 256 random
bits. Only ``sha256(secret)`` is stored. A secret drawn at random from 2**256 cannot be guessed, so it
needs no slow password hash (bcrypt, scrypt, argon2 protect *guessable* passwords from a stolen file);
a fast hash is enough and keeps authentication cheap. The stored and the presented hash are compared
with :func:`hmac.compare_digest`, in constant time. Nothing here is cryptography written by hand: only
:mod:`secrets`, :mod:`hashlib` and :mod:`hmac` from the standard library.

The registry is a SQLite file (``tokens.sqlite`` in the store folder, see :mod:`akg.progress.layout`),
in WAL mode with ``synchronous=FULL``: a token is on disk when :meth:`TokenRegistry.issue` returns, and
several processes (a server and the ``akg token`` command) may use it at once. Credentials never enter
the RDF graph.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import hashlib
import hmac
import os
import re
import secrets
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from akg.progress.errors import InvalidInput, Unauthenticated

SCHEMA_VERSION = 1
PREFIX = "akg"
ID_HEX_DIGITS = 10
#: How stale ``last_used`` may get: writing it on every request would cost a disk sync per request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)

_TOKEN = re.compile(rf"{PREFIX}_(?P<id>[0-9a-f]{{{ID_HEX_DIGITS}}})_(?P<secret>[A-Za-z0-9_-]{{43}})")
_BUSY_TIMEOUT_SECONDS = 30.0
# A hash to compare against when the id is unknown, so that an unknown id costs what a wrong secret costs.
_NO_HASH = hashlib.sha256(b"").hexdigest()


class Role(enum.Enum):
    """What a token may do: report on its organisation's duties, review reports addressed to it, manage tokens."""

    REPORTER = "reporter"
    REVIEWER = "reviewer"
    ADMIN = "admin"


@dataclass(frozen=True)
class TokenRecord:
    """A token as listed: never its secret nor the secret's hash. Times are UTC.

    A token that ``expires`` on day D is valid through the end of D, UTC.
    """

    id: str
    org: str
    role: Role
    created: dt.datetime
    expires: dt.date | None = None
    revoked: dt.datetime | None = None
    last_used: dt.datetime | None = None

    def status(self, now: dt.datetime | None = None) -> str:
        """``revoked``, ``expired`` or ``active`` at ``now`` (default: the current time)."""
        if self.revoked is not None:
            return "revoked"
        if self.expires is not None and _utc(now).date() > self.expires:
            return "expired"
        return "active"


@dataclass(frozen=True)
class IssuedToken:
    """A new token: its record and its text, which is shown once and stored nowhere."""

    record: TokenRecord
    text: str


@dataclass(frozen=True)
class Credential:
    """Who presented a valid token."""

    token_id: str
    org: str
    role: Role


class UnknownToken(InvalidInput):
    """No token has this id."""

    def __init__(self, token_id: str) -> None:
        super().__init__(f"No token has the id {token_id!r} (see `akg token list`).")
        self.token_id = token_id


class TokenRegistry:
    """The tokens of one store, in the SQLite file ``path`` (created, with its folder, on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    # -- managing tokens --------------------------------------------------------------------------------

    def issue(self, org: str, role: Role | str, expires: dt.date | None = None) -> IssuedToken:
        """A new token for organisation ``org`` (the caller checks it exists) with ``role``, valid through ``expires``.

        Raises :class:`InvalidInput` for an empty org, an unknown role or an expiry date already past.
        """
        problems = []
        if not org or org != org.strip() or any(c.isspace() or not c.isprintable() for c in org):
            problems.append(f"The organisation id {org!r} is empty or has spaces or control characters.")
        try:
            role = Role(role)
        except ValueError:
            problems.append(f"The role {role!r} is not one of: {', '.join(r.value for r in Role)}.")
        now = _utc(None)
        if expires is not None and expires < now.date():
            problems.append(f"The expiry date {expires.isoformat()} is already past (today is {now.date()}, UTC).")
        if problems:
            raise InvalidInput(problems)
        secret = secrets.token_urlsafe(32)
        with self._connection() as db:
            while True:  # a clash of ten random hex digits is unlikely, but the id is the primary key
                record = TokenRecord(secrets.token_hex(ID_HEX_DIGITS // 2), org, Role(role), now, expires)
                try:
                    with _writing(db):
                        db.execute(
                            "INSERT INTO tokens (id, secret_sha256, org, role, created, expires) VALUES (?,?,?,?,?,?)",
                            (record.id, _hash(secret), org, record.role.value, _text(now), _text(expires)),
                        )
                    break
                except sqlite3.IntegrityError:
                    continue
        return IssuedToken(record, f"{PREFIX}_{record.id}_{secret}")

    def list(self) -> list[TokenRecord]:
        """Every token, oldest first (revoked and expired ones too)."""
        with self._connection() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM tokens ORDER BY created, id").fetchall()
        return [_record(row) for row in rows]

    def get(self, token_id: str) -> TokenRecord:
        """The token ``token_id``; raises :class:`UnknownToken`."""
        with self._connection() as db:
            row = db.execute(f"SELECT {_COLUMNS} FROM tokens WHERE id = ?", (token_id,)).fetchone()
        if row is None:
            raise UnknownToken(token_id)
        return _record(row)

    def revoke(self, token_id: str) -> TokenRecord:
        """Revoke ``token_id`` from now on; a token already revoked keeps its first revocation time.

        Raises :class:`UnknownToken`.
        """
        with self._connection() as db, _writing(db):
            db.execute("UPDATE tokens SET revoked = ? WHERE id = ? AND revoked IS NULL", (_text(_utc(None)), token_id))
            row = db.execute(f"SELECT {_COLUMNS} FROM tokens WHERE id = ?", (token_id,)).fetchone()
        if row is None:
            raise UnknownToken(token_id)
        return _record(row)

    # -- checking a presented token ----------------------------------------------------------------------

    def authenticate(self, text: str | None, now: dt.datetime | None = None) -> Credential:
        """The credential of the token ``text``, valid at ``now`` (default: the current time).

        Raises :class:`Unauthenticated` with reason ``missing`` (no text), ``malformed``, ``unknown`` (no
        such token, or a wrong secret: the two are not told apart), ``revoked`` or ``expired``. Messages
        name the token's public id at most, never its secret. Surrounding white space is ignored.
        """
        if text is None or not text.strip():
            raise Unauthenticated("missing")
        match = _TOKEN.fullmatch(text.strip())
        if match is None:
            raise Unauthenticated("malformed")
        token_id, presented = match["id"], _hash(match["secret"])
        now = _utc(now)
        with self._connection() as db:
            row = db.execute(f"SELECT {_COLUMNS}, secret_sha256 FROM tokens WHERE id = ?", (token_id,)).fetchone()
            stored = row[-1] if row is not None else _NO_HASH
            if not hmac.compare_digest(stored, presented) or row is None:
                raise Unauthenticated("unknown")
            record = _record(row[:-1])
            if record.revoked is not None:
                raise Unauthenticated(
                    "revoked", f"Token {token_id} was revoked on {record.revoked:%Y-%m-%d %H:%M} UTC."
                )
            if record.status(now) == "expired":
                raise Unauthenticated(
                    "expired", f"Token {token_id} expired: it was valid through {record.expires} (UTC)."
                )
            if record.last_used is None or now - record.last_used >= LAST_USED_RESOLUTION:
                with _writing(db):
                    db.execute("UPDATE tokens SET last_used = ? WHERE id = ?", (_text(now), token_id))
        return Credential(token_id, record.org, record.role)

    # -- the file ----------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A connection for one operation; the schema is created on first use."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            # Owner-only from the start: SQLite gives the -wal and -shm files the database file's mode.
            with contextlib.suppress(FileExistsError):
                os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        db = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_SECONDS, isolation_level=None)
        try:
            _use_write_ahead_log(db)
            db.execute("PRAGMA synchronous = FULL")
            _migrate(db, self.path)
            yield db
        finally:
            db.close()


_COLUMNS = "id, org, role, created, expires, revoked, last_used"


def _use_write_ahead_log(db: sqlite3.Connection) -> None:
    """Put the file in WAL mode. Two processes opening a new file at once can see "database is locked" here
    without SQLite's busy handler being called, so the change is retried within the busy timeout."""
    deadline = time.monotonic() + _BUSY_TIMEOUT_SECONDS
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


@contextlib.contextmanager
def _writing(db: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, taking the write lock at once (so that two processes queue, not deadlock)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]  # cheap check before taking the write lock
    if version == SCHEMA_VERSION:
        return
    with _writing(db):
        db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied TEXT NOT NULL)")
        current = db.execute("SELECT max(version) FROM schema_version").fetchone()[0]
        if current is not None and current > SCHEMA_VERSION:
            raise InvalidInput(
                f"{path} has token schema version {current}; this akg knows up to {SCHEMA_VERSION}: upgrade akg."
            )
        if current is None:
            db.execute(
                """CREATE TABLE tokens (
                    id TEXT PRIMARY KEY,
                    secret_sha256 TEXT NOT NULL,
                    org TEXT NOT NULL,
                    role TEXT NOT NULL CHECK (role IN ('reporter', 'reviewer', 'admin')),
                    created TEXT NOT NULL,
                    expires TEXT,
                    revoked TEXT,
                    last_used TEXT
                )"""
            )
            db.execute("INSERT INTO schema_version VALUES (?, ?)", (SCHEMA_VERSION, _text(_utc(None))))
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def _utc(moment: dt.datetime | None) -> dt.datetime:
    if moment is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    if moment.tzinfo is None:
        raise ValueError("a naive datetime: give a time zone")
    return moment.astimezone(dt.UTC)


def _text(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _record(row: tuple[str, ...]) -> TokenRecord:
    token_id, org, role, created, expires, revoked, last_used = row
    return TokenRecord(
        id=token_id,
        org=org,
        role=Role(role),
        created=dt.datetime.fromisoformat(created),
        expires=dt.date.fromisoformat(expires) if expires else None,
        revoked=dt.datetime.fromisoformat(revoked) if revoked else None,
        last_used=dt.datetime.fromisoformat(last_used) if last_used else None,
    )
