"""The sender's RateLimiter against what Telegram counts: the moment each message arrives.

Each simulated call waits a random while before it reaches "Telegram" (the database commit,
the network) and a random while for its answer, so a limiter that counted the moment it let a
call go, rather than the whole call, would let two calls sharing a slot arrive less than a
second apart. Real clock: these tests take a few seconds.
"""

from __future__ import annotations

import asyncio
import random
import time

from cpc_bot.reminders.sender import RateLimiter


def most_in_one_second(arrivals: list[float]) -> int:
    """The largest number of arrivals a sliding one-second window (Telegram's count) holds."""
    arrivals = sorted(arrivals)
    most, first = 0, 0
    for last, at in enumerate(arrivals):
        while at - arrivals[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


async def send_all(limiter: RateLimiter, chats: list[int], *, workers: int = 16, seed: int = 7,
                   ahead: float = 0.05) -> list[tuple[float, int]]:
    """Send one message per entry of ``chats`` through ``limiter``; returns (arrival, chat)."""
    rng = random.Random(seed)
    queue = list(chats)
    arrived: list[tuple[float, int]] = []

    async def worker() -> None:
        while queue:
            chat = queue.pop(0)
            async with limiter.slot(chat, ahead=ahead) as slot:
                await asyncio.sleep(rng.uniform(0, 0.03))  # the row marked 'sending'
                assert await slot.ready()
                await asyncio.sleep(rng.uniform(0, 0.02))  # on its way to Telegram
                arrived.append((time.monotonic(), chat))  # Telegram counts it now
                await asyncio.sleep(rng.uniform(0, 0.02))  # the answer on its way back

    await asyncio.gather(*(worker() for _ in range(workers)))
    return arrived


async def test_never_more_than_the_rate_in_any_second_nor_two_to_a_chat_within_a_second() -> None:
    rate = 20
    chats = [100 + i % 30 for i in range(60)]  # 30 people, two messages each
    limiter = RateLimiter(per_chat=1.0, overall=rate)
    started = time.monotonic()
    arrived = await send_all(limiter, chats)
    elapsed = time.monotonic() - started

    assert sorted(chat for _, chat in arrived) == sorted(chats)
    assert most_in_one_second([at for at, _ in arrived]) <= rate
    for chat in set(chats):
        first, second = sorted(at for at, c in arrived if c == chat)
        assert second - first >= 1.0, chat
    # And it does not hold back more than it must: 60 at 20 a second is three windows, the
    # first sent at once, so a little over two seconds (plus each call's own time).
    assert elapsed < 3.5, elapsed


async def test_a_burst_at_a_high_rate_still_fits_every_window() -> None:
    rate = 50
    chats = list(range(1, 161))  # all different people: only the overall limit binds
    arrived = await send_all(RateLimiter(per_chat=1.0, overall=rate), chats, workers=32, seed=11, ahead=0.0)
    assert len(arrived) == 160
    assert most_in_one_second([at for at, _ in arrived]) <= rate


async def test_a_pause_after_a_429_holds_back_every_call_not_yet_started() -> None:
    limiter = RateLimiter(per_chat=0.0, overall=100)
    async with limiter.slot(1, ahead=0.0) as early:  # taken before Telegram asked for the pause
        asked = time.monotonic()
        limiter.pause(0.3)
        assert not await early.ready()  # the caller gives its row back instead of waiting
    async with limiter.slot(2) as later:
        assert await later.ready()
        assert time.monotonic() >= asked + 0.3
    assert limiter.paused_for() == 0.0


async def test_a_second_message_to_a_chat_waits_for_the_first_answer_and_a_second_after() -> None:
    limiter = RateLimiter(per_chat=1.0, overall=100)
    answered: list[float] = []
    started: list[float] = []

    async def send(delay: float) -> None:
        async with limiter.slot(5) as slot:
            assert await slot.ready()
            started.append(time.monotonic())
            await asyncio.sleep(delay)
            answered.append(time.monotonic())

    await asyncio.gather(send(0.2), send(0.0))
    assert len(started) == 2
    assert started[1] >= answered[0] + 1.0
