"""Per-person daily limits: invite links made, conferences registered, questionnaires finished."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from cpc_bot.clock import FrozenClock
from cpc_bot.config import Settings
from cpc_bot.emulator.server import BotApiEmulator
from tests.helpers import BotHarness, answer_the_rest, buttons, make_verified, register_conference
from tests.professionals.test_conferences import register
from tests.professionals.test_links import invite_rows, join_with_link

SW, MUM = 4201, 4202


@pytest.fixture
async def bot_settings(bot_settings: Settings) -> AsyncIterator[Settings]:
    yield bot_settings.model_copy(update={"links_per_day": 3, "conferences_per_day": 2, "finished_per_day": 2})


async def test_links_per_day(harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock) -> None:
    await register(emulator, SW, "15/12/2026", area="Kirklees")
    await make_verified(harness.app, SW, "kirklees")
    sw = emulator.user(SW)
    await sw.tap("🔗 Invite links")
    links = [c for c in emulator.last_message(SW).visible.split() if "start=i" in c]
    await join_with_link(emulator, MUM, links[0].split("start=")[1])
    card = next(m for m in reversed(emulator.messages(SW)) if "🔗 Invite links" in buttons(m))
    await sw.tap("🔗 Invite links", message_id=card.message_id)  # the third link: a new one for the next parent
    await join_with_link(emulator, 4203, [c for c in emulator.last_message(SW).visible.split() if "start=i" in c][0]
                         .split("start=")[1])
    await sw.tap("🔗 Invite links", message_id=card.message_id)
    screen = emulator.last_message(SW).visible
    assert "You have made a lot of invite links today (the most is 3 a day)." in screen
    assert len(await invite_rows(harness)) == 3
    await sw.tap("👥 A link for several people")
    await sw.tap("👪 Parents or carers")
    await sw.tap("5")
    assert "You have made a lot of invite links today" in emulator.callback_answers(SW)[-1]
    assert len(await invite_rows(harness)) == 3
    # A day later, links can be made again.
    clock.set(clock() + timedelta(days=1, minutes=1))
    await sw.tap("🔗 Invite links", message_id=card.message_id)
    assert len(await invite_rows(harness)) == 4


async def test_conferences_and_finished_questionnaires_per_day(harness: BotHarness, emulator: BotApiEmulator) -> None:
    await register(emulator, SW, "15/12/2026")
    sw = emulator.user(SW)
    await register_conference(sw, day="16/12/2026")
    await sw.tap("⬅️ All my conferences")
    await sw.tap("➕ Register a conference")
    assert "You have registered a lot of conferences today." in emulator.callback_answers(SW)[-1]
    assert len(await harness.app.dispatcher["conferences"].for_owner(SW)) == 2

    # Finishing: two a day here (the two registrations above were the social worker's). A person keeps
    # one questionnaire, and finishing it again after a change counts too: each Finish makes a report.
    parent = emulator.user(4204, language_code="en")
    await parent.say("/start")
    await parent.tap("👪 I am a parent or carer")
    await parent.tap("📝 Prepare your views")
    await answer_the_rest(parent, emulator, 4204)
    for _ in range(2):
        await parent.say("/start")
        await parent.tap("✏️ Change my answers")
        await parent.tap("✅ Finish")
    assert "You have finished a lot today. Your answers are all saved" in emulator.callback_answers(4204)[-1]
    assert len(emulator.documents(4204)) == 2
    responses = await harness.app.repo.responses(4204)
    assert [r.status for r in responses] == ["in_progress"]  # open at its review, to finish tomorrow
