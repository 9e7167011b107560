"""Professionals: their conferences, deadlines, nudges, calendar file and invite links.

Also the family side of an invite: opening the link shows who invited them and the
conference date; a tap on Join joins it (reminders follow its date), and a finished report
can be sent to the professional, only when the family member taps to send it. A link is for
one person unless the professional chose more; the professional sees who joined and can
remove them, and stopping the links ends the memberships made through them.
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
from cpc_bot.engine.kinds import uk_time
from cpc_bot.engine.runner import DialogRunner
from cpc_bot.engine.values import DateProblem, format_day, parse_uk_date
from cpc_bot.engine.view import View
from cpc_bot.handlers.menu import MenuCb, role_keyboard
from cpc_bot.handlers.recipients import Recipients, button_text, full_line, sent_line
from cpc_bot.handlers.verification import VerificationDesk, unlocks_text, verify_button
from cpc_bot.i18n.bidi import RLM
from cpc_bot.reminders.members import KIND as ENDED_KIND
from cpc_bot.reminders.members import ended_ref
from cpc_bot.reminders.parents import FamilyAreas, ParentReminderPlanner
from cpc_bot.reminders.professionals import (
    NudgeCb,
    NudgePlanner,
    deadlines_for,
    describe_deadline,
    kind_label,
    prefix,
)
from cpc_bot.reminders.retention import Retention
from cpc_bot.reminders.store import ReminderStore
from cpc_bot.store.conferences import DAYS_AFTER, ConferenceRepository, OpenLink
from cpc_bot.store.models import Conference, ConferenceMember, Response
from cpc_bot.store.repository import Repository

log = logging.getLogger(__name__)

REGISTER_DIALOG = "pro_conference"
REPORT_DIALOG = "pro_report"
#: The summary sheet to read with the family before the report is sent (no surprises).
SUMMARY_DIALOG = "pro_summary"
#: Invite links stop working two weeks after the conference.
INVITE_DAYS_AFTER = DAYS_AFTER
#: How many people one link can be for, when the professional chooses more than one.
LINK_SIZES = (2, 3, 4, 5, 6, 8, 10)
#: The longest name a family member can give the professional.
MAX_NAME = 60


class ProCb(CallbackData, prefix="pc"):
    c: int = 0
    a: str  # list | new | card | ics | invite | revoke | move | delete | delete_yes


class LinkCb(CallbackData, prefix="lk"):
    """The professional's links and members: ``action`` is more | make | members | remove | remove_yes."""

    conference_id: int
    action: str
    audience: str = ""
    count: int = 0
    member_id: int = 0


class JoinCb(CallbackData, prefix="jn"):
    """A family member taps Join under an invite (``code`` is the link's), or skips giving a name."""

    action: str  # join | skip
    code: str = ""


class SendCb(CallbackData, prefix="so"):
    """A family member sends their finished report (or chosen pages) to the conference's professional."""

    r: int
    c: int


class ProSG(StatesGroup):
    new_date = State()


class JoinSG(StatesGroup):
    name = State()


def audience_label(audience: str) -> str:
    """Who joined, when they gave no name."""
    return _("a child or young person") if audience == "child" else _("a parent or carer")


def _button(text: str, conference_id: int, action: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=ProCb(c=conference_id, a=action).pack())


def _link_button(text: str, conference_id: int, action: str, **values: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=LinkCb(conference_id=conference_id, action=action,
                                                                **values).pack())  # type: ignore[arg-type]


