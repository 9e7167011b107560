"""The questionnaire session service: begin, type, tap (back, skip, done, finish ...), for any channel.

No Telegram here. A channel (the aiogram adapter in :mod:`cpc_bot.handlers.dialogs` now, a web
chat later) turns what a person did into one call, and shows the :class:`Outcome`: the question
to show next (a :class:`View`), a note above it, a problem to say first, a short word for a tap,
or a closing message; and it passes on the events that need a channel (a finished
questionnaire's report).

The database is the truth. The response row holds the cursor (which question is showing) and
each answer is its own encrypted row, written before the outcome is shown. The view the session
works on is read once per update and kept right in memory as answers are saved and the cursor
moves (:meth:`View.apply`, :meth:`View.moved`): no answer is read back or decrypted again.

What a question takes and how (typed words, a picture, which taps) is its kind's
(:mod:`cpc_bot.engine.kinds`): the session asks the kind, saves what it took and moves on.

Buttons carry the token of the question they belong to. A tap whose token is not the current
question (a double tap, or a button from last week) changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cpc_bot.clock import LONDON, Clock
from cpc_bot.engine.events import AnswerSaved, Discarding, Event, Events, Finished
from cpc_bot.engine.flow import (
    REVIEW,
    Slot,
    count_key,
    find_slot,
    item_count,
    next_slot,
    previous_slot,
    visible_slots,
)
from cpc_bot.engine.kinds import KINDS, Problem, Taken, button_number, is_empty, only_words, tr
from cpc_bot.engine.loader import DialogRegistry
from cpc_bot.engine.pictures import clean_picture
from cpc_bot.engine.schema import Step
from cpc_bot.engine.view import CONTEXT_PREFIX, View, load_view
from cpc_bot.i18n.text import current_locale
from cpc_bot.i18n.text import gettext as _
from cpc_bot.store.models import Response
from cpc_bot.store.repository import Repository

log = logging.getLogger(__name__)

#: A hidden answer: when the questionnaire was finished in the last day (each Finish makes a report).
FINISHES_KEY = "_finishes"

#: The biggest picture a person may send (Telegram lets bots download files up to 20 MB).
MAX_PICTURE_BYTES = 20 * 1024 * 1024


@dataclass
class Outcome:
    """What the channel shows after one thing a person did."""

    #: Show this view's current question (None: no question to show).
    view: View | None = None
    #: A line above the question ("Saved.").
    note: str | None = None
    #: The question a tap just answered: its message keeps showing the answer, and the next
    #: question comes as a new message, so the conversation reads back.
    answered: str | None = None
    #: How to show that answer when the question's own answer does not say it ("Add another child").
    answered_as: str | None = None
    #: Said first, in a message of its own (a problem with what was typed); the question follows.
    reply: str | None = None
    #: A short word for a tap (Telegram: the answer to the callback); ``alert``: one that waits for OK.
    toast: str | None = None
    alert: bool = False
    #: A message instead of a question (paused, finished, closed) ...
    closing: str | None = None
    #: ... that replaces the tapped screen (False: it comes as a new message, and the tapped screen
    #: only loses its buttons). A question after typing always comes as a new message.
    in_place: bool = True
    #: The person is no longer answering this questionnaire here (the channel forgets it).
    ended: bool = False
    #: The tapped screen loses its buttons (a finished questionnaire's old screen).
    strip: bool = False
    #: A tap on a button of an earlier question: nothing changed.
    stale: bool = False
    #: What happened that a channel passes on (Finished: the report goes to the person).
    events: list[Event] = field(default_factory=list)


class DialogSession:
    """Starts, resumes and drives questionnaires, whatever the channel."""

    def __init__(self, registry: DialogRegistry, repo: Repository, clock: Clock, events: Events, *,
                 finished_per_day: int | None = None) -> None:
        self.registry = registry
        self.repo = repo
        self.clock = clock
        self.events = events
        #: At most this many questionnaires finished by one person in 24 hours (None: no limit).
        self.finished_per_day = finished_per_day

    # ------------------------------------------------------------------ views
    async def load_view(self, response: Response, context: Mapping[str, Any] | None = None) -> View:
        return await load_view(self.repo, self.registry, response, context)

    async def active_view(self, response_id: int, user_id: int) -> View | None:
        """The person's questionnaire in progress, or None when it is closed, gone or not theirs."""
        response = await self.repo.get_response(response_id)
        if response is None or response.status != "in_progress" or response.user_id != user_id:
            return None
        return await self.load_view(response)

    async def _save(self, view: View, key: str, value: Any, *, skipped: bool = False) -> None:
        await self.repo.save_answer(view.response.id or 0, key, value, skipped=skipped)
        view.apply(key, value, skipped=skipped)

    async def _forget(self, view: View, keys: list[str]) -> None:
        await self.repo.delete_answers(view.response.id or 0, keys)
        view.forget(keys)

    async def _move(self, view: View, key: str, *, return_to_review: bool | None = None) -> View:
        await self.repo.move_cursor(view.response.id or 0, key, return_to_review=return_to_review)
        view.moved(key, return_to_review=return_to_review)
        return view

    async def _advance(self, view: View, from_slot: Slot) -> View:
        """Where to go after an answer: on, or back to the review when changing one answer."""
        if from_slot.is_question:
            await self.events.publish(AnswerSaved(view.response, view, from_slot.key))
        slots = view.slots
        if view.response.return_to_review:
            start = find_slot(slots, from_slot.key)
            later = slots[(start + 1):] if start is not None else slots
            target = next((s for s in later if s.is_question and s.key not in view.answered), slots[-1])
            return await self._move(view, target.key, return_to_review=not target.is_review)
        return await self._move(view, next_slot(slots, from_slot.key, view.answered).key)

    # ------------------------------------------------------------- starting
    async def begin(self, user_id: int, dialog_id: str, context: Mapping[str, Any] | None = None) -> Outcome:
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
            if context is None:
                context = await self.registry.context_for(dialog_id, user_id)
            first = visible_slots(dialog, {}, context)[0]
            response = await self.repo.create_response(user_id, dialog_id, dialog.version, first.key, current_locale())
            for name, value in context.items():  # kept with the answers: later updates read no more
                if value is not None:
                    await self.repo.save_answer(response.id or 0, CONTEXT_PREFIX + name, value)
            context = None  # read back with the answers
            log.info("dialog.started user=%s response=%s dialog=%s", user_id, response.id, dialog_id)
        else:
            note = _("Welcome back. Your answers are saved. Here is where you stopped.")
            log.info("dialog.resumed user=%s response=%s dialog=%s", user_id, response.id, dialog_id)
        assert response is not None
        return Outcome(view=await self.load_view(response, context), note=note)

    async def start_again(self, user_id: int, dialog_id: str) -> Outcome:
        """Delete the person's answers to this questionnaire (every copy, with their pictures and,
        through :class:`Discarding`, what was planned from them), then start a blank one."""
        for old in await self.repo.responses(user_id):
            if old.dialog_id != dialog_id:
                continue
            blobs = [part["blob"] for answer in (await self.repo.answers(old.id or 0)).values()
                     for part in (answer.value if isinstance(answer.value, list) else [])
                     if isinstance(part, dict) and part.get("type") == "image" and isinstance(part.get("blob"), str)]
            await self.events.publish(Discarding(old))
            await self.repo.discard_response(old.id or 0, blobs)
            log.info("dialog.discarded user=%s response=%s dialog=%s", user_id, old.id, dialog_id)
        return await self.begin(user_id, dialog_id)

    # ---------------------------------------------------------- typed answers
    def _again(self, view: View, problem: str) -> Outcome:
        """Say what was wrong, then the same question again; nothing saved."""
        return Outcome(view=view, reply=problem)

    async def unknown_command(self, view: View) -> Outcome:
        return self._again(view, _(
            "I don't know that command. Your answers are saved. You can carry on below, "
            "or use /cancel to stop for now, /help for help, or /start for the main menu."
        ))

    async def other_content(self, view: View) -> Outcome:
        """A sticker, a voice note, a file: what this question can take instead (its kind says)."""
        step = view.current.step
        return self._again(view, KINDS[step.kind].other_content(step) if step is not None else only_words())

    async def typed(self, view: View, text: str) -> Outcome:
        """Words typed at the current question: its kind reads them (a date, a time, more words)."""
        slot = view.current
        step = slot.step
        text = text.strip()
        if step is None or slot.is_more or not KINDS[step.kind].accepts_text(step):
            return self._again(view, _("Please use the buttons under the question."))
        if not text:
            return self._again(view, _("That message was empty. Please type your answer."))
        if len(text) > step.max_length:
            return self._again(view, _(
                "That message is too long for me to keep in one go (%(count)d characters; the most is %(max)d). "
                "Nothing was saved from it. Please send it again in shorter parts."
            ) % {"count": len(text), "max": step.max_length})
        today = self.clock().astimezone(LONDON).date()
        return await self._take(view, slot, KINDS[step.kind].take_text(step, view.value(slot.key), text, today))

    async def _take(self, view: View, slot: Slot, taken: Taken | Problem) -> Outcome:
        """Save what the kind took (and move on when the answer is complete), or say its problem."""
        if isinstance(taken, Problem):
            return self._again(view, taken.text)
        await self._save(view, slot.key, taken.value)
        log.debug("answer.saved response=%s key=%s", view.response.id, slot.key)
        if taken.advance:
            view = await self._advance(view, slot)
        return Outcome(view=view, note=taken.note)

    # -------------------------------------------------------------- pictures
    def picture_problem(self, view: View, size: int | None) -> Outcome | None:
        """Whether the current question takes a picture of this size (None: it does, fetch it)."""
        slot = view.current
        if slot.step is None or slot.is_more or not KINDS[slot.step.kind].accepts_picture(slot.step):
            return self._again(view, _("Thank you, but this question needs typed words or the buttons, not a photo."))
        if size and size > MAX_PICTURE_BYTES:
            return self._again(view, _("That picture is too big. Please send a smaller photo."))
        return None

    async def picture(self, view: View, data: bytes, caption: str | None) -> Outcome:
        """A picture sent at a drawing question: opened, stripped of its EXIF (the GPS location), kept."""
        problem = self.picture_problem(view, len(data))
        if problem is not None:
            return problem
        picture = await asyncio.to_thread(clean_picture, data)
        if picture is None:
            return self._again(view, _("I could not open that picture. Please try another photo."))
        blob_id = await self.repo.save_blob(view.response.user_id, picture, "image/jpeg")
        item: dict[str, Any] = {"type": "image", "blob": blob_id}
        if caption:
            item["caption"] = caption[:1000]
        slot = view.current
        assert slot.step is not None
        return await self._take(view, slot, KINDS[slot.step.kind].take_picture(slot.step, view.value(slot.key), item))

    # ------------------------------------------------------------- buttons
    async def tap(self, user_id: int, response_id: int, token: str, action: str, value: str) -> Outcome:
        """A button under a question: ``token`` names the question it was under."""
        response = await self.repo.get_response(response_id)
        if response is None or response.user_id != user_id:
            return Outcome(toast=_("This button no longer works. Send /start to carry on."))
        if response.status != "in_progress":
            return Outcome(toast=_("You have already finished this. Send /start to see what you can do next."),
                           strip=True)
        view = await self.load_view(response)
        slot = view.current
        if token != slot.token:
            # A double tap, or a button from an older question: change nothing.
            return Outcome(view=view, toast=_("That button is from an earlier question. Your answers are safe."),
                           stale=True)
        handler = self._actions.get(action)
        if handler is not None:
            return await handler(self, view, slot, value)
        if slot.step is not None and not slot.is_more and action in KINDS[slot.step.kind].taps:
            return await self._kind_tap(view, slot, action, value)
        return self._refused()

    @staticmethod
    def _refused() -> Outcome:
        return Outcome(toast=_("This button no longer works. Send /start to carry on."))

    async def _act_next(self, view: View, slot: Slot, value: str) -> Outcome:
        return Outcome(view=await self._advance(view, slot))

    async def _act_back(self, view: View, slot: Slot, value: str) -> Outcome:
        previous = previous_slot(view.slots, slot.key)
        if previous is None:
            return Outcome()
        return Outcome(view=await self._move(view, previous.key, return_to_review=False))

    async def _act_skip(self, view: View, slot: Slot, value: str) -> Outcome:
        if slot.step is None or not slot.step.optional:
            return Outcome(toast=_("This question needs an answer."))
        await self._save(view, slot.key, None, skipped=True)
        return Outcome(view=await self._advance(view, slot), toast=_("Skipped"), answered=slot.key)

    async def _act_later(self, view: View, slot: Slot, value: str) -> Outcome:
        log.info("dialog.paused response=%s", view.response.id)
        return Outcome(toast=_("Saved"), ended=True, closing=_(
            "Your answers are saved. Come back any time: send /start and you will carry on from here."))

    async def _act_done(self, view: View, slot: Slot, value: str) -> Outcome:
        step = slot.step
        assert step is not None
        # A multi-choice with nothing ticked is answered "none of these"; others need an answer.
        empty_answer = KINDS[step.kind].empty_answer(step)
        if empty_answer is None and not step.optional and is_empty(step, view.value(slot.key)):
            return Outcome(toast=_("Please answer first."))
        if empty_answer is not None and view.value(slot.key) is None:
            await self._save(view, slot.key, empty_answer)
        return Outcome(view=await self._advance(view, slot), toast=_("Saved"), answered=slot.key)

    async def _act_clear(self, view: View, slot: Slot, value: str) -> Outcome:
        await self._forget(view, [slot.key])
        return Outcome(view=view, toast=_("Cleared"))

    async def _kind_tap(self, view: View, slot: Slot, action: str, value: str) -> Outcome:
        """A button of the question's kind (an option, a tick, a number): its kind says what it saves."""
        assert slot.step is not None
        tapped = KINDS[slot.step.kind].tap(slot.step, view.value(slot.key), action, value)
        if tapped is None:
            return self._refused()
        await self._save(view, slot.key, tapped.value)
        if not tapped.advance:  # a tick: the same question, its buttons redrawn
            return Outcome(view=view)
        return Outcome(view=await self._advance(view, slot), toast=_("Saved"), answered=slot.key)

    async def _add_item(self, view: View, group: Step) -> View:
        count = item_count(group, view.answers) + 1
        await self._save(view, count_key(group), count)
        first = next(s for s in view.slots if s.group is group and s.index == count - 1 and not s.is_more)
        return await self._move(view, first.key)

    async def _act_more(self, view: View, slot: Slot, value: str) -> Outcome:
        assert slot.group is not None
        group = slot.group
        if value == "add":
            return Outcome(view=await self._add_item(view, group), answered=slot.key,
                           answered_as="✔ " + tr(group.add_another))
        return Outcome(view=await self._advance(view, slot), answered=slot.key, answered_as=tr(group.done_label))

    async def _act_edit(self, view: View, slot: Slot, value: str) -> Outcome:
        target = next((s for s in view.slots if s.is_question and s.token == value), None)
        if target is None:
            return Outcome()
        return Outcome(view=await self._move(view, target.key, return_to_review=True))

    @staticmethod
    def _group(view: View, value: str) -> Step | None:
        index = button_number(value)
        if index is None or index >= len(view.dialog.steps):
            return None
        step = view.dialog.steps[index]
        return step if step.kind == "repeat" else None

    async def _act_add(self, view: View, slot: Slot, value: str) -> Outcome:
        group = self._group(view, value)
        if group is None:
            return Outcome()
        await self._move(view, slot.key, return_to_review=True)
        return Outcome(view=await self._add_item(view, group))

    async def _act_remove(self, view: View, slot: Slot, value: str) -> Outcome:
        group_index, _sep, item = value.partition("-")
        group = self._group(view, group_index)
        count = item_count(group, view.answers) if group else 0
        removed = button_number(item)
        if group is None or removed is None or not removed < count or count < 2:
            return self._refused()
        # Shift later items down one place, then drop the last one.
        for i in range(removed, count - 1):
            for sub in group.steps:
                nxt = view.stored.get(f"{group.key}.{i + 1}.{sub.key}")
                if nxt is None:
                    await self._forget(view, [f"{group.key}.{i}.{sub.key}"])
                else:
                    await self._save(view, f"{group.key}.{i}.{sub.key}", nxt.value, skipped=nxt.skipped)
        await self._forget(view, [f"{group.key}.{count - 1}.{sub.key}" for sub in group.steps])
        await self._save(view, count_key(group), count - 1)
        return Outcome(view=view, toast=_("Removed"))

    async def _act_finish(self, view: View, slot: Slot, value: str) -> Outcome:
        missing = view.missing()
        if missing:
            return Outcome(view=await self._move(view, missing[0].key, return_to_review=True),
                           toast=_("A few questions still need an answer."), alert=True)
        rid = view.response.id or 0
        # A questionnaire finished again after a change counts each time (each makes a report).
        now = self.clock()
        again = [at for at in (view.value(FINISHES_KEY) or {}).get("at", [])
                 if datetime.fromisoformat(at) > now - timedelta(days=1)]
        if (self.finished_per_day is not None
                and await self.repo.finished_today(view.response.user_id, besides=rid) + len(again) >= self.finished_per_day):
            return Outcome(toast=_("You have finished a lot today. Your answers are all saved: please tap Finish "
                                   "again tomorrow."), alert=True)
        await self._save(view, FINISHES_KEY, {"at": [*again, now.isoformat()]})
        await self.repo.finish_response(rid)
        view.finished(now)
        log.info("dialog.finished response=%s dialog=%s", rid, view.dialog.id)
        closing = _(view.dialog.finished)
        if view.dialog.one_per_person:
            closing += "\n\n" + _("To change an answer, send /start and tap ✏️ Change my answers.")
        return Outcome(toast=_("Finished"), ended=True, closing=closing, in_place=False,
                       events=[Finished(view.response, view)])

    _actions: dict[str, Any] = {
        "next": _act_next,
        "back": _act_back,
        "skip": _act_skip,
        "later": _act_later,
        "done": _act_done,
        "clear": _act_clear,
        "more": _act_more,
        "edit": _act_edit,
        "add": _act_add,
        "rm": _act_remove,
        "finish": _act_finish,
    }


__all__ = ["FINISHES_KEY", "REVIEW", "DialogSession", "Outcome", "View", "button_number"]
