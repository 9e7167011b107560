"""A child's rights and details, in a child's words (issue 18, point 4): how to disagree or complain,
bringing someone, who knows about a plan, the plan's categories and example worries (12 and over),
their first name and the meeting's date on their booklet, "My numbers", a young person's photo,
and a file that is always called their booklet."""

from __future__ import annotations

import io
import json
import re

from PIL import Image
from pypdf import PdfReader
from sqlalchemy import text

from cpc_bot.clock import FrozenClock
from cpc_bot.emulator.server import BotApiEmulator, FakeUser
from tests.children.test_children import open_booklet
from tests.helpers import BotHarness, answer_the_rest, buttons, join_with_link, make_verified
from tests.professionals.test_conferences import invite_links, register, tick

SW, CHILD, TEEN = 6201, 6202, 6203
CATEGORIES, WORRIES = "What do the words in a plan mean?", "What kind of worries?"
DISAGREE, WHO_KNOWS, COME = "What if I do not agree?", "Who knows about my plan?", "Can I come?"


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (60, 140, 220)).save(buffer, format="JPEG")
    return buffer.getvalue()


def pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


async def read_page(child: FakeUser, emulator: BotApiEmulator, user_id: int, title: str) -> str:
    await child.tap(title)
    page = emulator.last_message(user_id).visible
    await child.tap("📖 All topics")
    return page


async def guide_topics(child: FakeUser, emulator: BotApiEmulator, user_id: int, age: str) -> list[str]:
    await child.say("/start")
    await child.tap("🧒 I am a child or young person")
    await child.tap(age)
    await child.tap("📖 About the meeting")
    return buttons(emulator.last_message(user_id))


# --- the guide, for each age ---------------------------------------------------------------------

