"""Reminder delivery: the project's ReminderSender against an emulator that enforces limits.

``LimitedEmulator`` answers like Telegram when a bot sends too fast: more than one message
a second to one chat, or more than ``overall`` messages in any one-second window, gets
``429 Too Many Requests`` with ``parameters.retry_after`` (whole seconds, as Telegram does).

The run: ``count`` due reminders for ``count`` different people (user rows created, so
the per-chat limit never binds), the app's own ReminderSender (from ``build_app``) with its
RateLimiter set to the same overall rate as the emulator, and ``run_once`` called in a loop
until no reminder is left pending. The clock starts on a weekday at 11:00 London time and
moves with real time (a frozen clock would never reach the ``due_at`` a 429 puts a
reminder back to), far from the quiet hours.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from bench.common import (
    COLLECTOR,
    TimedEmulator,
    make_settings,
    postgres_and_redis,
    running_emulator,
    temp_dir,
)
from cpc_bot.app import build_app
from cpc_bot.clock import LONDON, FrozenClock
from cpc_bot.emulator.limits import ApiError
from cpc_bot.reminders.sender import RateLimiter
from cpc_bot.store.models import Reminder, User

#: Tuesday 24 November 2026, 11:00 in London: a working day, hours from the quiet hours.
START = datetime(2026, 11, 24, 11, 0, tzinfo=LONDON)


#: Reminder states that still wait for the sender (claimed: taken by a worker, not yet sent).
UNFINISHED = ("pending", "claimed", "sending")


class TickingClock(FrozenClock):
    """A FrozenClock placed at ``start`` that then moves on with real (monotonic) time."""

    def __init__(self, start: datetime) -> None:
        super().__init__(start)
        self._origin = time.monotonic()

    def __call__(self) -> datetime:
        return self.now + timedelta(seconds=time.monotonic() - self._origin)


class LimitedEmulator(TimedEmulator):
    """The emulator with Telegram's flood limits enforced on sending messages."""

    def __init__(self, *, per_chat: float = 1.0, overall: int = 30, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.per_chat = per_chat
        self.overall = overall
        self._window: deque[float] = deque()
        self._last_to_chat: dict[int, float] = {}
        self.refused_chat = 0
        self.refused_overall = 0
        self.accepted = 0

    @property
    def refused(self) -> int:
        return self.refused_chat + self.refused_overall

    def _enforce(self, chat_id: int) -> None:
        now = time.monotonic()
        while self._window and now - self._window[0] >= 1.0:
            self._window.popleft()
        chat_wait = self._last_to_chat.get(chat_id, -math.inf) + self.per_chat - now
        if chat_wait > 0:
            self.refused_chat += 1
            raise ApiError(429, f"Too Many Requests: retry after {math.ceil(chat_wait)}", math.ceil(chat_wait))
        if len(self._window) >= self.overall:
            wait = max(1, math.ceil(self._window[0] + 1.0 - now))
            self.refused_overall += 1
            raise ApiError(429, f"Too Many Requests: retry after {wait}", wait)
        self._window.append(now)
        self._last_to_chat[chat_id] = now
        self.accepted += 1

    async def api_sendmessage(self, params: Any) -> dict[str, Any]:
        self._enforce(self._chat(params))
        return await super().api_sendmessage(params)

    async def api_senddocument(self, params: Any) -> dict[str, Any]:
        self._enforce(self._chat(params))
        return await super().api_senddocument(params)


@dataclass
class ReminderResult:
    backend: str
    count: int
    rate: int
    seconds: float
    sent_once: int
    missing: int
    doubled: int
    refused_429: int
    retry_after_logged: int
    statuses: dict[str, int]
    timed_out: bool

    @property
    def achieved(self) -> float:
        return self.count / self.seconds if self.seconds else float("nan")

    @property
    def percent_of_rate(self) -> float:
        return 100 * self.achieved / self.rate

    @property
    def all_handled(self) -> bool:
        return (not self.timed_out and self.sent_once == self.count and self.missing == 0 and self.doubled == 0
                and self.statuses.get("sent", 0) == self.count)


async def _seed(engine: Any, clock: FrozenClock, first_user: int, count: int) -> None:
    now = clock()
    users = [{"id": first_user + i, "locale": None, "role": "parent", "created_at": now, "updated_at": now}
             for i in range(count)]
    day = (now.astimezone(LONDON).date() + timedelta(days=1)).isoformat()
    reports_by = (now.astimezone(LONDON).date() - timedelta(days=2)).isoformat()
    reminders = []
    for i in range(count):
        kind = "parent.day_before" if i % 2 else "parent.reports_by"
        params = {"conference_day": day} if i % 2 else {"conference_day": day, "reports_by": reports_by}
        reminders.append({
            "user_id": first_user + i, "ref": f"parent:{i}:{kind}", "kind": kind, "params": json.dumps(params),
            "due_at": now - timedelta(seconds=3600 - i * 3600 / count), "status": "pending",
            "working_days_only": False, "attempts": 0, "created_at": now,
        })
    async with engine.begin() as conn:
        for start in range(0, count, 2000):
            await conn.execute(insert(User), users[start:start + 2000])
            await conn.execute(insert(Reminder), reminders[start:start + 2000])


async def _statuses(engine: Any) -> dict[str, int]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(Reminder.status, func.count()).group_by(Reminder.status))).all()
    return {status: n for status, n in rows}


async def run_reminders(count: int = 10_000, rate: int = 300, backend: str = "sqlite") -> ReminderResult:
    first_user = 900_001
    with temp_dir() as folder:
        emulator = LimitedEmulator(per_chat=1.0, overall=rate)
        async with (running_emulator(emulator),
                    postgres_and_redis() if backend == "pg" else contextlib.nullcontext({}) as overrides):
            settings = make_settings(emulator.base_url, folder, **overrides)
            clock = TickingClock(START)
            app = build_app(settings, clock)
            try:
                await app.prepare()
                sender = app.reminder_sender
                assert sender is not None
                sender.limiter = RateLimiter(per_chat=1.0, overall=rate)
                for i in range(count):
                    emulator.user(first_user + i, first_name="Sam", language_code="en")
                await _seed(app.engine, clock, first_user, count)
                logged_before = COLLECTOR.matching("reminder.retry_after")
                deadline = time.monotonic() + max(900.0, 10 * count / rate)
                timed_out = False
                started = time.perf_counter()
                while True:
                    if await sender.run_once() == 0:
                        statuses = await _statuses(app.engine)
                        if not any(statuses.get(s) for s in UNFINISHED):
                            break
                        await asyncio.sleep(0.05)
                    if time.monotonic() > deadline:
                        timed_out = True
                        break
                seconds = time.perf_counter() - started
                statuses = await _statuses(app.engine)
            finally:
                await app.close()
            per_chat = [len(emulator.messages(first_user + i)) for i in range(count)]
            return ReminderResult(
                "SQLite" if backend == "sqlite" else "PostgreSQL + Redis", count, rate, seconds,
                sent_once=sum(1 for n in per_chat if n == 1), missing=sum(1 for n in per_chat if n == 0),
                doubled=sum(1 for n in per_chat if n > 1), refused_429=emulator.refused,
                retry_after_logged=COLLECTOR.matching("reminder.retry_after") - logged_before,
                statuses=statuses, timed_out=timed_out,
            )
