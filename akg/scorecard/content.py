"""What every scorecard format shows, whatever its layout: headings, cell texts and the legend, in en or zh.

Contract: the writers (html, xlsx; csv and json carry ids and numbers) take their words from here and
only lay them out, so that every printed format says the same thing in the same words. The status
colours and words are the matrix status view's (:mod:`akg.matrix.status`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

from akg.matrix.content import date_text
from akg.matrix.status import STATUS_FILLS, STATUS_MEANINGS, STATUS_WORDS, STATUSES
from akg.scorecard.card import PENDING

if TYPE_CHECKING:
    from akg.scorecard.card import OverdueDuty, Scorecard, ScorecardRow

WORDS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "title": "Scorecard",
        "as_of": "As of",
        "level": "Level",
        "all_levels": "city and county levels",
        "by_jurisdiction": "by jurisdiction",
        "by_sector": "by sector",
        "stop": ". ",
        "colon": ": ",
        "latest": "{status} ({date})",
        "then": ", ",
        "jurisdiction": "Jurisdiction",
        "sector": "Sector",
        "code": "Code",
        "within": "Within",
        "due": "Due",
        "done": "Done",
        "done_on_time": "Done on time",
        "overdue": "Overdue",
        "on_time_rate": "On-time rate",
        "status": "Status",
        "total": "Total",
        "overdue_duties": "Overdue duties",
        "due_date": "Due date",
        "days_overdue": "Days overdue",
        "owner": "Owner",
        "clause": "Clause",
        "duty": "Duty",
        "latest_report": "Latest report",
        "no_report": "no report",
        "pending": "awaiting review",
        "none_overdue": "Nothing is overdue.",
        "legend": "Legend:",
        "counts": "Due: duty instances due on or before the date. Done: reported done and accepted by then. "
        "Done on time: of those, reported done on or before their due date. Overdue: due and not done. "
        "On-time rate: done on time ÷ due.",
        "order": "Rows with something overdue come first, the most overdue first.",
        "source": "Counted from the reports in the store as of the date: a report made, or a review recorded, "
        "after it does not count. The file carries no other date.",
    },
    "zh": {
        "title": "任务完成情况记分卡",
        "as_of": "截至",
        "level": "层级",
        "all_levels": "市、县两级",
        "by_jurisdiction": "按行政区划统计",
        "by_sector": "按领域统计",
        "stop": "。",
        "colon": "：",
        "latest": "{status}（{date}）",
        "then": "，",
        "jurisdiction": "行政区划",
        "sector": "领域",
        "code": "区划代码",
        "within": "所属",
        "due": "应完成",
        "done": "已完成",
        "done_on_time": "按期完成",
        "overdue": "逾期",
        "on_time_rate": "按期完成率",
        "status": "状态",
        "total": "合计",
        "overdue_duties": "逾期任务清单",
        "due_date": "截止日期",
        "days_overdue": "逾期天数",
        "owner": "责任单位",
        "clause": "条款",
        "duty": "任务",
        "latest_report": "最新报告",
        "no_report": "未报告",
        "pending": "待审核",
        "none_overdue": "无逾期任务。",
        "legend": "图例：",
        "counts": "应完成：截止日期在该日当日或之前的任务数。已完成：截至该日已报告完成并经审核通过的任务数。"
        "按期完成：其中在截止日期当日或之前报告完成的任务数。逾期：应完成而未完成的任务数。"
        "按期完成率：按期完成数 ÷ 应完成数。",
        "order": "有逾期任务的行排在前面，逾期多的在前。",
        "source": "依据存储中截至该日的报告统计：该日之后提交的报告或作出的审核不计入。文件不含其他日期。",
    },
}

#: The count columns of the rows table: (word key, ScoreRow attribute).
COUNT_COLUMNS = (("due", "due"), ("done", "done"), ("done_on_time", "done_on_time"), ("overdue", "overdue"))


def words(card: Scorecard) -> Mapping[str, str]:
    return WORDS[card.lang]


def subtitle(card: Scorecard) -> str:
    """E.g. ``As of 2022-11-21 · City (prefecture) level · by jurisdiction``."""
    w = words(card)
    level = card.label("level", card.level) if card.level else w["all_levels"]
    return f"{w['as_of']} {card.as_of.isoformat()} · {level} · {w['by_' + card.by]}"


def heading(card: Scorecard) -> str:
    """The title and the subtitle: ``Scorecard — As of 2022-11-21 · ...``."""
    return f"{words(card)['title']} — {subtitle(card)}"


def row_headings(card: Scorecard) -> list[str]:
    """The headings of the rows table, in column order (see :func:`row_cells`)."""
    w = words(card)
    first = [w["jurisdiction"], w["code"], w["within"]] if card.by == "jurisdiction" else [w["sector"]]
    return [*first, *(w[key] for key, _ in COUNT_COLUMNS), w["on_time_rate"], w["status"]]


def row_kinds(card: Scorecard) -> list[str]:
    """What each cell of :func:`row_cells` holds, in column order: ``label``, ``count``, ``rate``, ``status``."""
    labels = 3 if card.by == "jurisdiction" else 1
    return ["label"] * labels + ["count"] * len(COUNT_COLUMNS) + ["rate", "status"]


def rate_text(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.0%}"


def status_word(card: Scorecard, status: str) -> str:
    return STATUS_WORDS[card.lang][status]


def row_cells(card: Scorecard, row: ScorecardRow, *, total: bool = False) -> list[str | int | float | None]:
    """One row's cells, in the order of :func:`row_headings`: labels, counts, the rate (a fraction or None),
    the status word. The totals row (``total``) is labelled Total."""
    w = words(card)
    if total:
        first: list[str | int | float | None] = [w["total"]] + [""] * (2 if card.by == "jurisdiction" else 0)
    elif card.by == "jurisdiction":
        first = [row.label(card.lang), row.score.key, card.label("jurisdiction", row.within) if row.within else ""]
    else:
        first = [row.label(card.lang)]
    counts = [getattr(row.score, attribute) for _, attribute in COUNT_COLUMNS]
    return [*first, *counts, row.score.on_time_rate, status_word(card, row.status)]


def overdue_headings(card: Scorecard) -> list[str]:
    w = words(card)
    keys = ("due_date", "days_overdue", "jurisdiction", "code", "owner", "clause", "duty", "latest_report")
    return [w[k] for k in keys]


def latest_text(card: Scorecard, duty: OverdueDuty) -> str:
    """E.g. ``Done (2022-11-18), returned`` or ``no report``."""
    w = words(card)
    if duty.latest is None:
        return w["no_report"]
    text = w["latest"].format(status=card.label("report-statuses", duty.latest), date=date_text(duty.reported_on))
    if duty.review:
        text += w["then"] + (w["pending"] if duty.review == PENDING else card.label("review-decisions", duty.review))
    return text


def overdue_cells(card: Scorecard, duty: OverdueDuty) -> list[str | int | dt.date]:
    """One overdue duty's cells, in the order of :func:`overdue_headings` (the due date first, as a date)."""
    return [
        duty.due,
        duty.days_overdue,
        card.label("jurisdiction", duty.jurisdiction),
        duty.jurisdiction,
        card.label("organization", duty.owner),
        duty.clause,
        duty.duty,
        latest_text(card, duty),
    ]


def legend_rows(card: Scorecard) -> list[tuple[str, str, str]]:
    """(status, fill colour, "word: meaning") for each status, worst first."""
    colon = words(card)["colon"]
    return [
        (s, STATUS_FILLS[s], f"{STATUS_WORDS[card.lang][s]}{colon}{STATUS_MEANINGS[card.lang][s]}") for s in STATUSES
    ]


def notes(card: Scorecard) -> list[str]:
    """The sentences under the legend: what the counts mean, the row order, where the numbers come from."""
    w = words(card)
    return [w["counts"], w["order"], w["source"]]
