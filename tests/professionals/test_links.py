"""Links and members the professional controls: a link is for one person (or a count they
chose), joining takes a tap, and stopping a link or removing someone ends the membership."""

from __future__ import annotations

import json
import re
from datetime import datetime

from sqlmodel import select

from cpc_bot.clock import LONDON, FrozenClock
from cpc_bot.emulator.server import BotApiEmulator
from cpc_bot.store.models import ConferenceMember, Invite
from tests.helpers import BotHarness, answer_the_rest, buttons, join_with_link, make_verified
from tests.professionals.test_conferences import invite_links, register

SW, MUM, DAD, CHILD, AUNT = 4101, 4102, 4103, 4104, 4105


async def ready(harness: BotHarness, emulator: BotApiEmulator) -> list[str]:
    """A verified social worker with a conference on 15 December 2026 and its two links."""
    await register(emulator, SW, "15/12/2026", area="Kirklees")
    await make_verified(harness.app, SW, "kirklees")
    return await invite_links(emulator, SW)


async def invite_rows(harness: BotHarness) -> list[Invite]:
    async with harness.app.dispatcher["repo"]._sessions() as s:
        return list((await s.exec(select(Invite))).all())


async def linked(harness: BotHarness, user_id: int) -> list[int]:
    return [c.id or 0 for c, _a in await harness.app.dispatcher["conferences"].memberships(user_id)]


async def finish_report(emulator: BotApiEmulator, user_id: int) -> None:
    user = emulator.user(user_id)
    await user.tap("👪 I am a parent or carer")
    await user.tap("📝 Prepare your views")
    await answer_the_rest(user, emulator, user_id, words="We read together every night.")
    assert "Do you want to send your report" in emulator.last_message(user_id).visible


