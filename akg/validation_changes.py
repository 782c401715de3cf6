"""Incremental validation of a change: validate only the nodes a change can affect, with a full run's findings.

Contract:

* :func:`validate_change` takes the graph before and after a change (N-Triples, as :func:`akg.store.corpus_ntriples`
  gives them: an annotation file edited and the corpus rebuilt) and returns the affected focus nodes and the
  findings on them. Those findings are exactly a full run's on the graph after, restricted to the affected
  nodes; a full run's findings on every other node are the same before and after the change.
* The affected nodes are those whose validation can read a changed triple: the node whose visit reads a
  triple added or removed (its subject for a forward property, its object for a backward one:
  :class:`akg.validation_shards.Reach`), and every node within ``depth`` steps of those against the direction
  the shapes read in (a node reads a forward property's object and a backward property's subject). A path
  from a node to the first changed triple it reads runs over unchanged triples only, so the graph after holds
  it; searching that graph is enough. A build names blank nodes afresh, so a triple with a blank node counts
  as changed only when the triples with their blank-node labels masked differ.
* The affected nodes are then validated as a shard is (:mod:`akg.validation_shards`): on every triple they can
  read, keeping the findings on them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from akg import validation as _v
from akg.validation_shards import CorpusIndex, findings_on, focus_text, reach_of

__all__ = ["ChangeValidation", "validate_change"]


@dataclass(frozen=True)
class ChangeValidation:
    """The nodes a change can affect (as findings name them) and the findings on them."""

    affected: frozenset[str]
    report: _v.ValidationReport


def validate_change(
    before: bytes, after: bytes, shapes_dir: Path, *, engine: str = _v.DEFAULT_ENGINE
) -> ChangeValidation:
    """Validate what changed from the graph ``before`` to the graph ``after`` (see the module docstring).

    Raises :class:`akg.validation_shards.ShardingRefused` when the shapes have no bounded reach.
    """
    shapes = _v.load_shapes(shapes_dir)
    reach = reach_of(shapes)
    forward = {f"<{p}>".encode() for p in reach.forward}
    backward = {f"<{p}>".encode() for p in reach.backward}
    touched = {node for line in _changed(before, after) for node in _readers_of(line, forward, backward)}
    index = CorpusIndex(after, reach, with_readers=True)
    affected, frontier = set(touched), set(touched)
    for _ in range(reach.depth):
        frontier = {reader for node in frontier for reader in index.readers.get(node, ())} - affected
        affected |= frontier
        if not frontier:
            break
    focus = frozenset(focus_text(node) for node in affected)
    if not affected:
        return ChangeValidation(focus, _v._report([]))
    graph = index.neighbourhood(sorted(affected), reach.depth)
    return ChangeValidation(focus, _v._report(findings_on(graph, focus, shapes, engine)))


_BLANK = re.compile(rb"_:[A-Za-z0-9]+")


def _changed(before: bytes, after: bytes) -> set[bytes]:
    """The triples added or removed. A build names blank nodes afresh (the ontology's, say), so triples with blank
    nodes count as changed only when the triples with their labels masked differ (as multisets)."""
    old, new = _lines(before), _lines(after)
    changed = {line for line in old ^ new if b"_:" not in line}
    old_blank = Counter(_BLANK.sub(b"_:", line) for line in old if b"_:" in line)
    new_blank = Counter(_BLANK.sub(b"_:", line) for line in new if b"_:" in line)
    if old_blank != new_blank:
        differing = {masked for masked in old_blank | new_blank if old_blank[masked] != new_blank[masked]}
        changed |= {line for line in old | new if b"_:" in line and _BLANK.sub(b"_:", line) in differing}
    return changed


def _lines(ntriples: bytes) -> set[bytes]:
    return {line for line in ntriples.splitlines() if line and not line.startswith(b"#")}


def _readers_of(line: bytes, forward: set[bytes], backward: set[bytes]) -> list[bytes]:
    """The node whose visit reads the triple of ``line``: the subject of a forward property, the object of a
    backward one (both, for a property followed both ways; none, for a property no shape reads)."""
    subject, predicate, rest = line.split(b" ", 2)
    rest = rest.rstrip()
    obj = rest[: rest.rindex(b" ")].strip() if rest.endswith(b".") else rest
    readers = [subject] if predicate in forward else []
    if predicate in backward and obj[:1] in (b"<", b"_"):
        readers.append(obj)
    return readers
