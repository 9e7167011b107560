"""The questionnaires on Telegram: a thin adapter over the session service.

Everything a questionnaire does (which question comes next, what a typed date means, what a
button does, finishing) is in :mod:`cpc_bot.engine.session`, which knows no channel. This module
turns an aiogram update into one call of the session and shows its :class:`Outcome` as
Telegram messages: the question as a new message (after typing) or in the tapped message (after
a tap), the old question's buttons taken away so the chat shows one live question, the short
word for a tap as the callback's answer. The FSM state only says "this chat is answering
response N" and which message holds the live question: a lost FSM storage loses nothing, since
buttons carry the response id and /start finds the unfinished response again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from html import escape
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from cpc_bot.clock import LONDON
from cpc_bot.engine.events import Events, Finished
from cpc_bot.engine.flow import REVIEW, question_counts
from cpc_bot.engine.screens import (
    SHOWN_DATA,
    StepCb,
    answered_markup,
    question_screen,
    review_screen,
)
from cpc_bot.engine.session import FINISHES_KEY, MAX_PICTURE_BYTES, DialogSession, Outcome
from cpc_bot.engine.view import View
from cpc_bot.store.models import Response

log = logging.getLogger(__name__)


class DialogSG(StatesGroup):
    """One state for every questionnaire; which one lives in the FSM data."""

    active = State()


#: Called when someone finishes a questionnaire (e.g. to send their report) on Telegram.
FinishHook = Callable[[Bot, int, Response, View], Awaitable[None]]


@dataclass(frozen=True)
class TelegramChat:
    """Where a finished questionnaire's report goes: this bot, this chat."""

    bot: Bot
    chat_id: int


def _locale() -> str:
    return get_i18n().current_locale


