"""Secrets stay out of the logs: a filter for every log handler, and a Bot API session whose
failed downloads do not carry the file's address (it holds the bot token: ``/file/bot<token>/...``)."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncGenerator, Iterable
from typing import Any

from aiogram.client.session.aiohttp import AiohttpSession
from aiohttp import ClientError, ClientResponseError

#: A file's address on the Bot API server, token and all.
_FILE_URL = re.compile(r"/file/bot[^/\s'\"]*/[^\s'\")]+")
#: Anything shaped like a bot token (digits, a colon, 30+ url-safe characters), even one the
#: settings do not know (another bot's, the demo's).
_TOKEN_SHAPE = re.compile(r"(?<![\w-])\d{3,20}:[A-Za-z0-9_-]{30,}")

TOKEN_MARK = "<token>"
SECRET_MARK = "<secret>"


class RedactSecrets(logging.Filter):
    """Removes the bot token and other secrets from a record's message, its arguments and its
    exception text, before any handler writes it. Install it on the handlers (a filter on a
    logger misses what its children log): :func:`install`."""

    def __init__(self, token: str | None, others: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = [(token, TOKEN_MARK)] if token else []
        self._secrets += [(value, SECRET_MARK) for value in others if value]

    def clean(self, text: str) -> str:
        text = _FILE_URL.sub(f"/file/bot{TOKEN_MARK}/<file>", text)
        for value, mark in self._secrets:
            text = text.replace(value, mark)
        return _TOKEN_SHAPE.sub(TOKEN_MARK, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format is logging's own error to report
            message = str(record.msg)
        cleaned = self.clean(message)
        if cleaned != message:
            # The arguments are merged into the message: none of them is kept with the secret.
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            cleaned = self.clean(record.exc_text)
            if cleaned != record.exc_text:
                # Formatters print exc_text; without exc_info none can format the exception again.
                record.exc_text, record.exc_info = cleaned, None
        if record.stack_info:
            record.stack_info = self.clean(record.stack_info)
        return True


def install(token: str | None, others: Iterable[str] = (), logger: logging.Logger | None = None) -> RedactSecrets:
    """Add the filter to every handler of ``logger`` (the root logger by default)."""
    redact = RedactSecrets(token, others)
    for handler in (logger or logging.getLogger()).handlers:
        handler.addFilter(redact)
    return redact


class FileDownloadError(ClientError):
    """A file could not be downloaded. Its message names the HTTP status only, never the address."""


class QuietSession(AiohttpSession):
    """aiogram's session, except that a failed download raises :class:`FileDownloadError`
    without the address: aiohttp's own error prints the URL, and with it the bot token, into
    whatever traceback logs it."""

    async def stream_content(self, url: str, headers: dict[str, Any] | None = None, timeout: int = 30,
                             chunk_size: int = 65536, raise_for_status: bool = True) -> AsyncGenerator[bytes, None]:
        try:
            async for chunk in super().stream_content(url, headers, timeout, chunk_size, raise_for_status):
                yield chunk
        except ClientResponseError as exc:
            raise FileDownloadError(f"file download failed: HTTP {exc.status}") from None
        except ClientError as exc:
            raise FileDownloadError(f"file download failed: {type(exc).__name__}") from None
