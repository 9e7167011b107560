"""Around every update: handled once, in the person's language; around every send: ids noted for /delete."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from html import escape
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.default import Default
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import (
    EditMessageCaption,
    EditMessageText,
    Response,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import Message, TelegramObject, Update, User
from aiogram.utils.i18n import I18n, I18nMiddleware
from sqlalchemy.exc import SQLAlchemyError

from cpc_bot.clock import Clock
from cpc_bot.i18n.locale import negotiate_locale
from cpc_bot.store.database import Sessions
from cpc_bot.store.people import People
from cpc_bot.store.repository import Repository
from cpc_bot.telegram_text import CAPTION_LIMIT, ELLIPSIS, MESSAGE_LIMIT, fits, split_html, visible

log = logging.getLogger(__name__)


class OnceMiddleware(BaseMiddleware):
    """Handle each update once, even when Telegram delivers it again, in one unit of work.

    Telegram redelivers after a webhook timeout, or after a restart when the polling
    offset was not confirmed. Handling twice would add a typed answer twice. The claim
    is written in the update's unit of work (``Sessions.unit``), so it is committed with
    the update's first writes, before the first reply goes out (see ``CommitBeforeSend``).

    The unit ends here, inside the FSM middleware's per-chat lock: the next update from the
    same chat starts only after this one's writes are committed. If the handler raises, the
    unit is rolled back before the error handler runs: nothing half-saved.
    """

    def __init__(self, repo: Repository, sessions: Sessions, message_log: MessageLog | None = None) -> None:
        self.repo = repo
        self.sessions = sessions
        #: Notes the person's own message ids for /delete with the bot's (a batch write every few seconds).
        self.message_log = message_log

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        async with self.sessions.unit():
            message = (event.message.chat.id, event.message.message_id) if event.message is not None else None
            if not await self.repo.claim_update(data["bot"].id, event.update_id,
                                                message if self.message_log is None else None):
                log.info("update.duplicate update=%s", event.update_id)
                return None
            if message is not None and self.message_log is not None and event.message.chat.type == "private":  # type: ignore[union-attr]
                self.message_log.note(*message)
            return await handler(event, data)


class CommitBeforeSend(BaseRequestMiddleware):
    """Commit the update's writes before any call to Telegram, so that a reply never gets
    ahead of what it reports ("Saved.") and no connection is held while Telegram answers."""

    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        await self.sessions.commit()
        return await make_request(bot, method)


class EditFallback(BaseRequestMiddleware):
    """A screen that cannot be edited in place is sent as a new message instead.

    Telegram refuses to edit a message that has no text (a report file a forged or stale
    button was attached to), one too old to edit, or one already deleted; the person must
    still see the next screen. "Not modified" (a double tap) is not an error for us.
    """

    NOT_EDITABLE = ("there is no text in the message to edit", "message can't be edited", "message to edit not found")

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        try:
            return await make_request(bot, method)
        except TelegramBadRequest as exc:
            if not isinstance(method, EditMessageText) or method.chat_id is None:
                raise
            if "message is not modified" in exc.message:
                return True  # type: ignore[return-value]
            if not any(reason in exc.message for reason in self.NOT_EDITABLE):
                raise
            log.info("edit.sent_instead chat=%s", method.chat_id)
            return await bot(SendMessage(chat_id=method.chat_id, text=method.text, parse_mode=method.parse_mode,  # type: ignore[return-value]
                                         entities=method.entities, reply_markup=method.reply_markup,
                                         link_preview_options=method.link_preview_options))


class FitToTelegram(BaseRequestMiddleware):
    """Every text the bot sends fits Telegram's limits, measured as Telegram measures them
    (``telegram_text``): a message that is too long goes out in parts with its buttons on the
    last part, and an edit that is too long edits the message to the first part and sends the
    rest; a caption that is too long is shortened. Telegram would refuse them whole, and the
    buttons with them. Screens that show what people wrote are built to fit already; this is
    the net under all the others.

    Installed after ``RtlMiddleware`` (the marks it adds count too) and before ``MessageLog``
    (each part is noted for /delete).
    """

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        if isinstance(method, SendMessage | EditMessageText) and isinstance(method.text, str) and not method.entities:
            html = _is_html(bot, method.parse_mode)
            if not fits(method.text, MESSAGE_LIMIT, html=html):
                return await self._in_parts(make_request, bot, method, _parts(method.text, MESSAGE_LIMIT, html))
        if isinstance(method, SendDocument | SendPhoto | EditMessageCaption) and isinstance(method.caption, str) \
                and not method.caption_entities:
            html = _is_html(bot, method.parse_mode)
            if not fits(method.caption, CAPTION_LIMIT, html=html):
                method = method.model_copy(update={"caption": _parts(method.caption, CAPTION_LIMIT - 1, html)[0] + ELLIPSIS})
        return await make_request(bot, method)

    async def _in_parts(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                        method: SendMessage | EditMessageText, parts: list[str]) -> Any:
        log.info("message.split parts=%s", len(parts))
        if isinstance(method, EditMessageText) and method.chat_id is None:
            return await make_request(bot, method.model_copy(update={"text": parts[0]}))  # type: ignore[arg-type]
        last = len(parts) - 1
        result: Any = None
        for index, part in enumerate(parts):
            markup = method.reply_markup if index == last else None
            if index == 0:
                step: Any = method.model_copy(update={"text": part, "reply_markup": markup})
            else:
                step = SendMessage(chat_id=method.chat_id, text=part, parse_mode=method.parse_mode,  # type: ignore[arg-type]
                                   reply_markup=markup, link_preview_options=method.link_preview_options)
            result = await make_request(bot, step)
        return result


def _is_html(bot: Bot, parse_mode: str | Default | None) -> bool:
    if isinstance(parse_mode, Default):
        parse_mode = bot.default[parse_mode.name]
    return str(parse_mode or "").upper() == "HTML"


def _parts(text: str, limit: int, html: bool) -> list[str]:
    if html:
        return split_html(text, limit) or [text]
    # Plain text: the same cuts, on the text escaped and read back.
    return [visible(part) for part in split_html(escape(text, quote=False), limit)] or [text]


class MessageLog(BaseRequestMiddleware):
    """Notes the id of every message the bot sends (ids only), so /delete can remove them.

    Ids are kept in memory and written in one transaction every few seconds (``flush``, a
    scheduler job; /delete and shutdown flush first): a commit per message sent would cost
    more than the message. A crash loses at most the last seconds' ids, which only means
    those messages stay in the chat after a /delete.
    """

    def __init__(self, repo: Repository, clock: Clock) -> None:
        self.repo = repo
        self.clock = clock
        self._pending: list[tuple[int, int, datetime]] = []

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        # aiogram's session hands back the method's result itself (a Message for the send methods).
        result: Any = await make_request(bot, method)
        # Private chats only: the one line sent to a group the bot then leaves is not kept.
        if isinstance(result, Message) and result.chat.type == "private":
            self._pending.append((result.chat.id, result.message_id, self.clock()))
        return result  # type: ignore[no-any-return]

    def note(self, chat_id: int, message_id: int) -> None:
        """A message the person sent (their side of the chat goes at /delete too)."""
        self._pending.append((chat_id, message_id, self.clock()))

    async def flush(self) -> None:
        pending, self._pending = self._pending, []
        if not pending:
            return
        try:
            await self.repo.remember_messages(pending)
        except SQLAlchemyError as exc:  # keep them for the next try; the messages themselves went out
            self._pending = pending + self._pending
            log.warning("message_log.failed error=%s", type(exc).__name__)


class UserLocaleMiddleware(I18nMiddleware):
    """Reads the saved choice from the users table; falls back to Telegram's language_code."""

    def __init__(self, i18n: I18n, repo: Repository, people: People | None = None) -> None:
        super().__init__(i18n)
        self.repo = repo
        self.people = people

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user: User | None = data.get("event_from_user")
        if user is None:
            return self.i18n.default_locale
        # The person's language is at hand without a read (the safety check keeps role and
        # language in memory, and in Redis with several workers); the database only the first time.
        known = await self.people.get(user.id) if self.people is not None else None
        if known is not None:
            saved = known.locale
        else:
            stored = await self.repo.get_user(user.id)
            saved = stored.locale if stored is not None else None
            if self.people is not None and stored is not None:
                # Keeps the safety check's copy warm after a restart.
                await self.people.remember(user.id, stored.role, stored.locale)
        if saved in self.i18n.available_locales:
            return saved  # type: ignore[return-value]
        return negotiate_locale(user.language_code, self.i18n.available_locales, self.i18n.default_locale)
