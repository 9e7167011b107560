"""/guide: plain-language pages about the conference, readable at any moment.

Opening the guide does not leave a questionnaire: the question stays where it was.

A child's guide has pages for one age band only (what the plan's categories mean, for 12 and
over). The band comes with the button (the menu after "How old are you?" names it), else from the
booklet the child has started; when it is not known, only the pages for every age are shown.
"""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from cpc_bot.engine.guides import Guide
from cpc_bot.handlers.menu import MenuCb
from cpc_bot.store.repository import Repository

#: Which booklet each age band has ("Have your say" has two versions).
CHILD_DIALOGS = {"under12": "child_under12", "12plus": "young_person"}
AGES = {dialog: age for age, dialog in CHILD_DIALOGS.items()}


def _guide_for(guides: dict[str, Guide], role: str | None) -> Guide | None:
    return guides.get(role or "parent") or guides.get("parent")


def guide_value(key: str = "", age: str | None = None) -> str:
    """A guide button's value: the page (empty: the contents) and the reader's age band, "who@12plus"."""
    return f"{key}@{age}" if age else key


def _split(value: str) -> tuple[str, str | None]:
    key, _sep, age = value.partition("@")
    return key, age if age in CHILD_DIALOGS else None


async def child_age(repo: Repository, user_id: int) -> str | None:
    """The age band of the booklet a child started most recently, if any."""
    responses = [r for r in await repo.responses(user_id) if r.dialog_id in AGES]
    if not responses:
        return None
    return AGES[max(responses, key=lambda r: r.updated_at).dialog_id]


def contents(guide: Guide, age: str | None = None) -> tuple[str, InlineKeyboardMarkup]:
    rows = [[InlineKeyboardButton(text=_(p.title), callback_data=MenuCb(a="guide", v=guide_value(p.key, age)).pack())]
            for p in guide.pages_for(age)]
    return f"<b>{escape(_(guide.title))}</b>\n\n" + escape(_("Tap a topic to read it.")), InlineKeyboardMarkup(inline_keyboard=rows)


def page_screen(guide: Guide, key: str, age: str | None = None) -> tuple[str, InlineKeyboardMarkup] | None:
    page = guide.page(key, age)
    if page is None:
        return None
    back = InlineKeyboardButton(text=_("📖 All topics"), callback_data=MenuCb(a="guide", v=guide_value("", age)).pack())
    return f"<b>{escape(_(page.title))}</b>\n\n{escape(_(page.text))}", InlineKeyboardMarkup(inline_keyboard=[[back]])


async def cmd_guide(message: Message, guides: dict[str, Guide], repo: Repository) -> None:
    user = await repo.get_user(message.chat.id)
    role = user.role if user else None
    guide = _guide_for(guides, role)
    if guide is None:
        await message.answer(_("There is no guide yet. Send /help for help."))
        return
    age = await child_age(repo, message.chat.id) if role == "child" else None
    text, markup = contents(guide, age)
    await message.answer(text, reply_markup=markup)


async def on_guide(query: CallbackQuery, callback_data: MenuCb, guides: dict[str, Guide], repo: Repository) -> None:
    user = await repo.get_user(query.from_user.id)
    role = user.role if user else None
    guide = _guide_for(guides, role)
    key, age = _split(callback_data.v)
    if role == "child" and age is None:
        age = await child_age(repo, query.from_user.id)
    elif role != "child":
        age = None
    screen = None
    if guide is not None:
        screen = contents(guide, age) if not key else page_screen(guide, key, age)
    if screen is None or not isinstance(query.message, Message):
        await query.answer(_("This button no longer works. Send /start to carry on."))
        return
    await query.answer()
    await query.message.edit_text(screen[0], reply_markup=screen[1])


def setup() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_guide, Command("guide"))
    router.callback_query.register(on_guide, MenuCb.filter(F.a == "guide"))
    return router
