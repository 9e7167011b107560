"""Families follow their own area's rules (issue 18 points 1, 3 and 7), as a parent would see them.

A Leicester parent is reminded about the reports 48 hours before (a Saturday moves to the Friday,
and the reminder says why); a Kirklees parent 3 working days before; a parent who does not know
their area is told what national guidance says. After a review conference the notes are asked
about too. A pre-birth parent gives a due date in the future and gets the same reminders after
the conference. Every question can be skipped, and the skipped ones read "not answered".
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path

import yaml
from pypdf import PdfReader

from cpc_bot.clock import LONDON, FrozenClock
from cpc_bot.config import PROJECT_ROOT
from cpc_bot.emulator.server import BotApiEmulator, FakeUser
from tests.helpers import (
    DONE_LABELS,
    BotHarness,
    buttons,
    join_with_link,
    make_verified,
    open_prepare,
)
from tests.professionals.test_conferences import invite_links, register

AREA_QUESTION = "Which council's children's services are working with your family?"
SW = 4301


def texts(emulator: BotApiEmulator, chat_id: int) -> list[str]:
    return [m.visible for m in emulator.messages(chat_id)]


async def tick(harness: BotHarness, clock: FrozenClock, *args: int) -> int:
    clock.set(datetime(*args, tzinfo=LONDON))
    assert harness.app.reminder_sender is not None
    return await harness.app.reminder_sender.run_once()


async def prepare(emulator: BotApiEmulator, chat_id: int, day: str, area: str,
                  kind: str = "The first conference") -> FakeUser:
    """A parent gives the conference date, its kind and her area, then stops for now."""
    parent = await open_prepare(emulator, chat_id)
    await parent.say(day)
    await parent.tap(kind)
    assert AREA_QUESTION in emulator.last_message(chat_id).visible
    assert "I don't know" in buttons(emulator.last_message(chat_id))
    await parent.tap(area)
    await parent.tap("💾 Save and finish later")
    return parent


async def test_a_leicester_parent_is_reminded_48_hours_before_and_a_weekend_moves_it(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    # Monday 14 December 2026: 48 hours before is Saturday 12th, so Friday 11th.
    await prepare(emulator, 7301, "14/12/2026", "Leicester")
    before = len(texts(emulator, 7301))
    assert await tick(harness, clock, 2026, 12, 11, 9, 59) == 0
    assert await tick(harness, clock, 2026, 12, 11, 10, 0) == 1
    said = texts(emulator, 7301)[-1]
    assert said.startswith("Your child protection conference is on 14 December 2026.")
    assert ("In Leicester, your social worker should give you their report and the chronology (a list of the "
            "important events) at least 48 hours before the meeting: by 11 December 2026.") in said
    assert ("48 hours before the meeting is Saturday, 12 December 2026, which is not a working day, so this is the "
            "working day before it.") in said
    assert said.endswith("Have you had them?")  # with ✅ Yes / ⏳ Not yet (a message ready to send)
    assert "3 working days" not in said  # never Kirklees' rule
    assert len(texts(emulator, 7301)) == before + 1


async def test_a_kirklees_parent_is_reminded_3_working_days_before_and_about_the_notes_after_a_review(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    # Wednesday 30 December 2026, a review: 3 working days back skips 25 and 28 December.
    await prepare(emulator, 7302, "30/12/2026", "Kirklees", kind="A review conference")
    assert await tick(harness, clock, 2026, 12, 23, 10, 0) == 1
    said = texts(emulator, 7302)[-1]
    assert ("Kirklees' leaflet for parents says you should get copies of all the reports 3 working days before the "
            "meeting: by today, 23 December 2026.") in said
    # After the review: no core group reminder (the plan's core group already meets), but the notes.
    assert await tick(harness, clock, 2026, 12, 31, 10, 0) == 0
    assert await tick(harness, clock, 2027, 1, 21, 10, 0) == 1
    assert texts(emulator, 7302)[-1] == (
        "Kirklees' leaflet for parents says you should get the notes of your conference within 15 working days: "
        "by today, 21 January 2027. If they have not come, ask your social worker.")


async def test_a_parent_who_does_not_know_their_area_gets_national_guidance_named(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    await prepare(emulator, 7303, "30/12/2026", "I don't know", kind="A review conference")
    assert await tick(harness, clock, 2026, 12, 23, 10, 0) == 1
    said = texts(emulator, 7303)[-1]
    assert ("National guidance says the professionals should share their reports with you before the conference."
            "\n\nHave you had them?") in said
    assert "by today" not in said  # national guidance sets no number of days: none is claimed
    # The notes after a review conference, without a timescale nobody set.
    assert await tick(harness, clock, 2027, 1, 21, 10, 0) == 1
    assert texts(emulator, 7303)[-1] == (
        "Have you had the notes of your conference on 30 December 2026? They say what was decided and what happens "
        "next. If they have not come, ask your social worker or the chair when they will.")


async def test_in_discreet_mode_the_leicester_reminder_says_nothing_until_opened(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    await harness.app.repo.update_user(7304, discreet=True)
    await prepare(emulator, 7304, "14/12/2026", "Leicester")
    assert await tick(harness, clock, 2026, 12, 10, 22, 0) == 0
    assert await tick(harness, clock, 2026, 12, 11, 10, 0) == 1
    assert emulator.last_message(7304).visible == "You have a reminder. Open the chat to read it."
    await emulator.user(7304).tap("📖 Show it")
    assert "at least 48 hours before the meeting: by 11 December 2026." in emulator.last_message(7304).visible


async def test_a_parent_linked_to_a_leicester_conference_is_not_asked_the_area_and_follows_leicester(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    # Monday 14 December 2026 at 10:00, registered in Leicester; the parent joins through the link.
    await register(emulator, SW, "14/12/2026", area="Leicester")
    await make_verified(harness.app, SW, "leicester")
    links = await invite_links(emulator, SW)
    mum = await join_with_link(emulator, 7305, links[0])
    await mum.say("/start")
    await mum.tap("👪 I am a parent or carer")
    await mum.tap("📝 Prepare your views")
    await mum.tap("Next ➡️")
    await mum.tap("Skip ➡️")  # the date: the link already gives it
    await mum.tap("The first conference")
    assert "What is the child's name?" in emulator.last_message(7305).visible  # no area question
    # The link's reminders follow Leicester: 48 hours before 10:00 on Monday is Saturday 10:00, so Friday.
    before = len(texts(emulator, 7305))
    await tick(harness, clock, 2026, 12, 11, 10, 0)  # the social worker's own nudges go too
    assert len(texts(emulator, 7305)) == before + 1
    said = texts(emulator, 7305)[-1]
    assert "at least 48 hours before the meeting: by 11 December 2026 at 10:00 UK time." in said
    assert "Saturday, 12 December 2026, which is not a working day" in said
    # Her guide follows Leicester too, with the contacts the Leicester leaflets give.
    await mum.say("/guide")
    guide, question = emulator.messages(7305)[-2:]  # in the middle of a question: it comes again below the guide
    assert "What is the child's name?" in question.visible
    await mum.tap("What you can expect", message_id=guide.message_id)
    assert "at least 48 hours before the meeting (Leicester's guidance)" in guide.visible
    await mum.tap("📖 All topics", message_id=guide.message_id)
    await mum.tap("Who you can contact", message_id=guide.message_id)
    contacts = guide.visible
    assert "The Children's Rights and Participation Service" in contacts
    assert "Phone: 0116 454 2425" in contacts and "Email: childrensrights@leicester.gov.uk" in contacts
    assert "The Safeguarding and Quality Assurance Unit" in contacts and "Phone: 0116 454 2440" in contacts


async def test_a_pre_birth_parent_gives_a_due_date_in_the_future_and_gets_the_reminders_after(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    mum = await open_prepare(emulator, 7306)
    await mum.say("15/12/2026")
    await mum.tap("A pre-birth conference (the baby is not born yet)")
    await mum.tap("Kirklees")
    assert "For a baby who is not born yet, you can write a name you have chosen" in emulator.last_message(7306).visible
    await mum.tap("Skip ➡️")  # no name yet
    assert "Is this child born yet?" in emulator.last_message(7306).visible
    await mum.tap("No, the baby is not born yet")
    assert "When is the baby due?" in emulator.last_message(7306).visible
    await mum.say("20/02/2027")  # in the future: fine for a due date
    assert "Saved: 20 February 2027" in emulator.last_message(7306).visible
    await mum.tap("Add another child")  # her son, already born
    await mum.say("Leo")
    await mum.tap("Yes")
    assert "What is their date of birth?" in emulator.last_message(7306).visible
    await mum.say("14/03/2030")
    assert "14 March 2030 is in the future. Please check the year." in texts(emulator, 7306)[-2]
    await mum.say("14/03/2020")
    await mum.tap("💾 Save and finish later")
    # After a pre-birth conference, as after a first one: the core group and the notes.
    assert await tick(harness, clock, 2026, 12, 16, 10, 0) == 1
    assert "the first core group meeting should be by 31 December 2026" in texts(emulator, 7306)[-1]
    assert "You should get the notes of the conference by 8 January 2027." in texts(emulator, 7306)[-1]
    await tick(harness, clock, 2027, 1, 8, 10, 0)  # with the notice before her answers are erased
    assert any("you should get the notes of your conference within 15 working days: by today, 8 January 2027" in text
               for text in texts(emulator, 7306)[-2:])


def parent_questions(steps: list[dict], inside: str = "") -> list[str]:
    found = []
    for step in steps:
        if step["kind"] == "repeat":
            found += parent_questions(step["steps"], step["key"] + ".")
        elif step["kind"] != "info" and not step.get("optional"):
            found.append(inside + step["key"])
    return found


def test_every_parents_question_can_be_skipped_as_the_intro_promises() -> None:
    raw = yaml.safe_load((PROJECT_ROOT / "dialogs" / "parent_prepare.yaml").read_text(encoding="utf-8"))
    assert "You can skip anything you do not want to answer." in raw["steps"][0]["text"]
    assert parent_questions(raw["steps"]) == []


async def test_a_parent_can_skip_every_question_and_the_report_says_not_answered(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    mum = await open_prepare(emulator, 7307)
    questions = 0
    for _ in range(80):
        message = emulator.last_message(7307)
        labels = buttons(message)
        if "✅ Finish" in labels:
            await mum.tap("✅ Finish")
            break
        closing = [label for label in DONE_LABELS if label in labels]
        if closing:
            await mum.tap(closing[0])  # the end of a group (every child, every point)
            continue
        assert "Skip ➡️" in labels, f"no Skip under: {message.visible[:200]}"
        questions += 1
        await mum.tap("Skip ➡️")
    else:
        raise AssertionError("the questionnaire did not end")
    assert questions >= 20
    report = PdfReader(io.BytesIO(emulator.file(emulator.documents(7307)[-1].file_id).data))
    words = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in report.pages))
    assert "(not answered)" in words and "(skipped)" not in words


def guide_text() -> str:
    return Path(PROJECT_ROOT / "guides" / "parent_guide.yaml").read_text(encoding="utf-8")


async def test_the_parents_guide_has_the_seeds_words(harness: BotHarness, emulator: BotApiEmulator) -> None:
    dad = emulator.user(7308, language_code="en")
    await dad.say("/start")
    await dad.tap("👪 I am a parent or carer")
    await dad.say("/guide")
    pages = {}
    for title in ("What is a child protection conference?", "Who will be there?", "What happens on the day",
                  "What happens after the conference", "What you can expect", "Words people may use",
                  "Who you can contact"):
        await dad.tap(title)
        pages[title] = emulator.last_message(7308).visible
        await dad.tap("📖 All topics")
    assert "work out what (if anything) needs to change to keep your children safe" in pages[
        "What is a child protection conference?"]
    assert "When you leave the conference, you should know what (if anything) needs to change." in pages[
        "What is a child protection conference?"]
    assert ("Your child's advocate, if they have one. An advocate is someone whose job is to help your child say what "
            "they think and feel, and make sure it is heard.") in pages["Who will be there?"]
    assert "and grey areas. Grey areas are things that are not clear yet, where people need to know more." in pages[
        "What happens on the day"]
    assert ("\"On the register\": before April 2008, children's names were put on a child protection register. Now we "
            "say the child has a child protection plan. It works the same way.") in pages["Words people may use"]
    # No area given: national guidance, named; no local numbers claimed.
    assert ("get the professionals' reports before the conference (national guidance; your area may set a number of "
            "days, so ask your social worker)") in pages["What you can expect"]
    assert "You should be sent the notes of the meeting." in pages["What happens after the conference"]
    assert "I do not have local phone numbers for your area." in pages["Who you can contact"]
    # Each new fact says where it comes from, for maintainers.
    assert guide_text().count("    source: ") >= 7


async def test_a_kirklees_parents_guide_has_kirklees_timescales_and_the_chairs_number(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    dad = await prepare(emulator, 7309, "30/12/2026", "Kirklees")
    await dad.say("/guide")
    await dad.tap("What happens after the conference")
    assert ("You should get the notes of the meeting within 15 working days (Kirklees' leaflet for parents)."
            in emulator.last_message(7309).visible)
    await dad.tap("📖 All topics")
    await dad.tap("What you can expect")
    assert ("get copies of all the reports at least 3 working days before the meeting (Kirklees' leaflet for parents)"
            in emulator.last_message(7309).visible)
    await dad.tap("📖 All topics")
    await dad.tap("Who you can contact")
    assert "The chair of your conference:" in emulator.last_message(7309).visible
    assert "Phone: 01484221000" in emulator.last_message(7309).visible
