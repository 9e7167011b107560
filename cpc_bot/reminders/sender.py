"""The job APScheduler runs: claim due reminder rows, send them politely, mark them.

Polite means Telegram's limits: about one message a second to one chat and 30 a
second overall, and when Telegram answers 429 the row waits ``retry_after`` and goes
again (aiogram raises TelegramRetryAfter and does not retry for us).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from cpc_bot.clock import Clock
from cpc_bot.reminders.policy import next_allowed
from cpc_bot.reminders.store import DueReminder, Outcome, ReminderStore
from cpc_bot.store.repository import Repository

log = logging.getLogger(__name__)

#: Makes the text (in the current gettext locale) and buttons for one kind of reminder.
ReminderRenderer = Callable[[DueReminder], tuple[str, InlineKeyboardMarkup | None]]

MAX_ATTEMPTS = 5


class RateLimiter:
    """At most ``overall`` messages in any one second, one message per chat every ``per_chat``
    seconds, and a pause for everyone after a 429.

    Telegram counts a message when it receives it: after the bot started the call, before the
    answer came back. So each call holds a slot (:meth:`slot`) from before it starts until its
    answer has come, and the slot is free again one second after that answer (``per_chat``
    seconds for its chat). Two calls that use the same slot therefore reach Telegram more than
    a second apart however long either call took: no safety margin is needed, and none is
    given away. Within a second the slots are handed out as soon as they are asked for
    (Telegram limits how many in a second, not how they are spaced).

    A slot may be taken up to ``ahead`` seconds before it is free, for work that must come
    just before the call (the sender marks its row ``sending``): :meth:`Slot.ready` then waits
    for the moment itself, so that work does not hold the slot any longer.

    Waiting is on timers and on answers, never by polling. Written here rather than taken from
    a package because it needs both limits at once and a pause for everyone after a 429.
    """

    def __init__(self, per_chat: float = 1.0, overall: int = 30) -> None:
        self.per_chat = per_chat
        self.overall = overall
        self._answered: deque[float] = deque()  # when each answer of the last second came, oldest first
        self._in_flight = 0  # slots taken and not given back
        self._chats_in_flight: dict[int, int] = {}
        self._chat_answered: dict[int, float] = {}  # oldest first (an entry is moved to the end when updated)
        self._paused_until = 0.0
        self._waiting_for_answers: set[asyncio.Future[None]] = set()

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    def paused_for(self) -> float:
        """Seconds left of the pause after a 429 (0 when there is none)."""
        return max(0.0, self._paused_until - time.monotonic())

    def _free_at(self, chat_id: int, now: float) -> float | None:
        """When ``chat_id`` may next have a slot; None while that depends on calls under way."""
        answered = self._answered
        while answered and now - answered[0] >= 1.0:
            answered.popleft()
        chats = self._chat_answered
        while chats and now - chats[oldest := next(iter(chats))] >= self.per_chat:
            del chats[oldest]
        at = max(now, self._paused_until)
        if self.per_chat > 0:
            if self._chats_in_flight.get(chat_id):
                return None
            if chat_id in chats:
                at = max(at, chats[chat_id] + self.per_chat)
        used = self._in_flight + len(answered)
        if used >= self.overall:
            oldest_to_expire = used - self.overall  # once it and those before it are a second old, one is free
            if oldest_to_expire >= len(answered):
                return None  # every slot is held by a call under way
            at = max(at, answered[oldest_to_expire] + 1.0)
        return at

    async def _take(self, chat_id: int, ahead: float) -> float:
        loop = asyncio.get_running_loop()
        while True:
            now = time.monotonic()
            at = self._free_at(chat_id, now)
            if at is not None and at - now <= ahead:
                self._in_flight += 1
                self._chats_in_flight[chat_id] = self._chats_in_flight.get(chat_id, 0) + 1
                return at
            woken: asyncio.Future[None] = loop.create_future()
            if at is None:  # an answer coming back may free what this waits for
                self._waiting_for_answers.add(woken)
                timer = None
            else:  # nothing but time can: an answer only adds a later expiry
                timer = loop.call_later(at - now - ahead, _wake, woken)
            try:
                await woken
            finally:
                self._waiting_for_answers.discard(woken)
                if timer is not None:
                    timer.cancel()

    def _give_back(self, chat_id: int) -> None:
        now = time.monotonic()
        self._in_flight -= 1
        left = self._chats_in_flight.pop(chat_id) - 1
        if left:
            self._chats_in_flight[chat_id] = left
        self._answered.append(now)
        self._chat_answered.pop(chat_id, None)
        self._chat_answered[chat_id] = now
        waiting, self._waiting_for_answers = self._waiting_for_answers, set()
        for woken in waiting:
            _wake(woken)

    @contextlib.asynccontextmanager
    async def slot(self, chat_id: int, *, ahead: float = 0.0) -> AsyncIterator[Slot]:
        """Hold a slot for one call to Telegram, given back when the block ends (the answer has
        come, or the call was not made). Await :meth:`Slot.ready` right before the call."""
        at = await self._take(chat_id, ahead)
        try:
            yield Slot(self, at)
        finally:
            self._give_back(chat_id)


@dataclass
class Slot:
    limiter: RateLimiter
    at: float  # monotonic time from which the call may start

    async def ready(self) -> bool:
        """Wait for the slot's moment; False (at once) if a 429 since the slot was taken has
        paused sending past it: the caller should not make the call, and gives its work back."""
        if self.limiter._paused_until > self.at:
            return False
        if (wait := self.at - time.monotonic()) > 0:
            await asyncio.sleep(wait)
        return self.limiter._paused_until <= self.at


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class _Journal:
    """Group commit for one run: what the workers ask of the rows goes to the database in one
    transaction per round (:meth:`ReminderStore.record`) instead of one or two per reminder.

    ``begin`` waits for its commit (the row must be ``sending`` before the call; the answer
    says whether the row is still ours). Outcomes do not wait; :meth:`close` writes the last
    of them before the run ends. A round starts as soon as there is something to write, so
    a row waits at most for the round under way, and under load many rows share a round.
    """

    def __init__(self, store: ReminderStore, clock: Clock, lock: asyncio.Lock) -> None:
        self._store = store
        self._clock = clock
        self._lock = lock
        self._begins: list[tuple[DueReminder, asyncio.Future[bool]]] = []
        self._outcomes: list[Outcome] = []
        self._writer: asyncio.Task[None] | None = None
        self._error: Exception | None = None

    async def begin(self, reminder: DueReminder) -> bool:
        if self._error is not None:
            raise self._error
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._begins.append((reminder, answer))
        self._kick()
        return await answer

    def outcome(self, outcome: Outcome) -> None:
        self._outcomes.append(outcome)
        self._kick()

    def _kick(self) -> None:
        if self._writer is None and self._error is None:
            self._writer = asyncio.create_task(self._write())

    async def _write(self) -> None:
        try:
            while self._begins or self._outcomes:
                begins, self._begins = self._begins, []
                outcomes, self._outcomes = self._outcomes, []
                try:
                    async with self._lock:
                        ours = await self._store.record(begin=[r for r, _ in begins], now=self._clock(),
                                                        outcomes=outcomes)
                except Exception as exc:
                    # Not sent: those rows stay claimed and come back after the lease. Outcomes
                    # are kept for close() to try once more.
                    self._outcomes[:0] = outcomes
                    self._error = exc
                    for _, answer in begins + self._begins:
                        if not answer.done():
                            answer.set_exception(exc)
                    self._begins = []
                    return
                except BaseException:  # cancelled: nobody is left waiting for an answer
                    self._outcomes[:0] = outcomes
                    for _, answer in begins + self._begins:
                        answer.cancel()
                    self._begins = []
                    raise
                for reminder, answer in begins:
                    if not answer.done():
                        answer.set_result(reminder.id in ours)
        finally:
            self._writer = None

    async def close(self) -> None:
        """Write the outcomes not yet written (once more, if a round failed) and raise that
        round's error, if there was one."""
        while (writer := self._writer) is not None:
            try:
                await asyncio.shield(writer)
            except asyncio.CancelledError:
                if not writer.cancelled():
                    raise  # this run was cancelled, not the writer
            except Exception:
                pass  # noted in self._error
        if self._outcomes:
            async with self._lock:
                await self._store.record(outcomes=self._outcomes)
            self._outcomes = []
        if self._error is not None:
            raise self._error


