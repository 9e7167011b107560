"""The job APScheduler runs: claim due reminder rows, send them politely, mark them.

Polite means Telegram's limits: about one message a second to one chat and 30 a
second overall, and when Telegram answers 429 the row waits ``retry_after`` and goes
again (aiogram raises TelegramRetryAfter and does not retry for us).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n

from cpc_bot.clock import Clock
from cpc_bot.reminders.policy import next_allowed
from cpc_bot.reminders.store import DueReminder, ReminderStore
from cpc_bot.store.repository import Repository

log = logging.getLogger(__name__)

#: Makes the text (in the current gettext locale) and buttons for one kind of reminder.
ReminderRenderer = Callable[[DueReminder], tuple[str, InlineKeyboardMarkup | None]]

MAX_ATTEMPTS = 5


class RateLimiter:
    """At most ``per_chat`` seconds apart per chat and ``overall`` messages per second in all.

    Written here rather than taken from a package because it needs both limits at once
    and a pause for everyone after a 429; it is a dozen lines on the monotonic clock.
    """

    def __init__(self, per_chat: float = 1.0, overall: int = 30) -> None:
        self.per_chat = per_chat
        self.overall = overall
        self._last: dict[int, float] = {}
        self._window: deque[float] = deque()
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    async def wait(self, chat_id: int) -> None:
        while True:
            now = time.monotonic()
            while self._window and now - self._window[0] >= 1.0:
                self._window.popleft()
            delay = max(
                self._paused_until - now,
                self._last.get(chat_id, -1e9) + self.per_chat - now,
                (self._window[0] + 1.0 - now) if len(self._window) >= self.overall else 0.0,
            )
            if delay <= 0:
                self._last[chat_id] = now
                self._window.append(now)
                return
            await asyncio.sleep(delay)


class ReminderSender:
    def __init__(
        self,
        store: ReminderStore,
        repo: Repository,
        i18n: I18n,
        bot: Bot,
        clock: Clock,
        *,
        renderers: dict[str, ReminderRenderer],
        quiet_start: int,
        quiet_end: int,
        limiter: RateLimiter | None = None,
        concurrency: int = 16,
        batch: int = 200,
    ) -> None:
        self.store = store
        self.repo = repo
        self.i18n = i18n
        self.bot = bot
        self.clock = clock
        self.renderers = renderers
        self.quiet_start = quiet_start
        self.quiet_end = quiet_end
        self.limiter = limiter or RateLimiter()
        self.concurrency = concurrency
        self.batch = batch

    async def run_once(self) -> int:
        """Send every due reminder that may go out now; returns how many were sent.

        Up to ``concurrency`` at a time: each waits on the database twice (claimed ->
        sending -> sent), and one at a time the sender could not reach Telegram's rate."""
        now = self.clock()
        due = await self.store.claim_due(now, limit=self.batch)
        if not due:
            return 0
        locales = await self.repo.locales({r.user_id for r in due})
        gate = asyncio.Semaphore(self.concurrency)

        async def one(reminder: DueReminder) -> bool:
            async with gate:
                return await self._one(reminder, now, locales.get(reminder.user_id))

        return sum(await asyncio.gather(*(one(r) for r in due)))

    async def _one(self, reminder: DueReminder, now: datetime, locale: str | None) -> bool:
        not_after = reminder.params.get("not_after")
        if not_after and now > datetime.fromisoformat(not_after):
            await self.store.finish(reminder.id, "expired")
            log.info("reminder.expired id=%s", reminder.id)
            return False
        allowed = next_allowed(now, quiet_start=self.quiet_start, quiet_end=self.quiet_end,
                               working_days_only=reminder.working_days_only)
        if allowed > now:
            await self.store.release(reminder.id, allowed)
            log.info("reminder.deferred id=%s until=%s", reminder.id, allowed.isoformat())
            return False
        return await self._send(reminder, locale)

    async def _send(self, reminder: DueReminder, locale: str | None) -> bool:
        renderer = self.renderers.get(reminder.kind)
        if renderer is None:
            log.error("reminder.unknown_kind id=%s kind=%s", reminder.id, reminder.kind)
            await self.store.finish(reminder.id, "failed")
            return False
        locale = locale or self.i18n.default_locale
        # The scheduler runs outside any update, so the gettext context is set here.
        with self.i18n.context(), self.i18n.use_locale(locale):
            text, markup = renderer(reminder)
        await self.limiter.wait(reminder.user_id)
        if not await self.store.begin_send(reminder, self.clock()):
            log.warning("reminder.lost_claim id=%s", reminder.id)  # held too long; another worker has it
            return False
        try:
            await self.bot.send_message(reminder.user_id, text, reply_markup=markup)
        except TelegramRetryAfter as exc:
            self.limiter.pause(exc.retry_after)
            await self.store.release(reminder.id, self.clock() + timedelta(seconds=exc.retry_after))
            log.warning("reminder.retry_after id=%s seconds=%s", reminder.id, exc.retry_after)
            return False
        except (TelegramForbiddenError, TelegramBadRequest) as exc:
            # Blocked the bot, or the chat is gone: trying again will not help.
            await self.store.finish(reminder.id, "failed")
            log.warning("reminder.failed id=%s error=%s", reminder.id, type(exc).__name__)
            return False
        except (TelegramNetworkError, TelegramServerError) as exc:
            attempt = reminder.attempts + 1  # failures only: waits asked for by Telegram do not count
            if attempt >= MAX_ATTEMPTS:
                await self.store.finish(reminder.id, "failed")
            else:
                await self.store.release(reminder.id, self.clock() + timedelta(minutes=2 ** attempt), failed=True)
            log.warning("reminder.retry id=%s attempt=%s error=%s", reminder.id, attempt, type(exc).__name__)
            return False
        await self.store.finish(reminder.id, "sent", at=self.clock())
        log.info("reminder.sent id=%s kind=%s", reminder.id, reminder.kind)
        return True
