"""Reminder rows: schedule, claim, mark. Each method is one short transaction.

A row goes ``pending`` -> ``claimed`` -> ``sending`` -> ``sent``, each step committed:

* ``claimed``: a worker took it (two workers never take one row: on PostgreSQL the claim
  uses ``FOR UPDATE SKIP LOCKED``, so they do not wait on each other either). If that
  process dies before sending, the row is given back after ``CLAIM_LEASE``: nothing lost.
* ``sending``: set just before the call to Telegram, only if the row is still ours. A row
  left here by a process that died during the call may or may not have reached the
  person; it is not sent again and becomes ``unconfirmed`` after the lease, for the logs
  and /mydata. (A call that fails with a network error, by contrast, is retried by the
  sender: a reminder lost to a flaky connection is worse than, in the rare case the
  connection broke after Telegram took the message, one that arrives twice.)

The sender does not spend a transaction on each of these steps: :meth:`ReminderStore.record`
makes the changes asked for since its last call in one (see ``ReminderSender``). That changes
no promise: a row still becomes ``sending`` before its own call (a worker waits for that
commit), and a row whose outcome had not been committed when the process died is still
``sending``, so ``unconfirmed`` after the lease, never sent again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, delete, or_, update
from sqlmodel import select

from cpc_bot.clock import Clock
from cpc_bot.store.database import Sessions
from cpc_bot.store.models import Reminder

#: How long a claimed row stays a worker's before another may take it.
CLAIM_LEASE = timedelta(minutes=5)

_TABLE: Table = Reminder.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class DueReminder:
    id: int
    user_id: int
    ref: str
    kind: str
    params: dict[str, Any]
    due_at: datetime
    working_days_only: bool
    attempts: int
    claimed_at: datetime | None = None  # this worker's claim: only it may send the row


@dataclass(frozen=True)
class Outcome:
    """What became of one row the sender had: ``status`` is ``sent`` (``at``: when), another
    final status (``failed``, ``expired``), or ``pending``: given back to be sent at ``at``
    (``failed``: the attempt failed and counts against the retries)."""

    id: int
    status: str
    at: datetime | None = None
    failed: bool = False


@dataclass(frozen=True)
class Planned:
    """A reminder as :meth:`ReminderStore.replace` is to leave it."""

    ref: str
    kind: str
    due_at: datetime
    params: dict[str, Any] | None = None
    working_days_only: bool = False


def as_due(row: Reminder) -> DueReminder:
    """A stored reminder as the sender and its renderers see it."""
    return _due(row)


def _due(row: Reminder) -> DueReminder:
    return DueReminder(row.id or 0, row.user_id, row.ref, row.kind, json.loads(row.params), row.due_at,
                       row.working_days_only, row.attempts, row.claimed_at)


class ReminderStore:
    def __init__(self, sessions: Sessions, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def schedule(self, user_id: int, ref: str, kind: str, due_at: datetime, *,
                       params: dict[str, Any] | None = None, working_days_only: bool = False) -> None:
        """Create or move a reminder. A reminder already sent or done stays as it is."""
        async with self._sessions.begin() as s:
            row = (await s.exec(select(Reminder).where(Reminder.user_id == user_id, Reminder.ref == ref))).first()
            if row is None:
                s.add(Reminder(user_id=user_id, ref=ref, kind=kind, params=json.dumps(params or {}), due_at=due_at,
                               working_days_only=working_days_only, created_at=self._clock()))
            elif row.status in ("pending", "cancelled"):
                row.kind, row.params, row.due_at = kind, json.dumps(params or {}), due_at
                row.working_days_only, row.status = working_days_only, "pending"

    async def replace(self, user_id: int, ref_prefix: str, planned: Sequence[Planned]) -> None:
        """What :meth:`cancel` of ``ref_prefix`` and then :meth:`schedule` of each of ``planned``
        would do, with one read: a pending reminder no longer planned is cancelled, a planned one
        is created or moved, and one already sent or done stays as it is."""
        async with self._sessions.begin() as s:
            rows = {row.ref: row for row in (await s.exec(select(Reminder).where(
                Reminder.user_id == user_id, Reminder.ref.startswith(ref_prefix, autoescape=True)))).all()}  # type: ignore[attr-defined]
            wanted = {item.ref for item in planned}
            for ref, row in rows.items():
                if row.status == "pending" and ref not in wanted:
                    row.status = "cancelled"
            for item in planned:
                row = rows.get(item.ref)
                if row is None:
                    s.add(Reminder(user_id=user_id, ref=item.ref, kind=item.kind, params=json.dumps(item.params or {}),
                                   due_at=item.due_at, working_days_only=item.working_days_only, created_at=self._clock()))
                elif row.status in ("pending", "cancelled"):
                    row.kind, row.params, row.due_at = item.kind, json.dumps(item.params or {}), item.due_at
                    row.working_days_only, row.status = item.working_days_only, "pending"

    async def cancel(self, user_id: int, ref_prefix: str) -> int:
        """Cancel pending reminders whose ref starts with ``ref_prefix``; returns how many."""
        async with self._sessions.begin() as s:
            result = await s.exec(
                update(Reminder)
                .where(Reminder.user_id == user_id, Reminder.ref.startswith(ref_prefix), Reminder.status == "pending")  # type: ignore[attr-defined]
                .values(status="cancelled")
            )
            return result.rowcount or 0  # type: ignore[attr-defined]

    async def delete(self, user_id: int, ref_prefix: str) -> int:
        """Delete the reminders whose ref starts with ``ref_prefix``, whatever their state (the
        answers they came from were deleted); returns how many."""
        async with self._sessions.begin() as s:
            result = await s.exec(delete(Reminder).where(
                Reminder.user_id == user_id, Reminder.ref.startswith(ref_prefix, autoescape=True)))  # type: ignore[arg-type, attr-defined]
            return result.rowcount or 0  # type: ignore[attr-defined]

    async def mark_done(self, user_id: int, ref_prefix: str) -> int:
        """The person finished the task: no nudge about it again, even if it is re-planned."""
        async with self._sessions.begin() as s:
            result = await s.exec(
                update(Reminder)
                .where(Reminder.user_id == user_id, Reminder.ref.startswith(ref_prefix))  # type: ignore[attr-defined]
                .values(status="done")
            )
            return result.rowcount or 0  # type: ignore[attr-defined]

    async def get(self, reminder_id: int) -> Reminder | None:
        async with self._sessions() as s:
            return await s.get(Reminder, reminder_id)

    async def set_status(self, reminder_id: int, user_id: int, status: str, *, only_from: tuple[str, ...] = ("pending", "sent")) -> bool:
        """Done, or cancelled by the person: only their own reminder, only from the given states."""
        async with self._sessions.begin() as s:
            row = await s.get(Reminder, reminder_id)
            if row is None or row.user_id != user_id or row.status not in only_from:
                return False
            row.status = status
            return True

    async def snooze(self, reminder_id: int, user_id: int, until: datetime) -> bool:
        async with self._sessions.begin() as s:
            row = await s.get(Reminder, reminder_id)
            if row is None or row.user_id != user_id or row.status not in ("pending", "sent"):
                return False
            row.status, row.due_at, row.claimed_at = "pending", until, None
            return True

    async def claim_due(self, now: datetime, limit: int = 50) -> list[DueReminder]:
        """Take up to ``limit`` due rows for this worker (marks them ``claimed``)."""
        async with self._sessions.begin() as s:
            stale = now - CLAIM_LEASE
            # A worker that died holding rows: unsent ones come back, an interrupted send is not repeated.
            await s.exec(update(Reminder).where(Reminder.status == "claimed", Reminder.claimed_at < stale)  # type: ignore[arg-type]
                         .values(status="pending", claimed_at=None))
            await s.exec(update(Reminder).where(Reminder.status == "sending", Reminder.claimed_at < stale)  # type: ignore[arg-type]
                         .values(status="unconfirmed"))
            query = (
                select(Reminder)
                .where(Reminder.status == "pending", Reminder.due_at <= now)
                .order_by(Reminder.due_at)  # type: ignore[arg-type]
                .limit(limit)
            )
            if s.bind.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = (await s.exec(query)).all()
            for row in rows:
                row.status, row.claimed_at = "claimed", now
            return [_due(row) for row in rows]

    async def begin_send(self, reminder: DueReminder, now: datetime) -> bool:
        """Mark our claimed row ``sending`` right before the call; False if it is no longer ours
        (we held it past the lease and another worker claimed it)."""
        async with self._sessions.begin() as s:
            result = await s.exec(update(Reminder).where(Reminder.id == reminder.id, Reminder.status == "claimed",  # type: ignore[arg-type]
                                                         Reminder.claimed_at == reminder.claimed_at)
                                  .values(status="sending", claimed_at=now))
            return (result.rowcount or 0) == 1  # type: ignore[attr-defined]

    async def finish(self, reminder_id: int, status: str, *, at: datetime | None = None) -> None:
        """After a send: ``sent`` (or ``failed`` when the person blocked the bot)."""
        async with self._sessions.begin() as s:
            row = await s.get(Reminder, reminder_id)
            if row is not None:
                row.status = status
                if status == "sent":
                    row.sent_at = at or self._clock()

    async def release(self, reminder_id: int, due_at: datetime, *, failed: bool = False) -> None:
        """Put a claimed row back for later: quiet hours, or Telegram asked us to wait (those
        are not failures), or a failed attempt (``failed``: counted against MAX_ATTEMPTS)."""
        async with self._sessions.begin() as s:
            row = await s.get(Reminder, reminder_id)
            if row is not None and row.status in ("claimed", "sending"):
                row.status, row.due_at, row.claimed_at = "pending", due_at, None
                row.attempts += int(failed)

    async def record(self, *, begin: Sequence[DueReminder] = (), now: datetime | None = None,
                     outcomes: Sequence[Outcome] = ()) -> set[int]:
        """Many of the sender's steps in one transaction: ``outcomes`` are written as
        :meth:`finish` and :meth:`release` would, and the ``begin`` rows are marked ``sending``
        at ``now`` as :meth:`begin_send` would. Returns the ids of the ``begin`` rows that were
        still ours and are now ``sending`` (only those may be sent)."""
        ours: set[int] = set()
        if not begin and not outcomes:
            return ours
        async with self._sessions.begin() as s:
            conn = await s.connection()
            sent = [{"rid": o.id, "when": o.at or self._clock()} for o in outcomes if o.status == "sent"]
            if sent:
                await conn.execute(update(_TABLE).where(_TABLE.c.id == bindparam("rid"))
                                   .values(status="sent", sent_at=bindparam("when", type_=_TABLE.c.sent_at.type)), sent)
            final = [{"rid": o.id, "new": o.status} for o in outcomes if o.status not in ("sent", "pending")]
            if final:
                await conn.execute(update(_TABLE).where(_TABLE.c.id == bindparam("rid"))
                                   .values(status=bindparam("new", type_=_TABLE.c.status.type)), final)
            back = [{"rid": o.id, "due": o.at, "inc": int(o.failed)} for o in outcomes if o.status == "pending"]
            if back:
                # (no IN here: an expanding list cannot go into an executemany)
                await conn.execute(update(_TABLE).where(_TABLE.c.id == bindparam("rid"),
                                                        or_(_TABLE.c.status == "claimed", _TABLE.c.status == "sending"))
                                   .values(status="pending", due_at=bindparam("due", type_=_TABLE.c.due_at.type),
                                           claimed_at=None, attempts=_TABLE.c.attempts + bindparam("inc")), back)
            by_claim: dict[datetime | None, list[int]] = {}
            for r in begin:
                by_claim.setdefault(r.claimed_at, []).append(r.id)
            for claimed_at, ids in by_claim.items():
                result = await conn.execute(
                    update(_TABLE).where(_TABLE.c.id.in_(ids), _TABLE.c.status == "claimed",
                                         _TABLE.c.claimed_at == claimed_at)
                    .values(status="sending", claimed_at=now or self._clock()).returning(_TABLE.c.id))
                ours.update(result.scalars())
        return ours

    async def for_user(self, user_id: int, ref_prefix: str = "") -> list[Reminder]:
        async with self._sessions() as s:
            query = select(Reminder).where(Reminder.user_id == user_id)
            if ref_prefix:
                query = query.where(Reminder.ref.startswith(ref_prefix))  # type: ignore[attr-defined]
            return list((await s.exec(query.order_by(Reminder.due_at))).all())  # type: ignore[arg-type]
