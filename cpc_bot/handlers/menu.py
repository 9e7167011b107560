"""Callback data for buttons outside the questionnaires (roles, menus, languages)."""

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _


class MenuCb(CallbackData, prefix="m"):
    """``a`` is the action (role, age, open, lang), ``v`` its value."""

    a: str
    v: str = ""


def role_keyboard(only: str | None = None) -> InlineKeyboardMarkup:
    """Who are you? All three roles, or only ``only`` (after joining through an invite link)."""
    rows = [
        ("parent", _("👪 I am a parent or carer")),
        ("child", _("🧒 I am a child or young person")),
        ("professional", _("🧑‍💼 I work with children")),
    ]
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=text, callback_data=MenuCb(a="role", v=role).pack())]
        for role, text in rows if only in (None, role)])
