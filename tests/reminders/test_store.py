"""Reminder rows: scheduling is idempotent, a claimed row is never claimed twice."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cpc_bot.clock import FrozenClock
from cpc_bot.reminders.store import CLAIM_LEASE, ReminderStore
from cpc_bot.store.database import create_engine, create_tables, session_factory
from cpc_bot.store.models import User

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


async def make_store(tmp_path: Path) -> tuple[ReminderStore, object]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'r.db'}")
    await create_tables(engine)
    sessions = session_factory(engine)
    async with sessions.begin() as s:
        s.add(User(id=1, created_at=T0, updated_at=T0))
        s.add(User(id=2, created_at=T0, updated_at=T0))
    return ReminderStore(sessions, FrozenClock(T0)), engine


async def test_schedule_twice_keeps_one_row_and_moves_it(tmp_path: Path) -> None:
    store, engine = await make_store(tmp_path)
    await store.schedule(1, "parent:1:day_before", "parent.day_before", T0 + timedelta(days=2))
    await store.schedule(1, "parent:1:day_before", "parent.day_before", T0 + timedelta(days=3))
    rows = await store.for_user(1)
    assert [(r.ref, r.due_at) for r in rows] == [("parent:1:day_before", T0 + timedelta(days=3))]
    await engine.dispose()


async def test_claim_is_exclusive_and_sent_rows_stay_sent(tmp_path: Path) -> None:
    store, engine = await make_store(tmp_path)
    await store.schedule(1, "a", "k", T0)
    await store.schedule(2, "b", "k", T0 + timedelta(hours=1))
    first = await store.claim_due(T0)
    assert [r.ref for r in first] == ["a"]
    assert await store.claim_due(T0) == []  # already claimed
    await store.finish(first[0].id, "sent")
    # Scheduling it again (a restart re-planning) does not resend a sent reminder.
    await store.schedule(1, "a", "k", T0)
    assert await store.claim_due(T0 + timedelta(hours=2)) != []  # only "b"
    assert [r.status for r in await store.for_user(1)] == ["sent"]
    await engine.dispose()


async def test_done_only_by_its_owner_and_cancel_by_prefix(tmp_path: Path) -> None:
    store, engine = await make_store(tmp_path)
    await store.schedule(1, "conf:9:report_due", "k", T0)
    await store.schedule(1, "conf:9:core_group", "k", T0)
    await store.schedule(1, "conf:10:report_due", "k", T0)
    row = (await store.for_user(1, "conf:9:report_due"))[0]
    assert not await store.set_status(row.id, 2, "done")  # someone else's reminder
    assert await store.set_status(row.id, 1, "done")
    assert await store.cancel(1, "conf:9:") == 1  # the done one stays done
    statuses = {r.ref: r.status for r in await store.for_user(1)}
    assert statuses == {"conf:9:report_due": "done", "conf:9:core_group": "cancelled", "conf:10:report_due": "pending"}
    await engine.dispose()


async def test_a_worker_that_dies_holding_reminders_loses_none_and_repeats_none(tmp_path: Path) -> None:
    store, engine = await make_store(tmp_path)
    await store.schedule(1, "claimed-only", "k", T0)
    await store.schedule(2, "in-flight", "k", T0)
    dead = await store.claim_due(T0)  # the worker claims both, starts sending one, and is killed
    assert await store.begin_send(next(r for r in dead if r.ref == "in-flight"), T0)
    assert await store.claim_due(T0 + CLAIM_LEASE - timedelta(seconds=1)) == []  # still its own for a while
    taken = await store.claim_due(T0 + CLAIM_LEASE + timedelta(seconds=1))
    # The one never sent comes back; the one whose send was cut off is not sent twice.
    assert [r.ref for r in taken] == ["claimed-only"]
    assert [r.status for r in await store.for_user(2)] == ["unconfirmed"]
    # The dead worker's late attempt to send the row it lost changes nothing.
    assert not await store.begin_send(next(r for r in dead if r.ref == "claimed-only"), T0)
    assert await store.begin_send(taken[0], T0 + CLAIM_LEASE)
    await engine.dispose()
