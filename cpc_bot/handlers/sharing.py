"""A child chooses, page by page, what others may see. Private is the default, and as easy.

The choice is an answer row of the booklet (``_share``: the keys to share), so it is
encrypted and saved the moment it is made. Nothing is sent anywhere from here until
the child is linked to a professional and confirms after reading their words back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from html import escape

from aiogram import Bot, F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import get_i18n, ngettext
from aiogram.utils.i18n import gettext as _

from cpc_bot.engine.flow import Slot
from cpc_bot.engine.kinds import describe_answer, is_empty
from cpc_bot.engine.labels import short_label
from cpc_bot.engine.runner import DialogRunner
from cpc_bot.engine.view import View
from cpc_bot.handlers.professional import SendCb
from cpc_bot.handlers.recipients import Recipient, Recipients, button_text, full_line
from cpc_bot.i18n.bidi import mark_rtl
from cpc_bot.store.conferences import ConferenceRepository
from cpc_bot.store.models import Response
from cpc_bot.store.repository import Repository
from cpc_bot.telegram_text import MESSAGE_LIMIT, clip, fair_cap, telegram_length, utf16_units

log = logging.getLogger(__name__)

SHARE_KEY = "_share"


class ShareCb(CallbackData, prefix="sh"):
    r: int
    a: str  # tog | done | edit | private
    t: str = ""  # the slot token for tog


def shareable(view: View) -> list[Slot]:
    """Questions the child answered (only those can be shared); "My numbers" stay theirs alone."""
    return [s for s in view.slots if s.is_question and s.step is not None and s.step.shareable
            and not is_empty(s.step, view.value(s.key))]


def shared_keys(view: View) -> list[str]:
    return list(view.answers.get(SHARE_KEY) or [])


def choice_screen(view: View) -> tuple[str, InlineKeyboardMarkup]:
    chosen = set(shared_keys(view))
    rid = view.response.id or 0
    rows = [
        [InlineKeyboardButton(text=("👀 " if s.key in chosen else "🔒 ") + short_label(s),
                              callback_data=ShareCb(r=rid, a="tog", t=s.token).pack())]
        for s in shareable(view)
    ]
    rows.append([InlineKeyboardButton(text=_("✅ Done choosing"), callback_data=ShareCb(r=rid, a="done").pack())])
    rows.append([InlineKeyboardButton(text=_("🔒 Keep everything private"), callback_data=ShareCb(r=rid, a="private").pack())])
    text = _(
        "<b>Who sees your booklet is up to you.</b>\n\n"
        "Nothing is shared unless you choose it. Tap a page to change it:\n"
        "🔒 means private: I do not send it to anyone.\n"
        "👀 means share: your social worker and the meeting can see it."
    )
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def read_back_screen(view: View, locale: str, linked: list[Recipient]) -> tuple[str, InlineKeyboardMarkup]:
    """The child's own words read back before anything could leave their account. It is one
    message, so that the Send buttons are always under it: when their words are longer than
    Telegram allows, each page shows as much as fits and says how many more words it has."""
    chosen = set(shared_keys(view))
    rid = view.response.id or 0
    shared = [s for s in shareable(view) if s.key in chosen]
    private = [s for s in shareable(view) if s.key not in chosen]
    words = []
    for slot in shared:
        assert slot.step is not None
        words.append(describe_answer(slot.step, view.value(slot.key), locale))

    rows = []
    tail: list[str] = []
    if linked and shared:
        tail.append(escape(_("Your choices are saved. Nothing has been sent yet. Each button below sends the pages "
                             "you chose to one person only:")) + "\n" +
                    "\n".join("📤 <b>" + escape(full_line(r)) + "</b>" for r in linked))
        rows += [[InlineKeyboardButton(text=button_text(r), callback_data=SendCb(r=rid, c=r.conference.id or 0).pack())]
                 for r in linked]
    elif linked:
        tail.append(escape(_("Your choices are saved. Nothing will be sent.")))
    else:
        tail.append(escape(_(
            "Your choices are saved. Nothing has been sent to anyone. You are not linked to a social worker "
            "in this app yet. If your social worker gives you a link, open it, and you can send the pages "
            "you chose to them."
        )))

    def screen(cap: int | None) -> str:
        parts: list[str] = []
        if shared:
            parts.append("<b>" + escape(_("You chose to share:")) + "</b>")
            parts += [f"👀 <b>{escape(short_label(slot))}</b>\n{_quoted(answer, cap)}"
                      for slot, answer in zip(shared, words, strict=True)]
        else:
            parts.append(escape(_("You chose to keep everything private. That is fine.")))
        if private:
            parts.append("<b>" + escape(_("Private, only for you:")) + "</b>\n" + "\n".join("🔒 " + escape(short_label(s)) for s in private))
        return "\n\n".join(parts + tail)

    text = _fitted(screen, [utf16_units(answer) for answer in words])
    rows.append([InlineKeyboardButton(text=_("✏️ Change my choices"), callback_data=ShareCb(r=rid, a="edit").pack())])
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def _fitted(screen: Callable[[int | None], str], lengths: list[int]) -> str:
    """The pages whole when they fit in one message; otherwise each cut to a fair share, as
    Telegram counts (the direction marks added to right-to-left texts included)."""
    text = screen(None)
    if _units(text) <= MESSAGE_LIMIT:
        return text
    budget = MESSAGE_LIMIT - _units(screen(0))
    for _attempt in range(5):
        text = screen(fair_cap(lengths, max(budget, 0)))
        over = _units(text) - MESSAGE_LIMIT
        if over <= 0:
            break
        budget -= over
    return text


def _units(text: str) -> int:
    return telegram_length(mark_rtl(text))


def _quoted(answer: str, cap: int | None) -> str:
    """An answer as a quote; cut to ``cap`` units, with how many words are not shown."""
    if cap is None or utf16_units(answer) <= cap:
        return f"<blockquote>{escape(answer)}</blockquote>"
    note_room = 40
    shown = clip(answer, max(cap - note_room, 1))
    hidden = max(len(answer[len(shown) - 1:].split()), 1)
    note = ngettext("…and %(count)d more word", "…and %(count)d more words", hidden) % {"count": hidden}
    return f"<blockquote>{escape(shown)}</blockquote>\n<i>{escape(note)}</i>"


class Sharing:
    """Offers the choice after a booklet is finished, and keeps it."""

    def __init__(self, repo: Repository, runner: DialogRunner, conferences: ConferenceRepository,
                 recipients: Recipients | None = None) -> None:
        self.repo = repo
        self.runner = runner
        self.conferences = conferences
        self.recipients = recipients or Recipients(conferences, None)

    async def offer(self, bot: Bot, chat_id: int, response: Response, view: View) -> None:
        view = await self.runner.load_view(response)
        if not shareable(view):
            return
        text, markup = choice_screen(view)
        await bot.send_message(chat_id, text, reply_markup=markup)

    async def on_button(self, query: CallbackQuery, callback_data: ShareCb) -> None:
        response = await self.repo.get_response(callback_data.r)
        if response is None or response.user_id != query.from_user.id or not isinstance(query.message, Message):
            await query.answer(_("This button no longer works. Send /start to carry on."))
            return
        view = await self.runner.load_view(response)
        chosen = shared_keys(view)
        if callback_data.a == "tog":
            slot = next((s for s in shareable(view) if s.token == callback_data.t), None)
            if slot is None:
                await query.answer(_("This button no longer works. Send /start to carry on."))
                return
            chosen = [k for k in chosen if k != slot.key] if slot.key in chosen else [*chosen, slot.key]
            await self.repo.save_answer(response.id or 0, SHARE_KEY, chosen)
        elif callback_data.a == "private":
            await self.repo.save_answer(response.id or 0, SHARE_KEY, [])
        log.info("share.choice response=%s action=%s count=%s", response.id, callback_data.a, len(chosen))
        await query.answer()
        view = await self.runner.load_view(response)
        if callback_data.a in ("done", "private"):
            linked = await self.recipients.for_member(response.user_id, "child")
            text, markup = read_back_screen(view, get_i18n().current_locale, linked)
        else:
            text, markup = choice_screen(view)
        await query.message.edit_text(text, reply_markup=markup)

    def router(self) -> Router:
        router = Router(name=__name__)
        router.callback_query.register(self.on_button, ShareCb.filter(F.a.in_({"tog", "done", "edit", "private"})))
        return router
