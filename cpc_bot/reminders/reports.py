"""When the reports should have come: the question, and the reminder to send the sheet.

The question rides on the parents' "reports by" reminder (``parent.reports_by``): it comes on
the day the area's rule gives (:func:`cpc_bot.domain.parent_reminders.plan_parent_reminders`,
its ``reports_by`` param), never a second count of our own, and like every reminder it waits
for the morning and says nothing in discreet mode until "Show it" is tapped. Its buttons are
answered in :mod:`cpc_bot.handlers.corrections`.

Once the parent has made their "Corrections and disagreements" sheet, one more reminder, on
the working day before the conference, asks them to send it to the chair.
"""

from __future__ import annotations

from datetime import date, datetime, time

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from cpc_bot.clock import LONDON, Clock
from cpc_bot.domain.working_days import add_working_days
from cpc_bot.engine.values import format_day
from cpc_bot.reminders.sender import ReminderRenderer
from cpc_bot.reminders.store import DueReminder, Planned, ReminderStore

SEND_KIND = "parent.send_sheet"


class ReportsCb(CallbackData, prefix="rr"):
    """A button under the reports question or the send reminder: which reminder, which answer."""

    reminder_id: int
    action: str  # yes | no | sheet | after


def reports_question(reminder_id: int) -> InlineKeyboardMarkup:
    """"Have you had the reports?" Yes opens the corrections sheet; Not yet gives a message to send."""
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=_("✅ Yes, I have them"),
                              callback_data=ReportsCb(reminder_id=reminder_id, action="yes").pack())],
        [InlineKeyboardButton(text=_("⏳ Not yet"), callback_data=ReportsCb(reminder_id=reminder_id, action="no").pack())],
    ])


def after_conference_button(reminder_id: int) -> InlineKeyboardButton:
    """"If you disagree with the notes": how to ask the chair to correct them, and complaints."""
    return InlineKeyboardButton(text=_("✏️ If something in the notes is wrong"),
                                callback_data=ReportsCb(reminder_id=reminder_id, action="after").pack())


def sheet_ref(response_id: int) -> str:
    """Under "parent:" so that retention's sweep cancels it with the parent's other reminders."""
    return f"parent:sheet:{response_id}:"


async def plan_send_reminder(store: ReminderStore, clock: Clock, user_id: int, response_id: int,
                             conference_day: date | None) -> date | None:
    """Remind the parent, at 10:00 on the working day before the conference, to send their sheet
    to the chair; nothing when that is past or the day is not known. Returns the reminder's day."""
    prefix = sheet_ref(response_id)
    day = add_working_days(conference_day, -1) if conference_day is not None else None
    due = datetime.combine(day, time(10), LONDON) if day is not None else None
    if conference_day is None or due is None or due <= clock():
        await store.replace(user_id, prefix, [])
        return None
    not_after = datetime.combine(conference_day, time(0), LONDON)
    await store.replace(user_id, prefix, [Planned(prefix + "send", SEND_KIND, due, {
        "conference_day": conference_day.isoformat(), "not_after": not_after.isoformat()})])
    return day


def _send_sheet(r: DueReminder) -> tuple[str, InlineKeyboardMarkup | None]:
    day = format_day(date.fromisoformat(r.params["conference_day"]), get_i18n().current_locale)
    text = _(
        "Your child protection conference is on %(day)s.\n\n"
        "Have you sent your sheet \"Corrections and disagreements\" to the chair? If not, please send it "
        "today, so they can read it before the conference. If you do not know how to reach the chair, "
        "ask your social worker to pass it on. Take a copy with you on the day."
    ) % {"day": day}
    button = InlineKeyboardButton(text=_("📄 Send me the sheet again"),
                                  callback_data=ReportsCb(reminder_id=r.id, action="sheet").pack())
    return text, InlineKeyboardMarkup(inline_keyboard=[[button]])


RENDERERS: dict[str, ReminderRenderer] = {SEND_KIND: _send_sheet}
