"""Pieces every benchmark shares: a timing emulator, an update tracker, settings, servers.

Nothing here changes the bot. The emulator subclass only records *when* things happen;
the tracker wraps one dispatcher instance's ``feed_update`` so a simulated person knows
when the bot has finished with their update (the same way for our bot and the echo bot).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import re
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from cpc_bot.clock import FrozenClock
from cpc_bot.config import DEMO_TOKEN, PROJECT_ROOT, Settings, load_settings
from cpc_bot.emulator.server import BotApiEmulator
from cpc_bot.store.crypto import new_key

#: Our own PostgreSQL database and Redis db: the tests use ``test`` and Redis 14/15.
PG_ADMIN_DSN = os.environ.get("CPC_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DB = os.environ.get("CPC_BENCH_PG_DB", "cpc_bench")
PG_URL = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{PG_DB}"
REDIS_URL = os.environ.get("CPC_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")

#: A Tuesday evening in November (as in the tests): no reminder falls due during a dialog run.
DIALOG_MOMENT = datetime(2026, 11, 24, 20, 30, tzinfo=UTC)


class LogCollector(logging.Handler):
    """Counts WARNING+ records by kind (digits folded), so a run prints a summary, not tracebacks."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: dict[str, int] = {}
        self.total = 0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001
            message = str(record.msg)
        key = f"{record.levelname} {record.name}: {re.sub(r'[0-9]+', '#', message)[:160]}"
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            cause = exc.__cause__ or exc
            key += f" [{type(cause).__name__}: {str(cause).splitlines()[0][:120] if str(cause) else ''}]"
        self.counts[key] = self.counts.get(key, 0) + 1
        self.total += 1

    def matching(self, text: str) -> int:
        return sum(n for key, n in self.counts.items() if text in key)


COLLECTOR = LogCollector()


def quiet_logging(verbose: bool = False) -> LogCollector:
    """WARNING and above only (the bot logs every answer at INFO). Warnings and errors are
    counted for the summary under the table; ``verbose`` also prints them as they happen."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s", force=True)
    root = logging.getLogger()
    if not verbose:
        for handler in list(root.handlers):
            root.removeHandler(handler)
    if COLLECTOR not in root.handlers:
        root.addHandler(COLLECTOR)
    for name in ("aiogram", "aiogram.event", "aiogram.dispatcher", "apscheduler", "sqlalchemy", "cpc_bot"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return COLLECTOR


def percentile(values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@contextlib.contextmanager
def temp_dir(prefix: str = "cpc-bench-") -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def make_settings(base_url: str, folder: Path, **overrides: Any) -> Settings:
    """Settings like the tests' (tests/helpers.py), without importing the tests."""
    values: dict[str, Any] = {
        "bot_token": SecretStr(DEMO_TOKEN),
        "telegram_api_base": base_url,
        "database_url": f"sqlite+aiosqlite:///{folder / 'bot.db'}",
        "encryption_keys": SecretStr(new_key()),
        "dialogs_dir": PROJECT_ROOT / "dialogs",
        "log_level": "WARNING",
        # The simulated people step as fast as the bot answers (a closed loop), far above what the
        # per-person limit lets one person do; bench/flood.py measures with it on and off.
        "rate_burst": 0,
    }
    values.update(overrides)
    return load_settings(**values)


def dialog_clock() -> FrozenClock:
    return FrozenClock(DIALOG_MOMENT)


class TimedEmulator(BotApiEmulator):
    """The project's emulator, plus: when each update was queued, when each chat last got a reply."""

    def __init__(self, token: str = DEMO_TOKEN, **kwargs: Any) -> None:
        super().__init__(token, **kwargs)
        self.pushed: dict[int, float] = {}
        self.last_reply: dict[int, float] = {}
        self.bot_calls = 0

    async def _push_update(self, payload: dict[str, Any]) -> int:
        queued = time.perf_counter()
        update_id = await super()._push_update(payload)
        self.pushed[update_id] = queued
        return update_id

    def _replied(self, chat_id: int) -> None:
        self.bot_calls += 1
        self.last_reply[chat_id] = time.perf_counter()

    async def api_sendmessage(self, params: Any) -> dict[str, Any]:
        result = await super().api_sendmessage(params)
        self._replied(params.int("chat_id"))
        return result

    async def api_editmessagetext(self, params: Any) -> dict[str, Any]:
        result = await super().api_editmessagetext(params)
        self._replied(params.int("chat_id"))
        return result

    async def api_editmessagereplymarkup(self, params: Any) -> dict[str, Any]:
        result = await super().api_editmessagereplymarkup(params)
        self._replied(params.int("chat_id"))
        return result

    async def api_deletemessage(self, params: Any) -> bool:
        result = await super().api_deletemessage(params)
        self._replied(params.int("chat_id"))
        return result

    async def api_senddocument(self, params: Any) -> dict[str, Any]:
        result = await super().api_senddocument(params)
        self._replied(params.int("chat_id"))
        return result

    async def api_answercallbackquery(self, params: Any) -> bool:
        query = self._callbacks.get(str(params.get("callback_query_id")))
        result = await super().api_answercallbackquery(params)
        if query is not None:
            self._replied(query["chat_id"])
        return result


