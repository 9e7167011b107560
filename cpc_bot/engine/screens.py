"""What a person sees for each slot: the text and the buttons.

Every string goes through gettext (the YAML's English is the msgid); every piece
of user text is HTML-escaped because messages are sent with parse_mode=HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from html import escape
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from cpc_bot.engine.flow import Slot
from cpc_bot.engine.schema import Dialog
from cpc_bot.engine.wording import (
    FACES,
    date_example,
    describe_answer,
    face,
    item_title,
    scale_label,
    scale_rows,
    short_label,
    tr,
    where_we_are,
)
from cpc_bot.engine.wording import preview as _preview
from cpc_bot.engine.wording import (
    uk_time as uk_time,  # re-exported: readers word times as the screens do
)
from cpc_bot.telegram_text import telegram_length

#: Telegram refuses texts over 4096 UTF-16 units; leave room for the frame around answers.
_REVIEW_BUDGET = 3600


class StepCb(CallbackData, prefix="q"):
    """Callback data for questionnaire buttons: response, slot token, action, value."""

    r: int
    s: str
    a: str
    v: str = ""


def button(text: str, response_id: int, slot: Slot | str, action: str, value: str = "") -> InlineKeyboardButton:
    token = slot if isinstance(slot, str) else slot.token
    return InlineKeyboardButton(text=text, callback_data=StepCb(r=response_id, s=token, a=action, v=value).pack())


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
    elif slot.is_more:
        label = tr(slot.step.done_label)
    elif slot.step.kind == "text":
        label = _("✅ Done")
    else:
        label = "✔ " + describe_answer(slot.step, value, locale)
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=_preview(label, 60), callback_data=SHOWN_DATA)]])


#: Callback data of the button that shows an answer already given.
SHOWN_DATA = "shown"


def question_screen(
    dialog: Dialog,
    slots: list[Slot],
    slot: Slot,
    response_id: int,
    value: Any,
    *,
    locale: str,
    selection: list[str] | None = None,
    note: str | None = None,
    today: date | None = None,
    counts: Mapping[str, int] | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """The prompt for one slot (not the review screen); ``today`` (UK) for a date's example.
    ``counts`` fill an info text's ``%(questions)d`` and ``%(optional)d``
    (:func:`cpc_bot.engine.flow.question_counts`)."""
    step = slot.step
    assert step is not None
    can_go_back = slots.index(slot) > 0
    lines: list[str] = []
    if note:
        lines += [escape(note), ""]
    header = f"<b>{escape(_(dialog.title))}</b>" + escape(where_we_are(dialog, slots, slot))
    lines.append(header)
    if slot.group is not None and not slot.is_more:
        lines.append(f"<b>{escape(item_title(slot))}</b>")
    rows: list[list[InlineKeyboardButton]] = []

    if slot.is_more:
        group = slot.group
        assert group is not None
        lines += ["", escape(tr(group.prompt))]
        rows.append([button(tr(group.add_another), response_id, slot, "more", "add")])
        rows.append([button(tr(group.done_label), response_id, slot, "more", "stop")])
        rows.append(_nav_row(response_id, slot, can_skip=False, can_go_back=can_go_back))
        rows.append(_later_row(response_id, slot))
        return "\n".join(lines), _markup(dialog, rows)

    if step.kind == "info":
        text = tr(step.text)
        if step.text and "%(" in step.text:
            text = text % (counts or {"questions": 0, "optional": 0})
        lines += ["", escape(text)]
        rows.append([button(_("Next ➡️"), response_id, slot, "next")])
        rows.append(_nav_row(response_id, slot, can_skip=False, can_go_back=can_go_back))
        rows.append(_later_row(response_id, slot))
        return "\n".join(lines), _markup(dialog, rows)

    lines += ["", f"<b>{escape(tr(step.prompt))}</b>"]
    if step.hint:
        lines.append(f"<i>{escape(_(step.hint))}</i>")
    has_value = value is not None and value != []

    if step.kind == "text":
        if has_value:
            lines += ["", _("Your answer so far:"), f"<blockquote>{escape(_preview(chr(10).join(value), 1500))}</blockquote>"]
            lines.append(escape(_("Send more to add to it, or tap Done.")))
            rows.append([button(_("✅ Done"), response_id, slot, "done")])
            rows.append([button(_("✏️ Write it again"), response_id, slot, "clear")])
        elif step.max_messages == 1:
            lines.append(escape(_("Type your answer and send it.")))
        else:
            lines.append(escape(_("Type your answer. You can send several messages, then tap Done.")))
    elif step.kind == "drawing":
        if has_value:
            lines += ["", escape(describe_answer(step, value, locale))]
            rows.append([button(_("✅ Done"), response_id, slot, "done")])
            rows.append([button(_("✏️ Start this one again"), response_id, slot, "clear")])
        lines.append(escape(_("Send a photo of a drawing, or type some words. You can send more than one.")))
    elif step.kind == "time":
        lines.append(escape(_("Type the time, for example 10:00 or 2.30pm.")))
        if has_value:
            lines.append(escape(_("Your answer now: %(answer)s") % {"answer": value}))
            rows.append([button(_("✅ Keep this time"), response_id, slot, "done")])
    elif step.kind == "date":
        lines.append(escape(_("Type the date as day/month/year, for example %(example)s.") % {"example": date_example(step, today)}))
        if has_value:
            lines.append(escape(_("Your answer now: %(answer)s") % {"answer": describe_answer(step, value, locale)}))
            rows.append([button(_("✅ Keep this date"), response_id, slot, "done")])
    elif step.kind == "choice":
        for i, option in enumerate(step.options):
            mark = "🔘 " if value == option.key else ""
            rows.append([button(mark + _(option.label), response_id, slot, "opt", str(i))])
    elif step.kind == "multi":
        chosen = selection if selection is not None else (value or [])
        lines.append(escape(_("Tap all that apply, then tap Done.")))
        for i, option in enumerate(step.options):
            mark = "☑️ " if option.key in chosen else "⬜ "
            rows.append([button(mark + _(option.label), response_id, slot, "tog", str(i))])
        rows.append([button(_("✅ Done"), response_id, slot, "done")])
    elif step.kind == "scale":
        assert step.min is not None and step.max is not None
        low_face, high_face = (f" {FACES[0]}", f" {FACES[-1]}") if step.faces else ("", "")
        lines.append(escape(f"{step.min} = {tr(step.low_label)}{low_face}"))
        lines.append(escape(f"{step.max} = {tr(step.high_label)}{high_face}"))
        if has_value:
            answer = describe_answer(step, value, locale) + (f" {face(value, step.min, step.max)}" if step.faces else "")
            lines.append(escape(_("Your answer now: %(answer)s") % {"answer": answer}))
        rows += [[button(scale_label(step, n, chosen=value == n), response_id, slot, "sc", str(n)) for n in chunk]
                 for chunk in scale_rows(step.min, step.max)]
    rows.append(_nav_row(response_id, slot, can_skip=step.optional, can_go_back=can_go_back))
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
