"""Periods on China's official calendar: working days across holidays and adjusted working days."""

from __future__ import annotations

import datetime as dt

import pytest

from akg.working_days import CalendarNotCovered, add_working_days, due_date, first_of_month_after, is_working_day


@pytest.mark.parametrize(
    ("start", "amount", "end"),
    [
        # The worked examples: across the National Day holiday, and across the Spring Festival.
        (dt.date(2024, 9, 27), 15, dt.date(2024, 10, 23)),
        (dt.date(2025, 1, 20), 15, dt.date(2025, 2, 14)),
        # The trigger day is not counted: from a Monday, 1 working day is the Tuesday.
        (dt.date(2024, 3, 4), 1, dt.date(2024, 3, 5)),
        # From a Friday over a plain weekend.
        (dt.date(2024, 3, 8), 1, dt.date(2024, 3, 11)),
    ],
)
def test_working_days(start: dt.date, amount: int, end: dt.date) -> None:
    assert add_working_days(start, amount) == end
    assert due_date(start, amount, "working-days") == end


def test_statutory_holidays_and_adjusted_working_days() -> None:
    assert not is_working_day(dt.date(2024, 10, 1))  # National Day
    assert is_working_day(dt.date(2024, 10, 12))  # a Saturday made a working day (调休)
    assert not is_working_day(dt.date(2025, 1, 29))  # Spring Festival
    assert is_working_day(dt.date(2025, 1, 26))  # a Sunday made a working day


def test_calendar_months_and_months() -> None:
    assert first_of_month_after(dt.date(2024, 11, 13)) == dt.date(2024, 12, 1)  # 从确认的次月起
    assert due_date(dt.date(2024, 12, 31), 1, "calendar-months") == dt.date(2025, 1, 1)
    assert due_date(dt.date(2024, 1, 31), 1, "months") == dt.date(2024, 2, 29)
    assert due_date(dt.date(2024, 1, 31), 10, "days") == dt.date(2024, 2, 10)


def test_a_year_the_calendar_does_not_cover_is_an_error_not_a_guess() -> None:
    with pytest.raises(CalendarNotCovered) as caught:
        add_working_days(dt.date(2035, 6, 1), 5)
    assert caught.value.year == 2035 and "2035" in str(caught.value)


def test_unknown_units_and_empty_periods_are_errors() -> None:
    with pytest.raises(ValueError, match="unknown time unit"):
        due_date(dt.date(2024, 1, 1), 1, "fortnights")
    with pytest.raises(ValueError, match="not a period"):
        add_working_days(dt.date(2024, 1, 1), 0)
