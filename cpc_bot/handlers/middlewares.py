"""The language for each update: the user's choice, else their Telegram language."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Message, TelegramObject, Update, User
from aiogram.utils.i18n import I18n, I18nMiddleware
from sqlalchemy.exc import SQLAlchemyError

from cpc_bot.i18n.locale import negotiate_locale
from cpc_bot.store.repository import Repository

log = logging.getLogger(__name__)


class OnceMiddleware(BaseMiddleware):
    """Handle each update once, even when Telegram delivers it again.

    Telegram redelivers after a webhook timeout, or after a restart when the polling
    offset was not confirmed. Handling twice would add a typed answer twice. The claim
    comes first, so a crash mid-update loses that update's reply, never an answer
    already saved (the person carries on with /start).
    """

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        if isinstance(event, Update) and not await self.repo.claim_update(data["bot"].id, event.update_id):
            log.info("update.duplicate update=%s", event.update_id)
            return None
        if isinstance(event, Update) and event.message is not None:
            await self.repo.remember_message(event.message.chat.id, event.message.message_id)
        return await handler(event, data)


class MessageLog(BaseRequestMiddleware):
    """Notes the id of every message the bot sends (ids only), so /delete can remove them."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        # aiogram's session hands back the method's result itself (a Message for the send methods).
        result: Any = await make_request(bot, method)
        if isinstance(result, Message):
            try:
                await self.repo.remember_message(result.chat.id, result.message_id)
            except SQLAlchemyError as exc:  # the message went out; failing to note it must not look like it did not
                log.warning("message_log.failed error=%s", type(exc).__name__)
        return result  # type: ignore[no-any-return]


class UserLocaleMiddleware(I18nMiddleware):
    """Reads the saved choice from the users table; falls back to Telegram's language_code."""

    def __init__(self, i18n: I18n, repo: Repository) -> None:
        super().__init__(i18n)
        self.repo = repo

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user: User | None = data.get("event_from_user")
        if user is None:
            return self.i18n.default_locale
        stored = await self.repo.get_user(user.id)
        if stored is not None and stored.locale in self.i18n.available_locales:
            return stored.locale
        return negotiate_locale(user.language_code, self.i18n.available_locales, self.i18n.default_locale)
