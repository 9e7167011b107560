"""The machine's PostgreSQL and Redis for tests: a database and a Redis key prefix of each test's own.

Every name is random, so two test runs on one machine (a developer's and CI's, or two pytest
processes) never drop tables, flush keys or end connections under each other; each test drops
its database and deletes its keys when it ends. On CI (CI=true) a missing server is a failure,
not a skip: .ci/run starts them.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import AsyncIterator
from typing import NoReturn

import asyncpg
import pytest
import redis.asyncio as aioredis
from sqlalchemy.engine import make_url

PG_URL = os.environ.get("CPC_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("CPC_TEST_REDIS_URL", "redis://127.0.0.1:6379/10")


def missing(what: str, exc: BaseException) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is not running ({exc}); .ci/run should have started it")
    pytest.skip(f"{what} is not running ({exc})")


def database_url(database: str) -> str:
    """The SQLAlchemy URL of ``database`` on the test server."""
    return make_url(PG_URL).set(database=database).render_as_string(hide_password=False)


def dsn(database: str) -> str:
    """The same, for asyncpg itself."""
    return make_url(PG_URL).set(drivername="postgresql", database=database).render_as_string(hide_password=False)


def database_name(url: str) -> str:
    return str(make_url(url).database)


@contextlib.asynccontextmanager
async def fresh_database(purpose: str) -> AsyncIterator[str]:
    """An empty database of this test's own (``cpc_<purpose>_<random>``), dropped afterwards."""
    name = f"cpc_{purpose}_{secrets.token_hex(4)}"
    try:
        admin = await asyncpg.connect(dsn("postgres"), timeout=3)
    except (OSError, asyncpg.PostgresError) as exc:
        missing("PostgreSQL", exc)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield database_url(name)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@contextlib.asynccontextmanager
async def redis_prefix(purpose: str) -> AsyncIterator[str]:
    """A Redis key prefix of this test's own (for ``CPC_REDIS_PREFIX``); its keys go afterwards."""
    prefix = f"cpc_{purpose}_{secrets.token_hex(4)}"
    client = aioredis.from_url(REDIS_URL)
    try:
        try:
            await client.ping()
        except (OSError, aioredis.RedisError) as exc:
            missing("Redis", exc)
        yield prefix
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@contextlib.asynccontextmanager
async def fresh_servers(purpose: str) -> AsyncIterator[tuple[str, str]]:
    """Both at once: (database URL, Redis key prefix)."""
    async with fresh_database(purpose) as url, redis_prefix(purpose) as prefix:
        yield url, prefix
