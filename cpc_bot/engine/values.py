"""Reading what people type and showing their answers back. Pure, no aiogram."""

from __future__ import annotations

import re
from datetime import date, time

from babel.dates import format_date, format_skeleton, format_time

_DATE_RE = re.compile(r"^\s*(\d{1,2})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{2}|\d{4})\s*$")
_ISO_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


class DateProblem(Exception):
    """Why a typed date was not accepted; ``code`` picks the message shown."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def parse_uk_date(text: str, today: date) -> date:
    """Day first, as people write dates in England: 14/03/2019, 14.3.19, 14-03-2019, 2019-03-14.

    Two-digit years are taken as the most recent such year not in the future.
    Raises :class:`DateProblem` with ``code`` "format" or "no_such_day".
    """
    iso = _ISO_RE.match(text)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    else:
        match = _DATE_RE.match(text)
        if not match:
            raise DateProblem("format")
        day, month, year = (int(g) for g in match.groups())
        if year < 100:
            year += 2000
            if year > today.year + 1:
                year -= 100
    if not 1 <= month <= 12:
        raise DateProblem("no_such_day")
    try:
        return date(year, month, day)
    except ValueError:
        raise DateProblem("no_such_day") from None


#: The most one typed answer holds, however many messages it is sent in: enough for anything a
#: person would write for a conference, small enough that one answer never makes the report (or
#: the database) slow for everyone else.
ANSWER_MAX_MESSAGES = 30
ANSWER_MAX_CHARACTERS = 20_000


def answer_has_room(parts: list[str], text: str) -> bool:
    """Whether ``text`` may be added to a typed answer made of ``parts`` (its messages so far)."""
    return (len(parts) < ANSWER_MAX_MESSAGES
            and sum(len(part) for part in parts) + len(text) <= ANSWER_MAX_CHARACTERS)


_TIME_RE = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?\s*$", re.IGNORECASE)


def parse_time(text: str) -> time:
    """10:00, 10.30, 14:15, 10am, 2.30pm. Raises :class:`DateProblem` ("format")."""
    match = _TIME_RE.match(text)
    if not match:
        raise DateProblem("format")
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").lower().replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            raise DateProblem("format")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise DateProblem("format")
    return time(hour, minute)


def format_day(value: date, locale: str) -> str:
    """A date the way a reader of ``locale`` expects, e.g. 14 March 2019 / 14 marca 2019."""
    # Babel's plain "en" is American ("March 14, 2019"); our English readers are in England.
    return format_date(value, format="long", locale="en_GB" if locale == "en" else locale)


def format_day_month(value: date, locale: str) -> str:
    """A day and month without the year, the reader's way: 5 January / 5 stycznia."""
    return format_skeleton("MMMMd", value, locale="en_GB" if locale == "en" else locale)


def format_clock(value: time, locale: str) -> str:
    """A time of day the way a reader of ``locale`` writes it: 14:30 in Polish, 2:30 PM in Urdu."""
    return format_time(value, format="short", locale="en_GB" if locale == "en" else locale)
