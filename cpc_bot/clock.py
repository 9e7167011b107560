"""Time is a parameter: everything that needs "now" takes a :data:`Clock`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

#: A clock returns the current moment as a timezone-aware UTC datetime.
Clock = Callable[[], datetime]

#: Families and professionals read every time in UK time.
LONDON = ZoneInfo("Europe/London")


def system_clock() -> datetime:
    """The real clock (aware, UTC)."""
    return datetime.now(UTC)


class FrozenClock:
    """A clock tests can move: ``clock.advance(hours=3)``."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment.astimezone(UTC)

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.now += timedelta(**delta)
