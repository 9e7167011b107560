"""Children and young people have their say: words or drawings, help one tap away, their choice who sees it."""

from __future__ import annotations

import io
import re

from aiogram.utils.i18n import I18n
from PIL import Image
from pypdf import PdfReader

from cpc_bot.documents.answers import build_answers_document
from cpc_bot.documents.pdf import render_pdf
from cpc_bot.emulator.server import BotApiEmulator
from tests.helpers import BotHarness, answer_the_rest, buttons

CHILD, TEEN, PARENT = 6001, 6002, 6003
SOS = "🆘 I don't feel safe right now"


def drawing() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (250, 200, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


def pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


async def open_booklet(emulator: BotApiEmulator, user_id: int, age: str):
    child = emulator.user(user_id, first_name="Mo", language_code="en")
    await child.say("/start")
    await child.tap("🧒 I am a child or young person")
    await child.tap(age)
    assert "📖 About the meeting" in buttons(emulator.last_message(user_id))
    await child.tap("📝 Have your say")
    return child


async def test_under_12_booklet_with_a_drawing_help_button_and_private_by_default(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    child = await open_booklet(emulator, CHILD, "I am under 12")
    intro = emulator.last_message(CHILD)
    assert "I only send it to someone if you say so." in intro.visible
    assert "the grown-ups who read it must help keep you safe" in intro.visible  # the true limit, said plainly
    assert buttons(intro)[-1] == SOS
    await child.tap("Next ➡️")
    await child.tap("Skip ➡️")  # my name

    assert "Good things. What makes you feel safe?" in emulator.last_message(CHILD).visible
    await child.send_photo(drawing())
    await child.say("My nan and my dog")
    await child.tap("✅ Done")

    # In the middle of a question, help is one tap away, and the question waits.
    await child.tap(SOS)
    help_now = emulator.last_message(CHILD).visible
    assert "call 999" in help_now and "0800 1111" in help_now and "Nobody reads these messages straight away" in help_now
    assert "secret" not in help_now.lower()  # the bot never promises to keep a secret
    await child.say("When people shout at night")
    assert "Saved." in emulator.last_message(CHILD).visible
    # Words that may mean danger get the helplines at once; the words are still kept.
    await child.say("I am scared to go home")
    assert "call 999" in emulator.messages(CHILD)[-2].visible
    await child.tap("✅ Done")

    await child.tap("Skip ➡️")  # wishes
    scale = emulator.last_message(CHILD)
    assert "0 = Not safe at all 😢" in scale.visible and "10 = Really safe 😀" in scale.visible
    await child.tap("7🙂")
    await child.tap("Skip ➡️")
    await child.tap("Skip ➡️")
    await child.tap("I want my words read out")
    await child.tap("Next ➡️")  # if you do not agree
    await child.tap("Skip ➡️")  # my numbers
    await child.tap("Skip ➡️")
    assert "Check your answers" in emulator.last_message(CHILD).visible
    await child.tap("✅ Finish")

    booklet = emulator.documents(CHILD)[-1]
    data = emulator.file(booklet.file_id).data
    text = pdf_text(data)
    assert "My booklet: Have your say" in text
    for words in ("My nan and my dog", "When people shout at night", "I am scared to go home", "7 out of 10",
                  "I want my words read out"):
        assert words in text
    assert sum(len(page.images) for page in PdfReader(io.BytesIO(data)).pages) == 1  # the drawing

    # Private is the default: every page starts locked.
    choose = emulator.last_message(CHILD)
    assert "Nothing is shared unless you choose it." in choose.visible
    assert "🔒 Good things" in buttons(choose) and "🔒 Worries" in buttons(choose)
    await child.tap("🔒 Good things")
    assert "👀 Good things" in buttons(emulator.last_message(CHILD))
    await child.tap("✅ Done choosing")
    read_back = emulator.last_message(CHILD).visible
    assert "You chose to share:" in read_back and "My nan and my dog" in read_back
    assert "Private, only for you:" in read_back and "🔒 Worries" in read_back
    assert "Nothing has been sent to anyone." in read_back


async def test_twelve_and_over_booklet(harness: BotHarness, emulator: BotApiEmulator) -> None:
    teen = await open_booklet(emulator, TEEN, "I am 12 or older")
    await teen.tap("Next ➡️")
    await teen.tap("Skip ➡️")  # my name
    answers = {
        "What is working well for me and my family?": "My mum takes me to football.",
        "What are the worries for me and my family?": "Mum gets really stressed about money.",
        "Why do you think other people are worried about me and my family?": "I was late for school a lot.",
        "What needs to change to help me feel safe?": "Less shouting at home.",
        "Who could help us make these changes?": "My aunt and my form tutor.",
    }
    for question, words in answers.items():
        assert question in emulator.last_message(TEEN).visible
        await teen.say(words)
        await teen.tap("✅ Done")
    await teen.tap("Skip ➡️")  # a drawing or photo
    await teen.tap("6😐")
    await teen.tap("Skip ➡️")
    await teen.tap("Talk to the chair before the meeting")
    await teen.tap("Next ➡️")  # if you do not agree
    await teen.tap("Skip ➡️")  # my numbers
    await teen.tap("Skip ➡️")
    await teen.tap("✅ Finish")
    text = pdf_text(emulator.file(emulator.documents(TEEN)[-1].file_id).data)
    assert "My views: Have your say" in text
    for words in answers.values():
        assert words in text


async def test_nobody_else_can_read_a_childs_unshared_answers(harness: BotHarness, emulator: BotApiEmulator) -> None:
    child = await open_booklet(emulator, CHILD, "I am under 12")
    await child.tap("Next ➡️")
    await child.tap("Skip ➡️")  # my name
    await child.send_photo(drawing())
    await child.say("Playing with my sister")
    await child.tap("✅ Done")
    await child.say("Secret worry words")
    await child.tap("✅ Done")
    await answer_the_rest(child, emulator, CHILD)
    await child.tap("🔒 Good things")  # shares good things only
    share_buttons = [b for row in emulator.last_message(CHILD).reply_markup["inline_keyboard"] for b in row]
    child_response = int(share_buttons[0]["callback_data"].split(":")[1])

    parent = emulator.user(PARENT, language_code="en")
    await parent.say("/start")
    start = emulator.last_message(PARENT)
    # A forged questionnaire button and a forged share button for the child's booklet.
    await parent.tap_data(f"q:{child_response}:00000000:edit:", start.message_id)
    await parent.tap_data(f"sh:{child_response}:done:", start.message_id)
    assert emulator.callback_answers(PARENT)[-2:] == ["This button no longer works. Send /start to carry on."] * 2
    await parent.say("/report")
    assert "there is no report" in emulator.last_message(PARENT).visible
    assert not any("Secret worry words" in m.visible or "Playing with my sister" in m.visible
                   for m in emulator.messages(PARENT))

    # The child's drawing cannot be read as anyone else.
    app = harness.app
    response = await app.repo.get_response(child_response)
    view = await app.runner.load_view(response)
    blob = view.value("good_things")[0]["blob"]
    assert await app.repo.load_blob(blob, PARENT) is None
    assert await app.repo.load_blob(blob, CHILD) is not None

    # What would be sent is built from the shared pages only.
    shared = set(view.answers["_share"])
    assert shared == {"good_things"}
    i18n: I18n = app.i18n
    with i18n.context(), i18n.use_locale("en"):
        document = build_answers_document(view, i18n, locale="en", made_on=harness.clock().date(), images={}, only=shared)
    text = pdf_text(render_pdf(document))
    assert "Playing with my sister" in text and "Secret worry words" not in text
