"""``multi``: any of the options, tapped on and off, then Done (none chosen is an answer too)."""

from __future__ import annotations

from typing import Any

from cpc_bot.engine.kinds.base import (
    Ask,
    Button,
    Kind,
    Line,
    Tapped,
    button_number,
    register,
    validate_choices,
)
from cpc_bot.engine.schema import Step
from cpc_bot.i18n.text import gettext as _


@register
class Multi(Kind):
    name = "multi"
    taps = frozenset({"tog"})

    def validate(self, step: Step) -> None:
        validate_choices(step)

    def is_empty(self, step: Step, value: Any) -> bool:
        return not value

    def empty_answer(self, step: Step) -> Any:
        return []

    def describe(self, step: Step, value: Any, locale: str) -> str:
        labels = [_(o.label) for o in step.options if o.key in value]
        return ", ".join(labels) if labels else _("(none chosen)")

    def tap(self, step: Step, so_far: Any, action: str, value: str) -> Tapped | None:
        index = button_number(value)
        if index is None or index >= len(step.options):
            return None
        key = step.options[index].key
        chosen = list(so_far or [])
        chosen = [k for k in chosen if k != key] if key in chosen else chosen + [key]
        # Keep the options' own order so reports read the same way as the question.
        order = [o.key for o in step.options]
        return Tapped(sorted(chosen, key=order.index), advance=False)

    def lines(self, step: Step, ask: Ask) -> list[Line]:
        return [Line(_("Tap all that apply, then tap Done."))]

    def buttons(self, step: Step, ask: Ask) -> list[list[Button]]:
        chosen = ask.value or []
        rows = [[Button(("☑️ " if option.key in chosen else "⬜ ") + _(option.label), "tog", str(i))]
                for i, option in enumerate(step.options)]
        return [*rows, [Button(_("✅ Done"), "done")]]
