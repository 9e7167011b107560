"""A professional registers a conference, gets working-day nudges, invites a parent, receives the report."""

from __future__ import annotations

import re
from datetime import datetime

from cpc_bot.clock import LONDON, FrozenClock
from cpc_bot.emulator.server import BotApiEmulator
from tests.helpers import BotHarness, answer_the_rest, buttons, join_with_link, make_verified

SW, OTHER_PRO, MUM = 4001, 4002, 4003


async def register(emulator: BotApiEmulator, user_id: int, day: str, area: str = "Lincolnshire",
                   role: str = "I am the child's social worker") -> None:
    pro = emulator.user(user_id, language_code="en")
    await pro.say("/start")
    await pro.tap("🧑‍💼 I work with children")
    assert "You have none yet." in emulator.last_message(user_id).visible
    await pro.tap("➕ Register a conference")
    await pro.tap("Initial conference (ICPC)")
    await pro.say(day)
    await pro.say("10am")
    await pro.tap(area)
    await pro.tap(role)
    await pro.say("AB-123")
    assert "Check your answers" in emulator.last_message(user_id).visible
    await pro.tap("✅ Finish")


async def tick(harness: BotHarness, clock: FrozenClock, *args: int) -> int:
    clock.set(datetime(*args, tzinfo=LONDON))
    return await harness.app.reminder_sender.run_once()


async def invite_links(emulator: BotApiEmulator, user_id: int) -> list[str]:
    """A professional opens their first conference's card and asks for its invite links."""
    pro = emulator.user(user_id)
    await pro.say("/start")
    await pro.tap("🧑‍💼 I work with children")
    await pro.tap(next(b for b in buttons(emulator.last_message(user_id)) if b.startswith("📅")))
    await pro.tap("🔗 Invite links")
    return re.findall(r"https://t\.me/cpc_companion_bot\?start=(i[\w-]+)", emulator.last_message(user_id).visible)


async def test_register_and_get_nudges_on_working_day_mornings(harness: BotHarness, emulator: BotApiEmulator,
                                                                clock: FrozenClock) -> None:
    # Wednesday 30 December 2026, Lincolnshire: report due Thursday 24 December.
    await register(emulator, SW, "30/12/2026")
    card = emulator.last_message(SW)
    assert "Initial conference · 30 December 2026 at 10:00 UK time · AB-123" in card.visible
    assert "• Your written report: by 24 December 2026" in card.visible
    assert "• First core group meeting: by 14 January 2027" in card.visible

    # The calendar file holds the conference and every deadline.
    await emulator.user(SW).tap("📅 Calendar file")
    ics = emulator.file(emulator.documents(SW)[-1].file_id).data.decode()
    assert ics.count("BEGIN:VEVENT") == 5 and "DTSTART;VALUE=DATE:20261224" in ics

    sent_before = len(emulator.messages(SW))
    # First, talking the report through with the family (by 23 December): tests/professionals/test_no_surprises.py.
    assert await tick(harness, clock, 2026, 12, 21, 9, 0) == 1
    await emulator.user(SW).tap("✅ Done")
    assert await tick(harness, clock, 2026, 12, 22, 8, 59) == 0
    assert await tick(harness, clock, 2026, 12, 22, 9, 0) == 1  # two working days before the 24th
    assert "⏰ Coming up: Your written report, 24 December 2026." in emulator.last_message(SW).visible
    # Telegram says "slow down": the nudge waits retry_after and goes again, once.
    emulator.fail_next("sendMessage", retry_after=5)
    assert await tick(harness, clock, 2026, 12, 24, 9, 0) == 0
    assert await tick(harness, clock, 2026, 12, 24, 9, 0, 6) == 1
    assert "📌 Today: Your written report, 24 December 2026." in emulator.last_message(SW).visible
    await emulator.user(SW).tap("✅ Done")
    assert "Marked as done" in emulator.callback_answers(SW)[-1]
    # Done means done: no "overdue" on the next working day (29 December), even after a restart.
    await harness.restart()
    assert await tick(harness, clock, 2026, 12, 29, 9, 0) == 0
    # Never at night, never at weekends: the core group nudges wait for working-day mornings.
    assert await tick(harness, clock, 2027, 1, 12, 3, 0) == 0
    assert await tick(harness, clock, 2027, 1, 12, 9, 0) == 1
    assert "⏰ Coming up: First core group meeting, 14 January 2027." in emulator.last_message(SW).visible
    assert len(emulator.messages(SW)) == sent_before + 4


