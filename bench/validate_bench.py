"""Wall time of ``akg validate`` on the shipped data, as a ratio to the bare import of its dependencies.

Both are measured in this run, interleaved, so a busy machine slows both alike. Usage:
    python bench/validate_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

BASELINE = [sys.executable, "-c", "import rdflib, pyshacl, pyoxigraph, yaml"]
VALIDATE = [sys.executable, "-m", "akg_cli", "validate", "--format", "json"]


def _time(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    baseline, validate = [], []
    for i in range(runs):
        baseline.append(_time(BASELINE))
        validate.append(_time(VALIDATE))
        print(f"run {i + 1}/{runs}: import {baseline[-1]:.2f}s, validate {validate[-1]:.2f}s", file=sys.stderr)
    b, v = statistics.median(baseline), statistics.median(validate)
    print(f"dependency import (baseline): median {b:.2f}s over {runs} runs")
    print(f"akg validate (shipped data):  median {v:.2f}s over {runs} runs")
    print(f"ratio validate / import:      {v / b:.1f}x")


if __name__ == "__main__":
    main()
