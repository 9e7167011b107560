"""Schema migrations (Alembic) run from code, on the bot's own async engine.

The Alembic environment lives in ``cpc_bot/store/migrations`` and needs no alembic.ini, so an
installed wheel can migrate its database at start-up with :func:`migrate_or_adopt`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

#: The revision whose schema equals what the old ``create_all`` start-up made.
INITIAL_REVISION = "0001"

#: Tables of the initial revision: a database holding them but no alembic_version was made by create_all.
INITIAL_TABLES = frozenset({
    "users", "responses", "answers", "blobs", "fsm_states", "processed_updates",
    "reminders", "conferences", "invites", "conference_members",
})

#: Key for pg_advisory_xact_lock, so two processes starting at once migrate one after the other.
#: Any fixed 64-bit number works; this one is "CPCMIGR" in ASCII.
ADVISORY_LOCK_KEY = 0x4350434D49475200

VERSION_TABLE = "alembic_version"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config built in code; ``url`` is only needed when no connection is passed in."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if url is not None:
        # ConfigParser treats % as interpolation; a password may contain one.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def revisions() -> list[str]:
    """Every revision id, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


@asynccontextmanager
async def _migration_connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection in a transaction, holding the migration lock on PostgreSQL, safe for batch ALTERs on SQLite.

    PostgreSQL: a transaction-level advisory lock makes migrators (processes starting at once) take
    turns; the loser then finds the work done. Alembic's ``context`` and ``op`` are process globals,
    so two migrations must never interleave, not even as two tasks in one event loop.

    SQLite: batch mode copies a table and drops the old one; with foreign keys on, that DROP first
    deletes every row and the ON DELETE CASCADE empties the child tables. So foreign keys are off
    while migrating (the pragma only takes effect outside a transaction) and checked before commit.
    SQLite has no such lock: run one migrator at a time (the bot's single process does).
    """
    if engine.dialect.name != "sqlite":
        async with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
            yield conn
        return
    async with engine.connect() as conn:
        await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        await conn.commit()
        try:
            async with conn.begin():
                yield conn
                broken = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows with broken foreign keys: {broken[:5]}")
        finally:
            await conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            await conn.commit()


async def _run(engine: AsyncEngine, action: Callable[[Config], None]) -> None:
    async with _migration_connection(engine) as conn:
        await conn.run_sync(lambda sync_conn: action(_bound_config(sync_conn)))


def _bound_config(connection: Connection) -> Config:
    config = alembic_config()
    config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade to ``revision``; on PostgreSQL in one transaction, so a failure changes nothing."""
    await _run(engine, lambda config: command.upgrade(config, revision))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Downgrade to ``revision`` ("base" drops everything, "-1" goes back one step)."""
    await _run(engine, lambda config: command.downgrade(config, revision))


async def stamp(engine: AsyncEngine, revision: str = "head") -> None:
    """Record ``revision`` without running it (a schema made by create_all is already at head)."""
    await _run(engine, lambda config: command.stamp(config, revision))


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at, or None if Alembic has never run on it."""
    async with engine.connect() as conn:
        return await conn.run_sync(lambda sync_conn: MigrationContext.configure(sync_conn).get_current_revision())


def _migrate_or_adopt(connection: Connection) -> None:
    tables = set(sa.inspect(connection).get_table_names())
    config = _bound_config(connection)
    if VERSION_TABLE not in tables and tables & INITIAL_TABLES:
        missing = INITIAL_TABLES - tables
        if missing:
            # Stamping would tell Alembic these tables exist; better to stop now than to fail later.
            raise RuntimeError(
                f"database has some of the bot's tables but not {sorted(missing)}, and no {VERSION_TABLE}: "
                f"its revision is unknown, so it cannot be adopted; add the missing tables or stamp it by hand")
        command.stamp(config, INITIAL_REVISION)
    command.upgrade(config, "head")


async def migrate_or_adopt(engine: AsyncEngine) -> None:
    """Bring the database to the newest schema at start-up.

    An empty database is upgraded from scratch. One made by the old ``create_all`` code (the
    tables but no alembic_version) matches revision 0001, so it is stamped there, keeping its
    data, and then upgraded. On PostgreSQL an advisory lock is taken before looking, so of two
    processes starting together one migrates and the other then finds nothing to do.
    """
    async with _migration_connection(engine) as conn:
        await conn.run_sync(_migrate_or_adopt)
