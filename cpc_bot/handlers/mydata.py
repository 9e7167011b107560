"""/mydata: everything the bot holds about you, as a file. /delete: erase it all, after a clear yes."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from cpc_bot.clock import LONDON, Clock
from cpc_bot.documents.mydata import (
    CONFERENCE_KINDS,
    CONFERENCE_ROLES,
    JOINED_AS,
    ROLES,
    STATUSES,
    UNKNOWN,
    VERIFICATION,
    coded,
    conference_label,
    language,
    reminder_label,
    render_mydata_html,
)
from cpc_bot.domain.verification import AREA_LABELS
from cpc_bot.engine.kinds import describe_answer
from cpc_bot.engine.labels import short_label
from cpc_bot.engine.loader import DialogRegistry
from cpc_bot.engine.runner import DialogRunner
from cpc_bot.engine.values import format_day
from cpc_bot.handlers.menu import MenuCb
from cpc_bot.handlers.middlewares import MessageLog
from cpc_bot.handlers.rate_limit import Buckets
from cpc_bot.i18n.bidi import RLM
from cpc_bot.reminders.retention import Retention, erase_day
from cpc_bot.reminders.store import ReminderStore
from cpc_bot.store.conferences import ConferenceRepository
from cpc_bot.store.models import Conference, ProfessionalProfile
from cpc_bot.store.professionals import ProfessionalRepository
from cpc_bot.store.repository import Repository

log = logging.getLogger(__name__)


def export_professional(professionals: ProfessionalRepository | None, profile: ProfessionalProfile | None) -> dict[str, object] | None:
    """What a professional gave to be verified, decrypted, and where it stands."""
    if professionals is None or profile is None:
        return None
    details = professionals.details(profile)
    status = profile.status
    if status == "verified" and not professionals.is_verified(profile):
        status = "expired"
    return {"area": coded(profile.area, AREA_LABELS), "name": details.name, "job": details.job,
            "organisation": details.organisation, "email": details.email, "status": coded(status, VERIFICATION),
            "verified_until": profile.verified_until.isoformat() if status == "verified" and profile.verified_until else None}


async def export_user(user_id: int, repo: Repository, runner: DialogRunner, registry: DialogRegistry,
                      reminders: ReminderStore, conferences: ConferenceRepository,
                      professionals: ProfessionalRepository | None = None) -> dict[str, object]:
    """Everything stored about one person, decrypted, in the words they were asked; each stored
    code beside its label in their language (``{"code": ..., "label": ...}``)."""
    user = await repo.get_user(user_id)
    locale = get_i18n().current_locale
    responses = []
    for response in await repo.responses(user_id):
        if registry.get(response.dialog_id) is None:
            continue
        view = await runner.load_view(response)
        answers = []
        labels = {}
        for slot in view.slots:
            if slot.is_question and slot.step is not None:
                labels[slot.key] = short_label(slot)
                if slot.key in view.stored:
                    stored = view.stored[slot.key]
                    answers.append({"question": labels[slot.key],
                                    "answer": describe_answer(slot.step, stored.value, locale, skipped=stored.skipped)})
        responses.append({"questionnaire": {"code": response.dialog_id, "label": _(view.dialog.title)},
                          "status": coded(response.status, STATUSES),
                          "started": response.created_at.isoformat(), "answers": answers,
                          "shared_pages": [{"code": key, "label": labels.get(key) or _(UNKNOWN)}
                                           for key in view.answers.get("_share") or []]})
    return {
        "user": {"telegram_id": user_id, "language": language(user.locale if user else None, locale),
                 "role": coded(user.role if user else None, ROLES),
                 "first_seen": user.created_at.isoformat() if user else None,
                 "discreet_mode": bool(user.discreet) if user else False},
        "professional": export_professional(professionals, await professionals.profile(user_id) if professionals else None),
        "questionnaires": responses,
        "reminders": [{"kind": {"code": r.kind, "label": reminder_label(r.kind, json.loads(r.params or "{}"), locale)},
                       "due": r.due_at.astimezone(LONDON).isoformat(), "status": coded(r.status, STATUSES)}
                      for r in await reminders.for_user(user_id)],
        "conferences_registered": [_conference(c, locale, role=coded(c.role, CONFERENCE_ROLES),
                                               case_reference=conferences.case_ref(c))
                                   for c in await conferences.for_owner(user_id)],
        "conferences_joined": [_conference(c, locale, **{"as": coded(m.audience, JOINED_AS)},
                                           joined=m.joined_at.astimezone(LONDON).isoformat(),
                                           name_given=conferences.member_name(m, c))
                               for c, m in await conferences.joined_by(user_id)],
    }


def _conference(c: Conference, locale: str, **more: object) -> dict[str, object]:
    starts = c.starts_at.astimezone(LONDON).isoformat()
    return {"label": conference_label(c.kind, c.area, starts, c.has_time, locale),
            "kind": coded(c.kind, CONFERENCE_KINDS), "area": coded(c.area, AREA_LABELS), "starts": starts,
            "has_time": c.has_time, **more}


async def cmd_mydata(message: Message, bot: Bot, repo: Repository, runner: DialogRunner, registry: DialogRegistry,
                     reminders: ReminderStore, conferences: ConferenceRepository, clock: Clock,
                     professionals: ProfessionalRepository) -> None:
    data = await export_user(message.chat.id, repo, runner, registry, reminders, conferences, professionals)
    today = clock().astimezone(LONDON).date()
    page = render_mydata_html(data, get_i18n().current_locale, today)
    await bot.send_document(message.chat.id, BufferedInputFile(page, filename=f"cpc-companion-my-data-{today}.html"),
                            caption=_("This is everything I keep about you. Pictures you sent are in your booklet. "
                                      "Send /delete to erase it all."))
    body = json.dumps(data, ensure_ascii=False, indent=2).encode()
    await bot.send_document(message.chat.id, BufferedInputFile(body, filename=f"cpc-companion-my-data-{today}.json"),
                            caption=_("The same, in a form another computer program can read."))
    log.info("data.exported user=%s", message.chat.id)


async def cmd_delete(message: Message, repo: Repository) -> None:
    rows = [[InlineKeyboardButton(text=_("🗑 Yes, delete everything"), callback_data=MenuCb(a="erase", v="yes").pack())],
            [InlineKeyboardButton(text=_("No, keep my answers"), callback_data=MenuCb(a="erase", v="no").pack())]]
    user = await repo.get_user(message.chat.id)
    if user is not None and user.role == "child":  # a child's file is their booklet
        text = _("<b>Delete everything?</b>\n\nThis deletes all your answers, your booklet, your pictures and "
                 "My numbers. It cannot be undone. If you already sent your booklet to someone, they still have it.")
    else:
        text = _(
            "<b>Delete everything?</b>\n\nThis erases all your answers, reports, pictures, reminders, and any "
            "conferences and invite links you made. It cannot be undone. Reports you already sent to someone "
            "stay with them.")
    await message.answer(text, reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


async def on_erase(query: CallbackQuery, callback_data: MenuCb, state: FSMContext, repo: Repository, bot: Bot,
                   clock: Clock, message_log: MessageLog, rate_buckets: Buckets | None = None) -> None:
    if not isinstance(query.message, Message):
        await query.answer()
        return
    await query.answer()
    if callback_data.v != "yes":
        kept = _("Nothing was deleted.")
        # "No" tapped again (a copy of the button): Telegram refuses an edit that changes nothing.
        if query.message.reply_markup is not None or (query.message.text or "").replace(RLM, "") != kept:
            await query.message.edit_text(kept, reply_markup=None)
        return
    chat_id = query.message.chat.id
    await state.clear()
    await repo.delete_user(query.from_user.id)
    if rate_buckets is not None:
        await rate_buckets.forget(query.from_user.id)
    log.info("data.erased user=%s", query.from_user.id)
    # The conversation too, where Telegram allows it (48 hours): someone else may pick up this phone.
    await message_log.flush()
    removed = await _delete_recent_messages(bot, repo, chat_id, clock)
    await bot.send_message(chat_id, _("Done. Everything I kept about you has been deleted. "
                                      "If you send /start, you begin again with nothing saved.") + "\n\n" + _(
        "I also removed our messages from the last two days from this chat. Older messages stay: you can "
        "delete them in Telegram (press and hold a message, then Delete)."))
    await message_log.flush()
    await repo.forget_messages(chat_id=chat_id)
    log.info("data.chat_cleared user=%s messages=%s", query.from_user.id, removed)


async def _delete_recent_messages(bot: Bot, repo: Repository, chat_id: int, clock: Clock) -> int:
    """Delete the chat's messages Telegram still allows (48 hours, a margin kept); returns how many."""
    ids = await repo.recent_messages(chat_id, since=clock() - timedelta(hours=47))
    for start in range(0, len(ids), 100):  # deleteMessages takes up to 100 ids
        try:
            await bot.delete_messages(chat_id, ids[start:start + 100])
        except TelegramAPIError as exc:  # some may be gone already: the rest of the erasure stands
            log.warning("data.chat_clear_failed user=%s error=%s", chat_id, type(exc).__name__)
    return len(ids)


def keep_data(planned: str) -> str:
    """The retention notice's button (see reminders.retention): keep what is planned for ``planned``."""
    return MenuCb(a="keep", v=planned).pack()


async def on_keep(query: CallbackQuery, callback_data: MenuCb, retention: Retention) -> None:
    """The retention notice's button: keep the preparation for longer."""
    kept_until = await retention.keep_longer(query.from_user.id, callback_data.v)
    if kept_until is None or not isinstance(query.message, Message):
        await query.answer(_("This button no longer works. Send /start to carry on."))
        return
    await query.answer()
    await query.message.edit_text(_("Kept. I will not delete it before %(day)s, and I will tell you before I do.") % {
        "day": format_day(erase_day(kept_until), get_i18n().current_locale)}, reply_markup=None)


def setup() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_mydata, Command("mydata"))
    router.message.register(cmd_delete, Command("delete"))
    router.callback_query.register(on_erase, MenuCb.filter(F.a == "erase"))
    router.callback_query.register(on_keep, MenuCb.filter(F.a == "keep"))
    return router
