"""Engine and session factory for SQLite (default) or PostgreSQL, with one unit of work per update."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import stat
from collections.abc import AsyncIterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import Session, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from cpc_bot.store import models  # noqa: F401 - registers the tables on SQLModel.metadata

log = logging.getLogger(__name__)


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


_WARNED: set[Path] = set()


def _private_sqlite_file(url: str) -> None:
    """Create the SQLite file owner-only (0600) before SQLite opens it: SQLite gives its -wal
    and -shm files the database file's mode. An existing file that others may read is left as
    it is (it may be shared on purpose) but warned about, once per process."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database).resolve()
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077 and path not in _WARNED:
            _WARNED.add(path)
            log.warning("database.readable_by_others path=%s mode=%o (run: chmod 600 %s)", path, mode, path)
    except FileNotFoundError:
        pass  # no such folder: SQLite says so when it opens it


def create_engine(url: str) -> AsyncEngine:
    """An async engine; SQLite gets WAL and foreign keys, PostgreSQL a small pool."""
    if url.startswith("sqlite"):
        _private_sqlite_file(url)
        engine = create_async_engine(url)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


class _UnitSession(Session):
    """A session that holds on to every row it has read or written until it ends.

    SQLAlchemy's identity map only keeps weak references, so a row nobody holds (the FSM
    record between two calls of one update) is forgotten and read again; SQLAlchemy's own
    "strong reference" recipe (Session Basics, "Session Referencing Behavior") keeps them.
    """


@event.listens_for(_UnitSession, "loaded_as_persistent")
@event.listens_for(_UnitSession, "pending_to_persistent")
def _hold(session: Session, instance: object) -> None:
    session.info.setdefault("held", {})[id(instance)] = instance


@event.listens_for(_UnitSession, "persistent_to_detached")
@event.listens_for(_UnitSession, "persistent_to_deleted")
def _let_go(session: Session, instance: object) -> None:
    session.info.get("held", {}).pop(id(instance), None)


class _Unit:
    """One update's shared session; on SQLite it also holds the process's write turn while a
    transaction is open (see :class:`Sessions`)."""

    def __init__(self, sessions: Sessions, session: AsyncSession) -> None:
        self.sessions = sessions
        self.session = session
        self.task = asyncio.current_task()
        self._turn = False

    async def _take_turn(self) -> None:
        if not self._turn and not self.session.in_transaction():
            self._turn = await self.sessions.take_turn()

    def _end_turn(self) -> None:
        if self._turn:
            self._turn = False
            self.sessions.end_turn()

    @contextlib.asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        await self._take_turn()
        yield self.session

    @contextlib.asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncSession]:
        await self._take_turn()
        try:
            yield self.session
            await self.session.flush()  # constraint errors surface here, where the write was made
        except BaseException:
            await self.rollback()
            raise

    async def commit(self) -> None:
        try:
            if self.session.in_transaction():
                await self.session.commit()
        finally:
            self._end_turn()

    async def rollback(self) -> None:
        try:
            await self.session.rollback()
        finally:
            self.session.info.clear()  # what was read before is expired now
            self._end_turn()


_UNIT: ContextVar[_Unit | None] = ContextVar("cpc_unit_of_work", default=None)


