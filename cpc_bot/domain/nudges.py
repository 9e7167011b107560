"""When to nudge a professional about each deadline. Pure logic.

A few working days before, on the morning of the deadline, and once when it is
overdue; all at 09:00 UK time on working days. Tasks after the conference (core
group, review) get the same three nudges. A window (the chair's talk, which the chair
arranges) and a step with no date are shown, never nudged: nothing of theirs is "overdue".
A task whose rule says so (talking the report through with the family, the day before the
report is due) gets no "overdue": the report's own nudges follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from cpc_bot.clock import LONDON
from cpc_bot.domain.deadlines import Deadline
from cpc_bot.domain.working_days import add_working_days, working_day_on_or_before

NUDGE_HOUR = 9
DAYS_AHEAD = 2


@dataclass(frozen=True)
class Nudge:
    key: str  # the deadline key
    which: str  # soon | today | overdue
    at: datetime  # aware UTC


def _morning(day: date) -> datetime:
    return datetime.combine(day, time(NUDGE_HOUR), LONDON).astimezone(UTC)


def plan_nudges(deadlines: list[Deadline], now: datetime) -> list[Nudge]:
    """Nudges still ahead of ``now`` for every deadline."""
    nudges = []
    for deadline in deadlines:
        due_day = deadline.due_day
        if deadline.shape != "deadline" or due_day is None:
            continue
        moments = {
            "soon": _morning(add_working_days(working_day_on_or_before(due_day), -DAYS_AHEAD)),
            "today": _morning(working_day_on_or_before(due_day)),
            "overdue": _morning(add_working_days(due_day, 1)),
        }
        if not deadline.overdue_nudge:
            moments.pop("overdue")
        if deadline.unit == "minutes":
            # Arriving 30 minutes early: a morning reminder is enough, nothing "overdue".
            moments.pop("overdue", None)
            moments.pop("soon")
        nudges.extend(Nudge(deadline.key, which, at) for which, at in moments.items() if at > now)
    return nudges
