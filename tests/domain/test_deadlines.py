"""Conference deadlines per area, across Christmas, Easter, substitute days, month ends and leap years."""

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpc_bot.clock import LONDON
from cpc_bot.domain.areas import AREAS
from cpc_bot.domain.deadlines import (
    UnknownArea,
    UnknownKind,
    add_months,
    compute_deadlines,
    conference_date_warnings,
)
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
    got = due("leicester", "initial", datetime(2027, 3, 29, 10, 0, tzinfo=LONDON))
    # 48 real hours before 10:00 on Monday 29 March 2027, across the clock change on the 28th: 09:00 on the 27th.
    assert got["sw_report_to_parents_by"] == datetime(2027, 3, 27, 9, 0, tzinfo=LONDON)
    assert got["parents_arrive"] == datetime(2027, 3, 29, 9, 45, tzinfo=LONDON)
    assert got["invite_form_due"] == date(2027, 3, 8)
    assert "invite_list_due" not in got  # only for reviews
    assert due("leicester", "pre-birth", date(2027, 3, 29))["invite_form_due"] == date(2027, 3, 15)


def test_staffordshire_practitioners_arrive_half_an_hour_early() -> None:
    got = due("stoke", "review", datetime(2026, 12, 1, 13, 30, tzinfo=LONDON), role="professional")
    assert got == {"report_due": date(2026, 11, 27), "practitioners_arrive": datetime(2026, 12, 1, 13, 0, tzinfo=LONDON),
                   "review_conference_by": date(2027, 6, 1)}


def test_each_area_key_set() -> None:
    keys = {area: {d.key for d in compute_deadlines(area, "review", date(2027, 6, 15))} for area in AREAS}
    assert keys["cumbria"] == keys["national"] == {"review_conference_by"}
    assert keys["kirklees"] == {"reports_to_family_by", "notes_to_family_by", "review_conference_by"}
    assert {"invite_list_due", "invite_form_due", "sw_report_to_parents_by"} <= keys["leicester"]


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


@given(st.sampled_from(AREAS), st.sampled_from(["initial", "review", "pre_birth"]),
       st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)))
def test_every_deadline_is_on_a_working_day_and_on_the_right_side(area: str, kind: str, day: date) -> None:
    for deadline in compute_deadlines(area, kind, day):
        due_day = deadline.due.date() if isinstance(deadline.due, datetime) else deadline.due
        if deadline.working_days:
            assert is_working_day(due_day)
        assert (due_day < day) if deadline.kind == "before" else (due_day > day)
