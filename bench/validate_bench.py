"""Wall time of ``akg validate`` on the shipped data with each engine, cold and warm, as a ratio to the import floor.

Cold: the cache is an empty folder, so the corpus is built from its YAML and Turtle files and validated. Built: the
build cache holds the build but the validation cache is emptied, so the graph is validated again. Warm: both hold
this corpus (the inputs are unchanged since the last run), as on a reviewer's second run. The floor of an
engine is importing the dependencies its validating process loads (rudof's does not load pySHACL). The floors and
every case are measured in this run, interleaved, so a busy machine slows them alike. Usage:
    python bench/validate_bench.py [--runs N] [--engines rudof,pyshacl]

With ``--national DIR`` (a data folder ``akg synth`` made; hold ``flock /tmp/akg-national.lock``), it instead times
``akg validate --jobs N`` against pyrudof alone in one process on the whole graph (read the N-Triples, read the
shapes, validate: the strongest peer), each with the peak RSS of its process tree, side by side in one run. Both
start from the build cache (the corpus is built first if it is not there), and akg's validation cache is emptied
before each run:
    python bench/validate_bench.py --national DIR [--jobs 2]
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


# pyrudof alone on the whole graph: what akg's validation is measured against on the national corpus.
PYRUDOF_ALONE = """
import sys, pyrudof
from pathlib import Path
session = pyrudof.Rudof(pyrudof.RudofConfig())
session.read_data(Path(sys.argv[1]).read_text(encoding="utf-8"), format=pyrudof.RDFFormat.NTriples)
shapes = "\\n".join(p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[2]).glob("*.ttl")))
session.read_shacl(shapes, format=pyrudof.ShaclFormat.Turtle)
print(len(list(session.validate_shacl(mode=pyrudof.ShaclValidationMode.Native))))
"""


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:"))
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total


def _measure(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Wall time, peak RSS of the process tree (sampled every 0.2 s) and the last line of output."""
    with tempfile.TemporaryFile() as output:  # a file, not a pipe: a full pipe would stop the command
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.DEVNULL, env=env)
        peak = 0
        while process.poll() is None:
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        output.seek(0)
        lines = output.read().decode().strip().splitlines()
    return elapsed, peak, (lines or [""])[-1]


def national(data: Path, jobs: int) -> None:
    from akg import build_cache, resources

    cache = build_cache.cache_dir()
    if cache is None:
        raise SystemExit("the build cache is off (AKG_CACHE_DIR=off): the national bench starts from it")
    entry = build_cache.entry(data, resources.ontology_dir())
    if entry.read() is None:
        print("building the national corpus into the build cache...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "akg_cli", "build", "--data", str(data), "-o", os.devnull], check=True)
    assert entry.path is not None
    with tempfile.TemporaryDirectory(prefix="akg-bench-") as scratch:
        ntriples = Path(scratch) / "corpus.nt"
        ntriples.write_bytes(entry.read() or b"")
        triples = ntriples.read_bytes().count(b"\n")
        for stale in cache.glob("*.validation.json"):
            stale.unlink()
        akg = [
            sys.executable,
            "-m",
            "akg_cli",
            "validate",
            "--data",
            str(data),
            "--format",
            "json",
            "--jobs",
            str(jobs),
        ]
        peer = [sys.executable, "-c", PYRUDOF_ALONE, str(ntriples), str(resources.shapes_dir())]
        a_time, a_rss, _ = _measure(akg)
        for stale in cache.glob("*.validation.json"):
            stale.unlink()
        p_time, p_rss, p_results = _measure(peer)
    print(f"national corpus: {triples:,} triples")
    print(
        f"pyrudof alone, one process, whole graph: {p_time:.1f}s, peak RSS {p_rss / 2**30:.2f} GB ({p_results} results)"
    )
    print(f"akg validate --jobs {jobs}:                {a_time:.1f}s, peak RSS {a_rss / 2**30:.2f} GB (process tree)")
    print(f"pyrudof alone / akg: {p_time / a_time:.2f}x time, {p_rss / max(a_rss, 1):.2f}x memory")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--engines", default="rudof,pyshacl", help="comma-separated engines to time")
    parser.add_argument("--national", type=Path, metavar="DIR", help="time the national corpus in DIR instead")
    parser.add_argument("--jobs", type=int, default=2, help="with --national: akg validate --jobs (default 2)")
    args = parser.parse_args()
    if args.national:
        national(args.national, args.jobs)
        return
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
