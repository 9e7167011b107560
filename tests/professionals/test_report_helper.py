"""A professional writes a report in the Signs of Safety headings and gets a Word file and a jargon check."""

import io

from docx import Document

from cpc_bot.emulator.server import BotApiEmulator
from tests.helpers import BotHarness, open_report_helper

NURSE = 4101


async def test_guided_report_to_docx_with_plain_language_check(harness: BotHarness, emulator: BotApiEmulator) -> None:
    nurse = await open_report_helper(emulator, NURSE)
    await nurse.say("Health visitor since the birth of Amira in 2025.")
    await nurse.tap("✅ Done")
    await nurse.say("Amira was found alone in the flat on 3 November; there is a risk of significant harm.")
    await nurse.tap("✅ Done")
    await nurse.tap("Observation (I saw or heard it)")
    await nurse.tap("✅ That is everyone")
    await nurse.tap("Skip ➡️")  # complicating factors: none, so no basis is asked
    await nurse.tap("✅ That is everyone")
    await nurse.say("Mum has kept every health appointment since September.")
    await nurse.tap("✅ Done")
    await nurse.tap("Fact (checked and known)")
    await nurse.tap("✅ That is everyone")
    await nurse.say("Grandmother collects Amira from nursery every day.")
    await nurse.tap("✅ Done")
    await nurse.tap("Observation (I saw or heard it)")
    await nurse.tap("✅ That is everyone")
    await nurse.say("Amira is 18 months old; she smiles and reaches for her mum.")
    await nurse.tap("✅ Done")
    await nurse.say("A plan for who looks after Amira when mum works nights.")
    await nurse.tap("✅ Done")
    await nurse.tap("4")
    await nurse.say("Care is good when mum is home, but there is no plan for nights.")
    await nurse.tap("✅ Done")
    await nurse.say("A written plan for night shifts, agreed with grandmother.")
    await nurse.tap("✅ Done")
    await nurse.tap("A child protection plan")
    await nurse.tap("Neglect")
    assert "Check your answers" in emulator.last_message(NURSE).visible
    await nurse.tap("✅ Finish")

    document = emulator.documents(NURSE)[-1]
    assert document.file_name == "conference-report-2026-11-24.docx"
    word = Document(io.BytesIO(emulator.file(document.file_id).data))
    text = "\n".join(p.text for p in word.paragraphs)
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:3] == ["About this report", "What are we worried about: harm", "What are we worried about: complicating factors"]
    for expected in ("Report to a Child Protection Conference", "Leeds Community Healthcare",
                     "Amira was found alone in the flat on 3 November; there is a risk of significant harm.",
                     "Observation (I saw or heard it)", "Mum has kept every health appointment since September.",
                     "Fact (checked and known)", "4 out of 10", "A child protection plan", "Neglect"):
        assert expected in text, expected
    check = emulator.last_message(NURSE).visible
    assert check.startswith("Plain-language check") and "significant harm: say what happened" in check
