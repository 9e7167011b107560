"""Conference deadlines per area, across Christmas, Easter, substitute days, month ends and leap years."""

import re
from datetime import date, datetime, time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpc_bot.clock import LONDON
from cpc_bot.domain.areas import AREAS, NATIONAL, REPORTS_TO_PARENTS_48_HOURS, rules_for
from cpc_bot.domain.deadlines import (
    Deadline,
    UnknownArea,
    UnknownKind,
    add_months,
    compute_deadlines,
    conference_date_warnings,
    deadline_for,
)
from cpc_bot.domain.nudges import plan_nudges
from cpc_bot.domain.working_days import is_working_day


def due(area: str, kind: str, conference: date | datetime, **kw: str) -> dict[str, date | datetime]:
    return {d.key: d.due for d in compute_deadlines(area, kind, conference, **kw)}


def test_lincolnshire_initial_over_christmas() -> None:
    # Wednesday 30 December 2026: 2 working days back skips 25 and 28 December (Boxing Day substitute).
    got = due("lincolnshire", "initial", date(2026, 12, 30))
    assert got["report_due"] == date(2026, 12, 24)
    assert got["core_group_by"] == date(2027, 1, 14)  # 1 January is a bank holiday
    assert got["review_conference_by"] == date(2027, 3, 30)


def test_lincolnshire_review_needs_five_working_days() -> None:
    # Monday 4 January 2027: 31, 30, 29, 24, 23 December (1 January, 28 and 25 December are holidays).
    assert due("lincolnshire", "review", date(2027, 1, 4))["report_due"] == date(2026, 12, 23)


def test_easter_2027() -> None:
    # Thursday 1 April 2027: Good Friday 26 March and Easter Monday 29 March are not working days.
    got = due("kirklees", "initial", date(2027, 4, 1))
    assert got["reports_to_family_by"] == date(2027, 3, 25)
    assert got["core_group_by"] == date(2027, 4, 15)


def test_2027_substitute_days() -> None:
    # Christmas Day and Boxing Day 2027 fall at the weekend: 27 and 28 December are bank holidays.
    got = due("kirklees", "review", date(2027, 12, 30))
    assert got["reports_to_family_by"] == date(2027, 12, 23)
    assert got["notes_to_family_by"] == date(2028, 1, 21)


