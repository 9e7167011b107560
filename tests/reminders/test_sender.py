"""The app's own ReminderSender against an emulator that counts like Telegram.

``StrictEmulator`` notes when each reminder arrives and answers 429 (as Telegram does) to a
second message to one chat within a second or more than ``overall`` in any one second; the
network takes a random few milliseconds each way. What is checked is what people and the
database end up with: how many messages each chat got, when they arrived, the rows' statuses.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from cpc_bot.clock import FrozenClock
from cpc_bot.config import DEMO_TOKEN
from cpc_bot.emulator.limits import ApiError
from cpc_bot.emulator.server import BotApiEmulator
from cpc_bot.reminders.sender import RateLimiter, ReminderSender
from cpc_bot.reminders.store import CLAIM_LEASE
from tests.helpers import BotHarness
from tests.reminders.test_limiter import most_in_one_second

FIRST = 7_000_001
DAY = "2026-11-25"  # the day after the clock fixture's Tuesday


class StrictEmulator(BotApiEmulator):
    """Telegram's flood limits on sendMessage, with a little network delay each way."""

    def __init__(self, token: str, *, overall: int = 1000, per_chat: float = 1.0) -> None:
        super().__init__(token)
        self.overall = overall
        self.per_chat = per_chat
        self.arrived: list[tuple[float, int]] = []  # (monotonic time, chat) of each accepted message
        self.refused: list[float] = []  # when each 429 was given
        self.refuse_next = 0  # a test's "too many requests, retry after 1"
        self._rng = random.Random(3)

    async def api_sendmessage(self, params: Any) -> dict[str, Any]:
        await asyncio.sleep(self._rng.uniform(0, 0.01))
        chat, now = self._chat(params), time.monotonic()
        recent = [at for at, _ in self.arrived if now - at < 1.0]
        to_chat = max((at for at, c in self.arrived if c == chat), default=-math.inf)
        if self.refuse_next or len(recent) >= self.overall or now - to_chat < self.per_chat:
            self.refuse_next = max(0, self.refuse_next - 1)
            self.refused.append(now)
            raise ApiError(429, "Too Many Requests: retry after 1", 1)
        self.arrived.append((now, chat))
        result = await super().api_sendmessage(params)
        await asyncio.sleep(self._rng.uniform(0, 0.01))
        return result


@pytest.fixture
async def emulator() -> AsyncIterator[StrictEmulator]:
    server = StrictEmulator(DEMO_TOKEN)
    await server.start("127.0.0.1", 0)
    yield server
    await server.stop()


def sender_of(harness: BotHarness) -> ReminderSender:
    assert harness.app.reminder_sender is not None
    return harness.app.reminder_sender


async def due_for(harness: BotHarness, clock: FrozenClock, chats: list[int], *, overall: int = 1000) -> ReminderSender:
    """``chats``' reminders due now, and the app's sender with a limiter at ``overall`` a second."""
    await plan(harness, clock, chats)
    sender = sender_of(harness)
    sender.limiter = RateLimiter(per_chat=1.0, overall=overall)
    return sender


async def plan(harness: BotHarness, clock: FrozenClock, chats: list[int]) -> None:
    """One due reminder per entry of ``chats`` (a chat listed twice gets two)."""
    store = harness.app.reminders
    assert store is not None
    for n, chat in enumerate(chats):
        harness.emulator.user(chat)
        await harness.app.repo.ensure_user(chat)
        await store.schedule(chat, f"test:{n}", "parent.day_before", clock() - timedelta(minutes=1),
                             params={"conference_day": DAY})


async def statuses(harness: BotHarness, chats: list[int]) -> list[str]:
    store = harness.app.reminders
    assert store is not None
    return [row.status for chat in sorted(set(chats)) for row in await store.for_user(chat)]


def received(emulator: StrictEmulator, chat: int) -> int:
    return len(emulator.messages(chat))


async def test_reminders_go_at_the_rate_with_no_429_each_once(
        harness: BotHarness, emulator: StrictEmulator, clock: FrozenClock) -> None:
    emulator.overall = 10
    chats = [FIRST + i for i in range(25)] + [FIRST + i for i in range(5)]  # five people get two
    sender = await due_for(harness, clock, chats, overall=10)

    started = time.monotonic()
    assert await sender.run_once() == 30
    elapsed = time.monotonic() - started

    assert emulator.refused == []
    assert all(received(emulator, chat) == chats.count(chat) for chat in set(chats))
    assert await statuses(harness, chats) == ["sent"] * 30
    assert most_in_one_second([at for at, _ in emulator.arrived]) <= 10
    # 30 at 10 a second, the first ten at once: a little over two seconds.
    assert elapsed < 3.5, elapsed
    assert await sender.run_once() == 0  # nothing left, nothing sent again
    assert len(emulator.arrived) == 30


