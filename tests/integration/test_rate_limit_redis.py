"""The per-person limit with several workers: two bot processes on one Redis share each person's
bucket, so sending half the flood to each worker does not double what gets through."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiogram.types import Update

from cpc_bot.app import BotApp, build_app
from cpc_bot.clock import FrozenClock
from cpc_bot.emulator.server import BotApiEmulator
from cpc_bot.handlers.rate_limit import Decision, RateLimitMiddleware, RedisBuckets
from tests.helpers import make_settings
from tests.servers import REDIS_URL, fresh_servers

pytestmark = pytest.mark.xdist_group("servers")

TOO_FAST = "You are going too fast for me, so I did not save that. Please wait a moment, then send it again."
_ids = itertools.count(1)


@pytest.fixture
async def two_apps(emulator: BotApiEmulator, tmp_path: Path, clock: FrozenClock) -> AsyncIterator[tuple[BotApp, BotApp]]:
    """Two bot processes' apps on one database and one Redis, a limit of 3 at once then one a second."""
    async with fresh_servers("rate") as (url, prefix):
        settings = make_settings(emulator.base_url, tmp_path, database_url=url, redis_url=REDIS_URL,
                                 redis_prefix=prefix, rate_burst=3, rate_per_second=1.0)
        first, second = build_app(settings, clock), build_app(settings, clock)
        try:
            await first.prepare()
            await second.prepare()
            yield first, second
        finally:
            await first.close()
            await second.close()


def message(user_id: int, text: str) -> Update:
    return Update.model_validate({"update_id": next(_ids), "message": {
        "message_id": next(_ids), "date": 1_800_000_000, "text": text,
        "from": {"id": user_id, "is_bot": False, "first_name": "Sam", "language_code": "en"},
        "chat": {"id": user_id, "type": "private", "first_name": "Sam"}}})


def limit_of(app: BotApp) -> RateLimitMiddleware:
    return next(m for m in app.dispatcher.update.outer_middleware if isinstance(m, RateLimitMiddleware))


async def test_two_workers_share_one_bucket_per_person(two_apps: tuple[BotApp, BotApp], emulator: BotApiEmulator,
                                                       clock: FrozenClock) -> None:
    first, second = two_apps
    assert isinstance(limit_of(first).buckets, RedisBuckets)
    emulator.user(2101)
    workers: list[Any] = [first, second, first, second, first, second]  # the proxy takes turns
    for app in workers:
        await app.dispatcher.feed_update(app.bot, message(2101, "/help"))
    shown = [m.visible for m in emulator.messages(2101)]
    assert shown.count(TOO_FAST) == 1  # told once, by whichever worker dropped first
    assert shown.index(TOO_FAST) == 3  # three got through (one help message each), then the limit
    # A second later either worker lets the next one through.
    clock.advance(seconds=1)
    await second.dispatcher.feed_update(second.bot, message(2101, "/help"))
    assert emulator.last_message(2101).visible != TOO_FAST
    assert len(emulator.messages(2101)) == len(shown) + 1


async def test_a_flood_at_both_workers_at_once_spends_each_token_once(two_apps: tuple[BotApp, BotApp],
                                                                      clock: FrozenClock) -> None:
    first, second = (limit_of(app).buckets for app in two_apps)
    now = clock().timestamp()
    decisions = await asyncio.gather(*(bucket.take(2102, now) for _ in range(20) for bucket in (first, second)))
    assert decisions.count(Decision.ALLOWED) == 3
    assert decisions.count(Decision.TELL) == 1
    assert decisions.count(Decision.QUIET) == 36
