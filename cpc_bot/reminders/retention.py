"""Keeping preparation only as long as it is needed, and saying so in advance.

A set time after the conference a person told us about (``CPC_RETENTION_DAYS``, 30 by
default), what they wrote to prepare for it is erased: questionnaires, booklets, pictures,
links to the conference. ``CPC_RETENTION_NOTICE_DAYS`` before that (7), a message tells them
the day, how to keep a copy (/report, /mydata) and offers one tap to keep it longer. The
plan lives in the database (``users.erase_after`` and a reminder row), so restarts lose
nothing; an hourly sweep does the erasing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n, ngettext
from aiogram.utils.i18n import gettext as _

from cpc_bot.clock import LONDON, Clock
from cpc_bot.engine.values import format_day
from cpc_bot.engine.view import View
from cpc_bot.reminders.sender import ReminderRenderer
from cpc_bot.reminders.store import DueReminder, Planned, ReminderStore
from cpc_bot.store.conferences import ConferenceRepository
from cpc_bot.store.models import Response
from cpc_bot.store.repository import Repository

log = logging.getLogger(__name__)

PREFIX = "retention:"


class Retention:
    def __init__(self, repo: Repository, store: ReminderStore, clock: Clock, *, days: int, notice_days: int,
                 keep_dialogs: set[str], date_key: str, conferences: ConferenceRepository | None = None) -> None:
        self.repo = repo
        #: Where a person's linked conferences are read (their dates hold the erasure back).
        self.conferences = conferences
        self.store = store
        self.clock = clock
        self.days = days
        self.notice_days = notice_days
        self.keep_dialogs = keep_dialogs  # professionals' own work is not a family's preparation
        self.date_key = date_key

    async def linked_days(self, user_id: int) -> list[date]:
        """The dates of the conferences the person joined through a professional's link."""
        if self.conferences is None:
            return []
        return [c.starts_at.astimezone(LONDON).date() for c, _audience in await self.conferences.memberships(user_id)]

    async def on_answer(self, response: Response, view: View, key: str) -> None:
        """A parent gave (or changed, or removed) the conference date. The erasure follows the
        latest of that date and the conferences they are linked to: skipping the date (or
        giving an earlier one) never cancels or brings forward an erasure planned from a link."""
        if key != self.date_key:
            return
        answered = view.answers.get(self.date_key)
        days = [date.fromisoformat(answered)] if answered else []
        days += await self.linked_days(response.user_id)
        await self.after_conference(response.user_id, max(days) if days else None)

    async def conference_moved(self, user_id: int, old_day: date, new_day: date) -> date:
        """A conference the person is linked to moved from ``old_day`` to ``new_day`` (call it once
        the conference row holds the new date). An erasure planned from it follows it, to no
        earlier than their other linked conferences allow; one planned later than it (kept longer,
        or from a later conference) stays, unless the moved conference now needs it later still.
        Returns the planned day."""
        user = await self.repo.get_user(user_id)
        current = user.erase_after if user is not None else None
        linked = await self.linked_days(user_id)
        following = max([*linked, new_day]) + timedelta(days=self.days)
        if current is not None and current > old_day + timedelta(days=self.days):
            following = max(current, following)
        if following != current:
            await self._plan(user_id, following)
        return following

    async def after_conference(self, user_id: int, day: date | None, *, later_only: bool = False) -> None:
        """Plan the erasure ``days`` after the conference on ``day`` (none when None), with its notice.
        ``later_only``: keep an erasure already planned for later (a second conference link)."""
        erase_after = day + timedelta(days=self.days) if day else None
        if later_only:
            user = await self.repo.get_user(user_id)
            if user is not None and user.erase_after and (erase_after is None or user.erase_after >= erase_after):
                return
        await self._plan(user_id, erase_after)

    async def keep_longer(self, user_id: int, planned: str) -> date | None:
        """The person tapped "keep": ``days`` more, if the button is for the erasure still planned."""
        user = await self.repo.get_user(user_id)
        if user is None or user.erase_after is None or user.erase_after.isoformat() != planned:
            return None
        erase_after = user.erase_after + timedelta(days=self.days)
        await self._plan(user_id, erase_after)
        log.info("retention.extended user=%s", user_id)
        return erase_after

    async def _plan(self, user_id: int, erase_after: date | None) -> None:
        await self.repo.update_user(user_id, erase_after=erase_after)
        planned = []
        if erase_after is not None:
            notice_at = datetime.combine(erase_after - timedelta(days=self.notice_days), time(10), LONDON)
            params = {"erase_after": erase_after.isoformat(), "days": str(self.days)}
            user = await self.repo.get_user(user_id)
            if user is not None and user.role == "child":
                params["child"] = "1"  # told about their booklet, never a report
            planned.append(Planned(f"{PREFIX}notice:{erase_after.isoformat()}", "retention.notice",
                                   max(notice_at, self.clock()), params))
        await self.store.replace(user_id, PREFIX, planned)

    async def sweep(self) -> int:
        """Erase every preparation whose day has passed; returns how many people's."""
        now = self.clock()
        today = now.astimezone(LONDON).date()
        erased = await self.repo.users_to_erase(today)
        for user_id in erased:
            await self.repo.erase_preparation(user_id, self.keep_dialogs)
            for prefix in ("parent:", "member:", PREFIX):
                await self.store.cancel(user_id, prefix)
            await self.store.schedule(user_id, f"{PREFIX}done:{today.isoformat()}", "retention.done", now)
            log.info("retention.erased user=%s", user_id)
        return len(erased)


def erase_day(erase_after: date) -> date:
    """The sweep erases on the first day after ``erase_after``."""
    return erase_after + timedelta(days=1)


#: The keep button's callback data for the erasure planned on a day (ISO date): the handler that
#: answers the tap owns its format, and the composition root hands it in.
KeepData = Callable[[str], str]


def _notice(keep_data: KeepData, r: DueReminder) -> tuple[str, InlineKeyboardMarkup | None]:
    erase_after = date.fromisoformat(r.params["erase_after"])
    if r.params.get("child"):
        text = _(
            "To keep your information safe, on %(day)s I will delete what you wrote to get ready for the "
            "meeting: your answers, your booklet, your pictures and My numbers.\n\n"
            "If you want a copy, send /report for your booklet or /mydata for everything, before then.\n"
            "If you still need it here, tap the button.")
    else:
        text = _(
            "To keep your information safe, on %(day)s I will delete what you wrote to get ready for the "
            "conference: your answers, your booklet and any pictures.\n\n"
            "If you want a copy, send /report for your report or /mydata for everything, before then.\n"
            "If you still need it here, tap the button.")
    text %= {"day": format_day(erase_day(erase_after), get_i18n().current_locale)}
    days = int(r.params.get("days", "30"))
    button = InlineKeyboardButton(text=ngettext("Keep it for %(count)d more day", "Keep it for %(count)d more days",
                                                days) % {"count": days},
                                  callback_data=keep_data(erase_after.isoformat()))
    return text, InlineKeyboardMarkup(inline_keyboard=[[button]])


def _done(r: DueReminder) -> tuple[str, InlineKeyboardMarkup | None]:
    return _("As I said I would, I have deleted what you wrote to get ready for the conference. "
             "Send /start if you need me again."), None


def renderers(keep_data: KeepData) -> dict[str, ReminderRenderer]:
    """The notice and the "done" message; ``keep_data`` makes the keep button's callback data."""
    return {"retention.notice": lambda r: _notice(keep_data, r), "retention.done": _done}
