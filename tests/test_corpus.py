"""The corpus: six national documents in Chinese and the Hubei opinions, answered across documents.

Expected owners, roles, clauses and deadlines were read off the annotations in
data/documents/*/obligations/*.yaml and checked against the source texts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

import pytest

from akg import resources
from akg.accountability import Accountability
from akg.reports import render
from akg.store import OxigraphStore
from akg.validation import Severity, ValidationReport, validate

HUBEI = "hubei-2022-child-welfare"
NATIONAL = {
    "minfa-2019-62": ("民发〔2019〕62号", "关于进一步加强事实无人抚养儿童保障工作的意见"),
    "guofa-2016-36": ("国发〔2016〕36号", "国务院关于加强困境儿童保障工作的意见"),
    "guofa-2016-13": ("国发〔2016〕13号", "国务院关于加强农村留守儿童关爱保护工作的意见"),
    "guobanfa-2011-39": ("国办发〔2011〕39号", "国务院办公厅关于加强和改进流浪未成年人救助保护工作的意见"),
    "guobanfa-2010-54": ("国办发〔2010〕54号", "国务院办公厅关于加强孤儿保障工作的意见"),
    "guofa-2018-20": ("国发〔2018〕20号", "国务院关于建立残疾儿童康复救助制度的意见"),
}
# Documents whose text sets a work goal ("到2020年"), which duties without a deadline of their own inherit.
WITH_GOAL = {"guofa-2016-13", "guofa-2018-20", HUBEI}


@pytest.fixture(scope="module")
def acc(shipped_store: OxigraphStore) -> Accountability:
    return Accountability.from_store(shipped_store)


@pytest.fixture(scope="module")
def report(shipped_store: OxigraphStore) -> ValidationReport:
    return validate(shipped_store.export(), resources.shapes_dir())


def held(acc: Accountability, need: str, **filters) -> dict[tuple[str, str], set[str]]:
    """(organisation, role) -> the "<document> <clause>" it rests on."""
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for entry in acc.responsible_for(need, **filters):
        found[(entry.organization.id, entry.role)] |= {f"{o.document} {o.provision}" for o in entry.obligations}
    return found


# -- the documents -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("doc", sorted(NATIONAL))
def test_national_documents_record_what_is_known_and_no_date(acc: Accountability, doc: str) -> None:
    record = acc.document(doc)
    number, title = NATIONAL[doc]
    assert (record.number, record.label("zh"), record.language, record.level) == (number, title, "zh", "national")
    assert record.label("en") != title and record.issuers
    assert record.date_signed is None and record.date_published is None  # the source gives no date
    assert acc.obligations(document=doc), "every document is annotated"


def test_issuers_of_the_joint_opinion_are_the_twelve_national_bodies(acc: Accountability) -> None:
    issuers = acc.document("minfa-2019-62").issuers
    assert len(issuers) == 12
    assert {"ministry-of-civil-affairs", "supreme-peoples-court", "china-disabled-persons-federation"} <= set(issuers)
    assert acc.document("guofa-2016-36").issuers == ("state-council",)
    assert acc.document("guobanfa-2011-39").issuers == ("state-council-general-office",)
    assert len(acc.document(HUBEI).issuers) == 16 and acc.document(HUBEI).level == "province"


def test_missing_dates_of_issue_are_findings_not_values(report: ValidationReport) -> None:
    missing = {f.document for f in report.results if f.source_shape.endswith("PolicyDocument-hasDateSigned")}
    assert missing == set(NATIONAL)
    assert all(f.severity is Severity.INFO for f in report.results if f.document in missing and f.clause is None)


def test_every_quote_is_chinese_and_every_action_english(acc: Accountability) -> None:
    for ob in acc.obligations(document=sorted(NATIONAL)):
        assert re.search(r"[\u4e00-\u9fff]", ob.text), ob.id
        assert ob.action and not re.search(r"[\u4e00-\u9fff]{4,}", ob.action), ob.id


def test_the_modality_rule_holds_across_the_corpus(acc: Accountability) -> None:
    """must only with a mandatory marker in the quote (or a note saying where it comes from), and the reverse."""
    marker = {
        "zh": re.compile("应当|应|必须|须|负责|不得|严禁|禁止"),
        "en": re.compile(r"\b(must|shall|responsible|necessary|not)\b"),
    }
    strong = {"zh": re.compile("应当|必须"), "en": re.compile(r"\b(must|shall)\b")}
    for ob in acc.all_obligations():
        language = acc.document(ob.document).language
        if ob.modality == "must":
            assert marker[language].search(ob.text) or ob.note, ob.id
        if strong[language].search(ob.text) and ob.modality != "must":
            assert ob.note, ob.id


# -- the officer's questions, across documents ----------------------------------------------------------------


def test_who_leads_rehabilitation_for_a_county_child_with_a_disability(acc: Accountability) -> None:
    found = held(acc, "rehabilitation", target_groups=["children-with-disabilities"], level="county")
    # The national system: the county disabled persons' federation receives and reviews applications.
    assert "guofa-2018-20 2.3" in found[("county-disabled-persons-federation", "lead")]
    assert "guofa-2018-20 1.3" in found[("disabled-persons-federation-departments", "lead")]  # 残联牵头
    # The Hubei implementation: the federations lead rehabilitation assistance (3.2).
    assert f"{HUBEI} 3.2" in found[("disabled-persons-federation-departments", "lead")]
    documents = {clause.split()[0] for clauses in found.values() for clause in clauses}
    assert {"guofa-2018-20", "guofa-2016-36", HUBEI} <= documents
    # A provincial body does not answer at county level; a collective with no level does.
    assert not any(org.startswith("hubei-") for org, _ in found)


def test_who_confirms_a_factually_unattended_child_and_how_soon(acc: Accountability) -> None:
    steps = {o.id: o for o in acc.obligations(target_group="factually-unattended-children", document="minfa-2019-62")}
    check, confirm, inclusion = steps["minfa-2019-62/2.2-4"], steps["minfa-2019-62/2.3-1"], steps["minfa-2019-62/2.3-2"]
    assert [(a.organization, a.role) for a in check.assignments] == [("township-governments", "lead")]
    assert [(a.organization, a.role) for a in confirm.assignments] == [("county-civil-affairs", "lead")]
    for step in (check, confirm):
        d = step.deadline
        assert (d.kind, d.amount, d.unit, d.date) == ("relative", 15, "working-days", None)
        assert d.wording in step.text and d.trigger
    assert (inclusion.deadline.kind, inclusion.deadline.amount, inclusion.deadline.unit) == (
        "relative",
        1,
        "calendar-months",
    )
    assert inclusion.deadline.wording == "从确认的次月起"


def test_who_registers_an_orphans_household(acc: Accountability) -> None:
    found = held(acc, "household-registration", target_groups=["orphans"])
    public_security = found[("public-security-departments", "lead")]
    assert {"guobanfa-2010-54 1.2", "guobanfa-2010-54 1.4"} <= public_security
    # In Hubei the police register a found infant and issue the certificate (2.1.1).
    infants = held(acc, "household-registration", target_groups=["abandoned-infants"], document=HUBEI)
    assert f"{HUBEI} 2.1.1" in infants[("public-security-departments", "lead")]


def test_who_pays_the_orphans_basic_living_allowance(acc: Accountability) -> None:
    found = held(acc, "basic-living", target_groups=["orphans"], document="guobanfa-2010-54")
    assert "guobanfa-2010-54 2.1" in found[("provincial-governments", "lead")]  # set the standard
    assert "guobanfa-2010-54 2.1" in found[("finance-departments", "lead")]  # local finance pays it
    assert "guobanfa-2010-54 2.1" in found[("ministry-of-finance", "lead")]  # central finance subsidises it
    minfa = held(acc, "basic-living", target_groups=["factually-unattended-children"], document="minfa-2019-62")
    assert minfa, "the unattended children's allowance is matched to the orphans' standard"


def test_a_capacity_is_answered_like_a_need(acc: Accountability) -> None:
    funding = acc.responsible_for("funding")
    assert funding and all("funding" in o.capacities for e in funding for o in e.obligations)
    assert [(e.organization.id, e.role) for e in funding] == [
        (e.organization.id, e.role) for e in acc.responsible_for(capacity="funding")
    ]


def test_a_national_duty_to_a_sector_answers_at_every_level(acc: Accountability) -> None:
    """民政部门 with no level binds the civil affairs department at whatever level it sits."""
    county = held(acc, "basic-living", level="county", document="minfa-2019-62")
    assert any(org == "civil-affairs-departments" for org, _ in county)
    national_only = held(acc, "basic-living", level="county", document="guobanfa-2010-54")
    assert ("ministry-of-finance", "lead") not in national_only  # the central budget is not a county body


def test_ministries_are_linked_to_their_counterparts(acc: Accountability) -> None:
    counterparts = acc.organization("ministry-of-civil-affairs").counterparts
    assert {"hubei-civil-affairs", "city-civil-affairs", "county-civil-affairs"} <= set(counterparts)
    assert "ministry-of-civil-affairs" in acc.organization("county-civil-affairs").counterparts
    assert "hubei-child-welfare-office" not in counterparts  # an office within a department is not one


# -- duty bearers outside government ------------------------------------------------------------------------


def test_families_and_communities_are_owners_that_queries_can_leave_out(acc: Accountability) -> None:
    parents = acc.obligations(organization="parents", document="guofa-2016-13")
    assert "3.1" in {o.provision for o in parents}  # 强化家庭监护主体责任: 父母要依法履行……监护职责
    assert acc.organization("parents").kind == "FAMILY" and not acc.organization("parents").governmental
    assert acc.organization("village-committees").kind == "COMMUNITY"
    everyone = held(acc, "guardianship", document="guofa-2016-13")
    government = held(acc, "guardianship", document="guofa-2016-13", owner_kinds=["DEPARTMENT", "GOVERNMENT"])
    assert any(org in {"parents", "guardians"} for org, _ in everyone)
    assert government and not any(acc.organization(org).kind == "FAMILY" for org, _ in government)


# -- deadlines ----------------------------------------------------------------------------------------------


def test_every_kind_of_deadline_the_texts_state(acc: Accountability) -> None:
    closing = acc.obligation("minfa-2019-62/closing-1").deadline
    assert (closing.kind, closing.date, closing.wording) == ("date", dt.date(2019, 10, 31), "在2019年10月底之前")
    effective = acc.obligation("guofa-2018-20/closing-1").deadline
    assert (effective.kind, effective.date) == ("effective", dt.date(2018, 10, 1))
    assert acc.obligation("guofa-2018-20/closing-2").deadline.date == dt.date(2018, 9, 30)
    periodic = [o for o in acc.obligations(deadline_kind="periodic") if o.document == "minfa-2019-62"]
    assert [(o.deadline.period, o.deadline.minimum) for o in periodic] == [("quarter", 1)]
    assert "每季度应当至少组织一次回访" in periodic[0].text
    inherited = acc.obligations(deadline_kind="inherited", document="guofa-2016-13")
    assert inherited and {o.deadline.date for o in inherited} == {dt.date(2020, 12, 31)}
    assert all(o.deadline.basis == "inherited-from-goal" for o in inherited)
    assert acc.obligations(deadline_kind="prompt", document="guofa-2016-13")


@pytest.mark.parametrize("doc", sorted(set(NATIONAL) - WITH_GOAL))
def test_documents_without_a_goal_leave_most_duties_without_a_deadline(acc: Accountability, doc: str) -> None:
    kinds = [o.deadline.kind if o.deadline else None for o in acc.obligations(document=doc)]
    assert None not in kinds, "every annotation decides its deadline"
    assert "inherited" not in kinds
    assert kinds.count("none-stated") > len(kinds) / 2


def test_no_violations_and_a_warning_per_duty_without_a_deadline(report: ValidationReport, acc) -> None:
    assert report.conforms
    unset = [f for f in report.results if f.source_shape.endswith("Obligation-deadlineIsStatedInPolicy")]
    assert all(f.severity is Severity.WARNING for f in unset)
    per_document = defaultdict(int)
    for finding in unset:
        per_document[finding.document] += 1
        assert finding.clause and finding.sentence and finding.source_file.startswith(f"documents/{finding.document}/")
    for doc in set(NATIONAL) - WITH_GOAL:
        assert per_document[doc] == len(acc.obligations(document=doc, deadline_kind="none-stated"))
    text = render(report, acc.counts(), "text")
    assert "By document:" in text and "no deadline stated" in text


# -- links between documents ----------------------------------------------------------------------------------


def test_a_cited_corpus_document_is_one_node(acc: Accountability) -> None:
    cited = acc.cited_document("guofa-2016-36")
    assert cited.in_corpus and cited.number == "国发〔2016〕36号"
    citation = next(c for c in acc.citations("minfa-2019-62") if c.cited == "guofa-2016-36")
    assert citation.relation == "implements" and "国发〔2016〕36号" in citation.quote
    assert "minfa-2019-62" in {d.id for d in acc.cited_by("guofa-2016-36")}
    assert "guofa-2016-36" in {d.id for d in acc.cites("minfa-2019-62")}


def test_links_record_the_words_that_show_them(acc: Accountability) -> None:
    links = acc.links(document="minfa-2019-62")
    orphans = [link for link in links if link.target.document == "guobanfa-2010-54"]
    assert orphans and all(link.relation == "implements" for link in orphans)
    for link in links:
        assert link.quote
        source = acc.obligation(link.source.obligation) if link.source.obligation else None
        assert source is None or link.quote == source.text
    # Restatements within the Hubei document (the review's pairs) are linked.
    restated = {(link.source.obligation, link.target.obligation) for link in acc.links(document=HUBEI)}
    assert {(f"{HUBEI}/2.1.3-6", f"{HUBEI}/3.2-19"), (f"{HUBEI}/2.1.4-2", f"{HUBEI}/3.2-21")} & restated


def test_search_finds_chinese_quotes_and_english_actions(acc: Accountability) -> None:
    chinese = acc.search("事实无人抚养儿童")
    assert chinese.obligations and all(o.document == "minfa-2019-62" for o in chinese.obligations[:3])
    english = acc.obligations(text="working days")
    assert {"minfa-2019-62/2.2-4", "minfa-2019-62/2.3-1"} <= {o.id for o in english}


def test_the_deprecated_group_id_reads_as_its_successor(acc: Accountability) -> None:
    old = [o.id for o in acc.obligations(target_group="unattended-children")]
    assert old and old == [o.id for o in acc.obligations(target_group="factually-unattended-children")]
