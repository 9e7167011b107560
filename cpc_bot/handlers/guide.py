"""/guide: plain-language pages about the conference, readable at any moment.

Opening the guide does not leave a questionnaire: the question stays where it was.
"""

from __future__ import annotations

from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from cpc_bot.engine.guides import Guide
from cpc_bot.engine.runner import DialogRunner
from cpc_bot.engine.screens import menu_button
from cpc_bot.handlers.menu import MenuCb
from cpc_bot.store.repository import Repository


def _guide_for(guides: dict[str, Guide], role: str | None) -> Guide | None:
    return guides.get(role or "parent") or guides.get("parent")


def contents(guide: Guide) -> tuple[str, InlineKeyboardMarkup]:
    rows = [[InlineKeyboardButton(text=_(p.title), callback_data=MenuCb(a="guide", v=p.key).pack())] for p in guide.pages]
    rows.append([menu_button()])
    return f"<b>{escape(_(guide.title))}</b>\n\n" + escape(_("Tap a topic to read it.")), InlineKeyboardMarkup(inline_keyboard=rows)


def page_screen(guide: Guide, key: str) -> tuple[str, InlineKeyboardMarkup] | None:
    page = guide.page(key)
    if page is None:
        return None
    back = InlineKeyboardButton(text=_("📖 All topics"), callback_data=MenuCb(a="guide", v="").pack())
    return f"<b>{escape(_(page.title))}</b>\n\n{escape(_(page.text))}", InlineKeyboardMarkup(inline_keyboard=[[back, menu_button()]])


async def cmd_guide(message: Message, guides: dict[str, Guide], repo: Repository, state: FSMContext, bot: Bot,
                    runner: DialogRunner) -> None:
    user = await repo.get_user(message.chat.id)
    guide = _guide_for(guides, user.role if user else None)
    if guide is None:
        await message.answer(_("There is no guide yet. Send /help for help."))
        return
    text, markup = contents(guide)
    await message.answer(text, reply_markup=markup)
    # In the middle of a questionnaire, the question comes again below the guide (which opens in place).
    await runner.reprompt(bot, message.chat.id, state)


async def on_guide(query: CallbackQuery, callback_data: MenuCb, guides: dict[str, Guide], repo: Repository) -> None:
    user = await repo.get_user(query.from_user.id)
    guide = _guide_for(guides, user.role if user else None)
    screen = None
    if guide is not None:
        screen = contents(guide) if not callback_data.v else page_screen(guide, callback_data.v)
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
