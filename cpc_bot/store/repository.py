"""Repositories: every read and write of the bot's tables goes through here.

Outside an update each method is its own short transaction. Inside one, the methods share
the update's unit of work (``Sessions.unit``), which commits before every message the bot
sends: handlers save an answer *before* they send the next prompt, so it is on disk first.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from cpc_bot.clock import Clock
from cpc_bot.store.crypto import DecryptionError, FieldCipher, owner_of, unreadable
from cpc_bot.store.database import Sessions, forget_rows, unit_cache
from cpc_bot.store.models import (
    Answer,
    Blob,
    ChatMessage,
    ConferenceMember,
    ProcessedUpdate,
    Response,
    User,
)
from cpc_bot.store.people import People


@dataclass(frozen=True)
class StoredAnswer:
    key: str
    value: Any
    skipped: bool


class Repository:
    """Users, responses, answers and blobs, with encryption on the way in and out."""

    def __init__(self, sessions: Sessions, cipher: FieldCipher, clock: Clock, *, people: People | None = None) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self._clock = clock
        #: Told every change of role or language, so the safety check knows without a read.
        self._people = people

    async def commit(self) -> None:
        """Commit this update's writes so far, which also gives back the write turn (SQLite): for
        before slow work that needs no database, such as making a report."""
        await self._sessions.commit()

    # users -----------------------------------------------------------------
    async def get_user(self, user_id: int) -> User | None:
        async with self._sessions() as s:
            return await s.get(User, user_id)

    async def reminder_settings(self, user_ids: set[int]) -> dict[int, tuple[str | None, bool]]:
        """Each person's language and discreet mode, in one query (the reminder sender's batch)."""
        async with self._sessions() as s:
            rows = await s.exec(select(User.id, User.locale, User.discreet).where(User.id.in_(user_ids)))  # type: ignore[union-attr]
            return {user_id: (locale, bool(discreet)) for user_id, locale, discreet in rows.all()}

    async def ensure_user(self, user_id: int) -> User:
        return await self.update_user(user_id)

    async def update_user(self, user_id: int, **fields: Any) -> User:
        """Create the user row if needed, then set ``fields`` (none: just make sure it exists)."""
        async with self._sessions.begin() as s:
            user = await s.get(User, user_id)
            if user is None:
                now = self._clock()
                user = User(id=user_id, created_at=now, updated_at=now)
                s.add(user)
            elif not fields:
                return user
            for name, value in fields.items():
                setattr(user, name, value)
            user.updated_at = self._clock()
            role, locale = user.role, user.locale
        if self._people is not None and ("role" in fields or "locale" in fields):
            await self._people.remember(user_id, role, locale)
        return user

    # responses -------------------------------------------------------------
    async def open_response(self, user_id: int, dialog_id: str) -> Response | None:
        """The user's unfinished run of a dialog, if any (newest first)."""
        async with self._sessions() as s:
            result = await s.exec(
                select(Response)
                .where(Response.user_id == user_id, Response.dialog_id == dialog_id, Response.status == "in_progress")
                .order_by(Response.id.desc())  # type: ignore[union-attr]
            )
            return result.first()

    async def latest_response(self, user_id: int, dialog_id: str | None = None, status: str | None = None) -> Response | None:
        async with self._sessions() as s:
            query = select(Response).where(Response.user_id == user_id)
            if dialog_id is not None:
                query = query.where(Response.dialog_id == dialog_id)
            if status is not None:
                query = query.where(Response.status == status)
            result = await s.exec(query.order_by(Response.updated_at.desc(), Response.id.desc()))  # type: ignore[attr-defined, union-attr]
            return result.first()

    async def get_response(self, response_id: int) -> Response | None:
        async with self._sessions() as s:
            return await s.get(Response, response_id)

    async def create_response(self, user_id: int, dialog_id: str, version: int, cursor: str, locale: str | None) -> Response:
        async with self._sessions.begin() as s:
            now = self._clock()
            if await s.get(User, user_id) is None:  # e.g. a button from before they deleted everything
                s.add(User(id=user_id, created_at=now, updated_at=now))
                await s.flush()
            response = Response(
                user_id=user_id, dialog_id=dialog_id, dialog_version=version, cursor=cursor,
                locale=locale, created_at=now, updated_at=now,
            )
            s.add(response)
            await s.flush()
            return response

    async def move_cursor(self, response_id: int, cursor: str | None, *, return_to_review: bool | None = None) -> None:
        async with self._sessions.begin() as s:
            response = await s.get(Response, response_id)
            if response is None:
                return
            response.cursor = cursor
            if return_to_review is not None:
                response.return_to_review = return_to_review
            response.updated_at = self._clock()

    async def finish_response(self, response_id: int) -> None:
        async with self._sessions.begin() as s:
            response = await s.get(Response, response_id)
            if response is None:
                return
            now = self._clock()
            response.status = "finished"
            response.finished_at = now
            response.updated_at = now
            response.return_to_review = False

    async def finished_today(self, user_id: int, *, besides: int = 0) -> int:
        """Questionnaires this person finished in the last 24 hours, other than ``besides``."""
        since = self._clock() - timedelta(days=1)
        async with self._sessions() as s:
            return int((await s.exec(select(func.count()).select_from(Response).where(
                Response.user_id == user_id, Response.id != besides,  # type: ignore[arg-type]
                Response.finished_at >= since))).one())  # type: ignore[arg-type, operator]

    async def reopen_response(self, response_id: int, cursor: str) -> None:
        async with self._sessions.begin() as s:
            response = await s.get(Response, response_id)
            if response is None:
                return
            response.status = "in_progress"
            response.cursor = cursor
            response.updated_at = self._clock()

    async def discard_response(self, response_id: int, blob_ids: list[str]) -> None:
        """Delete one response (its answers by cascade) and the pictures its answers hold, the
        owner's only: what "Start again" leaves nothing of."""
        async with self._sessions.begin() as s:
            response = await s.get(Response, response_id)
            if response is None:
                return
            if blob_ids:
                await s.exec(delete(Blob).where(Blob.user_id == response.user_id, Blob.id.in_(blob_ids)))  # type: ignore[arg-type, attr-defined]
            await s.exec(delete(Response).where(Response.id == response_id))  # type: ignore[arg-type]
            await s.flush()
            forget_rows(s)  # the database cascaded the answers

    # answers ---------------------------------------------------------------
    @staticmethod
    def _answer_context(response_id: int, key: str) -> str:
        return f"answers.value_enc:{response_id}:{key}"

    async def save_answer(self, response_id: int, key: str, value: Any, *, skipped: bool = False) -> None:
        """Insert or replace one answer (encrypted, bound to the response's person) and touch the response."""
        async with self._sessions.begin() as s:
            response = await s.get(Response, response_id)
            if response is None:  # erased meanwhile (/delete in another update): nothing to keep
                return
            token = None if value is None else self._cipher.encrypt(
                json.dumps(value, ensure_ascii=False), self._answer_context(response_id, key), owner_of(response.user_id))
            rows = unit_cache(s)
            known: list[Answer] | None = None if rows is None else rows.get(("answers", response_id))
            if known is not None:
                existing = next((row for row in known if row.key == key), None)
            else:
                existing = (await s.exec(select(Answer).where(Answer.response_id == response_id, Answer.key == key))).first()
            now = self._clock()
            if existing is None:
                row = Answer(response_id=response_id, key=key, value_enc=token, skipped=skipped, updated_at=now)
                s.add(row)
                if known is not None:
                    known.append(row)
            else:
                existing.value_enc = token
                existing.skipped = skipped
                existing.updated_at = now
            response.updated_at = now

    async def delete_answers(self, response_id: int, keys: list[str]) -> None:
        if not keys:
            return
        async with self._sessions.begin() as s:
            await s.exec(delete(Answer).where(Answer.response_id == response_id, Answer.key.in_(keys)))  # type: ignore[attr-defined]
            rows = unit_cache(s)
            if rows is not None:
                rows.pop(("answers", response_id), None)

    async def answers(self, response_id: int) -> dict[str, StoredAnswer]:
        """Every answer of a response, decrypted. In an update's unit of work the rows are read
        once; the writes above keep that copy up to date."""
        async with self._sessions() as s:
            response = await s.get(Response, response_id)
            if response is None:
                return {}
            rows = unit_cache(s)
            known: list[Answer] | None = None if rows is None else rows.get(("answers", response_id))
            if known is None:
                known = list((await s.exec(select(Answer).where(Answer.response_id == response_id))).all())
                if rows is not None:
                    rows[("answers", response_id)] = known
        owner = owner_of(response.user_id)
        out = {}
        for row in known:
            value = None
            if row.value_enc is not None:
                try:
                    value = json.loads(self._cipher.decrypt(row.value_enc, self._answer_context(response_id, row.key), owner))
                except DecryptionError as exc:
                    # Moved to another row or person in the database, or made by a key that is gone:
                    # as if never answered (the question is simply asked again).
                    unreadable("answers", row.id, exc)
                    continue
            out[row.key] = StoredAnswer(row.key, value, row.skipped)
        return out

    # blobs -----------------------------------------------------------------
    async def save_blob(self, user_id: int, data: bytes, mime_type: str) -> str:
        blob_id = secrets.token_hex(16)
        sealed = self._cipher.encrypt_bytes(data, f"blobs.data_enc:{blob_id}", owner_of(user_id))
        async with self._sessions.begin() as s:
            s.add(Blob(id=blob_id, user_id=user_id, mime_type=mime_type, data_enc=sealed, created_at=self._clock()))
        return blob_id

    async def load_blob(self, blob_id: str, user_id: int) -> tuple[bytes, str] | None:
        """A blob, only for its owner."""
        async with self._sessions() as s:
            blob = await s.get(Blob, blob_id)
        if blob is None or blob.user_id != user_id:
            return None
        try:
            return self._cipher.decrypt_bytes(blob.data_enc, f"blobs.data_enc:{blob_id}", owner_of(blob.user_id)), blob.mime_type
        except DecryptionError as exc:
            unreadable("blobs", blob_id, exc)
            return None

    # updates ---------------------------------------------------------------
    async def claim_update(self, bot_id: int, update_id: int, message: tuple[int, int] | None = None) -> bool:
        """True the first time an update id is seen; False for a redelivery. ``message`` (chat
        id, message id) is noted in the same transaction, for /delete."""
        try:
            async with self._sessions.begin() as s:
                s.add(ProcessedUpdate(update_id=update_id, bot_id=bot_id, created_at=self._clock()))
                if message is not None:  # a message's id is new with its update: nothing to merge with
                    s.add(ChatMessage(chat_id=message[0], message_id=message[1], at=self._clock()))
        except IntegrityError:
            return False
        return True

    async def forget_updates(self, before: datetime) -> None:
        """Update ids are only needed while Telegram might redeliver (a day at most)."""
        async with self._sessions.begin() as s:
            await s.exec(delete(ProcessedUpdate).where(ProcessedUpdate.created_at < before))  # type: ignore[arg-type]

    # data rights ---------------------------------------------------------------
    async def responses(self, user_id: int) -> list[Response]:
        async with self._sessions() as s:
            return list((await s.exec(select(Response).where(Response.user_id == user_id).order_by(Response.id))).all())  # type: ignore[arg-type]

    async def users_to_erase(self, today: date) -> list[int]:
        """People whose preparation is due for erasure (their ``erase_after`` day has passed)."""
        async with self._sessions() as s:
            return list((await s.exec(select(User.id).where(User.erase_after < today))).all())  # type: ignore[arg-type, operator]

    async def erase_preparation(self, user_id: int, keep_dialogs: set[str]) -> None:
        """Erase what a person wrote to prepare for a conference: their questionnaires and
        booklets (answers by cascade), their pictures and their links to conferences. Their
        language and role stay, so the bot can still speak to them."""
        async with self._sessions.begin() as s:
            await s.exec(delete(Response).where(Response.user_id == user_id,  # type: ignore[arg-type]
                                                Response.dialog_id.not_in(keep_dialogs)))  # type: ignore[attr-defined]
            await s.exec(delete(Blob).where(Blob.user_id == user_id))  # type: ignore[arg-type]
            await s.exec(delete(ConferenceMember).where(ConferenceMember.user_id == user_id))  # type: ignore[arg-type]
            user = await s.get(User, user_id)
            if user is not None:
                user.erase_after = None
            await s.flush()
            forget_rows(s)  # the database cascaded these deletes

    # the chat itself -------------------------------------------------------------
    async def remember_messages(self, messages: list[tuple[int, int, datetime]]) -> None:
        """Note message ids (never their text) with when they were sent, so /delete can remove them."""
        rows = [{"chat_id": chat_id, "message_id": message_id, "at": at} for chat_id, message_id, at in messages]
        async with self._sessions.begin() as s:
            # One statement for the lot (a merge per row held SQLite's write turn for 100+ ms).
            insert = sqlite_insert if s.bind.dialect.name == "sqlite" else postgres_insert
            await s.exec(insert(ChatMessage).on_conflict_do_nothing(), params=rows)  # type: ignore[call-overload]

    async def recent_messages(self, chat_id: int, since: datetime) -> list[int]:
        async with self._sessions() as s:
            query = select(ChatMessage.message_id).where(ChatMessage.chat_id == chat_id, ChatMessage.at >= since)  # type: ignore[arg-type]
            return sorted((await s.exec(query)).all())

    async def forget_messages(self, before: datetime | None = None, chat_id: int | None = None) -> None:
        """Drop message ids older than ``before`` (Telegram no longer lets them be deleted), or a chat's."""
        async with self._sessions.begin() as s:
            query = delete(ChatMessage)
            if before is not None:
                query = query.where(ChatMessage.at < before)  # type: ignore[arg-type]
            if chat_id is not None:
                query = query.where(ChatMessage.chat_id == chat_id)  # type: ignore[arg-type]
            await s.exec(query)  # type: ignore[call-overload]

    async def delete_user(self, user_id: int) -> None:
        """Erase the person: the users row, and by cascade every row that belongs to them
        (responses, answers, pictures, reminders, conferences they registered with their
        invite links, and their conference memberships)."""
        if self._people is not None:
            await self._people.forget(user_id)
        async with self._sessions.begin() as s:
            user = await s.get(User, user_id)
            if user is not None:
                await s.delete(user)
            await s.flush()
            forget_rows(s)  # the database cascaded these deletes
