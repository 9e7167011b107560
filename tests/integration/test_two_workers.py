"""Two bot processes behind a round-robin proxy, on the machine's PostgreSQL and Redis.

The topology of deploy/compose.yaml, with real processes on loopback: the emulator (playing
Telegram) POSTs each update to the proxy's webhook address, the proxy hands them to the two
workers in turn, and the workers share the database and the Redis FSM state. One parent's
questionnaire hops between workers at every step and must carry on as if there were one;
a double tap whose two halves reach different workers at once must count once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cpc_bot.emulator.server import BotApiEmulator
from cpc_bot.emulator.workers import webhook_workers
from tests.helpers import answer_the_rest, buttons
from tests.servers import REDIS_URL, fresh_servers

pytestmark = pytest.mark.xdist_group("servers")

PARENT = 6101


@pytest.fixture
async def two_workers(emulator: BotApiEmulator, tmp_path: Path) -> AsyncIterator[list[Path]]:
    logs = [tmp_path / f"worker{i}.log" for i in range(2)]
    async with fresh_servers("workers") as (url, prefix), \
            webhook_workers(2, emulator.base_url, url, REDIS_URL, redis_prefix=prefix, logs=logs,
                            rate_burst=10_000):  # the parent steps as fast as the bot answers
        yield logs


async def test_a_parent_carries_on_across_two_workers(two_workers: list[Path], emulator: BotApiEmulator) -> None:
    parent = emulator.user(PARENT, language_code="en")
    parent.timeout = 30
    await parent.say("/start")
    await parent.tap("👪 I am a parent or carer")
    await parent.tap("📝 Prepare your views")
    await parent.tap("Next ➡️")
    await parent.say("15/12/2026")
    await parent.tap("The first conference")
    await parent.tap("I don't know")  # the area
    await parent.say("Amira")
    await parent.say("14/03/2019")

    # A double tap: both halves are in flight at once, and the proxy sends them to different workers.
    question = emulator.last_message(PARENT)
    first = await parent.tap("✅ That is every child", wait=False)
    second = await parent.tap("✅ That is every child", message_id=question.message_id, wait=False)
    for update_id in (first, second):
        await emulator.wait_processed(update_id, 30)
    assert "Are there things you think the conference should think about?" in emulator.last_message(PARENT).visible

    await parent.tap("Skip ➡️")
    await parent.say("I walk the children to school every day.")
    await parent.tap("✅ Done")
    await answer_the_rest(parent, emulator, PARENT, words="We talk every evening.")

    # Every step was handled by one or the other, and nothing was lost between them.
    assert emulator.delivered_by["0"] >= 5 and emulator.delivered_by["1"] >= 5, emulator.delivered_by
    assert emulator.documents(PARENT), "the report did not arrive"
    review = next(m for m in reversed(emulator.messages(PARENT)) if "Check your answers" in m.visible)
    for answer in ("15 December 2026", "Amira", "14 March 2019", "I walk the children to school every day."):
        assert answer in review.visible, answer
    assert review.visible.count("Amira") == 1  # the double tap did not add a second child or skip a question
    assert emulator.rejected == []
    await parent.say("/start")
    assert "▶️ Carry on" not in " ".join(buttons(emulator.last_message(PARENT)))
    for log in two_workers:  # both started (one migrated, the other found it done) and nothing failed
        text = log.read_text()
        assert "webhook.listening" in text and "Traceback" not in text and " ERROR " not in text, text[-2000:]
