"""A professional who wrote their report comes back to it: the report helper is kept one per
person like a parent's questions, so opening it again offers to change it, never a second blank one."""

from cpc_bot.emulator.server import BotApiEmulator
from tests.helpers import BotHarness, answer_the_rest, buttons, open_report_helper

NURSE = 4102
CHANGE, AGAIN = "✏️ Change my answers", "🔄 Start again"


async def test_write_your_report_again_offers_change_or_start_again(harness: BotHarness, emulator: BotApiEmulator) -> None:
    nurse = await open_report_helper(emulator, NURSE)
    await answer_the_rest(nurse, emulator, NURSE, words="Amira smiles and reaches for her mum.")
    assert emulator.documents(NURSE)[-1].file_name.endswith(".docx")
    await harness.restart()

    await nurse.say("/start")
    assert CHANGE in buttons(emulator.last_message(NURSE)) and AGAIN in buttons(emulator.last_message(NURSE))
    await nurse.tap("🧑‍💼 I work with children")
    await nurse.tap("📝 Write your report")
    choice = emulator.last_message(NURSE)
    assert "Write your report" in choice.visible and buttons(choice) == [CHANGE, AGAIN]
    await nurse.tap(CHANGE)
    review = emulator.last_message(NURSE).visible
    assert "Check your answers" in review and "Leeds Community Healthcare" in review
    await nurse.tap("✅ Finish")
    assert len([d for d in emulator.documents(NURSE) if d.file_name.endswith(".docx")]) == 2
    assert len(await harness.app.repo.responses(NURSE)) == 1
