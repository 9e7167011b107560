"""No surprises (issue 17, point 2): in every area, before the report is due, the practitioner talks
it through with the family and gives them a copy; the day is worked out in working days."""

from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpc_bot.clock import LONDON
from cpc_bot.domain.areas import AREAS
from cpc_bot.domain.deadlines import Deadline, compute_deadlines
from cpc_bot.domain.nudges import plan_nudges
from cpc_bot.domain.working_days import is_working_day

TALK = "talk_family_by"


def by_key(area: str, kind: str, conference: date | datetime, **kw: str) -> dict[str, Deadline]:
    return {d.key: d for d in compute_deadlines(area, kind, conference, **kw)}


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("kind", ["initial", "review", "pre_birth"])
@pytest.mark.parametrize("role", ["professional", "social_worker"])
def test_every_area_has_the_talk_for_every_practitioner(area: str, kind: str, role: str) -> None:
    talk = by_key(area, kind, date(2027, 6, 16), role=role)[TALK]
    assert (talk.shape, talk.working_days, talk.kind) == ("deadline", True, "before")
    assert talk.source  # quoted from its seed: tests/domain/test_deadlines.py checks every rule's quote


def test_parents_do_not_get_the_practitioners_task() -> None:
    for area in AREAS:
        assert TALK not in by_key(area, "initial", date(2027, 6, 16), role="parent")
    # Kirklees: the family's own "every report by" stays theirs; practitioners have the talk on that day.
    assert "reports_to_family_by" in by_key("kirklees", "initial", date(2027, 6, 16), role="parent")
    professional = by_key("kirklees", "initial", date(2027, 6, 16), role="professional")
    assert "reports_to_family_by" not in professional
    assert professional[TALK].due == date(2027, 6, 11)  # three working days before Wednesday 16 June


def test_lincolnshire_review_over_christmas_the_working_day_before_the_report() -> None:
    # Monday 4 January 2027: the report is due 23 December 2026 (five working days back over New Year's
    # Day, Boxing Day's substitute and Christmas); the talk is the working day before, 22 December.
    got = by_key("lincolnshire", "review", date(2027, 1, 4))
    assert got["report_due"].due == date(2026, 12, 23)
    assert got[TALK].due == date(2026, 12, 22)


def test_easter_2027_national() -> None:
    # Thursday 1 April 2027: three working days back skip Easter Monday, the weekend and Good Friday.
    assert by_key("national", "initial", date(2027, 4, 1))[TALK].due == date(2027, 3, 25)


def test_staffordshire_the_day_before_the_report() -> None:
    got = by_key("staffordshire", "initial", datetime(2026, 12, 30, 10, 0, tzinfo=LONDON))
    assert (got[TALK].due, got["report_due"].due) == (date(2026, 12, 23), date(2026, 12, 24))


def test_nudged_before_and_on_the_day_never_overdue() -> None:
    talk = by_key("cumbria", "initial", date(2027, 1, 13))[TALK]
    assert talk.due == date(2027, 1, 8)  # Friday
    nudges = plan_nudges([talk], datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    assert [(n.which, n.at.astimezone(LONDON)) for n in nudges] == [
        ("soon", datetime(2027, 1, 6, 9, 0, tzinfo=LONDON)),
        ("today", datetime(2027, 1, 8, 9, 0, tzinfo=LONDON)),
    ]
    # Registered late: what is already past is not planned, the rest is.
    late = plan_nudges([talk], datetime(2027, 1, 7, 12, 0, tzinfo=UTC))
    assert [n.which for n in late] == ["today"]


@settings(deadline=None)
@given(st.sampled_from(AREAS), st.sampled_from(["initial", "review", "pre_birth"]),
       st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
       st.none() | st.times(min_value=time(8, 0), max_value=time(18, 0)),
       st.sampled_from(["professional", "social_worker"]))
def test_the_talk_is_a_working_day_before_the_report_and_before_the_family_must_have_it(
        area: str, kind: str, day: date, start: time | None, role: str) -> None:
    conference = day if start is None else datetime.combine(day, start, LONDON)
    got = by_key(area, kind, conference, role=role)
    talk = got[TALK].due_day
    assert talk is not None and is_working_day(talk) and talk < day
    if "report_due" in got:
        assert talk < got["report_due"].due_day  # type: ignore[operator]
    for key in ("sw_report_to_parents_by", "reports_to_family_by"):
        if key in got and got[key].due_day is not None:
            assert talk <= got[key].due_day  # type: ignore[operator]
