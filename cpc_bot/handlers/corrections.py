"""When the reports arrive (issue 18): the answer to "Have you had the reports?", the sheet for
the chair, and the messages a parent can send as they are.

- "✅ Yes, I have them" opens "Answer the reports" (dialogs/parent_reports.yaml): report by
  report, what is wrong and what they disagree with. Finishing it makes the "Corrections and
  disagreements" sheet (the report service, with the interpreter line from :mod:`letters`) and
  plans a reminder to send it to the chair before the conference.
- "⏳ Not yet" gives a short, polite request for the reports, ready to copy, in the parent's
  language and in English.
- A parent who needs an interpreter gets, with their report, a ready request to their social worker.
"""

from __future__ import annotations

import json
import logging
from contextlib import suppress
from datetime import date
from html import escape

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from cpc_bot.clock import LONDON, Clock
from cpc_bot.documents.letters import (
    Letters,
    interpreter_request,
    needs_interpreter,
    reports_missing,
)
from cpc_bot.documents.service import ReportService
from cpc_bot.engine.loader import DialogRegistry
from cpc_bot.engine.runner import DialogRunner
from cpc_bot.engine.screens import tr
from cpc_bot.engine.values import format_day
from cpc_bot.engine.view import View
from cpc_bot.reminders.reports import ReportsCb, plan_send_reminder, sheet_ref
from cpc_bot.reminders.store import ReminderStore
from cpc_bot.store.conferences import ConferenceRepository
from cpc_bot.store.models import Response
from cpc_bot.store.repository import Repository

log = logging.getLogger(__name__)

#: The questionnaire that makes the sheet, and its closing page about after the conference.
SHEET_DIALOG = "parent_reports"
AFTER_STEP = "after"
DATE_KEY = "conference_date"


class ReportsDesk:
    """Answers the reports question and the sheet reminder; sends the ready messages."""

    def __init__(self, repo: Repository, registry: DialogRegistry, runner: DialogRunner, reminders: ReminderStore,
                 conferences: ConferenceRepository, reports: ReportService, letters: Letters, clock: Clock) -> None:
        self.repo = repo
        self.registry = registry
        self.runner = runner
        self.reminders = reminders
        self.conferences = conferences
        self.reports = reports
        self.letters = letters
        self.clock = clock

    async def conference_day(self, user_id: int, answers: dict | None = None) -> date | None:
        """The parent's conference: the date they gave, else the next conference they are linked to."""
        today = self.clock().astimezone(LONDON).date()
        answers = answers if answers is not None else await self.letters.prepare_answers(user_id)
        given = answers.get(DATE_KEY)
        if isinstance(given, str) and date.fromisoformat(given) >= today:
            return date.fromisoformat(given)
        linked = sorted(day for c, _audience in await self.conferences.memberships(user_id)
                        if (day := c.starts_at.astimezone(LONDON).date()) >= today)
        return linked[0] if linked else None

    async def _send_ready(self, bot: Bot, chat_id: int, intro: str, texts: list[str]) -> None:
        """An intro line, then each ready message on its own (so it can be copied or forwarded whole)."""
        if len(texts) > 1:
            intro += " " + _("It comes in your language, then in English.")
        await bot.send_message(chat_id, escape(intro + " " + _("Press and hold a message below, then tap Copy. Or forward it.")))
        for text in texts:
            await bot.send_message(chat_id, escape(text))

    # ------------------------------------------------------------- buttons
    async def on_button(self, query: CallbackQuery, callback_data: ReportsCb, state: FSMContext, bot: Bot) -> None:
        row = await self.reminders.get(callback_data.reminder_id)
        user = query.from_user.id
        if row is None or row.user_id != user or not isinstance(query.message, Message):
            await query.answer(_("This button no longer works. Send /start to carry on."))
            return
        params = json.loads(row.params)
        chat_id = query.message.chat.id
        action = callback_data.action
        if action == "yes":
            await query.answer()
            with suppress(TelegramBadRequest):  # already without buttons (a double tap)
                await query.message.edit_reply_markup(reply_markup=None)
            log.info("reports.arrived user=%s", user)
            await self.runner.stop(bot, chat_id, state)
            await self.runner.begin(bot, chat_id, user, state, SHEET_DIALOG)
        elif action == "no" and "conference_day" in params:
            await query.answer()
            # "Yes" stays, for when they come.
            markup = query.message.reply_markup
            if markup is not None and len(markup.inline_keyboard) > 1:
                with suppress(TelegramBadRequest):
                    await query.message.edit_reply_markup(
                        reply_markup=InlineKeyboardMarkup(inline_keyboard=markup.inline_keyboard[:1]))
            log.info("reports.missing user=%s", user)
            answers = await self.letters.prepare_answers(user)
            day = date.fromisoformat(params["conference_day"])
            await self._send_ready(bot, chat_id, _(
                "Here is a message you can send to your social worker or to the chair of the conference."),
                self.letters.both(lambda locale: reports_missing(answers, day, locale), get_i18n().current_locale))
            await bot.send_message(chat_id, _(
                "When the reports come, tap \"✅ Yes, I have them\" above, or send /start and choose "
                "\"Answer the reports\". I will help you write down what is wrong in them and what you disagree with."))
        elif action == "sheet":
            response = await self.repo.latest_response(user, SHEET_DIALOG, status="finished")
            if response is None:
                await query.answer(_("You have not finished the sheet yet. Send /start and choose \"Answer the reports\"."),
                                   show_alert=True)
                return
            await query.answer()
            await self.reports.send(bot, chat_id, response)
        elif action == "after":
            await query.answer()
            step = next((s for s in self.registry[SHEET_DIALOG].steps if s.key == AFTER_STEP), None)
            if step is not None:
                await bot.send_message(chat_id, escape(tr(step.text)))
        else:
            await query.answer(_("This button no longer works. Send /start to carry on."))

    # ------------------------------------------------------------- finished
    async def after_sheet(self, bot: Bot, chat_id: int, response: Response, view: View) -> None:
        """The sheet is made: remind them to send it to the chair before the conference."""
        day = await self.conference_day(response.user_id)
        planned = await plan_send_reminder(self.reminders, self.clock, response.user_id, response.id or 0, day)
        if planned is not None:
            await bot.send_message(chat_id, _("I will remind you on %(day)s to send it to the chair.") % {
                "day": format_day(planned, get_i18n().current_locale)})

    async def forget_sheet(self, response: Response) -> None:
        """The sheet is being started again: its reminder goes with its answers."""
        await self.reminders.delete(response.user_id, sheet_ref(response.id or 0))

    async def after_prepare(self, bot: Bot, chat_id: int, response: Response, view: View) -> None:
        """A parent who needs an interpreter gets a request to send to their social worker."""
        answers = view.answers
        if not needs_interpreter(answers):
            return
        day = await self.conference_day(response.user_id, answers)
        await self._send_ready(bot, chat_id, _(
            "You need an interpreter. Here is a request you can send to your social worker, so they can book one."),
            self.letters.both(lambda locale: interpreter_request(answers, day, locale), get_i18n().current_locale))
        log.info("interpreter.request_made response=%s", response.id)

    def router(self) -> Router:
        router = Router(name=__name__)
        router.callback_query.register(self.on_button, ReportsCb.filter())
        return router
