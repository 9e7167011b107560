"""Fonts parsed once per process: every PDF still gets exactly its own fonts, glyphs and words."""

import contextlib
import gc
import io
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from fpdf import FPDF
from pypdf import PdfReader
from pypdf.generic import IndirectObject, StreamObject

from cpc_bot.documents import fontcache
from cpc_bot.documents import pdf as pdf_module
from cpc_bot.documents.pdf import render_pdf
from cpc_bot.documents.report import ReportDocument, ReportItem, ReportSection

CREATED = datetime(2026, 11, 24, tzinfo=UTC)

REPORTS = {
    "en": ("Parents/Carers report", None, "What do you do well?", None,
           ["We walk to school together every morning.", "Sunday is pancake day."]),
    "ur": ("والدین کی رپورٹ", "Parents/Carers report", "آپ کا خاندان کیا اچھا کرتا ہے؟", "What do you do well?",
           ["ہم بچوں کو وقت پر اسکول بھیجتے ہیں۔", "We read together at bedtime."]),
    "gu": ("માતાપિતાનો અહેવાલ", "Parents/Carers report", "તમારું કુટુંબ શું સારું કરે છે?", "What do you do well?",
           ["અમે સાથે હસીએ છીએ.", "Dinner is at six."]),
    "ar": ("تقرير الوالدين", "Parents/Carers report", "ماذا تفعلون جيدًا؟", "What do you do well?",
           ["نقرأ معًا قبل النوم."]),
}


def report(locale: str, extra: str = "") -> ReportDocument:
    title, title_en, heading, heading_en, paragraphs = REPORTS[locale]
    return ReportDocument(
        title=title, title_en=title_en, locale=locale, intro_lines=["24/11/2026"],
        sections=[ReportSection(heading, heading_en,
                                [ReportItem(heading, heading_en, [*paragraphs, extra] if extra else paragraphs, None)])],
        footer="Private",
    )


def render(locale: str, extra: str = "") -> bytes:
    return render_pdf(report(locale, extra), created=CREATED)


def fonts_in(data: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(data))
    return {str(font.get_object()["/BaseFont"]).split("+")[-1]
            for page in reader.pages for font in page["/Resources"]["/Font"].values()}


def embedded_fonts(data: bytes) -> int:
    reader = PdfReader(io.BytesIO(data))
    return sum(1 for obj in (reader.get_object(i) for i in range(1, reader.trailer["/Size"]))
               if hasattr(obj, "get") and obj.get("/Subtype") == "/Type0")


