"""Every deadline around a conference, in working days or calendar time. Pure: no I/O, no "now"."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import holidays

from cpc_bot.clock import LONDON
from cpc_bot.domain.areas import ALIASES, AREAS, KINDS, ROLES, Rule, rules_for
from cpc_bot.domain.working_days import add_working_days, is_working_day


class UnknownArea(ValueError):
    def __init__(self, area: str) -> None:
        super().__init__(f"unknown area {area!r}; choose one of: {', '.join(AREAS)}")


class UnknownKind(ValueError):
    def __init__(self, kind: str) -> None:
        super().__init__(f"unknown conference kind {kind!r}; choose one of: initial, review, pre-birth")


@dataclass(frozen=True)
class Deadline:
    key: str
    title: str
    due: date | datetime  # a date, or an aware London datetime for hour-level deadlines
    working_days: bool
    source: str
    kind: str  # before | after

    @property
    def sort_key(self) -> datetime:
        if isinstance(self.due, datetime):
            return self.due
        return datetime.combine(self.due, time(0), LONDON)


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


def _due(rule: Rule, day: date, start: time | None) -> date | datetime | None:
    if rule.unit == "working_days":
        return add_working_days(day, rule.amount)
    if rule.unit == "days":
        return day + timedelta(days=rule.amount)
    if rule.unit == "weeks":
        return day + timedelta(weeks=rule.amount)
    if rule.unit == "months":
        return add_months(day, rule.amount)
    if start is None:
        # Without a start time, "48 hours before" is still a day (two days before); minutes are not.
        return day + timedelta(days=rule.amount // 24) if rule.unit == "hours" and rule.amount % 24 == 0 else None
    moment = datetime.combine(day, start, LONDON)
    delta = timedelta(hours=rule.amount) if rule.unit == "hours" else timedelta(minutes=rule.amount)
    # Arithmetic in UTC, then back to London: "48 hours before" stays 48 real hours across a clock change.
    return (moment.astimezone(UTC) + delta).astimezone(LONDON)


def compute_deadlines(area: str, kind: str, conference: date | datetime, *, role: str | None = None) -> list[Deadline]:
    """Every deadline the area sets for this kind of conference (for ``role``, when given), by due date."""
    area_name, kind_name = normalise_area(area), normalise_kind(kind)
    if role is not None and role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of: {', '.join(ROLES)}")
    if isinstance(conference, datetime):
        local = conference.astimezone(LONDON) if conference.tzinfo else conference.replace(tzinfo=LONDON)
        day, start = local.date(), local.time().replace(tzinfo=None)
    else:
        day, start = conference, None
    found = []
    for rule in rules_for(area_name):
        if kind_name not in rule.kinds or (role is not None and role not in rule.roles):
            continue
        due = _due(rule, day, start)
        if due is None:
            continue
        if not isinstance(due, datetime) and not is_working_day(due):
            # "At least 3 weeks before", "no later than 3 months after": when that lands on a
            # weekend or bank holiday, the last working day before it is the real deadline.
            due = add_working_days(due + timedelta(days=1), -1)
        found.append(Deadline(rule.key, rule.title, due, rule.unit == "working_days", rule.source,
                              "before" if rule.amount < 0 else "after"))
    return sorted(found, key=lambda d: d.sort_key)


def conference_date_warnings(day: date) -> list[str]:
    """A conference on a weekend or bank holiday is probably a typing mistake: say so."""
    if is_working_day(day):
        return []
    name = holidays.country_holidays("GB", subdiv="ENG", years=day.year).get(day)
    label = day.strftime("%A %-d %B %Y")
    return [f"{label} is not a working day ({name or 'a weekend'})"]