@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2027, 1, 31), 3, date(2027, 4, 30)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2027, 11, 30), 3, date(2028, 2, 29)),  # leap year
    (date(2027, 8, 31), 6, date(2028, 2, 29)),
])
def test_month_ends_and_leap_years(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_review_by_on_a_weekend_moves_to_the_working_day_before() -> None:
    # 3 months after Monday 30 November 2026 is Sunday 28 February 2027: the Friday before.
    assert due("national", "initial", date(2026, 11, 30))["review_conference_by"] == date(2027, 2, 26)


def test_leicester_hour_level_deadlines_with_a_start_time() -> None:
    got = compute_deadlines("leicester", "initial", datetime(2027, 3, 29, 10, 0, tzinfo=LONDON))
    by_key = {d.key: d for d in got}
    # 48 real hours before 10:00 on Monday 29 March 2027, across the clock change on the 28th, is 09:00 on
    # Saturday 27th: it moves back over the weekend and Good Friday (26th) to Thursday 25th, saying so.
    assert by_key["sw_report_to_parents_by"].due == datetime(2027, 3, 25, 9, 0, tzinfo=LONDON)
    assert by_key["sw_report_to_parents_by"].moved_from == date(2027, 3, 27)
    assert by_key["parents_arrive"].due == datetime(2027, 3, 29, 9, 45, tzinfo=LONDON)
    assert by_key["invite_list_due"].due == date(2027, 3, 8)
    assert due("leicester", "pre-birth", date(2027, 3, 29))["invite_list_due"] == date(2027, 3, 15)


def test_staffordshire_practitioners_arrive_half_an_hour_early() -> None:
    got = due("stoke", "review", datetime(2026, 12, 1, 13, 30, tzinfo=LONDON), role="professional")
    assert got == {"talk_family_by": date(2026, 11, 26), "report_due": date(2026, 11, 27),
                   "practitioners_arrive": datetime(2026, 12, 1, 13, 0, tzinfo=LONDON),
                   "review_conference_by": date(2027, 6, 1)}


def test_each_area_key_set() -> None:
    keys = {area: {d.key for d in compute_deadlines(area, "review", date(2027, 6, 15))} for area in AREAS}
    assert keys["cumbria"] == keys["national"] == {"talk_family_by", "review_conference_by"}
    assert keys["kirklees"] == {"reports_to_family_by", "talk_family_by", "notes_to_family_by", "review_conference_by"}
    assert keys["leicester"] == {"invite_list_due", "chair_discussion", "sw_report_to_parents_by", "parents_arrive",
                                 "professionals_room", "talk_family_by", "review_conference_by"}


def test_parents_see_their_own_deadlines() -> None:
    assert set(due("kirklees", "initial", date(2027, 6, 15), role="parent")) == {
        "reports_to_family_by", "core_group_by", "notes_to_family_by", "review_conference_by"}


def test_unknown_values_are_refused_clearly() -> None:
    with pytest.raises(UnknownArea, match="choose one of: cumbria, kirklees"):
        compute_deadlines("mars", "initial", date(2027, 1, 5))
    with pytest.raises(UnknownKind):
        compute_deadlines("kirklees", "final", date(2027, 1, 5))


def test_weekend_and_bank_holiday_warnings() -> None:
    assert conference_date_warnings(date(2026, 12, 26)) == ["Saturday 26 December 2026 is not a working day (Boxing Day)"]
    assert conference_date_warnings(date(2026, 12, 28)) == ["Monday 28 December 2026 is not a working day (Boxing Day (observed))"]
    assert conference_date_warnings(date(2026, 12, 29)) == []


@settings(deadline=None)  # the first call loads a year's bank holidays: slow on a busy machine, not wrong
@given(st.sampled_from(AREAS), st.sampled_from(["initial", "review", "pre_birth"]),
       st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
       st.none() | st.times(min_value=time(8, 0), max_value=time(18, 0)))
def test_every_deadline_is_on_a_working_day_and_on_the_right_side(area: str, kind: str, day: date,
                                                                   start: time | None) -> None:
    """No deadline lands on a weekend or bank holiday, with or without a start time. Only a window's first
    day (calendar days, as the seed says) and "minutes before the start" (the day itself) are left where they fall."""
    conference = day if start is None else datetime.combine(day, start, LONDON)
    for deadline in compute_deadlines(area, kind, conference):
        due_day = deadline.due_day
        if due_day is None:
            assert deadline.shape == "step"
            continue
        if deadline.shape == "deadline" and deadline.unit != "minutes":
            assert is_working_day(due_day), deadline
            if deadline.moved_from is not None:  # moved earlier, off a day that is not a working day
                assert not is_working_day(deadline.moved_from) and deadline.moved_from > due_day
        if deadline.unit == "minutes":
            assert due_day == day
        else:
            assert (due_day < day) if deadline.kind == "before" else (due_day > day)


# ------------------------------------------------------------------ the timeline (issue 17, point 3)

def by_key(area: str, kind: str, conference: date | datetime, **kw: object) -> dict[str, Deadline]:
    return {d.key: d for d in compute_deadlines(area, kind, conference, **kw)}  # type: ignore[arg-type]


def test_48_hours_before_a_monday_after_new_year_moves_before_the_weekend_and_the_bank_holiday() -> None:
    # Monday 4 January 2027 at 10:00: 48 hours before is Saturday 2 January; Friday 1 January is New Year's Day.
    report = by_key("leicester", "initial", datetime(2027, 1, 4, 10, 0, tzinfo=LONDON))["sw_report_to_parents_by"]
    assert report.due == datetime(2026, 12, 31, 10, 0, tzinfo=LONDON)
    assert report.moved_from == date(2027, 1, 2)
    # Without a start time, the same day, and the same reason.
    report = by_key("leicester", "initial", date(2027, 1, 4))["sw_report_to_parents_by"]
    assert (report.due, report.moved_from) == (date(2026, 12, 31), date(2027, 1, 2))


@pytest.mark.parametrize(("conference", "moved_from"), [
    (datetime(2027, 3, 30, 10, 0, tzinfo=LONDON), date(2027, 3, 28)),  # Sunday, then Saturday and Good Friday
    (datetime(2027, 3, 31, 10, 0, tzinfo=LONDON), date(2027, 3, 29)),  # Easter Monday
])
def test_48_hours_before_easter_2027_moves_to_the_thursday(conference: datetime, moved_from: date) -> None:
    report = by_key("leicester", "review", conference)["sw_report_to_parents_by"]
    assert report.due == datetime(2027, 3, 25, 10, 0, tzinfo=LONDON)
    assert report.moved_from == moved_from


def test_the_48_hour_rule_is_one_named_rule_for_both_sides() -> None:
    # The parents' reminders can call the same rule; the professionals' timeline uses that very object.
    assert REPORTS_TO_PARENTS_48_HOURS in rules_for("leicester")
    assert {"social_worker", "parent"} <= REPORTS_TO_PARENTS_48_HOURS.roles
    for_parents = deadline_for(REPORTS_TO_PARENTS_48_HOURS, datetime(2027, 1, 4, 10, 0, tzinfo=LONDON))
    assert for_parents == by_key("leicester", "initial", datetime(2027, 1, 4, 10, 0, tzinfo=LONDON),
                                 role="parent")["sw_report_to_parents_by"]


def test_leicester_initial_shows_deadlines_before_the_meeting_for_every_professional() -> None:
    for role in ("professional", "social_worker"):
        for conference in (date(2027, 1, 13), datetime(2027, 1, 13, 10, 0, tzinfo=LONDON)):
            got = compute_deadlines("leicester", "initial", conference, role=role, booked_on=date(2026, 12, 30))
            assert any(d.kind == "before" for d in got), (role, conference)
    professional = by_key("leicester", "initial", datetime(2027, 1, 13, 10, 0, tzinfo=LONDON), role="professional")
    assert professional["professionals_room"].due == datetime(2027, 1, 13, 9, 45, tzinfo=LONDON)


def test_leicester_chair_talk_is_a_window_not_moved_and_never_nudged() -> None:
    # Wednesday 6 January 2027: "within the 10 days leading up" opens on Sunday 27 December 2026, where it stays.
    chair = by_key("leicester", "initial", date(2027, 1, 6), role="social_worker")["chair_discussion"]
    assert (chair.shape, chair.due, chair.moved_from) == ("window", date(2026, 12, 27), None)
    nudges = plan_nudges([chair], datetime(2026, 12, 1, 12, 0, tzinfo=LONDON))
    assert nudges == []


def test_leicester_invite_list_and_invitation_form_are_one_task() -> None:
    # A review on Wednesday 13 January 2027: 15 working days back over New Year and Christmas is Friday
    # 18 December 2026, before the form's "3 weeks" (23 December): one date meets both.
    got = compute_deadlines("leicester", "review", date(2027, 1, 13), role="social_worker")
    invites = [d for d in got if "invit" in d.key or "invit" in d.title.lower()]
    assert [(d.key, d.due) for d in invites] == [("invite_list_due", date(2026, 12, 18))]
    nudged = {n.key for n in plan_nudges(got, datetime(2026, 11, 1, 12, 0, tzinfo=LONDON))}
    assert nudged == {"invite_list_due", "talk_family_by", "sw_report_to_parents_by",
                      "review_conference_by"}  # the chair's talk: none


def test_leicester_three_week_form_is_left_out_when_the_initial_conference_is_closer() -> None:
    # Wednesday 13 January 2027: 3 weeks before is 23 December 2026.
    booked_early = by_key("leicester", "initial", date(2027, 1, 13), role="social_worker", booked_on=date(2026, 12, 1))
    assert booked_early["invite_list_due"].due == date(2026, 12, 23)
    booked_late = by_key("leicester", "initial", date(2027, 1, 13), role="social_worker", booked_on=date(2026, 12, 30))
    assert "invite_list_due" not in booked_late
    # Pre-birth: the form's 2 weeks.
    assert "invite_list_due" not in by_key("leicester", "pre_birth", date(2027, 1, 13), booked_on=date(2027, 1, 4))


def test_leicester_booking_step_is_for_the_social_worker() -> None:
    for kind in ("initial", "pre_birth"):
        step = by_key("leicester", kind, date(2027, 1, 13), role="social_worker")["booking"]
        assert (step.shape, step.due) == ("step", None)
        assert "within 24 hours of the request being agreed" in step.title
    assert "booking" not in by_key("leicester", "review", date(2027, 1, 13), role="social_worker")
    assert "booking" not in by_key("leicester", "initial", date(2027, 1, 13), role="professional")


def test_titles_are_names_that_read_as_sentences() -> None:
    """"First core group meeting: by 19 January", never "First core group meeting by: ..."."""
    rules = [*NATIONAL, *(r for area in AREAS for r in rules_for(area))]
    for rule in rules:
        assert not rule.title.lower().rstrip().endswith((" by", " due", " is due")), rule.title


SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed documents are kept next to the repository")
def test_every_rule_quotes_its_seed() -> None:
    """Each rule's ``source`` names a seed file and quotes it word for word (spacing aside)."""
    def flat(text: str) -> str:
        return " ".join(text.replace("’", "'").split())

    for rule in [*NATIONAL, *(r for area in AREAS for r in rules_for(area))]:
        cited = re.findall(r"(\d{3}_[0-9a-f]{16}\.txt)", rule.source)
        quotes = re.findall(r"'([^']{12,})'", rule.source)
        assert cited and quotes, rule.source
        seed = flat((SEEDS / cited[0]).read_text(encoding="utf-8"))
        for quote in quotes:
            assert flat(quote) in seed, (rule.key, quote)
