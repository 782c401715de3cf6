"""Serve GraphiQL's scripts and styles from this package instead of a public CDN.

strawberry's GraphiQL page loads React, GraphiQL and its explorer plugin from a CDN, which an office network
without internet access cannot reach. The files the page names, at exactly the versions it names, are kept
in the repository under ``graphql_api/static/<package>@<version>/`` with each package's licence (all MIT),
so the wheel carries them and ``pip install .`` gives a GraphiQL that works offline; the server rewrites
the page to load them from :data:`ROUTE`. They are byte-identical to the npm packages, so the page's
subresource-integrity hashes still hold (:func:`check` proves it). Nothing is fetched at run time or at
build time: without the files the page is served unchanged.

When a strawberry upgrade names other versions, a maintainer runs ``make graphiql-assets`` (this module's
``main``), which takes the new files from the npm registry with ``npm pack``, and commits them; the test
suite fails until then (``check`` finds them missing).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROUTE = "/graphiql-assets"
# A CDN address of a file in a versioned npm package: https://<cdn>/<package>@<version>/<path>.
_URL = re.compile(
    r"https://[\w.-]+/(?P<package>(?:@[\w.-]+/)?[\w.-]+)@(?P<version>\d[\w.-]*)/(?P<path>[\w./-]+\.(?:js|css))"
)
# A <script src> or <link href> element with its integrity attribute, in either order.
_TAG = re.compile(r"<(?:script|link)\b[^>]*>", re.DOTALL)
_INTEGRITY = re.compile(r'integrity="(?P<algorithm>sha256|sha384|sha512)-(?P<digest>[A-Za-z0-9+/=]+)"')
LICENSE = "LICENSE"


@dataclass(frozen=True)
class Asset:
    """One file the GraphiQL page loads: ``package@version/path``, with its integrity hash if the page gives one."""

    url: str
    package: str
    version: str
    path: str
    integrity: str | None = None

    @property
    def local(self) -> str:
        return f"{self.package}@{self.version}/{self.path}"

    @property
    def folder(self) -> str:
        """The package's folder, ``package@version``, which also holds its licence."""
        return f"{self.package}@{self.version}"


def assets_dir() -> Path:
    """Where the files live: ``$AKG_GRAPHIQL_ASSETS``, else ``graphql_api/static/`` beside this module."""
    return Path(os.environ.get("AKG_GRAPHIQL_ASSETS") or Path(__file__).resolve().parent / "static")


def referenced_assets(html: str) -> list[Asset]:
    """Every CDN file ``html`` loads, in page order, with the integrity hash of the element that loads it."""
    integrity: dict[str, str] = {}
    for tag in _TAG.finditer(html):
        url, check = _URL.search(tag.group(0)), _INTEGRITY.search(tag.group(0))
        if url and check:
            integrity[url.group(0)] = f"{check['algorithm']}-{check['digest']}"
    return [
        Asset(m.group(0), m["package"], m["version"], m["path"], integrity.get(m.group(0))) for m in _URL.finditer(html)
    ]


def localise(html: str, folder: Path) -> str | None:
    """``html`` loading every asset from :data:`ROUTE`, or None when any file is missing from ``folder``."""
    assets = referenced_assets(html)
    if not assets or not all((folder / a.local).is_file() for a in assets):
        return None
    for asset in assets:
        html = html.replace(asset.url, f"{ROUTE}/{asset.local}")
    return html


def integrity_of(data: bytes, algorithm: str = "sha384") -> str:
    """The subresource-integrity value of ``data`` (``sha384-<base64>``), as a browser computes it."""
    return f"{algorithm}-{base64.b64encode(hashlib.new(algorithm, data).digest()).decode('ascii')}"


def check(html: str, folder: Path) -> list[str]:
    """What keeps ``html`` from loading offline from ``folder``: a missing file, a file whose bytes do not
    match the page's integrity hash, a package without its licence. Empty when all is well."""
    problems = []
    for asset in referenced_assets(html):
        target = folder / asset.local
        if not target.is_file():
            problems.append(f"missing {asset.local}")
        elif asset.integrity and integrity_of(target.read_bytes(), asset.integrity.split("-")[0]) != asset.integrity:
            problems.append(f"{asset.local} does not match the page's integrity hash {asset.integrity}")
        if not (folder / asset.folder / LICENSE).is_file():
            problems.append(f"no {LICENSE} in {asset.folder}")
    return sorted(set(problems))


def fetch(assets: list[Asset], folder: Path) -> list[str]:
    """Take each missing asset and its package's licence from its npm package (``npm pack``); returns what was
    added. A package that ships no licence file gets a ``LICENSE`` naming the licence its package.json declares."""
    added = []
    for asset in assets:
        target, licence = folder / asset.local, folder / asset.folder / LICENSE
        if target.is_file() and licence.is_file():
            continue
        with tempfile.TemporaryDirectory() as work:
            subprocess.run(
                ["npm", "pack", "--silent", f"{asset.package}@{asset.version}"],
                cwd=work,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            (tarball,) = Path(work).glob("*.tgz")
            with tarfile.open(tarball) as archive:
                if not target.is_file():
                    _write(target, _member(archive, f"package/{asset.path}"))
                    added.append(asset.local)
                if not licence.is_file():
                    _write(licence, _licence_text(archive, asset))
                    added.append(f"{asset.folder}/{LICENSE}")
    return added


def _member(archive: tarfile.TarFile, name: str) -> bytes:
    member = archive.extractfile(name) if name in archive.getnames() else None
    if member is None:
        raise FileNotFoundError(f"{name} is not in the package")
    return member.read()


def _licence_text(archive: tarfile.TarFile, asset: Asset) -> bytes:
    for name in archive.getnames():
        if re.fullmatch(r"package/licen[cs]e(\.md|\.txt)?", name, flags=re.IGNORECASE):
            return _member(archive, name)
    manifest = json.loads(_member(archive, "package/package.json"))
    repository = manifest.get("repository")
    where = repository.get("url") if isinstance(repository, dict) else repository
    return (
        f"{asset.package}@{asset.version} ships no licence file; its package.json declares the licence "
        f"{manifest.get('license', 'UNKNOWN')} (SPDX identifier).\nSource: {where}\n"
    ).encode()


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(data)
    partial.replace(target)


def main(argv: list[str] | None = None) -> int:
    """``make graphiql-assets``: take the files the installed strawberry's page names from the npm registry.

    ``--check`` only verifies the files against the page (no network): exit status 1 with the problems.
    """
    from strawberry.http.ides import get_graphql_ide_html

    args = sys.argv[1:] if argv is None else argv
    folder, html = assets_dir(), get_graphql_ide_html("graphiql")
    if "--check" not in args:
        if shutil.which("npm") is None:
            print("graphiql-assets: npm not found; install Node.js to refresh the files", file=sys.stderr)
            return 1
        added = fetch(referenced_assets(html), folder)
        print(f"graphiql-assets: {len(added)} file(s) added in {folder}", file=sys.stderr)
    problems = check(html, folder)
    for problem in problems:
        print(f"graphiql-assets: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
