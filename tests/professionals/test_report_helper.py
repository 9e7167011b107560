"""A professional writes a report in the Signs of Safety headings and gets a Word file and a jargon check."""

import io

from babel.support import Translations
from docx import Document

from cpc_bot.emulator.server import BotApiEmulator
from tests.helpers import BotHarness, answer_the_rest, open_report_helper

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


async def test_jargon_is_flagged_with_everyday_words_and_each_excerpt_stays_in_its_answer(harness: BotHarness, emulator: BotApiEmulator) -> None:
    nurse = await open_report_helper(emulator, NURSE)
    await nurse.say("Known to the family as their HV since 2025; concerns about neglect")
    await nurse.tap("✅ Done")
    await nurse.say("Police were called to DA at the home on 3 November.")
    await nurse.tap("✅ Done")
    await nurse.tap("Observation (I saw or heard it)")
    await nurse.tap("✅ That is everyone")
    await nurse.tap("Skip ➡️")
    await nurse.tap("✅ That is everyone")
    await nurse.say("Mum is attuned to Amira and feeds her on time.")
    await nurse.tap("✅ Done")
    await nurse.tap("Observation (I saw or heard it)")
    await nurse.tap("✅ That is everyone")
    await nurse.say("Her gran Cindy collects Amira from nursery every day.")
    await nurse.tap("✅ Done")
    await nurse.tap("Fact (checked and known)")
    await nurse.tap("✅ That is everyone")
    await nurse.say("Amira is pre-verbal; she smiles and reaches for her mum.")
    await nurse.tap("✅ Done")
    await nurse.say("Stay on universal partnership plus, with a plan for nights.")
    await nurse.tap("✅ Done")
    await nurse.tap("4")
    await nurse.say("Care is good when mum is home.")
    await nurse.tap("✅ Done")
    await nurse.say("A written plan for night shifts.")
    await nurse.tap("✅ Done")
    await nurse.tap("A child protection plan")
    await nurse.tap("Neglect")
    await nurse.tap("✅ Finish")

    # Each term with its everyday words; each excerpt from its own answer only (the neglect at the
    # end of one answer does not run on into "Police were called" of the next); Cindy is a name.
    assert emulator.last_message(NURSE).visible == "\n".join([
        "Plain-language check: families read this report too. Consider everyday words:",
        "• HV: health visitor (say their name)",
        "  Known to the family as their HV since 2025; concerns about neglect",
        "• neglect: say which needs were not met (food, warmth, school, health, supervision)",
        "  …as their HV since 2025; concerns about neglect",
        "• DA: domestic abuse: say what happened, e.g. 'Dad hit Mum'",
        "  Police were called to DA at the home on 3 November.",
        "• attuned: notices and responds to what the baby needs",
        "  Mum is attuned to Amira and feeds her on time.",
        "• pre-verbal: not talking yet",
        "  Amira is pre-verbal; she smiles and reaches for her mum.",
        "• universal partnership plus: extra help from the health visitor and other services (say which)",
        "  Stay on universal partnership plus, with a plan for nights.",
    ])


async def test_a_polish_professional_reads_the_check_in_polish_and_the_everyday_words_in_english(harness: BotHarness, emulator: BotApiEmulator) -> None:
    # The report is written in English, so the words to put in it stay English; the rest is Polish.
    t = Translations.load(str(harness.settings.locales_dir), ["pl"], "messages").gettext
    nurse = emulator.user(NURSE, language_code="pl")
    await nurse.say("/start")
    await nurse.tap(t("🧑‍💼 I work with children"))
    await nurse.tap(t("📝 Write your report"))
    await nurse.say("Leeds Community Healthcare")
    await nurse.say("Sam Lee, health visitor")
    await nurse.say("15/12/2026")
    await answer_the_rest(nurse, emulator, NURSE, words="Seen by the HV at home.", t=t)

    note = "The everyday words are in English, like your report."
    assert t(note) == "Codzienne słowa są po angielsku, tak jak Twój raport."
    check = emulator.last_message(NURSE).visible.splitlines()
    assert check[:4] == [
        t("Plain-language check: families read this report too. Consider everyday words:"),
        t(note),
        "• HV: health visitor (say their name)",
        "  Seen by the HV at home.",
    ]
