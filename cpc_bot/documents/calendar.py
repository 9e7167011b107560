"""A calendar file (.ics) with a conference and its deadlines, from the icalendar package."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from icalendar import Calendar, Event

from cpc_bot.domain.deadlines import Deadline


def conference_calendar(conference_id: int, title: str, start: date | datetime, deadlines: list[Deadline],
                        *, stamp: datetime) -> bytes:
    """All-day events for day deadlines, timed ones for hour-level deadlines and the meeting; a window
    (the chair's talk) runs from its first day until the conference; steps with no date are left out."""
    calendar = Calendar()
    calendar.add("prodid", "-//CPC Companion//conference deadlines//EN")
    calendar.add("version", "2.0")
    entries: list[tuple[str, str, date | datetime, date | None]] = [("conference", title, start, None)]
    conference_day = start.date() if isinstance(start, datetime) else start
    entries += [(d.key, d.title, d.due, conference_day if d.shape == "window" else None)
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
        calendar.add_component(event)
    return calendar.to_ical()
