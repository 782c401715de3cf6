"""The /scorecard web page: served over HTTP with a store folder's fixture reports, checked with httpx and in
a real headless Chromium (skipped without Debian's chromium and Playwright, except under CI; see
tests/test_matrix_page.py). The screenshots go to ``$AKG_TEST_ARTIFACTS`` (default ``test-artifacts/``).
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

from akg import resources
from akg.accountability import Accountability
from akg.matrix import STATUS_FILLS
from akg.progress.layout import StoreLayout
from akg.progress.service import ProgressService
from akg.progress.tokens import TokenRegistry
from akg.store import open_store
from graphql_api.server import create_app
from tests.graphql_support import serving
from tests.scorecard_support import CITIES, write_fixture_reports
from tests.test_matrix_page import CHROMIUM, CHROMIUM_ARGS

ASKED = {"as_of": "2022-11-21", "level": "city", "by": "jurisdiction", "lang": "en"}


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """The service on a store folder with the fixture reports; yields its URL and tokens by kind."""
    root = tmp_path_factory.mktemp("scorecard-page") / "store"
    write_fixture_reports(root)
    store = open_store(location=root)
    registry = TokenRegistry(StoreLayout(root).tokens)
    revoked = registry.issue("civil-affairs@420300", "reporter")
    registry.revoke(revoked.record.id)
    tokens = {
        "reporter": registry.issue("civil-affairs@420200", "reporter").text,
        "reviewer": registry.issue("hubei-child-welfare-office", "reviewer").text,
        "revoked": revoked.text,
        "unknown": "akg_0123456789_" + "x" * 43,
    }
    progress = ProgressService.open(store, root, resources.shapes_dir())
    with serving(create_app(Accountability.from_store(store), progress=progress)) as url:
        yield url, tokens


def statuses(page: str) -> list[str]:
    return [part.split('"')[0] for part in page.split('<tr class="row status-')[1:]]


def test_without_a_token_the_page_asks_for_one_and_shows_no_data(service) -> None:
    url, _tokens = service
    for answer in (httpx.get(f"{url}/scorecard"), httpx.post(f"{url}/scorecard", data=ASKED)):
        assert answer.status_code == 401 and answer.headers["www-authenticate"].startswith("Bearer")
        assert "Give your token to see the scorecard" in answer.text
        assert "data-status" not in answer.text and "Wuhan" not in answer.text
        assert answer.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(("kind", "reason"), [("revoked", "revoked"), ("unknown", "not known")])
def test_a_bad_token_is_refused_with_its_reason_and_no_data(service, kind: str, reason: str) -> None:
    url, tokens = service
    answer = httpx.post(f"{url}/scorecard", data={**ASKED, "token": tokens[kind]})
    assert answer.status_code == 401 and reason in answer.text
    assert "data-status" not in answer.text and tokens[kind] not in answer.text
    header = httpx.get(f"{url}/scorecard/download/csv", params=ASKED, headers={"Authorization": "Bearer nonsense"})
    assert header.status_code == 401 and "as_of" not in header.text


def test_a_token_in_the_url_is_refused_and_not_used(service) -> None:
    url, tokens = service
    for path in ("/scorecard", "/scorecard/download/csv"):
        answer = httpx.get(f"{url}{path}", params={**ASKED, "token": tokens["reporter"]})
        assert answer.status_code == 400 and "never be put in a URL" in answer.text
        assert "data-status" not in answer.text and "420100" not in answer.text


def test_any_role_sees_the_scorecard_overdue_first(service) -> None:
    url, tokens = service
    posted = httpx.post(f"{url}/scorecard", data={**ASKED, "token": tokens["reporter"]})
    assert posted.status_code == 200 and posted.headers["cache-control"] == "no-store"
    assert statuses(posted.text) == ["overdue"] * (CITIES - 1) + ["done"]
    headed = httpx.get(f"{url}/scorecard", params=ASKED, headers={"Authorization": f"Bearer {tokens['reviewer']}"})
    assert headed.status_code == 200 and statuses(headed.text) == statuses(posted.text)


def test_downloads_by_form_and_by_header(service) -> None:
    url, tokens = service
    got = httpx.post(f"{url}/scorecard/download/csv", data={**ASKED, "token": tokens["reporter"]})
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert 'filename="scorecard-2022-11-21-jurisdiction-city.csv"' in got.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert len(rows) == CITIES and rows[-1]["key"] == "420100" and rows[-1]["status"] == "done"
    auth = {"Authorization": f"Bearer {tokens['reporter']}"}
    body = httpx.get(f"{url}/scorecard/download/json", params={**ASKED, "by": "sector"}, headers=auth).json()
    assert body["scorecard"]["rows"][0]["key"] == "civil-affairs" and body["scorecard"]["totals"]["overdue"] == 16
    assert httpx.get(f"{url}/scorecard/download/pdf", params=ASKED, headers=auth).status_code == 404
    bad = httpx.get(f"{url}/scorecard/download/csv", params={**ASKED, "as_of": "2022-11-31"}, headers=auth)
    assert bad.status_code == 400 and "'2022-11-31' is not a date" in bad.text


def _rgb(hex_colour: str) -> str:
    return "rgb({}, {}, {})".format(*(int(hex_colour[i : i + 2], 16) for i in (0, 2, 4)))


def test_scorecard_page_in_chromium(service) -> None:
    if os.environ.get("CI") and not CHROMIUM.exists():
        pytest.fail("CI must run the browser test: `make test` installs Debian's chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    url, tokens = service
    artefacts = Path(os.environ.get("AKG_TEST_ARTIFACTS", "test-artifacts"))
    artefacts.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            first = page.goto(f"{url}/scorecard")
            assert first is not None and first.status == 401
            assert page.locator("table.scorecard").count() == 0
            # A wrong token: a clear message, and no data.
            page.fill("input[name=as_of]", "2022-11-21")
            page.fill("input[name=token]", tokens["unknown"])
            with page.expect_navigation() as refused:
                page.click("form.scorecard button[type=submit]:not([formaction])")
            assert refused.value.status == 401
            assert "not known" in page.inner_text("p.error") and page.locator("table.scorecard").count() == 0
            page.screenshot(path=str(artefacts / "scorecard-page-refused.png"))
            # The right one, as a bureau would: the date, the city level, the token.
            page.fill("input[name=as_of]", "2022-11-21")
            page.select_option("select[name=level]", "city")
            page.fill("input[name=token]", tokens["reporter"])
            with page.expect_navigation() as shown:
                page.click("form.scorecard button[type=submit]:not([formaction])")
            assert shown.value.status == 200
            rows = page.eval_on_selector_all(
                "table.scorecard:not(.overdue-duties) tr.row",
                "trs => trs.map(tr => [tr.dataset.key, tr.dataset.status,"
                " getComputedStyle(tr.cells[0]).backgroundColor])",
            )
            assert [status for _key, status, _colour in rows] == ["overdue"] * (CITIES - 1) + ["done"]
            assert rows[-1] == ["420100", "done", _rgb(STATUS_FILLS["done"])]
            assert {colour for _key, status, colour in rows if status == "overdue"} == {_rgb(STATUS_FILLS["overdue"])}
            assert page.locator("table.overdue-duties tr[data-instance]").count() == CITIES - 1
            page.screenshot(path=str(artefacts / "scorecard-page.png"), full_page=True)
            # The workbook download posts the same form, token included.
            with page.expect_download() as download:
                page.click("button[formaction='/scorecard/download/xlsx']")
            saved = artefacts / "scorecard-page.xlsx"
            download.value.save_as(saved)
            sheet = openpyxl.load_workbook(saved)["Scorecard"]
            assert sheet[sheet.max_row][0].value == "Total" and sheet[sheet.max_row][6].value == CITIES - 1
            saved.unlink()
        finally:
            browser.close()
    assert (artefacts / "scorecard-page.png").stat().st_size > 10_000
