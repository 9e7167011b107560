"""FSM state survives a restart: in SQL by default, in Redis when configured."""

from datetime import UTC, datetime
from pathlib import Path

from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.redis import RedisStorage

from cpc_bot.clock import FrozenClock
from cpc_bot.emulator.server import BotApiEmulator
from cpc_bot.engine.runner import DialogSG
from cpc_bot.store.database import create_engine, create_tables, session_factory
from cpc_bot.store.fsm_storage import SqlStorage
from tests.helpers import BotHarness, make_settings
from tests.servers import REDIS_URL, redis_prefix

KEY = StorageKey(bot_id=1, chat_id=2, user_id=2)


async def test_sql_storage_round_trips_state_and_data(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'fsm.db'}")
    await create_tables(engine)
    storage = SqlStorage(session_factory(engine), FrozenClock(datetime(2026, 11, 24, tzinfo=UTC)))
    await storage.set_state(KEY, DialogSG.active)
    await storage.set_data(KEY, {"dialog": "parent_prepare", "response_id": 3, "prompt_id": 17})
    again = SqlStorage(session_factory(engine), FrozenClock(datetime(2026, 11, 24, tzinfo=UTC)))
    assert await again.get_state(KEY) == DialogSG.active.state
    assert await again.get_data(KEY) == {"dialog": "parent_prepare", "response_id": 3, "prompt_id": 17}
    await again.set_state(KEY, None)
    assert await again.get_state(KEY) is None
    await engine.dispose()


async def test_redis_storage_is_used_when_configured(emulator: BotApiEmulator, tmp_path: Path, clock: FrozenClock) -> None:
    async with redis_prefix("fsm") as prefix:
        settings = make_settings(emulator.base_url, tmp_path, redis_url=REDIS_URL, redis_prefix=prefix,
                                 dialogs_dir=Path(__file__).parents[1] / "dialogs" / "sample_dialogs")
        harness = BotHarness(emulator, settings, clock)
        app = await harness.start()
        assert isinstance(app.storage, RedisStorage)
        user = emulator.user(9001)
        await user.say("/start")
        await user.tap("👪 I am a parent or carer")
        await user.tap("📝 Sample questions")
        await user.tap("Next ➡️")
        await harness.restart()
        # Typed text reaches the questionnaire only if the state survived (it lives in Redis).
        await user.say("Amira")
        assert "When was this child born?" in emulator.last_message(9001).visible
        await harness.running.stop()
