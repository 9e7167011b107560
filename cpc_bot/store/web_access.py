"""People who start fresh on the web chat, and the code they come back with.

A web person is a ``users`` row with a negative id: Telegram gives users positive ids only, so
the two can never meet. Their code (``ABCD-EFGH-JKLM``, 12 letters and digits that cannot be
mistaken for one another) is shown once and never kept: the first four characters find the
row, the other eight are checked against a salted scrypt hash (about 40 bits, tried at most a
few times a minute from one address by the web chat). A code is not a link, so it does not land
in browser history or a mail scanner.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from datetime import datetime

from sqlmodel import select

from cpc_bot.clock import Clock
from cpc_bot.store.database import Sessions
from cpc_bot.store.models import User, WebAccess
from cpc_bot.store.people import People

#: No 0/O, 1/I/L, 5/S, 8/B, 2/Z: a code read aloud or copied by hand comes back right.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
SELECTOR_LENGTH = 4
SECRET_LENGTH = 8
#: Web people's ids: below this (Telegram user ids are positive; chats of groups are not users).
WEB_ID_LIMIT = 2**52
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def normalise_code(text: str) -> str:
    """What a person typed, as the code's letters: case, spaces and dashes do not matter."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def format_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def _hash(secret: str, salt: bytes) -> str:
    digest = hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def _matches(secret: str, stored: str) -> bool:
    try:
        kind, salt, _digest = stored.split("$")
    except ValueError:
        return False
    return kind == "scrypt" and hmac.compare_digest(_hash(secret, bytes.fromhex(salt)), stored)


def is_web_person(user_id: int) -> bool:
    return user_id < 0


class WebPeople:
    """Creates web people with their code, and finds them again by it."""

    def __init__(self, sessions: Sessions, clock: Clock, *, people: People | None = None) -> None:
        self._sessions = sessions
        self._clock = clock
        self._people = people

    async def create(self, role: str, locale: str) -> tuple[int, str]:
        """A new person (``role``, ``locale``) and their code, formatted to show once."""
        now = self._clock()
        secret = "".join(secrets.choice(ALPHABET) for _ in range(SECRET_LENGTH))
        # scrypt takes tens of milliseconds on purpose: off the event loop.
        secret_hash = await asyncio.to_thread(_hash, secret, secrets.token_bytes(16))
        async with self._sessions.begin() as s:
            while True:
                user_id = -(1 + secrets.randbelow(WEB_ID_LIMIT - 1))
                selector = "".join(secrets.choice(ALPHABET) for _ in range(SELECTOR_LENGTH))
                taken = await s.get(User, user_id) is not None or (await s.exec(
                    select(WebAccess.user_id).where(WebAccess.selector == selector))).first() is not None
                if not taken:
                    break
            s.add(User(id=user_id, role=role, locale=locale, created_at=now, updated_at=now))
            await s.flush()
            s.add(WebAccess(user_id=user_id, selector=selector, secret_hash=secret_hash,
                            created_at=now, last_seen_at=now))
        if self._people is not None:
            await self._people.remember(user_id, role, locale)
        return user_id, format_code(selector + secret)

    async def find(self, typed: str) -> int | None:
        """The person whose code this is (and it is marked seen), or None."""
        code = normalise_code(typed)
        if len(code) != SELECTOR_LENGTH + SECRET_LENGTH or any(ch not in ALPHABET for ch in code):
            return None
        async with self._sessions() as s:
            row = (await s.exec(select(WebAccess).where(WebAccess.selector == code[:SELECTOR_LENGTH]))).first()
        if row is None or not await asyncio.to_thread(_matches, code[SELECTOR_LENGTH:], row.secret_hash):
            return None
        async with self._sessions.begin() as s:
            found = await s.get(WebAccess, row.user_id)
            if found is None:
                return None
            found.last_seen_at = self._clock()
            return found.user_id

    async def last_seen(self, user_id: int) -> datetime | None:
        async with self._sessions() as s:
            row = await s.get(WebAccess, user_id)
            return row.last_seen_at if row is not None else None
