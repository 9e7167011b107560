"""/settings: discreet mode, for people who share a phone or live with someone who hurts them.

Offered at the start too ("Does anyone else look at your phone?"). When it is on, the
messages the bot starts by itself (reminders, the retention notice) only say "You have a
reminder. Open the chat to read it.", with a button that shows the reminder in the chat.
What Telegram itself still shows is in the README (the bot's name, the chat in the list).
"""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from cpc_bot.engine.screens import menu_button
from cpc_bot.handlers.menu import MenuCb
from cpc_bot.reminders.sender import ReminderSender, RevealCb
from cpc_bot.reminders.store import ReminderStore, as_due
from cpc_bot.store.repository import Repository

log = logging.getLogger(__name__)

DISCREET_ACTION = "discreet"


def discreet_offer_button() -> InlineKeyboardButton:
    return InlineKeyboardButton(text=_("🔒 Does anyone else look at your phone?"),
                                callback_data=MenuCb(a=DISCREET_ACTION, v="ask").pack())


def settings_screen(discreet: bool) -> tuple[str, InlineKeyboardMarkup]:
    state = _("<b>Discreet mode is on.</b>") if discreet else _("<b>Discreet mode is off.</b>")
    text = _(
        "🔒 <b>Discreet mode</b>\n\n"
        "If someone else looks at your phone, or you live with someone who hurts you, I can keep the "
        "messages I send by myself plain. Reminders will only say: \"You have a reminder. Open the chat to read it.\" "
        "Nothing about social workers, meetings or child protection shows on your lock screen.\n\n"
        "Telegram still shows my name and our chat in your list of chats. You can also turn off message "
        "previews in Telegram's settings, and delete our chat when you have finished."
    ) + "\n\n" + state
    button = (InlineKeyboardButton(text=_("Turn discreet mode off"), callback_data=MenuCb(a=DISCREET_ACTION, v="off").pack())
              if discreet else
              InlineKeyboardButton(text=_("🔒 Turn discreet mode on"), callback_data=MenuCb(a=DISCREET_ACTION, v="on").pack()))
    return text, InlineKeyboardMarkup(inline_keyboard=[[button], [menu_button()]])


async def cmd_settings(message: Message, repo: Repository) -> None:
    user = await repo.get_user(message.chat.id)
    text, keyboard = settings_screen(bool(user and user.discreet))
    await message.answer(text, reply_markup=keyboard)


async def on_discreet(query: CallbackQuery, callback_data: MenuCb, repo: Repository) -> None:
    if not isinstance(query.message, Message) or callback_data.v not in ("ask", "on", "off"):
        await query.answer(_("This button no longer works. Send /start to carry on."))
        return
    if callback_data.v == "ask":
        user = await repo.get_user(query.from_user.id)
        discreet = bool(user and user.discreet)
        await query.answer()
        text, keyboard = settings_screen(discreet)
        await query.message.answer(text, reply_markup=keyboard)
        return
    discreet = callback_data.v == "on"
    await repo.update_user(query.from_user.id, discreet=discreet)
    log.info("settings.discreet on=%s", discreet)
    await query.answer(_("Saved."))
    text, keyboard = settings_screen(discreet)
    await query.message.edit_text(text, reply_markup=keyboard)


async def on_reveal(query: CallbackQuery, callback_data: RevealCb, reminders: ReminderStore,
                    reminder_sender: ReminderSender) -> None:
    row = await reminders.get(callback_data.reminder_id)
    if row is None or row.user_id != query.from_user.id or not isinstance(query.message, Message):
        await query.answer(_("This reminder is no longer here."))
        return
    shown = reminder_sender.render(as_due(row))
    if shown is None:
        await query.answer(_("This reminder is no longer here."))
        return
    await query.answer()
    text, markup = shown
    await query.message.edit_text(text, reply_markup=markup)


def setup() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_settings, Command("settings"))
    router.callback_query.register(on_discreet, MenuCb.filter(F.a == DISCREET_ACTION))
    router.callback_query.register(on_reveal, RevealCb.filter())
    return router
