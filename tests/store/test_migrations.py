"""The migrations build exactly the models' schema, step both ways, and adopt create_all databases.

The checks compare a migrated database with the models (Alembic's compare_metadata) and with a
database made by create_all (reflected and normalised), so a migration missing a column, an index,
a constraint or a default fails here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from cpc_bot.store import migrate
from cpc_bot.store.database import create_engine, create_tables

NOW = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


# Helpers shared with tests/integration/test_migrations_pg.py.

def _diffs(conn: Connection, metadata: sa.MetaData) -> list[Any]:
    context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
    return list(compare_metadata(context, metadata))


async def schema_diffs(engine: AsyncEngine, metadata: sa.MetaData | None = None) -> list[Any]:
    """What autogenerate would change to make the database match the models (empty when equal)."""
    async with engine.connect() as conn:
        return await conn.run_sync(_diffs, metadata if metadata is not None else SQLModel.metadata)


def _snapshot(conn: Connection) -> dict[str, Any]:
    inspector = sa.inspect(conn)
    tables: dict[str, Any] = {}
    for name in sorted(set(inspector.get_table_names()) - {migrate.VERSION_TABLE}):
        tables[name] = {
            # Keyed by name: a column added by a later migration sits at the end, which is fine.
            "columns": {c["name"]: (str(c["type"]), c["nullable"], c.get("default"), c.get("autoincrement"))
                        for c in inspector.get_columns(name)},
            "pk": inspector.get_pk_constraint(name),
            "fks": sorted(repr(sorted(fk.items())) for fk in inspector.get_foreign_keys(name)),
            "indexes": sorted(repr(sorted(ix.items())) for ix in inspector.get_indexes(name)),
            "uniques": sorted(repr(sorted(uq.items())) for uq in inspector.get_unique_constraints(name)),
        }
    return tables


async def schema_snapshot(engine: AsyncEngine) -> dict[str, Any]:
    """The reflected schema, normalised, to compare a migrated database with a create_all one."""
    async with engine.connect() as conn:
        return await conn.run_sync(_snapshot)


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: sa.inspect(c).get_table_names()))


async def insert_user(engine: AsyncEngine, user_id: int) -> None:
    async with engine.begin() as conn:
        await conn.execute(sa.text("INSERT INTO users (id, locale, created_at, updated_at) VALUES (:id, 'en', :t, :t)"),
                           {"id": user_id, "t": NOW})


async def user_ids(engine: AsyncEngine) -> list[int]:
    async with engine.connect() as conn:
        return list((await conn.execute(sa.text("SELECT id FROM users ORDER BY id"))).scalars())


async def stairway(engine: AsyncEngine) -> None:
    """Up to each revision, back one step, up again: every downgrade undoes its upgrade."""
    for revision in migrate.revisions():
        await migrate.upgrade(engine, revision)
        assert await migrate.current_revision(engine) == revision
        await migrate.downgrade(engine, "-1")
        await migrate.upgrade(engine, revision)
        assert await migrate.current_revision(engine) == revision


# SQLite tests.

@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    yield engine
    await engine.dispose()


@pytest.fixture
async def create_all_schema(tmp_path: Path) -> dict[str, Any]:
    """The schema the old start-up code made, to hold the migrations to."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'create_all.db'}")
    await create_tables(engine)
    snapshot = await schema_snapshot(engine)
    await engine.dispose()
    return snapshot


async def made_before_migrations(engine: AsyncEngine) -> None:
    """A database as the bot made it before it had migrations: revision 0001's tables, no alembic_version."""
    await migrate.upgrade(engine, migrate.INITIAL_REVISION)
    async with engine.begin() as conn:
        await conn.execute(sa.text("DROP TABLE alembic_version"))


def test_revisions_are_a_readable_line_from_0001() -> None:
    assert migrate.revisions()[0] == migrate.INITIAL_REVISION == "0001"
    assert len(set(migrate.revisions())) == len(migrate.revisions())


async def test_stairway_ends_at_the_models_schema(engine: AsyncEngine, create_all_schema: dict[str, Any]) -> None:
    await stairway(engine)
    assert await migrate.current_revision(engine) == migrate.revisions()[-1]
    assert await schema_diffs(engine) == []
    assert await schema_snapshot(engine) == create_all_schema


async def test_initial_revision_makes_the_tables_adoption_looks_for(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine, migrate.INITIAL_REVISION)
    assert await table_names(engine) - {migrate.VERSION_TABLE} == migrate.INITIAL_TABLES


async def test_downgrade_to_base_leaves_no_tables(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine)
    await insert_user(engine, 7)
    await migrate.downgrade(engine, "base")
    assert await table_names(engine) <= {migrate.VERSION_TABLE}
    assert await migrate.current_revision(engine) is None


async def test_compare_catches_a_missing_column_and_index(engine: AsyncEngine) -> None:
    """Guards the guard: if the migration lacked these, the stairway test would see it."""
    await migrate.upgrade(engine)
    metadata = sa.MetaData()
    for table in SQLModel.metadata.sorted_tables:
        table.to_metadata(metadata)
    metadata.tables["users"].append_column(sa.Column("nickname", sa.String(32)))
    sa.Index("ix_blobs_mime_type", metadata.tables["blobs"].c.mime_type)
    kinds = {(diff[0], getattr(diff[-1], "name", None)) for diff in await schema_diffs(engine, metadata)}
    assert ("add_column", "nickname") in kinds and ("add_index", "ix_blobs_mime_type") in kinds


async def test_adopts_a_create_all_database_and_keeps_its_data(engine: AsyncEngine) -> None:
    await made_before_migrations(engine)
    await insert_user(engine, 42)
    assert await migrate.current_revision(engine) is None
    await migrate.migrate_or_adopt(engine)
    assert await migrate.current_revision(engine) == migrate.revisions()[-1]
    assert await user_ids(engine) == [42]
    assert await schema_diffs(engine) == []
    await migrate.migrate_or_adopt(engine)  # the next start-up: nothing to do
    assert await user_ids(engine) == [42]


async def test_migrates_an_empty_database_to_head(engine: AsyncEngine, create_all_schema: dict[str, Any]) -> None:
    await migrate.migrate_or_adopt(engine)
    assert await migrate.current_revision(engine) == migrate.revisions()[-1]
    assert await schema_diffs(engine) == []
    assert await schema_snapshot(engine) == create_all_schema


async def test_refuses_to_stamp_a_database_with_only_some_tables(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all, tables=[SQLModel.metadata.tables["users"]])
    with pytest.raises(RuntimeError, match="cannot be adopted"):
        await migrate.migrate_or_adopt(engine)
    assert await migrate.current_revision(engine) is None


async def test_a_batch_rebuild_of_users_keeps_child_rows(engine: AsyncEngine) -> None:
    """SQLite's DROP TABLE cascades when foreign keys are on; migrations turn them off first."""
    await migrate.upgrade(engine)
    await insert_user(engine, 42)
    async with engine.begin() as conn:
        await conn.execute(sa.text("INSERT INTO blobs (id, user_id, mime_type, data_enc, created_at) "
                                   "VALUES ('b1', 42, 'image/png', x'00', :t)"), {"t": NOW})

    def rebuild_users(conn: Connection) -> None:
        with Operations(MigrationContext.configure(conn)).batch_alter_table("users", recreate="always"):
            pass

    async with migrate._migration_connection(engine) as conn:
        await conn.run_sync(rebuild_users)
    async with engine.connect() as conn:
        assert (await conn.execute(sa.text("SELECT count(*) FROM blobs"))).scalar_one() == 1
        assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar_one() == 1
