"""GraphiQL works offline from a wheel: built from a clean copy of the repository, installed into a fresh
virtual environment, served by ``akg serve`` on loopback, with the network unreachable.

Where the machine allows it (Linux, root or user namespaces) every step runs in a new network namespace
whose only interface is loopback, so a step that reached for the network would fail; elsewhere the steps
run as they are, each offline by construction (``--no-index``, ``--no-build-isolation``). The fresh
environment takes the dependencies from the test's own environment (a path line in a ``.pth`` file), never
from an index, and akg itself only from the wheel. Slow (a build, an install and a validation at start,
20-40 s), but it runs in CI like every test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

from graphql_api.graphiql_assets import LICENSE, ROUTE, assets_dir, check, referenced_assets

ROOT = Path(__file__).resolve().parents[1]
PIP = ["-m", "pip", "--disable-pip-version-check", "--no-input", "--quiet"]

# Run by the fresh environment's python, inside the namespace: start `akg serve`, then fetch GraphiQL the
# way a browser would (the page, then every script and stylesheet it names), and report what it saw.
PROBE = textwrap.dedent(
    """
    import base64, hashlib, json, re, socket, subprocess, sys, time, urllib.request
    akg, out = sys.argv[1], sys.argv[2]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([akg, "serve", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    report = {"assets": {}}
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit("akg serve stopped: " + server.stderr.read().decode()[-2000:])
                time.sleep(0.25)
        page = urllib.request.Request(base + "/graphql", headers={"accept": "text/html"})
        report["page"] = urllib.request.urlopen(page, timeout=10).read().decode()
        for tag in re.findall(r"<(?:script|link)\\b[^>]*>", report["page"]):
            where = re.search(r'(?:src|href)="([^"]+)"', tag)
            integrity = re.search(r'integrity="(sha\\d+)-([^"]+)"', tag)
            if not where or where.group(1).startswith("data:"):
                continue
            url = where.group(1)
            entry = report["assets"][url] = {"integrity": integrity and integrity.group(0)[11:-1]}
            if url.startswith("/"):
                with urllib.request.urlopen(base + url, timeout=10) as answer:
                    body = answer.read()
                    entry.update(status=answer.status, type=answer.headers["content-type"])
                if integrity:
                    digest = hashlib.new(integrity.group(1), body).digest()
                    entry["computed"] = integrity.group(1) + "-" + base64.b64encode(digest).decode()
        query = urllib.request.Request(
            base + "/graphql", data=b'{"query": "{ sectors { id } }"}', headers={"content-type": "application/json"}
        )
        report["answer"] = json.loads(urllib.request.urlopen(query, timeout=10).read())
    finally:
        server.terminate()
        server.wait(timeout=20)
    with open(out, "w") as handle:
        json.dump(report, handle)
    """
)


def _network_namespace_works() -> bool:
    if sys.platform != "linux" or not shutil.which("unshare") or not shutil.which("ip"):
        return False
    probe = ["unshare", "--net", "--", "sh", "-c", "ip link set lo up"]
    return subprocess.run(probe, capture_output=True, check=False).returncode == 0


ISOLATED = _network_namespace_works()


def offline(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in a network namespace with only loopback (where possible); fail with its output."""
    if ISOLATED:
        command = ["unshare", "--net", "--", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *command]
    result = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def clean_copy(target: Path) -> Path:
    """The files a fresh clone would have: tracked, and new but not ignored (git's own view of the tree)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs the git checkout to know which files a clone has")
    listing = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listing.split("\0")):
        source = ROOT / name
        if source.is_file():  # a file deleted in the work tree but still tracked is not in a clone either
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def test_graphiql_assets_match_the_page_and_carry_their_licences() -> None:
    """The vendored files are the ones the installed strawberry's page names, byte for byte (offline check)."""
    from strawberry.http.ides import get_graphql_ide_html

    html = get_graphql_ide_html("graphiql")
    assert referenced_assets(html), "strawberry's GraphiQL page names no CDN files any more"
    assert check(html, assets_dir()) == [], "run make graphiql-assets and commit graphql_api/static"


def test_check_finds_a_tampered_file(tmp_path: Path) -> None:
    from strawberry.http.ides import get_graphql_ide_html

    html = get_graphql_ide_html("graphiql")
    shutil.copytree(assets_dir(), tmp_path / "static")
    first = referenced_assets(html)[0]
    (tmp_path / "static" / first.local).write_bytes(b"alert('not react')")
    (tmp_path / "static" / first.folder / LICENSE).unlink()
    problems = check(html, tmp_path / "static")
    assert any("does not match the page's integrity hash" in p for p in problems), problems
    assert f"no {LICENSE} in {first.folder}" in problems


def test_graphiql_works_offline_from_a_wheel(tmp_path: Path) -> None:
    source = clean_copy(tmp_path / "clone")
    assert (source / "graphql_api" / "static" / "README.md").is_file(), "the clone lacks GraphiQL's files"

    # Build without build isolation, so no index is asked for hatchling (the test environment has it).
    wheels = tmp_path / "wheels"
    offline(
        [sys.executable, *PIP, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(wheels), "."],
        cwd=source,
    )
    (wheel,) = wheels.glob("akg-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for asset in referenced_assets(_page()):
        assert f"graphql_api/static/{asset.local}" in names, f"the wheel lacks {asset.local}"
        assert f"graphql_api/static/{asset.folder}/{LICENSE}" in names, f"the wheel lacks {asset.folder}'s licence"

    # A fresh environment: akg only from the wheel; the dependencies from this one, by path, not by index.
    fresh = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(fresh)], check=True)
    python = fresh / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True
    ).stdout.strip()
    Path(purelib, "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    offline([str(python), *PIP, "install", "--no-deps", "--no-index", str(wheel)], cwd=tmp_path)
    where = offline([str(python), "-c", "import graphql_api; print(graphql_api.__file__)"], cwd=tmp_path).stdout
    assert where.startswith(purelib), where

    # Serve from the installed package and load GraphiQL as a browser would, with no network to reach.
    probe, report_file = tmp_path / "probe.py", tmp_path / "report.json"
    probe.write_text(PROBE)
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "AKG_GRAPHIQL_ASSETS"}}
    offline([str(python), str(probe), str(fresh / "bin" / "akg"), str(report_file)], cwd=tmp_path, env=env, timeout=300)
    report = json.loads(report_file.read_text())

    assert "defaultTabs: AKG_TABS" in report["page"]  # GraphiQL, opened on the example queries
    assets = report["assets"]
    assert len(assets) == len(referenced_assets(_page()))
    for url, seen in assets.items():
        assert url.startswith(f"{ROUTE}/"), f"the page loads {url} from elsewhere"
        assert seen["status"] == 200, url
        assert seen["type"].split(";")[0] in {"text/javascript", "application/javascript", "text/css"}, seen
        assert seen["integrity"] and seen["computed"] == seen["integrity"], url  # the browser will run it
    assert {"id": "civil-affairs"} in report["answer"]["data"]["sectors"]


def _page() -> str:
    from strawberry.http.ides import get_graphql_ide_html

    return get_graphql_ide_html("graphiql")
