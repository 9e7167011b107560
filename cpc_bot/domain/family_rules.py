"""What a family is told about the timescales around their conference, by area. Pure logic.

Every date comes from a rule in :mod:`cpc_bot.domain.areas` (defined there once, with its seed)
through :func:`cpc_bot.domain.deadlines.deadline_for`:

- **Leicester** (seed 004): the social worker's report and chronology (and the updated plan
  before a review) reach the parents *at least 48 hours before* the meeting. Calendar hours: a
  Saturday or Sunday (or a bank holiday) moves to the last working day before, and says so.
- **Kirklees** (seed 002): copies of all the reports *three working days* before; the notes of
  the meeting *within 15 working days* after.
- **Lincolnshire** (seed 000): each professional gives the family a copy of their report before
  sending it to the conference: two working days before a first conference, five before a review.
- **Staffordshire and Stoke-on-Trent** (seed 001) and **Cumbria** (seed 003) say the reports are
  shared with the family *in advance*, with no number of days; so does national guidance
  (*Working Together to Safeguard Children*), which is what a family who does not know their
  area is told. The reminder to ask for them then comes three working days before, the earliest
  day any of the seeds names, and claims no deadline.

The notes: only Kirklees names a timescale (15 working days). Elsewhere the reminder comes after
the same time and asks the family to check with their social worker, without claiming a rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from cpc_bot.domain.areas import (
    CUMBRIA,
    KIRKLEES_NOTES_15_WORKING_DAYS,
    KIRKLEES_REPORTS_3_WORKING_DAYS,
    LINCOLNSHIRE_REPORT_FIRST,
    LINCOLNSHIRE_REPORT_REVIEW,
    REPORTS_TO_PARENTS_48_HOURS,
    STAFFORDSHIRE,
    WORKING_TOGETHER,
    Rule,
)
from cpc_bot.domain.deadlines import deadline_for
from cpc_bot.domain.working_days import add_working_days

#: The areas a parent can choose, in the order they are offered; anything else is "national".
FAMILY_AREAS = ("leicester", "kirklees", "lincolnshire", "staffordshire", "cumbria")
NATIONAL = "national"

#: When there is no local number of days: the reminder to ask comes this many working days
#: before (Kirklees' three working days, the earliest any seed names), claiming no deadline.
ASK_FOR_REPORTS_WORKING_DAYS = -KIRKLEES_REPORTS_3_WORKING_DAYS.amount

#: "In advance", from the seeds that give no number of days.
IN_ADVANCE_SOURCES = {
    "staffordshire": f"{STAFFORDSHIRE}: 'all information should wherever possible be shared with parent(s) in "
                     "advance of any conference'",
    "cumbria": f"{CUMBRIA}: 'it is essential that all professional reports are shared with families in advance of "
               "the conference'",
    NATIONAL: f"{WORKING_TOGETHER}: reports are shared with parents before the conference; no number of days",
}


def family_area(value: str | None) -> str:
    """The area whose rules a family follows: one of FAMILY_AREAS, else "national" (not known,
    "somewhere else", or an area we have no seed for)."""
    return value if value in FAMILY_AREAS else NATIONAL


def conference_kind(kind: str | None) -> str:
    """initial | review | pre_birth | not_sure, from a parent's answer or a conference's kind."""
    return {"first": "initial", "initial": "initial", "review": "review", "pre_birth": "pre_birth"}.get(kind or "",
                                                                                                     "not_sure")


@dataclass(frozen=True)
class ReportsDue:
    """When the family should have the professionals' reports, and which rule says so."""

    rule: str  # leicester_48_hours | kirklees_3_working_days | lincolnshire_working_days | in_advance
    due: date | datetime  # the deadline (a London time for Leicester's hours), or when to remind for in_advance
    source: str
    moved_from: date | None = None  # Leicester's 48 hours landed on this weekend day or bank holiday
    working_days: int = 0  # how many working days before (Kirklees, Lincolnshire)

    @property
    def due_day(self) -> date:
        return self.due.date() if isinstance(self.due, datetime) else self.due


def _lincolnshire_rule(kind: str) -> Rule:
    # Not sure which kind: the later of the two days (two working days before), by which the
    # reports should have come whichever it is.
    return LINCOLNSHIRE_REPORT_REVIEW if kind == "review" else LINCOLNSHIRE_REPORT_FIRST


def reports_due(area: str, kind: str, conference: date | datetime) -> ReportsDue:
    """When a family in ``area`` should have the reports for a ``kind`` conference on ``conference``
    (a day, or a London start time)."""
    area = family_area(area)
    if area == "leicester":
        deadline = deadline_for(REPORTS_TO_PARENTS_48_HOURS, conference)
        assert deadline.due is not None
        return ReportsDue("leicester_48_hours", deadline.due, deadline.source, deadline.moved_from)
    if area in ("kirklees", "lincolnshire"):
        rule = KIRKLEES_REPORTS_3_WORKING_DAYS if area == "kirklees" else _lincolnshire_rule(kind)
        deadline = deadline_for(rule, conference)
        assert deadline.due_day is not None
        name = "kirklees_3_working_days" if area == "kirklees" else "lincolnshire_working_days"
        return ReportsDue(name, deadline.due_day, deadline.source, working_days=-rule.amount)
    day = conference.date() if isinstance(conference, datetime) else conference
    return ReportsDue("in_advance", add_working_days(day, -ASK_FOR_REPORTS_WORKING_DAYS), IN_ADVANCE_SOURCES[area])


@dataclass(frozen=True)
class NotesDue:
    """When the notes of the meeting should come (``rule`` "kirklees_15_working_days"), or when
    to ask about them where no timescale is written ("ask")."""

    rule: str
    due: date
    source: str


def notes_due(area: str, conference_day: date) -> NotesDue:
    """The notes of the meeting, after any kind of conference (initial, review, pre-birth)."""
    due = deadline_for(KIRKLEES_NOTES_15_WORKING_DAYS, conference_day).due_day
    assert due is not None
    if family_area(area) == "kirklees":
        return NotesDue("kirklees_15_working_days", due, KIRKLEES_NOTES_15_WORKING_DAYS.source)
    return NotesDue("ask", due, "no timescale in the seeds or national guidance: the reminder asks")
