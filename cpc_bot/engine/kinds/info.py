"""``info``: words to read (what happens next, how many questions follow), then Next."""

from __future__ import annotations

import re

from cpc_bot.engine.kinds.base import BLANK, Ask, Button, Kind, Line, register, tr
from cpc_bot.engine.schema import COUNTS, Step
from cpc_bot.i18n.text import gettext as _


@register
class Info(Kind):
    name = "info"
    asks = False

    def validate(self, step: Step) -> None:
        if not step.text:
            raise ValueError("an info step needs 'text'")
        # A text that counts is %-formatted: then every % must be one of the counts.
        if "%(" in step.text and re.search(r"%(?!\((?:" + "|".join(COUNTS) + r")\)d)", step.text):
            raise ValueError(f"an info step's text counts only with {', '.join(f'%({c})d' for c in COUNTS)}")
        self.check_options(step)

    def skippable(self, step: Step) -> bool:
        return False

    def prompt_lines(self, step: Step, ask: Ask) -> list[Line]:
        text = tr(step.text)
        if step.text and "%(" in step.text:
            text = text % (ask.counts() if ask.counts else {"questions": 0, "optional": 0})
        return [BLANK, Line(text)]

    def buttons(self, step: Step, ask: Ask) -> list[list[Button]]:
        return [[Button(_("Next ➡️"), "next")]]