async def test_opening_a_link_only_shows_who_invited_and_one_link_is_for_one_person(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    parent_link, _child_link = await ready(harness, emulator)
    dad = emulator.user(DAD, language_code="en")
    await dad.say(f"/start {parent_link}")
    card = emulator.last_message(DAD)
    assert "Sam Patel, Social worker, Council invited you" in card.visible
    assert "initial conference on 15 December 2026" in card.visible
    assert buttons(card) == ["✅ Join"]
    # Opened (as a link preview or a mail scanner would), not tapped: nobody joined, nothing used.
    await dad.say(f"/start {parent_link}")
    assert await linked(harness, DAD) == []
    assert [r.uses for r in await invite_rows(harness)] == [0, 0]

    mum = await join_with_link(emulator, MUM, parent_link, name="Anna")
    assert "Thank you. They will see you as Anna." in emulator.messages(MUM)[-2].visible
    assert await linked(harness, MUM) != []
    # The second account is refused, whether it taps the card it already had or opens the link again.
    await dad.tap("✅ Join", message_id=card.message_id)
    edited = next(m for m in emulator.messages(DAD) if m.message_id == card.message_id)
    assert "This link has already been used" in edited.visible and buttons(edited) == []
    await dad.say(f"/start {parent_link}")
    assert any("This link has already been used" in m.visible for m in emulator.messages(DAD)[-3:])
    assert await linked(harness, DAD) == []
    # Joining twice is harmless: she is already linked.
    await mum.say(f"/start {parent_link}")
    assert any("This link has already been used" in m.visible for m in emulator.messages(MUM)[-3:])


async def test_the_professional_sees_who_joined_and_removes_one(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    parent_link, child_link = await ready(harness, emulator)
    mum = await join_with_link(emulator, MUM, parent_link, name="Anna")
    await join_with_link(emulator, CHILD, child_link)
    await finish_report(emulator, MUM)
    assert any(r.ref.startswith("member:") for r in await harness.app.reminders.for_user(MUM))

    sw = emulator.user(SW)
    await sw.say("/start")
    await sw.tap("🧑‍💼 I work with children")
    await sw.tap(next(b for b in buttons(emulator.last_message(SW)) if b.startswith("📅")))
    await sw.tap("👥 Who joined")
    screen = emulator.last_message(SW).visible
    assert "Anna joined as a parent or carer: 24 November 2026 at 20:30 UK time" in screen
    assert "A child or young person joined: 24 November 2026" in screen
    await sw.tap("❌ Remove Anna")
    assert "Remove Anna from this conference?" in emulator.last_message(SW).visible
    await sw.tap("No, keep them")
    assert await linked(harness, MUM) != []
    await sw.tap("❌ Remove Anna")
    await sw.tap("Yes, remove them")
    screen = emulator.last_message(SW).visible
    assert "Removed: Anna. They will be told." in screen and "Anna joined" not in screen
    assert await linked(harness, MUM) == [] and await linked(harness, CHILD) != []

    # She is told kindly, and her reminders for that conference stop.
    assert await harness.app.reminder_sender.run_once() == 1
    assert "has ended your link to it" in emulator.last_message(MUM).visible
    assert not any(r.ref.startswith("member:") and r.status == "pending" for r in await harness.app.reminders.for_user(MUM))
    # Her Send button no longer reaches the professional.
    before = len(emulator.documents(SW))
    await mum.tap("📤 Send to Sam Patel (15 Dec)")
    assert "Not sent: you are no longer linked to that conference." in emulator.callback_answers(MUM)[-1]
    assert len(emulator.documents(SW)) == before


async def test_stopping_the_links_ends_the_memberships(harness: BotHarness, emulator: BotApiEmulator) -> None:
    parent_link, _child_link = await ready(harness, emulator)
    mum = await join_with_link(emulator, MUM, parent_link)
    await finish_report(emulator, MUM)
    sw = emulator.user(SW)
    await sw.tap("🚫 Stop these links working")
    assert "Anyone who joined through them is unlinked" in emulator.last_message(SW).visible
    await sw.tap("Yes, stop them")
    done = emulator.last_message(SW).visible
    assert "1 invite link no longer works." in done  # the child's; the parent's was used up
    assert "1 person who joined through them is no longer linked" in done
    assert await linked(harness, MUM) == []
    await harness.app.reminder_sender.run_once()
    assert "has ended your link to it" in emulator.last_message(MUM).visible
    before = len(emulator.documents(SW))
    await mum.tap("📤 Send to Sam Patel (15 Dec)")
    assert "Not sent" in emulator.callback_answers(MUM)[-1]
    assert len(emulator.documents(SW)) == before
    # A stopped link gets a kind reply and changes nothing.
    aunt = emulator.user(AUNT, language_code="en")
    await aunt.say(f"/start {parent_link}")
    assert any("This link no longer works." in m.visible for m in emulator.messages(AUNT)[-3:])


async def test_after_the_links_expiry_nothing_is_sent(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    parent_link, child_link = await ready(harness, emulator)
    mum = await join_with_link(emulator, MUM, parent_link)
    await finish_report(emulator, MUM)
    before = len(emulator.documents(SW))
    clock.set(datetime(2026, 12, 29, 12, 0, tzinfo=LONDON))  # two weeks after the conference
    await mum.tap("📤 Send to Sam Patel (15 Dec)")
    assert "Not sent" in emulator.callback_answers(MUM)[-1]
    assert len(emulator.documents(SW)) == before
    child = emulator.user(CHILD, language_code="en")
    await child.say(f"/start {child_link}")
    assert any("This link has expired." in m.visible for m in emulator.messages(CHILD)[-3:])
    assert await linked(harness, CHILD) == []


async def test_fifty_taps_on_invite_links_make_two_links(harness: BotHarness, emulator: BotApiEmulator) -> None:
    first = await ready(harness, emulator)
    sw = emulator.user(SW)
    card = next(m for m in reversed(emulator.messages(SW)) if "🔗 Invite links" in buttons(m))
    for _ in range(49):  # as fast as a finger (or a script) can: no waiting for the answers
        await sw.tap("🔗 Invite links", message_id=card.message_id, wait=False)
    shown = await invite_links(emulator, SW)
    assert shown == first and len(await invite_rows(harness)) == 2
    # Once the parent's link is used, the next tap makes a new one for the next parent, and only that.
    await join_with_link(emulator, MUM, first[0])
    again = await invite_links(emulator, SW)
    assert again[1] == first[1] and again[0] != first[0] and len(await invite_rows(harness)) == 3


async def test_a_link_for_several_people(harness: BotHarness, emulator: BotApiEmulator) -> None:
    await ready(harness, emulator)
    sw = emulator.user(SW)
    for _ in range(3):  # tapped again: the same link, not another
        await sw.tap("👥 A link for several people")
        await sw.tap("👪 Parents or carers")
        assert "How many people" in emulator.last_message(SW).visible
        await sw.tap("3")
    assert "3 places left" in emulator.last_message(SW).visible
    assert sorted(r.max_uses for r in await invite_rows(harness)) == [1, 1, 3]
    code = re.findall(r"start=(i[\w-]+)", emulator.last_message(SW).visible.split("3 places left")[1])[0]
    for user_id in (MUM, DAD, AUNT):
        await join_with_link(emulator, user_id, code)
        assert await linked(harness, user_id) != []
    other = emulator.user(4199, language_code="en")
    await other.say(f"/start {code}")
    assert any("This link has already been used" in m.visible for m in emulator.messages(4199)[-3:])


async def test_the_name_given_is_encrypted_shown_in_mydata_and_deleted(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    parent_link, _child_link = await ready(harness, emulator)
    mum = await join_with_link(emulator, MUM, parent_link, name="Anna Kowalska")
    async with harness.app.dispatcher["repo"]._sessions() as s:
        member = (await s.exec(select(ConferenceMember))).one()
    assert member.name_enc and "Anna" not in member.name_enc
    await mum.say("/mydata")
    data = json.loads(emulator.file(emulator.documents(MUM)[-1].file_id).data)
    assert data["conferences_joined"][0]["name_given"] == "Anna Kowalska"
    page = emulator.file(emulator.documents(MUM)[-2].file_id).data.decode()
    assert "Anna Kowalska" in page
    await mum.say("/delete")
    await mum.tap("🗑 Yes, delete everything")
    async with harness.app.dispatcher["repo"]._sessions() as s:
        assert (await s.exec(select(ConferenceMember))).all() == []
