"""When the reports should have come (issue 18 point 2), interpreters (point 5) and Signs of Safety
with the family (point 6), as a parent meets them.

On the day the area's rule says the reports should have reached them, the bot asks whether
they have (never at night, discreetly in discreet mode). "Not yet" gives a polite message to
send; "Yes" walks them report by report to a "Corrections and disagreements" sheet for the chair.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from pypdf import PdfReader

from cpc_bot.clock import LONDON, FrozenClock
from cpc_bot.emulator.server import BotApiEmulator, FakeUser
from tests.helpers import BotHarness, buttons, give_conference_date, open_prepare
from tests.i18n.test_every_language import translator
from tests.i18n.test_languages_journey import outline_titles

DAD, MUM, NIGHT, QUIET, AMNA, RUTH = 7401, 7402, 7403, 7404, 7405, 7406


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(data: bytes) -> str:
    return squash("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def texts(emulator: BotApiEmulator, chat_id: int) -> list[str]:
    return [m.visible.replace("\u200f", "") for m in emulator.messages(chat_id)]


async def reports_due(harness: BotHarness, user_id: int):  # noqa: ANN201 - a datetime
    """When the "reports by" reminder is planned: the area's rule decides the day, not this test."""
    [row] = [r for r in await harness.app.reminders.for_user(user_id) if r.kind == "parent.reports_by"]
    return row.due_at.astimezone(LONDON), json.loads(row.params)


async def tick(harness: BotHarness, clock: FrozenClock, moment) -> int:  # noqa: ANN001
    clock.set(moment)
    assert harness.app.reminder_sender is not None
    return await harness.app.reminder_sender.run_once()


async def walk(user: FakeUser, emulator: BotApiEmulator, chat_id: int, plan: dict[str, str | list[str]],
               t: Callable[[str], str] = str, limit: int = 120) -> None:
    """Through a questionnaire to Finish: at a question whose words hold a key of ``plan``, do
    what it says (words to type, "tap:<label>" to tap, or a list of them); anything else is
    skipped or closed. So a test says only the answers it is about."""
    done: set[str] = set()
    for _ in range(limit):
        message = emulator.last_message(chat_id)
        screen = message.visible.replace("\u200f", "")
        labels = [label.replace("\u200f", "") for label in buttons(message)]
        if t("✅ Finish") in labels:
            await user.tap(t("✅ Finish"))
            return
        todo = next((key for key in plan if t(key) in screen and key not in done), None)
        if todo is not None:
            done.add(todo)
            actions = plan[todo]
            for action in [actions] if isinstance(actions, str) else actions:
                if action.startswith("tap:"):
                    await user.tap(t(action[4:]))
                else:
                    await user.say(action)
            continue
        for choice in (t("Next ➡️"), t("Skip ➡️"), t("✅ Done")):
            if choice in labels:
                await user.tap(choice)
                break
        else:
            closing = [label for label in labels if label.startswith("✅")]
            assert closing, f"stuck at: {screen[:200]}"
            await user.tap(closing[0])
    raise AssertionError("the questionnaire did not end")


