"""The /matrix web page: served over HTTP, checked with httpx and in a real headless Chromium.

The browser test drives Debian's chromium (``apt-get install -y chromium``) with Playwright for Python
(``pip install playwright``; no browser download). It is skipped when either is missing, except under
CI, where a missing browser is a failure. The screenshot goes to ``$AKG_TEST_ARTIFACTS`` (default ``test-artifacts/``).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import openpyxl
import pytest

from akg import matrix as mx
from akg.accountability import Accountability
from akg.store import OxigraphStore
from graphql_api.server import create_app
from tests.graphql_support import serving
from tests.test_matrix import canonical, read_csv

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def accountability(shipped_store: OxigraphStore) -> Accountability:
    return Accountability.from_store(shipped_store)


@pytest.fixture(scope="module")
def base_url(accountability: Accountability) -> Iterator[str]:
    with serving(create_app(accountability)) as url:
        yield url


def test_page_and_downloads_over_http(base_url: str, accountability: Accountability) -> None:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        page = client.get("/matrix", params={"level": "county", "group": "orphans"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert 'href="/matrix/download/xlsx?level=county&amp;group=orphans"' in page.text
        matrix = accountability.responsibility_matrix(level="county", target_group="orphans")
        got = client.get("/matrix/download/csv", params={"level": "county", "group": "orphans"})
        assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
        path = Path(os.environ.get("TMPDIR", "/tmp")) / f"akg-matrix-{os.getpid()}.csv"
        path.write_bytes(got.content)
        try:
            assert read_csv(path) == canonical(matrix)
        finally:
            path.unlink()
        book = openpyxl.load_workbook(io.BytesIO(client.get("/matrix/download/xlsx").content))
        assert book.sheetnames[:2] == ["Matrix", "Legend"]
        # A need group's narrower needs become the columns.
        protection = accountability.concept("needs", "protection")
        rows = list(csv.reader(io.StringIO(client.get("/matrix/download/csv?needgroup=protection").text)))
        assert rows[0][2:] == list(protection.narrower)
        assert client.get("/matrix", params={"level": "moon"}).status_code == 400
        assert "unknown level 'moon'" in client.get("/matrix", params={"level": "moon"}).text
        assert client.get("/matrix", params={"needgroup": "flying"}).status_code == 400
        assert client.get("/matrix/download/pdf").status_code == 404


def test_matrix_page_in_chromium(base_url: str, accountability: Accountability) -> None:
    if os.environ.get("CI") and not CHROMIUM.exists():
        pytest.fail("CI must run the browser test: `make test` installs Debian's chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    artefacts = Path(os.environ.get("AKG_TEST_ARTIFACTS", "test-artifacts"))
    artefacts.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{base_url}/matrix")
            # Apply a filter the way a person does: the form submits on change.
            with page.expect_navigation():
                page.select_option("select[name=level]", "county")
            assert "level=county" in page.url
            cells = page.eval_on_selector_all(
                "tr[data-sector] td.cell",
                """tds => tds.map(td => [td.parentElement.dataset.sector, td.dataset.column,
                                        td.dataset.letters, td.dataset.clauses])""",
            )
            shown = {
                (s, c): (letters, tuple(x for x in clauses.split(", ") if x))
                for s, c, letters, clauses in cells
                if letters
            }
            matrix = accountability.responsibility_matrix(level="county")
            assert (shown, tuple(page.eval_on_selector_all("td.gap", "t => t.map(x => x.dataset.column)"))) == (
                canonical(matrix)
            )
            # A cell opens the obligations behind it, with their clause and text.
            row = next(r for r in matrix.rows if any(c.roles for c in r.cells))
            cell = next(c for c in row.cells if c.roles)
            page.click(f'tr[data-sector="{row.sector}"] td.cell[data-column="{cell.column}"]')
            dialog = page.locator("dialog#obligations")
            dialog.wait_for(state="visible")
            items = dialog.locator("li")
            assert items.count() == len(cell.obligation_ids)
            for n, obligation_id in enumerate(cell.obligation_ids):
                record = accountability.obligation(obligation_id)
                assert items.nth(n).get_attribute("data-obligation") == obligation_id
                assert items.nth(n).locator(".clause").inner_text() == f"§{record.provision}"
                assert items.nth(n).locator(".text").inner_text() == record.text.strip()
            page.screenshot(path=str(artefacts / "matrix-page-cell.png"))
            page.click("dialog#obligations button")
            page.screenshot(path=str(artefacts / "matrix-page.png"), full_page=True)
            assert page.inner_text("tr.gaps").count(mx.GAP_MARK) == len(matrix.gaps)
        finally:
            browser.close()
    assert (artefacts / "matrix-page.png").stat().st_size > 10_000
