"""/report: send the person's written report (a child's booklet) again, at any time."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from cpc_bot.documents.service import ReportService
from cpc_bot.engine.loader import DialogRegistry
from cpc_bot.handlers.menu import MenuCb
from cpc_bot.store.repository import Repository


async def send_latest_reports(bot: Bot, chat_id: int, repo: Repository, registry: DialogRegistry,
                              reports: ReportService) -> int:
    """Send the newest finished report of each kind; returns how many were sent."""
    sent = 0
    for dialog in registry.dialogs.values():
        if not dialog.report_title:
            continue
        response = await repo.latest_response(chat_id, dialog.id, status="finished")
        if response is None:  # open again to change an answer: the report of the answers as they are now
            reopened = await repo.open_response(chat_id, dialog.id)
            response = reopened if reopened is not None and reopened.finished_at is not None else None
        if response is not None:
            await reports.send(bot, chat_id, response)
            sent += 1
    return sent


async def nothing_yet(repo: Repository, user_id: int) -> str:
    """Nothing finished to send: a child hears about their booklet, never a report."""
    user = await repo.get_user(user_id)
    if user is not None and user.role == "child":
        return _("You have not finished your booklet yet. When you finish it, I will send it to you. "
                 "Send /start to carry on.")
    return _("You have not finished any questions yet, so there is no report. Send /start to begin.")


async def cmd_report(message: Message, bot: Bot, repo: Repository, registry: DialogRegistry, reports: ReportService) -> None:
    if not await send_latest_reports(bot, message.chat.id, repo, registry, reports):
        await message.answer(await nothing_yet(repo, message.chat.id))


async def on_report_button(query: CallbackQuery, bot: Bot, repo: Repository, registry: DialogRegistry,
                           reports: ReportService) -> None:
    await query.answer()
    if not await send_latest_reports(bot, query.from_user.id, repo, registry, reports):
        await bot.send_message(query.from_user.id, await nothing_yet(repo, query.from_user.id))


def setup() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_report, Command("report"))
    router.callback_query.register(on_report_button, MenuCb.filter(F.a == "report"))
    return router