async def test_the_reports_question_comes_on_the_day_and_never_at_night(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    await give_conference_date(emulator, DAD)
    await give_conference_date(emulator, NIGHT, day="13/01/2027")
    due, params = await reports_due(harness, DAD)
    before = len(texts(emulator, DAD))
    assert await tick(harness, clock, due - timedelta(minutes=1)) == 0
    assert await tick(harness, clock, due) == 1
    question = emulator.last_message(DAD)
    assert "Your child protection conference is on 30 December 2026." in question.visible
    assert "Have you had them?" in question.visible
    assert buttons(question) == ["✅ Yes, I have them", "⏳ Not yet"]
    assert params["conference_day"] == "2026-12-30"
    assert len(texts(emulator, DAD)) == before + 1

    # The other parent's question was held back (the bot was down all that day): late in the
    # evening it waits for the morning, then asks.
    night_due, _params = await reports_due(harness, NIGHT)
    late = night_due.replace(hour=22, minute=30)
    assert await tick(harness, clock, late) == 0
    assert "Have you had them?" not in emulator.last_message(NIGHT).visible
    assert await tick(harness, clock, (late + timedelta(days=1)).replace(hour=7, minute=59)) == 0
    await tick(harness, clock, (late + timedelta(days=1)).replace(hour=8, minute=0))
    assert "Your child protection conference is on 13 January 2027." in emulator.last_message(NIGHT).visible
    assert "Have you had them?" in emulator.last_message(NIGHT).visible


async def test_not_yet_gives_a_polite_message_to_send(harness: BotHarness, emulator: BotApiEmulator,
                                                       clock: FrozenClock) -> None:
    dad = await give_conference_date(emulator, DAD)
    due, _params = await reports_due(harness, DAD)
    await tick(harness, clock, due)
    await dad.tap("⏳ Not yet")
    said = texts(emulator, DAD)
    assert "Here is a message you can send to your social worker or to the chair of the conference." in said[-3]
    assert said[-2] == (
        "Hello,\n\nMy child protection conference is on 30 December 2026. I have not had copies of the reports "
        "for it yet.\n\nPlease could you send them to me as soon as you can? I need time to read them before the "
        "conference, and to say if anything in them is wrong.\n\nThank you.")
    assert said[-1].startswith("When the reports come, tap \"✅ Yes, I have them\" above")
    # "Yes" stays under the question, for when they come.
    question = next(m for m in reversed(emulator.messages(DAD)) if "Have you had them?" in m.visible)
    assert buttons(question) == ["✅ Yes, I have them"]


async def test_in_discreet_mode_the_question_waits_behind_show_it(harness: BotHarness, emulator: BotApiEmulator,
                                                                   clock: FrozenClock) -> None:
    parent = await give_conference_date(emulator, QUIET)
    await parent.say("/settings")
    await parent.tap("🔒 Turn discreet mode on")
    due, _params = await reports_due(harness, QUIET)
    await tick(harness, clock, due)
    notice = emulator.last_message(QUIET)
    assert notice.visible == "You have a reminder. Open the chat to read it."
    assert "report" not in notice.visible.lower()
    await parent.tap("📖 Show it")
    assert buttons(emulator.last_message(QUIET)) == ["✅ Yes, I have them", "⏳ Not yet"]
    await parent.tap("⏳ Not yet")
    assert "I have not had copies of the reports" in texts(emulator, QUIET)[-2]


async def test_yes_walks_one_report_to_the_corrections_sheet(harness: BotHarness, emulator: BotApiEmulator,
                                                              clock: FrozenClock) -> None:
    mum = await open_prepare(emulator, MUM, first_name="Dana")
    # Her views first: she needs an interpreter, and names her social worker.
    await walk(mum, emulator, MUM, {
        "When is the conference?": "30/12/2026",
        "Is this the first conference": "tap:The first conference",
        "What is the child's name?": "Amira",
        "Do you need anything to be able to take part?": ["tap:⬜ An interpreter", "tap:✅ Done"],
        "Which language should the interpreter speak?": "Polish",
        "Which dialect": "Silesian",
        "woman or a man": "tap:A woman",
        "does not know your family or your community": "tap:Yes: not someone from our family or community",
        "What is your social worker's name?": "Sam Patel",
        "Who is writing this report?": "Dana Nowak",
        "What do you and your family do well": ["We read together.", "tap:✅ Done"],
        "What are the worries for your children?": ["The flat is damp.", "tap:✅ Done"],
        "Is there anything in what professionals have said": "tap:I have not seen the reports yet",
        "How safe are your children now?": "tap:6",
        "What can you or other people do to make your children safer?": ["Move to a dry flat.", "tap:✅ Done"],
    })
    # With the report: the request for an interpreter, ready to send, with what she asked for.
    said = texts(emulator, MUM)
    request = next(t for t in said if t.startswith("Dear Sam Patel,"))
    assert "I need an interpreter for my child protection conference on 30 December 2026." in request
    assert "• Language: Polish" in request and "• Dialect: Silesian" in request
    assert "• A woman interpreter, please." in request
    assert "• Not someone from our family or our community: they will hear private things about us." in request
    assert request.endswith("Thank you.\nDana Nowak")
    assert "You need an interpreter. Here is a request you can send to your social worker" in said[said.index(request) - 1]

    due, _params = await reports_due(harness, MUM)
    await tick(harness, clock, due)
    await mum.tap("✅ Yes, I have them")
    assert "Let us go through the reports one at a time." in emulator.last_message(MUM).visible
    await walk(mum, emulator, MUM, {
        "Whose report is it?": "The social worker",
        "What date is on the report?": "20/12/2026",
        "What does the report say that is wrong?": ["It says I missed three appointments.", "tap:✅ Done"],
        "What is right?": ["I missed one, and I phoned to move it.", "tap:✅ Done"],
        "How do you know?": ["I have the text message from the clinic.", "tap:✅ Done"],
        "Is there anything in this report you disagree with": ["It says the children are often late.", "tap:✅ Done"],
        "How do you see it?": ["They were late twice, when the bus did not come.", "tap:✅ Done"],
        "Is there another report you want to answer?": "tap:✅ That is every report",
    })
    sheet = emulator.documents(MUM)[-1]
    assert sheet.file_name.startswith("Corrections-and-disagreements-")
    text = pdf_text(emulator.file(sheet.file_id).data)
    order = [
        "Corrections and disagreements",
        "An interpreter is needed at the conference.", "Language: Polish", "Dialect: Silesian",
        "A woman interpreter, please.", "Not someone from our family or our community",
        "Report 1: The social worker",
        "Whose report", "The social worker", "Date of the report", "20 December 2026",
        "What it says that is wrong", "It says I missed three appointments.",
        "What is right", "I missed one, and I phoned to move it.",
        "How I know", "I have the text message from the clinic.",
        "What I disagree with", "It says the children are often late.",
        "How I see it", "They were late twice, when the bus did not come.",
    ]
    position = 0
    for expected in order:
        found = text.find(squash(expected), position)
        assert found >= 0, f"{expected!r} missing or out of order in {text}"
        position = found
    # Told to send it before the conference, and reminded the working day before.
    said = texts(emulator, MUM)
    assert any("Please send it to the chair of the conference before the conference" in t for t in said)
    assert said[-1] == "I will remind you on 29 December 2026 to send it to the chair."
    [send] = [r for r in await harness.app.reminders.for_user(MUM) if r.kind == "parent.send_sheet"]
    assert send.due_at.astimezone(LONDON).isoformat() == "2026-12-29T10:00:00+00:00"
    assert await tick(harness, clock, send.due_at) == 1
    reminder = emulator.last_message(MUM)
    assert "Have you sent your sheet \"Corrections and disagreements\" to the chair?" in reminder.visible
    await mum.tap("📄 Send me the sheet again")
    assert emulator.documents(MUM)[-1].file_name == sheet.file_name

    # Her names are kept like answers: in /mydata; /delete removes them.
    await mum.say("/mydata")
    export = json.loads(emulator.file(emulator.documents(MUM)[-1].file_id).data)
    answers = {a["question"]: a["answer"] for q in export["questionnaires"] for a in q["answers"]}
    assert answers["My social worker"] == "Sam Patel"
    assert answers["Report 1: Whose report"] == "The social worker"
    assert {q["questionnaire"]["label"] for q in export["questionnaires"]} == {"Prepare your views", "Answer the reports"}


async def test_urdu_sheet_has_both_headings_and_her_own_words(harness: BotHarness, emulator: BotApiEmulator,
                                                             clock: FrozenClock) -> None:
    t = translator("ur", harness.settings.locales_dir)
    amna = emulator.user(AMNA, first_name="Amna", language_code="ur")
    await amna.say("/start")
    await amna.tap(t("👪 I am a parent or carer"))
    await amna.tap("📝 " + t("Prepare your views"))
    await amna.tap(t("Next ➡️"))
    await amna.say("30/12/2026")
    await amna.tap(t("The first conference"))
    await amna.tap(t("💾 Save and finish later"))
    due, _params = await reports_due(harness, AMNA)
    await tick(harness, clock, due)
    question = emulator.last_message(AMNA)
    assert [b.replace("\u200f", "") for b in buttons(question)] == [t("✅ Yes, I have them"), t("⏳ Not yet")]
    await amna.tap(t("✅ Yes, I have them"))
    await walk(amna, emulator, AMNA, {
        "Whose report is it?": "سوشل ورکر",
        "What does the report say that is wrong? Write what it says.": [
            "Report says I missed three appointments.", "tap:✅ Done"],
        "What is right?": ["میں صرف ایک ملاقات پر نہیں گئی", "tap:✅ Done"],
        "Is there another report you want to answer?": "tap:✅ That is every report",
    }, t=t)
    sheet = emulator.documents(AMNA)[-1]
    data = emulator.file(sheet.file_id).data
    text = pdf_text(data)
    # The English beside each heading, for a chair who reads only English.
    for english in ("English: Corrections and disagreements", "English: Report 1:",
                    "English: What it says that is wrong", "English: What is right"):
        assert english in text, english
    # Urdu does not come out of a PDF in reading order; its bookmarks keep each heading in Urdu
    # and English, in order, the section named as she named the report.
    titles = outline_titles(data)
    assert f"{t('Report')} 1: سوشل ورکر / Report 1: سوشل ورکر" in titles, titles
    assert f"{t('What it says that is wrong')} / What it says that is wrong" in titles
    assert f"{t('What is right')} / What is right" in titles
    # Her own words as written; the chair is told the sheet is in Urdu.
    assert "Report says I missed three appointments." in text
    assert "English: Written in Urdu, in the parent's own words. Please ask them whether they need an interpreter" in text
    fonts = {str(font.get("/BaseFont")) for page in PdfReader(io.BytesIO(data)).pages
             for font in (page["/Resources"].get("/Font") or {}).values()}
    assert any("NotoNastaliqUrdu" in name for name in fonts)


async def test_safety_network_and_danger_statements_go_into_the_report(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    ruth = await open_prepare(emulator, RUTH, first_name="Ruth")
    await walk(ruth, emulator, RUTH, {
        "What do you and your family do well": ["We read together.", "tap:✅ Done"],
        "What are the worries for your children?": ["The flat is damp.", "tap:✅ Done"],
        "Is there anything in what professionals have said": "tap:No",
        "How safe are your children now?": "tap:7",
        "What can you or other people do to make your children safer?": ["Move to a dry flat.", "tap:✅ Done"],
        "What is the child's name?": "Leo",
        "Have the professionals given your family danger statements": "tap:Yes",
        "What do the danger statements say?": ["Social workers are worried Leo could be hurt when there are fights.",
                                              "tap:✅ Done"],
        "What do you think of the danger statements?": ["It is fair, but the fights have stopped.", "tap:✅ Done"],
        "What do the safety goals say?": ["Leo will be cared for by adults who keep him safe.", "tap:✅ Done"],
        "What do you think of the safety goals?": ["I agree with them.", "tap:✅ Done"],
        "Are there people in your family's safety network?": "tap:Yes",
        "What is their name?": "Grandma Jean",
        "Who are they to your family?": "My mother",
        "How do they help keep the children safe?": ["She picks Leo up from school every day.", "tap:✅ Done",
                                                     "tap:Add another person", "Tom", "tap:Skip ➡️",
                                                     "Tom drives us to appointments.", "tap:✅ Done",
                                                     "tap:✅ That is everyone in our network"],
        "Who is writing this report?": "Ruth Smith",
    })
    report = emulator.documents(RUTH)[-1]
    text = pdf_text(emulator.file(report.file_id).data)
    order = ["Danger statements and safety goals", "What do the danger statements say?",
             "Social workers are worried Leo could be hurt when there are fights.",
             "It is fair, but the fights have stopped.", "Leo will be cared for by adults who keep him safe.",
             "I agree with them.",
             "Our safety network", "Person 1: Name", "Grandma Jean", "Person 1: Who they are to us", "My mother",
             "She picks Leo up from school every day.", "Person 2: Name", "Tom", "Person 2: Who they are to us",
             "(not answered)", "Tom drives us to appointments.", "Signed", "Ruth Smith"]
    position = 0
    for expected in order:
        found = text.find(squash(expected), position)
        assert found >= 0, f"{expected!r} missing or out of order in {text}"
        position = found
    # No interpreter asked for: no request.
    assert not any(t.startswith("You need an interpreter") for t in texts(emulator, RUTH))
    # The network's names are kept like answers: /delete takes them with everything else.
    await ruth.say("/delete")
    await ruth.tap("🗑 Yes, delete everything")
    assert await harness.app.repo.responses(RUTH) == []


async def test_the_sheet_is_erased_with_the_rest_after_the_conference(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    dad = await give_conference_date(emulator, DAD)
    due, _params = await reports_due(harness, DAD)
    await tick(harness, clock, due)
    await dad.tap("✅ Yes, I have them")
    await walk(dad, emulator, DAD, {"Whose report is it?": "Zyxwv the school nurse",
                                    "Is there another report you want to answer?": "tap:✅ That is every report"})
    assert {r.dialog_id for r in await harness.app.repo.responses(DAD)} == {"parent_prepare", "parent_reports"}
    if harness.settings.database_url.startswith("sqlite"):  # the name is not in the files as written
        path = Path(harness.settings.database_url.split("///", 1)[1])
        for file in (path, path.with_name(path.name + "-wal")):
            assert not file.exists() or b"Zyxwv" not in file.read_bytes()
    # 30 days after the conference (30 December 2026) it all goes, as for the rest of her preparation.
    clock.set(due.replace(year=2027, month=2, day=1))
    await harness.app.dispatcher["retention"].sweep()
    assert await harness.app.repo.responses(DAD) == []


async def test_the_message_to_send_comes_in_her_language_then_in_english(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    t = translator("pl", harness.settings.locales_dir)
    kasia = emulator.user(MUM, first_name="Kasia", language_code="pl")
    await kasia.say("/start")
    await kasia.tap(t("👪 I am a parent or carer"))
    await kasia.tap("📝 " + t("Prepare your views"))
    await kasia.tap(t("Next ➡️"))
    await kasia.say("30/12/2026")
    await kasia.tap(t("The first conference"))
    await kasia.tap(t("💾 Save and finish later"))
    due, _params = await reports_due(harness, MUM)
    await tick(harness, clock, due)
    assert "Czy je dostałeś(-aś)?" in emulator.last_message(MUM).visible  # the question, in Polish
    await kasia.tap(t("⏳ Not yet"))
    said = texts(emulator, MUM)
    assert said[-4].startswith(t("Here is a message you can send to your social worker or to the chair of the conference."))
    assert said[-3].startswith("Dzień dobry,\n\nMoja konferencja w sprawie ochrony dziecka jest 30 grudnia 2026.")
    assert said[-2].startswith("Hello,\n\nMy child protection conference is on 30 December 2026.")


async def test_after_the_conference_how_to_correct_the_notes_and_complain(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    dad = await give_conference_date(emulator, DAD)
    [notes] = [r for r in await harness.app.reminders.for_user(DAD) if r.kind == "parent.notes_by"]
    await tick(harness, clock, notes.due_at)
    reminder = emulator.last_message(DAD)
    assert "Have you had the notes of your conference on" in reminder.visible
    assert buttons(reminder) == ["✏️ If something in the notes is wrong"]
    await dad.tap("✏️ If something in the notes is wrong")
    said = emulator.last_message(DAD).visible
    assert said.startswith("If you disagree after the conference:")
    assert "Ask the chair to correct the notes, or to add what you said to them." in said
    assert "you can ask your social worker about the council's complaints procedure" in said
    assert "Local Government and Social Care Ombudsman" in said
