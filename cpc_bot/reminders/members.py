"""What a family member is told when their link to a conference ends (the professional stopped
the link, or removed them). Sent as a reminder row, so it is in their language, waits for the
morning, and says nothing about child protection in discreet mode."""

from __future__ import annotations

from datetime import date

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from cpc_bot.engine.values import format_day
from cpc_bot.reminders.sender import ReminderRenderer
from cpc_bot.reminders.store import DueReminder

KIND = "member.ended"


def ended_ref(conference_id: int, member_id: int) -> str:
    # Not under "member:" so that cancelling the membership's reminders leaves this one.
    return f"ended:{conference_id}:{member_id}"


def _ended(r: DueReminder) -> tuple[str, InlineKeyboardMarkup | None]:
    day = format_day(date.fromisoformat(r.params["day"]), get_i18n().current_locale)
    return _("The professional for the conference on %(day)s has ended your link to it. Nothing more goes to "
             "them from here, and the reminders for that conference have stopped.\n\n"
             "What you wrote is still yours: send /report or /mydata for a copy. If this is a mistake, "
             "ask them for a new link.") % {"day": day}, None


RENDERERS: dict[str, ReminderRenderer] = {KIND: _ended}
