"""/language: choose the language the bot speaks; saved on the user row."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from cpc_bot.engine.screens import menu_button
from cpc_bot.handlers.menu import MenuCb
from cpc_bot.i18n.locale import LANGUAGES, language_name
from cpc_bot.store.repository import Repository

log = logging.getLogger(__name__)


def _choices(i18n: I18n) -> list[str]:
    """In the menu's order (English, then the most spoken in England); any other catalogue after."""
    codes = set(i18n.available_locales) | {i18n.default_locale}
    order = list(LANGUAGES)
    return sorted(codes, key=lambda c: (order.index(c) if c in order else len(order), c))


async def cmd_language(message: Message, i18n: I18n) -> None:
    keys = [
        InlineKeyboardButton(text=("✅ " if code == i18n.current_locale else "") + language_name(code),
                             callback_data=MenuCb(a="lang", v=code).pack())
        for code in _choices(i18n)
    ]
    rows = [keys[i:i + 2] for i in range(0, len(keys), 2)]  # two a row: nine languages fit one screen
    rows.append([menu_button()])
    await message.answer(_("Which language would you like?"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


async def on_language(query: CallbackQuery, callback_data: MenuCb, i18n: I18n, repo: Repository) -> None:
    code = callback_data.v
    if code not in _choices(i18n) or not isinstance(query.message, Message):
        await query.answer(_("This button no longer works. Send /start to carry on."))
        return
    await repo.update_user(query.from_user.id, locale=code)
    log.info("language.changed user=%s locale=%s", query.from_user.id, code)
    with i18n.use_locale(code):
        await query.answer()
        await query.message.edit_text(
            _("From now on I will write in English. Send /start to carry on."),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[[menu_button()]]),
        )


def setup() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_language, Command("language"))
    router.callback_query.register(on_language, MenuCb.filter(F.a == "lang"))
    return router
