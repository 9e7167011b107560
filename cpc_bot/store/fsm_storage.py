"""aiogram FSM storage on our SQL database (aiogram ships none).

State and data are small JSON documents with no free text: the questionnaire
answers live in their own encrypted rows, so losing this table loses nothing.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from sqlalchemy import delete, update

from cpc_bot.clock import Clock
from cpc_bot.store.database import Sessions
from cpc_bot.store.models import FsmRecord

_UNSET: Any = object()


def storage_key_to_str(key: StorageKey) -> str:
    parts = [str(key.bot_id), str(key.chat_id), str(key.user_id)]
    if key.thread_id:
        parts.append(f"t{key.thread_id}")
    if key.business_connection_id:
        parts.append(f"b{key.business_connection_id}")
    parts.append(key.destiny)
    return ":".join(parts)


#: Chats whose state is held in memory (the oldest are read from the database again when needed).
_MEMORY_LIMIT = 100_000


class SqlStorage(BaseStorage):
    """FSM storage in the ``fsm_states`` table; data must be JSON-serialisable.

    A key with no state and no data has no row, as aiogram's Redis storage deletes its keys:
    ``state.clear()`` (at /delete, /cancel, a finished questionnaire) leaves nothing behind
    with the person's Telegram id in it.

    Without Redis the bot runs as one worker (several workers need ``CPC_REDIS_URL``), so this
    process is the only writer: each chat's state is read from the table once, then held in
    memory and written through when it changes (an unchanged state is not written again). A
    restart reads it from the table again, so a person carries on where they were.
    """

    def __init__(self, sessions: Sessions, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock
        #: key -> (state, data as JSON); a key held with (None, "{}") has no row.
        self._memory: OrderedDict[str, tuple[str | None, str]] = OrderedDict()

    async def _held(self, key: str) -> tuple[str | None, str]:
        held = self._memory.get(key)
        if held is None:
            async with self._sessions() as s:
                record = await s.get(FsmRecord, key)
            held = (record.state, record.data) if record is not None else (None, "{}")
            self._hold(key, held)
        else:
            self._memory.move_to_end(key)
        return held

    def _hold(self, key: str, value: tuple[str | None, str]) -> None:
        self._memory[key] = value
        self._memory.move_to_end(key)
        if len(self._memory) > _MEMORY_LIMIT:
            self._memory.popitem(last=False)

    async def _write(self, key: StorageKey, *, state: Any = _UNSET, data: Any = _UNSET) -> None:
        name = storage_key_to_str(key)
        old = await self._held(name)
        new = (old[0] if state is _UNSET else state, old[1] if data is _UNSET else data)
        if new == old:
            return
        async with self._sessions.begin() as s:
            if new == (None, "{}"):
                await s.exec(delete(FsmRecord).where(FsmRecord.key == name))  # type: ignore[arg-type]
            elif old == (None, "{}"):
                s.add(FsmRecord(key=name, state=new[0], data=new[1], updated_at=self._clock()))
            else:
                await s.exec(update(FsmRecord).where(FsmRecord.key == name)  # type: ignore[arg-type]
                             .values(state=new[0], data=new[1], updated_at=self._clock()))
        self._hold(name, new)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._write(key, state=state.state if isinstance(state, State) else state)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._held(storage_key_to_str(key)))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        # json.dumps raises on anything that would not survive a restart: better now than later.
        await self._write(key, data=json.dumps(dict(data), ensure_ascii=False))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return json.loads((await self._held(storage_key_to_str(key)))[1])  # type: ignore[no-any-return]

    async def close(self) -> None:
        """The engine is owned (and disposed) by the composition root."""
