"""A professional writes a report in the Signs of Safety headings and gets a Word file and a jargon check."""

import io

from babel.support import Translations
from docx import Document
from docx.document import Document as WordDocument
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.text.paragraph import Paragraph

from cpc_bot.emulator.server import BotApiEmulator
from tests.helpers import BotHarness, answer_the_rest, open_report_helper

NURSE = 4101


async def write_report(emulator: BotApiEmulator) -> WordDocument:
    """A health visitor answers every question of the report helper; the Word file she gets."""
    nurse = await open_report_helper(emulator, NURSE)
    await nurse.say("Health visitor since the birth of Amira in 2025.")
    await nurse.tap("✅ Done")
    await nurse.say("The GP and the nursery.")
    await nurse.tap("✅ Done")
    await nurse.say("Grandmother, who helps most days.")
    await nurse.tap("✅ Done")
    await nurse.say("Amira was found alone in the flat on 3 November; there is a risk of significant harm.")
    await nurse.tap("✅ Done")
    await nurse.tap("Observation (I saw or heard it)")
    await nurse.tap("✅ That is every worry")
    await nurse.tap("Skip ➡️")  # complicating factors: none, so no basis is asked
    await nurse.tap("✅ That is every factor")
    await nurse.say("Mum has kept every health appointment since September.")
    await nurse.tap("✅ Done")
    await nurse.tap("Fact (checked and known)")
    await nurse.tap("✅ That is every strength")
    await nurse.say("Grandmother collects Amira from nursery every day.")
    await nurse.tap("✅ Done")
    await nurse.tap("Observation (I saw or heard it)")
    await nurse.tap("✅ That is every example")
    await nurse.say("Mum cares well for Amira when she is home; nights are the gap.")
    await nurse.tap("✅ Done")
    await nurse.say("Without a plan for nights Amira may be left alone again.")
    await nurse.tap("✅ Done")
    await nurse.say("A plan for who looks after Amira when mum works nights.")
    await nurse.tap("✅ Done")
    await nurse.tap("4")
    await nurse.say("Care is good when mum is home, but there is no plan for nights.")
    await nurse.tap("✅ Done")
    await nurse.say("A written plan for night shifts, agreed with grandmother.")
    await nurse.tap("✅ Done")
    await nurse.say("Amira")
    await nurse.say("Amira is 18 months old; she smiles and reaches for her mum.")
    await nurse.tap("✅ Done")
    await nurse.say("Growing well; all checks done.")
    await nurse.tap("✅ Done")
    await nurse.tap("Yes: harmed, and likely to be harmed again")
    await nurse.tap("A child protection plan")
    await nurse.tap("Neglect")
    await nurse.say("She was left alone and nothing yet stops it happening again.")
    await nurse.tap("✅ Done")
    await nurse.tap("✅ That is every child")
    assert "Check your answers" in emulator.last_message(NURSE).visible
    await nurse.tap("✅ Finish")

    return Document(io.BytesIO(emulator.file(emulator.documents(NURSE)[-1].file_id).data))


async def test_guided_report_to_docx_with_plain_language_check(harness: BotHarness, emulator: BotApiEmulator) -> None:
    word = await write_report(emulator)
    assert emulator.documents(NURSE)[-1].file_name == "conference-report-2026-11-24.docx"
    text = "\n".join(p.text for p in word.paragraphs)
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:4] == ["About this report", "The family's network", "What are we worried about: harm",
                            "What are we worried about: complicating factors"]
    for expected in ("Report to a Child Protection Conference", "Leeds Community Healthcare",
                     "Amira was found alone in the flat on 3 November; there is a risk of significant harm.",
                     "Observation (I saw or heard it)", "Mum has kept every health appointment since September.",
                     "Fact (checked and known)", "4 out of 10", "A child protection plan", "Neglect"):
        assert expected in text, expected
    check = emulator.last_message(NURSE).visible
    assert check.startswith("Plain-language check") and "significant harm: say what happened" in check


def keeps_with_next(paragraph: Paragraph) -> bool:
    """Whether Word keeps this paragraph on the page of the next: set on it, or on its style."""
    if paragraph.paragraph_format.keep_with_next is not None:
        return paragraph.paragraph_format.keep_with_next
    style = paragraph.style
    while style is not None:
        if style.paragraph_format.keep_with_next is not None:
            return style.paragraph_format.keep_with_next
        style = style.base_style
    return False


