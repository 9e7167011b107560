"""Text measured as Telegram measures it, and long texts sent in parts with the buttons on the last."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from hypothesis import given
from hypothesis import strategies as st

from cpc_bot.config import DEMO_TOKEN
from cpc_bot.emulator.limits import visible_length
from cpc_bot.emulator.server import BotApiEmulator
from cpc_bot.handlers.middlewares import EditFallback, FitToTelegram
from cpc_bot.i18n.bidi import RtlMiddleware
from cpc_bot.telegram_text import clip, fair_cap, split_html, telegram_length, utf16_units, visible

CHAT = 77


def test_length_is_utf16_units_of_the_visible_text() -> None:
    assert telegram_length("<b>Hi</b> &amp; 😀") == 7  # "Hi & " is 5, the emoji 2
    assert telegram_length("  <i>x</i>\n") == 1  # Telegram trims the ends
    assert telegram_length("a<b", html=False) == 3
    assert utf16_units("٣²") == 2 and utf16_units("👨‍👩‍👧") == 8


def test_clip_cuts_at_a_word_and_says_so() -> None:
    assert clip("short", 10) == "short"
    assert clip("I like my nan and my dog", 12) == "I like my…"
    assert utf16_units(clip("😀" * 100, 11)) <= 11


def test_fair_cap_keeps_short_answers_whole() -> None:
    assert fair_cap([10, 20], 100) is None
    assert fair_cap([10, 500, 500], 310) == 150  # 10 + 150 + 150
    assert fair_cap([400, 400], 100) == 50


html_piece = st.one_of(
    st.text(alphabet=st.sampled_from("ab 😀\n&<>é٣"), min_size=0, max_size=300).map(
        lambda t: t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")),
    st.builds(lambda tag, inner: f"<{tag}>{inner}</{tag}>", st.sampled_from(["b", "i", "blockquote"]),
              st.text(alphabet=st.sampled_from("xy 😀\n"), max_size=300)),
)


@given(st.lists(html_piece, max_size=30), st.integers(min_value=20, max_value=400))
def test_split_parts_fit_are_valid_and_lose_nothing(pieces: list[str], limit: int) -> None:
    text = "".join(pieces)
    parts = split_html(text, limit)
    for part in parts:
        assert visible_length(part, "HTML") <= limit  # the emulator's own parser: valid HTML, within the limit
    squeeze = str.maketrans("", "", " \n")
    assert "".join(visible(p) for p in parts).translate(squeeze) == visible(text).translate(squeeze)


@pytest.fixture
async def bot(emulator: BotApiEmulator) -> AsyncIterator[Bot]:
    emulator.user(CHAT)
    bot = Bot(DEMO_TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(emulator.base_url)),
              default=DefaultBotProperties(parse_mode="HTML"))
    bot.session.middleware(RtlMiddleware())
    bot.session.middleware(FitToTelegram())
    bot.session.middleware(EditFallback())
    yield bot
    await bot.session.close()


KEYBOARD = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="📤 Send", callback_data="send")]])


async def test_a_long_message_goes_in_parts_with_the_buttons_on_the_last(bot: Bot, emulator: BotApiEmulator) -> None:
    words = "\n\n".join(f"<b>Page {n}</b>\n<blockquote>" + "😢🙂 " * 180 + "</blockquote>" for n in range(5))
    assert len(visible(words)) < 4096 < telegram_length(words)
    await bot.send_message(CHAT, words, reply_markup=KEYBOARD)
    sent = emulator.messages(CHAT)
    assert len(sent) == 2 and emulator.rejected == []
    assert [m.reply_markup for m in sent[:-1]] == [None] and sent[-1].reply_markup["inline_keyboard"][0][0]["text"] == "📤 Send"
    squeeze = str.maketrans("", "", " \n")
    assert "".join(m.visible for m in sent).translate(squeeze) == visible(words).translate(squeeze)

    # An edit that is too long edits the first part in place and sends the rest, buttons last.
    await bot.edit_message_text("<b>Changed</b>\n" + words + words, chat_id=CHAT, message_id=sent[0].message_id, reply_markup=KEYBOARD)
    now = emulator.messages(CHAT)
    assert emulator.rejected == [] and now[0].edits == 1 and now[0].reply_markup is None
    assert len(now) == 2 + 2 and now[-1].reply_markup is not None and now[2].reply_markup is None


async def test_a_long_caption_is_shortened(bot: Bot, emulator: BotApiEmulator) -> None:
    await bot.send_document(CHAT, BufferedInputFile(b"%PDF", "r.pdf"), caption="<b>Shared</b> " + "😀 " * 600)
    [document] = emulator.documents(CHAT)
    assert emulator.rejected == [] and document.visible.startswith("Shared 😀") and document.visible.endswith("…")