class RevealCb(CallbackData, prefix="rv"):
    """"Show it" under a discreet reminder: which reminder to show."""

    reminder_id: int


def discreet_notice(reminder_id: int) -> tuple[str, InlineKeyboardMarkup]:
    return _("You have a reminder. Open the chat to read it."), InlineKeyboardMarkup(inline_keyboard=[[
        InlineKeyboardButton(text=_("📖 Show it"), callback_data=RevealCb(reminder_id=reminder_id).pack())]])


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
        ahead: float = 0.05,
        claim_for: float = 20.0,
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
        #: How long before its slot a row may be marked ``sending`` (the commit is then not in
        #: the slot's time). A row left ``sending`` by a crash is not sent again, so keep it short.
        self.ahead = ahead
        #: A run stops claiming after this many seconds and ends when what it holds has gone;
        #: the scheduler's next run carries on. A backlog at Telegram's 30/s can take minutes,
        #: and a run that long only made APScheduler warn at every tick that it was still busy.
        self.claim_for = claim_for

    async def run_once(self) -> int:
        """Send every due reminder that may go out now; returns how many were sent.

        Claims a batch at a time, and the next one while the last of the current one is being
        sent, until a claim comes back short (nothing more is due now). ``concurrency`` workers
        send: each waits for a slot from the limiter, then for its row to be ``sending``, then
        for Telegram. The rows' changes are written in shared transactions (:class:`_Journal`);
        the claims and those transactions take turns, so on SQLite they never wait for each
        other's lock."""
        lock = asyncio.Lock()
        journal = _Journal(self.store, self.clock, lock)
        queue: deque[tuple[DueReminder, datetime, tuple[str | None, bool]]] = deque()
        low_water = max(self.concurrency, self.batch // 4)
        more = True  # the last claim was a full batch: there may be more due
        stop_claiming = asyncio.get_running_loop().time() + self.claim_for
        claims = 0  # the first claim is always made
        claiming: asyncio.Task[None] | None = None
        failure: Exception | None = None
        sent = 0

        async def claim() -> None:
            nonlocal more, claiming, failure
            try:
                now = self.clock()
                async with lock:
                    due = await self.store.claim_due(now, limit=self.batch)
                more = len(due) >= self.batch
                if due:
                    settings = await self.repo.reminder_settings({r.user_id for r in due})
                    queue.extend((r, now, settings.get(r.user_id, (None, False))) for r in due)
            except Exception as exc:
                more, failure = False, failure or exc
            finally:
                claiming = None

        async def work() -> None:
            nonlocal sent, claiming, more, failure, claims
            while True:
                if more and claiming is None and len(queue) <= low_water:
                    if claims and asyncio.get_running_loop().time() >= stop_claiming:
                        more = False
                    else:
                        claims += 1
                        claiming = asyncio.create_task(claim())
                if queue:
                    reminder, now, (locale, discreet) = queue.popleft()
                    try:
                        if await self._one(reminder, now, locale, journal, discreet=discreet):
                            sent += 1
                    except Exception as exc:
                        # Raised at the end. No more claims, but the rows already claimed still
                        # go (or fail fast the same way): left claimed, they would wait out the lease.
                        more, failure = False, failure or exc
                elif claiming is not None:
                    await asyncio.shield(claiming)  # a worker that is cancelled must not cancel the claim
                else:
                    return

        workers = [asyncio.create_task(work()) for _ in range(self.concurrency)]
        try:
            await asyncio.gather(*workers)
        finally:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            if claiming is not None:
                claiming.cancel()
                await asyncio.gather(claiming, return_exceptions=True)
            await journal.close()
        if failure is not None:
            raise failure
        return sent

    async def _one(self, reminder: DueReminder, now: datetime, locale: str | None, journal: _Journal, *,
                   discreet: bool = False) -> bool:
        not_after = reminder.params.get("not_after")
        if not_after and now > datetime.fromisoformat(not_after):
            journal.outcome(Outcome(reminder.id, "expired"))
            log.info("reminder.expired id=%s", reminder.id)
            return False
        allowed = next_allowed(now, quiet_start=self.quiet_start, quiet_end=self.quiet_end,
                               working_days_only=reminder.working_days_only)
        if allowed > now:
            journal.outcome(Outcome(reminder.id, "pending", allowed))
            log.info("reminder.deferred id=%s until=%s", reminder.id, allowed.isoformat())
            return False
        return await self._send(reminder, locale, journal, discreet=discreet)

    def render(self, reminder: DueReminder) -> tuple[str, InlineKeyboardMarkup | None] | None:
        """The reminder's words and buttons, in the current gettext language (None: unknown kind)."""
        renderer = self.renderers.get(reminder.kind)
        return renderer(reminder) if renderer is not None else None

    async def _send(self, reminder: DueReminder, locale: str | None, journal: _Journal, *, discreet: bool = False) -> bool:
        renderer = self.renderers.get(reminder.kind)
        if renderer is None:
            log.error("reminder.unknown_kind id=%s kind=%s", reminder.id, reminder.kind)
            journal.outcome(Outcome(reminder.id, "failed"))
            return False
        locale = locale or self.i18n.default_locale
        # The scheduler runs outside any update, so the gettext context is set here.
        with self.i18n.context(), self.i18n.use_locale(locale):
            text, markup = renderer(reminder)
            if discreet:
                # What a lock screen shows must say nothing about child protection: neutral
                # words, and the reminder itself only when they open the chat and tap.
                text, markup = discreet_notice(reminder.id)
        async with self.limiter.slot(reminder.user_id, ahead=self.ahead) as slot:
            if not await journal.begin(reminder):
                log.warning("reminder.lost_claim id=%s", reminder.id)  # held too long; another worker has it
                return False
            if not await slot.ready():
                # Telegram asked for a pause since the slot was taken: not a failure, and not
                # worth keeping the row 'sending' (a crash would leave it unsent) for the wait.
                journal.outcome(Outcome(reminder.id, "pending",
                                        self.clock() + timedelta(seconds=self.limiter.paused_for())))
                log.info("reminder.paused id=%s", reminder.id)
                return False
            try:
                await self.bot.send_message(reminder.user_id, text, reply_markup=markup)
            except TelegramRetryAfter as exc:
                self.limiter.pause(exc.retry_after)
                journal.outcome(Outcome(reminder.id, "pending", self.clock() + timedelta(seconds=exc.retry_after)))
                log.warning("reminder.retry_after id=%s seconds=%s", reminder.id, exc.retry_after)
                return False
            except (TelegramForbiddenError, TelegramBadRequest) as exc:
                # Blocked the bot, or the chat is gone: trying again will not help.
                journal.outcome(Outcome(reminder.id, "failed"))
                log.warning("reminder.failed id=%s error=%s", reminder.id, type(exc).__name__)
                return False
            except (TelegramNetworkError, TelegramServerError) as exc:
                attempt = reminder.attempts + 1  # failures only: waits asked for by Telegram do not count
                if attempt >= MAX_ATTEMPTS:
                    journal.outcome(Outcome(reminder.id, "failed"))
                else:
                    journal.outcome(Outcome(reminder.id, "pending", self.clock() + timedelta(minutes=2 ** attempt),
                                            failed=True))
                log.warning("reminder.retry id=%s attempt=%s error=%s", reminder.id, attempt, type(exc).__name__)
                return False
        journal.outcome(Outcome(reminder.id, "sent", self.clock()))
        log.info("reminder.sent id=%s kind=%s", reminder.id, reminder.kind)
        return True
