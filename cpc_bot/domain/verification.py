"""Who may verify professionals, and which work emails may: pure rules read from configuration.

Admins per area: ``leicester:12345,67890;kirklees:555``. Email domains per area:
``leicester:leicester.gov.uk,nhs.net``. A domain must be one organisation's own: a wildcard
(``*.gov.uk``) or a suffix many organisations share (``gov.uk``, ``nhs.uk``) would let anyone
with such an address in, so it is refused.
"""

from __future__ import annotations

import re

from cpc_bot.domain.areas import ALIASES, AREAS
from cpc_bot.i18n.markers import N_

#: Each area's name as people read it (translated where shown).
AREA_LABELS = {
    "cumbria": N_("Cumbria"), "kirklees": N_("Kirklees"), "leicester": N_("Leicester"),
    "lincolnshire": N_("Lincolnshire"), "staffordshire": N_("Staffordshire and Stoke-on-Trent"),
    "national": N_("Elsewhere in England"),
}

#: Suffixes shared by many unrelated organisations: never an allow-list entry on their own.
SHARED_SUFFIXES = frozenset({
    "uk", "com", "net", "org", "gov", "nhs", "gov.uk", "org.uk", "co.uk", "ac.uk", "nhs.uk", "police.uk",
    "sch.uk", "ltd.uk", "plc.uk", "me.uk", "net.uk", "mod.uk", "parliament.uk", "gmail.com",
    "outlook.com", "hotmail.com", "hotmail.co.uk", "yahoo.com", "yahoo.co.uk", "icloud.com", "live.com",
    "live.co.uk", "btinternet.com", "googlemail.com", "protonmail.com", "proton.me", "aol.com",
})

_DOMAIN_RE = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@([A-Za-z0-9.-]{4,253})$")


def area_key(name: str) -> str:
    """An area as configured (``Stoke`` -> ``staffordshire``); ValueError for an unknown one."""
    key = ALIASES.get(name.strip().lower(), name.strip().lower())
    if key not in AREAS:
        raise ValueError(f"unknown area {name.strip()!r} (areas: {', '.join(AREAS)})")
    return key


def _pairs(text: str) -> list[tuple[str, list[str]]]:
    found = []
    for part in text.split(";"):
        if not part.strip():
            continue
        area, sep, values = part.partition(":")
        if not sep:
            raise ValueError(f"{part.strip()!r} should look like area:value,value")
        found.append((area_key(area), [v.strip() for v in values.split(",") if v.strip()]))
    return found


def parse_admins(text: str) -> dict[str, frozenset[int]]:
    """``leicester:12345,67890;kirklees:555`` -> {area: {telegram ids}}."""
    admins: dict[str, set[int]] = {}
    for area, values in _pairs(text):
        for value in values:
            if not (value.isascii() and value.isdigit()):
                raise ValueError(f"admin {value!r} for {area} is not a Telegram id (digits only)")
            admins.setdefault(area, set()).add(int(value))
    return {area: frozenset(ids) for area, ids in admins.items()}


def parse_domains(text: str) -> dict[str, frozenset[str]]:
    """``leicester:leicester.gov.uk,nhs.net`` -> {area: {domains}}; refuses wildcards and shared suffixes."""
    domains: dict[str, set[str]] = {}
    for area, values in _pairs(text):
        for value in values:
            domain = value.lower().lstrip("@")
            if "*" in domain or "?" in domain:
                raise ValueError(f"{value!r}: no wildcards; name each organisation's own domain")
            if not _DOMAIN_RE.match(domain):
                raise ValueError(f"{value!r} is not a domain")
            if domain in SHARED_SUFFIXES:
                raise ValueError(f"{value!r} is shared by many organisations; name an organisation's own domain")
            domains.setdefault(area, set()).add(domain)
    return {area: frozenset(names) for area, names in domains.items()}


def normalise_email(text: str) -> str | None:
    """A work email as typed, trimmed and with its domain in lower case; None if it is not one."""
    found = _EMAIL_RE.match(text.strip())
    if found is None or not _DOMAIN_RE.match(found.group(1).lower()):
        return None
    local, _at, domain = text.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


def domain_allowed(email: str, allowed: frozenset[str]) -> bool:
    """The address's domain is on the list exactly (``x@leicester.gov.uk`` for ``leicester.gov.uk``).
    A subdomain is not: ``x@evil.leicester.gov.uk`` may be a different mail system."""
    return email.rpartition("@")[2].lower() in allowed
