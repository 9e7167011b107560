"""The bot on PostgreSQL + Redis when the database drops every connection under it.

A PostgreSQL restart (or a failover, or an idle-connection killer) closes every connection the
bot's pool holds. Here a separate connection ends them all with ``pg_terminate_backend`` in the
middle of a parent's questionnaire. The promises proved, from what the parent sees:

1. Between two messages (the pool's connections are idle): her next typed answer is saved with
   no error shown, and the dialog goes on; the same for a button tap and for every later kill.
   No earlier answer is lost: the review screen and the report hold every answer once.
2. In the middle of an update (the connection is in use while her answer is written): she gets
   the kind "something went wrong ... Please try again" reply, nothing is half-saved, nothing
   earlier is lost, and when she sends it again it is saved once and the dialog goes on.
3. A reminder that falls due after the kill is sent exactly once.

Each test has a database and a Redis key prefix of its own (tests/servers.py), and the kills
only reach connections to that database, so they never disturb other tests or another test run.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event

from cpc_bot.clock import FrozenClock
from cpc_bot.emulator.server import BotApiEmulator
from tests.helpers import BotHarness, give_conference_date, make_settings
from tests.servers import REDIS_URL, database_name, dsn, fresh_servers
from tests.store.test_faults import (
    KIND_ERROR,
    MORE,
    POSITIVES,
    REPORTS_BY,
    REPORTS_BY_DUE,
    SENTENCE,
    failures_logged,
    finish_and_read_report,
    stored,
    texts,
    tick,
    times_shown,
    to_review,
    to_strengths,
)

# One process at a time uses the shared servers (pytest -n runs the rest in parallel).
pytestmark = pytest.mark.xdist_group("servers")

MUM = 8201


async def kill_bot_connections(harness: BotHarness) -> int:
    """What a database restart does to the bot: every other connection to its database ends.
    Returns how many were ended, once they are gone."""
    conn = await asyncpg.connect(dsn(database_name(harness.settings.database_url)), timeout=3)
    try:
        rows = await conn.fetch(
            "SELECT pid, pg_terminate_backend(pid) AS ended FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        pids = [row["pid"] for row in rows if row["ended"]]
        for _ in range(100):  # pg_terminate_backend only signals; wait until they have exited
            if not await conn.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1::int[])", pids):
                break
            await asyncio.sleep(0.05)
    finally:
        await conn.close()
    return len(pids)


def kill_before(harness: BotHarness, statement: str) -> list[int]:
    """Arm a one-shot kill of every connection just before the bot runs ``statement...``:
    the database goes away in the middle of an update, while a connection is in use.
    The returned list gets how many connections were ended when it fires."""
    fired: list[int] = []
    engine = harness.app.engine

    def before_cursor_execute(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if not fired and sql.lstrip().startswith(statement):
            # This hook is synchronous; the kill runs on its own loop in a helper thread.
            with ThreadPoolExecutor(1) as pool:
                fired.append(pool.submit(asyncio.run, kill_bot_connections(harness)).result())
            event.remove(engine.sync_engine, "before_cursor_execute", before_cursor_execute)

    event.listen(engine.sync_engine, "before_cursor_execute", before_cursor_execute)
    return fired


@pytest.fixture
async def pg_harness(emulator: BotApiEmulator, tmp_path: Path, clock: FrozenClock) -> AsyncIterator[BotHarness]:
    async with fresh_servers("faults") as (url, prefix):
        settings = make_settings(emulator.base_url, tmp_path, database_url=url, redis_url=REDIS_URL, redis_prefix=prefix)
        harness = BotHarness(emulator, settings, clock)
        await harness.start()  # runs the migrations on the empty database
        try:
            yield harness
        finally:
            if harness.running is not None:
                await harness.running.stop()


async def test_the_dialog_goes_on_after_the_database_drops_every_connection(
        pg_harness: BotHarness, emulator: BotApiEmulator, caplog: pytest.LogCaptureFixture) -> None:
    harness = pg_harness
    mum = await to_strengths(emulator, MUM)

    # The database goes away under the bot, between two of her messages.
    assert await kill_bot_connections(harness) >= 1
    before = len(emulator.messages(MUM))
    await mum.say(SENTENCE)
    assert await stored(harness, MUM, "strengths") == [SENTENCE]
    screen = emulator.last_message(MUM).visible
    assert "Saved." in screen and screen.count(SENTENCE) == 1
    assert len(emulator.messages(MUM)) == before + 1  # one reply, no apology needed
    assert failures_logged(caplog) == []

    # Again, before a button tap.
    assert await kill_bot_connections(harness) >= 1
    await mum.say(MORE)
    assert await kill_bot_connections(harness) >= 1
    await mum.tap("✅ Done")
    assert POSITIVES in emulator.last_message(MUM).visible
    assert await stored(harness, MUM, "strengths") == [SENTENCE, MORE]

    # Nothing said before the kills is lost: the review and the report hold each answer once.
    review = await to_review(mum, emulator)
    assert review.count("Amira") == 1 and review.count(SENTENCE) == 1 and review.count(MORE) == 1
    assert await kill_bot_connections(harness) >= 1
    report = await finish_and_read_report(mum, emulator)
    assert report.count(SENTENCE) == 1 and report.count(MORE) == 1 and "Amira" in report
    assert not any(KIND_ERROR in text for text in texts(emulator, MUM))
    assert failures_logged(caplog) == []


async def test_an_answer_cut_off_by_the_database_going_away_mid_update_can_be_sent_again(
        pg_harness: BotHarness, emulator: BotApiEmulator, caplog: pytest.LogCaptureFixture) -> None:
    harness = pg_harness
    mum = await to_strengths(emulator, MUM)
    await mum.say(SENTENCE)
    # The database goes away while the bot is writing her next part (its connection is in use:
    # the pool's check on checkout cannot help here).
    fired = kill_before(harness, "UPDATE answers")
    before = len(emulator.messages(MUM))
    await mum.say(MORE)
    assert fired and fired[0] >= 1

    # She is told kindly, once; nothing half-saved; what she said before is all there.
    assert texts(emulator, MUM)[before:] == [
        "Sorry, something went wrong on my side and your last message may not have been saved. "
        "Your earlier answers are safe. Please send it again, or send /start."]
    assert failures_logged(caplog) in (["DBAPIError"], ["InterfaceError"], ["OperationalError"])
    assert await stored(harness, MUM, "strengths") == [SENTENCE]

    # She tries again, as the bot asked: this time it is saved, once, and the dialog goes on.
    await mum.say(MORE)
    screen = emulator.last_message(MUM).visible
    assert "Saved." in screen and screen.count(SENTENCE) == 1 and screen.count(MORE) == 1
    assert await stored(harness, MUM, "strengths") == [SENTENCE, MORE]
    await mum.tap("✅ Done")
    assert POSITIVES in emulator.last_message(MUM).visible
    review = await to_review(mum, emulator)
    assert review.count("Amira") == 1 and review.count(SENTENCE) == 1 and review.count(MORE) == 1
    assert len(failures_logged(caplog)) == 1


async def test_a_reminder_due_after_the_database_dropped_every_connection_arrives_once(
        pg_harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    harness = pg_harness
    await give_conference_date(emulator, MUM)
    assert await kill_bot_connections(harness) >= 1
    assert await tick(harness, clock, REPORTS_BY_DUE) == 1
    assert await tick(harness, clock, REPORTS_BY_DUE + timedelta(hours=1)) == 0
    assert times_shown(emulator, MUM, REPORTS_BY) == 1
