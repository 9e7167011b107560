"""The migrations on the machine's real PostgreSQL, in a database of their own.

Each test has an empty database of its own (tests/servers.py), so dropping tables here cannot
disturb other tests or another test run on the same server.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from cpc_bot.store import migrate
from cpc_bot.store.database import create_engine, create_tables
from tests.servers import fresh_database
from tests.store.test_migrations import (
    insert_user,
    made_before_migrations,
    schema_diffs,
    schema_snapshot,
    stairway,
    table_names,
    user_ids,
)

pytestmark = pytest.mark.xdist_group("servers")  # one process at a time on the shared server

async def drop_everything(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        for name in await conn.run_sync(lambda c: sa.inspect(c).get_table_names()):
            await conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}" CASCADE')
    await engine.dispose()


@pytest.fixture
async def empty_pg() -> AsyncIterator[str]:
    """The URL of an empty database: no bot tables, no alembic_version."""
    async with fresh_database("migrations") as url:
        yield url


@pytest.fixture
async def engine(empty_pg: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(empty_pg)
    yield engine
    await engine.dispose()


async def test_stairway_on_postgres_ends_at_the_models_schema(engine: AsyncEngine, empty_pg: str) -> None:
    await create_tables(engine)
    create_all_schema = await schema_snapshot(engine)
    await drop_everything(empty_pg)

    await stairway(engine)
    assert await migrate.current_revision(engine) == migrate.revisions()[-1]
    assert await schema_diffs(engine) == []
    # Same constraint names, sequences and defaults as create_all made, so adopted databases match.
    assert await schema_snapshot(engine) == create_all_schema

    await migrate.downgrade(engine, "base")
    assert await table_names(engine) <= {migrate.VERSION_TABLE}


async def test_adopts_a_create_all_database_on_postgres(engine: AsyncEngine) -> None:
    await made_before_migrations(engine)
    await insert_user(engine, 42)
    await migrate.migrate_or_adopt(engine)
    assert await migrate.current_revision(engine) == migrate.revisions()[-1]
    assert await user_ids(engine) == [42]
    assert await schema_diffs(engine) == []


async def test_two_processes_starting_at_once_both_succeed(empty_pg: str) -> None:
    """The advisory lock makes the second wait, then find the schema already at head.

    Without it the two runs interleave (Alembic's ``op`` is a global) and fail or hang; the
    timeout turns a hang into a failure.
    """
    engines = [create_engine(empty_pg), create_engine(empty_pg)]
    try:
        await asyncio.wait_for(asyncio.gather(*(migrate.migrate_or_adopt(engine) for engine in engines)), 60)
        async with engines[0].connect() as conn:
            versions = (await conn.execute(sa.text(f"SELECT version_num FROM {migrate.VERSION_TABLE}"))).scalars().all()
        assert versions == [migrate.revisions()[-1]]
        assert await schema_diffs(engines[1]) == []
    finally:
        for engine in engines:
            await engine.dispose()
