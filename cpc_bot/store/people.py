"""Who each person is (child, parent, professional) and their language, at hand without a
database read, so the safety check can run before anything else touches the database.

In memory in each process; with Redis (several workers) also there, so another worker knows
too. Entries read from Redis are trusted for a minute in memory, then read again, so a role
or language changed on another worker is seen soon. Only the role and the language code are
kept here, never a name or anything a person wrote; /delete forgets them.
"""

from __future__ import annotations

import contextlib
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

_MEMORY_LIMIT = 200_000
_SHARED_FRESH = 60.0
_SHARED_TTL = 30 * 24 * 3600


@dataclass(frozen=True)
class Person:
    role: str | None
    locale: str | None


class People:
    def __init__(self, redis: Any | None = None, prefix: str = "cpc") -> None:
        self._redis = redis
        self._prefix = prefix
        self._memory: OrderedDict[int, tuple[Person, float]] = OrderedDict()

    def _key(self, user_id: int) -> str:
        return f"{self._prefix}:person:{user_id}"

    async def get(self, user_id: int) -> Person | None:
        held = self._memory.get(user_id)
        if held is not None and (self._redis is None or time.monotonic() - held[1] < _SHARED_FRESH):
            return held[0]
        if self._redis is None:
            return None
        try:
            raw = await self._redis.get(self._key(user_id))
        except Exception:  # Redis down: the check still runs, with what memory had
            return held[0] if held is not None else None
        if raw is None:
            return held[0] if held is not None else None
        role, _, locale = (raw.decode() if isinstance(raw, bytes) else str(raw)).partition("|")
        person = Person(role or None, locale or None)
        self._hold(user_id, person)
        return person

    def _hold(self, user_id: int, person: Person) -> None:
        self._memory[user_id] = (person, time.monotonic())
        self._memory.move_to_end(user_id)
        if len(self._memory) > _MEMORY_LIMIT:
            self._memory.popitem(last=False)

    async def remember(self, user_id: int, role: str | None, locale: str | None) -> None:
        person = Person(role, locale)
        held = self._memory.get(user_id)
        if held is not None and held[0] == person and (self._redis is None or time.monotonic() - held[1] < _SHARED_FRESH):
            return
        self._hold(user_id, person)
        if self._redis is not None:
            with contextlib.suppress(Exception):  # memory still has it; Redis only shares it
                await self._redis.set(self._key(user_id), f"{role or ''}|{locale or ''}", ex=_SHARED_TTL)

    async def forget(self, user_id: int) -> None:
        self._memory.pop(user_id, None)
        if self._redis is not None:
            with contextlib.suppress(Exception):  # expires on its own within 30 days
                await self._redis.delete(self._key(user_id))
