"""Who each person is and their language, at hand for the safety check without a database read."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from cpc_bot.handlers.safety import ShownHelp
from cpc_bot.store.people import People, Person
from tests.servers import REDIS_URL, redis_prefix


async def test_in_memory_one_worker() -> None:
    people = People()
    assert await people.get(1) is None
    await people.remember(1, "child", "ur")
    assert await people.get(1) == Person("child", "ur")
    await people.forget(1)
    assert await people.get(1) is None


@pytest.mark.xdist_group("servers")
async def test_another_worker_knows_through_redis() -> None:
    async with redis_prefix("people") as prefix:
        first = aioredis.from_url(REDIS_URL)
        second = aioredis.from_url(REDIS_URL)
        try:
            here, there = People(first, prefix), People(second, prefix)
            await here.remember(7, "parent", "pl")
            assert await there.get(7) == Person("parent", "pl")
            keys = [key async for key in first.scan_iter(match=f"{prefix}:*")]
            assert keys == [f"{prefix}:person:7".encode()]  # the role and language only
            assert await first.get(keys[0]) == b"parent|pl"
            await here.forget(7)
            assert await People(second, prefix).get(7) is None
        finally:
            await first.aclose()
            await second.aclose()


def test_help_is_shown_once_per_kind_in_a_conversation() -> None:
    shown = ShownHelp(seconds=3600)
    assert shown.new_kinds(1, frozenset({"domestic_abuse"}), now=0) == {"domestic_abuse"}
    assert shown.new_kinds(1, frozenset({"domestic_abuse"}), now=60) == set()
    assert shown.new_kinds(1, frozenset({"domestic_abuse", "suicide"}), now=120) == {"suicide"}
    assert shown.new_kinds(2, frozenset({"domestic_abuse"}), now=120) == {"domestic_abuse"}  # another person
    assert shown.new_kinds(1, frozenset({"domestic_abuse"}), now=3700) == {"domestic_abuse"}  # a new conversation
