"""Which reminders a parent gets once they tell us the conference date. Pure logic.

Each follows the family's area (:mod:`cpc_bot.domain.family_rules`, every rule with its seed):
the reports (Leicester: at least 48 hours before; Kirklees: 3 working days; Lincolnshire: before
each professional sends theirs; elsewhere: "in advance", national guidance), then the day before
and the morning of the conference (parents arrive 15 minutes early to meet the chair: Leicester),
and after it: the first core group within 10 working days (after a first or pre-birth conference)
and the notes of the meeting (after every kind of conference, review conferences too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from cpc_bot.clock import LONDON
from cpc_bot.domain.family_rules import (
    NATIONAL,
    conference_kind,
    family_area,
    notes_due,
    reports_due,
)
from cpc_bot.domain.working_days import add_working_days


@dataclass(frozen=True)
class PlannedReminder:
    what: str             # reports_by | day_before | morning_of | next_steps | notes_by
    due_at: datetime      # aware, UTC
    params: dict[str, str] = field(default_factory=dict)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LONDON)


def plan_parent_reminders(conference_day: date, start: time | None, kind: str, now: datetime,
                          area: str = NATIONAL) -> list[PlannedReminder]:
    """Reminders still in the future at ``now``; ``kind`` is initial, review, pre_birth or not_sure
    (a parent's "first" is initial); ``area`` one of the family areas, anything else national."""
    kind, area = conference_kind(kind), family_area(area)
    params = {"conference_day": conference_day.isoformat(), "start": start.strftime("%H:%M") if start else "",
              "area": area}
    if start is not None:
        arrive = (datetime.combine(conference_day, start) - timedelta(minutes=15)).time()
        params["arrive"] = arrive.strftime("%H:%M")
    reports = reports_due(area, kind, datetime.combine(conference_day, start, LONDON) if start else conference_day)
    reports_params = {**params, "rule": reports.rule, "reports_by": reports.due_day.isoformat(),
                      "working_days": str(reports.working_days)}
    if isinstance(reports.due, datetime):
        reports_params["reports_at"] = reports.due.strftime("%H:%M")
    if reports.moved_from is not None:
        reports_params["moved_from"] = reports.moved_from.isoformat()
    # Leicester's "48 hours before a 2 pm start" is at 2 pm; a day without a time, in the morning.
    reports_at = reports.due if isinstance(reports.due, datetime) else _at(reports.due, 10)
    # "not_after": a reminder held back (quiet hours, the bot was down) is dropped once it
    # would be wrong, e.g. "your conference is tomorrow" on the day itself.
    day_start = _at(conference_day, 0).astimezone(UTC).isoformat()
    plan = [
        PlannedReminder("reports_by", reports_at, {**reports_params, "not_after": day_start}),
        PlannedReminder("day_before", _at(conference_day - timedelta(days=1), 18), {**params, "not_after": day_start}),
        PlannedReminder("morning_of", _at(conference_day, 8),
                        {**params, "not_after": _at(conference_day, 12).astimezone(UTC).isoformat()}),
    ]
    notes = notes_due(area, conference_day)
    after = {**params, "notes_by": notes.due.isoformat(), "notes_rule": notes.rule}
    if kind in ("initial", "pre_birth"):
        core_group_by = add_working_days(conference_day, 10)
        after["core_group_by"] = core_group_by.isoformat()
        plan.append(PlannedReminder("next_steps", _at(add_working_days(conference_day, 1), 10),
                                    {**after, "not_after": _at(core_group_by, 0).astimezone(UTC).isoformat()}))
    # The notes come after every conference: a first, a pre-birth or a review one.
    plan.append(PlannedReminder("notes_by", _at(notes.due, 10),
                                {**after, "not_after": _at(notes.due + timedelta(days=7), 0).astimezone(UTC).isoformat()}))
    return [
        PlannedReminder(p.what, p.due_at.astimezone(now.tzinfo), p.params)
        for p in plan
        if p.due_at > now
    ]
