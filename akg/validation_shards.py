"""Sharded validation: the graph is cut into shards that separate processes validate, with the same findings.

Contract:

* :func:`reach_of` reads the shapes and says what validating one focus node can read: how many steps away
  from it (``depth``), the properties it follows forwards (``forward``: every property a path names, those of
  ``sh:targetSubjectsOf`` and of the comparisons, ``rdf:type`` for ``sh:class`` and the targets, and what the
  findings' file, line and context are read from) and backwards (``backward``: inverse path steps and the
  properties of ``sh:targetObjectsOf``). A shape with an unbounded path (``sh:zeroOrMorePath`` and the like),
  a closed shape or a cycle of shape references has no bound: :class:`ShardingRefused` is raised, and the graph
  is validated in one process.
* Every node of the graph (subject or object, not a literal) belongs to exactly one unit (:func:`unit_of`):
  a document (``…/id/doc/<id>/…``), a province's jurisdictions and their bodies (``…/id/jurisdiction/<code>``,
  ``…/id/org/<name>@<code>``, by the code's first two digits), or the shared context (ontology, concept
  schemes, registries, blank nodes). :func:`plan` packs the units into shards by size, deterministically.
* A shard's graph (:meth:`CorpusIndex.neighbourhood`) is every triple that validating its focus nodes can
  read: starting from the focus nodes, ``depth`` times, each node's triples through the forward properties and
  its incoming triples through the backward ones, plus every ``rdfs:subClassOf`` triple (``sh:class`` and
  ``sh:targetClass`` follow them). So a constraint that reaches into another shard (an ``sh:class`` check on
  an organisation of the registry, a deadline's document date) gets the triples it reads copied into the
  shard. Each shard keeps the findings whose focus node is one of its own; the union over the shards equals a
  one-process run.
* The findings' source file and line and the obligation's context are read within four steps of the focus
  node, so ``depth`` is at least 4.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from akg import validation as _v

__all__ = [
    "SHARD_TRIPLES",
    "CorpusIndex",
    "Reach",
    "ShardPlan",
    "ShardingRefused",
    "plan",
    "reach_of",
    "unit_of",
    "validate_sharded",
]

SH = _v.SH
#: The size a shard aims at, in triples of its own: rudof's time grows faster than the graph, so many small
#: shards validate faster than a few large ones.
SHARD_TRIPLES = 40_000
#: Steps the findings' file, line and context are read over (focus ← obligation → provision → document → id).
_CONTEXT_DEPTH = 4
_VALUE_SHAPES = (SH.node, SH.qualifiedValueShape, SH["not"])
_LIST_SHAPES = (SH["or"], SH["and"], SH.xone)
_FOCUS_READS = (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals)
_UNBOUNDED = (SH.zeroOrMorePath, SH.oneOrMorePath)
_SUBCLASS = f"<{RDFS.subClassOf}>".encode()
_UNIT = re.compile(
    rb"<https://w3id\.org/akg/id/(?:doc/(?P<doc>[^/>]+)|jurisdiction/(?P<place>\d{2})|org/[^@>]*@(?P<body>\d{2}))"
)
SHARED = "shared"


class ShardingRefused(ValueError):
    """The shapes have no bounded reach, so the graph cannot be cut into shards."""


@dataclass(frozen=True)
class Reach:
    """What validating one focus node can read: ``depth`` steps, forwards only through ``forward``, backwards only
    through ``backward``."""

    depth: int
    backward: frozenset[str]
    forward: frozenset[str]


def reach_of(shapes: Graph) -> Reach:
    """The reach of every targeted shape of ``shapes``; :class:`ShardingRefused` when one is unbounded."""
    if (None, SH.closed, None) in shapes:
        raise ShardingRefused("a closed shape (sh:closed) reads every property of its nodes")
    backward: set[str] = {str(p) for p in shapes.objects(None, SH.targetObjectsOf)}
    # rdf:type for sh:class and the targets; the resolution of a finding's file, line and context.
    forward: set[str] = {str(RDF.type), str(RDFS.subClassOf), *(str(p) for p in _v.RESOLUTION_PROPERTIES)}
    forward |= {str(p) for p in shapes.objects(None, SH.targetSubjectsOf)}
    forward |= {str(p) for prop in _FOCUS_READS for p in shapes.objects(None, prop)}
    reads = _Reads(forward, backward)
    depth = _CONTEXT_DEPTH
    targeted = {
        s
        for prop in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
        for s in shapes.subjects(prop, None)
    }
    targeted |= set(shapes.subjects(RDF.type, RDFS.Class)) & set(shapes.subjects(RDF.type, SH.NodeShape))
    for shape in sorted(targeted, key=str):
        depth = max(depth, _shape_reach(shapes, shape, reads, ()))
    return Reach(depth, frozenset(backward), frozenset(forward))


@dataclass(frozen=True)
class _Reads:
    forward: set[str]
    backward: set[str]


def _shape_reach(shapes: Graph, shape: Node, reads: _Reads, seen: tuple[Node, ...]) -> int:
    """Steps from a node that checking it against ``shape`` reads (1 = the node's own triples)."""
    if shape in seen:
        raise ShardingRefused(f"the shapes refer to each other in a cycle through {shape}")
    seen = (*seen, shape)
    if (shape, SH.path, None) in shapes:
        return _property_reach(shapes, shape, reads, seen)
    reach = 1
    for prop in shapes.objects(shape, SH.property):
        reach = max(reach, _property_reach(shapes, prop, reads, seen))
    for nested in _nested(shapes, shape):
        reach = max(reach, _shape_reach(shapes, nested, reads, seen))
    return reach


def _property_reach(shapes: Graph, shape: Node, reads: _Reads, seen: tuple[Node, ...]) -> int:
    steps = _path_length(shapes, shapes.value(shape, SH.path), reads)
    values = 1 if (shape, SH["class"], None) in shapes else 0
    for nested in _nested(shapes, shape):
        values = max(values, _shape_reach(shapes, nested, reads, seen))
    focus = 1 if any((shape, prop, None) in shapes for prop in _FOCUS_READS) else 0
    return max(steps + values, focus, 1)


def _nested(shapes: Graph, shape: Node) -> Iterator[Node]:
    for prop in _VALUE_SHAPES:
        yield from shapes.objects(shape, prop)
    for prop in _LIST_SHAPES:
        for members in shapes.objects(shape, prop):
            yield from Collection(shapes, members)


def _path_length(shapes: Graph, path: Node | None, reads: _Reads) -> int:
    if path is None:
        return 0
    if isinstance(path, URIRef):
        reads.forward.add(str(path))
        return 1
    if (path, RDF.first, None) in shapes:
        return sum(_path_length(shapes, step, reads) for step in Collection(shapes, path))
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        if not isinstance(inverse, URIRef):
            raise ShardingRefused(f"an inverse of a complex path ({path}) is not sharded")
        reads.backward.add(str(inverse))
        return 1
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return max((_path_length(shapes, step, reads) for step in Collection(shapes, alternatives)), default=0)
    if any((path, prop, None) in shapes for prop in _UNBOUNDED):
        raise ShardingRefused(f"a path of unbounded length ({path}) reads the whole graph: validate with --jobs 1")
    zero_or_one = shapes.value(path, SH.zeroOrOnePath)
    if zero_or_one is not None:
        return _path_length(shapes, zero_or_one, reads)
    raise ShardingRefused(f"a path akg does not know how to bound ({path})")


def unit_of(node: bytes) -> str:
    """The unit a node (as N-Triples writes it) belongs to: ``doc <id>``, ``place <2 digits>`` or ``shared``."""
    match = _UNIT.match(node)
    if match is None:
        return SHARED
    if match["doc"]:
        return f"doc {match['doc'].decode()}"
    return f"place {(match['place'] or match['body']).decode()}"


class CorpusIndex:
    """The lines of an N-Triples graph: for the forward properties indexed by subject, for the backward ones by
    object."""

    def __init__(self, ntriples: bytes, reach: Reach, *, with_readers: bool = False) -> None:
        """``with_readers``: also index :attr:`readers`, the nodes one step from each node that can read it."""
        backward_terms = {f"<{p}>".encode() for p in reach.backward}
        forward_terms = {f"<{p}>".encode() for p in reach.forward}
        self.readers: dict[bytes, list[bytes]] = {}
        self.lines: list[bytes] = []
        self.outgoing: dict[bytes, list[int]] = {}
        self.incoming: dict[bytes, list[int]] = {}
        self.schema: list[int] = []
        self.units: dict[str, set[bytes]] = {}
        self.sizes: dict[str, int] = {}
        unit_by_node: dict[bytes, str] = {}  # a node's unit, worked out once per node
        for line in ntriples.splitlines():
            if not line or line.startswith(b"#"):
                continue
            number = len(self.lines)
            self.lines.append(line)
            subject, predicate, rest = line.split(b" ", 2)
            if predicate in forward_terms:
                self.outgoing.setdefault(subject, []).append(number)
            unit = unit_by_node.get(subject)
            if unit is None:
                unit = unit_by_node[subject] = unit_of(subject)
                self.units.setdefault(unit, set()).add(subject)
            self.sizes[unit] = self.sizes.get(unit, 0) + 1
            if predicate == _SUBCLASS:
                self.schema.append(number)
            kind = rest[:1]
            if kind != b"<" and kind != b"_":
                continue  # a literal
            obj = rest[: rest.index(b">") + 1] if kind == b"<" else rest.split(b" ", 1)[0]
            if obj not in unit_by_node:
                unit_by_node[obj] = unit_of(obj)
                self.units.setdefault(unit_by_node[obj], set()).add(obj)
            if predicate in backward_terms:
                self.incoming.setdefault(obj, []).append(number)
                if with_readers:
                    self.readers.setdefault(subject, []).append(obj)
            if with_readers and predicate in forward_terms:
                self.readers.setdefault(obj, []).append(subject)

    def neighbourhood(self, focus: Iterable[bytes], depth: int) -> bytes:
        """The triples within ``depth`` steps of ``focus`` (see the module docstring), as N-Triples."""
        chosen: set[int] = set(self.schema)
        frontier, seen = set(focus), set(focus)
        for _ in range(depth):
            reached: set[bytes] = set()
            for node in frontier:
                for number in self.outgoing.get(node, ()):
                    if number not in chosen:
                        chosen.add(number)
                        reached.add(_object(self.lines[number]))
                for number in self.incoming.get(node, ()):
                    if number not in chosen:
                        chosen.add(number)
                        reached.add(self.lines[number].split(b" ", 1)[0])
            frontier = {n for n in reached if n[:1] in (b"<", b"_") and n not in seen}
            seen |= frontier
            if not frontier:
                break
        return b"".join(self.lines[n] + b"\n" for n in sorted(chosen))


def _object(line: bytes) -> bytes:
    """The object of an N-Triples line: an IRI, a blank node, or a literal (whose text is never a node's)."""
    rest = line.split(b" ", 2)[2]
    if rest[:1] == b"<":
        return rest[: rest.index(b">") + 1]
    return rest.split(b" ", 1)[0] if rest[:1] == b"_" else rest


@dataclass(frozen=True)
class ShardPlan:
    """Which units each shard validates (shard ``k`` is ``shards[k - 1]``), and each shard's own triples."""

    shards: tuple[tuple[str, ...], ...]
    sizes: tuple[int, ...]

    def as_json(self) -> dict[str, object]:
        return {
            "shards": [
                {"shard": f"{k}/{len(self.shards)}", "units": list(units), "triples": size}
                for k, (units, size) in enumerate(zip(self.shards, self.sizes, strict=True), start=1)
            ]
        }


def plan(sizes: dict[str, int], units: Iterable[str], count: int) -> ShardPlan:
    """Pack ``units`` (their own triples in ``sizes``) into ``count`` shards: largest first, each into the shard
    with the fewest triples so far (ties: the lowest number). The same units give the same plan."""
    shards: list[list[str]] = [[] for _ in range(max(1, count))]
    loads = [0] * len(shards)
    for unit in sorted(set(units), key=lambda u: (-sizes.get(u, 0), u)):
        k = min(range(len(shards)), key=lambda i: (loads[i], i))
        shards[k].append(unit)
        loads[k] += sizes.get(unit, 0)
    return ShardPlan(tuple(tuple(sorted(s)) for s in shards), tuple(loads))


def shard_count(triples: int, jobs: int) -> int:
    """How many shards ``--jobs`` cuts a graph of ``triples`` into: at least one per job, about
    :data:`SHARD_TRIPLES` each."""
    return max(jobs, math.ceil(triples / SHARD_TRIPLES))


# -- running the shards -----------------------------------------------------------------------------------------

_worker_shapes: Graph | None = None


def _start_worker(shapes_dir: str) -> None:
    global _worker_shapes
    _worker_shapes = _v.load_shapes(Path(shapes_dir))


def _validate_shard(ntriples: bytes, focus: frozenset[str], engine: str) -> list[_v.Finding]:
    assert _worker_shapes is not None
    return findings_on(ntriples, focus, _worker_shapes, engine)


def findings_on(ntriples: bytes, focus: frozenset[str], shapes: Graph, engine: str) -> list[_v.Finding]:
    """The findings on the nodes ``focus`` (as findings name them) of validating the graph ``ntriples``."""
    from akg.store import _graph_from_ntriples

    if engine == "rudof":
        from akg.rudof_engine import properties_read, rudof_findings

        # rudof reads the N-Triples; an rdflib graph of the few properties the findings read is made, not of all.
        view = _graph_from_ntriples(_lines_of(ntriples, properties_read(shapes)))
        findings = rudof_findings(view, shapes, ntriples=ntriples, whole=lambda: _graph_from_ntriples(ntriples))
    else:
        findings = _v.engine_findings(_graph_from_ntriples(ntriples), shapes, engine)
    return [f for f in findings if f.focus_node in focus]


_DOCUMENT_TYPE = f"<{RDF.type}> <{_v.AKG.PolicyDocument}> ".encode()


def _lines_of(ntriples: bytes, properties: Iterable[URIRef]) -> bytes:
    """The triples of ``ntriples`` with one of ``properties``, and those that type a policy document."""
    wanted = {f"<{p}>".encode() for p in properties}
    return b"".join(
        line + b"\n"
        for line in ntriples.splitlines()
        if line.split(b" ", 2)[1:2] and (line.split(b" ", 2)[1] in wanted or _DOCUMENT_TYPE in line)
    )


def focus_text(node: bytes) -> str:
    """A node as N-Triples writes it, as a finding names it: the IRI, or ``_:label``."""
    text = node.decode()
    return text[1:-1] if text.startswith("<") else text


def validate_sharded(
    ntriples: bytes,
    shapes_dir: Path,
    *,
    engine: str = _v.DEFAULT_ENGINE,
    jobs: int = 1,
    shards: int | None = None,
    only: Sequence[int] | None = None,
) -> _v.ValidationReport:
    """Validate the graph ``ntriples`` in ``shards`` shards (default :func:`shard_count`), ``jobs`` processes
    at a time; ``only`` names the shards (1-based) to run, all by default. The report of all shards equals
    :func:`akg.validation.validate`'s; of some, it holds the findings on those shards' focus nodes.

    At most ``jobs`` shard graphs are in memory at once. Raises :class:`ShardingRefused` (see :func:`reach_of`).
    """
    shapes = _v.load_shapes(shapes_dir)
    reach = reach_of(shapes)
    if jobs <= 1:
        _start_worker(str(shapes_dir))
        return _v._report(
            [
                f
                for graph, focus in _shard_tasks(ntriples, reach, jobs, shards, only)
                for f in _validate_shard(graph, focus, engine)
            ]
        )
    # Spawned, not forked: a fork would inherit the engine's threads and locks, and this process's graph.
    pool = ProcessPoolExecutor(
        max_workers=jobs, mp_context=get_context("spawn"), initializer=_start_worker, initargs=(str(shapes_dir),)
    )
    findings: list[_v.Finding] = []
    with pool:
        running: set[Future[list[_v.Finding]]] = set()
        for graph, focus in _shard_tasks(ntriples, reach, jobs, shards, only):
            if len(running) >= jobs:  # bounded memory: a shard graph is made when a process is free for it
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    findings += future.result()
            running.add(pool.submit(_validate_shard, graph, focus, engine))
        for future in running:
            findings += future.result()
    return _v._report(findings)


def _shard_tasks(
    ntriples: bytes, reach: Reach, jobs: int, shards: int | None, only: Sequence[int] | None
) -> Iterator[tuple[bytes, frozenset[str]]]:
    """Each chosen shard's graph and focus nodes, made one at a time."""
    index = CorpusIndex(ntriples, reach)
    the_plan = plan(index.sizes, index.units, shards or shard_count(len(index.lines), jobs))
    for k in only or range(1, len(the_plan.shards) + 1):
        if not 1 <= k <= len(the_plan.shards):
            raise ValueError(f"there is no shard {k} of {len(the_plan.shards)}")
        nodes = [node for unit in the_plan.shards[k - 1] for node in sorted(index.units[unit])]
        yield index.neighbourhood(nodes, reach.depth), frozenset(focus_text(n) for n in nodes)


def default_jobs() -> int:
    """The number of processors this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def plan_of(ntriples: bytes, shapes_dir: Path, count: int) -> tuple[ShardPlan, Reach]:
    """The shard plan of ``count`` shards for the graph ``ntriples`` and the reach the shapes need."""
    reach = reach_of(_v.load_shapes(shapes_dir))
    index = CorpusIndex(ntriples, reach)
    return plan(index.sizes, index.units, count), reach
