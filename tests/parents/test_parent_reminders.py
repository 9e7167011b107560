"""A parent's reminders arrive on the right day, never at night, once, and move with the date."""

from datetime import datetime

from cpc_bot.clock import LONDON, FrozenClock
from cpc_bot.emulator.server import BotApiEmulator
from tests.helpers import BotHarness, give_conference_date

DAD = 7101


def texts(emulator: BotApiEmulator) -> list[str]:
    return [m.visible for m in emulator.messages(DAD)]


async def tick(harness: BotHarness, clock: FrozenClock, *args: int) -> int:
    clock.set(datetime(*args, tzinfo=LONDON))
    assert harness.app.reminder_sender is not None
    return await harness.app.reminder_sender.run_once()


async def test_reminders_arrive_on_working_day_mornings_once(harness: BotHarness, emulator: BotApiEmulator,
                                                              clock: FrozenClock) -> None:
    # Wednesday 30 December 2026: reports by Wednesday 23rd (25th and 28th are bank holidays).
    await give_conference_date(emulator, DAD)
    before = len(texts(emulator))
    assert await tick(harness, clock, 2026, 12, 23, 9, 59) == 0
    assert await tick(harness, clock, 2026, 12, 23, 10, 0) == 1
    # No area given: national guidance, named, and no deadline it does not set.
    assert ("National guidance says the professionals should share their reports with you before the conference."
            in texts(emulator)[-1])

    # The bot restarts around the next reminder: it still comes once.
    await harness.restart()
    assert await tick(harness, clock, 2026, 12, 29, 18, 5) == 1
    assert texts(emulator)[-1].startswith("Your child protection conference is tomorrow, 30 December 2026.")
    assert await tick(harness, clock, 2026, 12, 29, 18, 10) == 0

    # Night-time: the morning reminder waits for 08:00.
    assert await tick(harness, clock, 2026, 12, 30, 7, 59) == 0
    assert await tick(harness, clock, 2026, 12, 30, 8, 0) == 1
    assert texts(emulator)[-1].startswith("Your child protection conference is today.")

    # After an initial conference: the core group and notes dates, in working days.
    assert await tick(harness, clock, 2026, 12, 31, 10, 0) == 1
    assert "by 14 January 2027" in texts(emulator)[-1]
    assert "If nobody has told you when, ask your social worker." in texts(emulator)[-1]  # no notes rule where she is
    assert len(texts(emulator)) == before + 4


async def test_a_reminder_held_back_past_its_time_is_dropped(harness: BotHarness, emulator: BotApiEmulator,
                                                              clock: FrozenClock) -> None:
    await give_conference_date(emulator, DAD)
    before = len(texts(emulator))
    # The bot was down from before the "tomorrow" reminder until the morning of the conference.
    assert await tick(harness, clock, 2026, 12, 30, 8, 30) == 1
    assert texts(emulator)[-1].startswith("Your child protection conference is today.")
    assert len(texts(emulator)) == before + 1  # no stale "reports by" or "tomorrow" message


async def test_changing_the_date_moves_the_reminders(harness: BotHarness, emulator: BotApiEmulator,
                                                      clock: FrozenClock) -> None:
    dad = await give_conference_date(emulator, DAD)
    await dad.say("/start")
    await dad.tap("▶️ Carry on: Prepare your views")
    await dad.tap("⬅️ Back")
    await dad.tap("⬅️ Back")  # back to the conference date
    await dad.say("12/01/2027")
    rows = {r.kind: r for r in await harness.app.reminders.for_user(DAD) if r.status == "pending"}
    assert rows["parent.morning_of"].due_at.astimezone(LONDON) == datetime(2027, 1, 12, 8, 0, tzinfo=LONDON)
    assert await tick(harness, clock, 2026, 12, 29, 18, 5) == 0  # the old "tomorrow" is gone
