"""Latency of the example queries over HTTP, as a ratio to the same answers taken from the index and the store.

Starts the service in-process (uvicorn on a free loopback port, in a thread) and, for every example of
graphql_api/examples/ with its default variables, times:

- ``http``: a POST of the example to ``/graphql`` (parsing, validation, resolvers, JSON, loopback HTTP);
- ``schema``: the same example executed in-process through the strawberry schema;
- ``index``: the same answer taken straight from :class:`akg.accountability.Accountability` (in-memory
  indexes, built once at start);
- ``store``: the same answer taken straight from the store, one SPARQL SELECT (:data:`STORE_BASELINES`)
  run with ``open_store().select``.

Before timing, it checks that every SPARQL answer, normalised to a comparable set (organisation, role,
obligation and clause for ``responsibleFor``; sector, column, letters, obligation ids and clauses for the
matrix; need, lead, duty count and supporting sectors for coverage; total and page of obligation ids for
``dueBefore``), equals the normalised answer the service gave over HTTP, so both ratios compare like with
like. It prints p50/p95 of each and the HTTP/index and HTTP/store ratios. Each measurement stops after
``--count`` calls or ``--budget`` seconds, whichever comes first.

    python bench/graphql_bench.py [--count 200] [--budget 4] [--data DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import socket
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
import uvicorn

from akg.accountability import ORGANIZATION_KINDS, Accountability
from akg.store import GraphStore, open_store
from graphql_api.examples import Example, load_examples
from graphql_api.schema import make_context, schema
from graphql_api.server import create_app

MATRIX_NEEDS = [
    "household-registration", "education", "housing", "medical-insurance",
    "military-service", "employment", "safety", "rehabilitation",
]  # fmt: skip
DUE_BEFORE, DUE_FIRST = "2023-12-31", 20  # the defaults of 04-due-before
ORGANIZATION_CLASSES = " ".join(f"<{iri}>" for iri in ORGANIZATION_KINDS)  # every kind the index reads
RASCI = (("lead", "A"), ("responsible", "R"), ("supporting", "S"), ("consulted", "C"), ("informed", "I"))

Row = dict[str, Any]

# --------------------------------------------------------------------------------------------------------
# The store baseline: one SPARQL SELECT per example, giving the example's answer with its default variables.
# --------------------------------------------------------------------------------------------------------

PREFIXES = """PREFIX akg: <https://w3id.org/akg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX scheme: <https://w3id.org/akg/id/scheme/>
PREFIX need: <https://w3id.org/akg/id/need/>
PREFIX tgroup: <https://w3id.org/akg/id/group/>
PREFIX level: <https://w3id.org/akg/id/level/>
PREFIX role: <https://w3id.org/akg/id/role/>
"""

# ?ob's id "<doc-id>/<obligation-id>" (as ?obligation), its clause and its place in document order.
OBLIGATION_ID = """
    ?ob akg:identifier ?local ; akg:provision ?provision .
    ?provision akg:number ?clause ; akg:inDocument/akg:identifier ?doc .
    OPTIONAL { ?provision akg:order ?order }
    OPTIONAL { ?ob akg:startOffset ?start }
    BIND(CONCAT(?doc, "/", ?local) AS ?obligation)"""


def at_level(level: str) -> str:
    """Duties addressed to ``level``, to all levels, or to no level in particular."""
    return f"""
    FILTER(EXISTS {{ ?ob akg:allLevels true }} || EXISTS {{ ?ob akg:addressedLevel level:{level} }}
           || NOT EXISTS {{ ?ob akg:addressedLevel ?anyLevel }})"""


def for_group(*groups: str) -> str:
    """Duties tagged with one of ``groups`` or with no group at all."""
    tagged = " || ".join(f"EXISTS {{ ?ob akg:targetGroup tgroup:{group} }}" for group in groups)
    return f"""
    FILTER({tagged} || NOT EXISTS {{ ?ob akg:targetGroup ?anyGroup }})"""


def letters(role: str) -> str:
    """An aggregate of the RASCI letters of the roles bound to ``role`` in a group, in role order."""
    return "CONCAT(" + ", ".join(f'MAX(COALESCE(IF({role} = role:{r}, "{x}", ""), ""))' for r, x in RASCI) + ")"


REHABILITATION = f"""{PREFIXES}
SELECT ?organization ?role ?obligation ?clause ?label ?zh ?kind ?sector ?level
       ?action ?modality ?date ?wording ?recurrence ?basis ?heading WHERE {{
    {{
      SELECT DISTINCT ?ob WHERE {{
        ?ob a akg:Obligation ; akg:servesNeed/skos:broader* need:rehabilitation .
        {for_group("orphans", "children-with-disabilities")}
        {at_level("county")}
      }}
    }}
    {OBLIGATION_ID}
    ?ob akg:hasAssignment ?assignment .
    ?assignment akg:organization ?org ; akg:role ?r .
    ?r skos:notation ?role ; akg:rank ?roleRank .
    VALUES ?kind {{ {ORGANIZATION_CLASSES} }}
    ?org a ?kind ; akg:identifier ?organization .
    OPTIONAL {{ ?org skos:prefLabel ?label FILTER(LANG(?label) = "en") }}
    OPTIONAL {{ ?org skos:prefLabel ?zh FILTER(LANG(?zh) = "zh") }}
    OPTIONAL {{ ?org akg:sector/skos:notation ?sector }}
    OPTIONAL {{ ?org akg:level/skos:notation ?level }}
    OPTIONAL {{ ?ob akg:action ?action }}
    OPTIONAL {{ ?ob akg:modality/skos:notation ?modality }}
    OPTIONAL {{ ?provision akg:heading ?heading }}
    OPTIONAL {{
      ?ob akg:hasDeadline ?deadline .
      OPTIONAL {{ ?deadline akg:date ?date }}
      OPTIONAL {{ ?deadline akg:wording ?wording }}
      OPTIONAL {{ ?deadline akg:recurrence ?recurrence }}
      OPTIONAL {{ ?deadline akg:basis/skos:notation ?basis }}
    }}
}} ORDER BY ?roleRank ?organization ?doc ?order ?start ?local"""

NEEDS_WITHOUT_LEAD = f"""{PREFIXES}
SELECT ?need (COUNT(?lead) > 0 AS ?hasLead) (COUNT(DISTINCT ?ob) AS ?obligations)
       (GROUP_CONCAT(DISTINCT COALESCE(?lead, ""); separator=" ") AS ?leads)
       (GROUP_CONCAT(DISTINCT COALESCE(?supporting, ""); separator=" ") AS ?sectors) WHERE {{
    VALUES ?scheme {{ scheme:needs scheme:capacities }}
    ?concept skos:inScheme ?scheme ; skos:notation ?need .
    OPTIONAL {{
      {{ ?ob akg:servesNeed/skos:broader* ?concept }} UNION {{ ?ob akg:concernsCapacity ?concept }}
      ?ob a akg:Obligation .
      {at_level("city")}
      OPTIONAL {{ ?ob akg:hasAssignment [ akg:role role:lead ; akg:organization/akg:identifier ?lead ] }}
      OPTIONAL {{
        ?ob akg:hasAssignment [ akg:role role:supporting ; akg:organization/akg:sector/skos:notation ?supporting ]
      }}
    }}
}} GROUP BY ?need"""

RESPONSIBILITY_MATRIX = f"""{PREFIXES}
SELECT ?sector ?need ({letters("?r")} AS ?letters)
       (GROUP_CONCAT(DISTINCT ?obligation; separator=" ") AS ?obligations)
       (GROUP_CONCAT(DISTINCT CONCAT(?doc, " ", ?clause); separator="|") AS ?clauses) WHERE {{
    VALUES ?need {{ {" ".join(f'"{n}"' for n in MATRIX_NEEDS)} }}
    ?column skos:inScheme scheme:needs ; skos:notation ?need .
    ?row skos:inScheme scheme:sectors ; skos:notation ?sector .
    OPTIONAL {{
      ?ob akg:servesNeed/skos:broader* ?column ; akg:hasAssignment ?assignment .
      ?assignment akg:role ?r ; akg:organization/akg:sector ?row .
      {OBLIGATION_ID}
    }}
}} GROUP BY ?sector ?need"""

WHO_CONFIRMS = f"""{PREFIXES}
SELECT ?obligation ?clause ?kind ?amount WHERE {{
    ?ob a akg:Obligation ; akg:targetGroup tgroup:factually-unattended-children ; akg:text ?text .
    OPTIONAL {{ ?ob akg:action ?action }}
    FILTER(CONTAINS(LCASE(?text), "确认") || CONTAINS(LCASE(COALESCE(?action, "")), "确认"))
    {OBLIGATION_ID}
    OPTIONAL {{
      ?ob akg:hasDeadline ?deadline .
      OPTIONAL {{ ?deadline akg:deadlineKind/skos:notation ?kind }}
      OPTIONAL {{ ?deadline akg:relativeAmount ?amount }}
    }}
}}"""

NO_DEADLINE_STATED = f"""{PREFIXES}
SELECT ?obligation WHERE {{
    ?ob a akg:Obligation ; akg:hasDeadline/akg:deadlineKind/skos:notation "none-stated" .
    {OBLIGATION_ID}
}} ORDER BY ?doc ?order ?start ?local"""

DUE_BEFORE_QUERY = f"""{PREFIXES}
SELECT ?obligation ?clause ?action ?date ?wording ?recurrence
       (GROUP_CONCAT(DISTINCT COALESCE(?holder, ""); separator=" ") AS ?assignments) WHERE {{
    ?ob a akg:Obligation ; akg:hasDeadline ?deadline .
    FILTER EXISTS {{
      {{ ?deadline akg:instanceDate ?due }}
      UNION {{ ?deadline akg:date ?due FILTER NOT EXISTS {{ ?deadline akg:instanceDate ?any }} }}
      FILTER(?due <= "{DUE_BEFORE}"^^xsd:date)
    }}
    {OBLIGATION_ID}
    OPTIONAL {{ ?ob akg:action ?action }}
    OPTIONAL {{ ?deadline akg:date ?date }}
    OPTIONAL {{ ?deadline akg:wording ?wording }}
    OPTIONAL {{ ?deadline akg:recurrence ?recurrence }}
    OPTIONAL {{
      ?ob akg:hasAssignment [ akg:role/skos:notation ?holderRole ; akg:organization/akg:identifier ?holderId ]
      BIND(CONCAT(?holderRole, ":", ?holderId) AS ?holder)
    }}
}} GROUP BY ?obligation ?clause ?action ?date ?wording ?recurrence ?doc ?order ?start ?local
ORDER BY ?doc ?order ?start ?local"""


# --------------------------------------------------------------------------------------------------------
# Normalising both answers to comparable sets.
# --------------------------------------------------------------------------------------------------------


def _words(value: Any) -> frozenset[str]:
    return frozenset(str(value or "").split())


def _clauses(value: Any) -> frozenset[str]:
    """Clauses across documents are "<document> <number>": they hold a space, so the store joins them with |."""
    return frozenset(c for c in str(value or "").split("|") if c)


def responsibilities_from_rows(rows: list[Row]) -> frozenset[tuple]:
    return frozenset((r["organization"], r["role"], r["obligation"], r["clause"]) for r in rows)


def responsibilities_from_graphql(data: dict) -> frozenset[tuple]:
    return frozenset(
        (e["organization"]["id"], e["role"].lower(), o["id"], o["provision"]["number"])
        for e in data["responsibleFor"]
        for o in e["obligations"]
    )


def coverage_from_rows(rows: list[Row]) -> frozenset[tuple]:
    return frozenset(
        (r["need"], r["hasLead"], r["obligations"], _words(r["leads"]), _words(r["sectors"])) for r in rows
    )


def coverage_from_graphql(data: dict) -> frozenset[tuple]:
    return frozenset(
        (
            c["need"]["id"],
            c["hasLead"],
            c["obligationCount"],
            frozenset(o["id"] for o in c["leads"]),
            frozenset(s["id"] for s in c["supportingSectors"]),
        )
        for c in data["coverage"]
    )


def matrix_from_rows(rows: list[Row]) -> frozenset[tuple]:
    return frozenset(
        (r["sector"], r["need"], r["letters"], _words(r["obligations"]), _clauses(r["clauses"])) for r in rows
    )


def matrix_from_graphql(data: dict) -> frozenset[tuple]:
    return frozenset(
        (row["sector"]["id"], c["need"]["id"], c["letters"], frozenset(c["obligationIds"]), frozenset(c["clauses"]))
        for row in data["responsibilityMatrix"]["rows"]
        for c in row["cells"]
    )


def confirms_from_rows(rows: list[Row]) -> frozenset[tuple]:
    return frozenset((r["obligation"], r["clause"], r.get("kind"), r.get("amount")) for r in rows)


def confirms_from_graphql(data: dict) -> frozenset[tuple]:
    def parts(node: dict) -> tuple:
        deadline = node["deadline"] or {}
        relative = deadline.get("relative") or {}
        kind = deadline.get("kind", "").lower().replace("_", "-") or None
        return node["id"], node["provision"]["number"], kind, relative.get("amount")

    return frozenset(parts(edge["node"]) for edge in data["obligations"]["edges"])


def due_from_rows(rows: list[Row]) -> tuple[int, tuple[str, ...]]:
    return len(rows), tuple(r["obligation"] for r in rows[:DUE_FIRST])


def due_from_graphql(data: dict) -> tuple[int, tuple[str, ...]]:
    connection = data["obligations"]
    return connection["totalCount"], tuple(edge["node"]["id"] for edge in connection["edges"])


@dataclass(frozen=True)
class StoreBaseline:
    """An example's answer straight from the store: a SPARQL SELECT, and how to compare its rows with GraphQL's."""

    query: str
    from_rows: Callable[[list[Row]], object]
    from_graphql: Callable[[dict], object]


STORE_BASELINES = {
    "01-rehabilitation": StoreBaseline(REHABILITATION, responsibilities_from_rows, responsibilities_from_graphql),
    "02-needs-without-lead": StoreBaseline(NEEDS_WITHOUT_LEAD, coverage_from_rows, coverage_from_graphql),
    "03-responsibility-matrix": StoreBaseline(RESPONSIBILITY_MATRIX, matrix_from_rows, matrix_from_graphql),
    "04-due-before": StoreBaseline(DUE_BEFORE_QUERY, due_from_rows, due_from_graphql),
    "05-who-confirms": StoreBaseline(WHO_CONFIRMS, confirms_from_rows, confirms_from_graphql),
    "06-no-deadline-stated": StoreBaseline(NO_DEADLINE_STATED, due_from_rows, due_from_graphql),
}


def check_store_answer(store: GraphStore, name: str, data: dict) -> None:
    """Raise AssertionError unless the store baseline of example ``name`` gives the same answer as ``data``."""
    baseline = STORE_BASELINES[name]
    from_store = baseline.from_rows(store.select(baseline.query))
    from_graphql = baseline.from_graphql(data)
    if from_store != from_graphql:
        raise AssertionError(f"{name}: SPARQL and GraphQL differ\n  store:   {from_store}\n  graphql: {from_graphql}")


# --------------------------------------------------------------------------------------------------------
# The index baseline: the same answers straight from the in-memory indexes.
# --------------------------------------------------------------------------------------------------------


def index_answers(acc: Accountability) -> dict[str, Callable[[], object]]:
    """The examples' answers (with their default variables) taken straight from the indexes."""

    def rehabilitation() -> object:
        return [
            (e.role, e.organization.label("en"), e.organization.label("zh"), e.organization.sector,
             [(o.id, o.action, o.deadline, o.provision, acc.provision(o.provision, o.document)) for o in e.obligations])
            for e in acc.responsible_for(
                "rehabilitation", level="county", target_groups=["orphans", "children-with-disabilities"]
            )
        ]  # fmt: skip

    def coverage() -> object:
        return [(c.concept.label("en"), c.has_lead, [o.label("en") for o in c.leads]) for c in acc.coverage("city")]

    def matrix() -> object:
        return acc.responsibility_matrix(needs=MATRIX_NEEDS)

    def due() -> object:
        return acc.obligations(due_before=dt.date.fromisoformat(DUE_BEFORE))[:DUE_FIRST]

    def confirms() -> object:
        return acc.obligations(target_group="factually-unattended-children", text="确认")

    def no_deadline() -> object:
        return acc.obligations(deadline_kind="none-stated")[:DUE_FIRST]

    return {
        "01-rehabilitation": rehabilitation,
        "02-needs-without-lead": coverage,
        "03-responsibility-matrix": matrix,
        "04-due-before": due,
        "05-who-confirms": confirms,
        "06-no-deadline-stated": no_deadline,
    }


