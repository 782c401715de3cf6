"""The build cache: an unchanged corpus is served from the cache, any change to the inputs (or to akg) rebuilds
it, a damaged entry is never trusted, and bad input always reaches the loader."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

import akg
from akg import build_cache, store
from akg.store import build_graph, counts, open_store
from akg_cli import main
from loader.errors import LoadError

DOCUMENT = "documents/county-notice-2024/document.yaml"


@pytest.fixture
def loader_runs(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The data folders the loader was run on, in order."""
    runs: list[Path] = []
    load = store.load_data_folder

    def counted(data_dir: Path, ontology_dir: Path) -> Graph:
        runs.append(data_dir)
        return load(data_dir, ontology_dir)

    monkeypatch.setattr(store, "load_data_folder", counted)
    return runs


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.nt"))


def test_an_unchanged_corpus_is_served_from_the_cache(
    cache: Path, fixture_data: Path, loader_runs: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    built = build_graph(fixture_data)
    assert len(loader_runs) == 1 and len(_entries(cache)) == 1

    def refuse(*args: object) -> Graph:
        raise AssertionError("the loader ran although the inputs are unchanged")

    monkeypatch.setattr(store, "load_data_folder", refuse)
    cached = build_graph(fixture_data)
    assert isomorphic(cached, built)
    assert sorted(cached.namespaces()) == sorted(built.namespaces())  # so `akg build` writes the same prefixes
    assert counts(open_store(fixture_data))["obligations"] == 6


def test_the_shipped_corpus_reads_back_from_the_cache_term_for_term(cache: Path) -> None:
    built = build_graph()
    cached = build_graph()
    assert built is not cached
    assert set(cached) == set(built)  # blank nodes keep their labels
    assert isomorphic(open_store().export(), built)


def test_changing_one_data_file_rebuilds(cache: Path, fixture_data: Path, loader_runs: list[Path]) -> None:
    build_graph(fixture_data)
    path = fixture_data / DOCUMENT
    path.write_text(path.read_text().replace("school places", "school seats", 1))
    graph = build_graph(fixture_data)
    assert len(loader_runs) == 2
    assert any("school seats" in str(o) for o in graph.objects())
    assert len(_entries(cache)) == 2


def test_a_new_version_of_akg_rebuilds(
    cache: Path, fixture_data: Path, loader_runs: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    build_graph(fixture_data)
    monkeypatch.setattr(akg, "__version__", akg.__version__ + ".post1")
    build_graph(fixture_data)
    assert len(loader_runs) == 2


@pytest.mark.parametrize("damage", ["corrupted", "cut short", "empty"])
def test_a_damaged_entry_is_rebuilt_not_trusted(
    cache: Path, fixture_data: Path, loader_runs: list[Path], damage: str
) -> None:
    built = build_graph(fixture_data)
    (entry,) = _entries(cache)
    content = entry.read_bytes()
    if damage == "corrupted":  # one object changed, as a bad disk or a stray edit would
        content = content.replace(b"Test County", b"Test Countz", 1)
    elif damage == "cut short":
        content = content[: len(content) // 2]
    else:
        content = b""
    entry.write_bytes(content)
    rebuilt = build_graph(fixture_data)
    assert len(loader_runs) == 2
    assert isomorphic(rebuilt, built)
    assert entry.read_bytes() != content  # rewritten whole
    build_graph(fixture_data)
    assert len(loader_runs) == 2  # and served from the cache again


def test_bad_input_is_never_cached(cache: Path, fixture_data: Path, loader_runs: list[Path]) -> None:
    path = fixture_data / DOCUMENT
    path.write_text(path.read_text().replace("language: en", "language: english", 1))
    for _ in range(2):
        with pytest.raises(LoadError, match=rf"{DOCUMENT}:\d+: "):
            build_graph(fixture_data)
    assert len(loader_runs) == 2
    assert _entries(cache) == []


def test_the_cache_keeps_the_most_recently_used_entries(
    cache: Path, fixture_data: Path, loader_runs: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build_cache, "KEPT", 2)
    path = fixture_data / DOCUMENT
    original = path.read_text()
    for title in ("first", "second", "third"):
        path.write_text(original.replace("school places", f"school places ({title})", 1))
        build_graph(fixture_data)
    assert len(_entries(cache)) == 2
    path.write_text(original.replace("school places", "school places (third)", 1))
    build_graph(fixture_data)
    assert len(loader_runs) == 3  # the newest entry is still there


def test_the_cache_can_be_turned_off(
    tmp_path: Path, fixture_data: Path, loader_runs: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AKG_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    first, second = build_graph(fixture_data), build_graph(fixture_data)
    assert len(loader_runs) == 2 and isomorphic(first, second)
    assert not (tmp_path / "xdg").exists() and not (tmp_path / "home").exists()


def test_no_cache_flag_builds_afresh(
    cache: Path, fixture_data: Path, loader_runs: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_graph(fixture_data)
    (entry,) = _entries(cache)  # a valid entry, which the flag must neither read nor replace
    out = tmp_path / "graph.nt"
    assert main(["build", "--data", str(fixture_data), "--format", "nt", "-o", str(out), "--no-cache"]) == 0
    assert main(["validate", "--data", str(fixture_data), "--format", "json", "--no-cache"]) in (0, 1)
    assert len(loader_runs) == 3
    assert _entries(cache) == [entry]
    assert len(Graph().parse(out, format="nt")) == len(build_graph(fixture_data))
    assert len(loader_runs) == 3  # the flag turned the cache off for that command only
    capsys.readouterr()


def test_where_the_cache_lives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("AKG_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert build_cache.cache_dir() == tmp_path / "home" / ".cache" / "akg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert build_cache.cache_dir() == tmp_path / "xdg" / "akg"
    monkeypatch.setenv("AKG_CACHE_DIR", str(tmp_path / "mine"))
    assert build_cache.cache_dir() == tmp_path / "mine"
    monkeypatch.setenv("AKG_CACHE_DIR", "OFF")
    assert build_cache.cache_dir() is None


def test_export_gives_what_parsing_the_stores_dump_gives(shipped_store: store.OxigraphStore) -> None:
    dump = shipped_store._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    assert isomorphic(shipped_store.export(), Graph().parse(data=dump, format="nt"))


def test_the_test_suite_has_a_cache_of_its_own() -> None:
    own = build_cache.cache_dir()  # set by conftest.py before any build
    assert own is not None and own.name.startswith("akg-test-cache-")
