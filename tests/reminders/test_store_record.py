"""ReminderStore.record: the sender's many row changes in one transaction, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cpc_bot.clock import FrozenClock
from cpc_bot.reminders.store import CLAIM_LEASE, Outcome, Planned, ReminderStore
from cpc_bot.store.database import create_engine, create_tables, session_factory
from cpc_bot.store.models import User
from tests.servers import fresh_database

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.xdist_group("servers"))])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ReminderStore]:
    async def made(url: str) -> AsyncIterator[ReminderStore]:
        engine = create_engine(url)
        await create_tables(engine)
        sessions = session_factory(engine)
        async with sessions.begin() as s:
            s.add(User(id=1, created_at=T0, updated_at=T0))
        try:
            yield ReminderStore(sessions, FrozenClock(T0))
        finally:
            await engine.dispose()

    if request.param == "sqlite":
        async for made_store in made(f"sqlite+aiosqlite:///{tmp_path / 'r.db'}"):
            yield made_store
        return
    async with fresh_database("record") as url:
        async for made_store in made(url):
            yield made_store


async def statuses(store: ReminderStore) -> dict[str, str]:
    return {row.ref: row.status for row in await store.for_user(1)}


async def test_only_rows_still_ours_become_sending(store: ReminderStore) -> None:
    for ref in ("a", "b", "c"):
        await store.schedule(1, ref, "k", T0)
    slow = await store.claim_due(T0)  # a worker that then held them past the lease
    later = T0 + CLAIM_LEASE + timedelta(seconds=1)
    fresh = await store.claim_due(later)  # another worker takes them back
    assert sorted(r.ref for r in fresh) == ["a", "b", "c"]

    assert await store.record(begin=slow, now=later) == set()  # the slow worker may send none
    assert set((await statuses(store)).values()) == {"claimed"}
    assert await store.record(begin=fresh[:2], now=later) == {fresh[0].id, fresh[1].id}
    assert sorted((await statuses(store)).values()) == ["claimed", "sending", "sending"]
    assert await store.record(begin=fresh[:2], now=later) == set()  # and only once


async def test_outcomes_written_together_are_each_what_was_asked(store: ReminderStore) -> None:
    refs = ["sent1", "sent2", "blocked", "expired", "network", "wait", "gone"]
    for ref in refs:
        await store.schedule(1, ref, "k", T0)
    claimed = {r.ref: r for r in await store.claim_due(T0)}
    assert len(await store.record(begin=list(claimed.values()), now=T0)) == len(refs)
    await store.finish(claimed["gone"].id, "sent", at=T0)  # finished elsewhere already

    s1, s2 = T0 + timedelta(seconds=1), T0 + timedelta(seconds=2)
    back = T0 + timedelta(minutes=2)
    await store.record(outcomes=[
        Outcome(claimed["sent1"].id, "sent", s1), Outcome(claimed["sent2"].id, "sent", s2),
        Outcome(claimed["blocked"].id, "failed"), Outcome(claimed["expired"].id, "expired"),
        Outcome(claimed["network"].id, "pending", back, failed=True),
        Outcome(claimed["wait"].id, "pending", back),
        Outcome(claimed["gone"].id, "pending", back),  # not claimed or sending: left as it is
    ])
    rows = {row.ref: row for row in await store.for_user(1)}
    assert {ref: row.status for ref, row in rows.items()} == {
        "sent1": "sent", "sent2": "sent", "blocked": "failed", "expired": "expired",
        "network": "pending", "wait": "pending", "gone": "sent"}
    assert (rows["sent1"].sent_at, rows["sent2"].sent_at) == (s1, s2)
    assert rows["blocked"].sent_at is None
    assert (rows["network"].attempts, rows["wait"].attempts) == (1, 0)  # a wait is not a failure
    assert rows["network"].due_at == rows["wait"].due_at == back
    assert rows["network"].claimed_at is None
    # Given back, they are due again at their time, and only then.
    assert await store.claim_due(back - timedelta(seconds=1)) == []
    assert sorted(r.ref for r in await store.claim_due(back)) == ["network", "wait"]


async def test_replace_does_what_cancel_then_schedule_did(store: ReminderStore) -> None:
    """The planners' one-read replace: a pending reminder no longer planned is cancelled, a
    cancelled one planned again comes back, a moved one moves, one already sent stays sent,
    and other prefixes are left alone."""
    await store.schedule(1, "p:sent", "k", T0)
    (sent,) = await store.claim_due(T0)
    await store.finish(sent.id, "sent", at=T0)
    for ref in ("p:old", "p:moved", "p:back", "q:other"):
        await store.schedule(1, ref, "k", T0)
    await store.cancel(1, "p:back")

    later = T0 + timedelta(days=3)
    await store.replace(1, "p:", [Planned("p:moved", "k2", later, {"x": 1}), Planned("p:sent", "k", later),
                                  Planned("p:back", "k", later), Planned("p:new", "k", later)])

    rows = {row.ref: row for row in await store.for_user(1)}
    assert {ref: row.status for ref, row in rows.items()} == {
        "p:old": "cancelled", "p:moved": "pending", "p:sent": "sent", "p:back": "pending", "p:new": "pending",
        "q:other": "pending"}
    assert rows["p:moved"].kind == "k2" and rows["p:moved"].due_at == later and '"x": 1' in rows["p:moved"].params
    assert rows["p:sent"].due_at == T0
