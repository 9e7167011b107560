"""A calendar file (.ics) with a conference and its deadlines, from the icalendar package.

Calendars sync to other people's servers (Google, Apple, Microsoft, a work Exchange), so the
events name the conference only by its kind and day ("Initial conference on 5 January"), in
the reader's language: never the case reference, and never a name.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from aiogram.utils.i18n import gettext as _
from icalendar import Alarm, Calendar, Event

from cpc_bot.domain.deadlines import Deadline
from cpc_bot.engine.values import format_day_month
from cpc_bot.i18n.markers import N_

#: One whole sentence per kind, so that each language can word it its own way.
CONFERENCE_ON = {"initial": N_("Initial conference on %(day)s"), "review": N_("Review conference on %(day)s"),
                 "pre_birth": N_("Pre-birth conference on %(day)s")}
#: The alarm comes a day before a timed event; for an all-day one (a deadline "by" a day) at
#: 09:00 the day before, which is 15 hours before its midnight start (RFC 5545, 3.8.6.3).
DAY_BEFORE = timedelta(days=-1)
DAY_BEFORE_AT_NINE = timedelta(hours=-15)


def conference_name(kind: str, day: date, locale: str) -> str:
    """"Initial conference on 5 January", in the reader's language."""
    return _(CONFERENCE_ON.get(kind, CONFERENCE_ON["initial"])) % {"day": format_day_month(day, locale)}


def conference_calendar(conference_id: int, kind: str, start: date | datetime, deadlines: list[Deadline],
                        *, stamp: datetime, locale: str) -> bytes:
    """All-day events for day deadlines, timed ones for hour-level deadlines and the meeting; a window
    (the chair's talk) runs from its first day until the conference; steps with no date are left out.
    Each event has an alarm the day before; the London time zone is in the file (VTIMEZONE)."""
    calendar = Calendar()
    calendar.add("prodid", "-//CPC Companion//conference deadlines//EN")
    calendar.add("version", "2.0")
    conference_day = start.date() if isinstance(start, datetime) else start
    conference = conference_name(kind, conference_day, locale)
    entries: list[tuple[str, str, date | datetime, date | None]] = [("conference", conference, start, None)]
    entries += [(d.key, _("%(deadline)s · %(conference)s") % {"deadline": _(d.title), "conference": conference},
                 d.due, conference_day if d.shape == "window" else None)
                for d in deadlines if d.due is not None]
    for key, summary, when, until in entries:
        event = Event()
        event.add("uid", f"cpc-{conference_id}-{key}@cpc-companion")
        event.add("dtstamp", stamp)
        event.add("summary", summary)
        event.add("dtstart", when)
        if until is not None:
            event.add("dtend", until)  # all-day events end on the day after their last: the day before the conference
        elif isinstance(when, datetime):
            event.add("dtend", when + (timedelta(hours=2) if key == "conference" else timedelta(minutes=15)))
        else:
            event.add("dtend", when + timedelta(days=1))
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", DAY_BEFORE if isinstance(when, datetime) else DAY_BEFORE_AT_NINE)
        event.add_component(alarm)
        calendar.add_component(event)
    # The VTIMEZONE for Europe/London, cut to the years around these events (the full table runs
    # 1970-2038 and triples the file); placed first, before the events that name it.
    days = [w.date() if isinstance(w, datetime) else w for _key, _summary, w, _until in entries]
    calendar.add_missing_timezones(first_date=min(days) - timedelta(days=366), last_date=max(days) + timedelta(days=366))
    calendar.subcomponents.sort(key=lambda component: component.name != "VTIMEZONE")
    return calendar.to_ical()
