"""The language for each update: the user's choice, else their Telegram language."""

from __future__ import annotations

from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware

from cpc_bot.i18n.locale import negotiate_locale
from cpc_bot.store.repository import Repository


class UserLocaleMiddleware(I18nMiddleware):
    """Reads the saved choice from the users table; falls back to Telegram's language_code."""

    def __init__(self, i18n: I18n, repo: Repository) -> None:
        super().__init__(i18n)
        self.repo = repo

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user: User | None = data.get("event_from_user")
        if user is None:
            return self.i18n.default_locale
        stored = await self.repo.get_user(user.id)
        if stored is not None and stored.locale in self.i18n.available_locales:
            return stored.locale
        return negotiate_locale(user.language_code, self.i18n.available_locales, self.i18n.default_locale)
