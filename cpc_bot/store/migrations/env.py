"""Alembic environment: the bot's SQLModel tables are the target, on SQLite or PostgreSQL.

Two ways in. :mod:`cpc_bot.store.migrate` passes a sync ``Connection`` (from ``run_sync``) through
``config.attributes["connection"]``, so migrations share the caller's transaction and lock. Without
one (the ``alembic`` command line) an async engine is made from ``sqlalchemy.url`` or
``CPC_DATABASE_URL``.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import sqlalchemy as sa
from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

from cpc_bot.store import models  # noqa: F401 - registers the tables on SQLModel.metadata
from cpc_bot.store.models import UTCDateTime

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("CPC_DATABASE_URL")
    if not url:
        raise RuntimeError("no database URL: set sqlalchemy.url or CPC_DATABASE_URL")
    return url


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    """Write our column types as plain ``sa`` types, so a script never imports sqlmodel or our models.

    UTCDateTime only converts values in Python; in the database it is ``DateTime(timezone=True)``.
    """
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


def _configure_options(dialect_name: str) -> dict[str, Any]:
    return {
        "target_metadata": target_metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        "render_as_batch": dialect_name == "sqlite",
        "compare_type": True,
        "render_item": render_item,
    }


def run_migrations_offline() -> None:
    """``alembic upgrade --sql``: print the SQL instead of running it."""
    url = sa.engine.make_url(_url())
    context.configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"},
                      **_configure_options(url.get_backend_name()))
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, **_configure_options(connection.dialect.name))
    # Inside the caller's transaction this is a no-op; alone, it is the migration's transaction.
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    engine = create_async_engine(_url(), poolclass=sa.pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        asyncio.run(run_async_migrations())
    else:
        do_run_migrations(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
