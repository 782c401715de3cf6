"""The scorecard: who has done what was due, as of a date, gathered once from the tracker and the graph.

Contract: :func:`build_scorecard` is the only place that reads a :class:`~akg.progress.tracking.Tracker`
and an :class:`~akg.accountability.Accountability`; it returns a :class:`Scorecard` holding the rows (per
jurisdiction or per sector, overdue rows first, as :meth:`Tracker.scorecard` orders them), the totals, the
overdue duty instances and every label in English and Chinese. Writers take a scorecard and never touch
the graph. A scorecard depends only on the store's contents and the date: it carries no time of making.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from akg.accountability import InvalidArgument
from akg.matrix.status import status_of
from akg.progress.records import ScoreRow, Status

if TYPE_CHECKING:
    from akg.accountability import Accountability
    from akg.progress.tracking import Tracker

BY = ("jurisdiction", "sector")
LANGUAGES = ("en", "zh")
PENDING = "pending"  # a report not reviewed by the date

# The labels of the report statuses and review decisions (vocabularies the accountability index does not hold).
_PROGRESS_LABELS = """
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    SELECT ?scheme ?id ?label ?lang WHERE {
      VALUES (?scheme ?iri) {
        ("report-statuses" <https://w3id.org/akg/id/scheme/report-statuses>)
        ("review-decisions" <https://w3id.org/akg/id/scheme/review-decisions>)
      }
      ?concept skos:inScheme ?iri ; skos:notation ?id ; skos:prefLabel ?label .
      BIND(LANG(?label) AS ?lang)
    }"""

Labels = Mapping[str, str]  # language -> label


def _pick(labels: Labels, lang: str, fallback: str) -> str:
    return labels.get(lang) or labels.get("en") or fallback


@dataclass(frozen=True)
class ScorecardRow:
    """One row: a jurisdiction (``score.key`` is its code; ``within`` the code above it) or a sector."""

    score: ScoreRow
    labels: Labels
    within: str | None = None

    @property
    def status(self) -> str:
        """overdue, done or not-due (see :mod:`akg.matrix.status`)."""
        return status_of(self.score.due, self.score.overdue)

    def label(self, lang: str) -> str:
        return _pick(self.labels, lang, self.score.key)


@dataclass(frozen=True)
class OverdueDuty:
    """A duty instance due on or before the date and not done and accepted by then.

    ``latest`` is the status of the latest report made by the date (None: no report), ``reported_on`` its
    date and ``review`` the decision on it recorded by the date (accepted or returned), else :data:`PENDING`
    for a report of done, else None.
    """

    instance: str
    obligation: str
    clause: str
    duty: str
    jurisdiction: str
    owner: str
    due: dt.date
    days_overdue: int
    latest: str | None = None
    reported_on: dt.date | None = None
    review: str | None = None


@dataclass(frozen=True)
class Scorecard:
    """Everything the writers need. ``labels`` maps ``(kind, id)`` to labels by language, for kinds
    ``jurisdiction``, ``organization``, ``level``, ``report-statuses`` and ``review-decisions``.
    ``lang`` is the language the writers use (:meth:`in_language` gives the other)."""

    as_of: dt.date
    by: str
    level: str | None
    rows: tuple[ScorecardRow, ...]
    overdue: tuple[OverdueDuty, ...]
    labels: Mapping[tuple[str, str], Labels] = field(default_factory=dict)
    lang: str = "en"

    def label(self, kind: str, id: str) -> str:
        """The label of ``id`` in the scorecard's language, falling back to English, then to the id."""
        return _pick(self.labels.get((kind, id), {}), self.lang, id)

    def in_language(self, lang: str) -> Scorecard:
        if lang not in LANGUAGES:
            raise InvalidArgument(f"language {lang!r}: choose en or zh")
        return dataclasses.replace(self, lang=lang)

    @property
    def totals(self) -> ScorecardRow:
        """The rows summed (every instance counts once: a jurisdiction or sector is one row)."""
        sums = [sum(getattr(r.score, name) for r in self.rows) for name in ("due", "done", "done_on_time", "overdue")]
        return ScorecardRow(ScoreRow("total", *sums), {})


def build_scorecard(
    tracker: Tracker,
    accountability: Accountability,
    as_of: dt.date,
    *,
    level: str | None = None,
    by: str = "jurisdiction",
    lang: str = "en",
) -> Scorecard:
    """The scorecard as of ``as_of``, of the duties addressed to ``level`` (city or county; None: both),
    one row per jurisdiction or per sector (``by``).

    Raises :class:`~akg.accountability.UnknownIdentifier` for another level and
    :class:`~akg.accountability.InvalidArgument` for another ``by`` or ``lang``.
    """
    if by not in BY:
        raise InvalidArgument(f"by {by!r}: choose {' or '.join(BY)}")
    if lang not in LANGUAGES:
        raise InvalidArgument(f"language {lang!r}: choose en or zh")
    scores = tracker.scorecard(as_of, level=level, by=by)
    labels: dict[tuple[str, str], Labels] = {}
    for record in accountability.jurisdictions():
        labels[("jurisdiction", record.id)] = record.labels
    for concept in accountability.concepts("levels"):
        labels[("level", concept.id)] = concept.labels
    vocabulary: dict[tuple[str, str], dict[str, str]] = {}
    for row in tracker.store.select(_PROGRESS_LABELS):
        vocabulary.setdefault((str(row["scheme"]), str(row["id"])), {})[str(row["lang"])] = str(row["label"])
    labels.update(vocabulary)

    rows = []
    for score in scores:
        if by == "jurisdiction":
            record = accountability.jurisdiction(score.key)
            rows.append(ScorecardRow(score, record.labels if record else {}, record.parent if record else None))
        else:
            concept = accountability.concept("sectors", score.key)
            rows.append(ScorecardRow(score, concept.labels if concept else {}))

    overdue = []
    for status in tracker.overdue(as_of, level=level):
        instance, latest = status.instance, tracker.latest_as_of(status.history, as_of)
        obligation = accountability.obligation(instance.obligation)
        organization = accountability.organization(instance.owner)
        if organization is not None:
            labels[("organization", instance.owner)] = organization.labels
        review = None
        if latest is not None and latest.review is not None and latest.review.at.date() <= as_of:
            review = latest.review.decision.value
        elif latest is not None and latest.status is Status.DONE:
            review = PENDING
        assert instance.due is not None  # only dated instances fall due
        overdue.append(
            OverdueDuty(
                instance=instance.id,
                obligation=instance.obligation,
                clause=obligation.provision if obligation else "",
                duty=(obligation.action or obligation.text) if obligation else instance.obligation,
                jurisdiction=instance.jurisdiction,
                owner=instance.owner,
                due=instance.due,
                days_overdue=(as_of - instance.due).days,
                latest=latest.status.value if latest else None,
                reported_on=latest.reported_on if latest else None,
                review=review,
            )
        )
    overdue.sort(key=lambda d: (d.due, d.jurisdiction, d.obligation))
    return Scorecard(as_of, by, level, tuple(rows), tuple(overdue), labels, lang)
