"""What a person sees for each slot on Telegram: the text and the buttons.

The Telegram half of the screens: a question's own lines and buttons come from its kind
(:mod:`cpc_bot.engine.kinds`, channel-neutral data); this module frames them (the header, Back,
Skip, 🏠 Menu, Save for later, 🆘), writes them as HTML and an inline keyboard whose buttons carry
:class:`StepCb`, and draws the review screen. Every string goes through gettext (the YAML's
English is the msgid); every piece of user text is HTML-escaped because messages are sent with
parse_mode=HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from html import escape
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from cpc_bot.engine.flow import Slot
from cpc_bot.engine.kinds import KINDS, Ask, Line, describe_answer, preview, tr
from cpc_bot.engine.labels import item_title, short_label, where_we_are
from cpc_bot.engine.schema import Dialog
from cpc_bot.telegram_text import telegram_length

#: Telegram refuses texts over 4096 UTF-16 units; leave room for the frame around answers.
_REVIEW_BUDGET = 3600
_ANSWER_PREVIEW = 160


class StepCb(CallbackData, prefix="q"):
    """Callback data for questionnaire buttons: response, slot token, action, value."""

    r: int
    s: str
    a: str
    v: str = ""


def button(text: str, response_id: int, slot: Slot | str, action: str, value: str = "") -> InlineKeyboardButton:
    token = slot if isinstance(slot, str) else slot.token
    return InlineKeyboardButton(text=text, callback_data=StepCb(r=response_id, s=token, a=action, v=value).pack())


def _preview(text: str, limit: int = _ANSWER_PREVIEW) -> str:
    return preview(text, limit)


def _nav_row(response_id: int, slot: Slot, *, can_skip: bool, can_go_back: bool) -> list[InlineKeyboardButton]:
    row = []
    if can_go_back:
        row.append(button(_("⬅️ Back"), response_id, slot, "back"))
    if can_skip:
        row.append(button(_("Skip ➡️"), response_id, slot, "skip"))
    row.append(menu_button())
    return row


#: Callback data of the 🏠 Menu button: leave the questionnaire (answers saved) for the main menu.
HOME_DATA = "home"


def menu_button() -> InlineKeyboardButton:
    """The way back to the main menu, on every screen."""
    return InlineKeyboardButton(text=_("🏠 Menu"), callback_data=HOME_DATA)


#: Callback data of the 🆘 button on every screen children and parents see.
SOS_DATA = "sos"


def _markup(dialog: Dialog, rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    """The keyboard, with help one tap away on every screen a child or a parent sees."""
    rows = [r for r in rows if r]
    if dialog.audience == "child":
        rows.append([InlineKeyboardButton(text=_("🆘 I don't feel safe right now"), callback_data=SOS_DATA)])
    elif dialog.audience == "parent":
        rows.append([sos_button_adult()])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def sos_button_adult() -> InlineKeyboardButton:
    return InlineKeyboardButton(text=_("🆘 I need help now"), callback_data=SOS_DATA)


def _later_row(response_id: int, slot: Slot) -> list[InlineKeyboardButton]:
    return [button(_("💾 Save and finish later"), response_id, slot, "later")]


def answered_markup(view_dialog: Dialog, slots: list[Slot], key: str, value: Any, *, skipped: bool,
                    locale: str, label: str | None = None) -> InlineKeyboardMarkup:
    """What a tapped question keeps showing once answered: the answer, on a button that changes nothing."""
    slot = next((s for s in slots if s.key == key), None)
    if label:  # said by the session ("✔ Add another child")
        pass
    elif skipped:
        label = "⏭ " + _("Skipped")
    elif slot is None or slot.step is None:
        label = "✔"
    else:  # the kind says it: "✔ The first conference", "✅ Done", "✅ That is every child"
        label = KINDS[slot.step.kind].answered_label(slot.step, value, locale)
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=_preview(label, 60), callback_data=SHOWN_DATA)]])


#: Callback data of the button that shows an answer already given.
SHOWN_DATA = "shown"


#: How each style of a kind's line is written in Telegram's HTML (the text escaped first).
_STYLES = {"plain": "{}", "bold": "<b>{}</b>", "italic": "<i>{}</i>", "quote": "<blockquote>{}</blockquote>"}


def html_line(line: Line) -> str:
    return _STYLES[line.style].format(escape(line.text))


def question_screen(
    dialog: Dialog,
    slots: list[Slot],
    slot: Slot,
    response_id: int,
    value: Any,
    *,
    locale: str,
    note: str | None = None,
    today: date | None = None,
    counts: Callable[[], Mapping[str, int]] | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """The prompt for one slot (not the review screen); ``today`` (UK) for a date's example.
    ``counts()`` fill an info text's ``%(questions)d`` and ``%(optional)d``
    (:func:`cpc_bot.engine.flow.question_counts`), counted only for a text that shows them.

    The header is drawn here; the question's own lines and buttons come from its kind
    (:mod:`cpc_bot.engine.kinds`), then Back, Skip when it may be skipped, 🏠 Menu and Save for later."""
    step = slot.step
    assert step is not None
    kind = KINDS[step.kind]  # a group's "add another" screen is its repeat kind's
    lines: list[str] = []
    if note:
        lines += [escape(note), ""]
    header = f"<b>{escape(_(dialog.title))}</b>" + escape(where_we_are(dialog, slots, slot))
    lines.append(header)
    if slot.group is not None and not slot.is_more:
        lines.append(f"<b>{escape(item_title(slot))}</b>")
    ask = Ask(value=value, locale=locale, today=today, counts=counts)
    lines += [html_line(line) for line in kind.prompt_lines(step, ask)]
    rows = [[button(b.label, response_id, slot, b.action, b.value) for b in row] for row in kind.buttons(step, ask)]
    rows.append(_nav_row(response_id, slot, can_skip=kind.skippable(step), can_go_back=slots.index(slot) > 0))
    rows.append(_later_row(response_id, slot))
    return "\n".join(lines), _markup(dialog, rows)


def review_screen(
    dialog: Dialog,
    slots: list[Slot],
    answers: dict[str, Any],
    skipped: set[str],
    response_id: int,
    *,
    locale: str,
    note: str | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """Every answer, each with a button to change it; Finish at the bottom."""
    review = slots[-1]
    lines = []
    if note:
        lines += [escape(note), ""]
    lines += [f"<b>{escape(_(dialog.title))}</b>", escape(_("Check your answers. Tap one to change it.")), ""]
    rows: list[list[InlineKeyboardButton]] = []
    used = sum(telegram_length(line) for line in lines)
    for slot in slots:
        if not slot.is_question:
            continue
        assert slot.step is not None
        label = short_label(slot)
        shown = describe_answer(slot.step, answers.get(slot.key), locale, skipped=slot.key in skipped) if (slot.key in answers or slot.key in skipped) else _("(not answered yet)")
        entry = f"<b>{escape(_preview(label, 80))}</b>\n{escape(_preview(shown))}"
        if used + telegram_length(entry) < _REVIEW_BUDGET:
            lines.append(entry)
            used += telegram_length(entry)
        rows.append([button("✏️ " + _preview(label, 40), response_id, review, "edit", slot.token)])
    for group in {s.group.key: s.group for s in slots if s.is_more and s.group}.values():
        group_index = str(dialog.steps.index(group))
        rows.append([button("➕ " + tr(group.add_another), response_id, review, "add", group_index)])
        count = max((s.index or 0) for s in slots if s.group is group and s.index is not None) + 1
        if count > 1:
            rows.append([
                button(_("🗑 Remove %(item)s %(number)d") % {"item": tr(group.item_label), "number": i + 1}, response_id, review, "rm", f"{group_index}-{i}")
                for i in range(count)
            ])
    rows.append([button(_("✅ Finish"), response_id, review, "finish")])
    rows.append([button(_("⬅️ Back"), response_id, review, "back"), menu_button()])
    rows.append([button(_("💾 Save and finish later"), response_id, review, "later")])
    return "\n\n".join(lines).replace("\n\n\n", "\n\n"), _markup(dialog, rows)
