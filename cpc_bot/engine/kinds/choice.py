"""``choice``: one of the options, by a tap."""

from __future__ import annotations

from typing import Any

from cpc_bot.engine.kinds.base import (
    Ask,
    Button,
    Kind,
    Tapped,
    button_number,
    register,
    validate_choices,
)
from cpc_bot.engine.schema import Step
from cpc_bot.i18n.text import gettext as _


@register
class Choice(Kind):
    name = "choice"
    taps = frozenset({"opt"})

    def validate(self, step: Step) -> None:
        validate_choices(step)

    def describe(self, step: Step, value: Any, locale: str) -> str:
        return next((_(o.label) for o in step.options if o.key == value), str(value))

    def tap(self, step: Step, so_far: Any, action: str, value: str) -> Tapped | None:
        index = button_number(value)
        if index is None or index >= len(step.options):
            return None
        return Tapped(step.options[index].key, advance=True)

    def buttons(self, step: Step, ask: Ask) -> list[list[Button]]:
        return [[Button(("🔘 " if ask.value == option.key else "") + _(option.label), "opt", str(i))]
                for i, option in enumerate(step.options)]
