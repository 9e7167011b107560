"""A conversation a parent can read back (issue 16 point 4), across a restart.

Scrolling up, a parent sees each question with the answer they gave under it; the note above a
question ("Saved: 15 December 2026") stays; the count of questions only goes up by one; each
list closes with its own words; help and the menu never leave the live question stranded.
"""

from __future__ import annotations

import re
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import TelegramMethod

from cpc_bot.emulator.server import BotApiEmulator
from tests.helpers import BotHarness, buttons

MUM = 7311


class Calls(BaseRequestMiddleware):
    """The Telegram methods the bot calls, by name, in order."""

    def __init__(self) -> None:
        self.names: list[str] = []

    async def __call__(self, make_request: NextRequestMiddlewareType[Any], bot: Bot,
                       method: TelegramMethod[Any]) -> Any:
        if type(method).__name__ != "GetUpdates":  # polling, not a reply
            self.names.append(type(method).__name__)
        return await make_request(bot, method)


def question_number(text: str) -> int:
    found = re.search(r"question (\d+)", text)
    assert found, text
    return int(found.group(1))


async def test_answers_stay_readable_across_a_restart(harness: BotHarness, emulator: BotApiEmulator) -> None:
    mum = emulator.user(MUM, first_name="Dana", language_code="en")
    await mum.say("/start")
    await mum.tap("👪 I am a parent or carer")
    await mum.tap("📝 Prepare your views")
    await mum.tap("Next ➡️")

    # The example fits the question: a conference is a day to come (today is 24 November 2026).
    date_question = emulator.last_message(MUM)
    assert "for example 24/12/2026" in date_question.visible
    await mum.say("15/12/2026")
    kind_question = emulator.last_message(MUM)
    assert kind_question.visible.startswith("Saved: 15 December 2026")
    first_number = question_number(kind_question.visible)

    calls = Calls()
    harness.app.bot.session.middleware(calls)
    await mum.tap("The first conference")
    # The tapped question keeps its words, the note above it, and shows the answer given.
    assert kind_question.visible.startswith("Saved: 15 December 2026")
    assert "Is this the first conference, or a review?" in kind_question.visible
    assert buttons(kind_question) == ["✔ The first conference"]
    # The next question is a new message below it: one call more than editing in place.
    area_question = emulator.last_message(MUM)
    assert area_question.message_id > kind_question.message_id
    assert "Which council's children's services are working with your family?" in area_question.visible
    assert calls.names == ["AnswerCallbackQuery", "EditMessageReplyMarkup", "SendMessage"]
    assert question_number(area_question.visible) == first_number + 1

    # A tap on an answer already given changes nothing and says where to change it.
    await mum.tap("✔ The first conference", message_id=kind_question.message_id)
    assert emulator.callback_answers(MUM)[-1] == (
        "That is the answer you gave. You can change any answer at the end, before you finish.")
    assert emulator.last_message(MUM).message_id == area_question.message_id

    await harness.restart()  # a deploy in the middle: nothing in memory survives
    await mum.tap("Leicester")
    await mum.say("Amira")
    born_number = question_number(emulator.last_message(MUM).visible)
    await mum.say("14/03/2019")
    more = emulator.last_message(MUM)
    assert more.visible.startswith("Saved: 14 March 2019")
    await mum.tap("Add another child")  # opens two more questions: the count still goes up by one
    assert buttons(more) == ["✔ Add another child"] and more.visible.startswith("Saved: 14 March 2019")
    assert question_number(emulator.last_message(MUM).visible) == born_number + 1
    await mum.say("Ben")
    await mum.tap("Skip ➡️")
    skipped = emulator.messages(MUM)[-2]
    assert buttons(skipped) == ["⏭ Skipped"]
    closing = emulator.last_message(MUM)
    assert "✅ That is every child" in buttons(closing)
    await mum.tap("✅ That is every child")
    assert buttons(closing) == ["✅ That is every child"]
    assert "Are there things you think the conference should think about?" in emulator.last_message(MUM).visible


async def test_help_and_the_menu_never_strand_the_question(harness: BotHarness, emulator: BotApiEmulator) -> None:
    mum = emulator.user(MUM, first_name="Dana", language_code="en")
    await mum.say("/start")
    await mum.tap("👪 I am a parent or carer")
    await mum.tap("📝 Prepare your views")
    await mum.tap("Next ➡️")
    await mum.say("/help")
    *_, help_message, question = emulator.messages(MUM)
    assert "What this bot is" in help_message.visible
    assert "When is the conference?" in question.visible and "🏠 Menu" in buttons(question)

    await mum.tap("🏠 Menu")
    menu = emulator.last_message(MUM)
    assert "Who are you?" in menu.visible
    assert "▶️ Carry on: Prepare your views" in buttons(menu)
    await mum.say("15/12/2026")  # not answering any more: the date is not taken as an answer
    assert "When is the conference?" not in emulator.last_message(MUM).visible
    await mum.say("/start")
    await mum.tap("▶️ Carry on: Prepare your views")
    assert "When is the conference?" in emulator.last_message(MUM).visible
