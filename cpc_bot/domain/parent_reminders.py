"""Which reminders a parent gets once they tell us the conference date. Pure logic.

From the seeds: reports reach parents 3 working days before the conference (Kirklees
leaflet); parents arrive 15 minutes early to meet the chair (Leicester); after an
initial conference the core group meets within 10 working days and the notes come
within 15 working days (Kirklees leaflet).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from cpc_bot.clock import LONDON
from cpc_bot.domain.working_days import add_working_days


@dataclass(frozen=True)
class PlannedReminder:
    what: str             # reports_by | day_before | morning_of | next_steps | notes_by
    due_at: datetime      # aware, UTC
    params: dict[str, str] = field(default_factory=dict)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LONDON)


def plan_parent_reminders(conference_day: date, start: time | None, kind: str, now: datetime) -> list[PlannedReminder]:
    """Reminders still in the future at ``now``; ``kind`` is initial, review or not_sure."""
    params = {"conference_day": conference_day.isoformat(), "start": start.strftime("%H:%M") if start else ""}
    if start is not None:
        arrive = (datetime.combine(conference_day, start) - timedelta(minutes=15)).time()
        params["arrive"] = arrive.strftime("%H:%M")
    reports_by = add_working_days(conference_day, -3)
    # "not_after": a reminder held back (quiet hours, the bot was down) is dropped once it
    # would be wrong, e.g. "your conference is tomorrow" on the day itself.
    day_start = _at(conference_day, 0).astimezone(UTC).isoformat()
    plan = [
        PlannedReminder("reports_by", _at(reports_by, 10),
                        {**params, "reports_by": reports_by.isoformat(), "not_after": day_start}),
        PlannedReminder("day_before", _at(conference_day - timedelta(days=1), 18), {**params, "not_after": day_start}),
        PlannedReminder("morning_of", _at(conference_day, 8),
                        {**params, "not_after": _at(conference_day, 12).astimezone(UTC).isoformat()}),
    ]
    if kind == "initial":
        core_group_by = add_working_days(conference_day, 10)
        notes_by = add_working_days(conference_day, 15)
        after = {**params, "core_group_by": core_group_by.isoformat(), "notes_by": notes_by.isoformat()}
        plan.append(PlannedReminder("next_steps", _at(add_working_days(conference_day, 1), 10),
                                    {**after, "not_after": _at(core_group_by, 0).astimezone(UTC).isoformat()}))
        plan.append(PlannedReminder("notes_by", _at(notes_by, 10),
                                    {**after, "not_after": _at(notes_by + timedelta(days=7), 0).astimezone(UTC).isoformat()}))
    return [
        PlannedReminder(p.what, p.due_at.astimezone(now.tzinfo), p.params)
        for p in plan
        if p.due_at > now
    ]
