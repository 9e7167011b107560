"""When a reminder may be sent: never at night, and professionals' nudges on working days only.

Pure functions of a UTC moment; the local clock is Europe/London.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from cpc_bot.clock import LONDON
from cpc_bot.domain.working_days import is_working_day


def in_quiet_hours(moment: datetime, start_hour: int, end_hour: int) -> bool:
    """True between ``start_hour`` and ``end_hour`` London time (the span may cross midnight)."""
    hour = moment.astimezone(LONDON).hour
    if start_hour == end_hour:
        return False
    if start_hour > end_hour:
        return hour >= start_hour or hour < end_hour
    return start_hour <= hour < end_hour


def next_allowed(moment: datetime, *, quiet_start: int, quiet_end: int, working_days_only: bool) -> datetime:
    """The first moment at or after ``moment`` when the reminder may go out (aware, UTC)."""
    local = moment.astimezone(LONDON)
    # Three weeks of days off in a row never happen in England; the bound only guards the loop.
    for _ in range(21):
        day_ok = not working_days_only or is_working_day(local.date())
        if day_ok and not in_quiet_hours(local, quiet_start, quiet_end):
            return local.astimezone(UTC)
        # Jump to the next end of quiet hours: this morning's if still ahead, else tomorrow's.
        morning = datetime.combine(local.date(), time(quiet_end), LONDON)
        local = morning if morning > local else datetime.combine(local.date() + timedelta(days=1), time(quiet_end), LONDON)
    raise ValueError("no allowed moment within three weeks")
