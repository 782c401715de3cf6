"""The plain-data writers: csv and json, with ids and numbers under stable keys (docs/progress.md).

Contract: each ``render_*`` takes a :class:`~akg.scorecard.card.Scorecard` and returns UTF-8 bytes.

- csv: the header :data:`CSV_COLUMNS`, then one line per row in the scorecard's order (overdue rows first);
  no totals line (sum the columns). ``on_time_rate`` has four decimals, empty when nothing is due; labels
  come in both languages whatever ``--lang`` says.
- json: ``{"scorecard": {asOf, by, level, lang, rows, totals, overdue}}``; a row carries the fields of the
  GraphQL ``ScoreRow`` (key, label, due, done, doneOnTime, overdue, onTimeRate) plus labels, within and
  status. See :func:`scorecard_json`.
"""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from akg.scorecard.card import OverdueDuty, Scorecard, ScorecardRow

CSV_COLUMNS = (
    "as_of",
    "by",
    "key",
    "label_en",
    "label_zh",
    "within",
    "status",
    "due",
    "done",
    "done_on_time",
    "overdue",
    "on_time_rate",
)


def _rate(rate: float | None) -> float | None:
    return None if rate is None else round(rate, 4)


def render_csv(card: Scorecard) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in card.rows:
        score, rate = row.score, _rate(row.score.on_time_rate)
        writer.writerow(
            [
                card.as_of.isoformat(),
                card.by,
                score.key,
                row.labels.get("en", ""),
                row.labels.get("zh", ""),
                row.within or "",
                row.status,
                score.due,
                score.done,
                score.done_on_time,
                score.overdue,
                "" if rate is None else f"{rate:.4f}",
            ]
        )
    return out.getvalue().encode("utf-8")


def _row_json(card: Scorecard, row: ScorecardRow) -> dict[str, Any]:
    score = row.score
    return {
        "key": score.key,
        "label": row.label(card.lang),
        "labels": dict(sorted(row.labels.items())),
        "within": row.within,
        "status": row.status,
        "due": score.due,
        "done": score.done,
        "doneOnTime": score.done_on_time,
        "overdue": score.overdue,
        "onTimeRate": _rate(score.on_time_rate),
    }


def _duty_json(duty: OverdueDuty) -> dict[str, Any]:
    latest = None
    if duty.latest is not None:
        latest = {"status": duty.latest, "reportedOn": duty.reported_on.isoformat() if duty.reported_on else None}
        latest["review"] = duty.review
    return {
        "instance": duty.instance,
        "obligation": duty.obligation,
        "clause": duty.clause,
        "duty": duty.duty,
        "jurisdiction": duty.jurisdiction,
        "owner": duty.owner,
        "due": duty.due.isoformat(),
        "daysOverdue": duty.days_overdue,
        "latestReport": latest,
    }


def scorecard_json(card: Scorecard) -> dict[str, Any]:
    """``{asOf, by, level, lang, rows: [...], totals: {...}, overdue: [...]}``.

    ``totals`` has the count fields of a row (``key`` "total", no labels); ``overdue`` lists the overdue duty
    instances, earliest due first, each with its latest report as of the date (``latestReport`` null when
    none; its ``review`` accepted, returned, pending or null).
    """
    totals = {k: v for k, v in _row_json(card, card.totals).items() if k not in ("label", "labels", "within")}
    return {
        "asOf": card.as_of.isoformat(),
        "by": card.by,
        "level": card.level,
        "lang": card.lang,
        "rows": [_row_json(card, row) for row in card.rows],
        "totals": totals,
        "overdue": [_duty_json(duty) for duty in card.overdue],
    }


def render_json(card: Scorecard) -> bytes:
    return (json.dumps({"scorecard": scorecard_json(card)}, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
