"""A child who finished their booklet comes back to change it or to start again, never to a
second booklet beside the first (issue 16, point 3)."""

from __future__ import annotations

import io
import json
import re
from typing import Any

from PIL import Image
from pypdf import PdfReader
from sqlmodel import select

from cpc_bot.emulator.server import BotApiEmulator, FakeUser
from cpc_bot.store.models import Blob
from tests.helpers import BotHarness, answer_the_rest, buttons

CHILD = 6101
CHANGE, AGAIN = "✏️ Change my answers", "🔄 Start again"


def drawing() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (250, 200, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


def booklet_text(emulator: BotApiEmulator) -> str:
    data = emulator.file(emulator.documents(CHILD)[-1].file_id).data
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


async def my_data(child: FakeUser, emulator: BotApiEmulator) -> dict[str, Any]:
    await child.say("/mydata")
    return json.loads(emulator.file(emulator.documents(CHILD)[-1].file_id).data)


async def pictures(harness: BotHarness) -> int:
    async with harness.app.repo._sessions() as s:
        return len((await s.exec(select(Blob).where(Blob.user_id == CHILD))).all())


async def finish_booklet(emulator: BotApiEmulator) -> FakeUser:
    child = emulator.user(CHILD, first_name="Mo", language_code="en")
    await child.say("/start")
    await child.tap("🧒 I am a child or young person")
    await child.tap("I am under 12")
    await child.tap("📝 Have your say")
    await child.tap("Next ➡️")
    await child.tap("Skip ➡️")  # my name
    await child.send_photo(drawing())
    await child.say("My nan and my dog")
    await child.tap("✅ Done")
    await child.say("Shouting at night")
    await child.tap("✅ Done")
    await answer_the_rest(child, emulator, CHILD)
    assert "To change an answer, send /start and tap ✏️ Change my answers." in emulator.messages(CHILD)[-3].visible
    return child


async def test_a_child_changes_a_finished_booklet(harness: BotHarness, emulator: BotApiEmulator) -> None:
    child = await finish_booklet(emulator)
    booklets = len(emulator.documents(CHILD))
    await harness.restart()
    await child.say("/start")
    start = buttons(emulator.last_message(CHILD))
    assert CHANGE in start and AGAIN in start and not any("Have your say" in label for label in start)
    await child.tap("🧒 I am a child or young person")
    await child.tap("I am under 12")
    menu = buttons(emulator.last_message(CHILD))
    assert CHANGE in menu and AGAIN in menu and "📝 Have your say" not in menu

    await child.tap(CHANGE)
    review = emulator.last_message(CHILD).visible
    assert "Check your answers" in review and "My nan and my dog" in review
    await child.tap("✏️ Good things")
    await child.tap("✏️ Start this one again")
    await child.say("My big sister")
    await child.tap("✅ Done")
    assert "Check your answers" in emulator.last_message(CHILD).visible
    await child.tap("✅ Finish")

    assert len(emulator.documents(CHILD)) == booklets + 1
    text = booklet_text(emulator)
    assert "My big sister" in text and "My nan and my dog" not in text and "Shouting at night" in text
    assert "Nothing is shared unless you choose it." in emulator.last_message(CHILD).visible  # her choice, again
    data = await my_data(child, emulator)
    assert len(data["questionnaires"]) == 1 and data["questionnaires"][0]["status"]["code"] == "finished"


async def test_a_child_starts_again_only_after_saying_yes(harness: BotHarness, emulator: BotApiEmulator) -> None:
    child = await finish_booklet(emulator)
    assert await pictures(harness) == 1
    await harness.restart()
    await child.say("/start")
    await child.tap(AGAIN)
    assert "I will delete your answers to “Have your say”" in emulator.last_message(CHILD).visible
    await child.tap("No, keep my answers")
    assert CHANGE in buttons(emulator.last_message(CHILD))
    data = await my_data(child, emulator)
    assert len(data["questionnaires"]) == 1 and "My nan and my dog" in json.dumps(data, ensure_ascii=False)

    await child.tap(AGAIN)
    await child.tap("Yes, start again")
    assert "I keep your booklet for you." in emulator.last_message(CHILD).visible  # a blank booklet, from the start
    data = await my_data(child, emulator)
    assert len(data["questionnaires"]) == 1
    assert data["questionnaires"][0]["status"]["code"] == "in_progress" and data["questionnaires"][0]["answers"] == []
    dumped = json.dumps(data, ensure_ascii=False)
    assert "My nan and my dog" not in dumped and "Shouting at night" not in dumped
    assert await pictures(harness) == 0  # the drawing went with the old booklet
