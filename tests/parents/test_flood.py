"""No one can slow anyone else (issue 15, point 1): one answer holds a sensible amount, one person
sending a flood is held back kindly (a cry for help still gets help), and a report is made while
the others' answers are saved and answered.

Each test is what a person sees; what was saved is read back through the bot's own repository.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from cpc_bot.emulator.server import BotApiEmulator, FakeUser
from cpc_bot.engine.values import ANSWER_MAX_CHARACTERS, ANSWER_MAX_MESSAGES
from tests.helpers import BotHarness, answer_the_rest, buttons, open_prepare

FULL = "This answer is full, so I did not save that message."
TOO_FAST = "You are going too fast for me, so I did not save that. Please wait a moment, then send it again."
STRENGTHS = "What do you and your family do well to keep your children safe?"
NEXT_QUESTION = "What good things would you like the professionals to know"


async def parent_at_strengths(emulator: BotApiEmulator, chat_id: int) -> FakeUser:
    """A parent answers the first pages of "Prepare your views": a question in words is next."""
    mum = await open_prepare(emulator, chat_id)
    await mum.say("15/12/2026")
    await mum.tap("The first conference")
    await mum.tap("I don't know")  # the area
    await mum.say("Amira")
    await mum.say("14/03/2019")
    await mum.tap("✅ That is every child")
    await mum.tap("✅ Done")  # nothing chosen from the list of things to think about
    assert STRENGTHS in emulator.last_message(chat_id).visible
    return mum


async def saved_strengths(harness: BotHarness, chat_id: int) -> list[str]:
    response = await harness.app.repo.latest_response(chat_id, "parent_prepare")
    assert response is not None
    stored = (await harness.app.repo.answers(response.id or 0)).get("strengths")
    return list(stored.value) if stored is not None else []


def replies(emulator: BotApiEmulator, chat_id: int, since: int) -> list[str]:
    return [m.visible for m in emulator.messages(chat_id)[since:]]


async def until(emulator: BotApiEmulator, holds: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Wait for the chats to show something (the bot handles updates as tasks here)."""
    deadline = time.monotonic() + timeout
    while not holds():
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        await emulator.wait_changed(emulator._last_seq(), min(left, 0.5))
    return True


