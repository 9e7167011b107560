"""The peer's dialogs, written the way aiogram_dialog's examples write them (``example/wizard.py``,
``example/mega/bot_dialogs/select.py``): a StatesGroup, one Window per question, TextInput for
typed answers, Select for a choice and for the scale, Multiselect for "tap all that apply",
Back (or a back button that skips questions not asked), getters that read and ``on_*`` handlers
that change. Each answer is committed to SQLite as it is given (``AnswerStore.save``).

The windows are made by one small function per kind of question, as the questionnaire has
31 of them; the texts and options come from :mod:`bench.peer.questions`.
"""

from __future__ import annotations

import html
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from aiogram import F
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, StartMode, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import (
    Back,
    Button,
    Cancel,
    Column,
    Group,
    Multiselect,
    Next,
    Select,
    Start,
    SwitchTo,
)
from aiogram_dialog.widgets.text import Const, Format, List

from bench.peer.questions import BY_KEY, GROUPS, QUESTIONS, TITLE, Question, always
from bench.peer.store import AnswerStore


class ParentViewsSG(StatesGroup):
    intro = State()
    conference_date = State()
    conference_kind = State()
    child_name = State()
    child_born = State()
    children_more = State()
    issues = State()
    issues_more = State()
    strengths = State()
    positives = State()
    worries = State()
    what_change = State()
    aware = State()
    disagree_any = State()
    point_what = State()
    point_why = State()
    point_instead = State()
    points_more = State()
    safety = State()
    safety_why = State()
    safety_up = State()
    safer = State()
    support = State()
    support_how = State()
    next_steps = State()
    supporters = State()
    take_part = State()
    needs = State()
    interpreter_language = State()
    questions = State()
    written_by = State()
    review = State()


class MenuSG(StatesGroup):
    role = State()
    parent = State()


class HelpSG(StatesGroup):
    main = State()


ORDER = [question.key for question in QUESTIONS]
FINISHED = "Thank you. Your answers are saved. Send /start to change an answer."
TYPE_DATE = "Type the date as day/month/year, for example 14/03/2019."
BAD_DATE = "Please type a date as day/month/year, for example 14/03/2019."
PREVIEW_CHARS = 100  # an answer's length on the review screen (the whole screen stays under 4,096)


def state_of(key: str) -> State:
    return getattr(ParentViewsSG, key)


def question_of(manager: DialogManager) -> Question:
    return BY_KEY[manager.current_context().state.state.split(":", 1)[1]]


def answer_key(question: Question, data: dict[str, Any]) -> str:
    """Where an answer is kept: ``strengths``, or ``children.1.child_name`` in a repeat group."""
    if question.group:
        return f"{GROUPS[question.group][0]}.{data.get(question.group, 0)}.{question.key}"
    return question.key


def store(manager: DialogManager) -> AnswerStore:
    return manager.middleware_data["answer_store"]


def _group_keys(group: str) -> list[str]:
    return [key for key in ORDER if BY_KEY[key].group == group]


def item_indexes(answers: dict[str, Any], group: str) -> list[int]:
    """The items of a repeat group that have answers (``children.0...``, ``children.2...``)."""
    items = GROUPS[group][0]
    return sorted({int(key.split(".")[1]) for key in answers if key.startswith(f"{items}.")})


def item_number(answers: dict[str, Any], group: str, index: int) -> int:
    """What a person calls an item: Child 1, Child 2... counting only those still there."""
    return sum(1 for present in item_indexes(answers, group) if present < index) + 1


# ------------------------------------------------------------------ moving between questions
async def go_next(manager: DialogManager) -> None:
    """The next question that applies, or back to the review when the answer was changed from it."""
    data = manager.dialog_data
    if data.pop("editing", False):
        await manager.switch_to(ParentViewsSG.review)
        return
    current = question_of(manager)
    for key in ORDER[ORDER.index(current.key) + 1:]:
        question = BY_KEY[key]
        if data.get("adding") and (question.group != data["adding"] or question.kind == "more"):
            del data["adding"]  # an item added from the review is complete
            await manager.switch_to(ParentViewsSG.review)
            return
        if question.when(data["answers"]):
            if question.group and question.group != current.group:
                data[question.group] = 0  # entering a repeat group: its first item
            await manager.switch_to(state_of(key))
            return
    await manager.switch_to(ParentViewsSG.review)


