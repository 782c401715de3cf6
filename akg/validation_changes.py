"""Incremental validation of a change: validate only the nodes a change can affect, with a full run's findings.

Contract:

* :func:`validate_change` takes the graph before and after a change (N-Triples, as :func:`akg.store.corpus_ntriples`
  gives them: an annotation file edited and the corpus rebuilt) and returns the affected focus nodes and the
  findings on them. Those findings are exactly a full run's on the graph after, restricted to the affected
  nodes; a full run's findings on every other node are the same before and after the change.
* The affected nodes are those whose validation can read a changed triple: the subject and object of every
  triple added or removed, and every node within :attr:`akg.validation_shards.Reach.depth` steps of them
  against the direction the shapes read in (a node reads a forward property's object and a backward property's
  subject). A path from a node to the first changed triple it reads runs over unchanged triples only, so the
  graph after holds it; searching that graph is enough.
* The affected nodes are then validated as a shard is (:mod:`akg.validation_shards`): on every triple they can
  read, keeping the findings on them.
"""

from __future__ import annotations

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
    old, new = _lines(before), _lines(after)
    touched = {node for line in old ^ new for node in _ends(line)}
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


def _lines(ntriples: bytes) -> set[bytes]:
    return {line for line in ntriples.splitlines() if line and not line.startswith(b"#")}


def _ends(line: bytes) -> list[bytes]:
    """The subject and, unless it is a literal, the object of an N-Triples line."""
    subject, _predicate, rest = line.split(b" ", 2)
    rest = rest.rstrip()
    obj = rest[: rest.rindex(b" ")].strip() if rest.endswith(b".") else rest
    return [subject, obj] if obj[:1] in (b"<", b"_") else [subject]
