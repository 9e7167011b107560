"""What happens in a questionnaire, for whoever needs to know.

The session service (:mod:`cpc_bot.engine.session`) says what happened; it does not know who
listens. ``app.py`` subscribes the reminder planner and retention to :class:`AnswerSaved`, the
reports and sharing to :class:`Finished`, and the reminder planner's clean-up to
:class:`Discarding`, each for the questionnaires it cares about. A channel (Telegram now, the web
later) passes its own ``where`` (how to reach the person) to the subscribers that send something.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cpc_bot.store.models import Response

if TYPE_CHECKING:
    from cpc_bot.engine.view import View

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnswerSaved:
    """An answer is complete and the person moves on from ``key`` (a date given, a choice made)."""

    response: Response
    view: View
    key: str


@dataclass(frozen=True)
class Finished:
    """The person tapped Finish and the questionnaire is closed (each Finish makes a report)."""

    response: Response
    view: View


@dataclass(frozen=True)
class Discarding:
    """The person chose "Start again": this response is about to be deleted."""

    response: Response


Event = AnswerSaved | Finished | Discarding
Handler = Callable[[Any, Any], Awaitable[None]]


class Events:
    """Subscribers per event type and questionnaire; called in the order they subscribed."""

    def __init__(self) -> None:
        self._handlers: dict[tuple[type, str], list[Handler]] = defaultdict(list)

    def subscribe(self, kind: type, dialog_id: str, handler: Handler) -> None:
        """``handler(event, where)`` for every ``kind`` event of questionnaire ``dialog_id``."""
        self._handlers[(kind, dialog_id)].append(handler)

    def has(self, kind: type, dialog_id: str) -> bool:
        return bool(self._handlers.get((kind, dialog_id)))

    async def publish(self, event: Event, where: Any = None) -> None:
        dialog_id = event.response.dialog_id
        for handler in self._handlers.get((type(event), dialog_id), ()):
            await handler(event, where)
