"""The validation cache: an unchanged corpus is not validated again.

Contract:

* An entry is keyed on (:func:`validation_key`) the build cache's input key (:func:`akg.build_cache.input_key`:
  the data and ontology files, the loader's code, the versions it takes data from), the SHA-256 of every shapes
  file, the engine's name and version (pyrudof or pyshacl), and the source of akg's validation code
  (:data:`_VALIDATION_MODULES`). The same key means the same findings; any change gives a new key.
* An entry holds the findings (every field, source file and line included) and the corpus counts that the
  report prints, as JSON behind one header line that carries the SHA-256 of the body. An entry that fails its
  checksum, or does not read back as findings, is deleted and never trusted.
* Entries are written atomically (a temporary file renamed into place) beside the build cache's entries, in
  :func:`akg.build_cache.cache_dir`; ``AKG_CACHE_DIR=off`` and ``--no-cache`` turn this cache off too. At most
  :data:`KEPT` entries are kept; the least recently used go first.
* Reading an entry imports no engine and builds no store: a warm ``akg validate`` hashes its inputs, reads
  the entry and renders it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
from importlib import metadata
from pathlib import Path

from akg import build_cache
from akg.validation import Finding, Severity, ValidationReport

__all__ = ["KEPT", "ValidationCacheEntry", "entry", "validation_key"]

#: How many validation entries the cache keeps (one per corpus, engine and version of the inputs).
KEPT = 8
_HEADER = b"# akg validation cache, sha256 of the rest: "
_SUFFIX = ".validation.json"
_PACKAGE = Path(__file__).resolve().parent
#: akg's code that turns an engine's results into findings: a change to it gives a new key.
_VALIDATION_MODULES = tuple(
    _PACKAGE / name
    for name in (
        "validation.py",
        "validation_cache.py",
        "validation_shards.py",
        "rudof_engine.py",
    )
)
#: The distribution each engine is.
_ENGINE_DISTRIBUTIONS = {"rudof": "pyrudof", "pyshacl": "pyshacl"}
_FIELDS = tuple(field.name for field in dataclasses.fields(Finding))


def validation_key(data_dir: Path, ontology_dir: Path, shapes_dir: Path, engine: str) -> str:
    """The SHA-256 of everything a validation of ``data_dir`` with ``engine`` depends on (see the contract).

    Raises ``OSError`` when an input cannot be read.
    """
    digest = hashlib.sha256()
    digest.update(f"inputs {build_cache.input_key(data_dir, ontology_dir)}\0".encode())
    distribution = _ENGINE_DISTRIBUTIONS.get(engine, engine)
    try:
        version = metadata.version(distribution)
    except metadata.PackageNotFoundError:
        version = "absent"
    digest.update(f"engine {engine} {distribution} {version}\0".encode())
    shapes = sorted(p for p in Path(shapes_dir).glob("*.ttl") if p.is_file())
    digest.update(f"shapes {len(shapes)}\0".encode())
    for path in shapes:
        content = path.read_bytes()
        digest.update(f"{path.name}\0{len(content)}\0".encode() + content)
    for module in _VALIDATION_MODULES:
        content = module.read_bytes() if module.exists() else b""
        digest.update(f"{module.name}\0{len(content)}\0".encode() + content)
    return digest.hexdigest()


class ValidationCacheEntry:
    """The cache's slot for one validation: :meth:`read` it, or validate and :meth:`write` it."""

    def __init__(self, directory: Path | None, key: str | None) -> None:
        self.key = key
        self.directory = directory if key is not None else None
        self.path = directory / f"{key}{_SUFFIX}" if directory is not None and key is not None else None

    def read(self) -> tuple[ValidationReport, dict[str, int]] | None:
        """The cached report and corpus counts, or ``None`` (cache off, no entry, or a corrupt entry)."""
        if self.path is None:
            return None
        body = build_cache.read_entry(self.path, _HEADER)
        decoded = None if body is None else _decode(body)
        if body is not None and decoded is None:
            with contextlib.suppress(OSError):
                self.path.unlink(missing_ok=True)  # of another layout: validated afresh
        return decoded

    def write(self, report: ValidationReport, counts: dict[str, int]) -> None:
        """Store ``report`` and ``counts``; a cache that cannot be written is skipped silently."""
        if self.path is None:
            return
        body = json.dumps(
            {
                "counts": counts,
                "findings": [{name: _plain(getattr(finding, name)) for name in _FIELDS} for finding in report.results],
            },
            ensure_ascii=False,  # the counts keep their order: the report prints them so
        ).encode()
        build_cache.write_entry(self.path, _HEADER, body, _SUFFIX, KEPT)


def entry(data_dir: Path, ontology_dir: Path, shapes_dir: Path, engine: str) -> ValidationCacheEntry:
    """The cache entry of a validation of ``data_dir`` with ``engine``, in the build cache's folder."""
    directory = build_cache.cache_dir()
    if directory is None:
        return ValidationCacheEntry(None, None)
    try:
        key = validation_key(data_dir, ontology_dir, shapes_dir, engine)
    except OSError:  # an unreadable input: the loader names it; nothing is cached
        key = None
    return ValidationCacheEntry(directory, key)


def _plain(value: object) -> object:
    return value.value if isinstance(value, Severity) else value


def _decode(body: bytes) -> tuple[ValidationReport, dict[str, int]] | None:
    """The report and counts of an entry's body, or ``None`` when it is not what :meth:`write` writes."""
    try:
        content = json.loads(body)
        counts = {str(name): int(n) for name, n in content["counts"].items()}
        findings = []
        for item in content["findings"]:
            if set(item) != set(_FIELDS):
                return None
            fields = dict(item)
            fields["severity"] = Severity(fields["severity"])
            findings.append(Finding(**fields))
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return ValidationReport(results=tuple(findings)), counts
