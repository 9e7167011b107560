"""``text``: typed words, in one message or several (then Done); kept verbatim."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from cpc_bot.engine.kinds.base import (
    BLANK,
    Ask,
    Button,
    Kind,
    Line,
    Problem,
    ReportPart,
    Taken,
    preview,
    register,
)
from cpc_bot.engine.schema import Step
from cpc_bot.engine.values import answer_has_room
from cpc_bot.i18n.text import gettext as _

#: The most of an answer so far that its question shows again.
SO_FAR_SHOWN = 1500


@register
class Text(Kind):
    name = "text"

    def is_empty(self, step: Step, value: Any) -> bool:
        return not value

    def describe(self, step: Step, value: Any, locale: str) -> str:
        return "\n".join(value)

    def answered_label(self, step: Step, value: Any, locale: str) -> str:
        return _("✅ Done")

    def report(self, step: Step, value: Any, locale: str, images: Mapping[str, bytes]) -> ReportPart:
        return ReportPart([str(part) for part in value])

    def accepts_text(self, step: Step) -> bool:
        return True

    def take_text(self, step: Step, so_far: Any, text: str, today: date) -> Taken | Problem:
        parts = list(so_far or [])
        if not answer_has_room(parts, text):
            return Problem(_("This answer is full, so I did not save that message. "
                             "Tap Done to go on, or Write it again to start this answer over."))
        value = [*parts, text]
        return Taken(value, _("Saved."), advance=step.max_messages is not None and len(value) >= step.max_messages)

    def lines(self, step: Step, ask: Ask) -> list[Line]:
        if ask.has_value:
            return [BLANK, Line(_("Your answer so far:")), Line(preview("\n".join(ask.value), SO_FAR_SHOWN), "quote"),
                    Line(_("Send more to add to it, or tap Done."))]
        if step.max_messages == 1:
            return [Line(_("Type your answer and send it."))]
        return [Line(_("Type your answer. You can send several messages, then tap Done."))]

    def buttons(self, step: Step, ask: Ask) -> list[list[Button]]:
        if not ask.has_value:
            return []
        return [[Button(_("✅ Done"), "done")], [Button(_("✏️ Write it again"), "clear")]]
