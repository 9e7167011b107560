"""Which language to speak: negotiation from Telegram's language code, names, direction."""

from __future__ import annotations

from collections.abc import Iterable

from babel import Locale, UnknownLocaleError
from babel import negotiate_locale as babel_negotiate

#: Languages families in England often speak, by native name, in the order the menu shows them:
#: English, then the most spoken main languages in England (2021 census).
LANGUAGES: dict[str, str] = {
    "en": "English",
    "pl": "Polski",
    "ro": "Română",
    "pa": "ਪੰਜਾਬੀ",
    "ur": "اردو",
    "pt": "Português",
    "ar": "العربية",
    "bn": "বাংলা",
    "gu": "ગુજરાતી",
    "so": "Soomaali",
}


def negotiate_locale(telegram_code: str | None, available: Iterable[str], default: str) -> str:
    """"pl-PL" -> "pl" when we have Polish; anything we do not have -> ``default``."""
    if not telegram_code:
        return default
    wanted = telegram_code.replace("-", "_")
    found = babel_negotiate([wanted, wanted.split("_")[0]], list(available), sep="_")
    return found or default


def is_rtl(locale: str) -> bool:
    """Urdu and Arabic are written right to left."""
    try:
        return Locale.parse(locale).character_order == "right-to-left"
    except (UnknownLocaleError, ValueError):
        return False


def language_name(code: str) -> str:
    """The language's own name for itself, e.g. "Polski"."""
    if code in LANGUAGES:
        return LANGUAGES[code]
    try:
        name = Locale.parse(code).get_display_name(code)
    except (UnknownLocaleError, ValueError):
        return code
    return name[:1].upper() + name[1:] if name else code
