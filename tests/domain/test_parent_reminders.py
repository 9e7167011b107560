"""A parent's reminders, in working days, from the conference date."""

from datetime import UTC, date, datetime, time

from cpc_bot.clock import LONDON
from cpc_bot.domain.parent_reminders import plan_parent_reminders

NOW = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


def local(p) -> datetime:
    return p.due_at.astimezone(LONDON)


def test_initial_conference_after_christmas() -> None:
    # Wednesday 30 December 2026 at 10:00: 3 working days back skips 25 and 28 December.
    plan = {p.what: p for p in plan_parent_reminders(date(2026, 12, 30), time(10, 0), "initial", NOW)}
    assert local(plan["reports_by"]) == datetime(2026, 12, 23, 10, 0, tzinfo=LONDON)
    assert plan["reports_by"].params["reports_by"] == "2026-12-23"
    assert local(plan["day_before"]) == datetime(2026, 12, 29, 18, 0, tzinfo=LONDON)
    assert local(plan["morning_of"]) == datetime(2026, 12, 30, 8, 0, tzinfo=LONDON)
    assert plan["morning_of"].params["arrive"] == "09:45"
    # After: core group within 10 working days (1 January is a bank holiday), notes within 15.
    assert plan["next_steps"].params["core_group_by"] == "2027-01-14"
    assert plan["notes_by"].params["notes_by"] == "2027-01-21"
    assert all(p.due_at.tzinfo == UTC for p in plan.values())


def test_review_conference_has_no_core_group_reminder_but_the_notes() -> None:
    whats = [p.what for p in plan_parent_reminders(date(2026, 12, 30), None, "review", NOW)]
    assert whats == ["reports_by", "day_before", "morning_of", "notes_by"]


def test_past_reminders_are_dropped() -> None:
    # A conference the day after tomorrow: the "reports by" day has already gone.
    whats = [p.what for p in plan_parent_reminders(date(2026, 11, 26), time(14, 0), "not_sure", NOW)]
    assert whats == ["day_before", "morning_of", "notes_by"]
