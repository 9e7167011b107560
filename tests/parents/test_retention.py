"""A family's preparation is erased a set time after their conference, and they are told first.

Default: 30 days after the conference, announced 7 days before, with a copy on offer and
one tap to keep it longer.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import text

from cpc_bot.clock import LONDON, FrozenClock
from cpc_bot.emulator.server import BotApiEmulator
from tests.helpers import BotHarness, buttons, open_prepare

KEEPER, LEAVER = 7301, 7302
NOTICE = "on 15 January 2027 I will delete what you wrote to get ready for the conference"


async def prepare(emulator: BotApiEmulator, user_id: int, words: str) -> None:
    parent = await open_prepare(emulator, user_id)
    await parent.say("15/12/2026")
    await parent.tap("The first conference")
    await parent.say(words)  # the child's name
    await parent.tap("💾 Save and finish later")


async def tick(harness: BotHarness, clock: FrozenClock, *args: int) -> None:
    clock.set(datetime(*args, tzinfo=LONDON))
    await harness.app.dispatcher["retention"].sweep()
    await harness.app.reminder_sender.run_once()  # type: ignore[union-attr]


def texts(emulator: BotApiEmulator, user_id: int) -> list[str]:
    return [m.visible for m in emulator.messages(user_id)]


async def rows(harness: BotHarness, table: str, user_id: int) -> int:
    async with harness.app.engine.connect() as db:
        return (await db.execute(text(f"select count(*) from {table} where user_id = :u"), {"u": user_id})).scalar_one()  # noqa: S608


async def test_preparation_is_erased_after_the_conference_with_notice_and_a_choice_to_keep(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    await prepare(emulator, KEEPER, "Amira")
    await prepare(emulator, LEAVER, "Ben")
    assert (await harness.app.repo.get_user(LEAVER)).erase_after == date(2027, 1, 14)  # type: ignore[union-attr]

    # A day early: no notice yet.
    await tick(harness, clock, 2027, 1, 6, 10, 0)
    assert not any(NOTICE in t for t in texts(emulator, LEAVER))
    # Seven days before, in the morning: the notice, with a copy and a choice on offer.
    await tick(harness, clock, 2027, 1, 7, 10, 0)
    for user_id in (KEEPER, LEAVER):
        notice = emulator.last_message(user_id)
        assert NOTICE in notice.visible and "/report" in notice.visible and "/mydata" in notice.visible
        assert buttons(notice) == ["Keep it for 30 more days"]

    keeper = emulator.user(KEEPER)
    await keeper.tap("Keep it for 30 more days")
    assert emulator.last_message(KEEPER).visible == (
        "Kept. I will not delete it before 14 February 2027, and I will tell you before I do.")

    # The day after: the leaver's answers are gone and they are told; the keeper's stay.
    await tick(harness, clock, 2027, 1, 15, 10, 0)
    assert await rows(harness, "responses", LEAVER) == 0 and await rows(harness, "blobs", LEAVER) == 0
    assert texts(emulator, LEAVER)[-1].startswith("As I said I would, I have deleted what you wrote")
    assert await rows(harness, "responses", KEEPER) == 1
    leaver = emulator.user(LEAVER)
    await leaver.say("/start")
    await leaver.tap("👪 I am a parent or carer")
    assert "Carry on" not in " ".join(buttons(emulator.last_message(LEAVER)))
    # Told once, not every hour.
    await tick(harness, clock, 2027, 1, 15, 11, 0)
    assert sum(t.startswith("As I said I would") for t in texts(emulator, LEAVER)) == 1

    # The keeper is told again before the new day, and then it goes too.
    await tick(harness, clock, 2027, 2, 7, 10, 0)
    assert "on 14 February 2027 I will delete" in texts(emulator, KEEPER)[-1]
    await tick(harness, clock, 2027, 2, 14, 10, 0)
    assert await rows(harness, "responses", KEEPER) == 0


async def test_a_stale_keep_button_changes_nothing(harness: BotHarness, emulator: BotApiEmulator,
                                                  clock: FrozenClock) -> None:
    await prepare(emulator, KEEPER, "Amira")
    await tick(harness, clock, 2027, 1, 7, 10, 0)
    notice = emulator.last_message(KEEPER)
    data = notice.reply_markup["inline_keyboard"][0][0]["callback_data"]  # type: ignore[index]
    keeper = emulator.user(KEEPER)
    await keeper.tap("Keep it for 30 more days")
    # The same button again (a double tap, or last week's message): no second extension.
    await keeper.tap_data(data, notice.message_id)
    assert (await harness.app.repo.get_user(KEEPER)).erase_after == date(2027, 2, 13)  # type: ignore[union-attr]
    assert emulator.callback_answers(KEEPER)[-1] == "This button no longer works. Send /start to carry on."
