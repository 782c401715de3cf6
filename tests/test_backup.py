"""``akg backup`` and ``akg restore``: every quad of every graph and every token come back, or nothing is written."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import signal
import subprocess
import sys
import tarfile
from pathlib import Path

import pyoxigraph as ox
import pytest

from akg.progress.layout import StoreLayout
from akg.progress.tokens import Role, TokenRegistry
from akg_cli import main
from loader.namespaces import AUDIT_GRAPH, REPORTS_GRAPH
from tests.test_tokens import holding

EX = "https://example.org/"


def make_store(root: Path) -> tuple[set[str], dict[str, str]]:
    """A store folder with quads in the default graph and both named graphs, and tokens (one revoked).

    Returns the quads (as N-Quads lines) and the token texts by role.
    """
    layout = StoreLayout(root)
    root.mkdir(parents=True)
    graph = ox.Store(str(layout.oxigraph))
    blank = ox.BlankNode()
    quads = [
        ox.Quad(ox.NamedNode(EX + "doc"), ox.NamedNode(EX + "title"), ox.Literal("关于儿童福利", language="zh")),
        ox.Quad(
            ox.NamedNode(EX + "report/1"),
            ox.NamedNode(EX + "status"),
            ox.NamedNode(EX + "done"),
            ox.NamedNode(str(REPORTS_GRAPH)),
        ),
        ox.Quad(
            ox.NamedNode(EX + "report/1"),
            ox.NamedNode(EX + "reportedOn"),
            ox.Literal("2022-11-18", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
            ox.NamedNode(str(REPORTS_GRAPH)),
        ),
        ox.Quad(ox.NamedNode(EX + "audit/1"), ox.NamedNode(EX + "used"), blank, ox.NamedNode(str(AUDIT_GRAPH))),
        ox.Quad(blank, ox.NamedNode(EX + "note"), ox.Literal('a "quoted"\nline'), ox.NamedNode(str(AUDIT_GRAPH))),
    ]
    graph.extend(quads)
    graph.flush()
    del graph
    layout.stamp.write_text("0" * 64 + "\n")
    registry = TokenRegistry(layout.tokens)
    tokens = {role.value: registry.issue("civil-affairs@420100", role).text for role in Role}
    registry.revoke(tokens["admin"].split("_")[1])
    return nquads(root), tokens


def nquads(root: Path) -> set[str]:
    graph = ox.Store.read_only(str(StoreLayout(root).oxigraph))
    return {str(quad) for quad in graph}


def siblings(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_a_round_trip_keeps_every_quad_of_every_graph_and_every_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    quads, tokens = make_store(tmp_path / "store")
    archive = tmp_path / "backups" / "store.tar.gz"
    assert main(["backup", str(tmp_path / "store"), str(archive)]) == 0
    assert "5 quads" in capsys.readouterr().err
    assert main(["restore", str(archive), str(tmp_path / "elsewhere" / "store")]) == 0
    assert "3 tokens" in capsys.readouterr().err
    restored = StoreLayout(tmp_path / "elsewhere" / "store")
    assert nquads(restored.root) == quads
    graphs = {str(quad.graph_name) for quad in ox.Store.read_only(str(restored.oxigraph))}
    assert graphs == {str(ox.DefaultGraph()), f"<{REPORTS_GRAPH}>", f"<{AUDIT_GRAPH}>"}
    registry = TokenRegistry(restored.tokens)
    assert registry.list() == TokenRegistry(StoreLayout(tmp_path / "store").tokens).list()
    assert registry.authenticate(tokens["reporter"]).role == Role.REPORTER
    assert registry.authenticate(tokens["reviewer"]).role == Role.REVIEWER
    with pytest.raises(Exception, match="revoked"):
        registry.authenticate(tokens["admin"])
    assert restored.stamp.read_text() == "0" * 64 + "\n"
    assert ox.Store(str(restored.oxigraph)) is not None  # a working store that a server can open for writing
    assert siblings(tmp_path / "elsewhere") == {"store"}


def test_the_archive_holds_a_manifest_with_a_hash_of_every_member(tmp_path: Path) -> None:
    make_store(tmp_path / "store")
    archive = tmp_path / "store.tar.gz"
    assert main(["backup", str(tmp_path / "store"), str(archive)]) == 0
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert names[0] == "manifest.json"
    assert set(manifest["members"]) == set(names[1:])
    assert {"tokens.sqlite", "akg-inputs.sha256"} <= set(names) and any(n.startswith("oxigraph/") for n in names)
    assert (manifest["format"], manifest["format_version"], manifest["quads"]) == ("akg-backup", 1, 5)
    assert all(len(m["sha256"]) == 64 for m in manifest["members"].values())
    assert oct(archive.stat().st_mode & 0o777) == oct(0o600)  # it holds the token hashes


_WRITE_AND_DIE = """
import os, signal, sys, pyoxigraph as ox
store = ox.Store(sys.argv[1])
store.add(ox.Quad(ox.NamedNode("https://example.org/late"), ox.NamedNode("https://example.org/p"), ox.Literal("x"),
                  ox.NamedNode(sys.argv[2])))
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_writes_still_only_in_the_write_ahead_log_are_backed_up(tmp_path: Path) -> None:
    quads, _ = make_store(tmp_path / "store")
    layout = StoreLayout(tmp_path / "store")
    died = subprocess.run([sys.executable, "-c", _WRITE_AND_DIE, str(layout.oxigraph), str(REPORTS_GRAPH)], check=False)
    assert died.returncode == -signal.SIGKILL
    assert main(["backup", str(layout.root), str(tmp_path / "b.tar.gz")]) == 0
    assert main(["restore", str(tmp_path / "b.tar.gz"), str(tmp_path / "restored")]) == 0
    late = f'<{EX}late> <{EX}p> "x" <{REPORTS_GRAPH}>'
    assert nquads(tmp_path / "restored") == quads | {late}


