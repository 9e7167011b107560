"""The calendar file a professional adds to their calendar: London's time zone in the file, each
event named by its conference's kind and day in their language (never the case reference or a
name: calendars sync to other people's servers), and an alarm the day before each event."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar

from cpc_bot.clock import LONDON
from cpc_bot.emulator.server import BotApiEmulator
from tests.helpers import BotHarness, buttons, register_conference
from tests.i18n.test_every_language import translator
from tests.professionals.test_conferences import register

SW, PL_SW = 4701, 4702


async def calendar_file(emulator: BotApiEmulator, user_id: int, label: str = "📅 Calendar file",
                        language_code: str = "en") -> bytes:
    await emulator.user(user_id, language_code=language_code).tap(label)
    document = emulator.documents(user_id)[-1]
    assert document.file_name.endswith(".ics")
    return emulator.file(document.file_id).data


async def test_the_calendar_file_has_london_time_plain_names_and_alarms(emulator: BotApiEmulator,
                                                                        harness: BotHarness) -> None:
    # Leicester, Tuesday 5 January 2027 at 10:00, case reference AB-123.
    await register(emulator, SW, "05/01/2027", area="Leicester")
    data = await calendar_file(emulator, SW)
    text = data.decode()
    calendar = Calendar.from_ical(data)

    # The time zone the events name is in the file, before them (RFC 5545 3.6.5).
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/London"
    assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    assert text.index("BEGIN:VTIMEZONE") < text.index("BEGIN:VEVENT")
    assert calendar.get_missing_tzids() == set()

    events = calendar.walk("VEVENT")
    summaries = [str(e["SUMMARY"]) for e in events]
    conference = "Initial conference on 5 January"
    assert summaries[0] == conference
    assert events[0].start == datetime(2027, 1, 5, 10, 0, tzinfo=LONDON)
    assert "DTSTART;TZID=Europe/London:20270105T100000" in text
    assert "First core group meeting · " + conference in summaries
    assert "Your written report · " + conference not in summaries  # a social worker's own list (Leicester)
    assert all(s == conference or s.endswith(" · " + conference) for s in summaries)
    assert len(events) >= 5
    # Nothing that names the family or the case leaves for a calendar server.
    for private in ("AB-123", "Sam", "Patel"):
        assert private not in text

    # One alarm each, the day before: a timed event 24 hours before; a whole-day one at 09:00 the day before.
    for event in events:
        [alarm] = event.walk("VALARM")
        assert alarm["ACTION"] == "DISPLAY" and str(alarm["DESCRIPTION"]) == str(event["SUMMARY"])
        [when] = [a.trigger for a in event.alarms.times]
        if isinstance(event.start, datetime):
            assert when == event.start - timedelta(days=1)
        else:
            assert (when.date(), when.hour, when.minute) == (event.start - timedelta(days=1), 9, 0)
    alarms = {str(e["SUMMARY"]): e.alarms.times[0].trigger for e in events}
    assert alarms[conference] == datetime(2027, 1, 4, 10, 0, tzinfo=LONDON)
    core_group = alarms["First core group meeting · " + conference]  # a whole day: 09:00 wherever they are
    assert core_group.tzinfo is None and core_group.isoformat() == "2027-01-18T09:00:00"


async def test_the_calendar_file_speaks_the_professionals_language(emulator: BotApiEmulator,
                                                                   harness: BotHarness) -> None:
    t = translator("pl", harness.settings.locales_dir)
    pro = emulator.user(PL_SW, language_code="pl")
    await register_conference(pro, t)  # Lincolnshire, 30 December 2026 at 10:00, AB-123
    await pro.say("/start")
    await pro.tap(t("🧑‍💼 I work with children"))
    await pro.tap(next(b for b in buttons(emulator.last_message(PL_SW)) if b.startswith("📅")))
    data = await calendar_file(emulator, PL_SW, t("📅 Calendar file"), "pl")
    summaries = [str(e["SUMMARY"]) for e in Calendar.from_ical(data).walk("VEVENT")]
    assert summaries[0] == "Pierwsza konferencja 30 grudnia"
    assert "Twój pisemny raport · Pierwsza konferencja 30 grudnia" in summaries
    assert "AB-123" not in data.decode() and "Initial conference" not in data.decode()