async def on_back(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Back to the question asked before, skipping those that did not apply."""
    data = manager.dialog_data
    current = question_of(manager)
    if current.group and data.get(current.group, 0) > 0 and current.key == _group_keys(current.group)[0]:
        data[current.group] -= 1  # the first question of a second item: back to "another one?"
        await manager.switch_to(state_of(_group_keys(current.group)[-1]))
        return
    for key in reversed(ORDER[:ORDER.index(current.key)]):
        if BY_KEY[key].when(data["answers"]):
            await manager.switch_to(state_of(key))
            return


async def on_next(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await go_next(manager)


async def on_start(start_data: Any, manager: DialogManager) -> None:
    """Carry on with what was saved before (the answers are in the database, not in the FSM)."""
    manager.dialog_data["answers"] = await store(manager).load(manager.event.from_user.id)


async def save_answer(manager: DialogManager, question: Question, value: Any) -> None:
    key = answer_key(question, manager.dialog_data)
    manager.dialog_data["answers"][key] = value
    await store(manager).save(manager.event.from_user.id, key, value)


# ------------------------------------------------------------------ handlers
async def on_text(message: Message, widget: Any, manager: DialogManager, value: str) -> None:
    question = question_of(manager)
    so_far = manager.dialog_data["answers"].get(answer_key(question, manager.dialog_data))
    await save_answer(manager, question, value if question.single_message or not so_far else f"{so_far}\n{value}")
    if question.single_message:
        await go_next(manager)


async def on_write_again(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    key = answer_key(question_of(manager), manager.dialog_data)
    manager.dialog_data["answers"].pop(key, None)
    await store(manager).delete(callback.from_user.id, key)


def parse_date(text: str) -> date:
    return datetime.strptime(text.strip(), "%d/%m/%Y").date()  # noqa: DTZ007 - a calendar date, no time


async def on_date(message: Message, widget: Any, manager: DialogManager, value: date) -> None:
    question = question_of(manager)
    today = manager.middleware_data["clock"]().date()
    if (question.future_only and value < today) or (question.past_only and value > today):
        await message.answer("That date is in the " + ("past." if question.future_only else "future.") + " " + BAD_DATE)
        return
    await save_answer(manager, question, value.isoformat())
    await go_next(manager)


async def on_bad_date(message: Message, widget: Any, manager: DialogManager, error: ValueError) -> None:
    await message.answer(BAD_DATE)


async def on_choice(callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: Any) -> None:
    await save_answer(manager, question_of(manager), item_id)
    await go_next(manager)


async def on_multi_done(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    question = question_of(manager)
    checked = set(manager.find(question.key).get_checked())
    await save_answer(manager, question, [key for key, _label in question.options if key in checked])
    await go_next(manager)


async def on_another(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    group = question_of(manager).group
    manager.dialog_data[group] = manager.dialog_data.get(group, 0) + 1
    await manager.switch_to(state_of(_group_keys(group)[0]))


async def on_edit(callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: str) -> None:
    """A tap on "✏️ <answer>" in the review: that question again, then back to the review."""
    if "." in item_id:
        _items, index, key = item_id.split(".")
        manager.dialog_data[BY_KEY[key].group] = int(index)
    else:
        key = item_id
    manager.dialog_data["editing"] = True
    await manager.switch_to(state_of(key))


async def on_add_item(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """"➕ Add another child" in the review: that item's questions, then back to the review."""
    group = "child" if button.widget_id == "add_child" else "point"
    manager.dialog_data[group] = max(item_indexes(manager.dialog_data["answers"], group), default=-1) + 1
    manager.dialog_data["adding"] = group
    await manager.switch_to(state_of(_group_keys(group)[0]))


async def on_remove_item(callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: str) -> None:
    """"🗑 Remove Child 2": that item's answers go, from the database too."""
    prefix = f"{item_id}."
    answers = manager.dialog_data["answers"]
    for key in [key for key in answers if key.startswith(prefix)]:
        del answers[key]
    await store(manager).delete_prefix(callback.from_user.id, prefix)


async def on_finish(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await store(manager).save(callback.from_user.id, "finished", True)
    if isinstance(callback.message, Message):
        await callback.message.answer(FINISHED)
    await manager.done()


# ------------------------------------------------------------------ getters
async def question_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    question = question_of(dialog_manager)
    data = dialog_manager.dialog_data
    answer = data["answers"].get(answer_key(question, data)) if question.kind == "text" else None
    item = ""
    if question.group and question.kind != "more":
        number = item_number(data["answers"], question.group, data.get(question.group, 0))
        item = f"{GROUPS[question.group][1]} {number}"
    return {"item_title": item, "has_answer": bool(answer), "answer": html.escape(answer or "")}


def show_value(question: Question, value: Any) -> str:
    if question.kind == "date":
        day = date.fromisoformat(value)
        return f"{day.day} {day:%B %Y}"
    if question.kind == "choice":
        return dict(question.options).get(value, value)
    if question.kind == "multi":
        labels = dict(question.options)
        return ", ".join(labels[key] for key in value)
    if question.kind == "scale":
        return f"{value} out of 10"
    text = str(value)
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS - 1] + "…"


def review_rows(answers: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(answer key, label, value) for every answer given, in the questionnaire's order."""
    rows: list[tuple[str, str, str]] = []
    done_groups: set[str] = set()
    for question in QUESTIONS:
        if question.kind in ("info", "more") or not question.when(answers):
            continue
        if not question.group:
            if answers.get(question.key) not in (None, "", []):
                rows.append((question.key, question.review_label, show_value(question, answers[question.key])))
            continue
        if question.group in done_groups:
            continue
        done_groups.add(question.group)
        items, title = GROUPS[question.group]
        for number, index in enumerate(item_indexes(answers, question.group), start=1):
            for key in _group_keys(question.group):
                member = BY_KEY[key]
                answer_id = f"{items}.{index}.{key}"
                if member.kind != "more" and answers.get(answer_id) not in (None, ""):
                    rows.append((answer_id, f"{title} {number}: {member.review_label}",
                                 show_value(member, answers[answer_id])))
    return rows


async def review_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    answers = dialog_manager.dialog_data["answers"]
    rows = review_rows(answers)
    removable = {}
    for group, (items, title) in GROUPS.items():
        indexes = item_indexes(answers, group)
        if len(indexes) > 1 and BY_KEY[_group_keys(group)[0]].when(answers):
            removable[group] = [(f"{items}.{index}", f"{title} {number}") for number, index in enumerate(indexes, 1)]
    return {"rows": [(key, html.escape(label), html.escape(value)) for key, label, value in rows],
            "remove_children": removable.get("child", []), "remove_points": removable.get("point", []),
            "disagrees": BY_KEY["point_what"].when(answers)}


# ------------------------------------------------------------------ windows, one kind each
SAVE_LATER = Cancel(Const("💾 Save and finish later"), id="later")
HELP = Start(Const("🆘 I need help now"), id="help", state=HelpSG.main)
SKIP = Button(Const("Skip ➡️"), id="skip", on_click=on_next)


def _back(question: Question) -> Button:
    """aiogram_dialog's Back (the window before) where that question is always asked before
    this one; a back button that skips questions not asked where it may not be."""
    before = BY_KEY[ORDER[ORDER.index(question.key) - 1]]
    first_of_group = question.group and question.key == _group_keys(question.group)[0]
    if not first_of_group and (before.when is always or before.when is question.when):
        return Back(Const("⬅️ Back"))
    return Button(Const("⬅️ Back"), id="back", on_click=on_back)


def _heading(question: Question) -> list[Any]:
    texts: list[Any] = [Const(TITLE), Format("{item_title}", when="item_title"), Const(f"\n{question.prompt}")]
    if question.hint:
        texts.append(Const(question.hint))
    return texts


def _navigation(question: Question) -> list[Any]:
    return [_back(question), *([SKIP] if question.optional else []), SAVE_LATER, HELP]


def intro_window(question: Question) -> Window:
    return Window(Const(TITLE), Const(f"\n{question.prompt}"), Next(Const("Next ➡️")), SAVE_LATER, HELP,
                  state=state_of(question.key))


def text_window(question: Question) -> Window:
    if question.single_message:
        return Window(*_heading(question), Const("Type your answer and send it."),
                      TextInput(id=question.key, on_success=on_text), *_navigation(question),
                      state=state_of(question.key), getter=question_getter)
    return Window(
        *_heading(question),
        Const("Type your answer. You can send several messages, then tap Done.", when=~F["has_answer"]),
        Format("\nYour answer so far:\n{answer}\nSend more to add to it, or tap Done.", when="has_answer"),
        TextInput(id=question.key, on_success=on_text),
        Button(Const("✅ Done"), id="done", on_click=on_next, when="has_answer"),
        Button(Const("✏️ Write it again"), id="again", on_click=on_write_again, when="has_answer"),
        *_navigation(question),
        state=state_of(question.key), getter=question_getter,
    )


def date_window(question: Question) -> Window:
    return Window(*_heading(question), Const(TYPE_DATE),
                  TextInput(id=question.key, type_factory=parse_date, on_success=on_date, on_error=on_bad_date),
                  *_navigation(question), state=state_of(question.key), getter=question_getter)


def choice_window(question: Question) -> Window:
    return Window(*_heading(question),
                  Column(Select(Format("{item[1]}"), id=question.key, item_id_getter=itemgetter(0),
                                items=list(question.options), on_click=on_choice)),
                  *_navigation(question), state=state_of(question.key), getter=question_getter)


def scale_window(question: Question) -> Window:
    return Window(*_heading(question), Const(f"1 = {question.low_label}"), Const(f"10 = {question.high_label}"),
                  Group(Select(Format("{item}"), id=question.key, item_id_getter=str, items=list(range(1, 11)),
                               type_factory=int, on_click=on_choice), width=5),
                  *_navigation(question), state=state_of(question.key), getter=question_getter)


def multi_window(question: Question) -> Window:
    return Window(*_heading(question), Const("Tap all that apply, then tap Done."),
                  Column(Multiselect(Format("☑️ {item[1]}"), Format("⬜ {item[1]}"), id=question.key,
                                     item_id_getter=itemgetter(0), items=list(question.options))),
                  Button(Const("✅ Done"), id="done", on_click=on_multi_done),
                  *_navigation(question), state=state_of(question.key), getter=question_getter)


def more_window(question: Question) -> Window:
    return Window(Const(TITLE), Const(f"\n{question.prompt}"),
                  Button(Const(question.add_another), id="another", on_click=on_another),
                  Button(Const("✅ That is everyone"), id="enough", on_click=on_next),
                  _back(question), SAVE_LATER, HELP, state=state_of(question.key), getter=question_getter)


def review_window() -> Window:
    return Window(
        Const(TITLE), Const("\nCheck your answers. Tap one to change it.\n"),
        List(Format("<b>{item[1]}</b>\n{item[2]}"), items="rows", sep="\n\n"),
        Column(Select(Format("✏️ {item[1]}"), id="edit", item_id_getter=itemgetter(0), items="rows",
                      on_click=on_edit)),
        Button(Const("➕ Add another child"), id="add_child", on_click=on_add_item),
        Column(Select(Format("🗑 Remove {item[1]}"), id="remove_child", item_id_getter=itemgetter(0),
                      items="remove_children", on_click=on_remove_item)),
        Button(Const("➕ Add another point"), id="add_point", on_click=on_add_item, when="disagrees"),
        Column(Select(Format("🗑 Remove {item[1]}"), id="remove_point", item_id_getter=itemgetter(0),
                      items="remove_points", on_click=on_remove_item)),
        Button(Const("✅ Finish"), id="finish", on_click=on_finish),
        Back(Const("⬅️ Back")), SAVE_LATER, HELP,
        state=ParentViewsSG.review, getter=review_getter,
    )


WINDOWS = {"info": intro_window, "text": text_window, "date": date_window, "choice": choice_window,
           "scale": scale_window, "multi": multi_window, "more": more_window}


def parent_views_dialog() -> Dialog:
    return Dialog(*(WINDOWS[question.kind](question) for question in QUESTIONS), review_window(), on_start=on_start)


def menu_dialog() -> Dialog:
    return Dialog(
        Window(Const("Hello. I help families and professionals get ready for a Child Protection Conference. Who are you?"),
               SwitchTo(Const("👪 I am a parent or carer"), id="parent", state=MenuSG.parent), state=MenuSG.role),
        Window(Const("What would you like to do?"),
               Start(Const("📝 Prepare your views"), id="prepare", state=ParentViewsSG.intro),
               SwitchTo(Const("⬅️ Back"), id="back", state=MenuSG.role), state=MenuSG.parent),
    )


def help_dialog() -> Dialog:
    return Dialog(Window(
        Const("If a child is in danger right now, call 999. To talk to someone: NSPCC 0808 800 5000, "
              "Childline 0800 1111, Samaritans 116 123."),
        Cancel(Const("⬅️ Back")), state=HelpSG.main))


async def cmd_start(message: Message, dialog_manager: DialogManager) -> None:
    await dialog_manager.start(MenuSG.role, mode=StartMode.RESET_STACK)