def test_backup_refuses_while_a_server_holds_the_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_store(tmp_path / "store")
    with holding(StoreLayout(tmp_path / "store")):
        assert main(["backup", str(tmp_path / "store"), str(tmp_path / "b.tar.gz")]) == 1
    err = capsys.readouterr().err
    assert "open in another process" in err and "Traceback" not in err
    assert siblings(tmp_path) == {"store"}
    assert not any(p.name.startswith(".backup-") for p in (tmp_path / "store").iterdir())


def test_backup_of_a_folder_that_is_not_a_store_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["backup", str(tmp_path / "empty"), str(tmp_path / "b.tar.gz")]) == 1
    assert "not an akg store folder" in capsys.readouterr().err
    assert not (tmp_path / "b.tar.gz").exists()


def test_restore_refuses_a_folder_that_is_not_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_store(tmp_path / "store")
    assert main(["backup", str(tmp_path / "store"), str(tmp_path / "b.tar.gz")]) == 0
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "notes.txt").write_text("keep me")
    capsys.readouterr()
    assert main(["restore", str(tmp_path / "b.tar.gz"), str(occupied)]) == 1
    err = capsys.readouterr().err
    assert "is not empty" in err and "--force" in err and "Traceback" not in err
    assert siblings(occupied) == {"notes.txt"}
    assert siblings(tmp_path) == {"store", "b.tar.gz", "occupied"}
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["restore", str(tmp_path / "b.tar.gz"), str(empty)]) == 0  # an empty folder is fine
    assert StoreLayout(empty).tokens.exists()


def test_restore_force_replaces_the_folder_whole(tmp_path: Path) -> None:
    quads, tokens = make_store(tmp_path / "store")
    assert main(["backup", str(tmp_path / "store"), str(tmp_path / "b.tar.gz")]) == 0
    _, old_tokens = make_store(tmp_path / "target")
    with holding(StoreLayout(tmp_path / "target")):  # not while a server has it open
        assert main(["restore", "--force", str(tmp_path / "b.tar.gz"), str(tmp_path / "target")]) == 1
    assert TokenRegistry(StoreLayout(tmp_path / "target").tokens).authenticate(old_tokens["reporter"])
    assert main(["restore", "--force", str(tmp_path / "b.tar.gz"), str(tmp_path / "target")]) == 0
    assert nquads(tmp_path / "target") == quads
    registry = TokenRegistry(StoreLayout(tmp_path / "target").tokens)
    assert registry.authenticate(tokens["reporter"]).role == Role.REPORTER
    with pytest.raises(Exception, match="not known"):
        registry.authenticate(old_tokens["reporter"])
    assert siblings(tmp_path) == {"store", "b.tar.gz", "target"}  # no staging or replaced folder left behind


def flipped(archive: Path, at: float) -> bytes:
    data = bytearray(archive.read_bytes())
    index = int(len(data) * at) if at >= 0 else len(data) + int(at)
    data[index] ^= 0x10
    return bytes(data)


@pytest.mark.parametrize("at", [0.05, 0.3, 0.6, 0.95, -6, -2])  # in the compressed data, then gzip's CRC and length
def test_a_corrupted_archive_is_refused_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], at: float
) -> None:
    make_store(tmp_path / "store")
    good = tmp_path / "good.tar.gz"
    assert main(["backup", str(tmp_path / "store"), str(good)]) == 0
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(flipped(good, at))
    capsys.readouterr()
    assert main(["restore", str(bad), str(tmp_path / "restored")]) == 1
    err = capsys.readouterr().err
    assert "damaged" in err and str(bad) in err and "Traceback" not in err
    assert siblings(tmp_path) == {"store", "good.tar.gz", "bad.tar.gz"}


def test_a_file_that_is_no_backup_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.tar.gz").write_bytes(b"not an archive")
    plain = io.BytesIO()
    with gzip.GzipFile(fileobj=plain, mode="wb") as compressed, tarfile.open(fileobj=compressed, mode="w") as tar:
        info = tarfile.TarInfo("hello.txt")
        tar.addfile(info, io.BytesIO(b""))
    (tmp_path / "other.tar.gz").write_bytes(plain.getvalue())
    for name in ("notes.tar.gz", "other.tar.gz", "missing.tar.gz"):
        assert main(["restore", str(tmp_path / name), str(tmp_path / "restored")]) == 1
    err = capsys.readouterr().err
    assert "not an akg backup" in err and "no such backup file" in err and "Traceback" not in err
    assert not (tmp_path / "restored").exists()


def test_an_archive_that_names_a_path_outside_the_store_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = b"planted"
    manifest = {
        "format": "akg-backup",
        "format_version": 1,
        "created": "2024-01-01T00:00:00+00:00",
        "akg_version": "0",
        "quads": 0,
        "tokens": 0,
        "members": {"../planted.txt": {"size": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}},
    }
    plain = io.BytesIO()
    with gzip.GzipFile(fileobj=plain, mode="wb") as compressed, tarfile.open(fileobj=compressed, mode="w") as tar:
        for name, data in (("manifest.json", json.dumps(manifest).encode()), ("../planted.txt", payload)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    (tmp_path / "evil.tar.gz").write_bytes(plain.getvalue())
    (tmp_path / "inner").mkdir()
    assert main(["restore", str(tmp_path / "evil.tar.gz"), str(tmp_path / "inner" / "store")]) == 1
    assert "not a safe akg backup" in capsys.readouterr().err
    assert siblings(tmp_path) == {"evil.tar.gz", "inner"} and siblings(tmp_path / "inner") == set()
