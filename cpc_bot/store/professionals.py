"""Professionals' verification: profiles (encrypted), mailed codes (hashed), admins, the audit trail."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import delete, func
from sqlmodel import select

from cpc_bot.clock import Clock
from cpc_bot.store.crypto import DecryptionError, FieldCipher, owner_of, unreadable
from cpc_bot.store.database import Sessions
from cpc_bot.store.models import (
    AreaAdmin,
    ProfessionalProfile,
    User,
    VerificationCode,
    VerificationEvent,
)

#: The profile's personal fields, each encrypted in ``<field>_enc``.
FIELDS = ("name", "job", "organisation", "email")


@dataclass(frozen=True)
class Details:
    """A profile's words, decrypted."""

    name: str | None
    job: str | None
    organisation: str | None
    email: str | None


def _months_later(moment: datetime, months: int) -> datetime:
    """The same day ``months`` later (the last day of a shorter month)."""
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


class ProfessionalRepository:
    def __init__(self, sessions: Sessions, cipher: FieldCipher, clock: Clock, *, hash_key: bytes,
                 config_admins: dict[str, frozenset[int]] | None = None) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self._clock = clock
        # Codes and addresses are kept as HMACs under a key derived from the app key: a copy of
        # the database alone gives neither (a 6-digit code would fall to a plain hash at once).
        self._hash_key = hash_key
        self._config_admins = config_admins or {}

    def keyed_hash(self, purpose: str, value: str) -> str:
        return hmac.new(self._hash_key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    # profiles ----------------------------------------------------------------
    async def profile(self, user_id: int) -> ProfessionalProfile | None:
        async with self._sessions() as s:
            return await s.get(ProfessionalProfile, user_id)

    def details(self, profile: ProfessionalProfile) -> Details:
        """The words, each None when not given or not this person's (see ``crypto.unreadable``)."""
        def read(name: str) -> str | None:
            token = getattr(profile, f"{name}_enc")
            if token is None:
                return None
            try:
                return self._cipher.decrypt(token, f"professional_profiles.{name}_enc:{profile.user_id}",
                                            owner_of(profile.user_id))
            except DecryptionError as exc:
                unreadable("professional_profiles", profile.user_id, exc)
                return None

        return Details(*(read(name) for name in FIELDS))

    async def start(self, user_id: int, area: str) -> None:
        """Begin (or begin again) a request: the area chosen, the words cleared."""
        now = self._clock()
        async with self._sessions.begin() as s:
            if await s.get(User, user_id) is None:
                s.add(User(id=user_id, created_at=now, updated_at=now))
                await s.flush()
            profile = await s.get(ProfessionalProfile, user_id)
            if profile is None:
                profile = ProfessionalProfile(user_id=user_id, created_at=now, updated_at=now)
                s.add(profile)
            if profile.status == "verified" and profile.verified_until and profile.verified_until > now:
                return  # asking again while verified changes nothing
            profile.area, profile.status, profile.method, profile.verified_until = area, "draft", None, None
            for name in FIELDS:
                setattr(profile, f"{name}_enc", None)
            profile.updated_at = now

    async def set_field(self, user_id: int, name: str, value: str) -> None:
        assert name in FIELDS
        token = self._cipher.encrypt(value, f"professional_profiles.{name}_enc:{user_id}", owner_of(user_id))
        async with self._sessions.begin() as s:
            profile = await s.get(ProfessionalProfile, user_id)
            if profile is not None:
                setattr(profile, f"{name}_enc", token)
                profile.updated_at = self._clock()

    async def set_status(self, user_id: int, status: str) -> None:
        async with self._sessions.begin() as s:
            profile = await s.get(ProfessionalProfile, user_id)
            if profile is not None:
                profile.status, profile.updated_at = status, self._clock()

    def is_verified(self, profile: ProfessionalProfile | None) -> bool:
        return (profile is not None and profile.status == "verified" and profile.verified_until is not None
                and profile.verified_until > self._clock())

    async def verified(self, user_id: int) -> bool:
        return self.is_verified(await self.profile(user_id))

    async def decide(self, subject_id: int, action: str, actor_id: int | None, *, months: int,
                     expect: tuple[str, ...]) -> ProfessionalProfile | None:
        """Approve (``approved``, ``email_verified``), refuse or revoke, with its audit row, if the
        profile's status is one of ``expect``; None otherwise (already decided, or gone)."""
        now = self._clock()
        async with self._sessions.begin() as s:
            profile = await s.get(ProfessionalProfile, subject_id)
            if profile is None or profile.status not in expect or profile.area is None:
                return None
            if action in ("approved", "email_verified"):
                profile.status, profile.verified_until = "verified", _months_later(now, months)
                profile.method = "admin" if action == "approved" else "email"
            else:
                profile.status, profile.verified_until = ("refused" if action == "refused" else "revoked"), None
            profile.updated_at = now
            s.add(VerificationEvent(at=now, actor_id=actor_id, subject_id=subject_id, action=action, area=profile.area))
            return profile

    async def verified_in(self, areas: set[str]) -> list[ProfessionalProfile]:
        async with self._sessions() as s:
            rows = await s.exec(select(ProfessionalProfile).where(
                ProfessionalProfile.status == "verified", ProfessionalProfile.area.in_(areas),  # type: ignore[union-attr]
                ProfessionalProfile.verified_until > self._clock()))  # type: ignore[operator]
            return list(rows.all())

    async def events(self, subject_id: int | None = None) -> list[VerificationEvent]:
        async with self._sessions() as s:
            query = select(VerificationEvent).order_by(VerificationEvent.id)  # type: ignore[arg-type]
            if subject_id is not None:
                query = query.where(VerificationEvent.subject_id == subject_id)
            return list((await s.exec(query)).all())

    # codes -----------------------------------------------------------------------
    async def codes_today(self, user_id: int, address_hash: str) -> tuple[int, int]:
        """Codes sent in the last 24 hours to this person, and to this address."""
        since = self._clock() - timedelta(days=1)
        async with self._sessions() as s:
            mine = (await s.exec(select(func.count()).select_from(VerificationCode).where(
                VerificationCode.user_id == user_id, VerificationCode.created_at >= since))).one()  # type: ignore[arg-type]
            theirs = (await s.exec(select(func.count()).select_from(VerificationCode).where(
                VerificationCode.address_hash == address_hash, VerificationCode.created_at >= since))).one()  # type: ignore[arg-type]
            return int(mine), int(theirs)

    async def new_code(self, user_id: int, address_hash: str, code: str, valid: timedelta) -> None:
        now = self._clock()
        async with self._sessions.begin() as s:
            for old in (await s.exec(select(VerificationCode).where(
                    VerificationCode.user_id == user_id, VerificationCode.used == False))).all():  # noqa: E712
                old.used = True  # one live code at a time
            s.add(VerificationCode(user_id=user_id, address_hash=address_hash, code_hash=self.keyed_hash("code", code),
                                   expires_at=now + valid, created_at=now))

    async def try_code(self, user_id: int, code: str, max_tries: int) -> str:
        """``ok``, ``wrong`` (tries left), ``spent`` (too many tries, or expired), or ``none``."""
        now = self._clock()
        async with self._sessions.begin() as s:
            row = (await s.exec(select(VerificationCode).where(
                VerificationCode.user_id == user_id, VerificationCode.used == False)  # noqa: E712
                .order_by(VerificationCode.id.desc()))).first()  # type: ignore[union-attr]
            if row is None:
                return "none"
            if row.expires_at <= now or row.tries >= max_tries:
                row.used = True
                return "spent"
            if hmac.compare_digest(row.code_hash, self.keyed_hash("code", code)):
                row.used = True
                return "ok"
            row.tries += 1
            if row.tries >= max_tries:
                row.used = True
                return "spent"
            return "wrong"

    async def forget_codes(self, before: datetime) -> None:
        """Codes (and the address hashes kept for the daily cap) are only needed for a day."""
        async with self._sessions.begin() as s:
            await s.exec(delete(VerificationCode).where(VerificationCode.created_at < before))  # type: ignore[arg-type]

    async def forget_lapsed(self, before: datetime) -> int:
        """Delete the profiles (name, job, organisation, work email) nobody needs any more: a
        verification that ended before ``before``, and requests refused, revoked or left
        unfinished (never answered by an admin, or never given the mailed code) last changed
        before then. The audit trail keeps its ids; such a professional asks again from the start.
        Returns how many went."""
        lapsed = sa.or_(
            sa.and_(ProfessionalProfile.status == "verified", ProfessionalProfile.verified_until < before),  # type: ignore[operator]
            sa.and_(ProfessionalProfile.status != "verified", ProfessionalProfile.updated_at < before),  # type: ignore[operator]
        )
        async with self._sessions.begin() as s:
            result = await s.exec(delete(ProfessionalProfile).where(lapsed))  # type: ignore[call-overload]
            return int(result.rowcount or 0)

    # admins ----------------------------------------------------------------------
    async def admins(self, area: str) -> set[int]:
        async with self._sessions() as s:
            stored = set((await s.exec(select(AreaAdmin.user_id).where(AreaAdmin.area == area))).all())
        return stored | set(self._config_admins.get(area, ()))

    async def admin_areas(self, user_id: int) -> set[str]:
        async with self._sessions() as s:
            stored = set((await s.exec(select(AreaAdmin.area).where(AreaAdmin.user_id == user_id))).all())
        return stored | {area for area, ids in self._config_admins.items() if user_id in ids}

    async def add_admin(self, area: str, user_id: int) -> bool:
        async with self._sessions.begin() as s:
            if await s.get(AreaAdmin, (area, user_id)) is not None:
                return False
            s.add(AreaAdmin(area=area, user_id=user_id, created_at=self._clock()))
            return True

    async def remove_admin(self, area: str, user_id: int) -> bool:
        async with self._sessions.begin() as s:
            row = await s.get(AreaAdmin, (area, user_id))
            if row is None:
                return False
            await s.delete(row)
            return True

    async def all_admins(self) -> list[tuple[str, int, str]]:
        """(area, telegram id, where from: database or configuration)."""
        async with self._sessions() as s:
            stored = [(a.area, a.user_id, "database") for a in (await s.exec(select(AreaAdmin))).all()]
        configured = [(area, uid, "configuration") for area, ids in self._config_admins.items() for uid in ids]
        return sorted(stored + configured)
