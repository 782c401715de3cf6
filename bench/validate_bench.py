"""Wall time of ``akg validate`` on the shipped data with each engine, as a ratio to the bare import baseline.

The baseline and both engines are measured in this run, interleaved, so a busy machine slows them alike. Usage:
    python bench/validate_bench.py [--runs N] [--engines pyshacl,rudof]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

BASELINE = [sys.executable, "-c", "import rdflib, pyshacl, pyoxigraph, yaml"]


def _validate(engine: str) -> list[str]:
    return [sys.executable, "-m", "akg_cli", "validate", "--format", "json", "--engine", engine]


def _time(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--engines", default="pyshacl,rudof", help="comma-separated engines to time")
    args = parser.parse_args()
    engines = [e for e in args.engines.split(",") if e]
    baseline: list[float] = []
    times: dict[str, list[float]] = {engine: [] for engine in engines}
    for i in range(args.runs):
        baseline.append(_time(BASELINE))
        for engine in engines:
            times[engine].append(_time(_validate(engine)))
        shown = ", ".join(f"{engine} {times[engine][-1]:.2f}s" for engine in engines)
        print(f"run {i + 1}/{args.runs}: import {baseline[-1]:.2f}s, {shown}", file=sys.stderr)
    b = statistics.median(baseline)
    print(f"dependency import (baseline):  median {b:.2f}s over {args.runs} runs")
    for engine in engines:
        v = statistics.median(times[engine])
        print(f"akg validate --engine {engine:<8} median {v:.2f}s, {v / b:.1f}x import")
    if len(engines) == 2:
        first, second = (statistics.median(times[e]) for e in engines)
        print(f"{engines[0]} / {engines[1]}:            {first / second:.1f}x")


if __name__ == "__main__":
    main()
