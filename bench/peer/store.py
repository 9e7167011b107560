"""The peer's answers in SQLite through async SQLAlchemy: one row per answer, committed at once.

No encryption, no audit, no message log: what a plain aiogram_dialog bot would keep. The
SQLite pragmas are ours (WAL, synchronous=NORMAL) so that the database costs both bots alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, String, Text, UniqueConstraint, delete, event, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("user_id", "question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    question: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)  # JSON: a string, a list of option keys, a number, an ISO date
    updated_at: Mapped[datetime]


def _pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class AnswerStore:
    """Saves and loads one person's answers."""

    def __init__(self, database_url: str, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self.engine: AsyncEngine = create_async_engine(database_url)
        event.listen(self.engine.sync_engine, "connect", _pragmas)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    async def create_tables(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)

    async def save(self, user_id: int, question: str, value: Any) -> None:
        """Insert or replace one answer, in its own transaction (committed on return)."""
        stored = json.dumps(value, ensure_ascii=False)
        now = self.clock()
        statement = insert(Answer).values(user_id=user_id, question=question, value=stored, updated_at=now)
        statement = statement.on_conflict_do_update(index_elements=["user_id", "question"],
                                                    set_={"value": stored, "updated_at": now})
        async with self.sessions.begin() as session:
            await session.execute(statement)

    async def delete(self, user_id: int, question: str) -> None:
        async with self.sessions.begin() as session:
            answer = await session.scalar(select(Answer).where(Answer.user_id == user_id, Answer.question == question))
            if answer is not None:
                await session.delete(answer)

    async def delete_prefix(self, user_id: int, prefix: str) -> None:
        """Delete the answers of one repeat-group item (``children.1.``)."""
        async with self.sessions.begin() as session:
            await session.execute(delete(Answer).where(Answer.user_id == user_id, Answer.question.startswith(prefix)))

    async def load(self, user_id: int) -> dict[str, Any]:
        async with self.sessions() as session:
            rows = await session.execute(select(Answer.question, Answer.value).where(Answer.user_id == user_id))
            return {question: json.loads(value) for question, value in rows}

    async def close(self) -> None:
        await self.engine.dispose()
