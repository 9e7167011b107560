"""``repeat``: a group of questions asked once per item (each child, each point), then "add
another" or the group's own closing button. The items' questions are steps of their own kinds;
this kind is the group, and the screen after each item."""

from __future__ import annotations

from typing import Any

from cpc_bot.engine.kinds.base import BLANK, KINDS, Ask, Button, Kind, Line, register, tr
from cpc_bot.engine.schema import Step


@register
class Repeat(Kind):
    name = "repeat"
    asks = False

    def validate(self, step: Step) -> None:
        if not step.steps:
            raise ValueError("a repeat step needs 'steps'")
        if not (step.item_label and step.add_another and step.done_label and step.prompt):
            raise ValueError("a repeat step needs 'prompt', 'item_label', 'add_another' and 'done_label'")
        if any(not KINDS[s.kind].asks for s in step.steps):
            raise ValueError("a repeat step holds questions only (no info or repeat inside)")
        keys = [s.key for s in step.steps]
        if len(keys) != len(set(keys)):
            raise ValueError("keys inside a repeat step must be unique")
        if step.item_name is not None and not any(s.key == step.item_name and s.kind == "text" for s in step.steps):
            raise ValueError(f"item_name {step.item_name!r} must be the key of a text question inside the group")
        self.check_options(step)

    def skippable(self, step: Step) -> bool:
        return False

    def answered_label(self, step: Step, value: Any, locale: str) -> str:
        return tr(step.done_label)

    # The screen after each item: add another, or that is all.
    def prompt_lines(self, step: Step, ask: Ask) -> list[Line]:
        return [BLANK, Line(tr(step.prompt))]

    def buttons(self, step: Step, ask: Ask) -> list[list[Button]]:
        return [[Button(tr(step.add_another), "more", "add")], [Button(tr(step.done_label), "more", "stop")]]
