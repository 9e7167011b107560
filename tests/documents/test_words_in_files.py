"""Whatever a person typed, the Word file and the PDF still open and show their words.

A Telegram message can hold control characters (pasted from elsewhere, or sent on purpose)
and emoji. Control characters are left out of both files; an emoji no font has is written
as its name in the PDF.
"""

from __future__ import annotations

import io

from docx import Document
from pypdf import PdfReader

from cpc_bot.documents.docx import render_docx
from cpc_bot.documents.pdf import render_pdf
from cpc_bot.documents.report import ReportDocument, ReportItem, ReportSection
from tests.documents.test_pdf import fonts_in, squash, text_of

#: Every C0 control but tab and newline, DEL, C1 controls (NEL, U+0085, among them).
CONTROLS = "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, 0x0D, *range(0x0E, 0x20), 0x7F, 0x85, 0x9F]))


def report(*paragraphs: str, heading: str = "What do you do well?") -> ReportDocument:
    return ReportDocument(
        title="Parents/Carers report" + CONTROLS[:3],
        title_en=None,
        locale="en",
        intro_lines=["Made on 24 November 2026"],
        sections=[ReportSection("What is going well", None, [ReportItem(heading, None, list(paragraphs), None)])],
        footer="Private: about your family.",
    )


def with_controls(words: str) -> str:
    """The words with control characters between them: "We\\x00 laugh\\x01 a\\x02 lot."."""
    return " ".join(word + CONTROLS[i % len(CONTROLS)] for i, word in enumerate(words.split(" ")))


def test_a_word_file_opens_and_shows_the_words_without_control_characters() -> None:
    data = render_docx(report(with_controls("We laugh a lot, and nobody shouts."), "Line one\nLine two\ttabbed" + CONTROLS,
                              heading="What do you do" + CONTROLS + " well?"))
    word = Document(io.BytesIO(data))
    paragraphs = [paragraph.text for paragraph in word.paragraphs]
    assert "We laugh a lot, and nobody shouts." in paragraphs
    assert "Line one\nLine two\ttabbed" in paragraphs  # newlines and tabs stay
    assert "What do you do well?" in paragraphs
    assert word.core_properties.title == "Parents/Carers report"
    assert not any(char in "".join(paragraphs) for char in CONTROLS)


def test_a_pdf_shows_the_words_without_control_characters() -> None:
    data = render_pdf(report(with_controls("We laugh a lot, and nobody shouts."), "Jamie" + CONTROLS + " walks to school.",
                             heading="What do you do" + CONTROLS + " well?"))
    text = text_of(data)
    assert not any(char in text for char in CONTROLS.replace("\r", ""))
    assert "\r" not in text.replace("\r\n", "\n")  # pypdf may end lines with \r\n; none inside a line
    lines = text.replace("\r\n", "\n").splitlines()
    assert "We laugh a lot, and nobody shouts." in lines
    assert "Jamie walks to school." in lines
    assert "What do you do well?" in lines
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata is not None and reader.metadata.title == "Parents/Carers report"


def test_an_emoji_no_font_has_is_written_as_its_name() -> None:
    data = render_pdf(report("😢", "I feel happy 🙂 at home 👍🏽", "❤️" + CONTROLS + "1️⃣"))
    text = squash(text_of(data))
    assert "[crying face]" in text
    assert "I feel happy [slightly smiling face] at home [thumbs up sign]" in text  # the skin tone is not named
    assert "[heavy black heart]1" in text  # the invisible selectors and the keycap mark are not named either


def test_a_letter_outside_its_scripts_block_is_drawn_in_the_font_that_has_it() -> None:
    # U+08A0 is in Noto Sans Arabic only, outside the Arabic block: drawn, not named.
    data = render_pdf(report("ࢠ"))
    assert "NotoSansArabic" in " ".join(fonts_in(data))
    assert "[arabic letter" not in text_of(data)
