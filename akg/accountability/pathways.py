"""One child's pathway: what the child is owed across the corpus, who acts, and by when.

A *profile* (target groups, age, level) is only a query input: nothing here stores or logs it. The
pathway holds the eligibility conditions the texts state for the child's groups (with the age checked
where the text gives one), the needs and duties owed to the child (duties tagged with one of the groups
and serving a need, at the child's level), the bodies responsible resolved to the child's level (and,
given the child's division, to that division's bodies: ``civil-affairs@420102`` for 县级民政部门), and
each procedure that applies, with every step's latest due date computed from ``start`` on China's
working-day calendar (:mod:`akg.working_days`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from akg.accountability.records import (
    EligibilityRecord,
    InvalidArgument,
    ObligationRecord,
    OrganizationRecord,
    ProcedureRecord,
    StepRecord,
)
from akg.working_days import CalendarNotCovered, due_date

MAX_AGE = 25  # the texts concern minors and young adults; a larger age is a typing error


@dataclass(frozen=True)
class Profile:
    """A child's situation, as a query gives it; never stored. ``jurisdiction`` is a six-digit division code."""

    groups: tuple[str, ...]
    age: int | None = None
    level: str | None = None
    jurisdiction: str | None = None


@dataclass(frozen=True)
class EligibilityCheck:
    """One condition the texts state, and whether the child's age meets its age range."""

    condition: EligibilityRecord
    age_ok: bool | None  # None: no age given, or the text states no age


@dataclass(frozen=True)
class Holder:
    """An organisation holding a role in a duty, resolved to the child's level."""

    organization: OrganizationRecord
    role: str
    resolved_from: str | None  # the collective the duty names, when it was resolved to a body of the level


@dataclass(frozen=True)
class Duty:
    """An obligation owed to the child, with its holders resolved."""

    obligation: ObligationRecord
    holders: tuple[Holder, ...]


@dataclass(frozen=True)
class DatedStep:
    """A step with its actor resolved and its latest due date, where the texts let it be computed.

    ``due`` is the date for a step with a period (the first step: ``start``); ``None`` otherwise, and
    ``basis`` says why: "start", "computed", "promptly", "no period stated", "follows an undated step",
    or the calendar's own error for a year it does not cover.
    """

    step: StepRecord
    actor: Holder
    due: dt.date | None
    basis: str


@dataclass(frozen=True)
class ProcedurePath:
    """A procedure that applies to the child, step by step."""

    procedure: ProcedureRecord
    eligibility: tuple[EligibilityCheck, ...]
    steps: tuple[DatedStep, ...]
    days_to_benefit: int | None  # calendar days from ``start`` to the benefit step's due date


@dataclass(frozen=True)
class Pathway:
    """Everything owed to one child, across the corpus."""

    profile: Profile
    start: dt.date | None
    eligibility: tuple[EligibilityCheck, ...]
    needs: tuple[str, ...]
    duties: tuple[Duty, ...]
    procedures: tuple[ProcedurePath, ...]


def check_profile(profile: Profile) -> None:
    """Raise :class:`InvalidArgument` for a profile that cannot be answered."""
    if not profile.groups:
        raise InvalidArgument("a pathway needs at least one target group")
    if profile.age is not None and not 0 <= profile.age <= MAX_AGE:
        raise InvalidArgument(f"age must be between 0 and {MAX_AGE} whole years, got {profile.age}")


def eligibility_checks(conditions: Sequence[EligibilityRecord], age: int | None) -> tuple[EligibilityCheck, ...]:
    """Each condition with the age checked where both the text and the profile give one."""
    checks = []
    for condition in conditions:
        states_age = condition.minimum_age is not None or condition.age_below is not None
        checks.append(
            EligibilityCheck(condition, condition.admits_age(age) if states_age and age is not None else None)
        )
    return tuple(checks)


def date_steps(
    steps: Sequence[StepRecord], start: dt.date | None, holder: Callable[[str, str], Holder]
) -> tuple[tuple[DatedStep, ...], int | None]:
    """Every step with its latest due date counted from the step it follows; the days to the benefit."""
    dated: dict[str, DatedStep] = {}
    for step in steps:  # in order: a step's predecessor is dated before it
        due, basis = None, "no period stated"
        before = dated.get(step.after) if step.after else None
        if step.after is None:
            due, basis = start, "start" if start else "no start date given"
        elif step.deadline is not None and step.deadline.kind == "prompt":
            basis = "promptly"
        elif step.deadline is not None and step.deadline.kind == "relative":
            if before is None or before.due is None:
                basis = "follows an undated step"
            else:
                try:
                    due, basis = due_date(before.due, step.deadline.amount or 0, step.deadline.unit or ""), "computed"
                except CalendarNotCovered as exc:
                    basis = str(exc)
        elif step.deadline is not None and step.deadline.date is not None:
            due, basis = step.deadline.date, "a date the text states"
        dated[step.id] = DatedStep(step, holder(step.actor, "lead"), due, basis)
    benefit = next((d for d in dated.values() if d.step.benefit and d.due is not None), None)
    days = (benefit.due - start).days if benefit is not None and start is not None else None
    return tuple(dated.values()), days
