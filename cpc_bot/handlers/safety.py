"""Help is always one tap away: the 🆘 button, and a reply when words sound like danger."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.types import CallbackQuery

from cpc_bot.engine.screens import SOS_DATA, help_now_text

log = logging.getLogger(__name__)


async def on_sos(query: CallbackQuery) -> None:
    # Log the event only: never what the person wrote, never more than the id.
    log.warning("safety.sos_button user=%s", query.from_user.id)
    await query.answer()
    if query.message is not None:
        await query.message.answer(help_now_text())  # type: ignore[union-attr]


def setup() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(on_sos, F.data == SOS_DATA)
    return router
