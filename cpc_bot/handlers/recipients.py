"""Who a family member's Send button sends to, in words they can check before they tap.

Every Send button and every "Sent" names the recipient: the verified professional's name,
job and organisation (from their verification profile, decrypted only to be shown) and the
conference date. A professional who is not verified (yet) is never named: the name they
typed is unchecked, and a send to them is held anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from babel.dates import format_skeleton

from cpc_bot.clock import LONDON
from cpc_bot.engine.values import format_day
from cpc_bot.store.conferences import ConferenceRepository
from cpc_bot.store.models import Conference
from cpc_bot.store.professionals import Details, ProfessionalRepository

#: Telegram cuts long button labels on a phone: the name in a button is kept short, and the
#: whole line (name, job, organisation, date) goes in the message above it.
BUTTON_NAME_CHARS = 28


@dataclass(frozen=True)
class Recipient:
    """A conference a family member is linked to, and its professional as they can be named."""

    conference: Conference
    audience: str
    #: None when the professional is not verified: they are then not named.
    details: Details | None

    @property
    def day(self) -> date:
        return self.conference.starts_at.astimezone(LONDON).date()


def _locale() -> str:
    locale = get_i18n().current_locale
    return "en_GB" if locale == "en" else locale


def who(recipient: Recipient) -> str:
    """"Sam Patel, social worker, Leicester City Council", or who they are when not verified."""
    details = recipient.details
    words = [w.strip() for w in (details.name, details.job, details.organisation) if w and w.strip()] if details else []
    if not words:
        return _("the professional who invited you (not verified yet)")
    return ", ".join(words)


def full_line(recipient: Recipient) -> str:
    """The whole line, for the message above a Send button (plain text: escape it for HTML)."""
    return _("%(who)s, for the meeting on %(day)s") % {
        "who": who(recipient), "day": format_day(recipient.day, get_i18n().current_locale)}


def button_text(recipient: Recipient) -> str:
    """A short, distinct label: "📤 Send to Sam Patel (5 Jan)"."""
    day = format_skeleton("MMMd", recipient.day, locale=_locale())
    name = (recipient.details.name or "").strip() if recipient.details else ""
    if not name:
        return _("📤 Send (%(day)s)") % {"day": day}
    if len(name) > BUTTON_NAME_CHARS:
        name = name[:BUTTON_NAME_CHARS - 1].rstrip() + "…"
    return _("📤 Send to %(name)s (%(day)s)") % {"name": name, "day": day}


def sent_line(recipient: Recipient) -> str:
    """The read-back after sending (plain text)."""
    return _("Sent to %(who)s, for the meeting on %(day)s. Nobody else received it.") % {
        "who": who(recipient), "day": format_day(recipient.day, get_i18n().current_locale)}


class Recipients:
    """Reads a family member's linked conferences with their professionals' names."""

    def __init__(self, conferences: ConferenceRepository, professionals: ProfessionalRepository | None) -> None:
        self.conferences = conferences
        self.professionals = professionals

    async def describe(self, conference: Conference, audience: str = "") -> Recipient:
        details = None
        if self.professionals is not None:
            profile = await self.professionals.profile(conference.owner_id)
            if self.professionals.is_verified(profile):
                assert profile is not None
                details = self.professionals.details(profile)
        return Recipient(conference, audience, details)

    async def for_member(self, user_id: int, audience: str | None = None) -> list[Recipient]:
        """The person's linked conferences (only those joined as ``audience`` when given), by date."""
        found = [await self.describe(c, a) for c, a in await self.conferences.memberships(user_id)
                 if audience is None or a == audience]
        return sorted(found, key=lambda r: (r.conference.starts_at, r.conference.id or 0))
