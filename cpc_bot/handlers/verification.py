"""Verified professionals: a request in the chat, decided by the area's admins or by a mailed code.

A professional gives their area, name, job, organisation and work email (each saved
encrypted the moment it is typed; the FSM holds only which question is next). When the
email's domain is on the area's allow-list, a 6-digit code is mailed (10 minutes, 5 tries,
capped per day); otherwise the area's admins get the details with Approve and Refuse.
Only a verified professional can make invite links or receive what a family sends.
"""

from __future__ import annotations

import logging
import secrets
from datetime import date, timedelta
from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n, get_i18n
from aiogram.utils.i18n import gettext as _

from cpc_bot.clock import LONDON
from cpc_bot.domain.areas import AREAS
from cpc_bot.domain.verification import AREA_LABELS, domain_allowed, normalise_email
from cpc_bot.engine.values import format_day
from cpc_bot.mail import Mailer, MailError
from cpc_bot.store.models import ProfessionalProfile
from cpc_bot.store.professionals import ProfessionalRepository
from cpc_bot.store.repository import Repository

log = logging.getLogger(__name__)

CODE_VALID = timedelta(minutes=10)
CODE_TRIES = 5
#: The longest name, job or organisation we keep (a short line on the admin's screen).
MAX_WORDS = 120



class VerifyCb(CallbackData, prefix="vf"):
    action: str  # start | area | approve | refuse | revoke | resend
    user_id: int = 0
    area: str = ""


class VerifySG(StatesGroup):
    name = State()
    job = State()
    organisation = State()
    email = State()
    code = State()


def verify_button() -> InlineKeyboardButton:
    return InlineKeyboardButton(text=_("✅ Get verified"), callback_data=VerifyCb(action="start").pack())


def unlocks_text() -> str:
    return _("Verified professionals can make invite links and receive what a family chooses to send. "
             "Deadlines, nudges and the report helper work without it.")


