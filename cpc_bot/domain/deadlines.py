"""Every deadline around a conference, in working days or calendar time. Pure: no I/O, no "now"."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import holidays

from cpc_bot.clock import LONDON
from cpc_bot.domain.areas import ALIASES, AREAS, KINDS, ROLES, Rule, rules_for
from cpc_bot.domain.working_days import add_working_days, is_working_day, working_day_on_or_before


class UnknownArea(ValueError):
    def __init__(self, area: str) -> None:
        super().__init__(f"unknown area {area!r}; choose one of: {', '.join(AREAS)}")


class UnknownKind(ValueError):
    def __init__(self, kind: str) -> None:
        super().__init__(f"unknown conference kind {kind!r}; choose one of: initial, review, pre-birth")


@dataclass(frozen=True)
class Deadline:
    key: str
    title: str  # what is due, as a name: "First core group meeting"
    due: date | datetime | None  # a date, an aware London datetime for hour-level deadlines, None for a step
    working_days: bool
    source: str
    kind: str  # before | after
    shape: str = "deadline"  # deadline | window (``due`` is when it opens; it runs until the conference) | step
    moved_from: date | None = None  # the weekend day or bank holiday the calendar count landed on
    unit: str = ""  # the rule's unit: a "minutes" step is "N minutes before the start"
    amount: int = 0
    overdue_nudge: bool = True  # see ``Rule.overdue_nudge``

    @property
    def sort_key(self) -> tuple[int, datetime]:
        if self.due is None:  # steps (booking; "15 minutes before the start" without a time) lead their side
            return (0, datetime.min.replace(tzinfo=UTC)) if self.kind == "before" else (2, datetime.min.replace(tzinfo=UTC))
        if isinstance(self.due, datetime):
            return 1, self.due
        return 1, datetime.combine(self.due, time(0), LONDON)

    @property
    def due_day(self) -> date | None:
        if isinstance(self.due, datetime):
            return self.due.astimezone(LONDON).date()
        return self.due


def normalise_area(area: str) -> str:
    name = area.strip().lower().replace(" ", "-")
    name = ALIASES.get(name, name)
    if name not in AREAS:
        raise UnknownArea(area)
    return name


def normalise_kind(kind: str) -> str:
    name = kind.strip().lower().replace("-", "_").replace(" ", "_")
    name = {"icpc": "initial", "rcpc": "review", "prebirth": "pre_birth"}.get(name, name)
    if name not in KINDS:
        raise UnknownKind(kind)
    return name


def add_months(day: date, months: int) -> date:
    """Same day number, clamped to the end of a shorter month (31 January + 1 month = 28/29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _counted(rule: Rule, day: date, start: time | None) -> date | datetime | None:
    """The rule's count from the conference, before any move off a weekend or bank holiday."""
    if rule.unit == "working_days":
        return add_working_days(day, rule.amount)
    if rule.unit == "days":
        return day + timedelta(days=rule.amount)
    if rule.unit == "weeks":
        return day + timedelta(weeks=rule.amount)
    if rule.unit == "months":
        return add_months(day, rule.amount)
    if rule.unit not in ("hours", "minutes"):
        return None  # tied to something we are not told, such as the day the conference was agreed
    if start is None:
        # Without a start time, "48 hours before" is still a day (two days before); minutes are not.
        return day + timedelta(days=rule.amount // 24) if rule.unit == "hours" and rule.amount % 24 == 0 else None
    moment = datetime.combine(day, start, LONDON)
    delta = timedelta(hours=rule.amount) if rule.unit == "hours" else timedelta(minutes=rule.amount)
    # Arithmetic in UTC, then back to London: "48 hours before" stays 48 real hours across a clock change.
    return (moment.astimezone(UTC) + delta).astimezone(LONDON)


def _split(conference: date | datetime) -> tuple[date, time | None]:
    if isinstance(conference, datetime):
        local = conference.astimezone(LONDON) if conference.tzinfo else conference.replace(tzinfo=LONDON)
        return local.date(), local.time().replace(tzinfo=None)
    return conference, None


def deadline_for(rule: Rule, conference: date | datetime) -> Deadline:
    """When ``rule`` falls for a conference on ``conference`` (a day, or a London start time).

    Calendar time ("3 weeks", "3 months", "48 hours before") that lands on a weekend or bank
    holiday moves to the last working day before it, keeping the time of day, and says where it
    came from. Working days never need to move; "minutes before the start" is on the day itself;
    a window's first day is not a deadline and stays where the seed puts it.
    """
    day, start = _split(conference)
    due = _counted(rule, day, start)
    moved_from = None
    if due is not None and rule.shape == "deadline" and rule.unit not in ("working_days", "minutes"):
        counted_day = due.date() if isinstance(due, datetime) else due
        if not is_working_day(counted_day):
            moved_from, new_day = counted_day, working_day_on_or_before(counted_day)
            due = datetime.combine(new_day, due.time(), LONDON) if isinstance(due, datetime) else new_day
    shape = "step" if due is None else rule.shape
    return Deadline(rule.key, rule.title, due, rule.unit == "working_days", rule.source,
                    "before" if rule.amount <= 0 else "after", shape, moved_from, rule.unit, rule.amount,
                    rule.overdue_nudge)


def compute_deadlines(area: str, kind: str, conference: date | datetime, *, role: str | None = None,
                      booked_on: date | None = None) -> list[Deadline]:
    """Every deadline the area sets for this kind of conference (for ``role``, when given), by due date.

    ``booked_on``: the day the conference date was set. A rule that only applies when there is
    time for it (Leicester's "invitation form at least 3 weeks before") is left out when the
    conference was booked closer than that.
    """
    area_name, kind_name = normalise_area(area), normalise_kind(kind)
    if role is not None and role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of: {', '.join(ROLES)}")
    found = []
    for rule in rules_for(area_name):
        if kind_name not in rule.kinds or (role is not None and role not in rule.roles):
            continue
        deadline = deadline_for(rule, conference)
        if deadline.due is None and rule.unit == "hours":
            continue  # "48 hours before" needs whole days or a start time
        if rule.only_if_ahead and booked_on is not None and deadline.due_day is not None and deadline.due_day < booked_on:
            continue
        found.append(deadline)
    return sorted(found, key=lambda d: d.sort_key)


def conference_date_warnings(day: date) -> list[str]:
    """A conference on a weekend or bank holiday is probably a typing mistake: say so."""
    if is_working_day(day):
        return []
    name = holidays.country_holidays("GB", subdiv="ENG", years=day.year).get(day)
    label = day.strftime("%A %-d %B %Y")
    return [f"{label} is not a working day ({name or 'a weekend'})"]
