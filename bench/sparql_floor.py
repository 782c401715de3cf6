"""The floor of validation: the shapes' constraints as plain SPARQL SELECTs, run by Oxigraph.

The issue asks to compare akg's validation with "the same constraints as hand-written SPARQL on Oxigraph": the
least a SHACL engine could cost, with no engine at all. Writing 150 queries by hand would drift from the shapes,
so :func:`compile_shapes` writes them from ``shapes/*.ttl``, one SELECT per property shape (and per node shape
with constraints of its own) that returns the focus nodes violating it. It knows the core components the shapes
use (counts, class, datatype, node kind, pattern, in, lengths, ranges, languages, hasValue, node, not, or,
qualified shapes, equals and the order pairs) and refuses any other, so it never silently checks less.

:func:`floor_findings` runs them on a pyoxigraph store; :func:`check_same` proves, on the graph being timed, that
they find exactly the (severity, focus node, source shape) set that akg's engine finds, so the timing compares
like with like. It does no more than find the failing nodes: no messages, no source lines, no report.

    python bench/sparql_floor.py [--data DIR]   # compiles, checks against rudof, prints the queries' time
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
_SUPPORTED = {
    SH.path, SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH.nodeKind, SH.pattern, SH.flags, SH["in"],
    SH.minLength, SH.maxLength, SH.minInclusive, SH.languageIn, SH.uniqueLang, SH.hasValue, SH.node, SH["not"],
    SH["or"], SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.equals, SH.lessThan,
    SH.lessThanOrEquals, SH.property, SH.severity, SH.message, SH.name, SH.targetClass, SH.targetObjectsOf,
    SH.targetSubjectsOf, SH.targetNode, RDF.type, RDFS.label, RDFS.comment,
}  # fmt: skip


@dataclass(frozen=True)
class FloorQuery:
    """One SELECT of ``?focus``: the nodes that violate ``shape`` (a top-level shape), with its severity."""

    shape: str
    severity: str
    sparql: str


class _Compiler:
    def __init__(self, shapes: Graph) -> None:
        self.g = shapes
        self.fresh = itertools.count()

    def var(self) -> str:
        return f"?v{next(self.fresh)}"

    def term(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return f"<{node}>"
        if isinstance(node, Literal):
            return node.n3()
        raise ValueError(f"a blank node where a term is expected: {node}")

    def path(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return f"<{node}>"
        inverse = self.g.value(node, SH.inversePath)
        if inverse is not None:
            return f"^({self.path(inverse)})"
        alternatives = self.g.value(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.path(p) for p in Collection(self.g, alternatives)) + ")"
        if (node, RDF.first, None) in self.g:
            return "(" + "/".join(self.path(p) for p in Collection(self.g, node)) + ")"
        raise ValueError(f"a path akg's floor does not compile: {node}")

    def check_supported(self, shape: Node) -> None:
        unknown = {p for p in self.g.predicates(shape) if p not in _SUPPORTED}
        if unknown:
            raise ValueError(f"shape {shape} uses {sorted(unknown)}: the floor does not compile these")

    def violation(self, shape: Node, x: str, bind: str = "") -> str:
        """A group pattern that has a solution iff ``x`` violates ``shape``; ``bind`` is a pattern binding ``x``.

        SPARQL evaluates a group bottom-up, so a FILTER in one branch of a UNION does not see ``x`` bound outside
        it: each branch starts with ``bind``. Inside EXISTS the outer binding is substituted, and ``bind`` is empty.
        """
        self.check_supported(shape)
        path = self.g.value(shape, SH.path)
        parts = [bind + " " + p for p in self.value_node_parts(shape, x, path)]
        for prop in self.g.objects(shape, SH.property):
            parts.append(self.violation(prop, x, bind))
        if not parts:
            raise ValueError(f"shape {shape} has no constraint the floor knows")
        return " UNION ".join("{ " + p + " }" for p in parts)

    def value_node_parts(self, shape: Node, x: str, path: Node | None) -> Iterator[str]:
        g = self.g
        p = self.path(path) if path is not None else None

        def values(v: str) -> str:  # the value nodes of ``x``: its path's values, or itself for a node shape
            return f"{x} {p} {v} ." if p else f"BIND({x} AS {v})"

        def distinct(n: int) -> str:  # ``n`` pairwise distinct values of the path
            names = [self.var() for _ in range(n)]
            pairs = " && ".join(f"!sameTerm({a}, {b})" for a, b in itertools.combinations(names, 2))
            return " ".join(f"{x} {p} {v} ." for v in names) + (f" FILTER({pairs})" if pairs else "")

        minimum = g.value(shape, SH.minCount)
        if minimum is not None and int(minimum) > 0:
            yield f"FILTER NOT EXISTS {{ {distinct(int(minimum))} }}"
        maximum = g.value(shape, SH.maxCount)
        if maximum is not None:
            yield distinct(int(maximum) + 1)
        for value in g.objects(shape, SH.hasValue):
            yield (
                f"FILTER NOT EXISTS {{ {x} {p} {self.term(value)} }}"
                if p
                else f"FILTER(!sameTerm({x}, {self.term(value)}))"
            )
        v = self.var()
        for cls in g.objects(shape, SH["class"]):
            yield f"{values(v)} FILTER NOT EXISTS {{ {v} {RDF_TYPE}/{SUBCLASS}* {self.term(cls)} }}"
        for datatype in g.objects(shape, SH.datatype):
            yield f"{values(v)} FILTER(!isLiteral({v}) || datatype({v}) != {self.term(datatype)})"
        for kind in g.objects(shape, SH.nodeKind):
            test = {SH.Literal: "isLiteral", SH.IRI: "isIRI", SH.BlankNode: "isBlank"}[kind]
            yield f"{values(v)} FILTER(!{test}({v}))"
        for pattern in g.objects(shape, SH.pattern):
            flags = g.value(shape, SH.flags)
            extra = f", {Literal(str(flags)).n3()}" if flags is not None else ""
            yield f"{values(v)} FILTER(isBlank({v}) || !REGEX(STR({v}), {Literal(str(pattern)).n3()}{extra}))"
        for members in g.objects(shape, SH["in"]):
            allowed = " || ".join(f"sameTerm({v}, {self.term(m)})" for m in Collection(g, members))
            yield f"{values(v)} FILTER(!({allowed}))"
        for length in g.objects(shape, SH.minLength):
            yield f"{values(v)} FILTER(isBlank({v}) || STRLEN(STR({v})) < {int(length)})"
        for length in g.objects(shape, SH.maxLength):
            yield f"{values(v)} FILTER(isBlank({v}) || STRLEN(STR({v})) > {int(length)})"
        for low in g.objects(shape, SH.minInclusive):
            yield f"{values(v)} FILTER(!COALESCE({v} >= {self.term(low)}, false))"
        for languages in g.objects(shape, SH.languageIn):
            tests = " || ".join(f"langMatches(lang({v}), {Literal(str(t)).n3()})" for t in Collection(g, languages))
            yield f"{values(v)} FILTER(!COALESCE({tests}, false))"
        if (shape, SH.uniqueLang, Literal(True)) in g:
            w = self.var()
            yield f"{x} {p} {v} . {x} {p} {w} . FILTER(!sameTerm({v}, {w}) && lang({v}) != '' && lang({v}) = lang({w}))"
        for nested in g.objects(shape, SH.node):
            yield f"{values(v)} FILTER EXISTS {{ {self.violation(nested, v)} }}"
        for nested in g.objects(shape, SH["not"]):
            yield f"{values(v)} FILTER NOT EXISTS {{ {self.violation(nested, v)} }}"
        for options in g.objects(shape, SH["or"]):
            every = " && ".join(f"EXISTS {{ {self.violation(o, v)} }}" for o in Collection(g, options))
            yield f"{values(v)} FILTER({every})"
        qualified = g.value(shape, SH.qualifiedValueShape)
        if qualified is not None:

            def conforming(names: list[str]) -> str:
                found = " ".join(f"{x} {p} {n} . FILTER NOT EXISTS {{ {self.violation(qualified, n)} }}" for n in names)
                pairs = " && ".join(f"!sameTerm({a}, {b})" for a, b in itertools.combinations(names, 2))
                return found + (f" FILTER({pairs})" if pairs else "")

            low = g.value(shape, SH.qualifiedMinCount)
            if low is not None and int(low) > 0:
                yield f"FILTER NOT EXISTS {{ {conforming([self.var() for _ in range(int(low))])} }}"
            high = g.value(shape, SH.qualifiedMaxCount)
            if high is not None:
                yield conforming([self.var() for _ in range(int(high) + 1)])
        for other in g.objects(shape, SH.equals):
            w = self.var()
            yield (
                f"{{ {values(v)} FILTER NOT EXISTS {{ {x} {self.term(other)} {v} }} }} UNION "
                f"{{ {x} {self.term(other)} {w} . FILTER NOT EXISTS {{ {x} {p} {w} }} }}"
            )
        for relation, op in ((SH.lessThan, "<"), (SH.lessThanOrEquals, "<=")):
            for other in g.objects(shape, relation):
                w = self.var()
                yield f"{values(v)} {x} {self.term(other)} {w} . FILTER(!COALESCE({v} {op} {w}, false))"

    def target(self, shape: Node, f: str) -> str:
        g = self.g
        parts = [f"{{ {f} {RDF_TYPE}/{SUBCLASS}* {self.term(c)} }}" for c in g.objects(shape, SH.targetClass)]
        parts += [f"{{ [] {self.term(p)} {f} }}" for p in g.objects(shape, SH.targetObjectsOf)]
        parts += [f"{{ {f} {self.term(p)} [] }}" for p in g.objects(shape, SH.targetSubjectsOf)]
        parts += [f"{{ BIND({self.term(n)} AS {f}) }}" for n in g.objects(shape, SH.targetNode)]
        return " UNION ".join(parts)


def compile_shapes(shapes: Graph) -> list[FloorQuery]:
    """One query per top-level shape (a property shape of a targeted node shape, or a targeted node shape's own
    constraints), each a ``SELECT DISTINCT ?focus``. Raises ValueError for a construct it cannot compile."""
    compiler = _Compiler(shapes)
    targeted = sorted(
        {
            s
            for p in (SH.targetClass, SH.targetObjectsOf, SH.targetSubjectsOf, SH.targetNode)
            for s in shapes.subjects(p)
        },
        key=str,
    )
    queries = []
    for node_shape in targeted:
        target = compiler.target(node_shape, "?focus")
        own = list(compiler.value_node_parts(node_shape, "?focus", None))
        if own:
            pattern = " UNION ".join("{ { " + target + " } " + p + " }" for p in own)
            queries.append(_query(shapes, node_shape, pattern))
        for prop in sorted(shapes.objects(node_shape, SH.property), key=str):
            if isinstance(prop, BNode):
                raise ValueError(f"an unnamed property shape under {node_shape}: findings could not be compared")
            queries.append(_query(shapes, prop, compiler.violation(prop, "?focus", "{ " + target + " }")))
    return queries


def _query(shapes: Graph, shape: Node, violation: str) -> FloorQuery:
    severity = str(shapes.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]
    return FloorQuery(str(shape), severity, f"SELECT DISTINCT ?focus WHERE {{ {violation} }}")


def floor_findings(store: object, queries: list[FloorQuery]) -> set[tuple[str, str, str]]:
    """Run every query on a pyoxigraph ``Store``: the (severity, focus node, shape) of every violation found."""
    found = set()
    for q in queries:
        for row in store.query(q.sparql):  # type: ignore[attr-defined]
            found.add((q.severity, row["focus"].value, q.shape))
    return found


def engine_findings(report: object) -> set[tuple[str, str, str]]:
    """The same triples of an ``akg.validation.ValidationReport`` (the severity by name: Violation, Warning, Info)."""
    return {(f.severity.name.capitalize(), f.focus_node, f.source_shape) for f in report.results}  # type: ignore[attr-defined]


def check_same(floor: set[tuple[str, str, str]], engine: set[tuple[str, str, str]]) -> None:
    """Raise AssertionError naming the differences when the floor's findings are not the engine's."""
    if floor != engine:
        only_floor, only_engine = sorted(floor - engine)[:5], sorted(engine - floor)[:5]
        raise AssertionError(
            f"the SPARQL floor and the engine disagree: {len(floor - engine)} only in the floor (e.g. {only_floor}), "
            f"{len(engine - floor)} only in the engine (e.g. {only_engine})"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="data folder (default: the shipped data)")
    args = parser.parse_args(argv)
    import pyoxigraph as ox

    from akg import resources
    from akg.store import build_graph, corpus_ntriples
    from akg.validation import load_shapes, validate

    queries = compile_shapes(load_shapes(resources.shapes_dir()))
    store = ox.Store()
    store.load(corpus_ntriples(args.data), format=ox.RdfFormat.N_TRIPLES)
    start = time.perf_counter()
    floor = floor_findings(store, queries)
    seconds = time.perf_counter() - start
    check_same(floor, engine_findings(validate(build_graph(args.data), resources.shapes_dir())))
    print(
        f"{len(queries)} queries, {len(floor)} findings (the engine's exactly), {seconds:.2f} s on {len(store)} triples"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
