"""The words of a questionnaire's screens, for every channel: a step's title, an answer in
words, where the person is, a date's example, a scale's labels.

No Telegram here: Telegram's screens (:mod:`cpc_bot.engine.screens`) and the web chat
(:mod:`cpc_bot.web`) draw the same words from these functions, and the reports word answers with
them too. Words come through :mod:`cpc_bot.i18n.text`, in the language of the update or request
being handled. Nothing here escapes: each channel escapes for its own markup.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from cpc_bot.engine.flow import Slot, part_of, progress
from cpc_bot.engine.schema import Dialog, Step
from cpc_bot.engine.values import format_clock, format_day
from cpc_bot.i18n.text import gettext as _
from cpc_bot.i18n.text import ngettext

#: How much of an answer a screen shows before "…".
ANSWER_PREVIEW = 160


def tr(text: str | None) -> str:
    """Translate a questionnaire string; an empty one stays empty (gettext("") is the catalogue header)."""
    return _(text) if text else ""


def item_title(slot: Slot) -> str:
    """"Child 2" for the second item of a repeat group."""
    assert slot.group is not None and slot.index is not None
    return _("%(item)s %(number)d") % {"item": tr(slot.group.item_label), "number": slot.index + 1}


def short_label(slot: Slot) -> str:
    step = slot.step
    assert step is not None
    label = _(step.review_label) if step.review_label else _(step.prompt or step.key)
    if slot.group is not None and slot.index is not None:
        label = f"{item_title(slot)}: {label}"
    return label


def uk_time(value: time, locale: str) -> str:
    """Every time the bot shows is UK time, and says so: a family may read it from abroad."""
    return _("%(time)s UK time") % {"time": format_clock(value, locale)}


def describe_answer(step: Step, value: Any, locale: str, *, skipped: bool = False) -> str:
    """An answer as plain text (not escaped) for the review screen and reports."""
    if skipped or value is None:
        return _("(skipped)")
    if step.kind == "text":
        return "\n".join(value)
    if step.kind == "choice":
        return next((_(o.label) for o in step.options if o.key == value), str(value))
    if step.kind == "multi":
        labels = [_(o.label) for o in step.options if o.key in value]
        return ", ".join(labels) if labels else _("(none chosen)")
    if step.kind == "scale":
        return _("%(value)d out of %(max)d") % {"value": value, "max": step.max}
    if step.kind == "date":
        return format_day(date.fromisoformat(value), locale)
    if step.kind == "time":
        return uk_time(time.fromisoformat(value), locale)
    if step.kind == "drawing":
        pictures = sum(1 for item in value if item.get("type") == "image")
        words = [item["text"] for item in value if item.get("type") == "text"]
        parts = []
        if pictures:
            parts.append(ngettext("%(count)d picture", "%(count)d pictures", pictures) % {"count": pictures})
        parts.extend(words)
        return "\n".join(parts)
    return str(value)


def preview(text: str, limit: int = ANSWER_PREVIEW) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


#: Faces for a child's scale, from the lowest number to the highest.
FACES = ("😢", "😟", "😐", "🙂", "😀")


def face(value: int, low: int, high: int) -> str:
    return FACES[round((value - low) / (high - low) * (len(FACES) - 1))]


def scale_rows(low: int, high: int) -> list[list[int]]:
    """Two rows that fit a phone: 0-10 is 0-5 over 6-10, so the one two-digit number sits in the
    shorter row, where the buttons are wider (Telegram shares a row's width equally)."""
    numbers = list(range(low, high + 1))
    half = (len(numbers) + 1) // 2
    return [chunk for chunk in (numbers[:half], numbers[half:]) if chunk]


def scale_label(step: Step, number: int, *, chosen: bool) -> str:
    """"7🙂": the number, then its face, on every button of a child's scale; the chosen one shows
    🔘 in the face's place, so every button keeps one number and one picture and the same width.
    Without faces: "7", and "🔘7" when chosen."""
    assert step.min is not None and step.max is not None
    if step.faces:
        return f"{number}{'🔘' if chosen else face(number, step.min, step.max)}"
    return f"{'🔘' if chosen else ''}{number}"


def where_we_are(dialog: Dialog, slots: list[Slot], slot: Slot) -> str:
    """" · part 2 of 4 · question 7": the parts of the questionnaire are fixed and the number
    counts the person's own path so far, so neither jumps when an answer opens more questions."""
    parts = ""
    part, of = part_of(dialog, slot)
    if of > 1:
        parts = " · " + _("part %(number)d of %(total)d") % {"number": part, "total": of}
    number, _total = progress(slots, slot.key)
    if number:
        parts += " · " + _("question %(number)d") % {"number": number}
    return parts


def date_example(step: Step, today: date | None) -> str:
    """An example that fits the question: a day to come for a meeting, a past one for a birthday."""
    if today is None or step.past_only:
        return "14/03/2019"
    if step.future_only:
        return (today + timedelta(days=30)).strftime("%d/%m/%Y")
    return today.strftime("%d/%m/%Y")
