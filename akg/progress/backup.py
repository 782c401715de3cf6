"""One file that holds a whole store folder (see :mod:`akg.progress.layout`), and its way back.

A backup is a gzip-compressed tar archive. Its first member is ``manifest.json`` (:class:`Manifest`): the
format and its version, when it was made (UTC), by which akg, and the size and SHA-256 of every other
member. The members are:

- ``oxigraph/…``: a RocksDB checkpoint made by ``pyoxigraph.Store.backup``, every graph (default and named);
- ``tokens.sqlite``: a consistent copy made with SQLite's online backup API, as one self-contained file;
- ``akg-inputs.sha256``: the fingerprint of the corpus's inputs.

Taking a backup opens the graph for writing, which takes its lock: pyoxigraph can back up only a store it
has open, and a read-only open beside a running server is no substitute (pyoxigraph calls reading beside
a writer undefined; in practice its checkpoint fails when RocksDB compacts a file away mid-copy, and it
leaves out writes still only in the write-ahead log, which is where a server's last reports are). So
``akg backup`` refuses while a server holds the store (:class:`~akg.progress.layout.StoreInUse`); a
server backs up its own open store by passing it as ``graph`` to :func:`back_up`.

Restoring reads the archive twice: once to check every hash (and gzip's own checksum) before anything is
written, then again into a temporary folder beside the target, checking each member as it is written;
only a complete, checked folder is renamed into place.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

import pyoxigraph as ox

from akg import __version__
from akg.progress.layout import StoreLayout, open_graph

FORMAT = "akg-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
#: What a member's path may begin with: the parts of a store folder (the manifest aside).
MEMBER_ROOTS = frozenset(
    path.name for path in (StoreLayout(Path()).oxigraph, StoreLayout(Path()).stamp, StoreLayout(Path()).tokens)
)
_CHUNK = 1 << 20
_MANIFEST_MAX_BYTES = 16 << 20

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that could not be done; ``message`` says why. Nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Member:
    """One file of the archive."""

    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """What a backup holds: ``members`` maps each archive path to its size and hash."""

    created: dt.datetime
    akg_version: str
    members: dict[str, Member] = field(default_factory=dict)
    quads: int = 0
    tokens: int = 0
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "format": FORMAT,
                "format_version": self.format_version,
                "created": self.created.isoformat(),
                "akg_version": self.akg_version,
                "quads": self.quads,
                "tokens": self.tokens,
                "members": {name: {"size": m.size, "sha256": m.sha256} for name, m in sorted(self.members.items())},
            },
            indent=1,
        ).encode()

    @classmethod
    def from_json(cls, data: bytes, archive: Path) -> Manifest:
        """Parse ``data``; raises :class:`BackupError` naming ``archive`` if it is not an akg manifest."""
        try:
            raw = json.loads(data)
            if raw.get("format") != FORMAT:
                raise BackupError(f"{archive} is not an akg backup (its manifest's format is {raw.get('format')!r})")
            if raw["format_version"] != FORMAT_VERSION:
                raise BackupError(
                    f"{archive} has backup format version {raw['format_version']}; "
                    f"this akg ({__version__}) reads version {FORMAT_VERSION}"
                )
            members = {name: Member(int(m["size"]), str(m["sha256"])) for name, m in raw["members"].items()}
            manifest = cls(
                created=dt.datetime.fromisoformat(raw["created"]),
                akg_version=str(raw["akg_version"]),
                members=members,
                quads=int(raw["quads"]),
                tokens=int(raw["tokens"]),
            )
        except BackupError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackupError(f"{archive} is damaged: its manifest cannot be read ({exc})") from None
        for name in members:
            _check_member_name(name, archive)
        return manifest


# -- backing up --------------------------------------------------------------------------------------------


def back_up(root: Path, archive: Path, progress: Progress | None = None, graph: ox.Store | None = None) -> Manifest:
    """Write the store folder ``root`` to the file ``archive`` (replaced atomically; nothing half-written).

    ``graph``: the store's graph when the caller already has it open (a running server); otherwise it is
    opened here, and :class:`~akg.progress.layout.StoreInUse` is raised if another process holds it.
    Raises :class:`BackupError` when ``root`` is not a store folder.
    """
    say = progress or (lambda message: None)
    layout = StoreLayout(root)
    if not layout.oxigraph.is_dir():
        raise BackupError(
            f"{root} is not an akg store folder: it has no {layout.oxigraph.name}/ (see `akg serve --store`)"
        )
    # Inside the store folder: the checkpoint then hard-links RocksDB's immutable files instead of copying them.
    staging = Path(tempfile.mkdtemp(prefix=".backup-", dir=root))
    try:
        say(f"checkpointing the graph in {layout.oxigraph}")
        opened = graph is None
        graph = open_graph(layout) if graph is None else graph
        try:
            graph.backup(str(staging / "oxigraph"))
        finally:
            if opened:
                del graph  # releases the lock now, not at the end of the (long) archiving
        quads = len(ox.Store.read_only(str(staging / "oxigraph")))
        tokens = 0
        if layout.tokens.exists():
            say(f"copying {layout.tokens}")
            tokens = _copy_tokens(layout.tokens, staging / layout.tokens.name)
        if layout.stamp.exists():
            shutil.copyfile(layout.stamp, staging / layout.stamp.name)
        say("hashing")
        members = {name: _member(path) for name, path in _files(staging)}
        manifest = Manifest(dt.datetime.now(dt.UTC).replace(microsecond=0), __version__, members, quads, tokens)
        say(f"writing {archive} ({sum(m.size for m in members.values()) / 1e6:.1f} MB before compression)")
        _write_atomically(archive, lambda out: _write_tar(out, staging, manifest))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _copy_tokens(source: Path, target: Path) -> int:
    """Copy the token registry consistently (even while a server writes it); return how many tokens it holds."""
    with (
        contextlib.closing(sqlite3.connect(source, timeout=30)) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file; the registry turns WAL back on
        has_table = dst.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tokens'").fetchone()
        return dst.execute("SELECT count(*) FROM tokens").fetchone()[0] if has_table else 0


def _files(folder: Path) -> Iterator[tuple[str, Path]]:
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        yield path.relative_to(folder).as_posix(), path


def _member(path: Path) -> Member:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        while chunk := data.read(_CHUNK):
            digest.update(chunk)
    return Member(path.stat().st_size, digest.hexdigest())


def _write_tar(out: IO[bytes], staging: Path, manifest: Manifest) -> None:
    mtime = manifest.created.timestamp()
    with (
        gzip.GzipFile(filename="", fileobj=out, mode="wb", mtime=mtime) as compressed,
        tarfile.open(fileobj=compressed, mode="w|", format=tarfile.PAX_FORMAT) as tar,
    ):

        def add(name: str, data: IO[bytes], size: int, mode: int) -> None:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = size, mode, mtime
            tar.addfile(info, data)

        text = manifest.to_json()
        add(MANIFEST, io.BytesIO(text), len(text), 0o600)
        for name, path in _files(staging):
            with path.open("rb") as data:
                add(name, data, manifest.members[name].size, 0o600)


def _write_atomically(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write through ``write`` to a temporary file beside ``path``, sync it, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o600)  # it holds the token hashes
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# -- restoring --------------------------------------------------------------------------------------------


def restore(archive: Path, root: Path, force: bool = False, progress: Progress | None = None) -> Manifest:
    """Make ``root`` the store folder saved in ``archive``.

    Refuses (:class:`BackupError`) when ``root`` exists and is not empty, unless ``force``: then the old
    folder is replaced in one rename, after the new one is complete (and refused while a server holds it:
    :class:`~akg.progress.layout.StoreInUse`). Refuses a damaged archive before writing anything.
    """
    say = progress or (lambda message: None)
    if not archive.is_file():
        raise BackupError(f"{archive}: no such backup file")
    if root.exists() and not root.is_dir():
        raise BackupError(f"{root} exists and is not a folder")
    occupied = root.is_dir() and any(root.iterdir())
    if occupied and not force:
        raise BackupError(f"{root} exists and is not empty: restore into a new folder, or pass --force to replace it")
    if occupied and StoreLayout(root).oxigraph.is_dir():
        open_graph(StoreLayout(root))  # raises StoreInUse while a server holds it; dropped at once, unlocked
    say(f"verifying {archive}")
    manifest = _read(archive, None)
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.restore-", dir=root.parent))
    try:
        say(f"extracting into {staging}")
        _read(archive, staging)
        for folder in (staging, *(p for p in staging.rglob("*") if p.is_dir())):
            _sync_folder(folder)
        quads = len(ox.Store.read_only(str(StoreLayout(staging).oxigraph)))
        if quads != manifest.quads:
            raise BackupError(f"{archive} is damaged: its graph has {quads} quads, its manifest says {manifest.quads}")
        say(f"moving it to {root}")
        _swap(staging, root, occupied)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def verify(archive: Path) -> Manifest:
    """Check every member of ``archive`` against its manifest without writing anything; raises :class:`BackupError`."""
    return _read(archive, None)


def _swap(staging: Path, root: Path, occupied: bool) -> None:
    if not occupied:
        if root.is_dir():
            root.rmdir()
        os.rename(staging, root)
    else:
        replaced = Path(tempfile.mkdtemp(prefix=f".{root.name}.replaced-", dir=root.parent))
        os.rename(root, replaced / root.name)
        try:
            os.rename(staging, root)
        except BaseException:
            os.rename(replaced / root.name, root)
            raise
        shutil.rmtree(replaced, ignore_errors=True)
    _sync_folder(root.parent)


def _read(archive: Path, target: Path | None) -> Manifest:
    """Read ``archive`` through, checking every member; with ``target``, also write the members there."""
    try:
        with archive.open("rb") as raw, gzip.GzipFile(fileobj=raw, mode="rb") as data:
            with tarfile.open(fileobj=data, mode="r|") as tar:
                manifest = _read_members(tar, archive, target)
            while data.read(_CHUNK):  # to the end, so that gzip checks its CRC and length
                pass
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise BackupError(f"{archive} is damaged or not an akg backup: {exc or type(exc).__name__}") from None
    return manifest


def _read_members(tar: tarfile.TarFile, archive: Path, target: Path | None) -> Manifest:
    first = tar.next()
    if first is None or first.name != MANIFEST or not first.isfile() or first.size > _MANIFEST_MAX_BYTES:
        raise BackupError(f"{archive} is not an akg backup: it does not begin with {MANIFEST}")
    manifest = Manifest.from_json(_extract(tar, first).read(), archive)
    seen: set[str] = set()
    while (member := tar.next()) is not None:  # not ``for member in tar``: that starts again at the manifest
        expected = manifest.members.get(member.name)
        if expected is None or member.name in seen or not member.isfile():
            raise BackupError(f"{archive} is damaged: {member.name!r} is not in its manifest, or is there twice")
        seen.add(member.name)
        destination = target.joinpath(*PurePosixPath(member.name).parts) if target else None
        if destination:
            destination.parent.mkdir(parents=True, exist_ok=True)
        with _extract(tar, member) as source:
            if destination is None:
                size, digest = _copy(source, None)
            else:
                with destination.open("xb") as sink:
                    size, digest = _copy(source, sink)
                    sink.flush()
                    os.fsync(sink.fileno())  # a restored store is as durable as the one it replaces
                destination.chmod(0o600)
        if (size, digest) != (expected.size, expected.sha256):
            raise BackupError(f"{archive} is damaged: {member.name} does not match the SHA-256 in its manifest")
    missing = sorted(set(manifest.members) - seen)
    if missing:
        raise BackupError(f"{archive} is incomplete: it lacks {', '.join(missing[:5])}")
    return manifest


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo) -> IO[bytes]:
    data = tar.extractfile(member)
    assert data is not None  # a regular file, checked by the callers
    return data


def _copy(source: IO[bytes], sink: IO[bytes] | None) -> tuple[int, str]:
    """Read ``source`` through (into ``sink``, if any); return its size and SHA-256."""
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if sink is not None:
            sink.write(chunk)
    return size, digest.hexdigest()


def _check_member_name(name: str, archive: Path) -> None:
    path = PurePosixPath(name)
    if (
        not path.parts
        or path.is_absolute()
        or ".." in path.parts
        or name != path.as_posix()
        or path.parts[0] not in MEMBER_ROOTS
    ):
        raise BackupError(f"{archive} is not a safe akg backup: it names a member {name!r}")
