"""One unit of work per update: what a reply says is saved is on disk before the reply leaves,
an update that fails leaves nothing half-written, and a dialog step reads each row once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.methods import EditMessageText, SendMessage
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from cpc_bot.emulator.server import BotApiEmulator
from cpc_bot.store.database import Sessions, create_engine, create_tables, session_factory
from cpc_bot.store.models import User
from tests.helpers import BotHarness
from tests.store.test_faults import MORE, SENTENCE, stored, to_strengths

NOW = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)
MUM = 8301


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    await create_tables(engine)
    yield engine
    await engine.dispose()


async def user_ids(engine: AsyncEngine) -> list[int]:
    """What another connection (another process) sees: only what was committed."""
    async with engine.connect() as conn:
        return list((await conn.execute(sa.text("SELECT id FROM users ORDER BY id"))).scalars())


async def add_user(sessions: Sessions, user_id: int) -> None:
    async with sessions.begin() as s:
        s.add(User(id=user_id, created_at=NOW, updated_at=NOW))


def count_selects(engine: AsyncEngine, table: str) -> list[str]:
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("SELECT") and f"FROM {table}" in statement:
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    return seen


async def test_writes_in_a_unit_reach_the_database_together_at_commit(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions.unit():
        await add_user(sessions, 1)
        await add_user(sessions, 2)
        assert await user_ids(engine) == []  # not yet: one transaction for the update
        await sessions.commit()
        assert await user_ids(engine) == [1, 2]
        await add_user(sessions, 3)
    assert await user_ids(engine) == [1, 2, 3]  # the end of the unit commits the rest


async def test_a_failed_write_undoes_the_whole_unit_and_the_next_update_is_not_blocked(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    await add_user(sessions, 7)
    with pytest.raises(IntegrityError):
        async with sessions.unit():
            await add_user(sessions, 1)
            await add_user(sessions, 7)  # already there
    assert await user_ids(engine) == [7]  # user 1 went with the failed update
    async with sessions.unit():  # SQLite's turn was handed back
        await add_user(sessions, 2)
    assert await user_ids(engine) == [2, 7]


async def test_a_row_read_twice_in_a_unit_is_read_from_the_database_once(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    await add_user(sessions, 1)
    selects = count_selects(engine, "users")
    async with sessions.unit():
        for _ in range(3):
            async with sessions() as s:
                assert (await s.get(User, 1)) is not None  # nothing holds the row in between
    assert len(selects) == 1
    for _ in range(2):  # outside a unit every read is its own
        async with sessions() as s:
            await s.get(User, 1)
    assert len(selects) == 3


async def test_a_task_started_inside_a_unit_gets_sessions_of_its_own(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions.unit():
        async with sessions() as mine:
            pass

        async def elsewhere() -> object:
            async with sessions() as theirs:
                return theirs

        assert await asyncio.create_task(elsewhere()) is not mine


async def test_many_updates_writing_at_once_on_sqlite_all_succeed(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)

    async def update(user_id: int) -> None:
        async with sessions.unit():
            await add_user(sessions, user_id)
            await asyncio.sleep(0)  # let the others in between the write and the commit
            async with sessions.begin() as s:
                user = await s.get(User, user_id)
                assert user is not None
                user.locale = "pl"

    await asyncio.gather(*(update(n) for n in range(1, 31)))
    assert await user_ids(engine) == list(range(1, 31))


async def test_on_sqlite_a_job_writing_outside_updates_waits_its_turn_instead_of_hitting_the_lock(engine: AsyncEngine) -> None:
    """The scheduler's jobs write outside any update: they take the same turns, so neither side
    meets SQLite's lock and its sleep-and-retry busy timeout."""
    sessions = session_factory(engine)
    order: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: order.append(statement.split()[0]))
    event.listen(engine.sync_engine, "commit", lambda _c: order.append("COMMIT"))
    async with sessions.unit():
        await add_user(sessions, 1)
        job = asyncio.create_task(add_user(sessions, 2))  # e.g. the message log's flush
        await asyncio.sleep(0.05)
        assert not job.done()
        await sessions.commit()
        await asyncio.wait_for(job, 5)
    assert await user_ids(engine) == [1, 2]
    # The job's insert was not even tried while the update held SQLite's write lock.
    assert order[:4] == ["INSERT", "COMMIT", "INSERT", "COMMIT"], order

    async def nested() -> None:  # a job's write block inside its own write block keeps its turn
        async with sessions.begin() as s:
            s.add(User(id=3, created_at=NOW, updated_at=NOW))
            await add_user(sessions, 4)

    await asyncio.wait_for(nested(), 5)
    assert await user_ids(engine) == [1, 2, 3, 4]


class SeeTheDatabase(BaseRequestMiddleware):
    """At the moment a reply leaves for Telegram, read the answer from a separate connection."""

    def __init__(self, harness: BotHarness, words: str) -> None:
        self.harness = harness
        self.words = words
        self.seen: list[object] = []

    async def __call__(self, make_request: Any, bot: Any, method: Any) -> Any:
        if isinstance(method, SendMessage | EditMessageText) and self.words in method.text:
            engine = create_engine(self.harness.settings.database_url)
            try:
                async with engine.connect() as conn:
                    self.seen.append((await conn.execute(sa.text(
                        "SELECT count(*) FROM answers WHERE key = 'strengths' AND value_enc IS NOT NULL"))).scalar())
            finally:
                await engine.dispose()
        return await make_request(bot, method)


async def test_when_saved_reaches_her_the_answer_is_already_on_disk(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    mum = await to_strengths(emulator, MUM)
    watcher = SeeTheDatabase(harness, SENTENCE)
    harness.app.bot.session.middleware(watcher)
    await mum.say(SENTENCE)
    screen = emulator.last_message(MUM).visible
    assert "Saved." in screen and SENTENCE in screen
    assert watcher.seen and watcher.seen[0] == 1  # committed before the reply that shows it
    await mum.say(MORE)
    assert await stored(harness, MUM, "strengths") == [SENTENCE, MORE]


async def test_a_typed_answer_reads_each_row_once(harness: BotHarness, emulator: BotApiEmulator) -> None:
    """The dialog step's database work, counted: the budget a step had before the unit of work
    was two to four reads of the same rows and five commits; then nine statements and two commits."""
    mum = await to_strengths(emulator, MUM)
    statements: list[str] = []
    commits: list[int] = []
    engine = harness.app.engine
    event.listen(engine.sync_engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: statements.append(statement.split()[0] + " " + _table(statement)))
    event.listen(engine.sync_engine, "commit", lambda _c: commits.append(1))
    await mum.say(SENTENCE)
    assert "Saved." in emulator.last_message(MUM).visible
    await asyncio.sleep(0.1)  # the unit ends after the last reply
    for table in ("responses", "answers"):
        assert statements.count(f"SELECT {table}") <= 1, statements
    # The person's language is in memory (with their role, for the safety check), the chat's FSM
    # state too (read once, written through when it changes), their message id goes in the
    # message log's batch: the claim, the view, the answer and the new prompt's id are left.
    assert statements.count("SELECT users") == 0, statements
    assert statements.count("SELECT fsm_states") == 0, statements
    assert statements.count("INSERT chat_messages") == 0, statements
    assert len(statements) <= 5, statements
    assert len(commits) <= 2, statements  # before the reply; the prompt id after it


def _table(statement: str) -> str:
    words = statement.replace('"', "").split()
    for marker in ("FROM", "INTO", "UPDATE"):
        if marker in words:
            return words[words.index(marker) + 1]
    return "?"
