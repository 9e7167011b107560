"""Only private chats are served: in a group, a supergroup or a channel, what people tell the
bot would be read by everyone there.

:class:`PrivateChatsOnly` is the outermost of our update middlewares (issue 13's order: private
chat, then safety, then limits, then the database). An update from any other chat (a message,
a button, the bot being added) gets one short line in the language of the person who wrote or
added it, then the bot leaves the chat. Nothing about it is saved: it never reaches the
database's unit of work, and the line's message id is not noted (``MessageLog``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot, Router
from aiogram.dispatcher.middlewares.user_context import EVENT_CONTEXT_KEY, EventContext
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Chat, ChatMemberUpdated, TelegramObject, Update, User
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from cpc_bot.i18n.locale import negotiate_locale

log = logging.getLogger(__name__)

#: The bot is no longer in the chat: there is nobody to tell and nothing to leave.
_GONE = (ChatMemberStatus.LEFT, ChatMemberStatus.KICKED)


def refusal() -> str:
    return _("I only talk in private chats, so that what people tell me stays private. "
             "Please send me a message directly. I am leaving this chat now.")


class PrivateChatsOnly(BaseMiddleware):
    def __init__(self, i18n: I18n) -> None:
        self.i18n = i18n

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        context: EventContext | None = data.get(EVENT_CONTEXT_KEY)
        chat = context.chat if context is not None else None
        if not isinstance(event, Update) or chat is None or chat.type == ChatType.PRIVATE:
            return await handler(event, data)
        # The kind of chat only: never which chat, never who.
        log.info("chat.not_private type=%s", chat.type)
        try:
            await self._refuse(data["bot"], event, chat, context.user if context is not None else None)
        except TelegramAPIError as exc:  # left already, or not allowed to write there: nothing more to do
            log.info("chat.not_private_failed error=%s", type(exc).__name__)
        return None

    async def _refuse(self, bot: Bot, update: Update, chat: Chat, user: User | None) -> None:
        change: ChatMemberUpdated | None = update.my_chat_member
        if change is not None and change.new_chat_member.status in _GONE:
            return
        available = self.i18n.available_locales
        locale = negotiate_locale(user.language_code if user else None, available, self.i18n.default_locale)
        with self.i18n.context(), self.i18n.use_locale(locale):
            text = refusal()
        if update.callback_query is not None:
            await update.callback_query.answer()
        await bot.send_message(chat.id, text)
        await bot.leave_chat(chat.id)


async def on_my_chat_member(update: ChatMemberUpdated) -> None:
    """A person blocked or unblocked the bot in their private chat: nothing to do. Registered so
    that Telegram sends ``my_chat_member`` at all (aiogram asks only for the update types some
    handler uses), and with it the news that the bot was added to a group."""


def setup() -> Router:
    router = Router(name=__name__)
    router.my_chat_member.register(on_my_chat_member)
    return router
