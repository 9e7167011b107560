"""Shared fixtures: the emulator, a frozen clock and a running bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cpc_bot.clock import FrozenClock
from cpc_bot.config import DEMO_TOKEN, Settings
from cpc_bot.emulator.server import BotApiEmulator
from tests.helpers import REAL_DIALOGS, BotHarness, make_settings


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


@pytest.fixture
def bot_settings(emulator: BotApiEmulator, tmp_path: Path, dialogs_dir: Path) -> Settings:
    return make_settings(emulator.base_url, tmp_path, dialogs_dir=dialogs_dir)


@pytest.fixture
async def harness(emulator: BotApiEmulator, bot_settings: Settings, clock: FrozenClock) -> AsyncIterator[BotHarness]:
    harness = BotHarness(emulator, bot_settings, clock)
    await harness.start()
    yield harness
    if harness.running is not None:
        await harness.running.stop()
