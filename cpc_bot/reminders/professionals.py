"""Nudges for professionals: planned from a conference's deadlines, sent on working-day mornings."""

from __future__ import annotations

from datetime import date, datetime

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n, ngettext
from aiogram.utils.i18n import gettext as _

from cpc_bot.clock import LONDON, Clock
from cpc_bot.domain.deadlines import Deadline, compute_deadlines
from cpc_bot.domain.nudges import plan_nudges
from cpc_bot.engine.kinds import uk_time
from cpc_bot.engine.values import format_day
from cpc_bot.reminders.sender import ReminderRenderer
from cpc_bot.reminders.store import DueReminder, ReminderStore
from cpc_bot.store.models import Conference


class NudgeCb(CallbackData, prefix="pn"):
    r: int  # reminder id
    a: str  # done | tomorrow | summary (open the summary sheet for the family)


#: The deadline of talking the report through with the family (``domain/areas.py``): its nudge
#: offers the summary sheet to read with them.
TALK_KEY = "talk_family_by"


def conference_moment(conference: Conference) -> date | datetime:
    local = conference.starts_at.astimezone(LONDON)
    return local if conference.has_time else local.date()


def deadlines_for(conference: Conference) -> list[Deadline]:
    # The date was set when the conference was registered or last moved (``updated_at``).
    return compute_deadlines(conference.area, conference.kind, conference_moment(conference), role=conference.role,
                             booked_on=conference.updated_at.astimezone(LONDON).date())


def prefix(conference: Conference, key: str = "") -> str:
    return f"conf:{conference.id}:{key + ':' if key else ''}"


class NudgePlanner:
    def __init__(self, store: ReminderStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def plan(self, conference: Conference) -> None:
        """(Re)plan every nudge; tasks marked done stay done, past nudges are not sent."""
        await self.store.cancel(conference.owner_id, prefix(conference))
        deadlines = {d.key: d for d in deadlines_for(conference)}
        for nudge in plan_nudges(list(deadlines.values()), self.clock()):
            deadline = deadlines[nudge.key]
            assert deadline.due is not None  # only dated deadlines are nudged
            await self.store.schedule(
                conference.owner_id, f"{prefix(conference, nudge.key)}{nudge.which}", "pro.nudge", nudge.at,
                params={"key": nudge.key, "title": deadline.title, "due": deadline.due.isoformat(), "which": nudge.which,
                        "kind": conference.kind, "conference_day": conference.starts_at.astimezone(LONDON).date().isoformat(),
                        "conference_id": str(conference.id)},
                working_days_only=True,
            )


def describe_due(value: str) -> str:
    locale = get_i18n().current_locale
    if "T" in value:
        moment = datetime.fromisoformat(value).astimezone(LONDON)
        return _("%(day)s at %(time)s") % {"day": format_day(moment.date(), locale), "time": uk_time(moment.time(), locale)}
    return format_day(date.fromisoformat(value), locale)


def describe_deadline(deadline: Deadline) -> str:
    """One line a person reads as a sentence: "First core group meeting: by 14 January 2027"."""
    what = _(deadline.title)
    if deadline.due is None:
        if deadline.unit == "minutes":
            count = abs(deadline.amount)
            return ngettext("%(what)s: %(count)d minute before the start", "%(what)s: %(count)d minutes before the start",
                            count) % {"what": what, "count": count}
        return what  # a step tied to something we are not told of, written as a whole sentence
    day = describe_due(deadline.due.isoformat())
    if deadline.shape == "window":
        return _("%(what)s: from %(day)s until the conference") % {"what": what, "day": day}
    line = _("%(what)s: by %(day)s") % {"what": what, "day": day}
    if deadline.moved_from is not None:
        line += " " + _("(moved from %(day)s: weekends and bank holidays are not working days)") % {
            "day": format_day(deadline.moved_from, get_i18n().current_locale)}
    return line


def kind_label(kind: str) -> str:
    return {"initial": _("initial conference"), "review": _("review conference"),
            "pre_birth": _("pre-birth conference")}.get(kind, kind)


def _nudge(reminder: DueReminder) -> tuple[str, InlineKeyboardMarkup | None]:
    p = reminder.params
    title = p["title"]  # an N_() msgid from domain/areas.py, translated here
    values = {"title": _(title), "due": describe_due(p["due"]), "kind": kind_label(p["kind"]),
              "day": format_day(date.fromisoformat(p["conference_day"]), get_i18n().current_locale)}
    text = {
        "soon": _("⏰ Coming up: %(title)s, %(due)s.\nFor the %(kind)s on %(day)s."),
        "today": _("📌 Today: %(title)s, %(due)s.\nFor the %(kind)s on %(day)s."),
        "overdue": _("⚠️ Overdue: %(title)s was due %(due)s.\nFor the %(kind)s on %(day)s."),
    }[p["which"]] % values
    rows = [[
        InlineKeyboardButton(text=_("✅ Done"), callback_data=NudgeCb(r=reminder.id, a="done").pack()),
        InlineKeyboardButton(text=_("⏰ Remind me tomorrow"), callback_data=NudgeCb(r=reminder.id, a="tomorrow").pack()),
    ]]
    if p["key"] == TALK_KEY:
        # source: 000 ("discussing your report with them ... before submitting"; "securing a translation
        # service"), 001 ("a 'no surprises' arena for parents"), 003 ("There should be no surprises for them").
        text += "\n\n" + _("No surprises: the family should hear what you will say before the conference, in words "
                            "they understand. Arrange an interpreter if they need one. I can help you write a short "
                            "summary sheet to read with them, with the headings in their language.")
        rows.insert(0, [InlineKeyboardButton(text=_("🗣 Summary sheet for the family"),
                                             callback_data=NudgeCb(r=reminder.id, a="summary").pack())])
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


RENDERERS: dict[str, ReminderRenderer] = {"pro.nudge": _nudge}
