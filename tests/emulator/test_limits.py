"""The emulator refuses what Telegram refuses, seen through aiogram's real HTTP client."""

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from cpc_bot.config import DEMO_TOKEN
from cpc_bot.emulator.server import BotApiEmulator

CHAT = 42


def client(emulator: BotApiEmulator, token: str = DEMO_TOKEN) -> Bot:
    return Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(emulator.base_url)),
               default=DefaultBotProperties(parse_mode="HTML"))


@pytest.fixture
async def bot(emulator: BotApiEmulator) -> AsyncIterator[Bot]:
    emulator.user(CHAT)
    bot = client(emulator)
    yield bot
    await bot.session.close()


def keyboard(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Go", callback_data=data)]])


async def test_send_edit_delete_round_trip(bot: Bot, emulator: BotApiEmulator) -> None:
    sent = await bot.send_message(CHAT, "<b>Hello</b> &amp; welcome", reply_markup=keyboard("a"))
    assert emulator.last_message(CHAT).visible == "Hello & welcome"
    await bot.edit_message_text("Changed", chat_id=CHAT, message_id=sent.message_id)
    assert emulator.last_message(CHAT).text == "Changed" and emulator.last_message(CHAT).reply_markup is None
    await bot.delete_message(CHAT, sent.message_id)
    assert emulator.messages(CHAT) == []


async def test_length_counts_visible_text_not_tags(bot: Bot) -> None:
    await bot.send_message(CHAT, "<b>" + "x" * 4096 + "</b>")  # 4096 visible characters: fine
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(CHAT, "x" * 4097)
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(CHAT, "<b> </b>")


async def test_length_is_counted_in_utf16_units_as_telegram_does(bot: Bot) -> None:
    """An emoji is one character to Python and two units to Telegram: 2,049 of them are too long."""
    sent = await bot.send_message(CHAT, "<i>" + "😀" * 2048 + "</i>")  # 4,096 units: fine
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(CHAT, "😀" * 2049)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.edit_message_text("😀" * 2049, chat_id=CHAT, message_id=sent.message_id)
    await bot.send_document(CHAT, BufferedInputFile(b"%PDF", "r.pdf"), caption="😀" * 512)
    with pytest.raises(TelegramBadRequest, match="caption is too long"):
        await bot.send_document(CHAT, BufferedInputFile(b"%PDF", "r.pdf"), caption="😀" * 513)


async def test_leave_chat_is_for_groups_and_says_so(bot: Bot, emulator: BotApiEmulator) -> None:
    emulator.group(-100)
    await bot.send_message(-100, "Hello group")
    assert await bot.leave_chat(-100) is True
    assert emulator.left_chats == [-100]
    with pytest.raises(TelegramForbiddenError, match="bot is not a member of the group chat"):
        await bot.send_message(-100, "Still here?")
    with pytest.raises(TelegramBadRequest, match="can't leave private chat"):
        await bot.leave_chat(CHAT)


@pytest.mark.parametrize(("text", "error"), [("<div>hi</div>", "Unsupported start tag"), ("<b>hi", "Can't find end tag"),
                                             ("<b>hi</i>", "Unmatched end tag")])
async def test_bad_html_is_refused(bot: Bot, text: str, error: str) -> None:
    with pytest.raises(TelegramBadRequest, match=error):
        await bot.send_message(CHAT, text)


async def test_callback_data_over_64_bytes_is_refused(bot: Bot) -> None:
    await bot.send_message(CHAT, "ok", reply_markup=keyboard("é" * 32))  # 64 bytes
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "no", reply_markup=keyboard("é" * 33))


async def test_edit_that_changes_nothing_is_refused(bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "Same", reply_markup=keyboard("a"))
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Same", chat_id=CHAT, message_id=sent.message_id, reply_markup=keyboard("a"))
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("Other", chat_id=CHAT, message_id=999)


async def test_caption_limit_and_document_download(bot: Bot, emulator: BotApiEmulator) -> None:
    with pytest.raises(TelegramBadRequest, match="caption is too long"):
        await bot.send_document(CHAT, BufferedInputFile(b"%PDF", "r.pdf"), caption="c" * 1025)
    sent = await bot.send_document(CHAT, BufferedInputFile(b"%PDF-1.4 data", "r.pdf"), caption="Your report")
    assert emulator.file(sent.document.file_id).data == b"%PDF-1.4 data"
    downloaded = await bot.download(sent.document.file_id)
    assert downloaded.read() == b"%PDF-1.4 data"


async def test_unknown_chat_and_wrong_token(bot: Bot, emulator: BotApiEmulator) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(999999, "hi")
    other = client(emulator, "1234567:wrong-token-wrong-token-x")
    with pytest.raises(TelegramUnauthorizedError):
        await other.get_me()
    await other.session.close()


async def test_flood_limit_gives_retry_after(bot: Bot, emulator: BotApiEmulator) -> None:
    emulator.fail_next("sendMessage", retry_after=3)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(CHAT, "hi")
    assert caught.value.retry_after == 3
    await bot.send_message(CHAT, "hi again")  # only the next call failed
    assert emulator.last_message(CHAT).text == "hi again"


async def test_demo_page_talks_to_the_same_chat(emulator: BotApiEmulator) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as http:
        async with http.get(emulator.base_url + "/") as page:
            assert "/demo/chat.js" in await page.text()
        async with http.post(emulator.base_url + "/demo/api/say", json={"text": "/start"}) as said:
            assert said.status == 200
        async with http.get(emulator.base_url + "/demo/api/messages", params={"after": "0", "wait": "0"}) as got:
            shown = await got.json()
    assert [(m["from_bot"], m["text"]) for m in shown["messages"]] == [(False, "/start")]
    assert shown["words"]["subtitle"].startswith("Offline demo")  # English: no bot to ask for the language
