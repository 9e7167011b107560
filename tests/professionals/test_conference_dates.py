"""Dates that follow the conference (issue 14, point 4).

When the professional moves a conference, its members' planned erasure and its invite links'
expiry move with it; a family member skipping the date in their own questions never cancels
an erasure planned from a link.
"""

from __future__ import annotations

from datetime import date, datetime

from cpc_bot.clock import LONDON, FrozenClock
from cpc_bot.emulator.server import BotApiEmulator
from tests.helpers import BotHarness, buttons, join_with_link, make_verified
from tests.professionals.test_conferences import invite_links, register

SW, MUM, CHILD = 4201, 4202, 4204


async def erase_after(harness: BotHarness, user_id: int) -> date | None:
    user = await harness.app.repo.get_user(user_id)
    return None if user is None else user.erase_after


async def tick(harness: BotHarness, clock: FrozenClock, *args: int) -> None:
    clock.set(datetime(*args, tzinfo=LONDON))
    await harness.app.dispatcher["retention"].sweep()
    await harness.app.reminder_sender.run_once()


async def move(emulator: BotApiEmulator, day: str) -> str:
    sw = emulator.user(SW)
    await sw.say("/start")
    await sw.tap("🧑‍💼 I work with children")
    await sw.tap(next(b for b in buttons(emulator.last_message(SW)) if b.startswith("📅")))
    await sw.tap("✏️ Change the date")
    await sw.say(day)
    return emulator.last_message(SW).visible


async def test_a_moved_conference_moves_the_members_erasure_and_the_links_expiry(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    await register(emulator, SW, "15/12/2026", area="Kirklees")
    await make_verified(harness.app, SW, "kirklees")
    links = await invite_links(emulator, SW)
    assert "The links work until 29 December 2026." in emulator.last_message(SW).visible
    mum, child = emulator.user(MUM, language_code="en"), emulator.user(CHILD, language_code="en")
    await join_with_link(emulator, mum.user_id, links[0])
    await join_with_link(emulator, child.user_id, links[1])
    assert await erase_after(harness, MUM) == await erase_after(harness, CHILD) == date(2027, 1, 14)

    said = await move(emulator, "12/01/2027")
    assert said.startswith("Moved. Every reminder now follows the new date. "
                           "Your invite links now work until 26 January 2027.")
    # Erased 30 days after the new date, for every member.
    assert await erase_after(harness, MUM) == await erase_after(harness, CHILD) == date(2027, 2, 11)

    # The notice planned for the old date does not come; the one for the new date does.
    await tick(harness, clock, 2027, 1, 7, 10, 0)
    assert not any("I will delete" in m.visible for m in emulator.messages(MUM))
    # The links, and the memberships made through them, last past their old expiry (29 December)
    # until the new one: two weeks after the new date and time (26 January, 10:00).
    conferences = harness.app.dispatcher["conferences"]
    await tick(harness, clock, 2027, 1, 20, 12, 0)
    assert len(await conferences.memberships(MUM)) == 1
    clock.set(datetime(2027, 1, 26, 10, 1, tzinfo=LONDON))
    assert await conferences.memberships(MUM) == []
    await tick(harness, clock, 2027, 2, 4, 10, 0)
    # The notes reminder (due on 2 February, held while the clock jumped) goes in the same run: either order.
    assert any("on 12 February 2027 I will delete what you wrote" in m.visible for m in emulator.messages(MUM)[-2:])


async def test_moving_a_conference_earlier_brings_the_erasure_forward_but_not_one_kept_longer(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    await register(emulator, SW, "15/12/2026", area="Kirklees")
    await make_verified(harness.app, SW, "kirklees")
    links = await invite_links(emulator, SW)
    await join_with_link(emulator, MUM, links[0])
    await join_with_link(emulator, CHILD, links[1])
    # The child tapped "keep it longer" on their notice: that choice is theirs and stays.
    retention = harness.app.dispatcher["retention"]
    assert await retention.keep_longer(CHILD, "2027-01-14") == date(2027, 2, 13)

    await move(emulator, "10/12/2026")
    assert await erase_after(harness, MUM) == date(2027, 1, 9)
    assert await erase_after(harness, CHILD) == date(2027, 2, 13)


async def test_skipping_the_date_keeps_the_erasure_planned_from_a_link(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    await register(emulator, SW, "15/12/2026", area="Kirklees")
    await make_verified(harness.app, SW, "kirklees")
    links = await invite_links(emulator, SW)
    mum = emulator.user(MUM, language_code="en")
    await join_with_link(emulator, mum.user_id, links[0])
    assert await erase_after(harness, MUM) == date(2027, 1, 14)

    await mum.tap("👪 I am a parent or carer")
    await mum.tap("📝 Prepare your views")
    await mum.tap("Next ➡️")
    assert "When is the conference?" in emulator.last_message(MUM).visible
    await mum.tap("Skip ➡️")
    assert await erase_after(harness, MUM) == date(2027, 1, 14)
    # Nor does an earlier date of her own bring it forward; a later one takes it later.
    await mum.tap("⬅️ Back")
    await mum.say("01/12/2026")
    assert await erase_after(harness, MUM) == date(2027, 1, 14)
    await mum.tap("⬅️ Back")
    await mum.say("05/01/2027")
    assert await erase_after(harness, MUM) == date(2027, 2, 4)
    await mum.tap("⬅️ Back")
    await mum.tap("Skip ➡️")
    assert await erase_after(harness, MUM) == date(2027, 1, 14)

    # And the notice and the erasure come as planned from the link.
    await tick(harness, clock, 2027, 1, 7, 10, 0)
    assert "on 15 January 2027 I will delete what you wrote" in emulator.last_message(MUM).visible
