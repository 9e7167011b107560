"""The same bot on PostgreSQL and Redis (the machine's real servers).

Each test has a database and a Redis key prefix of its own (tests/servers.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cpc_bot.clock import FrozenClock
from cpc_bot.emulator.server import BotApiEmulator
from cpc_bot.reminders.store import ReminderStore
from cpc_bot.store.database import create_engine, create_tables, session_factory
from cpc_bot.store.models import User
from tests.helpers import BotHarness, make_settings
from tests.servers import REDIS_URL, fresh_servers

# One process at a time uses the shared servers (pytest -n runs the rest in parallel).
pytestmark = pytest.mark.xdist_group("servers")

SAMPLE = Path(__file__).parents[1] / "dialogs" / "sample_dialogs"


@pytest.fixture
async def servers() -> AsyncIterator[tuple[str, str]]:
    """A database of this test's own with the bot's tables, and a Redis key prefix."""
    async with fresh_servers("pgredis") as (url, prefix):
        engine = create_engine(url)
        await create_tables(engine)
        await engine.dispose()
        yield url, prefix


async def test_dialog_on_postgres_and_redis_survives_a_restart(
        servers: tuple[str, str], emulator: BotApiEmulator, tmp_path: Path, clock: FrozenClock) -> None:
    url, prefix = servers
    settings = make_settings(emulator.base_url, tmp_path, database_url=url, redis_url=REDIS_URL,
                             redis_prefix=prefix, dialogs_dir=SAMPLE)
    harness = BotHarness(emulator, settings, clock)
    await harness.start()
    user = emulator.user(2001)
    await user.say("/start")
    await user.tap("👪 I am a parent or carer")
    await user.tap("📝 Sample questions")
    await user.tap("Next ➡️")
    await user.say("Amira")
    await harness.restart()
    await user.say("14/03/2019")
    await user.tap("✅ That is every child")
    await user.say("We laugh a lot.")
    await user.tap("✅ Done")
    assert "Who are you to the children?" in emulator.last_message(2001).visible
    response = await harness.app.repo.open_response(2001, "sample")
    answers = await harness.app.repo.answers(response.id)
    assert answers["children.0.name"].value == ["Amira"] and answers["children.0.born"].value == "2019-03-14"
    await harness.running.stop()


async def test_two_workers_never_claim_the_same_reminder(servers: tuple[str, str]) -> None:
    now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    engines = [create_engine(servers[0]) for _ in range(2)]
    stores = [ReminderStore(session_factory(e), FrozenClock(now)) for e in engines]
    async with session_factory(engines[0]).begin() as s:
        s.add(User(id=1, created_at=now, updated_at=now))
    for i in range(200):
        await stores[0].schedule(1, f"r:{i}", "k", now - timedelta(minutes=i))
    claimed: list[list[int]] = [[], []]

    async def worker(n: int) -> None:
        while batch := await stores[n].claim_due(now, limit=7):
            claimed[n].extend(r.id for r in batch)
            await asyncio.sleep(0)

    await asyncio.gather(worker(0), worker(1))
    everything = claimed[0] + claimed[1]
    assert len(everything) == 200 and len(set(everything)) == 200  # none lost, none twice
    assert claimed[0] and claimed[1]  # both workers took a share
    for engine in engines:
        await engine.dispose()