async def test_after_a_429_nothing_goes_during_the_pause_and_every_reminder_arrives_once(
        harness: BotHarness, emulator: StrictEmulator, clock: FrozenClock) -> None:
    chats = [FIRST + i for i in range(40)]
    sender = await due_for(harness, clock, chats)
    emulator.refuse_next = 1

    first_run = await sender.run_once()
    assert len(emulator.refused) == 1
    # Calls already on their way when the 429 was given still arrive (the network takes up
    # to 10 ms); none the bot started after hearing of it, until the second is over.
    after = sorted(round(at - emulator.refused[0], 3) for at, _ in emulator.arrived if at > emulator.refused[0])
    assert not [t for t in after if 0.05 < t < 1.0], after
    # Whatever was not sent is waiting (pending), not left 'sending' (a crash would lose it).
    assert set(await statuses(harness, chats)) <= {"sent", "pending"}
    assert first_run == len(emulator.arrived) < 40  # the refused one, at least, is left

    clock.set(clock() + timedelta(seconds=2))  # past its retry_after (clock is frozen otherwise)
    assert await sender.run_once() == 40 - first_run
    assert all(received(emulator, chat) == 1 for chat in chats)
    assert await statuses(harness, chats) == ["sent"] * 40
    assert len(emulator.refused) == 1


async def test_one_run_sends_every_due_reminder_a_batch_at_a_time(
        harness: BotHarness, emulator: StrictEmulator, clock: FrozenClock) -> None:
    chats = [FIRST + i for i in range(45)]
    sender = await due_for(harness, clock, chats)
    sender.batch, sender.concurrency = 8, 4

    assert await sender.run_once() == 45
    assert all(received(emulator, chat) == 1 for chat in chats)
    assert await statuses(harness, chats) == ["sent"] * 45
    assert emulator.refused == []


async def test_a_run_stops_claiming_after_its_window_and_the_next_run_carries_on(
        harness: BotHarness, emulator: StrictEmulator, clock: FrozenClock) -> None:
    """A long backlog is sent over several scheduler ticks, not in one run that outlives them."""
    chats = [FIRST + i for i in range(30)]
    sender = await due_for(harness, clock, chats)
    sender.batch, sender.concurrency, sender.claim_for = 8, 4, 0.0

    assert await sender.run_once() == 8  # the first claim only
    assert sorted(await statuses(harness, chats)) == ["pending"] * 22 + ["sent"] * 8
    assert await sender.run_once() + await sender.run_once() + await sender.run_once() == 22
    assert all(received(emulator, chat) == 1 for chat in chats)


async def test_a_batch_marked_sending_when_the_process_died_is_never_sent_again(
        harness: BotHarness, emulator: StrictEmulator, clock: FrozenClock) -> None:
    chats = [FIRST + i for i in range(6)]
    await plan(harness, clock, chats)
    store = harness.app.reminders
    assert store is not None
    claimed = await store.claim_due(clock())
    in_flight = [r for r in claimed if r.user_id in chats[:4]]
    # The calls for four of them were about to go when the process was killed.
    assert await store.record(begin=in_flight, now=clock()) == {r.id for r in in_flight}
    await harness.restart()

    assert await sender_of(harness).run_once() == 0  # still the dead worker's, for the lease
    clock.set(clock() + CLAIM_LEASE + timedelta(seconds=1))
    assert await sender_of(harness).run_once() == 2  # the two never started: sent, once
    assert [received(emulator, chat) for chat in chats] == [0, 0, 0, 0, 1, 1]
    assert await statuses(harness, chats) == ["unconfirmed"] * 4 + ["sent"] * 2
    clock.set(clock() + timedelta(hours=2))
    assert await sender_of(harness).run_once() == 0
    assert len(emulator.arrived) == 2


async def test_a_database_failure_mid_run_loses_nothing_and_repeats_nothing(
        harness: BotHarness, emulator: StrictEmulator, clock: FrozenClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    chats = [FIRST + i for i in range(30)]
    sender = await due_for(harness, clock, chats)
    store = harness.app.reminders
    assert store is not None
    record, calls = store.record, 0

    async def failing_once(**kwargs: Any) -> set[int]:
        nonlocal calls
        calls += 1
        if calls == 3:  # one of the shared transactions fails (the database went away a moment)
            raise ConnectionError("database gone")
        return await record(**kwargs)

    monkeypatch.setattr(store, "record", failing_once)
    with pytest.raises(ConnectionError):
        await sender.run_once()
    assert 0 < len(emulator.arrived) < 30
    assert all(received(emulator, chat) <= 1 for chat in chats)

    # The rows it had not started are still claimed: after the lease they go, once each.
    clock.set(clock() + CLAIM_LEASE + timedelta(seconds=1))
    await sender.run_once()
    assert all(received(emulator, chat) == 1 for chat in chats)
    assert await statuses(harness, chats) == ["sent"] * 30
    clock.set(clock() + timedelta(hours=2))
    assert await sender.run_once() == 0
    assert len(emulator.arrived) == 30