class UpdateTracker:
    """Knows when the dispatcher has finished each update (wraps one instance's feed_update)."""

    def __init__(self) -> None:
        self._done: dict[int, asyncio.Future[float]] = {}
        self.errors = 0

    def _future(self, update_id: int) -> asyncio.Future[float]:
        future = self._done.get(update_id)
        if future is None:
            future = self._done[update_id] = asyncio.get_running_loop().create_future()
        return future

    def attach(self, dispatcher: Any) -> None:
        original = dispatcher.feed_update

        async def feed_update(bot: Any, update: Any, **kwargs: Any) -> Any:
            try:
                return await original(bot, update, **kwargs)
            except BaseException:
                self.errors += 1
                raise
            finally:
                future = self._future(update.update_id)
                if not future.done():
                    future.set_result(time.perf_counter())

        dispatcher.feed_update = feed_update  # instance attribute: polling calls self.feed_update

    async def wait(self, update_id: int, timeout: float = 30.0) -> float:
        future = self._future(update_id)
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self._done.pop(update_id, None)


@dataclass
class StepTimer:
    """Measures one simulated person's steps: queued at the emulator -> last bot reply of that update."""

    emulator: TimedEmulator
    tracker: UpdateTracker
    latencies: list[float] = field(default_factory=list)
    silent: int = 0  # updates that got no reply at all (measured to "handled" instead)

    async def measure(self, chat_id: int, update_id: int) -> float:
        done = await self.tracker.wait(update_id)
        queued = self.emulator.pushed.pop(update_id)
        reply = self.emulator.last_reply.get(chat_id)
        if reply is None or reply < queued:
            self.silent += 1
            reply = done
        latency = reply - queued
        self.latencies.append(latency)
        return latency


# ------------------------------------------------------------------ servers
async def fresh_pg_database() -> None:
    """(Re)create the benchmark's own database, empty."""
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{PG_DB}"')
    finally:
        await conn.close()


async def drop_pg_database() -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
    finally:
        await conn.close()


async def flush_redis() -> None:
    import redis.asyncio as aioredis

    client = aioredis.from_url(REDIS_URL)
    try:
        await client.flushdb()
    finally:
        await client.aclose()


async def servers_available() -> str | None:
    """None when PostgreSQL and Redis answer, else why not."""
    try:
        import asyncpg

        conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
        await conn.close()
        import redis.asyncio as aioredis

        client = aioredis.from_url(REDIS_URL)
        try:
            await client.ping()
        finally:
            await client.aclose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not available"
        return f"{type(exc).__name__}: {exc}"
    return None


@contextlib.asynccontextmanager
async def postgres_and_redis() -> AsyncIterator[dict[str, str]]:
    """Settings overrides for PG + Redis, on an empty database and Redis db; cleaned afterwards."""
    await fresh_pg_database()
    await flush_redis()
    try:
        yield {"database_url": PG_URL, "redis_url": REDIS_URL}
    finally:
        with contextlib.suppress(Exception):
            await flush_redis()
        with contextlib.suppress(Exception):
            await drop_pg_database()


@contextlib.asynccontextmanager
async def running_emulator(emulator: BotApiEmulator | None = None) -> AsyncIterator[Any]:
    server = emulator or TimedEmulator()
    await server.start("127.0.0.1", 0)
    try:
        yield server
    finally:
        await server.stop()


async def cancel_leftover_tasks(keep: set[asyncio.Task[Any]] | None = None) -> int:
    """Cancel tasks still running on this loop (besides the caller's); returns how many."""
    current = asyncio.current_task()
    tasks = [t for t in asyncio.all_tasks() if t is not current and not t.done() and (keep is None or t not in keep)]
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)
    return len(tasks)