def outline(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    titles: list[str] = []

    def walk(items: list) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


def text_of(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def plain_fpdf2(pdf: FPDF, family: str, style: str, path: Path) -> None:
    pdf.add_font(family, style, str(path))


#: What saving a subset without recalculating bounding boxes may leave as in the whole font:
#: the font-wide maxima (upper bounds, still true of the subset) and glyf/loca's encoding.
RECALCULATED = {"glyf", "loca", "head", "hhea", "maxp"}


def pdf_objects(data: bytes) -> tuple[list[object], list[bytes]]:
    """Every object of the PDF but the embedded font programs, and those programs apart."""
    reader = PdfReader(io.BytesIO(data))
    objects: list[object] = []
    programs: list[bytes] = []
    for number in range(1, reader.trailer["/Size"]):
        obj = reader.get_object(number)
        if isinstance(obj, StreamObject) and "/Length1" in obj:
            programs.append(obj.get_data())
            objects.append("font program")
        elif isinstance(obj, StreamObject):
            objects.append(obj.get_data())
        else:
            objects.append(plain_object(obj))
    return objects, programs


def plain_object(obj: object) -> object:
    if isinstance(obj, IndirectObject):
        return ("ref", obj.idnum)
    if isinstance(obj, dict):
        return {key: plain_object(value) for key, value in obj.items()}
    if isinstance(obj, list):
        return [plain_object(value) for value in obj]
    return str(obj)


def assert_same_glyphs(ours: bytes, theirs: bytes) -> None:
    """The same glyphs in the same order, with the same outlines, boxes and widths, and
    every other table byte for byte."""
    a, b = TTFont(io.BytesIO(ours)), TTFont(io.BytesIO(theirs))
    assert a.getGlyphOrder() == b.getGlyphOrder()
    assert sorted(a.keys()) == sorted(b.keys())
    assert a["hmtx"].metrics == b["hmtx"].metrics
    glyf_a, glyf_b = a["glyf"], b["glyf"]
    for name in a.getGlyphOrder():
        x, y = glyf_a[name], glyf_b[name]
        assert x.getCoordinates(glyf_a) == y.getCoordinates(glyf_b), name
        assert x.getComponentNames(glyf_a) == y.getComponentNames(glyf_b), name
        if x.numberOfContours:
            assert (x.xMin, x.yMin, x.xMax, x.yMax) == (y.xMin, y.yMin, y.xMax, y.yMax), name
    for tag in a.reader.tables:
        if tag not in RECALCULATED:
            assert a.reader[tag] == b.reader[tag], tag
    assert a["head"].unitsPerEm == b["head"].unitsPerEm and a["maxp"].numGlyphs == b["maxp"].numGlyphs


@pytest.mark.parametrize("locale", ["en", "ur", "gu", "ar"])
def test_same_pdf_as_fonts_parsed_by_fpdf2_itself(locale: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Shared parsing and the smaller file handed to the subsetter change nothing in the PDF
    but how the embedded subsets are saved: the same glyphs, outlines and widths (a guard for
    fpdf2 and fontTools upgrades)."""
    cached = render(locale)
    monkeypatch.setattr(pdf_module.fontcache, "add_font", plain_fpdf2)
    plain = render(locale)
    (objects, programs), (plain_objects, plain_programs) = pdf_objects(cached), pdf_objects(plain)
    assert objects == plain_objects
    assert len(programs) == len(plain_programs) >= 2
    for ours, theirs in zip(programs, plain_programs, strict=True):
        assert_same_glyphs(ours, theirs)


def test_reports_in_turn_keep_their_own_fonts_glyphs_and_words(monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(pdf_module.fontcache, "add_font", plain_fpdf2)
        alone = {locale: render(locale) for locale in REPORTS}
    in_turn = [(locale, render(locale)) for locale in ["en", "ur", "gu", "en", "ar", "ur", "en"]]
    # What each report gives with fonts of its own: no glyph, width or shaping result came
    # over from another report, and a report made twice is the same.
    for locale, data in in_turn:
        assert pdf_objects(data)[0] == pdf_objects(alone[locale])[0], locale
    assert fonts_in(alone["en"]) == {"NotoSans", "NotoSansBold"}
    # A heading in another script is set in that script's bold font, spaces and all; NotoSans
    # draws the English lines under it.
    assert fonts_in(alone["ur"]) == {"NotoSans", "NotoNastaliqUrdu", "NotoNastaliqUrduBold"}
    assert fonts_in(alone["gu"]) == {"NotoSans", "NotoSansGujarati", "NotoSansGujaratiBold"}
    assert fonts_in(alone["ar"]) == {"NotoSans", "NotoSansArabic", "NotoSansArabicBold"}
    for locale, (_, title_en, heading, heading_en, paragraphs) in REPORTS.items():
        name = f"{heading} / {heading_en}" if heading_en else heading
        assert outline(alone[locale]) == [name, name]
        english = [f"English: {title_en}", f"English: {heading_en}"] if title_en else []
        english += [paragraph for paragraph in paragraphs if paragraph.isascii()]
        for line in english:
            assert line in text_of(alone[locale])
    assert "We walk to school together every morning. Sunday is pancake day." in text_of(alone["en"])


def test_urdu_embeds_nastaliq_only_unless_a_letter_needs_naskh() -> None:
    nastaliq = fontcache.cmap(pdf_module._font_file("NotoNastaliqUrdu", ""))
    naskh = fontcache.cmap(pdf_module._font_file("NotoSansArabic", ""))
    naskh_only = next(chr(code) for code in sorted(naskh) if 0x0600 <= code <= 0x06FF and code not in nastaliq)
    plain = render("ur")
    assert embedded_fonts(plain) == 4  # NotoSans and Nastaliq, regular and bold
    with_naskh = render("ur", f"ب{naskh_only}ب")
    assert embedded_fonts(with_naskh) == 6
    assert {"NotoSansArabic", "NotoNastaliqUrdu"} <= fonts_in(with_naskh)


def test_reports_made_at_once_in_threads_are_the_same_as_one_by_one() -> None:
    expected = {locale: render(locale) for locale in REPORTS}
    jobs = [locale for _ in range(3) for locale in REPORTS]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(render, jobs))
    assert results == [expected[locale] for locale in jobs]


def test_the_collector_is_paused_only_while_reports_render() -> None:
    """Renders pause cyclic garbage collection (they run in threads, so until the last ends),
    and leave it as they found it, even when one fails."""
    pdf = pdf_module
    assert gc.isenabled()
    seen: list[bool] = []
    with pdf._collector_paused():
        seen.append(gc.isenabled())
        with pdf._collector_paused():  # a second render in another thread
            seen.append(gc.isenabled())
        seen.append(gc.isenabled())  # the first is still going
    assert seen == [False, False, False] and gc.isenabled()
    with contextlib.suppress(ValueError), pdf._collector_paused():
        raise ValueError("a render that fails")
    assert gc.isenabled()
    gc.disable()
    try:
        with pdf._collector_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()
