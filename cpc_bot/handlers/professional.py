"""Professionals: their conferences, deadlines, nudges, calendar file and invite links.

Also the family side of an invite: opening the link joins the conference (reminders
follow its date), and a finished report can be sent to the professional, only when
the family member taps to send it.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.i18n import get_i18n, ngettext
from aiogram.utils.i18n import gettext as _

from cpc_bot.clock import LONDON, Clock
from cpc_bot.documents.calendar import conference_calendar
from cpc_bot.documents.service import ReportService
from cpc_bot.domain.deadlines import conference_date_warnings
from cpc_bot.domain.working_days import add_working_days
from cpc_bot.engine.runner import DialogRunner, View
from cpc_bot.engine.screens import uk_time
from cpc_bot.engine.values import DateProblem, format_day, parse_uk_date
from cpc_bot.handlers.menu import MenuCb
from cpc_bot.handlers.recipients import Recipients, button_text, full_line, sent_line
from cpc_bot.handlers.verification import VerificationDesk, unlocks_text, verify_button
from cpc_bot.i18n.bidi import RLM
from cpc_bot.reminders.parents import ParentReminderPlanner
from cpc_bot.reminders.professionals import (
    NudgeCb,
    NudgePlanner,
    deadlines_for,
    describe_due,
    kind_label,
    prefix,
)
from cpc_bot.reminders.retention import Retention
from cpc_bot.reminders.store import ReminderStore
from cpc_bot.store.conferences import ConferenceRepository
from cpc_bot.store.models import Conference, Response
from cpc_bot.store.repository import Repository

log = logging.getLogger(__name__)

REGISTER_DIALOG = "pro_conference"
REPORT_DIALOG = "pro_report"
#: Invite links stop working two weeks after the conference.
INVITE_DAYS_AFTER = 14


class ProCb(CallbackData, prefix="pc"):
    c: int = 0
    a: str  # list | new | card | ics | invite | revoke | move | delete | delete_yes


class SendCb(CallbackData, prefix="so"):
    """A family member sends their finished report (or chosen pages) to the conference's professional."""

    r: int
    c: int


class ProSG(StatesGroup):
    new_date = State()


def _button(text: str, conference_id: int, action: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=ProCb(c=conference_id, a=action).pack())