async def test_the_guide_says_how_to_disagree_who_can_come_and_who_knows_for_every_age(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    for user_id, age in ((CHILD, "I am under 12"), (TEEN, "I am 12 or older")):
        child = emulator.user(user_id, language_code="en")
        topics = await guide_topics(child, emulator, user_id, age)
        assert {DISAGREE, WHO_KNOWS, COME} <= set(topics)

        disagree = await read_page(child, emulator, user_id, DISAGREE)
        for words in ("It is OK not to agree. You can say so.", "• Tell your social worker.",
                      "• Ask to talk to the chair. The chair is the person in charge of the meeting.",
                      "• Ask for an advocate. An advocate is someone whose job is to help you have your say.",
                      "You can also make a complaint."):
            assert words in disagree, (age, words)
        come = await read_page(child, emulator, user_id, COME)
        assert "You can bring someone with you to support you." in come
        knows = await read_page(child, emulator, user_id, WHO_KNOWS)
        assert "Your plan is not for everyone to see." in knows
        assert "Only people whose job is to keep children safe will know about it." in knows
        for title in topics:
            if title not in ("📖 All topics", "🏠 Menu"):
                # Honest about who sees what: no page promises a child a secret.
                assert "secret" not in (await read_page(child, emulator, user_id, title)).lower()


async def test_the_categories_and_example_worries_are_for_twelve_and_over_only(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    teen = emulator.user(TEEN, language_code="en")
    topics = await guide_topics(teen, emulator, TEEN, "I am 12 or older")
    assert CATEGORIES in topics and WORRIES in topics
    categories = await read_page(teen, emulator, TEEN, CATEGORIES)
    for words in ("Your social worker will explain which one it is, and why.",
                  "• Neglect: not getting the care you need.", "• Physical abuse: being hurt on purpose.",
                  "• Emotional abuse: being made to feel scared, worthless or not loved, again and again.",
                  "• Sexual abuse: someone making you do sexual things, or watch or look at them. It is never your fault."):
        assert words in categories
    worries = await read_page(teen, emulator, TEEN, WORRIES)
    for words in ("• You may feel scared about something happening at home.",  # the seed's own examples
                  "• Being hit by a parent or step-parent.", "• Not having enough to eat, or always living in a cold home."):
        assert words in worries

    child = emulator.user(CHILD, language_code="en")
    topics = await guide_topics(child, emulator, CHILD, "I am under 12")
    assert CATEGORIES not in topics and WORRIES not in topics
    # A copied 12+ button does not open the page for an under-12 reader.
    await child.tap_data("m:guide:categories", emulator.last_message(CHILD).message_id)
    assert emulator.callback_answers(CHILD)[-1] == "This button no longer works. Send /start to carry on."

    # /guide knows the age from the booklet the child started.
    await teen.say("/start")
    await teen.tap("🧒 I am a child or young person")
    await teen.tap("I am 12 or older")
    await teen.tap("📝 Have your say")
    await teen.say("/guide")  # in the middle of the booklet: the question comes again below the guide
    assert CATEGORIES in buttons(emulator.messages(TEEN)[-2])
    await child.say("/start")
    await child.tap("🧒 I am a child or young person")
    await child.tap("I am under 12")
    await child.tap("📝 Have your say")
    await child.say("/guide")
    guide = emulator.messages(CHILD)[-2]
    assert DISAGREE in buttons(guide) and CATEGORIES not in buttons(guide)


# --- the booklet: name, meeting date, rights, My numbers -----------------------------------------

async def test_a_linked_childs_booklet_has_her_name_the_meeting_date_and_my_numbers(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    await register(emulator, SW, "15/12/2026", area="Leicester")
    await make_verified(harness.app, SW, "leicester", name="Sam Patel", job="social worker",
                        organisation="Leicester City Council")
    links = await invite_links(emulator, SW)
    child = await join_with_link(emulator, CHILD, links[1])
    await child.tap("🧒 I am a child or young person")
    await child.tap("I am under 12")
    await child.tap("📝 Have your say")
    await child.tap("Next ➡️")

    name = emulator.last_message(CHILD).visible
    assert "What is your first name?" in name and "It goes on the front of your booklet. You can skip this." in name
    assert "Skip ➡️" in buttons(emulator.last_message(CHILD))
    await child.say("Mo")
    assert "Good things. What makes you feel safe?" in emulator.last_message(CHILD).visible  # one message is enough
    await child.say("My nan and my dog")
    await child.tap("✅ Done")
    for _ in range(6):  # worries, wishes, how safe, who helps, questions, taking part
        await child.tap("Skip ➡️")
    not_agree = emulator.last_message(CHILD).visible
    assert "What if you do not agree with the meeting? That is OK. You can say so." in not_agree
    assert "Tell your social worker. You can ask to talk to the chair. An advocate can help you too." in not_agree
    await child.tap("Next ➡️")
    assert "My numbers. What is your social worker's name?" in emulator.last_message(CHILD).visible
    await child.say("Sam Patel")
    assert "What is their phone number?" in emulator.last_message(CHILD).visible
    await child.say("0116 454 1234")
    review = emulator.last_message(CHILD).visible
    assert "Check your answers" in review and "Mo" in review and "0116 454 1234" in review

    before = len(emulator.messages(CHILD))
    await child.tap("✅ Finish")
    booklet = emulator.documents(CHILD)[-1]
    assert booklet.file_name == "My-booklet-2026-11-24.pdf"
    text = pdf_text(emulator.file(booklet.file_id).data)
    assert "My booklet: Have your say" in text
    assert "My name: Mo" in text and "Date of meeting: 15 December 2026" in text
    assert "My numbers" in text and "Sam Patel" in text and "0116 454 1234" in text
    # What she is told when the file comes, and after: her booklet, never a report.
    finishing = emulator.messages(CHILD)[before:]
    assert any("Here is your booklet." in m.visible for m in finishing)
    for message in finishing:
        assert "report" not in message.visible.lower(), message.visible
        assert "report" not in (message.file_name or "").lower()
    assert all("report" not in toast.lower() for toast in emulator.callback_answers(CHILD))

    # "My numbers" are hers alone: never offered for sharing. Her name can be, if she chooses.
    choose = buttons(emulator.last_message(CHILD))
    assert "🔒 My name" in choose and "🔒 Good things" in choose
    assert not any("social worker" in label or "phone number" in label for label in choose)
    await child.tap("🔒 Good things")
    await child.tap("✅ Done choosing")
    await child.tap("📤 Send to Sam Patel (15 Dec)")
    shared = pdf_text(emulator.file(emulator.documents(SW)[-1].file_id).data)
    assert "My nan and my dog" in shared and "Date of meeting: 15 December 2026" in shared
    assert "My name" not in shared and "Sam Patel" not in shared and "0116 454 1234" not in shared


async def test_without_a_link_the_booklet_shows_no_meeting_date_and_a_skipped_name_is_left_off(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    child = await open_booklet(emulator, CHILD, "I am under 12")
    await child.tap("Next ➡️")
    await child.tap("Skip ➡️")  # my name
    await child.say("Football")
    await child.tap("✅ Done")
    await answer_the_rest(child, emulator, CHILD)
    text = pdf_text(emulator.file(emulator.documents(CHILD)[-1].file_id).data)
    assert "Football" in text
    assert "Date of meeting" not in text and "My name" not in text


async def test_a_young_persons_photo_and_name_land_in_their_booklet(harness: BotHarness, emulator: BotApiEmulator) -> None:
    teen = await open_booklet(emulator, TEEN, "I am 12 or older")
    await teen.tap("Next ➡️")
    await teen.say("Ash")
    for _ in range(5):  # my views
        await teen.tap("Skip ➡️")
    page = emulator.last_message(TEEN).visible
    assert "Do you want to add a drawing or a photo?" in page
    assert "Send a photo of a drawing, or of something that matters to you." in page
    await teen.send_photo(photo(), caption="Me and my friends at the park")
    assert "1 picture" in emulator.last_message(TEEN).visible
    await teen.tap("✅ Done")
    assert "How safe do you feel where you live?" in emulator.last_message(TEEN).visible
    await answer_the_rest(teen, emulator, TEEN)

    booklet = emulator.documents(TEEN)[-1]
    assert booklet.file_name.startswith("My-booklet-") and "Here is your booklet." in booklet.visible
    data = emulator.file(booklet.file_id).data
    text = pdf_text(data)
    assert "My views: Have your say" in text and "My name: Ash" in text and "Date of meeting" not in text
    assert "Do you want to add a drawing or a photo?" in text and "Me and my friends at the park" in text
    assert sum(len(p.images) for p in PdfReader(io.BytesIO(data)).pages) == 1


# --- My numbers: kept like answers, shown in /mydata, gone after /delete --------------------------

async def my_data_page(child: FakeUser, emulator: BotApiEmulator, user_id: int) -> tuple[str, str]:
    await child.say("/mydata")
    page, data = emulator.documents(user_id)[-2:]
    return emulator.file(page.file_id).data.decode(), emulator.file(data.file_id).data.decode()


async def test_my_numbers_are_encrypted_in_mydata_and_gone_after_delete(harness: BotHarness, emulator: BotApiEmulator) -> None:
    child = await open_booklet(emulator, CHILD, "I am under 12")
    await child.tap("Next ➡️")
    await child.say("Mo")
    while "My numbers. What is your social worker's name?" not in emulator.last_message(CHILD).visible:
        labels = buttons(emulator.last_message(CHILD))
        await child.tap("Next ➡️" if "Next ➡️" in labels else "Skip ➡️")
    await child.say("Sam Patel")
    await child.say("07700 900123")
    await child.tap("✅ Finish")

    async with harness.app.engine.connect() as db:
        stored = (await db.execute(text("select value_enc from answers where key in ('first_name', 'sw_name', 'sw_number')"))).all()
    assert len(stored) == 3
    # Encrypted at rest: none of the words as they would be stored in the clear (JSON, with its
    # quotes and spaces, which never occur in the encrypted text; a bare "Mo" can, by chance).
    assert not any(words in row[0] for row in stored for words in ('"Mo"', "Sam Patel", "07700 900123"))

    page, data = await my_data_page(child, emulator, CHILD)
    assert "My social worker" in page and "Sam Patel" in page
    assert "Their phone number" in page and "07700 900123" in page and "My name" in page
    answers = {a["question"]: a["answer"] for a in json.loads(data)["questionnaires"][0]["answers"]}
    assert answers["My social worker"] == "Sam Patel" and answers["Their phone number"] == "07700 900123"

    await child.say("/delete")
    warning = emulator.last_message(CHILD).visible
    assert "This deletes all your answers, your booklet, your pictures and My numbers." in warning
    assert "report" not in warning.lower()
    await child.tap("🗑 Yes, delete everything")
    async with harness.app.engine.connect() as db:
        assert (await db.execute(text("select count(*) from answers"))).scalar_one() == 0
    page, data = await my_data_page(child, emulator, CHILD)
    assert "Sam Patel" not in page and "07700" not in page and "Sam Patel" not in data


# --- every other message a child gets calls it their booklet -------------------------------------

async def test_help_report_and_start_again_call_it_a_booklet(harness: BotHarness, emulator: BotApiEmulator) -> None:
    child = await open_booklet(emulator, CHILD, "I am under 12")
    await child.say("/report")
    assert emulator.last_message(CHILD).visible == ("You have not finished your booklet yet. When you finish it, "
                                                    "I will send it to you. Send /start to carry on.")
    await child.say("/help")
    help_text = emulator.messages(CHILD)[-2].visible  # the question comes again below the help
    assert "/report: get your booklet again" in help_text and "report again" not in help_text
    await child.tap("Next ➡️")
    await answer_the_rest(child, emulator, CHILD)
    await child.say("/report")
    again = emulator.documents(CHILD)[-1]
    assert again.file_name.startswith("My-booklet-") and again.visible.startswith("Here is your booklet.")
    await child.say("/start")
    await child.tap("🔄 Start again")
    assert "Booklets I sent you before stay in this chat." in emulator.last_message(CHILD).visible
    assert "report" not in emulator.last_message(CHILD).visible.lower()

    # A parent still gets their report, in a parent's words.
    parent = emulator.user(6299, language_code="en")
    await parent.say("/help")
    assert "/report: get your written report again" in emulator.last_message(6299).visible


async def test_the_erasure_notice_tells_a_child_about_their_booklet(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    await register(emulator, SW, "15/12/2026", area="Leicester")
    await make_verified(harness.app, SW, "leicester")
    links = await invite_links(emulator, SW)
    await join_with_link(emulator, CHILD, links[1])
    await tick(harness, clock, 2027, 1, 7, 10, 0)  # a week before the erasure, 30 days after the meeting
    notice = emulator.last_message(CHILD).visible
    assert "on 15 January 2027 I will delete what you wrote to get ready for the meeting" in notice
    assert "your booklet, your pictures and My numbers" in notice
    assert "send /report for your booklet" in notice and "report for your report" not in notice
