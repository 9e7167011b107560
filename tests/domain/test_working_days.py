"""Working days skip weekends and England's bank holidays."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpc_bot.domain.working_days import (
    add_working_days,
    is_working_day,
    working_day_on_or_before,
    working_days_between,
)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 24), True),   # a Tuesday
        (date(2026, 11, 28), False),  # a Saturday
        (date(2026, 12, 25), False),  # Christmas Day
        (date(2026, 12, 28), False),  # Boxing Day, observed on the Monday
        (date(2023, 5, 8), False),    # the coronation bank holiday
        (date(2027, 3, 26), False),   # Good Friday
    ],
)
def test_is_working_day(day: date, expected: bool) -> None:
    assert is_working_day(day) is expected


def test_counting_over_christmas() -> None:
    # Wednesday 23 December 2026 + 3 working days: 24th, 29th, 30th.
    assert add_working_days(date(2026, 12, 23), 3) == date(2026, 12, 30)
    # 2 working days before Tuesday 29 December 2026: back over the holidays to Thursday 24th, then Wednesday 23rd.
    assert add_working_days(date(2026, 12, 29), -2) == date(2026, 12, 23)


def test_friday_plus_one_is_monday() -> None:
    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)
    assert add_working_days(date(2026, 11, 30), -1) == date(2026, 11, 27)
    assert add_working_days(date(2026, 11, 27), 0) == date(2026, 11, 27)


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), st.integers(min_value=0, max_value=40))
def test_adding_then_counting_agree(start: date, count: int) -> None:
    end = add_working_days(start, count)
    assert working_days_between(start, end) == count
    assert count == 0 or is_working_day(end)
    assert add_working_days(end, -count) <= start


@pytest.mark.parametrize(("year", "days_off"), [
    # Good Friday, Easter Monday, Christmas and Boxing Day (with the substitute days when they fall at a weekend).
    (2026, [date(2026, 4, 3), date(2026, 4, 6), date(2026, 12, 25), date(2026, 12, 28)]),
    (2027, [date(2027, 3, 26), date(2027, 3, 29), date(2027, 12, 27), date(2027, 12, 28)]),
    (2028, [date(2028, 1, 3), date(2028, 4, 14), date(2028, 4, 17), date(2028, 12, 25), date(2028, 12, 26)]),
])
def test_christmas_and_easter_2026_to_2028(year: int, days_off: list[date]) -> None:
    # Exactly these weekdays are off in January, March, April and December: none missing, none invented.
    weekdays = [date(year, 1, 1) + timedelta(days=n) for n in range(366)]
    off = [d for d in weekdays if d.year == year and d.month in (1, 3, 4, 12) and d.weekday() < 5 and not is_working_day(d)]
    assert off == sorted({date(year, 1, 1), *days_off} - {date(2028, 1, 1)})


def test_the_working_day_on_or_before() -> None:
    assert working_day_on_or_before(date(2027, 3, 29)) == date(2027, 3, 25)  # Easter Monday -> Maundy Thursday
    assert working_day_on_or_before(date(2027, 1, 2)) == date(2026, 12, 31)  # Saturday, then New Year's Day
    assert working_day_on_or_before(date(2027, 1, 5)) == date(2027, 1, 5)
