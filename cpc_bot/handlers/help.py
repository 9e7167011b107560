"""/help, /cancel, and the kind replies for anything the bot did not expect."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, ExceptionTypeFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ErrorEvent, Message
from aiogram.utils.i18n import gettext as _

from cpc_bot.engine.runner import DialogRunner
from cpc_bot.store.repository import Repository

log = logging.getLogger(__name__)


def help_text(*, child: bool = False) -> str:
    """What the bot is and its commands; a child's file is their booklet, so /report says so."""
    report = _("/report: get your booklet again") if child else _("/report: get your written report again")
    return _(
        "<b>What this bot is</b>\n"
        "CPC Companion helps you get ready for a child protection conference: a meeting about how to keep "
        "children safe. It asks you questions, saves your answers as you go, and helps you share your views.\n\n"
        "<b>What it is not</b>\n"
        "It is not an emergency service, and nobody reads these messages live. "
        "It does not send your answers to anyone unless you choose to share them.\n\n"
        "<b>If someone is in danger now</b>, call <b>999</b>.\n"
        "Children and young people can talk to <b>Childline</b> any time, free: <b>0800 1111</b>.\n"
        "Adults worried about a child can call the <b>NSPCC</b>: <b>0808 800 5000</b>.\n\n"
        "<b>Commands</b>\n"
        "/start: the main menu, or carry on where you stopped\n"
        "/guide: about the conference, in plain words\n"
        "%(report)s\n"
        "/cancel: stop for now (your answers stay saved)\n"
        "/language: choose your language\n"
        "/mydata: see everything I keep about you\n"
        "/delete: delete everything I keep about you\n"
        "/help: this message"
    ) % {"report": report}


async def cmd_help(message: Message, state: FSMContext, bot: Bot, runner: DialogRunner, repo: Repository) -> None:
    user = await repo.get_user(message.chat.id)
    await message.answer(help_text(child=user is not None and user.role == "child"))
    # In the middle of a questionnaire, the question comes again below the help.
    await runner.reprompt(bot, message.chat.id, state)


async def cmd_cancel(message: Message, state: FSMContext, bot: Bot, runner: DialogRunner) -> None:
    if await runner.stop(bot, message.chat.id, state):
        await message.answer(_("Stopped for now. Your answers are saved. Send /start when you want to carry on."))
    else:
        await message.answer(_("There is nothing to stop. Send /start to begin."))


async def on_anything_else(message: Message) -> None:
    """Outside a questionnaire: words, stickers, unknown commands."""
    await message.answer(_("I am not sure what you mean. Send /start to begin or carry on, or /help for help."))


async def on_unknown_button(query: CallbackQuery) -> None:
    await query.answer(_("This button no longer works. Send /start to carry on."))


async def on_error(event: ErrorEvent, bot: Bot) -> bool:
    """Log ids and the error type only (never what people wrote); tell the person kindly."""
    update = event.update
    log.error("update.failed update=%s error=%s", update.update_id, type(event.exception).__name__,
              exc_info=event.exception)
    chat_id = None
    if update.message is not None:
        chat_id = update.message.chat.id
    elif update.callback_query is not None:
        chat_id = update.callback_query.from_user.id
    if chat_id is not None:
        if isinstance(event.exception, TelegramAPIError):
            # Telegram refused or lost our reply: what they sent was handled and saved before it.
            text = _("Sorry, my answer to you did not get through. What you sent me is saved, so there is "
                     "no need to send it again. Send /start to carry on.")
        else:
            text = _("Sorry, something went wrong on my side and your last message may not have been saved. "
                     "Your earlier answers are safe. Please send it again, or send /start.")
        try:
            await bot.send_message(chat_id, text)
        except Exception:  # noqa: BLE001 - the error is already logged; never fail the error handler
            log.warning("update.failed.reply_failed update=%s", update.update_id)
    return True


def setup_commands() -> Router:
    """Commands that work from anywhere, even in the middle of a questionnaire."""
    router = Router(name=f"{__name__}.commands")
    router.message.register(cmd_help, Command("help"))
    router.message.register(cmd_cancel, Command("cancel"))
    return router


def setup_fallback() -> Router:
    """Last in line: what no other router wanted."""
    router = Router(name=f"{__name__}.fallback")
    router.message.register(on_anything_else)
    router.callback_query.register(on_unknown_button)
    router.errors.register(on_error, ExceptionTypeFilter(Exception))
    return router
