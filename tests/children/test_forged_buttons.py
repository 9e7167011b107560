"""Button data with digits that are not ASCII ("²", Arabic-Indic "٣") is a forged button: refused
kindly, nothing saved, and the questionnaire goes on. (Python's ``int`` reads "٣" as 3 and
crashes on "²"; ``str.isdigit`` takes both.)"""

from __future__ import annotations

from cpc_bot.emulator.server import BotApiEmulator
from tests.helpers import BotHarness

TEEN = 6201
FORGED = "This button no longer works. Send /start to carry on."


def with_value(data: str, value: str) -> str:
    """The same button's data with another value in its last field."""
    return data.rsplit(":", 1)[0] + ":" + value


async def test_unicode_digits_in_button_data_are_refused_like_a_forged_button(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    teen = emulator.user(TEEN, language_code="en")
    await teen.say("/start")
    await teen.tap("🧒 I am a child or young person")
    await teen.tap("I am 12 or older")
    await teen.tap("📝 Have your say")
    await teen.tap("Next ➡️")
    for _ in range(7):  # my name, five pages of my views, a drawing or photo
        await teen.tap("Skip ➡️")
    assert "How safe do you feel where you live?" in emulator.last_message(TEEN).visible

    scale_id, six = teen.find_button("6😐")
    for digits in ("²", "٣", "١٠"):
        await teen.tap_data(with_value(six, digits), scale_id)
        assert emulator.callback_answers(TEEN)[-1] == FORGED
    assert "How safe do you feel where you live?" in emulator.last_message(TEEN).visible
    await teen.tap("6😐")
    await teen.tap("Skip ➡️")  # questions

    choice_id, first = teen.find_button("Come to all of it")
    for digits in ("٣", "²", "-1"):
        await teen.tap_data(with_value(first, digits), choice_id)
        assert emulator.callback_answers(TEEN)[-1] == FORGED
    assert "How do you want to take part in the meeting?" in emulator.last_message(TEEN).visible
    await teen.tap("Come to part of it")
    await teen.tap("Next ➡️")  # if you do not agree
    await teen.tap("Skip ➡️")  # my numbers
    await teen.tap("Skip ➡️")
    review = emulator.last_message(TEEN).visible
    assert "Check your answers" in review and "6 out of 10" in review and "Come to part of it" in review

    response = await harness.app.repo.open_response(TEEN, "young_person")
    answers = await harness.app.repo.answers(response.id)
    assert answers["feel_safe"].value == 6 and answers["take_part"].value == "part"
    assert not any("went wrong" in m.visible for m in emulator.messages(TEEN))
    assert emulator.rejected == []
