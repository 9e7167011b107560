"""Reminders for parents and carers, planned from the conference date they gave us."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n, ngettext
from aiogram.utils.i18n import gettext as _
from babel.dates import format_date

from cpc_bot.clock import Clock
from cpc_bot.domain.family_rules import conference_kind, family_area
from cpc_bot.domain.parent_reminders import plan_parent_reminders
from cpc_bot.engine.values import format_clock, format_day
from cpc_bot.engine.view import CONTEXT_PREFIX, View
from cpc_bot.reminders.reports import after_conference_button, reports_question
from cpc_bot.reminders.sender import ReminderRenderer
from cpc_bot.reminders.store import DueReminder, Planned, ReminderStore
from cpc_bot.store.conferences import ConferenceRepository
from cpc_bot.store.models import Response
from cpc_bot.store.repository import Repository

#: The answers in the parents' questionnaire that the reminders read.
DATE_KEY = "conference_date"
KIND_KEY = "conference_kind"
AREA_KEY = "area"
#: The dialog context a linked conference gives: its area (the area question is then not asked).
LINKED_AREA = "linked_area"
PREPARE_DIALOG = "parent_prepare"


class FamilyAreas:
    """Which area's rules a family follows: the conference they are linked to says it; otherwise
    their answer in "Prepare your views"; otherwise national guidance."""

    def __init__(self, conferences: ConferenceRepository, repo: Repository) -> None:
        self.conferences = conferences
        self.repo = repo

    async def linked_area(self, user_id: int) -> str | None:
        """The area of the conference this person is linked to as a parent (the latest one)."""
        linked = [c for c, audience in await self.conferences.memberships(user_id) if audience == "parent"]
        return max(linked, key=lambda c: c.starts_at).area if linked else None

    async def context(self, user_id: int) -> dict[str, Any]:
        """The questionnaire's context: ``linked_area`` when a link gives the area."""
        area = await self.linked_area(user_id)
        return {LINKED_AREA: area} if area else {}

    async def linked(self, user_id: int, area: str) -> None:
        """A parent joined a conference in ``area``: their "Prepare your views" (begun or finished)
        no longer asks the area, and follows it. A link that ends later leaves it: the family
        still lives where it does."""
        for response in await self.repo.responses(user_id):
            if response.dialog_id == PREPARE_DIALOG:
                await self.repo.save_answer(response.id or 0, CONTEXT_PREFIX + LINKED_AREA, area)

    async def area_of(self, user_id: int) -> str:
        """Their area for pages read outside the questionnaire (the guide)."""
        area = await self.linked_area(user_id)
        if area is None:
            response = await self.repo.latest_response(user_id, PREPARE_DIALOG)
            if response is not None:
                stored = await self.repo.answers(response.id or 0)
                kept, answer = stored.get(CONTEXT_PREFIX + LINKED_AREA), stored.get(AREA_KEY)
                area = (kept.value if kept is not None
                        else answer.value if answer is not None and not answer.skipped else None)
        return family_area(area)


def area_in(view: View) -> str:
    """The family's area as a questionnaire sees it: the linked conference's, else their answer."""
    return family_area(view.context.get(LINKED_AREA) or view.answers.get(AREA_KEY))


