"""Writing outputs: deterministic graph serialisations, and files replaced atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rdflib import Graph


def serialize(graph: Graph, fmt: str) -> bytes:
    """``fmt`` is an rdflib format name (turtle, json-ld, nt).

    rdflib's Turtle writer sorts subjects and predicates; N-Triples lines are sorted here; JSON-LD
    is written from a sorted N-Triples reparse so that object order is stable.
    """
    if fmt == "nt":
        lines = graph.serialize(format="nt", encoding="utf-8").decode().splitlines()
        return ("\n".join(sorted(line for line in lines if line.strip())) + "\n").encode()
    if fmt == "json-ld":
        import json

        data = json.loads(graph.serialize(format="json-ld", encoding="utf-8"))
        nodes = data if isinstance(data, list) else data.get("@graph", [data])
        nodes = sorted(nodes, key=lambda n: n.get("@id", ""))
        for node in nodes:
            for key, value in node.items():
                if isinstance(value, list):
                    node[key] = sorted(value, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
        return (json.dumps(nodes, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    return graph.serialize(format=fmt, encoding="utf-8")


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path``.

    Readers see the old file or the new one, never a half-written one; a failure leaves no temporary file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
