"""Care pathways: procedures as data, eligibility, one child's pathway with dates, the card, the CLI, the page.

Expected steps, actors and clauses were read off data/documents/*/procedures/*.yaml and the texts.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from akg.accountability import Accountability, InvalidArgument, Profile, UnknownIdentifier
from akg.pathway_card import render_card
from akg.store import OxigraphStore
from akg_cli import main
from graphql_api.schema import make_context, schema
from graphql_api.server import WithoutQueryStrings, create_app
from loader.errors import LoadError
from tests.graphql_support import serving

UNATTENDED = Profile(("factually-unattended-children",), 5, "county")
ORPHAN_WITH_HEARING_IMPAIRMENT = Profile(
    ("orphans", "children-with-disabilities", "institutionalised-children"), 5, "county"
)


@pytest.fixture(scope="module")
def acc(shipped_store: OxigraphStore) -> Accountability:
    return Accountability.from_store(shipped_store)


def _steps(path) -> dict[str, object]:
    return {d.step.id: d for d in path.steps}


# -- procedures as data -------------------------------------------------------------------------------------


def test_the_five_procedures_of_the_issue_and_the_placement_channels_are_data(acc: Accountability) -> None:
    found = {p.id for p in acc.procedures()}
    assert {
        "minfa-2019-62/confirmation",
        "guofa-2018-20/rehabilitation-assistance",
        "hubei-2022-child-welfare/abandoned-infant",
        "guofa-2016-13/rescue-and-protection",
        "guobanfa-2011-39/return-home",
        "guobanfa-2010-54/orphan-placement",
    } <= found
    for procedure in acc.procedures():
        assert procedure.titles.keys() >= {"en", "zh"} and procedure.steps
        orders = sorted({s.order for s in procedure.steps})
        assert orders == list(range(1, len(orders) + 1)), procedure.id
        for step in procedure.steps:
            assert step.actor and step.obligations, (procedure.id, step.id)
            assert all(acc.obligation(o).document == procedure.document for o in step.obligations)
            if step.deadline is not None and step.deadline.kind == "relative":
                assert step.after, (procedure.id, step.id)  # a relative deadline names its trigger


def test_the_confirmation_procedure_step_by_step(acc: Accountability) -> None:
    confirmation = acc.procedure("minfa-2019-62/confirmation")
    steps = {s.id: s for s in confirmation.steps}
    assert [s.id for s in confirmation.steps[:3]] == ["application", "check", "confirmation"]
    assert (steps["check"].actor, steps["check"].after) == ("township-governments", "application")
    assert (steps["check"].deadline.amount, steps["check"].deadline.unit) == (15, "working-days")
    assert (steps["confirmation"].actor, steps["confirmation"].after) == ("county-civil-affairs", "check")
    # The branch the text has: inclusion if eligible, a written refusal if not.
    assert steps["inclusion"].order == steps["refusal"].order == 4
    assert steps["inclusion"].conditions["zh"] == "符合条件的" and steps["inclusion"].benefit
    assert steps["refusal"].conditions["zh"] == "不符合保障条件的"
    assert "minfa-2019-62/2.3-4" in steps["refusal"].obligations  # 应当书面说明理由


def test_the_four_placement_channels_are_alternatives(acc: Accountability) -> None:
    placement = acc.procedure("guobanfa-2010-54/orphan-placement")
    channels = [s for s in placement.steps if s.order == 2]
    assert len(channels) == 4 and all(s.conditions for s in channels)
    assert {s.conditions["zh"] for s in channels} >= {"亲属抚养", "机构养育", "家庭寄养", "依法收养"} or len(
        {s.conditions["zh"] for s in channels}
    ) == 4


def test_procedures_are_filtered_by_document_need_and_group(acc: Accountability) -> None:
    assert [p.id for p in acc.procedures(target_group="factually-unattended-children")] == [
        "minfa-2019-62/confirmation"
    ]
    assert all(p.document == "guofa-2018-20" for p in acc.procedures(document="guofa-2018-20"))
    assert "guofa-2018-20/rehabilitation-assistance" in {p.id for p in acc.procedures(need="development")}
    with pytest.raises(UnknownIdentifier):
        acc.procedures(need="flying")


def test_eligibility_ages_are_the_texts_own(acc: Accountability) -> None:
    orphans = acc.eligibility_condition("guobanfa-2010-54/orphans")
    assert (orphans.age_below, orphans.defines) == (18, "orphans") and "未满18周岁" in orphans.quote
    left_behind = acc.eligibility_condition("guofa-2016-13/rural-left-behind-children")
    assert left_behind.age_below == 16 and "不满十六周岁" in left_behind.quote
    rehabilitation = acc.eligibility_condition("guofa-2018-20/children-with-disabilities")
    assert (rehabilitation.minimum_age, rehabilitation.age_below) == (0, 7) and "0—6岁" in rehabilitation.quote
    unattended = acc.eligibility_condition("minfa-2019-62/factually-unattended-children")
    assert unattended.minimum_age is None and unattended.age_below is None  # the text states no age


# -- one child's pathway ------------------------------------------------------------------------------------


def test_a_factually_unattended_child_in_a_county(acc: Accountability) -> None:
    pathway = acc.pathway(UNATTENDED, dt.date(2024, 9, 27))
    (path,) = pathway.procedures
    steps = _steps(path)
    assert steps["application"].due == dt.date(2024, 9, 27)
    assert steps["check"].due == dt.date(2024, 10, 23)  # 15 working days across the National Day holiday
    assert steps["confirmation"].due == dt.date(2024, 11, 13)
    assert steps["inclusion"].due == dt.date(2024, 12, 1)  # from the month after confirmation
    assert path.days_to_benefit == (dt.date(2024, 12, 1) - dt.date(2024, 9, 27)).days
    assert steps["refusal"].due is None and steps["refusal"].basis == "no period stated"
    assert steps["change-reported"].basis == "promptly"
    assert steps["confirmation"].actor.organization.id == "county-civil-affairs"
    # Duties across documents, bodies resolved to the county.
    documents = {d.obligation.document for d in pathway.duties}
    assert {"minfa-2019-62", "guofa-2016-36"} <= documents
    resolved = {(h.resolved_from, h.organization.id) for d in pathway.duties for h in d.holders if h.resolved_from}
    assert ("civil-affairs-departments", "county-civil-affairs") in resolved
    assert "basic-living" in pathway.needs
    assert all(d.obligation.needs for d in pathway.duties)


def test_an_orphan_with_a_hearing_impairment_in_a_county_institution(acc: Accountability) -> None:
    pathway = acc.pathway(ORPHAN_WITH_HEARING_IMPAIRMENT, dt.date(2025, 1, 20))
    paths = {p.procedure.id: p for p in pathway.procedures}
    assert {"guobanfa-2010-54/orphan-placement", "guofa-2018-20/rehabilitation-assistance"} <= set(paths)
    rehabilitation = paths["guofa-2018-20/rehabilitation-assistance"]
    age = {c.condition.id: c.age_ok for c in rehabilitation.eligibility}
    assert age["guofa-2018-20/children-with-disabilities"] is True  # 0—6岁
    review = next(d for d in rehabilitation.steps if d.step.order == 2 and "federation" in d.actor.organization.id)
    assert review.actor.organization.id == "county-disabled-persons-federation"
    assert {c.condition.id: c.age_ok for c in pathway.eligibility}["guobanfa-2010-54/orphans"] is True
    older = acc.pathway(Profile(ORPHAN_WITH_HEARING_IMPAIRMENT.groups, 9, "county"))
    later = {p.procedure.id: p for p in older.procedures}["guofa-2018-20/rehabilitation-assistance"]
    assert {c.condition.id: c.age_ok for c in later.eligibility}["guofa-2018-20/children-with-disabilities"] is False


def test_a_year_the_calendar_does_not_cover_is_said_not_guessed(acc: Accountability) -> None:
    steps = _steps(acc.pathway(UNATTENDED, dt.date(2035, 3, 1)).procedures[0])
    assert steps["check"].due is None and "2035" in steps["check"].basis


@pytest.mark.parametrize(
    ("profile", "error"),
    [
        (Profile(()), "at least one target group"),
        (Profile(("orphans",), 140), "age must be between"),
        (Profile(("flying-children",)), "unknown group"),
        (Profile(("orphans",), level="galaxy"), "unknown level"),
        (Profile(("orphans",), jurisdiction="420699"), "unknown jurisdiction"),
    ],
)
def test_impossible_profiles_are_refused(acc: Accountability, profile: Profile, error: str) -> None:
    with pytest.raises(InvalidArgument, match=error):
        acc.pathway(profile)


class CountingStore:
    """Wraps a store and counts every call made through it."""

    def __init__(self, store: OxigraphStore) -> None:
        self.store, self.calls = store, 0

    def select(self, query: str):
        self.calls += 1
        return self.store.select(query)


def test_a_pathway_neither_reads_nor_writes_the_store(shipped_store: OxigraphStore) -> None:
    counted = CountingStore(shipped_store)
    acc = Accountability.from_store(counted)
    before = counted.calls
    acc.pathway(UNATTENDED, dt.date(2024, 9, 27))
    assert counted.calls == before  # answered from the in-memory indexes: the profile never reaches the store


# -- the card, GraphQL, the CLI and the page ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_card_cites_every_clause_in_both_languages(acc: Accountability, lang: str) -> None:
    pathway = acc.pathway(UNATTENDED, dt.date(2024, 9, 27))
    content = json.loads(render_card(pathway, acc, "json", lang))
    rows = content["procedures"][0]["steps"]
    assert rows[1]["due"] == "2024-10-23" and rows[1]["clause"] == "民发〔2019〕62号 2.2"
    assert all(h["clauses"] for need in content["owed"] for h in need["holders"])
    page = render_card(pathway, acc, "html", lang).decode()
    assert "<script" not in page and "http" not in page.split("</style>")[1]  # offline: nothing remote
    assert ("工作流程" if lang == "zh" else "Procedures, step by step") in page
    assert "2024-10-23" in render_card(pathway, acc, "md", lang).decode()


def test_pathway_in_graphql(acc: Accountability) -> None:
    query = """query($p: PathwayProfile!, $s: Date) { pathway(profile: $p, start: $s) {
        targetGroups { id } needs { id }
        procedures { daysToBenefit procedure { id title(lang: "zh") }
                     steps { due basis actor { organization { id } namedAs { id } }
                             step { order title condition(lang: "zh") deadline { kind relative { amount } } } } } } }"""
    variables = {"p": {"targetGroups": ["unattended-children"], "age": 5, "level": "county"}, "s": "2024-09-27"}
    result = schema.execute_sync(query, variable_values=variables, context_value=make_context(acc))
    assert result.errors is None
    pathway = result.data["pathway"]
    assert pathway["targetGroups"] == [
        {"id": "factually-unattended-children"}
    ]  # the deprecated id is read as its successor
    steps = {s["step"]["order"]: s for s in pathway["procedures"][0]["steps"]}
    assert steps[2]["due"] == "2024-10-23" and steps[2]["step"]["deadline"]["relative"]["amount"] == 15
    procedures = schema.execute_sync(
        '{ procedures(targetGroup: "orphans") { id steps { order title(lang: "zh") actor { id } } } }',
        context_value=make_context(acc),
    )
    assert "guobanfa-2010-54/orphan-placement" in {p["id"] for p in procedures.data["procedures"]}
    bad = schema.execute_sync(
        '{ pathway(profile: {targetGroups: ["orphans"], jurisdiction: "420699"}) { needs { id } } }',
        context_value=make_context(acc),
    )
    assert bad.errors and "unknown jurisdiction '420699'" in bad.errors[0].message


def test_akg_pathway_writes_a_card(tmp_path: Path, capsys) -> None:
    args = ["pathway", "--groups", "factually-unattended-children", "--age", "5", "--level", "county"]
    assert main([*args, "--start", "2024-09-27", "--lang", "zh", "-o", str(tmp_path / "card.html")]) == 0
    page = (tmp_path / "card.html").read_text(encoding="utf-8")
    assert "2024-10-23" in page and "关爱保护路径" in page and "民发〔2019〕62号" in page
    assert main([*args, "-o", str(tmp_path / "card.json")]) == 0
    assert json.loads((tmp_path / "card.json").read_text())["procedures"][0]["steps"][0]["due"] == "no start date given"
    assert main(["pathway", "--groups", "flying-children", "-o", str(tmp_path / "x.md")]) == 2
    assert "unknown group 'flying-children'; known: orphans" in capsys.readouterr().err
    assert not (tmp_path / "x.md").exists()
    with pytest.raises(SystemExit) as stopped:
        main([*args, "--start", "27/09/2024", "-o", str(tmp_path / "y.md")])
    assert stopped.value.code == 2 and "not a date (YYYY-MM-DD): '27/09/2024'" in capsys.readouterr().err


def test_a_procedure_annotation_error_names_file_line_and_value(fixture_data: Path) -> None:
    from akg.store import build_graph

    folder = fixture_data / "documents" / "county-notice-2024" / "procedures"
    folder.mkdir()
    (folder / "schooling.yaml").write_text(
        "procedures:\n"
        "  - id: schooling\n"
        "    title: {en: Schooling, zh: 入学}\n"
        '    provision: "1"\n'
        "    quote: nowhere in the text\n"
        "    steps:\n"
        "      - {id: ask, order: 1, title: {en: Ask, zh: 申请}, actor: nobody-at-all, obligations: [1-1]}\n"
        "      - {id: place, order: 3, title: {en: Place, zh: 安置}, actor: relevant-departments,\n"
        "         obligations: [9-9]}\n",
        encoding="utf-8",
    )
    with pytest.raises(LoadError) as caught:
        build_graph(fixture_data)
    messages = "\n".join(str(p) for p in caught.value.problems)
    name = "documents/county-notice-2024/procedures/schooling.yaml"
    assert f"{name}:5: quote 'nowhere in the text' does not occur in provision 1" in messages
    assert f"{name}:7: unknown organisation 'nobody-at-all'" in messages
    assert f"{name}:9: unknown obligation '9-9'" in messages
    assert "step orders must run 1, 2, 3 ... without a gap; got [1, 3]" in messages
    assert "step 'place' (order 3) needs 'after'" in messages


@pytest.fixture(scope="module")
def base_url(acc: Accountability) -> Iterator[str]:
    with serving(create_app(acc), lifespan="on") as url:  # lifespan on: the access-log filter is installed
        yield url


def test_the_pathway_page_answers_a_form(base_url: str) -> None:
    form = httpx.get(f"{base_url}/pathway")
    assert form.status_code == 200 and 'name="group"' in form.text and "is stored or logged" in form.text
    answer = httpx.post(
        f"{base_url}/pathway",
        data={"group": "factually-unattended-children", "age": "5", "level": "county", "start": "2024-09-27"},
    )
    assert answer.status_code == 200 and "2024-10-23" in answer.text and "民发〔2019〕62号 2.2" in answer.text
    bad = httpx.post(f"{base_url}/pathway", data={"group": "orphans", "start": "tomorrow"})
    assert bad.status_code == 400 and "start &#x27;tomorrow&#x27; is not a date" in bad.text
    assert "Traceback" not in bad.text


def test_access_logs_keep_no_query_string() -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:1", "GET", "/graphql?query=x&variables=%7B%22age%22%3A5%7D", "1.1", 200), None,
    )  # fmt: skip
    WithoutQueryStrings().filter(record)
    assert record.getMessage() == '127.0.0.1:1 - "GET /graphql HTTP/1.1" 200'


def test_the_pathway_page_in_chromium(base_url: str) -> None:
    from tests.test_matrix_page import CHROMIUM, CHROMIUM_ARGS

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
            page = browser.new_page(viewport={"width": 1200, "height": 1000})
            page.goto(f"{base_url}/pathway")
            # Fill the form the way a case worker does.
            page.check('input[name=group][value="factually-unattended-children"]')
            page.fill("input[name=age]", "5")
            page.select_option("select[name=level]", "county")
            page.fill("input[name=start]", "2024-09-27")
            page.select_option("select[name=lang]", "zh")
            with page.expect_navigation():
                page.click("button[type=submit]")
            assert page.url == f"{base_url}/pathway"  # the profile is not in the address
            rows = page.eval_on_selector_all(
                "section.card table tr", "trs => trs.map(tr => [...tr.cells].map(td => td.innerText))"
            )
            check = next(r for r in rows if r[0].startswith("2."))
            assert check[2] == "2024-10-23" and check[4] == "民发〔2019〕62号 2.2"
            assert page.is_checked('input[name=group][value="factually-unattended-children"]')  # the form keeps it
            page.screenshot(path=str(artefacts / "pathway-page.png"), full_page=True)
        finally:
            browser.close()
    assert (artefacts / "pathway-page.png").stat().st_size > 10_000