async def test_invite_link_lets_a_parent_send_the_report_to_that_professional_only(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    await register(emulator, SW, "15/12/2026", area="Kirklees")
    await register(emulator, OTHER_PRO, "16/12/2026")
    await make_verified(harness.app, SW, "kirklees")
    links = await invite_links(emulator, SW)
    assert len(links) == 2 and all(len(code) <= 64 for code in links)

    mum = await join_with_link(emulator, MUM, links[0])
    assert any("You are now linked to the conference on 15 December 2026." in m.visible for m in emulator.messages(MUM))
    # Her reminders follow the conference date (Kirklees: reports by 10 December).
    pending = {r.kind: r.due_at.astimezone(LONDON) for r in await harness.app.reminders.for_user(MUM)}
    assert pending["parent.reports_by"] == datetime(2026, 12, 10, 10, 0, tzinfo=LONDON)

    await mum.tap("👪 I am a parent or carer")
    await mum.tap("📝 Prepare your views")
    await answer_the_rest(mum, emulator, MUM, words="We read together every night.")
    assert len(emulator.documents(MUM)) == 1
    sw_documents = len(emulator.documents(SW))
    # Nothing is sent until she taps.
    assert emulator.last_message(MUM).visible == (
        "Do you want to send your report? It goes only to:\n"
        "Sam Patel, Social worker, Council, for the meeting on 15 December 2026")
    await mum.tap("📤 Send to Sam Patel (15 Dec)")
    assert emulator.last_message(MUM).visible == (
        "Sent to Sam Patel, Social worker, Council, for the meeting on 15 December 2026. Nobody else received it.")
    shared = emulator.documents(SW)
    assert len(shared) == sw_documents + 1
    assert "for the initial conference on 15 December 2026" in shared[-1].visible
    assert emulator.documents(OTHER_PRO) == []

    # Revoked links stop working.
    await emulator.user(SW).tap("🚫 Stop these links working")
    await emulator.user(SW).tap("Yes, stop them")
    other_parent = emulator.user(4004, language_code="en")
    await other_parent.say(f"/start {links[0]}")
    assert "This link no longer works." in emulator.messages(4004)[-2].visible


async def test_changing_the_date_moves_every_reminder(harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    await register(emulator, SW, "30/12/2026")
    sw = emulator.user(SW)
    await sw.tap("✏️ Change the date")
    await sw.say("31/02/2027")
    assert "There is no such day in the calendar" in emulator.last_message(SW).visible
    await sw.say("12/01/2027")
    assert "Moved. Every reminder now follows the new date." in emulator.last_message(SW).visible
    assert await tick(harness, clock, 2026, 12, 22, 9, 0) == 0  # the old nudge is gone
    assert await tick(harness, clock, 2027, 1, 5, 9, 0) == 1  # talking it through with the family, by 7 January
    assert await tick(harness, clock, 2027, 1, 6, 9, 0) == 1  # two working days before 8 January


async def test_a_child_sends_only_the_pages_they_chose(harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    import io

    from pypdf import PdfReader

    await register(emulator, SW, "15/12/2026", area="Kirklees")
    await make_verified(harness.app, SW, "kirklees")
    sw = emulator.user(SW)
    await sw.tap("🔗 Invite links")
    child_link = re.findall(r"https://t\.me/cpc_companion_bot\?start=(i[\w-]+)", emulator.last_message(SW).visible)[1]

    child = await join_with_link(emulator, 4005, child_link)
    assert buttons(emulator.last_message(4005)) == ["🧒 I am a child or young person"]
    await child.tap("🧒 I am a child or young person")
    await child.tap("I am 12 or older")
    await child.tap("📝 Have your say")
    await child.tap("Next ➡️")
    await child.tap("Skip ➡️")  # my name
    await child.say("Football with my dad on Saturdays.")
    await child.tap("✅ Done")
    await child.say("Something I only want to keep for myself.")
    await child.tap("✅ Done")
    await answer_the_rest(child, emulator, 4005)
    before = len(emulator.documents(SW))
    await child.tap("🔒 What is working well")
    await child.tap("✅ Done choosing")
    read_back = emulator.last_message(4005).visible
    assert "Football with my dad on Saturdays." in read_back and "Nothing has been sent yet." in read_back
    await child.tap("📤 Send to Sam Patel (15 Dec)")
    received = emulator.documents(SW)
    assert len(received) == before + 1
    pages = PdfReader(io.BytesIO(emulator.file(received[-1].file_id).data)).pages
    text = " ".join(page.extract_text() for page in pages)
    assert "Football with my dad on Saturdays." in text
    assert "Something I only want to keep for myself." not in text


async def test_a_professional_who_deletes_everything_takes_their_links_with_them(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    await register(emulator, SW, "15/12/2026")
    await make_verified(harness.app, SW)
    sw = emulator.user(SW)
    links = await invite_links(emulator, SW)
    assert links and await harness.app.reminders.for_user(SW)

    await sw.say("/delete")
    await sw.tap("🗑 Yes, delete everything")
    # The conference, its nudges and its links are gone: a parent holding a link learns it no longer works.
    assert await harness.app.reminders.for_user(SW) == []
    assert await harness.app.dispatcher["conferences"].for_owner(SW) == []
    mum = emulator.user(MUM, language_code="en")
    await mum.say(f"/start {links[0]}")
    assert any("This link does not work" in m.visible for m in emulator.messages(MUM))
    assert await harness.app.dispatcher["conferences"].memberships(MUM) == []


def deadline_lines(emulator: BotApiEmulator, user_id: int) -> list[str]:
    card = emulator.last_message(user_id).visible
    return [line for line in card.split("Your deadlines", 1)[1].splitlines() if line.startswith("• ")]


async def test_leicester_initial_timeline_for_a_social_worker(harness: BotHarness, emulator: BotApiEmulator,
                                                              clock: FrozenClock) -> None:
    # Booked on Monday 21 December 2026 for Monday 4 January 2027 at 10:00: closer than the invitation form's
    # 3 weeks, so the invite list is the one that went with the booking.
    clock.set(datetime(2026, 12, 21, 11, 0, tzinfo=LONDON))
    await register(emulator, SW, "04/01/2027", area="Leicester")
    assert deadline_lines(emulator, SW) == [
        "• Book the date with the diary clerk within 24 hours of the request being agreed, and send the invite list with it",
        "• The chair's talk with you before the conference (the chair arranges it): from 25 December 2026 until the conference",
        "• Talk your report through with the family (and the child, if old enough) and give them a copy: "
        "by 29 December 2026",
        "• Social worker's report and chronology to the chair and the parents: by 31 December 2026 at 10:00 UK time "
        "(moved from 2 January 2027: weekends and bank holidays are not working days)",
        "• Parents arrive to meet the chair: by 4 January 2027 at 09:45 UK time",
        "• First core group meeting: by 18 January 2027",
        "• Review conference: by 2 April 2027 (moved from 4 April 2027: weekends and bank holidays are not working days)",
    ]
    # The chair's talk is the chair's job: no nudge when it opens, none "overdue".
    card_at = len(emulator.messages(SW))
    assert await tick(harness, clock, 2026, 12, 24, 9, 0) == 1  # the talk with the family (23 December): no chair's talk
    assert emulator.last_message(SW).visible.startswith("⏰ Coming up: Talk your report through with the family")
    assert await tick(harness, clock, 2026, 12, 29, 9, 0) == 2  # the talk with the family today; the report soon
    assert any(m.visible.startswith("⏰ Coming up: Social worker's report and chronology to the chair and the parents, "
                                    "31 December 2026 at 10:00 UK time.") for m in emulator.messages(SW)[-2:])
    assert await tick(harness, clock, 2026, 12, 31, 9, 0) == 1
    assert await tick(harness, clock, 2027, 1, 4, 9, 0) == 2  # 48 hours overdue; parents arrive today
    nudges = [m.visible for m in emulator.messages(SW)[card_at:]]
    assert len(nudges) == 6 and not any("chair's talk" in text for text in nudges)


async def test_leicester_invite_list_is_one_task_when_there_is_time(harness: BotHarness, emulator: BotApiEmulator,
                                                                    clock: FrozenClock) -> None:
    # Booked on 24 November 2026 for Wednesday 13 January 2027: the form's 3 weeks (23 December) are ahead.
    await register(emulator, SW, "13/01/2027", area="Leicester")
    lines = deadline_lines(emulator, SW)
    assert "• Invite list (the invitation form) to the safeguarding unit: by 23 December 2026" in lines
    assert sum("invit" in line.lower() for line in lines) == 2  # this task, and the booking step that sends it
    assert not any(line.endswith(" by") or ": by:" in line for line in lines)


async def test_leicester_initial_shows_another_professional_what_comes_before(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    await register(emulator, OTHER_PRO, "04/01/2027", area="Leicester",
                   role="I am another professional (health, school, police...)")
    assert deadline_lines(emulator, OTHER_PRO) == [
        "• Talk your report through with the family (and the child, if old enough) and give them a copy: "
        "by 29 December 2026",
        "• Be in the professionals' room to read the social worker's report: by 4 January 2027 at 09:45 UK time",
        "• First core group meeting: by 18 January 2027",
        "• Review conference: by 2 April 2027 (moved from 4 April 2027: weekends and bank holidays are not working days)",
    ]
