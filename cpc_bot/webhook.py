"""The webhook Telegram calls: a wrong secret gets 401, a body that is not an update gets 400,
and neither leaves a traceback or any of the request in the log (only an event name)."""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookHandler(SimpleRequestHandler):
    """aiogram's handler for one bot, made strict about what it lets in.

    aiogram's own compares the header with ``secrets.compare_digest`` on ``str``, which raises
    (a 500 and a traceback) for a header with non-ASCII characters; and it validates the body
    only once the handler runs, so a malformed update became a 500 whose traceback quoted the
    body (pydantic's ``input_value``): what a person wrote."""

    def __init__(self, dispatcher: Dispatcher, bot: Bot, *, secret_token: str, handle_in_background: bool = False,
                 **data: Any) -> None:
        if not secret_token:
            raise ValueError("the webhook needs a secret token")
        super().__init__(dispatcher, bot, handle_in_background=handle_in_background, secret_token=secret_token, **data)
        self._secret = secret_token.encode()

    def verify_secret(self, telegram_secret_token: str, bot: Bot) -> bool:
        # aiohttp decodes header bytes as UTF-8 with surrogateescape; this gives the bytes back.
        given = telegram_secret_token.encode("utf-8", "surrogateescape")
        return hmac.compare_digest(given, self._secret)

    async def handle(self, request: web.Request) -> web.Response:
        bot = await self.resolve_bot(request)
        if not self.verify_secret(request.headers.get(SECRET_HEADER, ""), bot):
            log.warning("webhook.unauthorized")
            return web.Response(text="Unauthorized", status=401)
        try:
            update = Update.model_validate(await request.json(loads=bot.session.json_loads), context={"bot": bot})
        except (ValueError, RecursionError):  # not UTF-8, not JSON (or nested past reason), not an update
            log.warning("webhook.bad_update")
            return web.Response(text="Bad Request", status=400)
        if self.handle_in_background:
            task = asyncio.create_task(self._feed_in_background(bot, update))
            self._background_feed_update_tasks.add(task)
            task.add_done_callback(self._background_feed_update_tasks.discard)
            return web.json_response({}, dumps=bot.session.json_dumps)
        result = await self.dispatcher.feed_webhook_update(bot, update, **self.data)
        return web.Response(body=self._build_response_writer(bot=bot, result=result))

    __call__ = handle

    async def _feed_in_background(self, bot: Bot, update: Update) -> None:
        try:
            result = await self.dispatcher.feed_webhook_update(bot, update, **self.data)
        except Exception:  # noqa: BLE001 - aiogram has logged it (through the redacting filter)
            return
        if isinstance(result, TelegramMethod):
            await self.dispatcher.silent_call_request(bot=bot, result=result)


def webhook_app(dispatcher: Dispatcher, bot: Bot, *, secret_token: str, path: str,
                handle_in_background: bool = False) -> web.Application:
    """The aiohttp application serving the webhook at ``path`` (start and stop hooks included)."""
    app = web.Application()
    WebhookHandler(dispatcher, bot, secret_token=secret_token,
                   handle_in_background=handle_in_background).register(app, path=path)
    setup_application(app, dispatcher, bot=bot)
    return app
