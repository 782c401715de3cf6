"""Date arithmetic for the periods Chinese policy texts set: working days, days, months, "the month after".

Working days are China's official ones, from the maintained ``chinesecalendar`` package: weekends and
statutory holidays are not working days; the weekend days the State Council adjusts into working days
(调休) are. As for periods in Chinese law generally (Civil Code art. 201), the day of the triggering
event is not counted: counting starts the next day. A year the package does not cover is an explicit
:class:`CalendarNotCovered` error, never a guess.
"""

from __future__ import annotations

import calendar
import datetime as dt

import chinese_calendar

UNITS = ("working-days", "days", "months", "calendar-months")


class CalendarNotCovered(ValueError):
    """The official holiday arrangements of a year are not known to the installed calendar package."""

    def __init__(self, day: dt.date, reason: str) -> None:
        super().__init__(f"no official working-day calendar for {day.year}: {reason}")
        self.year = day.year


def is_working_day(day: dt.date) -> bool:
    """Whether ``day`` is an official working day in China. Raises :class:`CalendarNotCovered`."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError as exc:  # the package's signal for a year it has no data for
        raise CalendarNotCovered(day, str(exc)) from None


def add_working_days(start: dt.date, amount: int) -> dt.date:
    """The ``amount``-th working day after ``start`` (``start`` itself not counted)."""
    if amount < 1:
        raise ValueError(f"a period of {amount} working days is not a period")
    day, counted = start, 0
    while counted < amount:
        day += dt.timedelta(days=1)
        counted += is_working_day(day)
    return day


def add_months(start: dt.date, amount: int) -> dt.date:
    """The same day ``amount`` months later, or the last day of that month when it is shorter."""
    month_index = start.month - 1 + amount
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def first_of_month_after(start: dt.date, amount: int = 1) -> dt.date:
    """The first day of the month ``amount`` months after the month of ``start`` (次月 is 1)."""
    first = start.replace(day=1)
    return add_months(first, amount)


def due_date(trigger: dt.date, amount: int, unit: str) -> dt.date:
    """The last day of a period of ``amount`` ``unit`` (a time-units id) counted from ``trigger``.

    Raises ``ValueError`` for an unknown unit and :class:`CalendarNotCovered` for working days in a year
    the calendar does not cover.
    """
    if unit == "working-days":
        return add_working_days(trigger, amount)
    if unit == "days":
        return trigger + dt.timedelta(days=amount)
    if unit == "months":
        return add_months(trigger, amount)
    if unit == "calendar-months":
        return first_of_month_after(trigger, amount)
    raise ValueError(f"unknown time unit {unit!r} (known: {', '.join(UNITS)})")
