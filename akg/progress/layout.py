"""What an on-disk store folder holds (``akg serve --store DIR``), so that no module hard-codes the names.

``DIR/`` holds:

- ``oxigraph/``: the pyoxigraph (RocksDB) store. The corpus is its default graph; reports and the audit
  trail are its named graphs (``loader.namespaces.REPORTS_GRAPH`` and ``AUDIT_GRAPH``). One process at a
  time may open it for writing: RocksDB locks ``oxigraph/LOCK`` while a server runs.
- ``akg-inputs.sha256``: the fingerprint of the data and ontology files the corpus was built from; a
  changed input means the corpus is rebuilt (see :func:`akg.store.open_store`).
- ``tokens.sqlite``: the bearer tokens (:mod:`akg.progress.tokens`), only hashes of their secrets.
  Credentials never enter the RDF graph. SQLite in WAL mode also keeps ``tokens.sqlite-wal`` and
  ``tokens.sqlite-shm`` beside it while in use.

:mod:`akg.progress.backup` copies exactly these into one archive.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from akg.accountability.index import ORGANIZATION_KINDS
from akg.store import GRAPH_FOLDER, STAMP_FILE, OxigraphStore

#: A SELECT of ``?id``: every organisation's id, sorted (for a store that has the graph in memory).
ORGANIZATION_IDS = f"""
    SELECT DISTINCT ?id WHERE {{
      VALUES ?class {{ {" ".join(f"<{iri}>" for iri in ORGANIZATION_KINDS)} }}
      ?o a ?class ; <https://w3id.org/akg/ontology#identifier> ?id .
    }} ORDER BY ?id"""


@dataclass(frozen=True)
class StoreLayout:
    """The paths inside the store folder ``root`` (nothing is created here)."""

    root: Path

    @property
    def oxigraph(self) -> Path:
        return self.root / GRAPH_FOLDER

    @property
    def stamp(self) -> Path:
        return self.root / STAMP_FILE

    @property
    def tokens(self) -> Path:
        return self.root / "tokens.sqlite"


class StoreInUse(Exception):
    """The graph of a store folder is open for writing in another process (a running ``akg serve``)."""

    def __init__(self, layout: StoreLayout) -> None:
        super().__init__(
            f"the store {layout.root} is open in another process (a running `akg serve --store`?); stop it first"
        )
        self.layout = layout


def open_graph(layout: StoreLayout) -> ox.Store:
    """The store's graph, opened for writing (which takes its lock). Raises :class:`StoreInUse` if it is held.

    Only an existing graph is opened: raises ``FileNotFoundError`` when ``oxigraph/`` is missing.
    """
    if not layout.oxigraph.is_dir():
        raise FileNotFoundError(f"{layout.root} holds no graph ({layout.oxigraph.name}/ is missing)")
    try:
        return ox.Store(str(layout.oxigraph))
    except OSError as exc:
        if "lock" in str(exc).lower():
            raise StoreInUse(layout) from None
        raise


def organization_ids(layout: StoreLayout) -> list[str] | None:
    """The ids of the organisations in the store's graph, sorted; None when the folder holds no graph yet.

    Works while a server holds the store: then the graph is opened read-only. pyoxigraph leaves reading
    beside a writer undefined; what can go wrong is an ``OSError`` when RocksDB compacts away a file being
    read, never harm to the writer's data (a read-only open writes nothing), and the corpus (the default
    graph read here) is not written while a server runs.
    """
    try:
        graph = open_graph(layout)
    except FileNotFoundError:
        return None
    except StoreInUse:
        graph = ox.Store.read_only(str(layout.oxigraph))
    try:
        return [row["id"].value for row in graph.query(ORGANIZATION_IDS)]
    finally:
        del graph  # releases the lock


def open_existing(layout: StoreLayout) -> OxigraphStore:
    """The store folder's graph as it is on disk (no rebuild of the corpus), for the commands that read or
    write a folder a server is not running on. Raises :class:`StoreInUse` or ``FileNotFoundError``."""
    graph = open_graph(layout)  # the checks and their messages; its lock is released just below
    del graph
    return OxigraphStore(layout.oxigraph)