class Sessions:
    """The stores' session factory: ``async with sessions() as s`` to read, ``sessions.begin()``
    to write, as with SQLAlchemy's ``async_sessionmaker``; plus one unit of work per update.

    Outside a unit every block is its own short transaction, committed when it ends. Inside
    :meth:`unit` (the bot opens one around each update) every block in that task shares one
    session: a row read once is not read again, and the update's writes are committed together,
    in one transaction, by :meth:`commit` (called before every message the bot sends, so what a
    reply says is saved is on disk before the reply goes out) or when the unit ends. A write
    block that fails rolls the whole unit back, so an update is never half-saved.

    The unit belongs to the task that opened it: a task started from inside it (which inherits
    the context) gets sessions of its own, never a share in one it could use concurrently.

    SQLite has one writer at a time, and a writer that finds the file locked sleeps and polls
    (its busy timeout: 1, 2, 5 ... 100 ms naps), which made the slowest steps seconds long under
    load. So on SQLite the writers of one process take turns through an asyncio lock: a unit
    from its first statement to its commit (never while Telegram is called: the commit comes
    first), any other write block (the scheduler's jobs) for its transaction. Waiting is in
    order and costs nothing. A task that has the turn keeps it for blocks inside its block.
    PostgreSQL needs no turns.
    """

    #: Longer than any turn should ever be; a wait this long is a bug, and an error beats a hang.
    TURN_TIMEOUT = 30.0

    def __init__(self, engine: AsyncEngine) -> None:
        self.maker = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
        self._unit_maker = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False,
                                              sync_session_class=_UnitSession)
        self.turns = asyncio.Lock() if engine.dialect.name == "sqlite" else None
        self._turn_holder: asyncio.Task[Any] | None = None

    async def take_turn(self) -> bool:
        """Wait for this process's write turn (SQLite only). False when there was nothing to take:
        not SQLite, or this task has it already (then the outer holder gives it back)."""
        task = asyncio.current_task()
        if self.turns is None or (task is not None and self._turn_holder is task):
            return False
        async with asyncio.timeout(self.TURN_TIMEOUT):
            await self.turns.acquire()
        self._turn_holder = task
        return True

    def end_turn(self) -> None:
        assert self.turns is not None
        self._turn_holder = None
        self.turns.release()

    @contextlib.asynccontextmanager
    async def _write_in_turn(self) -> AsyncIterator[AsyncSession]:
        took = await self.take_turn()
        try:
            async with self.maker.begin() as session:
                yield session
        finally:
            if took:
                self.end_turn()

    def _unit(self) -> _Unit | None:
        unit = _UNIT.get()
        if unit is None or unit.sessions is not self or unit.task is not asyncio.current_task():
            return None
        return unit

    def __call__(self) -> contextlib.AbstractAsyncContextManager[AsyncSession]:
        unit = self._unit()
        return self.maker() if unit is None else unit.reading()

    def begin(self) -> contextlib.AbstractAsyncContextManager[AsyncSession]:
        unit = self._unit()
        if unit is not None:
            return unit.writing()
        return self.maker.begin() if self.turns is None else self._write_in_turn()

    @contextlib.asynccontextmanager
    async def unit(self) -> AsyncIterator[None]:
        """Share one session in this task until the block ends; commit then, or roll back if it raised."""
        if self._unit() is not None:  # already in one: it is the outer unit's to commit
            yield
            return
        unit = _Unit(self, self._unit_maker())
        token = _UNIT.set(unit)
        try:
            yield
            await unit.commit()
        except BaseException:
            await unit.rollback()
            raise
        finally:
            _UNIT.reset(token)
            await unit.session.close()

    async def commit(self) -> None:
        """Commit the current unit's writes so far (nothing to do outside a unit)."""
        unit = self._unit()
        if unit is not None:
            await unit.commit()


def unit_cache(session: AsyncSession) -> dict[Any, Any] | None:
    """A dict living as long as the unit of work ``session`` belongs to, for what a store read
    by query (the identity map only spares reads by primary key); None outside a unit."""
    if not isinstance(session.sync_session, _UnitSession):
        return None
    cache: dict[Any, Any] = session.info.setdefault("cache", {})
    return cache


def forget_rows(session: AsyncSession) -> None:
    """After deletes the database cascaded itself: drop every row this session holds or cached."""
    session.expunge_all()
    session.info.pop("cache", None)


def session_factory(engine: AsyncEngine) -> Sessions:
    return Sessions(engine)


async def create_tables(engine: AsyncEngine) -> None:
    """The models' schema in one step, marked as the newest revision (Alembic's "create_all,
    then stamp head" recipe): for tests and tools. The bot itself runs the migrations."""
    from cpc_bot.store.migrate import stamp

    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all)
    await stamp(engine, "head")
