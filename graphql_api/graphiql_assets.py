"""Serve GraphiQL's scripts and styles from this machine instead of a public CDN.

strawberry's GraphiQL page loads React, GraphiQL and its explorer plugin from a CDN, which an offline
office network cannot reach. At set-up time (``make serve``/``make test``) this module's ``main`` takes
exactly the files the page names, at exactly the versions it names, from the npm registry with
``npm pack``; the server then rewrites the page to load them from ``/graphiql-assets/``. The files are
byte-identical to the CDN's, so the page's subresource-integrity hashes still hold. Nothing is fetched
at run time: without the files the page is served unchanged.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Asset:
    """One file the GraphiQL page loads: ``package@version/path``."""

    url: str
    package: str
    version: str
    path: str

    @property
    def local(self) -> str:
        return f"{self.package}@{self.version}/{self.path}"


def assets_dir() -> Path:
    """Where the files live: ``$AKG_GRAPHIQL_ASSETS``, else ``graphql_api/static/`` beside this module."""
    return Path(os.environ.get("AKG_GRAPHIQL_ASSETS") or Path(__file__).resolve().parent / "static")


def referenced_assets(html: str) -> list[Asset]:
    return [Asset(m.group(0), m["package"], m["version"], m["path"]) for m in _URL.finditer(html)]


def localise(html: str, folder: Path) -> str | None:
    """``html`` loading every asset from :data:`ROUTE`, or None when any file is missing from ``folder``."""
    assets = referenced_assets(html)
    if not assets or not all((folder / a.local).is_file() for a in assets):
        return None
    for asset in assets:
        html = html.replace(asset.url, f"{ROUTE}/{asset.local}")
    return html


def fetch(assets: list[Asset], folder: Path) -> list[str]:
    """Take each missing asset from its npm package (``npm pack``); returns what was added."""
    added = []
    for asset in assets:
        target = folder / asset.local
        if target.is_file():
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
                member = archive.extractfile(f"package/{asset.path}")
                if member is None:
                    raise FileNotFoundError(f"{asset.path} is not in {asset.package}@{asset.version}")
                target.parent.mkdir(parents=True, exist_ok=True)
                partial = target.with_name(target.name + ".partial")
                partial.write_bytes(member.read())
                partial.replace(target)
        added.append(asset.local)
    return added


def main() -> int:
    """Set-up step: make GraphiQL work offline. Never fails the set-up; says what it could not do."""
    from strawberry.http.ides import get_graphql_ide_html

    folder = assets_dir()
    if shutil.which("npm") is None:
        print("note: npm not found; GraphiQL will load its scripts from the public CDN", file=sys.stderr)
        return 0
    try:
        added = fetch(referenced_assets(get_graphql_ide_html("graphiql")), folder)
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"note: GraphiQL assets not fetched ({exc}); the page will use the public CDN", file=sys.stderr)
        return 0
    if added:
        print(f"GraphiQL assets: {len(added)} file(s) in {folder}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
