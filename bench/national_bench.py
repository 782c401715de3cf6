"""Validation of the SYNTHETIC national corpus: akg against its peers and the floor, side by side in one run.

``make bench-national`` runs this. It writes the corpus once (``akg synth``, all 31 provinces, into ``--work``),
builds it once (``akg build``, which also fills a build cache), then times, each in a process of its own, with the
peak memory of its whole process tree (:mod:`bench.process_tree`):

- ``akg validate --jobs N`` (N = the cores) and ``akg validate`` in one process, the build cached and no
  validation result cached (each run gets a cache folder holding the build only), so the shapes really run;
- pyrudof in one process on the whole graph, read from the built N-Triples: the strongest peer;
- pySHACL in one process on the whole graph (the largest sample it finishes in ``--pyshacl-limit`` seconds; it
  is stopped after that and the row says so);
- the floor: the same constraints as plain SPARQL on pyoxigraph (:mod:`bench.sparql_floor`), load included.

The sharded run's findings are then compared with the floor's, (severity, focus node, shape) for each: the shards
checked against an independent evaluation of the same constraints at full size.

Every figure is a ratio to pyrudof's run in this same run, since these machines are noisy. Then, if
``bench/throughput_bench.py`` is there, the GraphQL throughput on the national corpus.

    python bench/national_bench.py [--work DIR] [--provinces 31] [--jobs N] [--pyshacl-limit 600]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.process_tree import Measured, measure  # noqa: E402

PY = sys.executable


def _akg(*args: str) -> list[str]:
    return [PY, "-m", "akg_cli", *args]


def _peer(name: str, ntriples: Path) -> list[str]:
    return [PY, str(Path(__file__).resolve()), "--peer", name, str(ntriples)]


def run_peer(name: str, ntriples: Path) -> int:
    """One peer's validation of ``ntriples`` in this process; prints a JSON line of what it found."""
    from akg import resources
    from akg.validation import load_shapes

    data = ntriples.read_bytes()
    shapes = load_shapes(resources.shapes_dir())
    if name == "rudof":
        import pyrudof

        session = pyrudof.Rudof(pyrudof.RudofConfig())
        session.read_data(data.decode(), format=pyrudof.RDFFormat.NTriples)
        session.read_shacl(shapes.serialize(format="turtle"), format=pyrudof.ShaclFormat.Turtle)
        found = len(list(session.validate_shacl(mode=pyrudof.ShaclValidationMode.Native)))
    elif name == "pyshacl":
        import pyshacl
        from rdflib import Graph

        graph = Graph()
        graph.parse(data=data, format="nt")
        _conforms, report, _text = pyshacl.validate(graph, shacl_graph=shapes, inference="none")
        from rdflib.namespace import SH

        found = len(set(report.subjects(predicate=None, object=SH.ValidationResult)))
    elif name == "floor":
        import pyoxigraph as ox

        from bench.sparql_floor import compile_shapes, floor_findings

        store = ox.Store()
        store.load(data, format=ox.RdfFormat.N_TRIPLES)
        floor = floor_findings(store, compile_shapes(shapes))
        print(json.dumps({"peer": name, "findings": len(floor), "set": sorted(floor)}))
        return 0
    else:
        raise SystemExit(f"unknown peer {name!r}")
    print(json.dumps({"peer": name, "findings": found}))
    return 0


def _same_as_floor(akg: Measured, floor: Measured) -> str:
    """Whether akg's findings (severity, focus node, shape) are exactly the floor's: the shards checked at scale."""
    try:
        report = json.loads(akg.stdout)
        ours = {(r["severity"].capitalize(), r["focusNode"], r["sourceShape"]) for r in report["results"]}
        theirs = {tuple(item) for item in json.loads(floor.stdout.decode().strip().splitlines()[-1])["set"]}
    except (ValueError, KeyError, IndexError, TypeError):
        return "could not be compared"
    if ours == theirs:
        return f"the same {len(ours):,} (severity, focus node, shape) as the floor"
    return f"DIFFERENT from the floor: {len(ours - theirs)} only in akg, {len(theirs - ours)} only in the floor"


def _build_only_cache(build_cache: Path, into: Path) -> Path:
    """A fresh cache folder holding the build cache's built graphs only (no validation results)."""
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    for entry in build_cache.glob("*.nt"):
        os.link(entry, into / entry.name)
    return into