class ConferenceDesk:
    def __init__(self, conferences: ConferenceRepository, reminders: ReminderStore, nudges: NudgePlanner,
                 parents: ParentReminderPlanner, repo: Repository, runner: DialogRunner, reports: ReportService,
                 clock: Clock, retention: Retention | None = None,
                 verification: VerificationDesk | None = None, *, links_per_day: int = 20,
                 conferences_per_day: int = 10, family_areas: FamilyAreas | None = None) -> None:
        self.conferences = conferences
        #: A parent who joins is no longer asked their area: the conference's is kept with their answers.
        self.family_areas = family_areas
        self.links_per_day = links_per_day
        self.conferences_per_day = conferences_per_day
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
        rows.append([self.summary_button()])
        rows.append([InlineKeyboardButton(text=_("📖 Guide for professionals"), callback_data=MenuCb(a="guide").pack())])
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

    @staticmethod
    def summary_button() -> InlineKeyboardButton:
        return InlineKeyboardButton(text=_("🗣 Summary sheet for the family"),
                                    callback_data=MenuCb(a="open", v=SUMMARY_DIALOG).pack())

    async def offer_summary(self, bot: Bot, chat_id: int, response: Response, view: View) -> None:
        """After the report helper: talk the report through with the family before sending it.
        source: 000 ("discussing your report with them and providing them with a copy of this before
        submitting the report to conference"), 001 ("a 'no surprises' arena for parents")."""
        if self.runner.registry.get(SUMMARY_DIALOG) is None:
            return
        await bot.send_message(chat_id, _(
            "Before you send your report: talk it through with the family (and with the child, if they are old "
            "enough to understand), and give them a copy. Nothing at the conference should come as a surprise to "
            "them.\n\nI can help you write a short summary sheet in plain words to read with them, with the "
            "headings in their language."), reply_markup=InlineKeyboardMarkup(inline_keyboard=[[self.summary_button()]]))

    def card(self, conference: Conference) -> tuple[str, InlineKeyboardMarkup]:
        cid = conference.id or 0
        lines = [f"<b>{escape(self.title(conference))}</b>", "", "<b>" + escape(_("Your deadlines")) + "</b>"]
        for deadline in deadlines_for(conference):
            lines.append(f"• {escape(describe_deadline(deadline))}")
        for warning in conference_date_warnings(conference.starts_at.astimezone(LONDON).date()):
            lines += ["", "⚠️ " + escape(warning)]
        rows = [
            [_button(_("📅 Calendar file"), cid, "ics"), _button(_("🔗 Invite links"), cid, "invite")],
            [_link_button(_("👥 Who joined"), cid, "members")],
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
            if await self.conferences.registered_today(owner) >= self.conferences_per_day:
                await query.answer(_("You have registered a lot of conferences today. Please register this one "
                                     "tomorrow."), show_alert=True)
                return
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
            data = conference_calendar(conference.id or 0, conference.kind, start, deadlines_for(conference),
                                       stamp=self.clock(), locale=get_i18n().current_locale)
            await bot.send_document(owner, BufferedInputFile(data, filename=f"conference-{local.date().isoformat()}.ics"),
                                    caption=_("Open this file to add the conference and your deadlines to your calendar."))
        elif action == "invite":
            await self._invite(query.message, bot, conference)
        elif action == "revoke":
            rows = [[_button(_("Yes, stop them"), conference.id or 0, "revoke_yes"),
                     _button(_("No, keep them"), conference.id or 0, "card")]]
            await query.message.edit_text(
                _("Stop every invite link for this conference? Anyone who joined through them is unlinked and "
                  "told kindly, and can no longer send you anything through them."),
                reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))
        elif action == "revoke_yes":
            count, ended = await self.conferences.revoke_invites(conference.id or 0)
            for member in ended:
                await self._ended(conference, member)
            text = ngettext("Done: %(count)d invite link no longer works.",
                            "Done: %(count)d invite links no longer work.", count) % {"count": count}
            if ended:
                text += "\n" + ngettext("%(count)d person who joined through them is no longer linked, and will be told.",
                                        "%(count)d people who joined through them are no longer linked, and will be told.",
                                        len(ended)) % {"count": len(ended)}
            await query.message.edit_text(text, reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[[_button(_("⬅️ Back"), conference.id or 0, "card")]]))
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

    async def _limit_reached(self, owner_id: int) -> bool:
        return await self.conferences.links_today(owner_id) >= self.links_per_day

    def _limit_text(self) -> str:
        return _("You have made a lot of invite links today (the most is %(count)d a day). Please use a link you "
                 "already have, or try again tomorrow.") % {"count": self.links_per_day}

    async def _invite(self, message: Message, bot: Bot, conference: Conference, *, edit: bool = False) -> None:
        """The conference's open links: the same ones at every tap; one for each audience made
        only when there is none (so 50 taps make no more rows than one)."""
        if not await self.verified(conference.owner_id):
            await message.answer(_("Only verified professionals can make invite links.") + " " + escape(unlocks_text()),
                                 reply_markup=InlineKeyboardMarkup(inline_keyboard=[[verify_button()]]))
            return
        cid = conference.id or 0
        links = await self.conferences.open_links(cid)
        limited = False
        for audience in ("parent", "child"):
            if any(link.audience == audience for link in links):
                continue
            if await self._limit_reached(conference.owner_id):
                limited = True
                continue
            await self.conferences.create_invite(cid, audience, conference.starts_at + timedelta(days=INVITE_DAYS_AFTER))
        links = await self.conferences.open_links(cid)
        me = await bot.me()
        parts = ["<b>" + escape(_("Invite links")) + "</b>"]
        for link in sorted(links, key=lambda k: k.audience != "parent"):
            parts.append(escape(self._link_text(link, f"https://t.me/{me.username}?start=i{link.code}")))
        if limited:
            parts.append(escape(self._limit_text()))
        if links:
            expires = min(link.expires_at for link in links)
            parts.append(escape(_(
                "Each link is for one person unless you chose more. Opening it shows them your name, job and "
                "organisation and the date; they join only when they tap Join. Their reminders then follow this "
                "conference, and they can choose to send you what they prepared. The links work until %(expires)s. "
                "Share each one only with the person it is for.") % {
                "expires": format_day(expires.astimezone(LONDON).date(), get_i18n().current_locale)}))
        rows = [[_link_button(_("👥 A link for several people"), cid, "more")],
                [_button(_("🚫 Stop these links working"), cid, "revoke")],
                [_button(_("⬅️ Back"), cid, "card")]]
        markup = InlineKeyboardMarkup(inline_keyboard=rows)
        text = "\n\n".join(parts)
        if edit:
            await message.edit_text(text, reply_markup=markup)
        else:
            await message.answer(text, reply_markup=markup)

    def _link_text(self, link: OpenLink, url: str) -> str:
        left = link.max_uses - link.uses
        places = ngettext("%(count)d place left", "%(count)d places left", left) % {"count": left}
        text = (_("👪 For a parent or carer (%(places)s):\n%(link)s") if link.audience == "parent"
                else _("🧒 For a child or young person (%(places)s):\n%(link)s"))
        return text % {"places": places, "link": url}

    # ------------------------------------------------- links and members
    async def on_link_button(self, query: CallbackQuery, callback_data: LinkCb, bot: Bot) -> None:
        conference = await self.conferences.owned(callback_data.conference_id, query.from_user.id)
        if conference is None or not isinstance(query.message, Message):
            await query.answer(_("This button no longer works. Send /start to carry on."))
            return
        cid, action = conference.id or 0, callback_data.action
        if action == "more":
            await query.answer()
            rows = [[_link_button(_("👪 Parents or carers"), cid, "size", audience="parent")],
                    [_link_button(_("🧒 Children or young people"), cid, "size", audience="child")],
                    [_button(_("⬅️ Back"), cid, "card")]]
            await query.message.edit_text(_("Who is the link for?"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))
        elif action == "size" and callback_data.audience in ("parent", "child"):
            await query.answer()
            sizes = [_link_button(str(n), cid, "make", audience=callback_data.audience, count=n) for n in LINK_SIZES]
            rows = [sizes[:4], sizes[4:], [_button(_("⬅️ Back"), cid, "card")]]
            await query.message.edit_text(_("How many people should be able to join with this one link?"),
                                          reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))
        elif action == "make" and callback_data.audience in ("parent", "child") and callback_data.count in LINK_SIZES:
            if not await self.verified(conference.owner_id):
                await query.answer()
                await self._invite(query.message, bot, conference)
                return
            # The same open link again if there is one of this size nobody has used yet.
            same = [link for link in await self.conferences.open_links(cid) if link.audience == callback_data.audience
                    and link.max_uses == callback_data.count and link.uses == 0]
            if not same:
                if await self._limit_reached(conference.owner_id):
                    await query.answer(self._limit_text(), show_alert=True)
                    return
                await self.conferences.create_invite(cid, callback_data.audience,
                                                     conference.starts_at + timedelta(days=INVITE_DAYS_AFTER),
                                                     max_uses=callback_data.count)
            await query.answer()
            await self._invite(query.message, bot, conference, edit=True)
        elif action == "members":
            await query.answer()
            text, markup = await self._members_screen(conference)
            await query.message.edit_text(text, reply_markup=markup)
        elif action in ("remove", "remove_yes"):
            member = await self.conferences.member(callback_data.member_id)
            if member is None or member.conference_id != cid:
                await query.answer(_("They are no longer linked to this conference."))
                text, markup = await self._members_screen(conference)
                await query.message.edit_text(text, reply_markup=markup)
                return
            await query.answer()
            who = self._member_name(member, conference)
            if action == "remove":
                rows = [[_link_button(_("Yes, remove them"), cid, "remove_yes", member_id=member.id or 0),
                         _link_button(_("No, keep them"), cid, "members")]]
                await query.message.edit_text(
                    _("Remove %(who)s from this conference? They will be told kindly, their reminders for it stop, "
                      "and they can no longer send you anything through it.") % {"who": escape(who)},
                    reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))
                return
            removed = await self.conferences.remove_member(cid, member.id or 0)
            if removed is not None:
                await self._ended(conference, removed)
                log.info("conference.member_removed conference=%s member=%s", cid, removed.id)
            text, markup = await self._members_screen(conference)
            await query.message.edit_text(_("Removed: %(who)s. They will be told.") % {"who": escape(who)} + "\n\n" + text,
                                          reply_markup=markup)
        else:
            await query.answer(_("This button no longer works. Send /start to carry on."))

    def _member_name(self, member: ConferenceMember, conference: Conference) -> str:
        return self.conferences.member_name(member, conference) or audience_label(member.audience)

    async def _members_screen(self, conference: Conference) -> tuple[str, InlineKeyboardMarkup]:
        cid = conference.id or 0
        members = await self.conferences.members(cid)
        locale = get_i18n().current_locale
        lines = ["<b>" + escape(_("Who joined")) + "</b> · " + escape(self.title(conference)), ""]
        rows = []
        for member in members:
            local = member.joined_at.astimezone(LONDON)
            when = _("%(day)s at %(time)s") % {"day": format_day(local.date(), locale), "time": uk_time(local.time(), locale)}
            name = self.conferences.member_name(member, conference)
            as_whom = audience_label(member.audience)
            if member.audience == "child":
                line = (_("%(name)s joined as a child or young person: %(when)s") if name
                        else _("A child or young person joined: %(when)s"))
            else:
                line = (_("%(name)s joined as a parent or carer: %(when)s") if name
                        else _("A parent or carer joined: %(when)s"))
            line = line % {"name": name, "when": when} if name else line % {"when": when}
            lines.append("• " + escape(line))
            rows.append([_link_button(_("❌ Remove %(who)s") % {"who": (name or as_whom)[:40]}, cid, "remove",
                                      member_id=member.id or 0)])
        if not members:
            lines.append(escape(_("Nobody has joined yet.")))
        rows.append([_button(_("⬅️ Back"), cid, "card")])
        return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)

    async def _ended(self, conference: Conference, member: ConferenceMember) -> None:
        """A membership ended: its reminders stop, and the family member is told kindly (in their
        language, and discreetly if they asked for that: through the reminder sender)."""
        await self.reminders.cancel(member.user_id, f"member:{conference.id}:")
        await self.reminders.schedule(member.user_id, ended_ref(conference.id or 0, member.id or 0), ENDED_KIND,
                                      self.clock(), params={"day": conference.starts_at.astimezone(LONDON).date().isoformat()})

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
            await self.parents.plan(member.user_id, f"member:{moved.id}:", day, moved.kind, area=moved.area,
                                    start=local.time() if moved.has_time else None)
            if self.retention is not None:  # what they wrote is kept until a set time after the new date
                await self.retention.conference_moved(member.user_id, local.date(), day)
        log.info("conference.moved conference=%s", moved.id)
        text, markup = self.card(moved)
        said = _("Moved. Every reminder now follows the new date.")
        if links_until is not None:
            said += " " + _("Your invite links now work until %(day)s.") % {
                "day": format_day(links_until.astimezone(LONDON).date(), get_i18n().current_locale)}
        await message.answer(said + "\n\n" + text, reply_markup=markup)

    async def on_nudge(self, query: CallbackQuery, callback_data: NudgeCb, state: FSMContext, bot: Bot) -> None:
        reminder = await self.reminders.get(callback_data.r)
        if reminder is None or reminder.user_id != query.from_user.id:
            await query.answer(_("This button no longer works. Send /start to carry on."))
            return
        if callback_data.a == "summary":
            # The nudge keeps its Done and "Remind me tomorrow": making the sheet is not the talk itself.
            await query.answer()
            chat_id = query.message.chat.id if isinstance(query.message, Message) else query.from_user.id
            await self.runner.stop(bot, chat_id, state)
            await self.runner.begin(bot, chat_id, query.from_user.id, state, SUMMARY_DIALOG)
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
    async def show_invite(self, message: Message, code: str) -> bool:
        """Someone opened an invite link: say who invited them and when the conference is, with a
        Join button. Nothing is joined or counted here. False (after saying why) if it cannot be used."""
        result = await self.conferences.peek(code)
        if isinstance(result, str):
            await message.answer(self._why_not(result))
            return False
        conference = result[0]
        day = format_day(conference.starts_at.astimezone(LONDON).date(), get_i18n().current_locale)
        who = await self._who(conference.owner_id)
        text = _("<b>%(who)s</b> invited you to get ready here for the %(kind)s on %(day)s.") % {
            "who": escape(who), "kind": escape(kind_label(conference.kind)), "day": escape(day)}
        text += "\n\n" + escape(_("If you join, your reminders follow the date of this conference, and you can choose to "
                                   "send them what you prepare. Nothing is sent unless you choose to. "
                                   "If you do not know this person, do not join."))
        button = InlineKeyboardButton(text=_("✅ Join"), callback_data=JoinCb(action="join", code=code).pack())
        await message.answer(text, reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button]]))
        return True

    async def _who(self, owner_id: int) -> str:
        """The professional as a family member sees them: name, job, organisation."""
        if self.verification is not None:
            profile = await self.verification.store.profile(owner_id)
            if profile is not None:
                details = self.verification.store.details(profile)
                parts = [p for p in (details.name, details.job, details.organisation) if p]
                if parts:
                    return ", ".join(parts)
        return _("A professional")

    def _why_not(self, reason: str) -> str:
        return {
            "expired": _("This link has expired. Ask the person who sent it for a new one."),
            "revoked": _("This link no longer works. Ask the person who sent it for a new one."),
            "used": _("This link has already been used by the people it was for. If it was meant for you too, "
                      "ask the person who sent it for a new one."),
        }.get(reason, _("This link does not work. Check you copied all of it, or ask for a new one."))

    async def on_join(self, query: CallbackQuery, callback_data: JoinCb, state: FSMContext) -> None:
        """The deliberate tap: only this joins."""
        if not isinstance(query.message, Message):
            await query.answer()
            return
        user = query.from_user.id
        if callback_data.action == "skip":
            data = await state.get_data()
            await state.clear()
            await query.answer()
            await query.message.edit_reply_markup(reply_markup=None)
            await query.message.answer(_("What would you like to do?"),
                                       reply_markup=role_keyboard(only=data.get("role") or None))
            return
        # A Join button copied into the chat of someone who never sent /start: they exist now.
        await self.repo.ensure_user(user)
        result = await self.conferences.redeem(callback_data.code, user)
        if isinstance(result, str):
            await query.answer()
            await query.message.edit_text(self._why_not(result), reply_markup=None)
            return
        await query.answer()
        conference, member, new = result
        audience = member.audience
        role = "child" if audience == "child" else "parent"
        await self.repo.update_user(user, role=audience)
        day = format_day(conference.starts_at.astimezone(LONDON).date(), get_i18n().current_locale)
        if not new:
            await query.message.edit_text(_("You are already linked to the conference on %(day)s.") % {"day": day},
                                          reply_markup=None)
            await query.message.answer(_("What would you like to do?"), reply_markup=role_keyboard(only=role))
            return
        if self.retention is not None:  # what a linked family writes is kept until a set time after this conference
            await self.retention.after_conference(user, conference.starts_at.astimezone(LONDON).date(), later_only=True)
        if audience == "parent":
            local = conference.starts_at.astimezone(LONDON)
            await self.parents.plan(user, f"member:{conference.id}:", local.date(), conference.kind, area=conference.area,
                                    start=local.time() if conference.has_time else None)
            if self.family_areas is not None:  # their own questions follow the conference's area now
                await self.family_areas.linked(user, conference.area)
        log.info("conference.joined conference=%s user=%s audience=%s", conference.id, user, audience)
        await query.message.edit_text(_("You are now linked to the conference on %(day)s. I will remind you before it. "
                                         "Nothing you write is sent to anyone unless you choose to send it.") % {"day": day},
                                      reply_markup=None)
        await state.set_state(JoinSG.name)
        await state.set_data({"member_id": member.id, "role": role})
        skip = InlineKeyboardButton(text=_("Skip ➡️"), callback_data=JoinCb(action="skip").pack())
        await query.message.answer(_("So that %(who)s knows who joined, what name should they see? For example: "
                                     "Anna, Leo's mum. Or tap Skip.") % {"who": escape(await self._who(conference.owner_id))},
                                   reply_markup=InlineKeyboardMarkup(inline_keyboard=[[skip]]))

    async def on_member_name(self, message: Message, state: FSMContext) -> None:
        name = " ".join((message.text or "").split())
        if not name or len(name) > MAX_NAME:
            await message.answer(_("Please send a short name, up to %(count)d letters, or tap Skip.") % {"count": MAX_NAME})
            return
        data = await state.get_data()
        await state.clear()
        await self.conferences.set_member_name(int(data.get("member_id") or 0), message.chat.id, name)
        await message.answer(_("Thank you. They will see you as %(name)s.") % {"name": escape(name)})
        await message.answer(_("What would you like to do?"), reply_markup=role_keyboard(only=data.get("role") or None))

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
        if response is None or response.user_id != user or response.status != "finished":
            await query.answer(_("This button no longer works. Send /start to carry on."))
            return
        if conference is None:
            # Removed, the link stopped, or its time is over: nothing more reaches the professional.
            await query.answer(_("Not sent: you are no longer linked to that conference. What you wrote is still "
                                 "yours here. If you still want to share it, ask the professional for a new link."),
                               show_alert=True)
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
        router.callback_query.register(self.on_link_button, LinkCb.filter())
        router.callback_query.register(self.on_join, JoinCb.filter())
        router.message.register(self.on_new_date, StateFilter(ProSG.new_date), F.text, ~F.text.startswith("/"))
        router.message.register(self.on_member_name, StateFilter(JoinSG.name), F.text, ~F.text.startswith("/"))
        return router
