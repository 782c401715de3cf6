"""The validation cache: with the inputs unchanged, ``akg validate`` prints the same bytes in every format without
building the store or importing an engine; a change to the data, the shapes or the engine validates afresh, and a
damaged entry is never trusted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import akg_cli
from akg import resources, validation_cache
from akg_cli import main

FORMATS = ("text", "json", "turtle", "junit", "sarif")
DOCUMENT = "documents/county-notice-2024/obligations/all.yaml"


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The engines a store was built and validated with, in order (a cache hit adds nothing)."""
    runs: list[str] = []
    validate = akg_cli._validate_corpus

    def counted(args: object) -> object:
        runs.append(args.engine)  # type: ignore[attr-defined]
        return validate(args)  # type: ignore[arg-type]

    monkeypatch.setattr(akg_cli, "_validate_corpus", counted)
    return runs


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.validation.json"))


def _validate(capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, str]:
    status = main(["validate", *options])
    return status, capsys.readouterr().out


def test_every_format_prints_the_same_bytes_warm_as_cold(
    cache: Path, fixture_data: Path, validations: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    for fmt in FORMATS:
        cold = _validate(capsys, "--data", str(fixture_data), "--format", fmt, "--no-cache")
        warm_first = _validate(capsys, "--data", str(fixture_data), "--format", fmt)
        warm = _validate(capsys, "--data", str(fixture_data), "--format", fmt)
        assert warm == cold == warm_first, fmt
    # --no-cache validated every time; the cache was filled once and read for every later format.
    assert validations == ["rudof"] * (len(FORMATS) + 1)
    assert len(_entries(cache)) == 1


def test_the_shipped_corpus_reads_back_finding_for_finding(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cold = _validate(capsys, "--format", "json")
    entry = validation_cache.entry(resources.data_dir(), resources.ontology_dir(), resources.shapes_dir(), "rudof")
    assert entry.path is not None and entry.path.exists()
    report, counts = entry.read() or (None, None)
    assert report is not None and len(report.results) > 1000
    assert any(f.source_line for f in report.results) and any(f.sentence for f in report.results)
    assert counts is not None and counts["obligations"] > 100
    assert _validate(capsys, "--format", "json") == cold


def test_a_warm_run_builds_no_store_and_imports_no_engine(cache: Path, fixture_data: Path) -> None:
    env = {**os.environ, "AKG_CACHE_DIR": str(cache)}
    command = [sys.executable, "-m", "akg_cli", "validate", "--data", str(fixture_data), "--format", "json"]
    cold = subprocess.run(command, capture_output=True, env=env, check=False)
    probe = (
        "import sys, akg_cli\n"
        f"status = akg_cli.main(['validate', '--data', {str(fixture_data)!r}, '--format', 'json'])\n"
        "loaded = sorted(m for m in ('pyrudof', 'pyshacl') if m in sys.modules)\n"
        "print('engines:', loaded, file=sys.stderr)\n"
        "sys.exit(status)\n"
    )
    warm = subprocess.run([sys.executable, "-c", probe], capture_output=True, env=env, check=False)
    assert (warm.returncode, warm.stdout) == (cold.returncode, cold.stdout)
    assert b"engines: []" in warm.stderr


def test_a_changed_annotation_file_or_engine_validates_afresh(
    cache: Path, fixture_data: Path, validations: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    _validate(capsys, "--data", str(fixture_data), "--format", "json")
    path = fixture_data / DOCUMENT
    text = path.read_text(encoding="utf-8")
    assert "role: lead" in text
    path.write_text(text.replace("role: lead", "role: supporting", 1), encoding="utf-8")
    after = _validate(capsys, "--data", str(fixture_data), "--format", "json")
    _validate(capsys, "--data", str(fixture_data), "--format", "json", "--engine", "pyshacl")
    fresh = _validate(capsys, "--data", str(fixture_data), "--format", "json", "--no-cache")
    assert validations == ["rudof", "rudof", "pyshacl", "rudof"]
    assert after == fresh
    assert len(_entries(cache)) == 3


def test_a_changed_shapes_file_gives_another_key(tmp_path: Path) -> None:
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    for file in resources.shapes_dir().glob("*.ttl"):
        (shapes / file.name).write_bytes(file.read_bytes())
    key = validation_cache.validation_key(FIXTURE := resources.data_dir(), resources.ontology_dir(), shapes, "rudof")
    first = sorted(shapes.glob("*.ttl"))[0]
    first.write_bytes(first.read_bytes() + b"\n# a comment\n")
    assert validation_cache.validation_key(FIXTURE, resources.ontology_dir(), shapes, "rudof") != key
    assert validation_cache.validation_key(FIXTURE, resources.ontology_dir(), shapes, "pyshacl") != key


@pytest.mark.parametrize("damage", ["truncate", "flip", "layout"])
def test_a_damaged_entry_is_discarded_not_trusted(
    cache: Path, fixture_data: Path, validations: list[str], capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    import hashlib

    first = _validate(capsys, "--data", str(fixture_data), "--format", "json")
    (entry,) = _entries(cache)
    content = entry.read_bytes()
    if damage == "truncate":
        entry.write_bytes(content[: len(content) // 2])
    elif damage == "flip":
        entry.write_bytes(content.replace(b"Violation", b"Info", 1))
    else:  # a well-formed checksum over a body of another layout
        body = b'{"counts": {}, "findings": [{"severity": "Violation"}]}'
        header = content.partition(b"\n")[0].rsplit(b" ", 1)[0]
        entry.write_bytes(header + b" " + hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
    second = _validate(capsys, "--data", str(fixture_data), "--format", "json")
    assert second == first
    assert validations == ["rudof", "rudof"]
    assert entry.read_bytes() == content  # written afresh


def test_no_cache_and_off_write_no_entry(
    cache: Path, fixture_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _validate(capsys, "--data", str(fixture_data), "--no-cache")
    assert _entries(cache) == []
    monkeypatch.setenv("AKG_CACHE_DIR", "off")
    _validate(capsys, "--data", str(fixture_data))
    assert not cache.exists() or _entries(cache) == []
