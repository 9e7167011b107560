"""The PDF report: every word the person wrote, readable in their script."""

import io
import re

from PIL import Image
from pypdf import PdfReader

from cpc_bot.documents.pdf import render_pdf
from cpc_bot.documents.report import ReportDocument, ReportItem, ReportSection


def text_of(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def document(locale: str = "en", items: list[ReportItem] | None = None, title_en: str | None = None) -> ReportDocument:
    return ReportDocument(
        title="Parents/Carers report to a Child Protection Conference" if locale == "en" else "Raport",
        title_en=title_en,
        locale=locale,
        intro_lines=["Made on 24 November 2026"],
        sections=[ReportSection("What is going well", None, items or [])],
        footer="Private: about your family.",
    )


def png(width: int = 400, height: int = 300) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 60, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_every_paragraph_title_and_footer_appear() -> None:
    words = ["We laugh a lot, and <b>nobody</b> shouts.", "Jamie goes to school every day **on time**."]
    data = render_pdf(document(items=[ReportItem("What do you do well?", None, words, None),
                                      ReportItem("How safe", None, [], "7 out of 10")]))
    text = squash(text_of(data))
    for expected in [*words, "Parents/Carers report to a Child Protection Conference", "What do you do well?",
                     "7 out of 10", "Private: about your family.", "1 / 1"]:
        assert squash(expected) in text


def test_a_5000_character_answer_spans_pages_and_is_complete() -> None:
    essay = " ".join(f"sentence{i} about our family." for i in range(160))
    assert len(essay) > 4000
    data = render_pdf(document(items=[ReportItem("The worries", None, [essay], None)]))
    pages = PdfReader(io.BytesIO(data)).pages
    assert len(pages) >= 2
    # Read the pages without their footers, as a person turning the pages would.
    body = [line for page in pages for line in page.extract_text().splitlines()
            if line != "Private: about your family." and not re.fullmatch(r"\d+ / \d+\s*", line)]
    assert squash(essay) in squash("\n".join(body))


def test_polish_report_shows_headings_in_both_languages() -> None:
    data = render_pdf(document("pl", [ReportItem("Co robicie dobrze?", "What do you do well?", ["Dużo się śmiejemy."], None)],
                               title_en="Parents/Carers report to a Child Protection Conference"))
    text = squash(text_of(data))
    assert "Co robicie dobrze?" in text and "English: What do you do well?" in text
    assert "Dużo się śmiejemy." in text
    assert "English: Parents/Carers report to a Child Protection Conference" in text


def fonts_in(data: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def test_urdu_and_gujarati_use_their_fonts() -> None:
    urdu = render_pdf(document("ur", [ReportItem("آپ کا خاندان کیا اچھا کرتا ہے؟", "What do you do well?", ["ہم بچوں کو وقت پر اسکول بھیجتے ہیں۔"], None)]))
    assert any("NotoNastaliqUrdu" in name for name in fonts_in(urdu))
    gujarati = render_pdf(document("gu", [ReportItem("તમારું કુટુંબ શું સારું કરે છે?", None, ["અમે સાથે હસીએ છીએ."], None)]))
    assert any("NotoSansGujarati" in name for name in fonts_in(gujarati))


def test_pictures_are_embedded_and_a_broken_one_is_noted() -> None:
    data = render_pdf(document(items=[ReportItem("My drawing", None, [], None, images=[png(), b"not a picture"])]),
                      missing_picture="[A picture could not be shown]")
    reader = PdfReader(io.BytesIO(data))
    assert sum(len(page.images) for page in reader.pages) == 1
    assert "[A picture could not be shown]" in text_of(data)


def test_emoji_are_named_without_garbling_the_words() -> None:
    data = render_pdf(document(items=[ReportItem("Feelings", None, ["I feel happy 🙂 at home"], None)]))
    assert "I feel happy [slightly smiling face] at home" in squash(text_of(data))


# ---------------------------------------------------------------- pages as a person turns them
URDU_SENTENCE = "ہم ہر روز بچوں کو اسکول لے جاتے ہیں اور شام کو ساتھ کھانا کھاتے ہیں۔"


def pages_of(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def last_lines(data: bytes) -> list[str]:
    return [text.rstrip().splitlines()[-1].strip() for text in pages_of(data)]


def filler(count: int) -> list[ReportItem]:
    """Answers that fill most of a page; ``count`` sets how far down the page they end."""
    return [ReportItem(f"Question {n}", None, ["We walk to school together and talk about the day."] * 2, None)
            for n in range(count)]


def test_page_numbers_read_page_slash_pages_with_a_space_either_side() -> None:
    essay = " ".join(f"sentence{i} about our family." for i in range(160))
    english = render_pdf(document(items=[ReportItem("The worries", None, [essay], None)]))
    assert last_lines(english) == ["1 / 2", "2 / 2"]
    urdu = render_pdf(document("ur", [ReportItem("آپ کی فکریں", "The worries", [URDU_SENTENCE * 90], None)]))
    labels = last_lines(urdu)
    assert labels == [f"{n} / {len(labels)}" for n in range(1, len(labels) + 1)] and len(labels) >= 2


def test_a_person_who_types_the_page_count_alias_reads_what_they_typed() -> None:
    assert "My page {nb} of notes" in text_of(render_pdf(document(items=[ReportItem("Notes", None, ["My page {nb} of notes"], None)])))


def test_a_drawing_is_on_the_same_page_as_its_heading() -> None:
    moved = 0
    for count in range(4, 10):  # the drawing's heading comes lower and lower down page 1
        items = [*filler(count), ReportItem("My drawing of home", None, [], None, images=[png()])]
        reader = PdfReader(io.BytesIO(render_pdf(document(items=items))))
        with_heading = [page for page in reader.pages if "My drawing of home" in page.extract_text()]
        with_picture = [page for page in reader.pages if page.images]
        assert len(with_heading) == len(with_picture) == 1
        assert with_heading[0].page_number == with_picture[0].page_number
        moved += with_heading[0].page_number > 0
    assert 0 < moved < 6  # some drawings fitted on page 1, some went over with their heading


def test_a_heading_is_never_the_last_line_of_a_page() -> None:
    for count in range(4, 10):
        items = [*filler(count), ReportItem("What would help?", None, ["Help with the housing, please."] * 3, None)]
        for page in pages_of(render_pdf(document(items=items))):
            body = page.rstrip().splitlines()[:-2]  # without the footer and the page number
            assert not body[-1].startswith("Question") and body[-1] != "What would help?"


def test_the_closing_date_never_stands_alone_on_the_last_page_of_an_urdu_report() -> None:
    """A long Urdu report whose last page used to hold only the date: the end of the answer
    before it goes over with it."""
    page_counts = set()
    for sentences in range(31, 40):
        items = [ReportItem("آپ کی فکریں", "The worries", [URDU_SENTENCE * sentences + " Amira"], None),
                 ReportItem("تاریخ", "Date", [], "24 نومبر 2026")]
        pages = pages_of(render_pdf(document("ur", items)))
        page_counts.add(len(pages))
        assert "English: Date" in pages[-1]
        assert "Amira" in pages[-1], f"{sentences} sentences: the date is alone on page {len(pages)}"
    assert len(page_counts) >= 2  # the date went over to a new page at least once
