"""What a question is called where people read it back: the review, /mydata, sharing, reports.

Part of the engine's model (no aiogram): words come from :mod:`cpc_bot.i18n.text`.
"""

from __future__ import annotations

from cpc_bot.engine.flow import Slot
from cpc_bot.engine.kinds import tr
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
