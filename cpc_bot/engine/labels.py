"""What a question is called where people read it back: the review, /mydata, sharing, reports.

Part of the engine's model (no aiogram): words come from :mod:`cpc_bot.i18n.text`.
"""

from __future__ import annotations

from cpc_bot.engine.flow import Slot, part_of, progress
from cpc_bot.engine.kinds import tr
from cpc_bot.engine.schema import Dialog
from cpc_bot.i18n.text import gettext as _


def item_title(slot: Slot) -> str:
    """"Child 2" for the second item of a repeat group."""
    assert slot.group is not None and slot.index is not None
    return _("%(item)s %(number)d") % {"item": tr(slot.group.item_label), "number": slot.index + 1}


def short_label(slot: Slot) -> str:
    """The question's short name ("Going well", else its prompt); "Child 2: Name" in a group."""
    step = slot.step
    assert step is not None
    label = _(step.review_label) if step.review_label else _(step.prompt or step.key)
    if slot.group is not None and slot.index is not None:
        label = f"{item_title(slot)}: {label}"
    return label


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