def _row(label: str, m: Measured | None, base: Measured | None, note: str = "") -> str:
    if m is None:
        return f"| {label} | — | — | — | {note} |"
    ratio = f"{m.seconds / base.seconds:.2f}×" if base and base.seconds else "—"
    failed = "" if m.returncode in (0, 1) else f" (exit {m.returncode})"
    return f"| {label} | {m.seconds:.1f} s{failed} | {ratio} | {m.peak_gb:.2f} GB | {note} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "akg-bench-national")
    parser.add_argument("--provinces", default="31")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--pyshacl-limit", type=float, default=600.0, help="seconds before pySHACL is stopped")
    parser.add_argument("--skip", default="", help="comma-separated rows to leave out: pyshacl,serve")
    parser.add_argument("--peer", nargs=2, metavar=("NAME", "NT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.peer:
        return run_peer(args.peer[0], Path(args.peer[1]))
    skip = set(filter(None, args.skip.split(",")))
    work, data, cache = args.work, args.work / "data", args.work / "build-cache"
    ntriples = work / "national.nt"
    env = {**os.environ, "AKG_CACHE_DIR": str(cache)}
    if not (data / "jurisdictions.yaml").exists():
        print(f"writing the synthetic corpus into {data} ...", file=sys.stderr)
        shutil.rmtree(data, ignore_errors=True)
        subprocess.run(_akg("synth", "--out", str(data), "--provinces", args.provinces), check=True)
    print("building it (akg build) ...", file=sys.stderr)
    build = measure(_akg("build", "--data", str(data), "--format", "nt", "-o", str(ntriples)), env)
    if build.returncode:
        print("akg build failed", file=sys.stderr)
        return 1
    triples = sum(1 for _ in ntriples.open("rb"))
    rows: list[tuple[str, Measured | None, str]] = []

    def validate_akg(jobs: int) -> Measured:
        scratch = _build_only_cache(cache, work / f"cache-jobs-{jobs}")
        command = _akg("validate", "--data", str(data), "--format", "json")
        if jobs > 1:
            command += ["--jobs", str(jobs)]
        return measure(command, {**os.environ, "AKG_CACHE_DIR": str(scratch)}, capture=True)

    print("pyrudof, one process ...", file=sys.stderr)
    rudof = measure(_peer("rudof", ntriples), capture=True)
    print(f"akg validate --jobs {args.jobs} ...", file=sys.stderr)
    sharded = validate_akg(args.jobs)
    rows.append((f"`akg validate --jobs {args.jobs}` (rudof shards)", sharded, ""))
    print("akg validate, one process ...", file=sys.stderr)
    rows.append(("`akg validate` (rudof, one process)", validate_akg(1), ""))
    rows.append(("pyrudof, one process, whole graph (the strongest peer)", rudof, _findings(rudof)))
    if "pyshacl" not in skip:
        print(f"pySHACL, one process (stopped after {args.pyshacl_limit:.0f} s) ...", file=sys.stderr)
        command = ["timeout", str(int(args.pyshacl_limit)), *_peer("pyshacl", ntriples)]
        pyshacl = measure(command, capture=True)
        stopped = pyshacl.returncode == 124
        rows.append(("pySHACL, one process, whole graph", pyshacl, "stopped" if stopped else _findings(pyshacl)))
    print("the floor: the constraints as SPARQL on pyoxigraph ...", file=sys.stderr)
    floor = measure(_peer("floor", ntriples), capture=True)
    rows.append(("floor: the same constraints as SPARQL on Oxigraph (load included)", floor, _findings(floor)))
    rows[0] = (rows[0][0], sharded, _same_as_floor(sharded, floor))
    print(
        f"\nSynthetic national corpus: {triples:,} triples; build (cold cache: {build.seconds:.0f} s, "
        f"{build.peak_gb:.2f} GB peak).\n"
    )
    print("| validation | wall | ratio to pyrudof | peak RSS (process tree) | findings |")
    print("|---|---|---|---|---|")
    for label, measured, note in rows:
        print(_row(label, measured, rudof, note))
    throughput = HERE / "throughput_bench.py"
    if "serve" not in skip and throughput.exists():
        print("\nGraphQL on the national corpus:", flush=True)
        subprocess.run([PY, str(throughput), "--data", str(data)], env=env, check=False)
    return 0


def _findings(m: Measured) -> str:
    try:
        return f"{json.loads(m.stdout.decode().strip().splitlines()[-1])['findings']:,} results"
    except (ValueError, IndexError, KeyError):
        return ""


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"\n(national bench: {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    sys.exit(code)
