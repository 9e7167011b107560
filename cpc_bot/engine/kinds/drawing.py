"""``drawing``: photos of drawings, or typed words, several of them, then Done."""

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
    register,
)
from cpc_bot.engine.schema import Step
from cpc_bot.i18n.text import gettext as _
from cpc_bot.i18n.text import ngettext


@register
class Drawing(Kind):
    name = "drawing"

    def is_empty(self, step: Step, value: Any) -> bool:
        return not value

    def describe(self, step: Step, value: Any, locale: str) -> str:
        pictures = sum(1 for item in value if item.get("type") == "image")
        words = [item["text"] for item in value if item.get("type") == "text"]
        parts = []
        if pictures:
            parts.append(ngettext("%(count)d picture", "%(count)d pictures", pictures) % {"count": pictures})
        parts.extend(words)
        return "\n".join(parts)

    def report(self, step: Step, value: Any, locale: str, images: Mapping[str, bytes]) -> ReportPart:
        paragraphs: list[str] = []
        pictures: list[bytes] = []
        for part in value:
            if part.get("type") == "text":
                paragraphs.append(part["text"])
            elif part.get("type") == "image" and part.get("blob") in images:
                pictures.append(images[part["blob"]])
                if part.get("caption"):
                    paragraphs.append(part["caption"])
        return ReportPart(paragraphs, None if paragraphs or pictures else _("(skipped)"), pictures)

    def accepts_text(self, step: Step) -> bool:
        return True

    def take_text(self, step: Step, so_far: Any, text: str, today: date) -> Taken | Problem:
        return self._add(step, so_far, {"type": "text", "text": text})

    def accepts_picture(self, step: Step) -> bool:
        return True

    def take_picture(self, step: Step, so_far: Any, item: dict[str, Any]) -> Taken | Problem:
        return self._add(step, so_far, item)

    @staticmethod
    def _add(step: Step, so_far: Any, item: dict[str, Any]) -> Taken | Problem:
        value = list(so_far or [])
        if len(value) >= step.max_items:
            return Problem(_("That is all this page can hold. Tap Done to go on, or start this one again."))
        return Taken([*value, item], _("Saved."))

    def other_content(self, step: Step) -> str:
        return _("I can't use that here. Please send a photo of your drawing, or type some words.")

    def lines(self, step: Step, ask: Ask) -> list[Line]:
        lines = [BLANK, Line(self.describe(step, ask.value, ask.locale))] if ask.has_value else []
        return [*lines, Line(_("Send a photo of a drawing, or type some words. You can send more than one."))]

    def buttons(self, step: Step, ask: Ask) -> list[list[Button]]:
        if not ask.has_value:
            return []
        return [[Button(_("✅ Done"), "done")], [Button(_("✏️ Start this one again"), "clear")]]
