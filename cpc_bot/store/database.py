"""Engine and session factory for SQLite (default) or PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from cpc_bot.store import models  # noqa: F401 - registers the tables on SQLModel.metadata


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers and the one writer work together; foreign keys make deletes cascade.
    cursor.execute("PRAGMA journal_mode=WAL")
    # With WAL, NORMAL syncs at checkpoints rather than at every commit: a commit survives the
    # process crashing (what the bot must survive); only a power cut can undo the last few.
    # FULL cost a disk flush per commit, most of a dialog step's time.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def create_engine(url: str) -> AsyncEngine:
    """An async engine; SQLite gets WAL and foreign keys, PostgreSQL a small pool."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def create_tables(engine: AsyncEngine) -> None:
    """The models' schema in one step, marked as the newest revision (Alembic's "create_all,
    then stamp head" recipe): for tests and tools. The bot itself runs the migrations."""
    from cpc_bot.store.migrate import stamp

    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all)
    await stamp(engine, "head")
