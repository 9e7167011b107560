"""The same bot on PostgreSQL and Redis (the machine's real servers).

On CI (CI=true) a missing server is a failure, not a skip: .ci/run starts them.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
import redis.asyncio as aioredis
from sqlmodel import SQLModel

from cpc_bot.clock import FrozenClock
from cpc_bot.emulator.server import BotApiEmulator
from cpc_bot.reminders.store import ReminderStore
from cpc_bot.store.database import create_engine, create_tables, session_factory
from cpc_bot.store.models import User
from tests.helpers import BotHarness, make_settings

# One process at a time uses the shared servers (pytest -n runs the rest in parallel).
pytestmark = pytest.mark.xdist_group("servers")

PG_URL = os.environ.get("CPC_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("CPC_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
SAMPLE = Path(__file__).parents[1] / "dialogs" / "sample_dialogs"


async def servers_or_skip() -> None:
    try:
        conn = await asyncpg.connect(PG_URL.replace("+asyncpg", ""), timeout=3)
        await conn.close()
        client = aioredis.from_url(REDIS_URL)
        await client.ping()
        await client.flushdb()
        await client.aclose()
    except (OSError, asyncpg.PostgresError) as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL or Redis is not running ({exc}); .ci/run should have started them")
        pytest.skip(f"PostgreSQL or Redis is not running ({exc})")


@pytest.fixture
async def clean_postgres() -> AsyncIterator[str]:
    await servers_or_skip()
    engine = create_engine(PG_URL)
    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.drop_all)
    await create_tables(engine)
    await engine.dispose()
    yield PG_URL


async def test_dialog_on_postgres_and_redis_survives_a_restart(
        clean_postgres: str, emulator: BotApiEmulator, tmp_path: Path, clock: FrozenClock) -> None:
    settings = make_settings(emulator.base_url, tmp_path, database_url=clean_postgres, redis_url=REDIS_URL,
                             dialogs_dir=SAMPLE)
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
    await user.tap("✅ That is everyone")
    await user.say("We laugh a lot.")
    await user.tap("✅ Done")
    assert "Who are you to the children?" in emulator.last_message(2001).visible
    response = await harness.app.repo.open_response(2001, "sample")
    answers = await harness.app.repo.answers(response.id)
    assert answers["children.0.name"].value == ["Amira"] and answers["children.0.born"].value == "2019-03-14"
    await harness.running.stop()


async def test_two_workers_never_claim_the_same_reminder(clean_postgres: str) -> None:
    now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    engines = [create_engine(clean_postgres) for _ in range(2)]
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