# --------------------------------------------------------------------------------------------------------
# Timing and reporting.
# --------------------------------------------------------------------------------------------------------


def timed(call: Callable[[], object], count: int, budget: float) -> list[float]:
    """Milliseconds of up to ``count`` calls (after 5 warm-up calls), stopping once ``budget`` seconds are spent."""
    for _ in range(5):
        call()
    samples: list[float] = []
    deadline = time.perf_counter() + budget
    while len(samples) < count and (len(samples) < 20 or time.perf_counter() < deadline):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def p(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


@contextmanager
def serving(acc: Accountability) -> Iterator[httpx.Client]:
    """The service on a free loopback port (uvicorn in a thread), and an HTTP client for it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(acc), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def post(client: httpx.Client, query: str) -> dict:
    """The ``data`` of one example over HTTP; raises on an HTTP or GraphQL error."""
    response = client.post("/graphql", json={"query": query})
    response.raise_for_status()
    body = response.json()
    if body.get("errors"):
        raise AssertionError(f"GraphQL errors: {body['errors']}")
    return body["data"]


COLUMNS = (
    ("example", 26), ("http p50", 9), ("p95", 7), ("schema p50", 11), ("index p50", 10), ("p95", 7),
    ("store p50", 10), ("p95", 7), ("http/index p50", 15), ("p95", 6), ("http/store p50", 15), ("p95", 6),
)  # fmt: skip


def header(count: int, budget: float) -> str:
    cells = [f"{title:{width}}" if n == 0 else f"{title:>{width}}" for n, (title, width) in enumerate(COLUMNS)]
    return " ".join(cells) + f"   (ms; {count} runs or {budget:g} s each)"


def contenders(
    example: Example, client: httpx.Client, context: dict, index: Callable[[], object], store: GraphStore
) -> list[Callable[[], object]]:
    """The four ways of answering ``example``, in the table's order: HTTP, schema, index, store."""
    sparql = STORE_BASELINES[example.name].query
    return [
        lambda: post(client, example.query),
        lambda: schema.execute_sync(example.query, context_value=context),
        index,
        lambda: store.select(sparql),
    ]


def report_line(name: str, http: list[float], local: list[float], index: list[float], store: list[float]) -> str:
    h50, h95 = p(http, 50), p(http, 95)
    i50, i95, s50, s95 = p(index, 50), p(index, 95), p(store, 50), p(store, 95)
    return (
        f"{name:26} {h50:9.2f} {h95:7.2f} {p(local, 50):11.2f} {i50:10.3f} {i95:7.3f} {s50:10.3f} {s95:7.3f}"
        f" {h50 / i50:14.0f}x {h95 / i95:5.0f}x {h50 / s50:14.1f}x {h95 / s95:5.1f}x"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="calls per measurement (default 200)")
    parser.add_argument("--budget", type=float, default=4.0, help="seconds per measurement at most (default 4)")
    parser.add_argument("--data", type=Path, help="data folder (default: the shipped data)")
    args = parser.parse_args(argv)

    store = open_store(args.data)
    acc = Accountability.from_store(store)
    context = make_context(acc)
    index = index_answers(acc)
    examples = load_examples()
    with serving(acc) as client:
        for example in examples:
            check_store_answer(store, example.name, post(client, example.query))
        print(f"SPARQL answers match the GraphQL answers of all {len(examples)} examples.")
        print(header(args.count, args.budget))
        for example in examples:
            calls = contenders(example, client, context, index[example.name], store)
            print(report_line(example.name, *(timed(call, args.count, args.budget) for call in calls)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
