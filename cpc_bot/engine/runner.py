"""Runs a questionnaire on aiogram: shows a question, saves the answer, moves on.

The database is the truth. The response row holds the cursor (which question is
showing) and each answer is its own encrypted row, written *before* the next
prompt is sent. The FSM state only says "this chat is answering response N", so a
lost FSM storage loses nothing: buttons carry the response id, and /start finds
the unfinished response again.

Buttons carry the token of the question they belong to. A tap whose token is not
the current question (a double tap, or a button from last week) changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from contextlib import suppress
from datetime import datetime, timedelta
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

from cpc_bot.clock import LONDON, Clock
from cpc_bot.engine.flow import (
    REVIEW,
    Slot,
    count_key,
    find_slot,
    item_count,
    next_slot,
    previous_slot,
    question_counts,
    visible_slots,
)
from cpc_bot.engine.loader import DialogRegistry
from cpc_bot.engine.pictures import clean_picture
from cpc_bot.engine.schema import Step
from cpc_bot.engine.screens import StepCb, button_number, question_screen, review_screen
from cpc_bot.engine.values import (
    DateProblem,
    answer_has_room,
    format_day,
    is_empty,
    parse_time,
    parse_uk_date,
)
from cpc_bot.engine.view import View, load_view
from cpc_bot.store.models import Response
from cpc_bot.store.repository import Repository

log = logging.getLogger(__name__)

#: A hidden answer: when the questionnaire was finished in the last day (each Finish makes a report).
FINISHES_KEY = "_finishes"

#: Telegram lets bots download files up to 20 MB.
MAX_PHOTO_BYTES = 20 * 1024 * 1024


class DialogSG(StatesGroup):
    """One state for every questionnaire; which one lives in the FSM data."""

    active = State()


#: Called when someone finishes a questionnaire (e.g. to send their report).
FinishHook = Callable[[Bot, int, Response, "View"], Awaitable[None]]
#: Called after each answer is complete (e.g. to plan reminders from a date).
#: After an answer is saved: the response, the view, and the key of the step just answered.
AnswerHook = Callable[[Response, "View", str], Awaitable[None]]
#: Called before a questionnaire is deleted to start again (e.g. to drop the reminders it planned).
DiscardHook = Callable[[Response], Awaitable[None]]


def _locale() -> str:
    return get_i18n().current_locale


class DialogRunner:
    """Starts, resumes and drives questionnaires for one bot."""

    def __init__(
        self,
        registry: DialogRegistry,
        repo: Repository,
        clock: Clock,
        *,
        on_finish: Mapping[str, FinishHook] | None = None,
        on_answer: Mapping[str, AnswerHook] | None = None,
        on_discard: Mapping[str, DiscardHook] | None = None,
        finished_per_day: int | None = None,
    ) -> None:
        self.registry = registry
        #: At most this many questionnaires finished by one person in 24 hours (None: no limit).
        self.finished_per_day = finished_per_day
        self.repo = repo
        self.clock = clock
        self.on_finish = on_finish if on_finish is not None else {}
        self.on_answer = on_answer if on_answer is not None else {}
        self.on_discard = on_discard if on_discard is not None else {}

    # ------------------------------------------------------------------ views
    async def load_view(self, response: Response, context: Mapping[str, Any] | None = None) -> View:
        return await load_view(self.repo, self.registry, response, context)

    async def _reload(self, view: View) -> View:
        response = await self.repo.get_response(view.response.id or 0)
        assert response is not None
        return await self.load_view(response, view.context)

    def render(self, view: View, note: str | None = None) -> tuple[str, InlineKeyboardMarkup]:
        slot = view.current
        rid = view.response.id or 0
        if slot.is_review:
            return review_screen(view.dialog, view.slots, view.answers, view.skipped, rid, locale=_locale(), note=note)
        value = view.value(slot.key)
        if slot.is_more:
            value = None
        counts = question_counts(view.dialog, view.answers, view.context) if slot.step and slot.step.kind == "info" else None
        return question_screen(view.dialog, view.slots, slot, rid, value, locale=_locale(), note=note, counts=counts)

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
        """Start a questionnaire, or carry on with the unfinished one. A person keeps one of each
        questionnaire (``one_per_person``): a finished one opens again at its review, where a
        change and Finish make the new report; only :meth:`start_again` makes a blank one."""
        dialog = self.registry[dialog_id]
        response = await self.repo.open_response(user_id, dialog_id)
        note = None
        finished = None
        if response is None and dialog.one_per_person:
            finished = await self.repo.latest_response(user_id, dialog_id, status="finished")
        if finished is not None:
            await self.repo.reopen_response(finished.id or 0, REVIEW)
            response = await self.repo.get_response(finished.id or 0)
            log.info("dialog.reopened user=%s response=%s dialog=%s", user_id, finished.id, dialog_id)
        elif response is None:
            first = visible_slots(dialog, {}, context or {})[0]
            response = await self.repo.create_response(user_id, dialog_id, dialog.version, first.key, _locale())
            log.info("dialog.started user=%s response=%s dialog=%s", user_id, response.id, dialog_id)
        else:
            note = _("Welcome back. Your answers are saved. Here is where you stopped.")
            log.info("dialog.resumed user=%s response=%s dialog=%s", user_id, response.id, dialog_id)
        view = await self.load_view(response, context)
        await self.send_prompt(bot, chat_id, state, view, note)

    async def start_again(self, bot: Bot, chat_id: int, user_id: int, state: FSMContext, dialog_id: str) -> None:
        """Delete the person's answers to this questionnaire (every copy, with their pictures and,
        through ``on_discard``, what was planned from them), then start a blank one."""
        hook = self.on_discard.get(dialog_id)
        for old in await self.repo.responses(user_id):
            if old.dialog_id != dialog_id:
                continue
            blobs = [part["blob"] for answer in (await self.repo.answers(old.id or 0)).values()
                     for part in (answer.value if isinstance(answer.value, list) else [])
                     if isinstance(part, dict) and part.get("type") == "image" and isinstance(part.get("blob"), str)]
            if hook is not None:
                await hook(old)
            await self.repo.discard_response(old.id or 0, blobs)
            log.info("dialog.discarded user=%s response=%s dialog=%s", user_id, old.id, dialog_id)
        await self.begin(bot, chat_id, user_id, state, dialog_id)

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
        active = StateFilter(DialogSG.active)
        router.message.register(self.on_unknown_command, active, F.text.startswith("/"))
        router.message.register(self.on_text, active, F.text)
        router.message.register(self.on_photo, active, F.photo)
        router.message.register(self.on_other_content, active)
        return router

    async def _active_view(self, message: Message, state: FSMContext) -> View | None:
        data = await state.get_data()
        response = await self.repo.get_response(int(data.get("response_id") or 0))
        if response is None or response.status != "in_progress" or response.user_id != message.chat.id:
            await state.clear()
            await message.answer(_("That questionnaire is closed. Send /start to see what you can do."))
            return None
        return await self.load_view(response)

    async def _reply_and_reprompt(self, message: Message, state: FSMContext, view: View, text: str) -> None:
        await message.answer(text)
        await self.send_prompt(message.bot, message.chat.id, state, view)  # type: ignore[arg-type]

    async def on_unknown_command(self, message: Message, state: FSMContext) -> None:
        view = await self._active_view(message, state)
        if view is None:
            return
        await self._reply_and_reprompt(message, state, view, _(
            "I don't know that command. Your answers are saved. You can carry on below, "
            "or use /cancel to stop for now, /help for help, or /start for the main menu."
        ))

    async def on_other_content(self, message: Message, state: FSMContext) -> None:
        view = await self._active_view(message, state)
        if view is None:
            return
        slot = view.current
        if slot.step is not None and slot.step.kind == "drawing" and not slot.is_more:
            text = _("I can't use that here. Please send a photo of your drawing, or type some words.")
        else:
            text = _("I can only read typed words here, not stickers, voice notes or files. Please use the buttons or type your answer.")
        await self._reply_and_reprompt(message, state, view, text)

    # ---------------------------------------------------------- typed answers
    async def on_text(self, message: Message, state: FSMContext) -> None:
        view = await self._active_view(message, state)
        if view is None:
            return
        slot = view.current
        step = slot.step
        text = (message.text or "").strip()
        if step is None or slot.is_more or step.kind not in ("text", "date", "time", "drawing"):
            await self._reply_and_reprompt(message, state, view, _("Please use the buttons under the question."))
            return
        if not text:
            await self._reply_and_reprompt(message, state, view, _("That message was empty. Please type your answer."))
            return
        if len(text) > step.max_length:
            await self._reply_and_reprompt(message, state, view, _(
                "That message is too long for me to keep in one go (%(count)d characters; the most is %(max)d). "
                "Nothing was saved from it. Please send it again in shorter parts."
            ) % {"count": len(text), "max": step.max_length})
            return
        rid = view.response.id or 0
        if step.kind == "date":
            await self._on_date(message, state, view, slot, text)
            return
        if step.kind == "time":
            try:
                at = parse_time(text)
            except DateProblem:
                await self._reply_and_reprompt(message, state, view, _(
                    "I couldn't read that as a time. Please type it like 10:00 or 2.30pm."))
                return
            await self.repo.save_answer(rid, slot.key, at.strftime("%H:%M"))
            view = await self._advance(await self._reload(view), slot)
            await self.send_prompt(message.bot, message.chat.id, state, view, _("Saved."))  # type: ignore[arg-type]
            return
        if step.kind == "text":
            parts = list(view.value(slot.key) or [])
            if not answer_has_room(parts, text):
                await self._reply_and_reprompt(message, state, view, _(
                    "This answer is full, so I did not save that message. "
                    "Tap Done to go on, or Write it again to start this answer over."))
                return
            value = [*parts, text]
            await self.repo.save_answer(rid, slot.key, value)
            log.info("answer.saved response=%s key=%s", rid, slot.key)
            if step.max_messages is not None and len(value) >= step.max_messages:
                view = await self._advance(await self._reload(view), slot)
            else:
                view = await self._reload(view)
            await self.send_prompt(message.bot, message.chat.id, state, view, _("Saved."))  # type: ignore[arg-type]
            return
        await self._add_drawing_item(message, state, view, slot, {"type": "text", "text": text})

    async def _on_date(self, message: Message, state: FSMContext, view: View, slot: Slot, text: str) -> None:
        step = slot.step
        assert step is not None
        today = self.clock().astimezone(LONDON).date()
        try:
            day = parse_uk_date(text, today)
        except DateProblem as problem:
            reply = (
                _("There is no such day in the calendar. Please check the day and month, for example 28/02/2019.")
                if problem.code == "no_such_day"
                else _("I couldn't read that as a date. Please type day/month/year, for example 14/03/2019.")
            )
            await self._reply_and_reprompt(message, state, view, reply)
            return
        if step.past_only and day > today:
            await self._reply_and_reprompt(message, state, view, _(
                "%(day)s is in the future. Please check the year.") % {"day": format_day(day, _locale())})
            return
        if step.future_only and day < today:
            await self._reply_and_reprompt(message, state, view, _(
                "%(day)s has already passed. Please check the date.") % {"day": format_day(day, _locale())})
            return
        if day < today - timedelta(days=365 * 120):
            await self._reply_and_reprompt(message, state, view, _("Please check the year."))
            return
        await self.repo.save_answer(view.response.id or 0, slot.key, day.isoformat())
        view = await self._advance(await self._reload(view), slot)
        await self.send_prompt(message.bot, message.chat.id, state, view, _("Saved: %(day)s") % {"day": format_day(day, _locale())})  # type: ignore[arg-type]

    async def on_photo(self, message: Message, state: FSMContext) -> None:
        view = await self._active_view(message, state)
        if view is None:
            return
        slot = view.current
        if slot.step is None or slot.is_more or slot.step.kind != "drawing":
            await self._reply_and_reprompt(message, state, view, _(
                "Thank you, but this question needs typed words or the buttons, not a photo."))
            return
        photo = max(message.photo or [], key=lambda p: p.file_size or p.width * p.height)
        if photo.file_size and photo.file_size > MAX_PHOTO_BYTES:
            await self._reply_and_reprompt(message, state, view, _("That picture is too big. Please send a smaller photo."))
            return
        buffer = await message.bot.download(photo.file_id)  # type: ignore[union-attr]
        assert buffer is not None
        # Opened and decoded before anything is kept; kept without its EXIF (the GPS location).
        picture = await asyncio.to_thread(clean_picture, buffer.read())
        if picture is None:
            await self._reply_and_reprompt(message, state, view, _("I could not open that picture. Please try another photo."))
            return
        blob_id = await self.repo.save_blob(message.chat.id, picture, "image/jpeg")
        item: dict[str, Any] = {"type": "image", "blob": blob_id}
        if message.caption:
            item["caption"] = message.caption[:1000]
        await self._add_drawing_item(message, state, view, slot, item)

    async def _add_drawing_item(self, message: Message, state: FSMContext, view: View, slot: Slot, item: dict[str, Any]) -> None:
        step = slot.step
        assert step is not None
        value = list(view.value(slot.key) or [])
        if len(value) >= step.max_items:
            await self._reply_and_reprompt(message, state, view, _(
                "That is all this page can hold. Tap Done to go on, or start this one again."))
            return
        value.append(item)
        await self.repo.save_answer(view.response.id or 0, slot.key, value)
        view = await self._reload(view)
        await self.send_prompt(message.bot, message.chat.id, state, view, _("Saved."))  # type: ignore[arg-type]

    # ------------------------------------------------------------- buttons
    async def on_button(self, query: CallbackQuery, callback_data: StepCb, state: FSMContext, bot: Bot) -> None:
        response = await self.repo.get_response(callback_data.r)
        if response is None or response.user_id != query.from_user.id:
            await query.answer(_("This button no longer works. Send /start to carry on."))
            return
        if response.status != "in_progress":
            await query.answer(_("You have already finished this. Send /start to see what you can do next."))
            if isinstance(query.message, Message):
                await self._strip_keyboard(bot, query.message.chat.id, query.message.message_id)
            return
        view = await self.load_view(response)
        slot = view.current
        if callback_data.s != slot.token:
            # A double tap, or a button from an older question: change nothing.
            await query.answer(_("That button is from an earlier question. Your answers are safe."))
            data = await state.get_data()
            if isinstance(query.message, Message) and query.message.message_id != data.get("prompt_id"):
                await self.send_prompt(bot, query.message.chat.id, state, view)
            return
        handler = self._actions.get(callback_data.a)
        if handler is None:
            await query.answer(_("This button no longer works. Send /start to carry on."))
            return
        await handler(self, query, state, view, slot, callback_data.v)

    async def _move(self, view: View, key: str, *, return_to_review: bool | None = None) -> View:
        await self.repo.move_cursor(view.response.id or 0, key, return_to_review=return_to_review)
        return await self._reload(view)

    async def _advance(self, view: View, from_slot: Slot) -> View:
        """Where to go after an answer: on, or back to the review when changing one answer."""
        hook = self.on_answer.get(view.dialog.id)
        if hook is not None and from_slot.is_question:
            await hook(view.response, view, from_slot.key)
        slots = view.slots
        if view.response.return_to_review:
            start = find_slot(slots, from_slot.key)
            later = slots[(start + 1):] if start is not None else slots
            target = next((s for s in later if s.is_question and s.key not in view.answered), slots[-1])
            return await self._move(view, target.key, return_to_review=not target.is_review)
        return await self._move(view, next_slot(slots, from_slot.key, view.answered).key)

    async def _act_next(self, query: CallbackQuery, state: FSMContext, view: View, slot: Slot, value: str) -> None:
        await query.answer()
        await self._show_in_place(query, state, await self._advance(view, slot))

    async def _act_back(self, query: CallbackQuery, state: FSMContext, view: View, slot: Slot, value: str) -> None:
        previous = previous_slot(view.slots, slot.key)
        await query.answer()
        if previous is None:
            return
        await self._show_in_place(query, state, await self._move(view, previous.key, return_to_review=False))

    async def _act_skip(self, query: CallbackQuery, state: FSMContext, view: View, slot: Slot, value: str) -> None:
        if slot.step is None or not slot.step.optional:
            await query.answer(_("This question needs an answer."))
            return
        await self.repo.save_answer(view.response.id or 0, slot.key, None, skipped=True)
        await query.answer(_("Skipped"))
        await self._show_in_place(query, state, await self._advance(await self._reload(view), slot))

    async def _act_later(self, query: CallbackQuery, state: FSMContext, view: View, slot: Slot, value: str) -> None:
        await query.answer(_("Saved"))
        await state.clear()
        text = _("Your answers are saved. Come back any time: send /start and you will carry on from here.")
        if isinstance(query.message, Message):
            await query.message.edit_text(text, reply_markup=None)  # or a new message: EditFallback
        log.info("dialog.paused response=%s", view.response.id)

    async def _act_done(self, query: CallbackQuery, state: FSMContext, view: View, slot: Slot, value: str) -> None:
        step = slot.step
        assert step is not None
        if not step.optional and is_empty(step, view.value(slot.key)) and step.kind != "multi":
            await query.answer(_("Please answer first."))
            return
        if step.kind == "multi" and view.value(slot.key) is None:
            await self.repo.save_answer(view.response.id or 0, slot.key, [])
            view = await self._reload(view)
        await query.answer(_("Saved"))
        await self._show_in_place(query, state, await self._advance(view, slot))

    async def _act_clear(self, query: CallbackQuery, state: FSMContext, view: View, slot: Slot, value: str) -> None:
        await self.repo.delete_answers(view.response.id or 0, [slot.key])
        await query.answer(_("Cleared"))
        await self._show_in_place(query, state, await self._reload(view))

    def _option(self, step: Step, value: str) -> str | None:
        index = button_number(value)
        return step.options[index].key if index is not None and index < len(step.options) else None

    async def _act_option(self, query: CallbackQuery, state: FSMContext, view: View, slot: Slot, value: str) -> None:
        assert slot.step is not None
        key = self._option(slot.step, value) if slot.step.kind == "choice" else None
        if key is None:
            await query.answer(_("This button no longer works. Send /start to carry on."))
            return
        await self.repo.save_answer(view.response.id or 0, slot.key, key)
        await query.answer(_("Saved"))
        await self._show_in_place(query, state, await self._advance(await self._reload(view), slot))

    async def _act_toggle(self, query: CallbackQuery, state: FSMContext, view: View, slot: Slot, value: str) -> None:
        assert slot.step is not None
        key = self._option(slot.step, value) if slot.step.kind == "multi" else None
        if key is None:
            await query.answer(_("This button no longer works. Send /start to carry on."))
            return
        chosen = list(view.value(slot.key) or [])
        chosen = [k for k in chosen if k != key] if key in chosen else chosen + [key]
        # Keep the options' own order so reports read the same way as the question.
        order = [o.key for o in slot.step.options]
        await self.repo.save_answer(view.response.id or 0, slot.key, sorted(chosen, key=order.index))
        await query.answer()
        await self._show_in_place(query, state, await self._reload(view))

    async def _act_scale(self, query: CallbackQuery, state: FSMContext, view: View, slot: Slot, value: str) -> None:
        step = slot.step
        assert step is not None and step.min is not None and step.max is not None
        number = button_number(value)
        if step.kind != "scale" or number is None or not step.min <= number <= step.max:
            await query.answer(_("This button no longer works. Send /start to carry on."))
            return
        await self.repo.save_answer(view.response.id or 0, slot.key, number)
        await query.answer(_("Saved"))
        await self._show_in_place(query, state, await self._advance(await self._reload(view), slot))

    async def _add_item(self, view: View, group: Step) -> View:
        count = item_count(group, view.answers) + 1
        await self.repo.save_answer(view.response.id or 0, count_key(group), count)
        view = await self._reload(view)
        first = next(s for s in view.slots if s.group is group and s.index == count - 1 and not s.is_more)
        return await self._move(view, first.key)

    async def _act_more(self, query: CallbackQuery, state: FSMContext, view: View, slot: Slot, value: str) -> None:
        assert slot.group is not None
        await query.answer()
        if value == "add":
            await self._show_in_place(query, state, await self._add_item(view, slot.group))
        else:
            await self._show_in_place(query, state, await self._advance(view, slot))

    async def _act_edit(self, query: CallbackQuery, state: FSMContext, view: View, slot: Slot, value: str) -> None:
        target = next((s for s in view.slots if s.is_question and s.token == value), None)
        await query.answer()
        if target is None:
            return
        await self._show_in_place(query, state, await self._move(view, target.key, return_to_review=True))

    def _group(self, view: View, value: str) -> Step | None:
        index = button_number(value)
        if index is None or index >= len(view.dialog.steps):
            return None
        step = view.dialog.steps[index]
        return step if step.kind == "repeat" else None

    async def _act_add(self, query: CallbackQuery, state: FSMContext, view: View, slot: Slot, value: str) -> None:
        group = self._group(view, value)
        await query.answer()
        if group is None:
            return
        await self.repo.move_cursor(view.response.id or 0, slot.key, return_to_review=True)
        await self._show_in_place(query, state, await self._add_item(await self._reload(view), group))

    async def _act_remove(self, query: CallbackQuery, state: FSMContext, view: View, slot: Slot, value: str) -> None:
        group_index, _sep, item = value.partition("-")
        group = self._group(view, group_index)
        count = item_count(group, view.answers) if group else 0
        removed = button_number(item)
        if group is None or removed is None or not removed < count or count < 2:
            await query.answer(_("This button no longer works. Send /start to carry on."))
            return
        rid = view.response.id or 0
        # Shift later items down one place, then drop the last one.
        for i in range(removed, count - 1):
            for sub in group.steps:
                nxt = view.stored.get(f"{group.key}.{i + 1}.{sub.key}")
                if nxt is None:
                    await self.repo.delete_answers(rid, [f"{group.key}.{i}.{sub.key}"])
                else:
                    await self.repo.save_answer(rid, f"{group.key}.{i}.{sub.key}", nxt.value, skipped=nxt.skipped)
        await self.repo.delete_answers(rid, [f"{group.key}.{count - 1}.{sub.key}" for sub in group.steps])
        await self.repo.save_answer(rid, count_key(group), count - 1)
        await query.answer(_("Removed"))
        await self._show_in_place(query, state, await self._reload(view))

    async def _act_finish(self, query: CallbackQuery, state: FSMContext, view: View, slot: Slot, value: str) -> None:
        missing = view.missing()
        if missing:
            await query.answer(_("A few questions still need an answer."), show_alert=True)
            await self._show_in_place(query, state, await self._move(view, missing[0].key, return_to_review=True))
            return
        rid = view.response.id or 0
        # A questionnaire finished again after a change counts each time (each makes a report).
        now = self.clock()
        again = [at for at in (view.value(FINISHES_KEY) or {}).get("at", [])
                 if datetime.fromisoformat(at) > now - timedelta(days=1)]
        if (self.finished_per_day is not None
                and await self.repo.finished_today(view.response.user_id, besides=rid) + len(again) >= self.finished_per_day):
            await query.answer(_("You have finished a lot today. Your answers are all saved: please tap Finish "
                                 "again tomorrow."), show_alert=True)
            return
        await self.repo.save_answer(rid, FINISHES_KEY, {"at": [*again, now.isoformat()]})
        await self.repo.finish_response(rid)
        await query.answer(_("Finished"))
        await state.clear()
        chat_id = query.message.chat.id if query.message else query.from_user.id
        if isinstance(query.message, Message):
            await self._strip_keyboard(query.bot, chat_id, query.message.message_id)  # type: ignore[arg-type]
        log.info("dialog.finished response=%s dialog=%s", rid, view.dialog.id)
        view = await self._reload(view)
        closing = escape(_(view.dialog.finished))
        if view.dialog.one_per_person:
            closing += "\n\n" + escape(_("To change an answer, send /start and tap ✏️ Change my answers."))
        await query.bot.send_message(chat_id, closing)  # type: ignore[union-attr]
        hook = self.on_finish.get(view.dialog.id)
        if hook is not None:
            await hook(query.bot, chat_id, view.response, view)  # type: ignore[arg-type]

    _actions: dict[str, Callable[..., Awaitable[None]]] = {
        "next": _act_next,
        "back": _act_back,
        "skip": _act_skip,
        "later": _act_later,
        "done": _act_done,
        "clear": _act_clear,
        "opt": _act_option,
        "tog": _act_toggle,
        "sc": _act_scale,
        "more": _act_more,
        "edit": _act_edit,
        "add": _act_add,
        "rm": _act_remove,
        "finish": _act_finish,
    }


__all__ = ["REVIEW", "AnswerHook", "DialogRunner", "DialogSG", "DiscardHook", "FinishHook", "View"]
