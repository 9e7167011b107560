"""Conferences, invite links and the family members who joined through them."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlmodel import select

from cpc_bot.clock import Clock
from cpc_bot.store.crypto import FieldCipher
from cpc_bot.store.database import Sessions, forget_rows
from cpc_bot.store.models import Conference, ConferenceMember, Invite

#: Telegram allows 64 characters of [A-Za-z0-9_-] after /start; 128 random bits fit in 22.
CODE_BYTES = 16


def _hash(code: str) -> str:
    # Only the hash is stored: a copy of the database does not hand out working links.
    return hashlib.sha256(code.encode()).hexdigest()


class ConferenceRepository:
    def __init__(self, sessions: Sessions, cipher: FieldCipher, clock: Clock) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self._clock = clock

    async def create(self, owner_id: int, *, kind: str, area: str, role: str, starts_at: datetime, has_time: bool,
                     case_ref: str | None) -> Conference:
        now = self._clock()
        async with self._sessions.begin() as s:
            conference = Conference(owner_id=owner_id, kind=kind, area=area, role=role, starts_at=starts_at,
                                    has_time=has_time, created_at=now, updated_at=now)
            s.add(conference)
            await s.flush()
            if case_ref:
                conference.case_ref_enc = self._cipher.encrypt(case_ref, f"conferences.case_ref_enc:{conference.id}")
            return conference

    def case_ref(self, conference: Conference) -> str | None:
        if conference.case_ref_enc is None:
            return None
        return self._cipher.decrypt(conference.case_ref_enc, f"conferences.case_ref_enc:{conference.id}")

    async def get(self, conference_id: int) -> Conference | None:
        async with self._sessions() as s:
            return await s.get(Conference, conference_id)

    async def owned(self, conference_id: int, owner_id: int) -> Conference | None:
        conference = await self.get(conference_id)
        return conference if conference is not None and conference.owner_id == owner_id else None

    async def for_owner(self, owner_id: int) -> list[Conference]:
        async with self._sessions() as s:
            rows = await s.exec(select(Conference).where(Conference.owner_id == owner_id).order_by(Conference.starts_at))  # type: ignore[arg-type]
            return list(rows.all())

    async def move(self, conference_id: int, owner_id: int, starts_at: datetime) -> tuple[Conference, datetime | None] | None:
        """Give the conference a new start; its invite links that still work move with it (they
        stop working the same time after the new date as after the old). Returns the conference
        and when its moved links now stop working (None when it has none), or None if not theirs."""
        now = self._clock()
        async with self._sessions.begin() as s:
            conference = await s.get(Conference, conference_id)
            if conference is None or conference.owner_id != owner_id:
                return None
            shift = starts_at - conference.starts_at
            conference.starts_at, conference.updated_at = starts_at, now
            # An expired or revoked link stays dead: moving a conference never brings one back.
            live = (await s.exec(select(Invite).where(Invite.conference_id == conference_id,
                                                      Invite.revoked == False,  # noqa: E712
                                                      Invite.expires_at > now))).all()  # type: ignore[arg-type, operator]
            for invite in live:
                invite.expires_at = invite.expires_at + shift
            return conference, max((invite.expires_at for invite in live), default=None)

    async def delete(self, conference_id: int, owner_id: int) -> bool:
        async with self._sessions.begin() as s:
            conference = await s.get(Conference, conference_id)
            if conference is None or conference.owner_id != owner_id:
                return False
            await s.delete(conference)
            await s.flush()
            forget_rows(s)  # the database cascaded this delete
            return True

    # invites -----------------------------------------------------------------
    async def create_invite(self, conference_id: int, audience: str, expires_at: datetime) -> str:
        code = secrets.token_urlsafe(CODE_BYTES)
        async with self._sessions.begin() as s:
            s.add(Invite(code_hash=_hash(code), conference_id=conference_id, audience=audience, expires_at=expires_at,
                         created_at=self._clock()))
        return code

    async def revoke_invites(self, conference_id: int) -> int:
        async with self._sessions.begin() as s:
            rows = (await s.exec(select(Invite).where(Invite.conference_id == conference_id, Invite.revoked == False))).all()  # noqa: E712
            for row in rows:
                row.revoked = True
            return len(rows)

    async def redeem(self, code: str, user_id: int) -> tuple[Conference, str] | str:
        """Join a conference through a link; returns (conference, audience) or why not."""
        async with self._sessions.begin() as s:
            invite = await s.get(Invite, _hash(code))
            if invite is None:
                return "unknown"
            if invite.revoked:
                return "revoked"
            if invite.expires_at <= self._clock():
                return "expired"
            conference = await s.get(Conference, invite.conference_id)
            if conference is None:
                return "unknown"
            member = (await s.exec(select(ConferenceMember).where(
                ConferenceMember.conference_id == conference.id, ConferenceMember.user_id == user_id))).first()
            if member is None:
                s.add(ConferenceMember(conference_id=conference.id or 0, user_id=user_id, audience=invite.audience,
                                       joined_at=self._clock()))
            return conference, invite.audience

    async def memberships(self, user_id: int) -> list[tuple[Conference, str]]:
        async with self._sessions() as s:
            rows = (await s.exec(select(ConferenceMember).where(ConferenceMember.user_id == user_id))).all()
            found = []
            for row in rows:
                conference = await s.get(Conference, row.conference_id)
                if conference is not None:
                    found.append((conference, row.audience))
            return found

    async def members(self, conference_id: int) -> list[ConferenceMember]:
        async with self._sessions() as s:
            return list((await s.exec(select(ConferenceMember).where(ConferenceMember.conference_id == conference_id))).all())
