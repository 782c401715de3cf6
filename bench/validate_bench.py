"""Wall time of ``akg validate`` on the shipped data with each engine, cold and warm, as a ratio to the import floor.

Cold: the cache is an empty folder, so the corpus is built from its YAML and Turtle files and validated. Built: the
build cache holds the build but the validation cache is emptied, so the graph is validated again. Warm: both hold
this corpus (the inputs are unchanged since the last run), as on a reviewer's second run. The floor of an
engine is importing the dependencies its validating process loads (rudof's does not load pySHACL). The floors and
every case are measured in this run, interleaved, so a busy machine slows them alike. Usage:
    python bench/validate_bench.py [--runs N] [--engines rudof,pyshacl]

The national corpus (akg validate --jobs N against pyrudof, pySHACL and plain SPARQL) is bench/national_bench.py's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The import floor of each engine's validating process.
FLOORS = {
    "rudof": [sys.executable, "-c", "import rdflib, pyrudof, pyoxigraph, yaml"],
    "pyshacl": [sys.executable, "-c", "import rdflib, pyshacl, pyoxigraph, yaml"],
}


def _validate(engine: str) -> list[str]:
    return [sys.executable, "-m", "akg_cli", "validate", "--format", "json", "--engine", engine]


def _time(command: list[str], cache: Path | None = None) -> float:
    env = {**os.environ, "AKG_CACHE_DIR": str(cache)} if cache else None
    started = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--engines", default="rudof,pyshacl", help="comma-separated engines to time")
    args = parser.parse_args()
    engines = [e for e in args.engines.split(",") if e]
    cases = [(engine, state) for engine in engines for state in ("cold", "built", "warm")]
    floors: dict[str, list[float]] = {engine: [] for engine in engines}
    times: dict[tuple[str, str], list[float]] = {case: [] for case in cases}
    with tempfile.TemporaryDirectory(prefix="akg-bench-") as scratch:
        warm_cache = Path(scratch) / "warm"
        _time(_validate(engines[0]), warm_cache)  # fills the warm cache; not timed
        for i in range(args.runs):
            for engine in engines:
                floors[engine].append(_time(FLOORS[engine]))
            for engine, state in cases:
                cache = warm_cache if state != "cold" else Path(scratch) / f"cold-{i}-{engine}"  # new, empty
                if state == "built":
                    for entry in warm_cache.glob("*.validation.json"):
                        entry.unlink()
                times[engine, state].append(_time(_validate(engine), cache))
            shown = ", ".join(
                [f"{engine} import {floors[engine][-1]:.2f}s" for engine in engines]
                + [f"{engine} {state} {times[engine, state][-1]:.2f}s" for engine, state in cases]
            )
            print(f"run {i + 1}/{args.runs}: {shown}", file=sys.stderr)
    floor = {engine: statistics.median(floors[engine]) for engine in engines}
    for engine in engines:
        print(f"{engine} dependency import (floor): median {floor[engine]:.2f}s over {args.runs} runs")
    for engine, state in cases:
        v = statistics.median(times[engine, state])
        print(f"akg validate --engine {engine:<8} {state}: median {v:.2f}s, {v / floor[engine]:.1f}x its import floor")
    if {"rudof", "pyshacl"} <= set(engines):
        for state in ("cold", "built", "warm"):
            ratio = statistics.median(times["pyshacl", state]) / statistics.median(times["rudof", state])
            print(f"pyshacl / rudof ({state}): {ratio:.1f}x")


if __name__ == "__main__":
    main()
