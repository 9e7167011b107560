"""``time``: a time of day typed (10:00, 2.30pm), shown as UK time."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from cpc_bot.engine.kinds.base import Ask, Button, Kind, Line, Problem, Taken, register, uk_time
from cpc_bot.engine.schema import Step
from cpc_bot.engine.values import DateProblem, parse_time
from cpc_bot.i18n.text import gettext as _


@register
class Time(Kind):
    name = "time"

    def describe(self, step: Step, value: Any, locale: str) -> str:
        return uk_time(time.fromisoformat(value), locale)

    def accepts_text(self, step: Step) -> bool:
        return True

    def take_text(self, step: Step, so_far: Any, text: str, today: date) -> Taken | Problem:
        try:
            at = parse_time(text)
        except DateProblem:
            return Problem(_("I couldn't read that as a time. Please type it like 10:00 or 2.30pm."))
        return Taken(at.strftime("%H:%M"), _("Saved."), advance=True)

    def lines(self, step: Step, ask: Ask) -> list[Line]:
        lines = [Line(_("Type the time, for example 10:00 or 2.30pm."))]
        if ask.has_value:
            lines.append(Line(_("Your answer now: %(answer)s") % {"answer": ask.value}))
        return lines

    def buttons(self, step: Step, ask: Ask) -> list[list[Button]]:
        return [[Button(_("✅ Keep this time"), "done")]] if ask.has_value else []