# ------------------------------------------------------------------ one answer holds a sensible amount
async def test_the_31st_message_into_one_answer_gets_a_kind_reply_and_is_not_saved(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    mum = await parent_at_strengths(emulator, 9501)
    for n in range(1, ANSWER_MAX_MESSAGES + 1):
        await mum.say(f"Part {n} of what we do well.")
    assert emulator.last_message(9501).visible.startswith("Saved.")
    before = len(emulator.messages(9501))
    await mum.say("Part 31 of what we do well.")
    shown = replies(emulator, 9501, before)
    assert FULL in shown[0] and "Tap Done to go on, or Write it again" in shown[0]
    assert STRENGTHS in shown[-1] and "✅ Done" in buttons(emulator.last_message(9501))
    parts = await saved_strengths(harness, 9501)
    assert len(parts) == 30 and parts[-1] == "Part 30 of what we do well."
    # Done still moves on, with the 30 parts kept.
    await mum.tap("✅ Done")
    assert NEXT_QUESTION in emulator.last_message(9501).visible
    assert len(await saved_strengths(harness, 9501)) == 30


async def test_the_message_that_passes_20000_characters_gets_the_kind_reply_and_next_still_works(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    mum = await parent_at_strengths(emulator, 9502)
    long_part = "We read at bedtime. " * 200  # 4,000 characters, the most one message may hold
    assert len(long_part.strip()) * 5 == ANSWER_MAX_CHARACTERS - 5
    for _ in range(5):
        await mum.say(long_part)
    assert emulator.last_message(9502).visible.startswith("Saved.")
    before = len(emulator.messages(9502))
    await mum.say("And we walk to school together every morning.")
    assert FULL in replies(emulator, 9502, before)[0]
    parts = await saved_strengths(harness, 9502)
    assert len(parts) == 5 and "walk to school" not in " ".join(parts)
    # A few characters still fit: the limit is the total, not the number of messages.
    await mum.say("Yes.")
    assert emulator.last_message(9502).visible.startswith("Saved.")
    assert (await saved_strengths(harness, 9502))[-1] == "Yes."
    await mum.tap("✅ Done")
    assert NEXT_QUESTION in emulator.last_message(9502).visible


# ------------------------------------------------------------------ a per-person rate limit
async def limit_as_by_default(harness: BotHarness) -> None:
    """The bot again with the default limit: 20 at once, then one a second (the tests' clock
    stands still unless moved, so their usual limit is one that never runs out)."""
    harness.settings = harness.settings.model_copy(update={"rate_burst": 20, "rate_per_second": 1.0})
    await harness.restart()


async def test_a_burst_beyond_the_bucket_gets_one_reply_and_nothing_of_it_is_saved(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    mum = await parent_at_strengths(emulator, 9503)
    await limit_as_by_default(harness)
    before = len(emulator.messages(9503))
    for n in range(1, 26):
        await mum.say(f"Message {n}.")
    shown = replies(emulator, 9503, before)
    assert [text for text in shown if text == TOO_FAST] == [TOO_FAST]  # told once, not five times
    parts = await saved_strengths(harness, 9503)
    assert parts == [f"Message {n}." for n in range(1, 21)]
    # A tap while held back is answered (no spinner left), quietly, and changes nothing.
    taps_answered = len(emulator.callback_answers(9503))
    await mum.tap("✅ Done")
    assert len(emulator.callback_answers(9503)) == taps_answered + 1
    assert emulator.last_message(9503).visible == TOO_FAST
    # A moment later the next message is saved as usual, into the same answer: the tap moved nothing.
    harness.clock.advance(seconds=2)
    await mum.say("Message 26.")
    assert emulator.last_message(9503).visible.startswith("Saved.")
    assert (await saved_strengths(harness, 9503))[-1] == "Message 26."
    # Someone else is not held back by her.
    other = await parent_at_strengths(emulator, 9504)
    await other.say("We cook together.")
    assert emulator.last_message(9504).visible.startswith("Saved.")


async def test_a_disclosure_sent_while_held_back_still_gets_the_help(harness: BotHarness,
                                                                      emulator: BotApiEmulator) -> None:
    mum = await parent_at_strengths(emulator, 9505)
    await limit_as_by_default(harness)
    for n in range(1, 40):
        await mum.say(f"Message {n}.")
    before = len(emulator.messages(9505))
    await mum.say("my ex husband hits me and I am not safe")
    shown = replies(emulator, 9505, before)
    assert "999" in shown[0] and "0808 2000 247" in shown[0]  # the help, first
    assert "hits me" not in " ".join(await saved_strengths(harness, 9505))
    # The 🆘 button is never held back either.
    prompt = next(m for m in reversed(emulator.messages(9505)) if any(b.startswith("🆘") for b in buttons(m)))
    await mum.tap(next(b for b in buttons(prompt) if b.startswith("🆘")), message_id=prompt.message_id)
    assert "999" in emulator.last_message(9505).visible


# ------------------------------------------------------------------ a report does not hold the others up
async def test_the_report_is_made_while_another_persons_answer_is_saved_and_answered(
        harness: BotHarness, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    child = emulator.user(9506, first_name="Mo", language_code="en")
    await child.say("/start")
    await child.tap("🧒 I am a child or young person")
    await child.tap("I am under 12")
    await child.tap("📝 Have your say")
    await answer_the_rest(child, emulator, 9506)
    assert len(emulator.documents(9506)) == 1
    mum = await parent_at_strengths(emulator, 9507)
    harness.handle_as_tasks = True  # as `cpc-bot run` handles updates
    await harness.restart()

    from cpc_bot.documents import pdf

    real_render = pdf.render_pdf
    rendering, release = threading.Event(), threading.Event()

    def held_render(document: Any) -> bytes:
        rendering.set()
        release.wait(15)
        return real_render(document)

    monkeypatch.setattr(pdf, "render_pdf", held_render)
    try:
        await child.say("/report", wait=False)
        assert await asyncio.to_thread(rendering.wait, 10)
        # While the child's report is being made, the parent's answer is saved and answered.
        await mum.say("We walk to school together.", wait=False)
        assert await until(emulator, lambda: emulator.last_message(9507).visible.startswith("Saved.")), \
            "the parent's answer waited for the report"
        assert await saved_strengths(harness, 9507) == ["We walk to school together."]
        assert len(emulator.documents(9506)) == 1
    finally:
        release.set()
    assert await until(emulator, lambda: len(emulator.documents(9506)) == 2)
