"""``scale``: a number from ``min`` to ``max`` by a tap, with words for both ends (and faces for
children)."""

from __future__ import annotations

from typing import Any

from cpc_bot.engine.kinds.base import Ask, Button, Kind, Line, Tapped, button_number, register, tr
from cpc_bot.engine.schema import Step
from cpc_bot.i18n.text import gettext as _

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


@register
class Scale(Kind):
    name = "scale"
    taps = frozenset({"sc"})

    def validate(self, step: Step) -> None:
        super().validate(step)
        if step.min is None or step.max is None or not (0 <= step.min < step.max <= 10):
            raise ValueError("a scale step needs 0 <= min < max <= 10")
        if not (step.low_label and step.high_label):
            raise ValueError("a scale step needs 'low_label' and 'high_label'")

    def describe(self, step: Step, value: Any, locale: str) -> str:
        return _("%(value)d out of %(max)d") % {"value": value, "max": step.max}

    def tap(self, step: Step, so_far: Any, action: str, value: str) -> Tapped | None:
        number = button_number(value)
        if number is None or step.min is None or step.max is None or not step.min <= number <= step.max:
            return None
        return Tapped(number, advance=True)

    def lines(self, step: Step, ask: Ask) -> list[Line]:
        assert step.min is not None and step.max is not None
        low_face, high_face = (f" {FACES[0]}", f" {FACES[-1]}") if step.faces else ("", "")
        lines = [Line(f"{step.min} = {tr(step.low_label)}{low_face}"),
                 Line(f"{step.max} = {tr(step.high_label)}{high_face}")]
        if ask.has_value:
            answer = self.describe(step, ask.value, ask.locale)
            if step.faces:
                answer += f" {face(ask.value, step.min, step.max)}"
            lines.append(Line(_("Your answer now: %(answer)s") % {"answer": answer}))
        return lines

    def buttons(self, step: Step, ask: Ask) -> list[list[Button]]:
        assert step.min is not None and step.max is not None
        return [[Button(scale_label(step, n, chosen=ask.value == n), "sc", str(n)) for n in chunk]
                for chunk in scale_rows(step.min, step.max)]
