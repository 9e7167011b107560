"""A parent who finished comes back: to change an answer, or to start again, never to a second
questionnaire beside the first (issue 16, point 3)."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from typing import Any

from pypdf import PdfReader

from cpc_bot.emulator.server import BotApiEmulator, FakeUser
from tests.helpers import BotHarness, answer_the_rest, buttons, open_prepare

MUM = 7101
CHANGE, AGAIN = "✏️ Change my answers", "🔄 Start again"
CLOSING_HINT = "To change an answer, send /start and tap ✏️ Change my answers."
PARENT_KINDS = {"parent.reports_by", "parent.day_before", "parent.morning_of", "parent.next_steps", "parent.notes_by"}


def shown(emulator: BotApiEmulator) -> str:
    return emulator.last_message(MUM).visible


async def finish_prepare(emulator: BotApiEmulator, day: str = "15/12/2026") -> FakeUser:
    """A parent gives the conference date, answers the rest the short way and taps Finish."""
    mum = await open_prepare(emulator, MUM)
    await mum.say(day)
    await mum.tap("The first conference")
    await mum.tap("I don't know")  # the area: national guidance
    await mum.say("Amira")
    await mum.tap("Skip ➡️")  # her date of birth
    await mum.tap("✅ That is every child")
    await mum.tap("✅ Done")  # nothing else to think about
    await mum.say("We walk to school together.")  # what we do well (every question can be skipped)
    await mum.tap("✅ Done")
    await answer_the_rest(mum, emulator, MUM, words="We walk to school together.")
    return mum


async def my_data(mum: FakeUser, emulator: BotApiEmulator) -> dict[str, Any]:
    await mum.say("/mydata")
    return json.loads(emulator.file(emulator.documents(MUM)[-1].file_id).data)


def live_reminders(data: dict[str, Any]) -> Counter[str]:
    """How many reminders of each kind will still be sent (or were): cancelled ones are not counted."""
    return Counter(r["kind"]["code"] for r in data["reminders"] if r["status"]["code"] != "cancelled")


def report_text(emulator: BotApiEmulator) -> str:
    data = emulator.file(emulator.documents(MUM)[-1].file_id).data
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


async def test_after_finishing_the_menu_offers_change_and_start_again_and_change_makes_a_new_report(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    mum = await finish_prepare(emulator)
    closing = [m.visible for m in emulator.messages(MUM) if "Here comes your report" in m.visible][-1]
    assert CLOSING_HINT in closing  # it says exactly what to send and tap
    reports = len(emulator.documents(MUM))

    await harness.restart()  # days later: a new process, nothing in memory
    await mum.say("/start")
    start = buttons(emulator.last_message(MUM))
    assert CHANGE in start and AGAIN in start
    assert not any("Prepare your views" in label for label in start)  # nothing that would start a second one
    await mum.tap("👪 I am a parent or carer")
    menu = buttons(emulator.last_message(MUM))
    assert CHANGE in menu and AGAIN in menu and "📝 Prepare your views" not in menu

    # An open button from before she finished (still on an old message, or copied) opens no second one.
    old_menu = next(m for m in emulator.messages(MUM) if "📝 Prepare your views" in buttons(m))
    await mum.tap("📝 Prepare your views", message_id=old_menu.message_id)
    assert CHANGE in buttons(emulator.last_message(MUM)) and AGAIN in buttons(emulator.last_message(MUM))

    await mum.tap(CHANGE)
    review = shown(emulator)
    assert "Check your answers" in review and "15 December 2026" in review and "We walk to school together." in review
    await mum.tap("✏️ Date of the conference")
    await mum.say("22/12/2026")  # the conference moved a week
    review = shown(emulator)
    assert "Check your answers" in review and "22 December 2026" in review and "15 December 2026" not in review
    await mum.tap("✅ Finish")

    assert len(emulator.documents(MUM)) == reports + 1  # the new report, with the change
    text = report_text(emulator)
    assert "22 December 2026" in text and "15 December 2026" not in text and "We walk to school together." in text

    data = await my_data(mum, emulator)
    assert len(data["questionnaires"]) == 1 and data["questionnaires"][0]["status"]["code"] == "finished"
    kinds = Counter(r["kind"]["code"] for r in data["reminders"])
    assert {kind: kinds[kind] for kind in PARENT_KINDS} == dict.fromkeys(PARENT_KINDS, 1)  # moved, not doubled
    assert live_reminders(data)["retention.notice"] == 1
    reports_by = next(r for r in data["reminders"] if r["kind"]["code"] == "parent.reports_by")
    assert reports_by["due"].startswith("2026-12-17") and reports_by["status"]["code"] == "pending"  # 3 working days before the 22nd


async def test_start_again_asks_first_then_deletes_the_old_answers_and_plans_reminders_once(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    mum = await finish_prepare(emulator)
    await harness.restart()
    await mum.say("/start")
    await mum.tap(AGAIN)
    ask = emulator.last_message(MUM)
    assert "I will delete your answers to “Prepare your views”" in ask.visible
    assert "Reminders will follow your new answers." in ask.visible
    assert buttons(ask) == ["Yes, start again", "No, keep my answers"]
    ask_id, yes_data = mum.find_button("Yes, start again")

    await mum.tap("No, keep my answers")  # changes nothing
    assert CHANGE in buttons(emulator.last_message(MUM))
    data = await my_data(mum, emulator)
    assert len(data["questionnaires"]) == 1 and data["questionnaires"][0]["status"]["code"] == "finished"
    assert "We walk to school together." in json.dumps(data, ensure_ascii=False)
    assert set(live_reminders(data)) == PARENT_KINDS | {"retention.notice"}

    await mum.tap(AGAIN)
    await mum.tap("Yes, start again")
    assert "These questions help you get ready for the conference." in shown(emulator)  # a blank one, from the start
    data = await my_data(mum, emulator)
    assert len(data["questionnaires"]) == 1
    assert data["questionnaires"][0]["status"]["code"] == "in_progress" and data["questionnaires"][0]["answers"] == []
    dumped = json.dumps(data, ensure_ascii=False)
    assert "We walk to school together." not in dumped and "2026-12-15" not in dumped
    assert not PARENT_KINDS & {r["kind"]["code"] for r in data["reminders"]}  # they went with the old date

    # An old "Yes" (tapped twice, or copied) deletes nothing more.
    await mum.tap_data(yes_data, ask_id)
    assert emulator.callback_answers(MUM)[-1] == "This button no longer works. Send /start to carry on."

    await mum.tap("Next ➡️")
    await mum.say("05/01/2027")
    await mum.tap("The first conference")
    data = await my_data(mum, emulator)
    assert len(data["questionnaires"]) == 1
    kinds = Counter(r["kind"]["code"] for r in data["reminders"])
    assert {kind: kinds[kind] for kind in PARENT_KINDS} == dict.fromkeys(PARENT_KINDS, 1)  # re-planned once
    assert live_reminders(data)["retention.notice"] == 1
    day_before = next(r for r in data["reminders"] if r["kind"]["code"] == "parent.day_before")
    assert day_before["due"].startswith("2027-01-04")

    # /start offers to carry on with the new one, and nothing else for it.
    await mum.say("/start")
    start = buttons(emulator.last_message(MUM))
    assert "▶️ Carry on: Prepare your views" in start and CHANGE not in start and AGAIN not in start
