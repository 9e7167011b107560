"""The safety layer on Telegram: every text, caption and edit is checked first, and 🆘 is one tap away.

Order for each update (issue 13): private chat, then safety, then limits, then the database.
:class:`SafetyMiddleware` comes right after the private-chat check (``private_chats``), the
outermost update middleware: it runs before the update is
claimed in the database, before any handler's early return (too long, wrong kind of message),
in every state, and it never stops the update: the help goes first, then the message is
handled as usual (an answer is still saved, the question carries on).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot, F, Router
from aiogram.types import CallbackQuery, Message, TelegramObject, Update
from aiogram.utils.i18n import I18n

from cpc_bot.engine.screens import SOS_DATA
from cpc_bot.i18n.locale import negotiate_locale
from cpc_bot.safety.help import SOS_KINDS, help_text
from cpc_bot.safety.net import SafetyNet
from cpc_bot.store.people import People

log = logging.getLogger(__name__)

#: Help for a kind is shown once in this long (one conversation), not on every message of an answer.
CONVERSATION_SECONDS = 6 * 3600
_SHOWN_LIMIT = 100_000


class ShownHelp:
    """Which kinds of help each person was shown lately. In this process's memory only: which
    person needed which help is the most sensitive thing the bot could keep, so it is never
    written anywhere. With several workers a person may, rarely, see the same help twice."""

    def __init__(self, seconds: float = CONVERSATION_SECONDS) -> None:
        self.seconds = seconds
        self._shown: OrderedDict[int, dict[str, float]] = OrderedDict()

    def new_kinds(self, user_id: int, kinds: frozenset[str], now: float | None = None) -> set[str]:
        """The kinds not shown to ``user_id`` within a conversation; marks them shown."""
        now = time.monotonic() if now is None else now
        shown = {k: t for k, t in self._shown.get(user_id, {}).items() if now - t < self.seconds}
        new = {kind for kind in kinds if kind not in shown}
        shown.update({kind: now for kind in new})
        self._shown[user_id] = shown
        self._shown.move_to_end(user_id)
        if len(self._shown) > _SHOWN_LIMIT:
            self._shown.popitem(last=False)
        return new

    def forget(self, user_id: int) -> None:
        self._shown.pop(user_id, None)


class SafetyMiddleware(BaseMiddleware):
    def __init__(self, net: SafetyNet, people: People, i18n: I18n, shown: ShownHelp | None = None) -> None:
        self.net = net
        self.people = people
        self.i18n = i18n
        self.shown = shown or ShownHelp()

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        if isinstance(event, Update):
            message = event.message or event.edited_message
            if message is not None and message.chat.type == "private" and message.from_user is not None:
                text = message.text or message.caption
                if text:
                    try:
                        await self._check(data["bot"], message, text)
                    except Exception as exc:  # the help must never stop the message being handled
                        log.error("safety.failed error=%s", type(exc).__name__)
        return await handler(event, data)

    async def who_and_locale(self, user_id: int, language_code: str | None) -> tuple[str, str]:
        person = await self.people.get(user_id)
        who = person.role if person is not None and person.role in ("child", "parent", "professional") else "unknown"
        available = self.i18n.available_locales
        locale = person.locale if person is not None and person.locale in available else None
        return who, locale or negotiate_locale(language_code, available, self.i18n.default_locale)

    async def _check(self, bot: Bot, message: Message, text: str) -> None:
        assert message.from_user is not None
        who, locale = await self.who_and_locale(message.from_user.id, message.from_user.language_code)
        finding = self.net.check(text, who, locale)
        if not finding:
            return
        new = self.shown.new_kinds(message.from_user.id, finding.kinds)
        if not new:
            return
        # The kind only: never who, never what they wrote.
        log.warning("safety.help kind=%s", ",".join(sorted(new)))
        # Also in the language they wrote in, when it is another of ours.
        written = finding.language
        also = [written] if written and written != locale and written in self.i18n.available_locales else []
        for language in [locale, *also]:
            with self.i18n.context(), self.i18n.use_locale(language):
                await bot.send_message(message.chat.id, help_text(new, who))


async def on_sos(query: CallbackQuery, safety: SafetyMiddleware) -> None:
    # The event only: never who pressed it.
    log.warning("safety.sos_button")
    await query.answer()
    if query.message is None:
        return
    who, _locale = await safety.who_and_locale(query.from_user.id, query.from_user.language_code)
    await query.message.answer(help_text(set(SOS_KINDS[who]), who))  # type: ignore[union-attr]


async def on_edited(message: Message) -> None:
    """An edited message was checked on its way in (the middleware); nothing else changes: the
    answer saved from the first version stays as it was."""


def setup() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(on_sos, F.data == SOS_DATA)
    # Registered so that Telegram sends edits at all (aiogram asks only for the update types
    # some handler uses), and so the safety check sees them.
    router.edited_message.register(on_edited)
    return router
