"""Quiet hours and working-day-only nudges."""

from datetime import UTC, datetime

import pytest

from cpc_bot.clock import LONDON
from cpc_bot.reminders.policy import in_quiet_hours, next_allowed


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize(("hour", "quiet"), [(20, False), (21, True), (23, True), (3, True), (7, True), (8, False)])
def test_quiet_hours_cross_midnight(hour: int, quiet: bool) -> None:
    assert in_quiet_hours(london(2026, 11, 24, hour, 30), 21, 8) is quiet


@pytest.mark.parametrize(
    ("moment", "working_days_only", "expected"),
    [
        (london(2026, 11, 24, 10, 0), False, london(2026, 11, 24, 10, 0)),  # daytime: now
        (london(2026, 11, 24, 22, 0), False, london(2026, 11, 25, 8, 0)),   # night: next morning
        (london(2026, 11, 25, 3, 0), False, london(2026, 11, 25, 8, 0)),    # small hours: this morning
        (london(2026, 11, 28, 10, 0), False, london(2026, 11, 28, 10, 0)),  # families hear on Saturdays
        (london(2026, 11, 28, 10, 0), True, london(2026, 11, 30, 8, 0)),    # professionals wait for Monday
        (london(2026, 12, 24, 22, 0), True, london(2026, 12, 29, 8, 0)),    # over Christmas and Boxing Day (observed)
        (london(2027, 3, 28, 1, 30), False, london(2027, 3, 28, 8, 0)),     # the night the clocks go forward
    ],
)
def test_next_allowed(moment: datetime, working_days_only: bool, expected: datetime) -> None:
    result = next_allowed(moment.astimezone(UTC), quiet_start=21, quiet_end=8, working_days_only=working_days_only)
    assert result == expected
    assert result.tzinfo == UTC
