"""``date``: a day typed as people in England write it (14/03/2019), in the past or to come."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from cpc_bot.engine.kinds.base import Ask, Button, Kind, Line, Problem, Taken, register
from cpc_bot.engine.schema import Step
from cpc_bot.engine.values import DateProblem, format_day, parse_uk_date
from cpc_bot.i18n.text import current_locale
from cpc_bot.i18n.text import gettext as _


def date_example(step: Step, today: date | None) -> str:
    """An example that fits the question: a day to come for a meeting, a past one for a birthday."""
    if today is None or step.past_only:
        return "14/03/2019"
    if step.future_only:
        return (today + timedelta(days=30)).strftime("%d/%m/%Y")
    return today.strftime("%d/%m/%Y")


@register
class Date(Kind):
    name = "date"

    def validate(self, step: Step) -> None:
        super().validate(step)
        if step.past_only and step.future_only:
            raise ValueError("a date cannot be both past_only and future_only")

    def describe(self, step: Step, value: Any, locale: str) -> str:
        return format_day(date.fromisoformat(value), locale)

    def accepts_text(self, step: Step) -> bool:
        return True

    def take_text(self, step: Step, so_far: Any, text: str, today: date) -> Taken | Problem:
        try:
            day = parse_uk_date(text, today)
        except DateProblem as problem:
            return Problem(
                _("There is no such day in the calendar. Please check the day and month, for example 28/02/2019.")
                if problem.code == "no_such_day"
                else _("I couldn't read that as a date. Please type day/month/year, for example %(example)s.")
                % {"example": date_example(step, today)}
            )
        shown = format_day(day, current_locale())
        if step.past_only and day > today:
            return Problem(_("%(day)s is in the future. Please check the year.") % {"day": shown})
        if step.future_only and day < today:
            return Problem(_("%(day)s has already passed. Please check the date.") % {"day": shown})
        if day < today - timedelta(days=365 * 120):
            return Problem(_("Please check the year."))
        return Taken(day.isoformat(), _("Saved: %(day)s") % {"day": shown}, advance=True)

    def lines(self, step: Step, ask: Ask) -> list[Line]:
        lines = [Line(_("Type the date as day/month/year, for example %(example)s.")
                      % {"example": date_example(step, ask.today)})]
        if ask.has_value:
            lines.append(Line(_("Your answer now: %(answer)s") % {"answer": self.describe(step, ask.value, ask.locale)}))
        return lines

    def buttons(self, step: Step, ask: Ask) -> list[list[Button]]:
        return [[Button(_("✅ Keep this date"), "done")]] if ask.has_value else []
