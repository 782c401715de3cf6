"""The one place the graph lives. Everything above the loader reads the graph through here.

The default store is embedded (pyoxigraph): in memory, or persistent in a folder so that a
restart skips rebuilding when no input changed. Callers use the :class:`GraphStore` protocol only
(``select`` and ``export``), so a remote SPARQL 1.1 endpoint can be added behind it later.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rdflib import Graph

from akg import resources
from loader.build import load_data_folder, new_graph
from loader.vocabulary import read_ontology

Value = str | int | float | bool | dt.date | None

_XSD = "http://www.w3.org/2001/XMLSchema#"
_CONVERT = {
    _XSD + "integer": int,
    _XSD + "int": int,
    _XSD + "decimal": float,
    _XSD + "double": float,
    _XSD + "boolean": lambda v: v == "true",
    _XSD + "date": dt.date.fromisoformat,
}


class GraphStore(Protocol):
    """What the layers above may ask of a store."""

    def select(self, query: str) -> list[dict[str, Value]]:
        """Run a SPARQL SELECT; each row maps variable names to Python values (IRIs as strings)."""
        ...

    def export(self) -> Graph:
        """The whole graph, ontology included, as an rdflib graph."""
        ...

    def __len__(self) -> int: ...


def _python(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Value:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        convert = _CONVERT.get(term.datatype.value)
        if convert:
            try:
                return convert(term.value)
            except ValueError:
                return term.value
        return term.value
    return term.value


class OxigraphStore:
    """An embedded pyoxigraph store, in memory (``path=None``) or on disk."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._store = ox.Store(str(path)) if path else ox.Store()

    def replace(self, graph: Graph) -> None:
        """Replace the whole content with ``graph``."""
        self._store.clear()
        self._store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
        if self.path:
            self._store.flush()

    def select(self, query: str) -> list[dict[str, Value]]:
        solutions = self._store.query(query)
        names = [v.value for v in solutions.variables]
        return [{name: _python(row[name]) for name in names} for row in solutions]

    def export(self) -> Graph:
        graph = new_graph()
        graph.parse(data=self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()), format="nt")
        return graph

    def __len__(self) -> int:
        return len(self._store)


def build_graph(data_dir: Path | None = None, ontology_dir: Path | None = None) -> Graph:
    """The full graph of a data folder: the ontology plus every document's instances.

    Raises ``loader.errors.LoadError`` on bad input.
    """
    ontology_dir = ontology_dir or resources.ontology_dir()
    graph = load_data_folder(data_dir or resources.data_dir(), ontology_dir)
    graph += read_ontology(ontology_dir)
    return graph


def _fingerprint(folders: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def open_store(
    data_dir: Path | None = None, ontology_dir: Path | None = None, location: Path | None = None
) -> OxigraphStore:
    """Load a data folder into a store.

    With ``location``, the store persists there and is reused while the inputs (data and
    ontology files) are unchanged; a rebuild is written beside it and swapped in only when complete.
    """
    data_dir, ontology_dir = data_dir or resources.data_dir(), ontology_dir or resources.ontology_dir()
    if location is None:
        store = OxigraphStore()
        store.replace(build_graph(data_dir, ontology_dir))
        return store
    fingerprint = _fingerprint([data_dir, ontology_dir])
    stamp = location / "akg-inputs.sha256"
    if stamp.exists() and stamp.read_text().strip() == fingerprint:
        return OxigraphStore(location / "oxigraph")
    graph = build_graph(data_dir, ontology_dir)  # raises before anything on disk changes
    location.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="akg-store-", dir=location))
    fresh = OxigraphStore(staging / "oxigraph")
    fresh.replace(graph)
    del fresh  # release the folder's lock before moving it
    shutil.rmtree(location / "oxigraph", ignore_errors=True)
    (staging / "oxigraph").rename(location / "oxigraph")
    shutil.rmtree(staging, ignore_errors=True)
    stamp.write_text(fingerprint + "\n")
    return OxigraphStore(location / "oxigraph")


def counts(store: GraphStore) -> dict[str, int]:
    """How many documents, provisions, obligations, organisations, citations and assignments."""
    query = """
        PREFIX akg: <https://w3id.org/akg/ontology#>
        SELECT ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE {
          VALUES (?kind ?class) {
            ("documents" akg:PolicyDocument) ("provisions" akg:Provision) ("obligations" akg:Obligation)
            ("citations" akg:Citation) ("assignments" akg:Assignment) ("cited_documents" akg:CitedDocument)
          }
          ?s a ?class .
        } GROUP BY ?kind"""
    result = {"documents": 0, "provisions": 0, "obligations": 0, "organizations": 0, "citations": 0}
    result.update({row["kind"]: row["n"] for row in store.select(query)})
    orgs = """
        PREFIX akg: <https://w3id.org/akg/ontology#>
        SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {
          VALUES ?class { akg:Department akg:Institution akg:Government akg:OtherBody } ?o a ?class }"""
    result["organizations"] = store.select(orgs)[0]["n"]
    return result
