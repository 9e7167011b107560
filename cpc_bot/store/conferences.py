"""Conferences, invite links and the family members who joined through them."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import select

from cpc_bot.clock import Clock
from cpc_bot.store.crypto import DecryptionError, FieldCipher, owner_of, unreadable
from cpc_bot.store.database import Sessions, forget_rows
from cpc_bot.store.models import Conference, ConferenceMember, Invite

#: Telegram allows 64 characters of [A-Za-z0-9_-] after /start; 128 random bits fit in 22.
CODE_BYTES = 16
#: Invite links, and the memberships made through them, end this long after the conference.
DAYS_AFTER = 14


@dataclass(frozen=True)
class OpenLink:
    """An invite link the professional can share: the code, for whom, how many people, how many joined."""

    code: str
    audience: str
    max_uses: int
    uses: int
    expires_at: datetime


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
                conference.case_ref_enc = self._cipher.encrypt(case_ref, f"conferences.case_ref_enc:{conference.id}",
                                                               owner_of(owner_id))
            return conference

    def case_ref(self, conference: Conference) -> str | None:
        """The case reference, or None (none given, or it does not belong to this conference's
        professional: see ``crypto.unreadable``)."""
        if conference.case_ref_enc is None:
            return None
        try:
            return self._cipher.decrypt(conference.case_ref_enc, f"conferences.case_ref_enc:{conference.id}",
                                        owner_of(conference.owner_id))
        except DecryptionError as exc:
            unreadable("conferences", conference.id, exc)
            return None

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

    async def registered_today(self, owner_id: int) -> int:
        """Conferences this person registered in the last 24 hours."""
        since = self._clock() - timedelta(days=1)
        async with self._sessions() as s:
            return int((await s.exec(select(func.count()).select_from(Conference).where(
                Conference.owner_id == owner_id, Conference.created_at >= since))).one())  # type: ignore[arg-type]

    # invites -----------------------------------------------------------------
    def _code_context(self, code_hash: str) -> str:
        return f"invites.code_enc:{code_hash}"

    async def links_today(self, owner_id: int) -> int:
        """Invite links this person made in the last 24 hours, over all their conferences."""
        since = self._clock() - timedelta(days=1)
        async with self._sessions() as s:
            return int((await s.exec(select(func.count()).select_from(Invite).join(
                Conference, Conference.id == Invite.conference_id).where(  # type: ignore[arg-type]
                Conference.owner_id == owner_id, Invite.created_at >= since))).one())  # type: ignore[arg-type]

    async def open_links(self, conference_id: int) -> list[OpenLink]:
        """The conference's links that still let someone join, oldest first."""
        now = self._clock()
        async with self._sessions() as s:
            conference = await s.get(Conference, conference_id)
            rows = (await s.exec(select(Invite).where(
                Invite.conference_id == conference_id, Invite.revoked == False,  # noqa: E712
                Invite.expires_at > now, Invite.uses < Invite.max_uses,  # type: ignore[arg-type, operator]
                Invite.code_enc.is_not(None)).order_by(Invite.created_at))).all()  # type: ignore[union-attr, arg-type]
        if conference is None:
            return []
        links = []
        owner = owner_of(conference.owner_id, conference_id)
        for row in rows:
            try:
                code = self._cipher.decrypt(row.code_enc or "", self._code_context(row.code_hash), owner)
            except DecryptionError as exc:  # not this professional's: never shown (a new link is made instead)
                unreadable("invites", row.code_hash, exc)
                continue
            links.append(OpenLink(code, row.audience, row.max_uses, row.uses, row.expires_at))
        return links

    async def create_invite(self, conference_id: int, audience: str, expires_at: datetime, max_uses: int = 1) -> str:
        code = secrets.token_urlsafe(CODE_BYTES)
        code_hash = _hash(code)
        async with self._sessions.begin() as s:
            conference = await s.get(Conference, conference_id)
            owner = owner_of(conference.owner_id if conference is not None else 0, conference_id)
            s.add(Invite(code_hash=code_hash, conference_id=conference_id, audience=audience, expires_at=expires_at,
                         created_at=self._clock(), max_uses=max_uses,
                         code_enc=self._cipher.encrypt(code, self._code_context(code_hash), owner)))
        return code

    async def revoke_invites(self, conference_id: int) -> tuple[int, list[ConferenceMember]]:
        """Stop every link of the conference: how many were still open, and the memberships
        made through them, which end too (the rows are deleted and returned)."""
        now = self._clock()
        async with self._sessions.begin() as s:
            rows = (await s.exec(select(Invite).where(Invite.conference_id == conference_id, Invite.revoked == False))).all()  # noqa: E712
            hashes = {row.code_hash for row in rows}
            stopped = sum(1 for row in rows if row.expires_at > now and row.uses < row.max_uses)
            for row in rows:
                row.revoked = True
            ended = [m for m in (await s.exec(select(ConferenceMember).where(
                ConferenceMember.conference_id == conference_id))).all() if m.invite_hash in hashes]
            for member in ended:
                await s.delete(member)
            return stopped, ended

    async def peek(self, code: str) -> tuple[Conference, Invite] | str:
        """What a link is for, changing nothing (a link preview or a mail scanner opens links too);
        or why it cannot be used: unknown, revoked, expired, used."""
        async with self._sessions() as s:
            invite = await s.get(Invite, _hash(code))
            conference = None if invite is None else await s.get(Conference, invite.conference_id)
            if invite is None or conference is None:
                return "unknown"
            return self._why_not(invite) or (conference, invite)

    def _why_not(self, invite: Invite) -> str | None:
        if invite.revoked:
            return "revoked"
        if invite.expires_at <= self._clock():
            return "expired"
        if invite.uses >= invite.max_uses:
            return "used"
        return None

    async def redeem(self, code: str, user_id: int) -> tuple[Conference, ConferenceMember, bool] | str:
        """Join a conference through a link (the person tapped Join): (conference, membership,
        whether it is new), or why not. Someone already in is not counted twice."""
        async with self._sessions.begin() as s:
            # Locked on PostgreSQL so two people tapping at once cannot both take the last place.
            invite = (await s.exec(select(Invite).where(Invite.code_hash == _hash(code)).with_for_update())).first()
            conference = None if invite is None else await s.get(Conference, invite.conference_id)
            if invite is None or conference is None:
                return "unknown"
            member = (await s.exec(select(ConferenceMember).where(
                ConferenceMember.conference_id == conference.id, ConferenceMember.user_id == user_id))).first()
            if member is not None and await self._ends_at(s, member, conference) > self._clock():
                return conference, member, False  # already in (a second link for them takes no one's place)
            why = self._why_not(invite)
            if why is not None:
                return why
            invite.uses += 1
            if member is None:
                member = ConferenceMember(conference_id=conference.id or 0, user_id=user_id, audience=invite.audience,
                                          joined_at=self._clock(), invite_hash=invite.code_hash)
                s.add(member)
            else:  # their earlier link had ended: the new one is the one that counts
                member.audience, member.invite_hash, member.joined_at = invite.audience, invite.code_hash, self._clock()
            await s.flush()
            return conference, member, True

    # members -----------------------------------------------------------------
    def _name_context(self, member_id: int) -> str:
        return f"conference_members.name_enc:{member_id}"

    @staticmethod
    def _name_owner(member: ConferenceMember, conference: Conference) -> str:
        # The person, the conference, and the professional they gave the name to.
        return owner_of(member.user_id, member.conference_id, conference.owner_id)

    def member_name(self, member: ConferenceMember, conference: Conference) -> str | None:
        """The name they chose to give ``conference``'s professional, or None (none given, or
        the row is not theirs or not this professional's: see ``crypto.unreadable``)."""
        if member.name_enc is None:
            return None
        try:
            return self._cipher.decrypt(member.name_enc, self._name_context(member.id or 0),
                                        self._name_owner(member, conference))
        except DecryptionError as exc:
            unreadable("conference_members", member.id, exc)
            return None

    async def set_member_name(self, member_id: int, user_id: int, name: str) -> bool:
        async with self._sessions.begin() as s:
            member = await s.get(ConferenceMember, member_id)
            if member is None or member.user_id != user_id:
                return False
            conference = await s.get(Conference, member.conference_id)
            if conference is None:
                return False
            member.name_enc = self._cipher.encrypt(name, self._name_context(member_id), self._name_owner(member, conference))
            return True

    async def _ends_at(self, s: object, member: ConferenceMember, conference: Conference) -> datetime:
        invite = await s.get(Invite, member.invite_hash) if member.invite_hash else None  # type: ignore[attr-defined]
        return invite.expires_at if invite is not None else conference.starts_at + timedelta(days=DAYS_AFTER)

    async def memberships(self, user_id: int, *, include_ended: bool = False) -> list[tuple[Conference, str]]:
        """The conferences a person is linked to and as whom; after the link's expiry only
        with ``include_ended`` (their data page), never for sending."""
        now = self._clock()
        async with self._sessions() as s:
            rows = (await s.exec(select(ConferenceMember).where(ConferenceMember.user_id == user_id))).all()
            found = []
            for row in rows:
                conference = await s.get(Conference, row.conference_id)
                if conference is not None and (include_ended or await self._ends_at(s, row, conference) > now):
                    found.append((conference, row.audience))
            return found

    async def joined_by(self, user_id: int) -> list[tuple[Conference, ConferenceMember]]:
        """Every membership of a person, ended by expiry or not (for their data page)."""
        async with self._sessions() as s:
            rows = (await s.exec(select(ConferenceMember).where(ConferenceMember.user_id == user_id))).all()
            return [(conference, row) for row in rows if (conference := await s.get(Conference, row.conference_id))]

    async def members(self, conference_id: int) -> list[ConferenceMember]:
        async with self._sessions() as s:
            return list((await s.exec(select(ConferenceMember).where(ConferenceMember.conference_id == conference_id)
                                      .order_by(ConferenceMember.joined_at))).all())  # type: ignore[arg-type]

    async def member(self, member_id: int) -> ConferenceMember | None:
        async with self._sessions() as s:
            return await s.get(ConferenceMember, member_id)

    async def remove_member(self, conference_id: int, member_id: int) -> ConferenceMember | None:
        """End one membership (the professional removed them); the row is deleted and returned."""
        async with self._sessions.begin() as s:
            member = await s.get(ConferenceMember, member_id)
            if member is None or member.conference_id != conference_id:
                return None
            await s.delete(member)
            return member
