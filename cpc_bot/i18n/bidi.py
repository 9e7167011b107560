"""Right-to-left messages that stay right to left in every Telegram app.

Telegram apps choose each paragraph's direction from its first strong letter. An Urdu
or Arabic line that starts with a child's name in Latin letters, a date or an emoji would
be laid out left to right, with the words in the wrong order around the name. A RIGHT-TO-LEFT
MARK at the start of each line of a mostly-RTL message fixes the paragraph direction; names
and numbers inside the line then sit where a reader expects (the Unicode bidi algorithm).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageCaption,
    EditMessageText,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import Response, TelegramType
from aiogram.types import InlineKeyboardMarkup

RLM = "\u200f"
_TAG = re.compile(r"<[^>]*>")


def mostly_rtl(text: str) -> bool:
    """More right-to-left letters than left-to-right ones, markup aside."""
    rtl = ltr = 0
    for char in _TAG.sub("", text):
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            rtl += 1
        elif kind == "L":
            ltr += 1
    return rtl > ltr


LRM = "\u200e"
#: A command ("/start") in a right-to-left line: its slash would be drawn after the word ("start/").
_COMMAND = re.compile(r"(?<![\w/<\"\u200e])/(?=[A-Za-z])")


def mark_rtl(text: str) -> str:
    """Each non-empty line of a mostly-RTL text starts with a RIGHT-TO-LEFT MARK, and each /command
    in it is kept left to right by a LEFT-TO-RIGHT MARK before its slash; other texts unchanged."""
    if not text or not mostly_rtl(text):
        return text
    text = _COMMAND.sub(LRM + "/", text)
    return "\n".join(line if not line.strip() or line.startswith(RLM) else RLM + line for line in text.split("\n"))


def _mark_keyboard(markup: Any) -> None:
    if isinstance(markup, InlineKeyboardMarkup):
        for row in markup.inline_keyboard:
            for button in row:
                button.text = mark_rtl(button.text)


class RtlMiddleware(BaseRequestMiddleware):
    """Marks outgoing texts, captions, toasts and buttons; everything else passes untouched."""

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot, method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if isinstance(method, SendMessage | EditMessageText | AnswerCallbackQuery) and isinstance(method.text, str):
            method.text = mark_rtl(method.text)
        if isinstance(method, SendDocument | SendPhoto | EditMessageCaption) and isinstance(method.caption, str):
            method.caption = mark_rtl(method.caption)
        _mark_keyboard(getattr(method, "reply_markup", None))
        return await make_request(bot, method)
