"""Reminders for parents and carers, planned from the conference date they gave us."""

from __future__ import annotations

from datetime import date

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from cpc_bot.clock import Clock
from cpc_bot.domain.parent_reminders import plan_parent_reminders
from cpc_bot.engine.values import format_day
from cpc_bot.engine.view import View
from cpc_bot.reminders.reports import after_conference_button, reports_question
from cpc_bot.reminders.sender import ReminderRenderer
from cpc_bot.reminders.store import DueReminder, Planned, ReminderStore
from cpc_bot.store.models import Response

#: The answers in the parents' questionnaire that the reminders read.
DATE_KEY = "conference_date"
KIND_KEY = "conference_kind"
KINDS = {"first": "initial", "review": "review"}


class ParentReminderPlanner:
    """Keeps a parent's reminder rows in step with the conference date they gave."""

    def __init__(self, store: ReminderStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def __call__(self, response: Response, view: View, key: str) -> None:
        """After the date or the kind of conference is answered: follow what they typed."""
        if key not in (DATE_KEY, KIND_KEY):
            return  # other answers change no reminder (and re-planning costs writes on every step)
        day = view.answers.get(DATE_KEY)
        kind = KINDS.get(view.answers.get(KIND_KEY) or "", "not_sure")
        await self.plan(response.user_id, self.prefix(response), date.fromisoformat(day) if day else None, kind)

    @staticmethod
    def prefix(response: Response) -> str:
        """One set of reminders per questionnaire: re-planning it replaces them, never adds."""
        return f"parent:{response.id}:"

    async def forget(self, response: Response) -> None:
        """The questionnaire is being deleted to start again: its reminders go with its answers;
        the new one's date plans them afresh."""
        await self.store.delete(response.user_id, self.prefix(response))

    async def plan(self, user_id: int, prefix: str, day: date | None, kind: str) -> None:
        """Replace the pending reminders under ``prefix`` with those for ``day`` (none when None)."""
        plan = [] if day is None else plan_parent_reminders(day, None, kind, self.clock())
        await self.store.replace(user_id, prefix, [
            Planned(prefix + planned.what, f"parent.{planned.what}", planned.due_at, planned.params) for planned in plan])


def _day(reminder: DueReminder, key: str) -> str:
    return format_day(date.fromisoformat(reminder.params[key]), get_i18n().current_locale)


def _reports_by(r: DueReminder) -> tuple[str, InlineKeyboardMarkup | None]:
    # The question about the reports (issue 18): its buttons are in reminders.reports.
    return _(
        "Your child protection conference is on %(day)s.\n\n"
        "You should have copies of all the reports by today, %(reports_by)s. Have you had them?"
    ) % {"day": _day(r, "conference_day"), "reports_by": _day(r, "reports_by")}, reports_question(r.id)


def _day_before(r: DueReminder) -> tuple[str, InlineKeyboardMarkup | None]:
    return _(
        "Your child protection conference is tomorrow, %(day)s.\n\n"
        "• Try to arrive 15 minutes early: the chair will meet you before it starts.\n"
        "• Bring your notes or your report (send /report to get it again).\n"
        "• You can bring someone to support you."
    ) % {"day": _day(r, "conference_day")}, None


def _morning_of(r: DueReminder) -> tuple[str, InlineKeyboardMarkup | None]:
    return _(
        "Your child protection conference is today.\n\n"
        "Arrive 15 minutes early to meet the chair, and bring your notes. "
        "It is fine to feel nervous. You can ask for a break at any time."
    ), None


def _next_steps(r: DueReminder) -> tuple[str, InlineKeyboardMarkup | None]:
    return _(
        "What happens next:\n\n"
        "• If there is a child protection plan, the first core group meeting should be by %(core_group_by)s. "
        "That is a meeting of you and the main people working with your family, to work on the plan.\n"
        "• You should get the notes of the conference by %(notes_by)s."
    ) % {"core_group_by": _day(r, "core_group_by"), "notes_by": _day(r, "notes_by")}, None


def _notes_by(r: DueReminder) -> tuple[str, InlineKeyboardMarkup | None]:
    return _(
        "You should have the notes of your conference by today, %(notes_by)s. "
        "If they have not come, ask your social worker."
    ) % {"notes_by": _day(r, "notes_by")}, InlineKeyboardMarkup(inline_keyboard=[[after_conference_button(r.id)]])


RENDERERS: dict[str, ReminderRenderer] = {
    "parent.reports_by": _reports_by,
    "parent.day_before": _day_before,
    "parent.morning_of": _morning_of,
    "parent.next_steps": _next_steps,
    "parent.notes_by": _notes_by,
}