class ConferenceDesk:
    def __init__(self, conferences: ConferenceRepository, reminders: ReminderStore, nudges: NudgePlanner,
                 parents: ParentReminderPlanner, repo: Repository, runner: DialogRunner, reports: ReportService,
                 clock: Clock, retention: Retention | None = None,
                 verification: VerificationDesk | None = None) -> None:
        self.conferences = conferences
        #: None only in tests that build a desk without verification: then nothing is gated.
        self.verification = verification
        self.retention = retention
        self.reminders = reminders
        self.nudges = nudges
        self.parents = parents
        self.repo = repo
        self.runner = runner
        self.reports = reports
        self.clock = clock
        self.recipients = Recipients(conferences, verification.store if verification is not None else None)

    # ------------------------------------------------------------ screens
    def title(self, conference: Conference) -> str:
        local = conference.starts_at.astimezone(LONDON)
        day = format_day(local.date(), get_i18n().current_locale)
        when = _("%(day)s at %(time)s") % {"day": day, "time": uk_time(local.time(), get_i18n().current_locale)} if conference.has_time else day
        ref = self.conferences.case_ref(conference)
        label = kind_label(conference.kind)
        label = label[:1].upper() + label[1:]
        return f"{label} · {when}" + (f" · {ref}" if ref else "")

    async def menu(self, owner_id: int) -> tuple[str, InlineKeyboardMarkup]:
        conferences = await self.conferences.for_owner(owner_id)
        rows = [[_button("📅 " + self.title(c), c.id or 0, "card")] for c in conferences]
        rows.append([_button(_("➕ Register a conference"), 0, "new")])
        rows.append([InlineKeyboardButton(text=_("📝 Write your report"), callback_data=MenuCb(a="open", v=REPORT_DIALOG).pack())])
        text = _("<b>Your conferences</b>\n\nI work out your deadlines in working days (England's bank holidays "
                 "count as days off) and nudge you on working-day mornings until you tap Done.")
        if not conferences:
            text += "\n\n" + _("You have none yet.")
        if self.verification is not None:
            profile = await self.verification.store.profile(owner_id)
            text += "\n\n" + escape(self.verification.status_line(profile))
            if not self.verification.store.is_verified(profile) and (profile is None or profile.status != "pending"):
                rows.append([verify_button()])
        return text, InlineKeyboardMarkup(inline_keyboard=rows)

    def card(self, conference: Conference) -> tuple[str, InlineKeyboardMarkup]:
        cid = conference.id or 0
        lines = [f"<b>{escape(self.title(conference))}</b>", "", "<b>" + escape(_("Your deadlines")) + "</b>"]
        for deadline in deadlines_for(conference):
            lines.append(f"• {escape(describe_due(deadline.due.isoformat()))}: {escape(_(deadline.title))}")
        for warning in conference_date_warnings(conference.starts_at.astimezone(LONDON).date()):
            lines += ["", "⚠️ " + escape(warning)]
        rows = [
            [_button(_("📅 Calendar file"), cid, "ics"), _button(_("🔗 Invite links"), cid, "invite")],
            [_button(_("✏️ Change the date"), cid, "move"), _button(_("🗑 Delete"), cid, "delete")],
            [_button(_("⬅️ All my conferences"), 0, "list")],
        ]
        return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)

    # ------------------------------------------------------ registration
    async def on_registered(self, bot: Bot, chat_id: int, response: Response, view: View) -> None:
        """The registration questions are done: create the conference and plan its nudges."""
        answers = view.answers
        day = datetime.fromisoformat(answers["day"]).date()
        start = time.fromisoformat(answers["start"]) if answers.get("start") else time(9, 0)
        case_ref = "".join(answers.get("case_ref") or []).strip() or None
        conference = await self.conferences.create(
            chat_id, kind=answers["kind"], area=answers["area"], role=answers["role"],
            starts_at=datetime.combine(day, start, LONDON), has_time=bool(answers.get("start")), case_ref=case_ref)
        await self.nudges.plan(conference)
        log.info("conference.registered conference=%s owner=%s", conference.id, chat_id)
        text, markup = self.card(conference)
        await bot.send_message(chat_id, text, reply_markup=markup)

    # ----------------------------------------------------------- buttons
    async def on_button(self, query: CallbackQuery, callback_data: ProCb, state: FSMContext, bot: Bot) -> None:
        owner = query.from_user.id
        if not isinstance(query.message, Message):
            await query.answer()
            return
        if callback_data.a == "list":
            await query.answer()
            text, markup = await self.menu(owner)
            await query.message.edit_text(text, reply_markup=markup)
            return
        if callback_data.a == "new":
            await query.answer()
            await self.runner.begin(bot, query.message.chat.id, owner, state, REGISTER_DIALOG)
            return
        conference = await self.conferences.owned(callback_data.c, owner)
        if conference is None:
            await query.answer(_("This button no longer works. Send /start to carry on."))
            return
        await query.answer()
        action = callback_data.a
        if action == "card":
            text, markup = self.card(conference)
            await query.message.edit_text(text, reply_markup=markup)
        elif action == "ics":
            local = conference.starts_at.astimezone(LONDON)
            start = local if conference.has_time else local.date()
            data = conference_calendar(conference.id or 0, self.title(conference),
                                       start, deadlines_for(conference), stamp=self.clock())
            await bot.send_document(owner, BufferedInputFile(data, filename=f"conference-{local.date().isoformat()}.ics"),
                                    caption=_("Open this file to add the conference and your deadlines to your calendar."))
        elif action == "invite":
            await self._invite(query.message, bot, conference)
        elif action == "revoke":
            count = await self.conferences.revoke_invites(conference.id or 0)
            await query.message.edit_text(ngettext("Done: %(count)d invite link no longer works.",
                                                   "Done: %(count)d invite links no longer work.", count) % {"count": count})
        elif action == "move":
            await state.set_state(ProSG.new_date)
            await state.set_data({"conference_id": conference.id})
            await query.message.answer(_("What is the new date? Type it as day/month/year, for example 14/01/2027."))
        elif action == "delete":
            rows = [[_button(_("Yes, delete it"), conference.id or 0, "delete_yes"),
                     _button(_("No, keep it"), conference.id or 0, "card")]]
            await query.message.edit_text(_("Delete this conference and all its reminders?"),
                                          reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))
        elif action == "delete_yes":
            await self.reminders.cancel(owner, prefix(conference))
            for member in await self.conferences.members(conference.id or 0):
                await self.reminders.cancel(member.user_id, f"member:{conference.id}:")
            await self.conferences.delete(conference.id or 0, owner)
            text, markup = await self.menu(owner)
            await query.message.edit_text(text, reply_markup=markup)

    async def verified(self, user_id: int) -> bool:
        return self.verification is None or await self.verification.store.verified(user_id)

    async def _invite(self, message: Message, bot: Bot, conference: Conference) -> None:
        if not await self.verified(conference.owner_id):
            await message.answer(_("Only verified professionals can make invite links.") + " " + escape(unlocks_text()),
                                 reply_markup=InlineKeyboardMarkup(inline_keyboard=[[verify_button()]]))
            return
        expires = conference.starts_at + timedelta(days=INVITE_DAYS_AFTER)
        me = await bot.me()
        links = {
            audience: f"https://t.me/{me.username}?start=i{await self.conferences.create_invite(conference.id or 0, audience, expires)}"
            for audience in ("parent", "child")
        }
        text = _(
            "<b>Invite links</b>\n\n"
            "For the parents or carers:\n%(parent)s\n\n"
            "For a child or young person:\n%(child)s\n\n"
            "Opening a link joins this conference: their reminders follow its date, and they can choose to "
            "send you their report. They work until %(expires)s. Share each one only with the person it is for."
        ) % {"parent": escape(links["parent"]), "child": escape(links["child"]),
             "expires": format_day(expires.astimezone(LONDON).date(), get_i18n().current_locale)}
        markup = InlineKeyboardMarkup(inline_keyboard=[[_button(_("🚫 Stop these links working"), conference.id or 0, "revoke")]])
        await message.answer(text, reply_markup=markup)

    async def on_new_date(self, message: Message, state: FSMContext) -> None:
        data = await state.get_data()
        conference = await self.conferences.owned(int(data.get("conference_id") or 0), message.chat.id)
        if conference is None:
            await state.clear()
            return
        today = self.clock().astimezone(LONDON).date()
        try:
            day = parse_uk_date((message.text or "").strip(), today)
        except DateProblem as problem:
            await message.answer(
                _("There is no such day in the calendar. Please check the day and month, for example 28/02/2019.")
                if problem.code == "no_such_day"
                else _("I couldn't read that as a date. Please type day/month/year, for example 14/03/2019."))
            return
        if day < today:
            await message.answer(_("%(day)s has already passed. Please check the date.") % {"day": format_day(day, get_i18n().current_locale)})
            return
        local = conference.starts_at.astimezone(LONDON)
        result = await self.conferences.move(conference.id or 0, message.chat.id, datetime.combine(day, local.time(), LONDON))
        await state.clear()
        assert result is not None
        moved, links_until = result
        await self.nudges.plan(moved)
        for member in await self.conferences.members(moved.id or 0):
            await self.parents.plan(member.user_id, f"member:{moved.id}:", day, moved.kind)
            if self.retention is not None:  # what they wrote is kept until a set time after the new date
                await self.retention.conference_moved(member.user_id, local.date(), day)
        log.info("conference.moved conference=%s", moved.id)
        text, markup = self.card(moved)
        said = _("Moved. Every reminder now follows the new date.")
        if links_until is not None:
            said += " " + _("Your invite links now work until %(day)s.") % {
                "day": format_day(links_until.astimezone(LONDON).date(), get_i18n().current_locale)}
        await message.answer(said + "\n\n" + text, reply_markup=markup)

    async def on_nudge(self, query: CallbackQuery, callback_data: NudgeCb) -> None:
        reminder = await self.reminders.get(callback_data.r)
        if reminder is None or reminder.user_id != query.from_user.id:
            await query.answer(_("This button no longer works. Send /start to carry on."))
            return
        task_prefix = reminder.ref.rsplit(":", 1)[0] + ":"
        if callback_data.a == "done":
            await self.reminders.mark_done(reminder.user_id, task_prefix)
            await query.answer(_("Marked as done. No more reminders about this."))
        else:
            local = self.clock().astimezone(LONDON).date()
            tomorrow = datetime.combine(add_working_days(local, 1), time(9, 0), LONDON)
            await self.reminders.cancel(reminder.user_id, task_prefix)
            await self.reminders.snooze(reminder.id or 0, reminder.user_id, tomorrow)
            await query.answer(_("I will remind you on the next working day."))
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=None)

    # ---------------------------------------------------------- families
    async def join(self, message: Message, code: str) -> str | None:
        """Open an invite link; returns the audience joined, or None (after saying why)."""
        result = await self.conferences.redeem(code, message.chat.id)
        if isinstance(result, str):
            await message.answer({
                "expired": _("This link has expired. Ask the person who sent it for a new one."),
                "revoked": _("This link no longer works. Ask the person who sent it for a new one."),
            }.get(result, _("This link does not work. Check you copied all of it, or ask for a new one.")))
            return None
        conference, audience = result
        await self.repo.update_user(message.chat.id, role=audience)
        if self.retention is not None:  # what a linked family writes is kept until a set time after this conference
            await self.retention.after_conference(message.chat.id, conference.starts_at.astimezone(LONDON).date(),
                                                  later_only=True)
        if audience == "parent":
            await self.parents.plan(message.chat.id, f"member:{conference.id}:",
                                    conference.starts_at.astimezone(LONDON).date(),
                                    {"initial": "initial", "review": "review"}.get(conference.kind, "not_sure"))
        log.info("conference.joined conference=%s user=%s audience=%s", conference.id, message.chat.id, audience)
        day = format_day(conference.starts_at.astimezone(LONDON).date(), get_i18n().current_locale)
        await message.answer(_("You are now linked to the conference on %(day)s. I will remind you before it. "
                               "Nothing you write is sent to anyone unless you choose to send it.") % {"day": day})
        return audience

    async def offer_send(self, bot: Bot, chat_id: int, response: Response, view: View) -> None:
        """After a report is finished: offer to send it to each linked professional, named."""
        for recipient in await self.recipients.for_member(chat_id):
            button = InlineKeyboardButton(text=button_text(recipient),
                                          callback_data=SendCb(r=response.id or 0, c=recipient.conference.id or 0).pack())
            await bot.send_message(chat_id, _("Do you want to send your report? It goes only to:\n%(line)s") % {
                "line": "<b>" + escape(full_line(recipient)) + "</b>"},
                reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button]]))

    async def on_send(self, query: CallbackQuery, callback_data: SendCb, bot: Bot) -> None:
        user = query.from_user.id
        response = await self.repo.get_response(callback_data.r)
        linked = {c.id: c for c, _a in await self.conferences.memberships(user)}
        conference = linked.get(callback_data.c)
        if response is None or response.user_id != user or response.status != "finished" or conference is None:
            await query.answer(_("This button no longer works. Send /start to carry on."))
            return
        view = await self.runner.load_view(response)
        only = None
        if view.dialog.audience == "child":
            only = set(view.answers.get("_share") or [])
            if not only:
                await query.answer(_("You chose to keep everything private, so there is nothing to send."), show_alert=True)
                return
        owner = conference.owner_id
        if not await self.verified(owner):
            # Held, not lost: the button stays, and works once the professional is verified.
            log.info("report.held response=%s conference=%s", response.id, conference.id)
            await query.answer(_("Not sent yet: the professional who invited you is not verified yet. Nothing is "
                                 "lost. Please try again later; I have told them."), show_alert=True)
            assert self.verification is not None
            await self.verification.tell_held(bot, owner, conference.starts_at.astimezone(LONDON).date())
            return
        data, name = await self.reports.pdf_for(response, view, only=only)
        caption = _("A family member shared this with you for the %(kind)s on %(day)s.") % {
            "kind": kind_label(conference.kind), "day": format_day(conference.starts_at.astimezone(LONDON).date(), "en")}
        await bot.send_document(owner, BufferedInputFile(data, filename=name), caption=caption)
        log.info("report.shared response=%s conference=%s", response.id, conference.id)
        await query.answer(_("Sent."))
        recipient = await self.recipients.describe(conference)
        done = sent_line(recipient)
        if not isinstance(query.message, Message):
            return
        rows = query.message.reply_markup.inline_keyboard if query.message.reply_markup else []
        left = [row for row in ([b for b in row if b.callback_data != query.data] for row in rows) if row]
        if left:
            # The child's read-back (a button per linked conference, and "Change my choices"): only
            # this button goes and the words they read stay; the read-back of this send is a new message.
            if sum(map(len, left)) != sum(map(len, rows)):  # an old tap finds the button gone: nothing to edit
                await query.message.edit_reply_markup(reply_markup=InlineKeyboardMarkup(inline_keyboard=left))
            await query.message.answer(escape(done))
        elif (query.message.text or "").replace(RLM, "") != done:
            # Sent again from the "Sent to ..." message itself: it already says so (an edit to the same words is refused).
            await query.message.edit_text(escape(done), reply_markup=None)

    def router(self) -> Router:
        router = Router(name=__name__)
        router.callback_query.register(self.on_button, ProCb.filter())
        router.callback_query.register(self.on_nudge, NudgeCb.filter())
        router.callback_query.register(self.on_send, SendCb.filter())
        router.message.register(self.on_new_date, StateFilter(ProSG.new_date), F.text, ~F.text.startswith("/"))
        return router