class ParentReminderPlanner:
    """Keeps a parent's reminder rows in step with the conference date they gave."""

    def __init__(self, store: ReminderStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def __call__(self, response: Response, view: View, key: str) -> None:
        """After the date, the kind of conference or the area is answered: follow what they said."""
        if key not in (DATE_KEY, KIND_KEY, AREA_KEY):
            return  # other answers change no reminder (and re-planning costs writes on every step)
        day = view.answers.get(DATE_KEY)
        kind = conference_kind(view.answers.get(KIND_KEY))
        await self.plan(response.user_id, self.prefix(response), date.fromisoformat(day) if day else None, kind,
                        area=area_in(view))

    @staticmethod
    def prefix(response: Response) -> str:
        """One set of reminders per questionnaire: re-planning it replaces them, never adds."""
        return f"parent:{response.id}:"

    async def forget(self, response: Response) -> None:
        """The questionnaire is being deleted to start again: its reminders go with its answers;
        the new one's date plans them afresh."""
        await self.store.delete(response.user_id, self.prefix(response))

    async def plan(self, user_id: int, prefix: str, day: date | None, kind: str, *, area: str | None = None,
                   start: time | None = None) -> None:
        """Replace the pending reminders under ``prefix`` with those for ``day`` (none when None),
        following ``area``'s rules (national guidance when not known)."""
        plan = [] if day is None else plan_parent_reminders(day, start, kind, self.clock(), family_area(area))
        await self.store.replace(user_id, prefix, [
            Planned(prefix + planned.what, f"parent.{planned.what}", planned.due_at, planned.params) for planned in plan])


def _day(reminder: DueReminder, key: str) -> str:
    return format_day(date.fromisoformat(reminder.params[key]), get_i18n().current_locale)


def _weekday(reminder: DueReminder, key: str) -> str:
    """"Saturday 2 January 2027": the day of the week says why a date moved."""
    locale = get_i18n().current_locale
    return format_date(date.fromisoformat(reminder.params[key]), format="full", locale="en_GB" if locale == "en" else locale)


def _reports_by(r: DueReminder) -> tuple[str, InlineKeyboardMarkup | None]:
    """When the reports should have come, by the family's area's rule, naming where it comes from."""
    rule = r.params.get("rule", "in_advance")
    values = {"day": _day(r, "conference_day"), "reports_by": _day(r, "reports_by")}
    if rule == "leicester_48_hours":
        if r.params.get("reports_at"):
            values["reports_by"] = _("%(day)s at %(time)s") % {
                "day": values["reports_by"],
                "time": _("%(time)s UK time") % {"time": format_clock(time.fromisoformat(r.params["reports_at"]),
                                                                      get_i18n().current_locale)}}
        text = _(
            "Your child protection conference is on %(day)s.\n\n"
            "In Leicester, your social worker should give you their report and the chronology (a list of the "
            "important events) at least 48 hours before the meeting: by %(reports_by)s. Before a review conference, "
            "you should also get the updated child protection plan."
        ) % values
        if r.params.get("moved_from"):
            text += "\n\n" + _(
                "48 hours before the meeting is %(moved_from)s, which is not a working day, so this is the working "
                "day before it."
            ) % {"moved_from": _weekday(r, "moved_from")}
    elif rule == "kirklees_3_working_days":
        text = _(
            "Your child protection conference is on %(day)s.\n\n"
            "Kirklees' leaflet for parents says you should get copies of all the reports 3 working days before "
            "the meeting: by today, %(reports_by)s."
        ) % values
    elif rule == "lincolnshire_working_days":
        count = int(r.params.get("working_days") or 2)
        text = ngettext(
            "Your child protection conference is on %(day)s.\n\n"
            "In Lincolnshire, each professional should give you a copy of their report before they send it to the "
            "conference, %(count)d working day before the meeting: by today, %(reports_by)s.",
            "Your child protection conference is on %(day)s.\n\n"
            "In Lincolnshire, each professional should give you a copy of their report before they send it to the "
            "conference, %(count)d working days before the meeting: by today, %(reports_by)s.",
            count,
        ) % {**values, "count": count}
    else:
        area = r.params.get("area")
        if area == "staffordshire":
            said = _("Staffordshire and Stoke-on-Trent's guidance says the professionals should share with you, "
                     "before the conference, what they will tell it.")
        elif area == "cumbria":
            said = _("Cumbria's guidance says all the professionals' reports should be shared with you before "
                     "the conference.")
        else:
            said = _("National guidance says the professionals should share their reports with you before "
                     "the conference.")
        text = _("Your child protection conference is on %(day)s.") % values + "\n\n" + said
    # The question about the reports (issue 18): its buttons are in reminders.reports ("Not yet" gives
    # a message ready to send to the social worker).
    return text + "\n\n" + _("Have you had them?"), reports_question(r.id)


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
    core_group = _(
        "If there is a child protection plan, the first core group meeting should be by %(core_group_by)s. "
        "That is a meeting of you and the main people working with your family, to work on the plan."
    ) % {"core_group_by": _day(r, "core_group_by")}
    if r.params.get("notes_rule") == "kirklees_15_working_days":
        notes = _("You should get the notes of the conference by %(notes_by)s.") % {"notes_by": _day(r, "notes_by")}
    else:
        notes = _("You should be sent the notes of the conference. If nobody has told you when, ask your social "
                  "worker.")
    return _("What happens next:") + "\n\n• " + core_group + "\n• " + notes, None


def _notes_by(r: DueReminder) -> tuple[str, InlineKeyboardMarkup | None]:
    if r.params.get("notes_rule") == "kirklees_15_working_days":
        return _(
            "Kirklees' leaflet for parents says you should get the notes of your conference within 15 working days: "
            "by today, %(notes_by)s. If they have not come, ask your social worker."
        ) % {"notes_by": _day(r, "notes_by")}, InlineKeyboardMarkup(inline_keyboard=[[after_conference_button(r.id)]])
    return _(
        "Have you had the notes of your conference on %(day)s? They say what was decided and what happens next. "
        "If they have not come, ask your social worker or the chair when they will."
    ) % {"day": _day(r, "conference_day")}, InlineKeyboardMarkup(inline_keyboard=[[after_conference_button(r.id)]])


RENDERERS: dict[str, ReminderRenderer] = {
    "parent.reports_by": _reports_by,
    "parent.day_before": _day_before,
    "parent.morning_of": _morning_of,
    "parent.next_steps": _next_steps,
    "parent.notes_by": _notes_by,
}
