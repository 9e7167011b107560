"""Working days in England: no weekends, no bank holidays of England and Wales.

The bank holidays come from the ``holidays`` package (country GB, subdivision ENG),
which knows one-off days such as the 2023 coronation holiday and the "observed"
days when a holiday falls at a weekend.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday in England."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, count: int) -> date:
    """The day ``count`` working days after ``start`` (before it when negative).

    ``start`` itself is not counted, as in "within 10 working days after the
    conference": a Friday conference plus 1 working day is the next Monday.
    """
    step = 1 if count >= 0 else -1
    day = start
    remaining = abs(count)
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_day_on_or_before(day: date) -> date:
    """``day`` itself when it is a working day, else the last working day before it."""
    return day if is_working_day(day) else add_working_days(day, -1)


def working_days_between(start: date, end: date) -> int:
    """How many working days come after ``start`` up to and including ``end``."""
    if end < start:
        return -working_days_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=n)))
