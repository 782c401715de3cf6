"""Deterministic serialisation of a graph: the same graph always gives the same bytes."""

from __future__ import annotations

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
