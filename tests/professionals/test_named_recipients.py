"""Every Send button, and every "Sent", names who receives it (issue 14, point 2).

A family member linked to two conferences sees two different buttons: the verified
professional's name and the conference date, with the whole line (name, job,
organisation, date) in the message above it.
"""

from __future__ import annotations

from cpc_bot.emulator.server import BotApiEmulator
from tests.helpers import BotHarness, answer_the_rest, buttons, join_with_link, make_verified
from tests.professionals.test_conferences import invite_links, register

SW, OTHER_PRO, MUM, CHILD = 4101, 4102, 4103, 4104
SAM = "Sam Patel, social worker, Leicester City Council, for the meeting on 15 December 2026"
JO = "Jo Brown, health visitor, Kirklees NHS Trust, for the meeting on 16 December 2026"


async def two_verified_conferences(harness: BotHarness, emulator: BotApiEmulator) -> tuple[list[str], list[str]]:
    """Two professionals, each verified and each with a conference; their invite links."""
    await register(emulator, SW, "15/12/2026", area="Leicester")
    await register(emulator, OTHER_PRO, "16/12/2026", area="Kirklees")
    await make_verified(harness.app, SW, "leicester", name="Sam Patel", job="social worker",
                        organisation="Leicester City Council")
    await make_verified(harness.app, OTHER_PRO, "kirklees", name="Jo Brown", job="health visitor",
                        organisation="Kirklees NHS Trust")
    return await invite_links(emulator, SW), await invite_links(emulator, OTHER_PRO)


async def test_a_parent_with_two_conferences_sees_two_named_buttons_and_who_received_it(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    sam_links, jo_links = await two_verified_conferences(harness, emulator)
    mum = emulator.user(MUM, language_code="en")
    await join_with_link(emulator, MUM, sam_links[0])
    await join_with_link(emulator, MUM, jo_links[0])
    await mum.tap("👪 I am a parent or carer")
    await mum.tap("📝 Prepare your views")
    await answer_the_rest(mum, emulator, MUM, words="We read together every night.")

    offers = [m for m in emulator.messages(MUM) if m.visible.startswith("Do you want to send your report?")]
    assert [(m.visible, buttons(m)) for m in offers] == [
        ("Do you want to send your report? It goes only to:\n" + SAM, ["📤 Send to Sam Patel (15 Dec)"]),
        ("Do you want to send your report? It goes only to:\n" + JO, ["📤 Send to Jo Brown (16 Dec)"]),
    ]
    for_sam, for_jo = len(emulator.documents(SW)), len(emulator.documents(OTHER_PRO))

    await mum.tap("📤 Send to Jo Brown (16 Dec)")
    assert len(emulator.documents(OTHER_PRO)) == for_jo + 1 and len(emulator.documents(SW)) == for_sam
    # The read-back is the message she tapped: it now says who has it.
    tapped = next(m for m in emulator.messages(MUM) if m.message_id == offers[1].message_id)
    assert tapped.visible == "Sent to " + JO + ". Nobody else received it."
    assert buttons(tapped) == []

    await mum.tap("📤 Send to Sam Patel (15 Dec)", message_id=offers[0].message_id)
    assert len(emulator.documents(SW)) == for_sam + 1 and len(emulator.documents(OTHER_PRO)) == for_jo + 1
    tapped = next(m for m in emulator.messages(MUM) if m.message_id == offers[0].message_id)
    assert tapped.visible == "Sent to " + SAM + ". Nobody else received it."


async def test_a_child_with_two_conferences_reads_both_names_and_sends_to_one(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    sam_links, jo_links = await two_verified_conferences(harness, emulator)
    child = emulator.user(CHILD, language_code="en")
    await join_with_link(emulator, CHILD, sam_links[1])
    await join_with_link(emulator, CHILD, jo_links[1])
    await child.tap("🧒 I am a child or young person")
    await child.tap("I am 12 or older")
    await child.tap("📝 Have your say")
    await child.tap("Next ➡️")
    await child.tap("Skip ➡️")  # my name
    await child.say("Football with my dad on Saturdays.")
    await child.tap("✅ Done")
    await answer_the_rest(child, emulator, CHILD)
    await child.tap("🔒 What is working well")
    await child.tap("✅ Done choosing")

    read_back = emulator.last_message(CHILD)
    assert ("Nothing has been sent yet. Each button below sends the pages you chose to one person only:\n"
            f"📤 {SAM}\n📤 {JO}") in read_back.visible
    assert buttons(read_back) == ["📤 Send to Sam Patel (15 Dec)", "📤 Send to Jo Brown (16 Dec)", "✏️ Change my choices"]

    for_sam, for_jo = len(emulator.documents(SW)), len(emulator.documents(OTHER_PRO))
    await child.tap("📤 Send to Sam Patel (15 Dec)")
    assert len(emulator.documents(SW)) == for_sam + 1 and len(emulator.documents(OTHER_PRO)) == for_jo
    assert emulator.last_message(CHILD).visible == "Sent to " + SAM + ". Nobody else received it."
    # Their words stay on screen; only the button used goes, the other still sends to Jo alone.
    read_back = next(m for m in emulator.messages(CHILD) if m.message_id == read_back.message_id)
    assert "Football with my dad on Saturdays." in read_back.visible
    assert buttons(read_back) == ["📤 Send to Jo Brown (16 Dec)", "✏️ Change my choices"]
    await child.tap("📤 Send to Jo Brown (16 Dec)", message_id=read_back.message_id)
    assert len(emulator.documents(OTHER_PRO)) == for_jo + 1 and len(emulator.documents(SW)) == for_sam + 1
    assert emulator.last_message(CHILD).visible == "Sent to " + JO + ". Nobody else received it."


async def test_a_professional_no_longer_verified_is_not_named(harness: BotHarness, emulator: BotApiEmulator) -> None:
    sam_links, _jo_links = await two_verified_conferences(harness, emulator)
    mum = emulator.user(MUM, language_code="en")
    await join_with_link(emulator, MUM, sam_links[0])
    # Verification ended (someone who left): the name they typed is no longer vouched for.
    store = harness.app.dispatcher["professionals"]
    assert await store.decide(SW, "revoked", None, months=12, expect=("verified",)) is not None
    # (The invitation named them: they were verified when the link was opened.)
    since = len(emulator.messages(MUM))
    await mum.tap("👪 I am a parent or carer")
    await mum.tap("📝 Prepare your views")
    await answer_the_rest(mum, emulator, MUM, words="We read together every night.")
    offer = emulator.last_message(MUM)
    assert offer.visible == ("Do you want to send your report? It goes only to:\nthe professional who invited you "
                             "(not verified yet), for the meeting on 15 December 2026")
    assert buttons(offer) == ["📤 Send (15 Dec)"]
    assert "Sam Patel" not in " ".join(m.visible for m in emulator.messages(MUM)[since:])
