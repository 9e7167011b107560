"""Shared fixtures: the emulator, a frozen clock and a running bot."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from cpc_bot.clock import FrozenClock
from cpc_bot.config import DEMO_TOKEN, Settings
from cpc_bot.emulator.server import BotApiEmulator
from tests.helpers import REAL_DIALOGS, BotHarness, make_settings
from tests.servers import REDIS_URL, fresh_servers

#: On CI the property and fuzz tests replay the same examples every run (a red run must be
#: reproducible, not a new random draw); run locally they draw new examples each time.
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI") == "true":
    hypothesis_settings.load_profile("ci")


@pytest.fixture
def dialogs_dir() -> Path:
    """The questionnaires the bot loads; engine tests swap in a sample set."""
    return REAL_DIALOGS


@pytest.fixture
def clock() -> FrozenClock:
    # A Tuesday evening in November, when a worried parent might sit down with the bot.
    return FrozenClock(datetime(2026, 11, 24, 20, 30, tzinfo=UTC))


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    server = BotApiEmulator(DEMO_TOKEN)
    await server.start("127.0.0.1", 0)
    yield server
    await server.stop()


#: ``CPC_TEST_BACKEND=postgres`` runs the bot tests on the machine's PostgreSQL and Redis
#: instead of SQLite (make test does both): each test gets its own database and key prefix.
BACKEND = os.environ.get("CPC_TEST_BACKEND", "sqlite")


@pytest.fixture
async def bot_settings(emulator: BotApiEmulator, tmp_path: Path, dialogs_dir: Path) -> AsyncIterator[Settings]:
    if BACKEND != "postgres":
        yield make_settings(emulator.base_url, tmp_path, dialogs_dir=dialogs_dir)
        return
    async with fresh_servers("t") as (database_url, prefix):
        yield make_settings(emulator.base_url, tmp_path, dialogs_dir=dialogs_dir, database_url=database_url,
                            redis_url=REDIS_URL, redis_prefix=prefix)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if BACKEND == "postgres":
        skip = pytest.mark.skip(reason="reads the SQLite file itself")
        for item in items:
            if "sqlite_only" in item.keywords:
                item.add_marker(skip)


@pytest.fixture
async def harness(emulator: BotApiEmulator, bot_settings: Settings, clock: FrozenClock) -> AsyncIterator[BotHarness]:
    harness = BotHarness(emulator, bot_settings, clock)
    await harness.start()
    yield harness
    if harness.running is not None:
        await harness.running.stop()
