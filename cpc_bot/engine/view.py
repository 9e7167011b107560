"""A response seen through its questionnaire: the answers, and the questions they make visible.

Part of the engine's model (no aiogram here): the reports, the reminders and the Telegram
runner all read a response through a :class:`View`, and :func:`load_view` reads one from the
database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cpc_bot.engine.flow import Slot, find_slot, first_open_slot, visible_slots
from cpc_bot.engine.kinds import is_empty
from cpc_bot.engine.loader import DialogRegistry
from cpc_bot.engine.schema import Dialog
from cpc_bot.store.models import Response
from cpc_bot.store.repository import Repository, StoredAnswer


@dataclass
class View:
    """A response with its answers and the slots they make visible."""

    dialog: Dialog
    response: Response
    stored: dict[str, StoredAnswer]
    context: Mapping[str, Any] = field(default_factory=dict)

    @property
    def answers(self) -> dict[str, Any]:
        return {k: a.value for k, a in self.stored.items() if not a.skipped}

    @property
    def skipped(self) -> set[str]:
        return {k for k, a in self.stored.items() if a.skipped}

    @property
    def answered(self) -> set[str]:
        return set(self.stored)

    @property
    def slots(self) -> list[Slot]:
        return visible_slots(self.dialog, self.answers, self.context)

    @property
    def current(self) -> Slot:
        slots = self.slots
        index = find_slot(slots, self.response.cursor)
        return slots[index] if index is not None else first_open_slot(slots, self.answered)

    def value(self, key: str) -> Any:
        answer = self.stored.get(key)
        return None if answer is None or answer.skipped else answer.value

    # A view is read once per update and kept right in memory as the update changes the response
    # (the session service writes to the database first, then tells the view).
    def apply(self, key: str, value: Any, *, skipped: bool = False) -> None:
        """An answer was saved."""
        self.stored[key] = StoredAnswer(key, value, skipped)

    def forget(self, keys: list[str]) -> None:
        """Answers were deleted."""
        for key in keys:
            self.stored.pop(key, None)

    def moved(self, cursor: str, *, return_to_review: bool | None = None) -> None:
        """The cursor moved to another question."""
        self.response.cursor = cursor
        if return_to_review is not None:
            self.response.return_to_review = return_to_review

    def finished(self, at: datetime) -> None:
        """The questionnaire was finished."""
        self.response.status = "finished"
        self.response.finished_at = at
        self.response.return_to_review = False

    def missing(self) -> list[Slot]:
        """Questions that need an answer before Finish (not optional, no answer)."""
        return [
            s for s in self.slots
            if s.is_question and s.step is not None and not s.step.optional
            and is_empty(s.step, self.value(s.key))
        ]


#: A hidden answer holding a fact of the questionnaire's context (``_context.linked_area``): kept
#: with the answers, so reading a view costs no other query; written when the questionnaire
#: starts (from the registry's provider) and when the fact changes (a parent joins a conference).
CONTEXT_PREFIX = "_context."


def stored_context(stored: Mapping[str, StoredAnswer]) -> dict[str, Any]:
    return {key.removeprefix(CONTEXT_PREFIX): answer.value for key, answer in stored.items()
            if key.startswith(CONTEXT_PREFIX) and answer.value is not None}


async def load_view(repo: Repository, registry: DialogRegistry, response: Response,
                    context: Mapping[str, Any] | None = None) -> View:
    """The response with its saved answers, read from the database; its context is what was
    kept with the answers, and ``context`` over it."""
    dialog = registry[response.dialog_id]
    stored = await repo.answers(response.id or 0)
    return View(dialog, response, stored, {**stored_context(stored), **(context or {})})
