"""aiogram FSM storage on our SQL database (aiogram ships none).

State and data are small JSON documents with no free text: the questionnaire
answers live in their own encrypted rows, so losing this table loses nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

from cpc_bot.clock import Clock
from cpc_bot.store.database import Sessions
from cpc_bot.store.models import FsmRecord


def storage_key_to_str(key: StorageKey) -> str:
    parts = [str(key.bot_id), str(key.chat_id), str(key.user_id)]
    if key.thread_id:
        parts.append(f"t{key.thread_id}")
    if key.business_connection_id:
        parts.append(f"b{key.business_connection_id}")
    parts.append(key.destiny)
    return ":".join(parts)


class SqlStorage(BaseStorage):
    """FSM storage in the ``fsm_states`` table; data must be JSON-serialisable.

    A key with no state and no data has no row, as aiogram's Redis storage deletes its keys:
    ``state.clear()`` (at /delete, /cancel, a finished questionnaire) leaves nothing behind
    with the person's Telegram id in it.
    """

    def __init__(self, sessions: Sessions, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def _upsert(self, key: StorageKey, **fields: Any) -> None:
        async with self._sessions.begin() as s:
            record = await s.get(FsmRecord, storage_key_to_str(key))
            state = fields.get("state", record.state if record else None)
            data = fields.get("data", record.data if record else "{}")
            if state is None and data == "{}":
                if record is not None:
                    await s.delete(record)
                return
            if record is None:
                record = FsmRecord(key=storage_key_to_str(key), updated_at=self._clock())
                s.add(record)
            for name, value in fields.items():
                setattr(record, name, value)
            record.updated_at = self._clock()

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._upsert(key, state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        async with self._sessions() as s:
            record = await s.get(FsmRecord, storage_key_to_str(key))
        return record.state if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        # json.dumps raises on anything that would not survive a restart: better now than later.
        await self._upsert(key, data=json.dumps(dict(data), ensure_ascii=False))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        async with self._sessions() as s:
            record = await s.get(FsmRecord, storage_key_to_str(key))
        return json.loads(record.data) if record else {}

    async def close(self) -> None:
        """The engine is owned (and disposed) by the composition root."""