class VerificationDesk:
    def __init__(self, store: ProfessionalRepository, repo: Repository, i18n: I18n, mailer: Mailer | None,
                 domains: dict[str, frozenset[str]], *, months: int, codes_per_day: int) -> None:
        self.store = store
        self.repo = repo
        self.i18n = i18n
        self.mailer = mailer
        self.domains = domains
        self.months = months
        self.codes_per_day = codes_per_day

    # ---------------------------------------------------------------- shared
    def status_line(self, profile: ProfessionalProfile | None) -> str:
        """One line for the professional's menu."""
        if self.store.is_verified(profile):
            assert profile is not None and profile.verified_until is not None
            day = format_day(profile.verified_until.astimezone(LONDON).date(), get_i18n().current_locale)
            return "✅ " + _("You are verified until %(day)s.") % {"day": day}
        if profile is not None and profile.status == "pending":
            return "⏳ " + _("Your request to be verified is waiting for an admin.")
        return "ℹ️ " + _("You are not verified yet.") + " " + unlocks_text()

    async def in_locale_of(self, user_id: int) -> str:
        user = await self.repo.get_user(user_id)
        return (user.locale if user and user.locale else None) or self.i18n.default_locale

    async def tell(self, bot: Bot, user_id: int, text_of: object, markup: InlineKeyboardMarkup | None = None) -> None:
        """Send someone a message in their own language (``text_of`` is a function making the words)."""
        locale = await self.in_locale_of(user_id)
        with self.i18n.use_locale(locale):
            text = text_of()  # type: ignore[operator]
            await bot.send_message(user_id, text, reply_markup=markup)

    async def tell_held(self, bot: Bot, owner_id: int, when: date) -> None:
        """A family member's send was held: tell the professional why, and how to receive it."""
        def words() -> str:
            day = format_day(when, get_i18n().current_locale)
            return _("A family member tried to send you what they prepared for the conference on %(day)s. "
                     "It was not sent, because you are not verified. Nothing is lost: once you are "
                     "verified, they can send it again.") % {"day": day}

        locale = await self.in_locale_of(owner_id)
        with self.i18n.use_locale(locale):
            markup = InlineKeyboardMarkup(inline_keyboard=[[verify_button()]])
        await self.tell(bot, owner_id, words, markup)

    # ---------------------------------------------------------------- request
    async def on_button(self, query: CallbackQuery, callback_data: VerifyCb, state: FSMContext, bot: Bot) -> None:
        if not isinstance(query.message, Message):
            await query.answer()
            return
        action = callback_data.action
        if action == "start":
            await query.answer()
            if await self.store.verified(query.from_user.id):
                await query.message.answer(self.status_line(await self.store.profile(query.from_user.id)))
                return
            rows = [[InlineKeyboardButton(text=_(AREA_LABELS[area]), callback_data=VerifyCb(action="area", area=area).pack())]
                    for area in sorted(AREAS, key=lambda a: (a == "national", a))]
            await query.message.answer(_("<b>Get verified</b>\n\n%(unlocks)s\n\nWhich area do you work in?") % {
                "unlocks": escape(unlocks_text())}, reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))
        elif action == "area" and callback_data.area in AREAS:
            await query.answer()
            await self.store.start(query.from_user.id, callback_data.area)
            await state.set_state(VerifySG.name)
            await query.message.answer(_("What is your full name?"))
        elif action in ("approve", "refuse", "revoke"):
            await self._decide(query, callback_data, bot)
        elif action == "resend":
            await query.answer()
            await self._send_code(query.message, query.from_user.id, state)
        else:
            await query.answer(_("This button no longer works. Send /start to carry on."))

    async def on_words(self, message: Message, state: FSMContext, bot: Bot) -> None:
        """Name, job and organisation, then the work email."""
        text = " ".join((message.text or "").split())
        current = await state.get_state()
        if not text or len(text) > MAX_WORDS:
            await message.answer(_("Please keep it under %(count)d characters.") % {"count": MAX_WORDS})
            return
        field, nxt, question = {
            VerifySG.name.state: ("name", VerifySG.job, _("What is your job? For example: social worker.")),
            VerifySG.job.state: ("job", VerifySG.organisation, _("Which organisation do you work for?")),
            VerifySG.organisation.state: ("organisation", VerifySG.email, _("What is your work email address?")),
        }[current or ""]
        await self.store.set_field(message.chat.id, field, text)
        await state.set_state(nxt)
        await message.answer(question)

    async def on_email(self, message: Message, state: FSMContext, bot: Bot) -> None:
        email = normalise_email(message.text or "")
        if email is None:
            await message.answer(_("That does not look like an email address. Please check it and send it again."))
            return
        user_id = message.chat.id
        await self.store.set_field(user_id, "email", email)
        profile = await self.store.profile(user_id)
        if profile is None or profile.area is None:
            await state.clear()
            return
        if self.mailer is not None and domain_allowed(email, self.domains.get(profile.area, frozenset())):
            await self._send_code(message, user_id, state)
            return
        await state.clear()
        admins = await self.store.admins(profile.area)
        if not admins:
            await self.store.set_status(user_id, "draft")
            await message.answer(_("I cannot verify you yet: your area has no admins here, and this email's "
                                   "organisation is not on the area's list. Your area's safeguarding team can add them."))
            return
        await self.store.set_status(user_id, "pending")
        log.info("verification.requested user=%s area=%s admins=%s", user_id, profile.area, len(admins))
        details = self.store.details(profile)
        for admin in admins:
            await self._ask_admin(bot, admin, user_id, profile.area, details)
        await message.answer(_("Thank you. I have sent your request to your area's admins. I will tell you when they decide."))

    async def _ask_admin(self, bot: Bot, admin: int, subject: int, area: str, details: object) -> None:
        def words() -> str:
            lines = [
                "<b>" + escape(_("A professional asks to be verified")) + "</b>",
                escape(_("Area: %(area)s") % {"area": _(AREA_LABELS[area])}),
                escape(_("Name: %(name)s") % {"name": details.name or ""}),  # type: ignore[attr-defined]
                escape(_("Job: %(job)s") % {"job": details.job or ""}),  # type: ignore[attr-defined]
                escape(_("Organisation: %(organisation)s") % {"organisation": details.organisation or ""}),  # type: ignore[attr-defined]
                escape(_("Work email: %(email)s") % {"email": details.email or ""}),  # type: ignore[attr-defined]
                escape(_("Telegram id: %(id)s") % {"id": subject}),
            ]
            return "\n".join(lines)

        locale = await self.in_locale_of(admin)
        with self.i18n.use_locale(locale):
            markup = InlineKeyboardMarkup(inline_keyboard=[[
                InlineKeyboardButton(text=_("✅ Approve"), callback_data=VerifyCb(action="approve", user_id=subject).pack()),
                InlineKeyboardButton(text=_("❌ Refuse"), callback_data=VerifyCb(action="refuse", user_id=subject).pack()),
            ]])
        try:
            await self.tell(bot, admin, words, markup)
        except Exception as exc:  # an admin who never opened the bot cannot be messaged; the others still are
            log.warning("verification.admin_unreachable admin=%s error=%s", admin, type(exc).__name__)

    # -------------------------------------------------------------- mailed code
    async def _send_code(self, message: Message, user_id: int, state: FSMContext) -> None:
        profile = await self.store.profile(user_id)
        email = self.store.details(profile).email if profile is not None else None
        if profile is None or email is None or self.mailer is None:
            await message.answer(_("This button no longer works. Send /start to carry on."))
            return
        address = self.store.keyed_hash("address", email.lower())
        mine, theirs = await self.store.codes_today(user_id, address)
        if mine >= self.codes_per_day or theirs >= self.codes_per_day:
            log.info("verification.code_capped user=%s", user_id)
            await message.answer(_("You have asked for a lot of codes today. Please try again tomorrow."))
            return
        code = f"{secrets.randbelow(10**6):06d}"
        await self.store.new_code(user_id, address, code, CODE_VALID)
        await self.store.set_status(user_id, "code")
        try:
            await self.mailer.send(email, _("Your CPC Companion code"), _(
                "Your code is %(code)s. Type it in the chat with CPC Companion. It works for 10 minutes.\n\n"
                "If you did not ask for it, you can ignore this email.") % {"code": code})
        except MailError:
            await message.answer(_("I could not send the email just now. Please try again later."),
                                 reply_markup=self._resend_markup())
            return
        log.info("verification.code_sent user=%s", user_id)
        await state.set_state(VerifySG.code)
        text = _("I have emailed a 6-digit code to %(email)s. Type it here. It works for 10 minutes.") % {"email": escape(email)}
        if self.mailer.is_demo:
            text += "\n\n" + _("This is the offline demo: no email was sent. The code is printed where the demo runs.")
        await message.answer(text, reply_markup=self._resend_markup())

    def _resend_markup(self) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
            text=_("📧 Send a new code"), callback_data=VerifyCb(action="resend").pack())]])

    async def on_code(self, message: Message, state: FSMContext) -> None:
        code = "".join((message.text or "").split())
        user_id = message.chat.id
        result = await self.store.try_code(user_id, code, CODE_TRIES) if code.isascii() and code.isdigit() and len(code) == 6 else "wrong"
        if result == "ok":
            await state.clear()
            profile = await self.store.decide(user_id, "email_verified", user_id, months=self.months, expect=("code",))
            log.info("verification.email_verified user=%s", user_id)
            await message.answer(self.status_line(profile) + "\n\n" + unlocks_text())
        elif result == "wrong":
            await message.answer(_("That code is not right. Please check it and try again."))
        else:
            await state.clear()
            await message.answer(_("That code no longer works (too many tries, or more than 10 minutes). "
                                   "You can ask for a new one."), reply_markup=self._resend_markup())

    # ----------------------------------------------------------------- admins
    async def _decide(self, query: CallbackQuery, callback_data: VerifyCb, bot: Bot) -> None:
        assert isinstance(query.message, Message)
        subject = callback_data.user_id
        profile = await self.store.profile(subject)
        areas = await self.store.admin_areas(query.from_user.id)
        if profile is None or profile.area not in areas:
            await query.answer(_("This button no longer works. Send /start to carry on."))
            return
        action = {"approve": "approved", "refuse": "refused", "revoke": "revoked"}[callback_data.action]
        expect = ("verified",) if action == "revoked" else ("pending",)
        decided = await self.store.decide(subject, action, query.from_user.id, months=self.months, expect=expect)
        if decided is None:
            await query.answer(_("Someone has already decided this."), show_alert=True)
            return
        await query.answer()
        log.info("verification.%s subject=%s by=%s", action, subject, query.from_user.id)
        done = {"approved": _("Approved. Thank you."), "refused": _("Refused. Thank you."),
                "revoked": _("Verification ended. Thank you.")}[action]
        await query.message.edit_text((query.message.html_text or "") + "\n\n<b>" + escape(done) + "</b>", reply_markup=None)

        def words() -> str:
            if action == "approved":
                return self.status_line(decided) + "\n\n" + unlocks_text()
            if action == "refused":
                return _("Your area's admins did not verify you. If you think this is a mistake, please contact "
                         "your area's safeguarding team.")
            return _("Your verification has been ended by your area's admins. Invite links you made no longer "
                     "deliver anything to you until you are verified again.")

        await self.tell(bot, subject, words)

    async def cmd_admin(self, message: Message) -> None:
        """For an area's admins: the verified professionals there, each with a button to end it."""
        areas = await self.store.admin_areas(message.chat.id)
        if not areas:
            await message.answer(_("This command is for area admins."))
            return
        found = await self.store.verified_in(areas)
        if not found:
            await message.answer(_("No one is verified in your areas yet."))
            return
        for profile in found:
            details = self.store.details(profile)
            text = "\n".join([f"<b>{escape(details.name or '')}</b>", escape(", ".join(w for w in (details.job, details.organisation) if w)),
                              escape(details.email or ""), escape(self.status_line(profile))])
            markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
                text=_("🚫 End verification"), callback_data=VerifyCb(action="revoke", user_id=profile.user_id).pack())]])
            await message.answer(text, reply_markup=markup)

    def router(self) -> Router:
        router = Router(name=__name__)
        router.message.register(self.cmd_admin, Command("admin"))
        router.callback_query.register(self.on_button, VerifyCb.filter())
        words = StateFilter(VerifySG.name, VerifySG.job, VerifySG.organisation)
        router.message.register(self.on_words, words, F.text, ~F.text.startswith("/"))
        router.message.register(self.on_email, StateFilter(VerifySG.email), F.text, ~F.text.startswith("/"))
        router.message.register(self.on_code, StateFilter(VerifySG.code), F.text, ~F.text.startswith("/"))
        return router
