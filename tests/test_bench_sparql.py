"""The bench's store baseline is honest: each example's SPARQL SELECT gives the answer the GraphQL example gives."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from akg.accountability import Accountability
from akg.store import OxigraphStore
from graphql_api.examples import load_examples
from graphql_api.schema import make_context, schema

BENCH = Path(__file__).resolve().parents[1] / "bench" / "graphql_bench.py"
EXAMPLES = load_examples()


def _load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("graphql_bench", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module's annotations through here
    spec.loader.exec_module(module)
    return module


bench = _load_bench()


@pytest.fixture(scope="module")
def context(shipped_store: OxigraphStore) -> dict:
    return make_context(Accountability.from_store(shipped_store))


def test_every_example_has_a_store_baseline() -> None:
    assert sorted(bench.STORE_BASELINES) == [e.name for e in EXAMPLES]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_sparql_answer_equals_graphql_answer(example, shipped_store: OxigraphStore, context: dict) -> None:
    result = schema.execute_sync(example.query, context_value=context)
    assert result.errors is None
    baseline = bench.STORE_BASELINES[example.name]
    answer = baseline.from_graphql(result.data)
    assert answer, "an empty answer would make the comparison vacuous"
    assert baseline.from_rows(shipped_store.select(baseline.query)) == answer
    bench.check_store_answer(shipped_store, example.name, result.data)  # the bench's own check agrees