class DialogRunner:
    """Starts, resumes and drives questionnaires on Telegram, through the session service."""

    def __init__(self, session: DialogSession) -> None:
        self.session = session
        self.registry = session.registry
        self.events: Events = session.events

    def on_finish(self, dialog_id: str, hook: FinishHook) -> None:
        """Send something on Telegram when ``dialog_id`` is finished (the report, an offer to share it)."""
        async def deliver(event: Finished, where: TelegramChat) -> None:
            await hook(where.bot, where.chat_id, event.response, event.view)
        self.events.subscribe(Finished, dialog_id, deliver)

    # ------------------------------------------------------------------ views
    async def load_view(self, response: Response, context: Mapping[str, Any] | None = None) -> View:
        return await self.session.load_view(response, context)

    def render(self, view: View, note: str | None = None) -> tuple[str, InlineKeyboardMarkup]:
        slot = view.current
        rid = view.response.id or 0
        if slot.is_review:
            return review_screen(view.dialog, view.slots, view.answers, view.skipped, rid, locale=_locale(), note=note)
        value = view.value(slot.key)
        if slot.is_more:
            value = None
        today = self.session.clock().astimezone(LONDON).date()
        return question_screen(view.dialog, view.slots, slot, rid, value, locale=_locale(), note=note, today=today,
                               counts=lambda: question_counts(view.dialog, view.answers, view.context))

    # --------------------------------------------------------------- sending
    async def _strip_keyboard(self, bot: Bot, chat_id: int, message_id: int | None) -> None:
        """Old prompts lose their buttons so the chat shows one live question."""
        if not message_id:
            return
        # Already without buttons, or deleted by the user: nothing to do.
        with suppress(TelegramBadRequest):
            await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=None)

    async def send_prompt(self, bot: Bot, chat_id: int, state: FSMContext, view: View, note: str | None = None) -> None:
        """Send the current question as a new message and remember it as the live prompt."""
        data = await state.get_data()
        await self._strip_keyboard(bot, chat_id, data.get("prompt_id"))
        text, markup = self.render(view, note)
        sent = await bot.send_message(chat_id, text, reply_markup=markup)
        await self._remember(state, view, sent.message_id)

    async def _remember(self, state: FSMContext, view: View, prompt_id: int | None) -> None:
        await state.set_state(DialogSG.active)
        await state.set_data({"dialog": view.dialog.id, "response_id": view.response.id, "prompt_id": prompt_id})

    async def _show_in_place(self, query: CallbackQuery, state: FSMContext, view: View, note: str | None = None) -> None:
        """Turn the tapped message into the next screen (keeps the chat short)."""
        text, markup = self.render(view, note)
        message = query.message
        if isinstance(message, Message):
            # A message that cannot be edited (too old, deleted, a file) comes back as a new one
            # and "not modified" as True: EditFallback, for every handler. Remember what is shown.
            shown = await message.edit_text(text, reply_markup=markup)
            await self._remember(state, view, shown.message_id if isinstance(shown, Message) else message.message_id)
            return
        if query.message is not None:
            await self.send_prompt(query.bot, query.message.chat.id, state, view, note)  # type: ignore[arg-type]

    # ------------------------------------------------------------- starting
    async def begin(
        self, bot: Bot, chat_id: int, user_id: int, state: FSMContext, dialog_id: str,
        context: Mapping[str, Any] | None = None,
    ) -> None:
        """Start a questionnaire, or carry on with the unfinished one (see ``DialogSession.begin``)."""
        outcome = await self.session.begin(user_id, dialog_id, context)
        assert outcome.view is not None
        await self.send_prompt(bot, chat_id, state, outcome.view, outcome.note)

    async def start_again(self, bot: Bot, chat_id: int, user_id: int, state: FSMContext, dialog_id: str) -> None:
        """Delete the person's answers to this questionnaire, then start a blank one."""
        outcome = await self.session.start_again(user_id, dialog_id)
        assert outcome.view is not None
        await self.send_prompt(bot, chat_id, state, outcome.view, outcome.note)

    async def reprompt(self, bot: Bot, chat_id: int, state: FSMContext) -> None:
        """After help or a guide asked for in the middle of a question: the question again, below
        it, so the live question is never above what interrupted it."""
        data = await state.get_data()
        if not data.get("response_id"):
            return
        view = await self.session.active_view(int(data["response_id"]), chat_id)
        if view is not None:
            await self.send_prompt(bot, chat_id, state, view)

    async def stop(self, bot: Bot, chat_id: int, state: FSMContext) -> bool:
        """Leave the questionnaire (answers stay saved). True when one was active."""
        data = await state.get_data()
        await self._strip_keyboard(bot, chat_id, data.get("prompt_id"))
        await state.clear()
        return bool(data.get("response_id"))

    # -------------------------------------------------------------- routing
    def router(self) -> Router:
        router = Router(name=__name__)
        router.callback_query.register(self.on_button, StepCb.filter())
        router.callback_query.register(self.on_shown, F.data == SHOWN_DATA)
        active = StateFilter(DialogSG.active)
        router.message.register(self.on_unknown_command, active, F.text.startswith("/"))
        router.message.register(self.on_text, active, F.text)
        router.message.register(self.on_photo, active, F.photo)
        router.message.register(self.on_other_content, active)
        return router

    async def _active_view(self, message: Message, state: FSMContext) -> View | None:
        data = await state.get_data()
        view = await self.session.active_view(int(data.get("response_id") or 0), message.chat.id)
        if view is None:
            await state.clear()
            await message.answer(_("That questionnaire is closed. Send /start to see what you can do."))
        return view

    async def _show(self, message: Message, state: FSMContext, outcome: Outcome) -> None:
        """After something typed or sent: a problem first, then the question as a new message."""
        if outcome.reply:
            await message.answer(escape(outcome.reply, quote=False))
        if outcome.view is not None:
            await self.send_prompt(message.bot, message.chat.id, state, outcome.view, outcome.note)  # type: ignore[arg-type]

    async def on_unknown_command(self, message: Message, state: FSMContext) -> None:
        view = await self._active_view(message, state)
        if view is not None:
            await self._show(message, state, await self.session.unknown_command(view))

    async def on_other_content(self, message: Message, state: FSMContext) -> None:
        view = await self._active_view(message, state)
        if view is not None:
            await self._show(message, state, await self.session.other_content(view))

    async def on_text(self, message: Message, state: FSMContext) -> None:
        view = await self._active_view(message, state)
        if view is not None:
            await self._show(message, state, await self.session.typed(view, message.text or ""))

    async def on_photo(self, message: Message, state: FSMContext) -> None:
        view = await self._active_view(message, state)
        if view is None:
            return
        photo = max(message.photo or [], key=lambda p: p.file_size or p.width * p.height)
        problem = self.session.picture_problem(view, photo.file_size)
        if problem is not None:
            await self._show(message, state, problem)
            return
        buffer = await message.bot.download(photo.file_id)  # type: ignore[union-attr]
        assert buffer is not None
        await self._show(message, state, await self.session.picture(view, buffer.read(), message.caption))

    # ------------------------------------------------------------- buttons
    async def _keep_answer(self, bot: Bot, message: Message, state: FSMContext, outcome: Outcome, view: View,
                           key: str) -> None:
        """The tapped question keeps its words and shows the answer given in place of its
        buttons; the next question comes as a new message below it. The conversation reads back
        like one, and a "Saved: 15 December" above the question is not overwritten."""
        stored = view.stored.get(key)
        markup = answered_markup(view.dialog, view.slots, key, stored.value if stored else None,
                                 skipped=bool(stored and stored.skipped), locale=_locale(), label=outcome.answered_as)
        # Already edited (a double tap) or deleted: the next question still comes.
        with suppress(TelegramBadRequest):
            await bot.edit_message_reply_markup(chat_id=message.chat.id, message_id=message.message_id, reply_markup=markup)
        text, keyboard = self.render(view, outcome.note)
        sent = await bot.send_message(message.chat.id, text, reply_markup=keyboard)
        await self._remember(state, view, sent.message_id)

    async def on_shown(self, query: CallbackQuery) -> None:
        """A tap on an answer already given: it stays as it is; where to change it."""
        await query.answer(_("That is the answer you gave. You can change any answer at the end, before you finish."))

    async def on_button(self, query: CallbackQuery, callback_data: StepCb, state: FSMContext, bot: Bot) -> None:
        outcome = await self.session.tap(query.from_user.id, callback_data.r, callback_data.s, callback_data.a,
                                         callback_data.v)
        await query.answer(outcome.toast, show_alert=outcome.alert or None)
        message = query.message if isinstance(query.message, Message) else None
        chat_id = message.chat.id if message is not None else query.from_user.id
        if outcome.strip and message is not None:
            await self._strip_keyboard(bot, chat_id, message.message_id)
        if outcome.stale:
            data = await state.get_data()
            if outcome.view is not None and message is not None and message.message_id != data.get("prompt_id"):
                await self.send_prompt(bot, chat_id, state, outcome.view)
            return
        if outcome.ended:
            await state.clear()
        if outcome.closing is not None:
            if outcome.in_place and message is not None:
                await message.edit_text(escape(outcome.closing), reply_markup=None)  # or a new message: EditFallback
            else:
                if message is not None:
                    await self._strip_keyboard(bot, chat_id, message.message_id)
                await bot.send_message(chat_id, escape(outcome.closing))
        elif outcome.view is not None and outcome.answered and message is not None:
            await self._keep_answer(bot, message, state, outcome, outcome.view, outcome.answered)
        elif outcome.view is not None:
            await self._show_in_place(query, state, outcome.view, outcome.note)
        for event in outcome.events:
            await self.events.publish(event, TelegramChat(bot, chat_id))


__all__ = ["FINISHES_KEY", "MAX_PICTURE_BYTES", "REVIEW", "DialogRunner", "DialogSG", "FinishHook", "TelegramChat", "View"]