async def test_the_word_file_is_a4_numbered_and_ready_to_sign(harness: BotHarness, emulator: BotApiEmulator) -> None:
    """A health visitor's finding: she had to redo page size, footer, labels and signature by hand."""
    word = await write_report(emulator)
    page = word.sections[0]
    assert abs(page.page_width - Mm(210)) < Mm(0.5) and abs(page.page_height - Mm(297)) < Mm(0.5)
    assert all(Mm(15) <= margin <= Mm(25) for margin in (page.left_margin, page.right_margin, page.top_margin, page.bottom_margin))

    # The footer is for the conference, with real page fields that Word fills in.
    footer = page.footer.paragraphs[0]
    assert footer.text.startswith("Report to a Child Protection Conference · Leeds Community Healthcare · Page ")
    assert "family" not in footer.text.lower() and "private" not in footer.text.lower()
    fields = [element.text.strip() for element in footer._p.iter(qn("w:instrText"))]
    assert fields == ["PAGE", "NUMPAGES"]

    # Labels read as she thinks, and neither they nor a heading end a page alone.
    paragraphs = [p for p in word.paragraphs if p.text]
    texts = [p.text for p in paragraphs]
    for label in ("Worry 1 - what happened", "Worry 1 - how we know", "Strength 1 - what is working well",
                  "Safety 1 - how the child was kept safe"):
        assert label in texts, label
    assert not any("Statement" in text or "Basis" in text for text in texts)
    labels = [p for p in paragraphs if p.runs and all(run.bold for run in p.runs)]
    assert len(labels) > 15
    for paragraph in [p for p in paragraphs if p.style.name.startswith(("Title", "Heading"))] + labels:
        assert keeps_with_next(paragraph), paragraph.text

    # The child's and parents' details: marked, shaded blanks at the top (the bot never asks them).
    identity, signature = word.tables[0], word.tables[-1]
    assert [[cell.text for cell in row.cells] for row in identity.rows] == [
        ["Full name", "[to fill in]"], ["Date of birth", "[to fill in]"], ["Ethnicity", "[to fill in]"],
        ["Disability or special need", "[to fill in]"]]
    assert Paragraph(identity._tbl.getprevious(), None).text == "Amira"  # the name she chose for the child
    assert [row.cells[0].text for row in word.tables[1].rows][:2] == ["Full name", "Other names they are known by"]
    assert {"Parent or carer 1", "Parent or carer 2"} <= set(texts)
    assert all(cell._tc.tcPr.find(qn("w:shd")) is not None for row in identity.rows for cell in row.cells)
    assert word.element.body.index(identity._tbl) < word.element.body.index(paragraphs[texts.index("About this report")]._p)

    # It ends with lines to sign by hand.
    assert [row.cells[0].text for row in signature.rows] == ["Signature", "Name", "Job title", "Date"]
    for row in signature.rows:
        assert row.cells[1].text == ""
        assert row.cells[1]._tc.tcPr.find(f"{qn('w:tcBorders')}/{qn('w:bottom')}").get(qn("w:val")) == "single"
    assert word.element.body.index(signature._tbl) > word.element.body.index(paragraphs[-1]._p)


async def test_jargon_is_flagged_with_everyday_words_and_each_excerpt_stays_in_its_answer(harness: BotHarness, emulator: BotApiEmulator) -> None:
    nurse = await open_report_helper(emulator, NURSE)
    await nurse.say("Known to the family as their HV since 2025; concerns about neglect")
    await nurse.tap("✅ Done")
    await nurse.say("The GP.")
    await nurse.tap("✅ Done")
    await nurse.say("None known.")
    await nurse.tap("✅ Done")
    await nurse.say("Police were called to DA at the home on 3 November.")
    await nurse.tap("✅ Done")
    await nurse.tap("Observation (I saw or heard it)")
    await nurse.tap("✅ That is every worry")
    await nurse.tap("Skip ➡️")
    await nurse.tap("✅ That is every factor")
    await nurse.say("Mum is attuned to Amira and feeds her on time.")
    await nurse.tap("✅ Done")
    await nurse.tap("Observation (I saw or heard it)")
    await nurse.tap("✅ That is every strength")
    await nurse.say("Her gran Cindy collects Amira from nursery every day.")
    await nurse.tap("✅ Done")
    await nurse.tap("Fact (checked and known)")
    await nurse.tap("✅ That is every example")
    await nurse.say("Mum looks after Amira well when she is home.")
    await nurse.tap("✅ Done")
    await nurse.say("Nights are the gap.")
    await nurse.tap("✅ Done")
    await nurse.say("Stay on universal partnership plus, with a plan for nights.")
    await nurse.tap("✅ Done")
    await nurse.tap("4")
    await nurse.say("Care is good when mum is home.")
    await nurse.tap("✅ Done")
    await nurse.say("A written plan for night shifts.")
    await nurse.tap("✅ Done")
    await nurse.say("Amira")
    await nurse.say("Amira is pre-verbal; she smiles and reaches for her mum.")
    await nurse.tap("✅ Done")
    await nurse.say("Growing well.")
    await nurse.tap("✅ Done")
    await nurse.tap("Yes: likely to be harmed")
    await nurse.tap("A child protection plan")
    await nurse.tap("Neglect")
    await nurse.say("Nothing yet covers the nights.")
    await nurse.tap("✅ Done")
    await nurse.tap("✅ That is every child")
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
        "• universal partnership plus: extra help from the health visitor and other services (say which)",
        "  Stay on universal partnership plus, with a plan for nights.",
        "• pre-verbal: not talking yet",
        "  Amira is pre-verbal; she smiles and reaches for her mum.",
    ])


async def test_a_polish_professional_reads_the_check_in_polish_and_the_everyday_words_in_english(harness: BotHarness, emulator: BotApiEmulator) -> None:
    # The report is written in English, so the words to put in it stay English; the rest is Polish.
    t = Translations.load(str(harness.settings.locales_dir), ["pl"], "messages").gettext
    nurse = emulator.user(NURSE, language_code="pl")
    await nurse.say("/start")
    await nurse.tap(t("🧑‍💼 I work with children"))
    await nurse.tap(t("📝 Write your report"))
    await nurse.tap(t("Elsewhere in England"))
    await nurse.tap(t("Initial conference (ICPC)"))
    await nurse.tap(t("Next ➡️"))
    await nurse.say("Leeds Community Healthcare")
    await nurse.say("Sam Lee, health visitor")
    await nurse.say("Health Centre, Leeds; 0113 496 0000")
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
