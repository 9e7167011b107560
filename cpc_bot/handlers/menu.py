"""Callback data for buttons outside the questionnaires (roles, menus, languages)."""

from aiogram.filters.callback_data import CallbackData


class MenuCb(CallbackData, prefix="m"):
    """``a`` is the action (role, age, open, lang), ``v`` its value."""

    a: str
    v: str = ""
