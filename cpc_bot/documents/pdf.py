"""Lay out a :class:`ReportDocument` as an A4 PDF that also reads well on a phone.

fpdf2 with uharfbuzz text shaping and the Noto fonts shipped in ``fonts/``: Urdu and
Arabic join and run right to left, Gujarati, Gurmukhi and Bengali shape correctly.
Fallback fonts cover a script the main font lacks; a character no font has (most
emoji) is written as its Unicode name in brackets, "[crying face]", rather than printed as a
box or left out. Control characters are left out (``text.clean_document``, as in the Word file).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import io
import logging
import threading
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from PIL import Image

from cpc_bot.documents import fontcache
from cpc_bot.documents.report import ReportDocument, ReportItem
from cpc_bot.documents.text import clean_document, without_controls
from cpc_bot.i18n.locale import is_rtl

log = logging.getLogger(__name__)

FONT_DIR = Path(str(files("cpc_bot.documents").joinpath("fonts")))

#: family name -> file stem; each has Regular and Bold.
FAMILIES = {
    "NotoSans": "NotoSans",
    "NotoSansArabic": "NotoSansArabic",
    "NotoNastaliqUrdu": "NotoNastaliqUrdu",
    "NotoSansGujarati": "NotoSansGujarati",
    "NotoSansGurmukhi": "NotoSansGurmukhi",
    "NotoSansBengali": "NotoSansBengali",
}

#: Which Arabic-script font comes first: Urdu readers expect Nastaliq, Arabic readers Naskh.
FIRST_FALLBACK = {"ur": "NotoNastaliqUrdu"}

ACCENT = (43, 108, 176)
GREY = (96, 104, 116)
BODY_SIZE = 12
LINE = 6.4


class _ReportPdf(FPDF):
    def __init__(self, footer_text: str, page_label: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        self.page_label = page_label
        self.missing_picture = ""
        self.nastaliq = False

    def footer(self) -> None:
        # Nastaliq (Urdu) stands taller than other scripts: its line gets more room.
        tall = any(0x0600 <= ord(c) <= 0x06FF for c in self.footer_text)
        self.set_y(-17 if tall else -14)
        self.set_font(size=8.5)
        self.set_text_color(*GREY)
        self.set_text_shaping(use_shaping_engine=True, direction=_direction(self.footer_text))
        self.cell(0, 8 if tall else 5, self.footer_text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_shaping(use_shaping_engine=True, direction="ltr")
        self.cell(0, 4, self.page_label.format(page=self.page_no(), pages="{nb}"), align="C")


#: Unicode blocks each fallback family covers: a family is loaded only when the text needs it.
SCRIPT_RANGES = {
    "NotoSansArabic": ((0x0600, 0x06FF), (0x0750, 0x077F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
    "NotoNastaliqUrdu": ((0x0600, 0x06FF), (0x0750, 0x077F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
    "NotoSansGujarati": ((0x0A80, 0x0AFF),),
    "NotoSansGurmukhi": ((0x0A00, 0x0A7F),),
    "NotoSansBengali": ((0x0980, 0x09FF),),
}


def _all_text(doc: ReportDocument) -> str:
    parts = [doc.title, doc.title_en or "", doc.footer, *doc.intro_lines]
    for section in doc.sections:
        parts += [section.title, section.title_en or ""]
        for item in section.items:
            parts += [item.heading, item.heading_en or "", item.note or "", *item.paragraphs]
    return "".join(parts)


def _font_file(family: str, style: str) -> Path:
    return FONT_DIR / f"{FAMILIES[family]}-{'Bold' if style == 'B' else 'Regular'}.ttf"


@functools.cache
def _family_covers(family: str) -> frozenset[int]:
    """The characters a family has in either style (read once per process)."""
    return fontcache.covered(_font_file(family, "")) | fontcache.covered(_font_file(family, "B"))


@functools.cache
def _coverage(fallbacks: tuple[str, ...]) -> frozenset[int]:
    """What a document with NotoSans and these fallback families can draw (with newline and tab)."""
    return frozenset({9, 10}).union(_family_covers("NotoSans"), *map(_family_covers, fallbacks))


@functools.cache
def _main_covers() -> frozenset[int]:
    """The characters NotoSans has in both styles: for any other, fpdf2 looks in the fallbacks."""
    return fontcache.covered(_font_file("NotoSans", "")) & fontcache.covered(_font_file("NotoSans", "B"))


def _drawn_in(families: list[str], used: set[int]) -> set[str]:
    """The fallback families fpdf2 will draw at least one of these characters in.

    The same choice as ``FPDF.get_fallback_font`` (exact_match=False) makes for a character
    the main font lacks, in either style: the first fallback font in order that has it in
    the same style, else the first that has it at all. A family never chosen is not
    embedded (Urdu text needs Nastaliq, not also Naskh), and leaving it out changes no choice.
    """
    styles = ("", "B")
    main = {style: fontcache.cmap(_font_file("NotoSans", style)) for style in styles}
    fonts = [(family, style, fontcache.cmap(_font_file(family, style)))
             for family in families for style in styles]
    drawn: set[str] = set()
    for code in used:
        for style in styles:
            if code in main[style]:
                continue
            having = [(family, font_style) for family, font_style, cmap in fonts if code in cmap]
            if having:
                drawn.add(next((family for family, font_style in having if font_style == style), having[0][0]))
    return drawn


def _setup_fonts(pdf: FPDF, doc: ReportDocument, *labels: str) -> str:
    """NotoSans for Latin text (and its spaces); other scripts come from fallbacks, and only
    the ones the text is drawn in are added (each font is parsed once per process: fontcache)."""
    used = {ord(c) for c in _all_text(doc) + "".join(labels)}
    # A family is a candidate for its script, or for a character outside it that only it has
    # (the Devanagari danda in Bengali, Arabic Extended-A letters): anything some font has is drawn.
    missing = used - _main_covers()
    candidates = [
        family for family, ranges in SCRIPT_RANGES.items()
        if any(low <= code <= high for code in used for low, high in ranges)
        or (missing and not missing.isdisjoint(_family_covers(family)))
    ]
    first = FIRST_FALLBACK.get(doc.locale.split("_")[0])
    if first in candidates:
        candidates.sort(key=lambda f: f != first)
    drawn = _drawn_in(candidates, used) if candidates else set()
    fallbacks = [family for family in candidates if family in drawn]
    # Added in SCRIPT_RANGES order (it numbers the fonts); tried in fallback order.
    added = tuple(f for f in SCRIPT_RANGES if f in drawn)
    for family in ["NotoSans", *added]:
        fontcache.add_font(pdf, family, "", _font_file(family, ""))
        fontcache.add_font(pdf, family, "B", _font_file(family, "B"))
    pdf._covered = _coverage(added)  # type: ignore[attr-defined]
    if fallbacks:
        pdf.set_fallback_fonts(fallbacks, exact_match=False)
    return "NotoSans"


_PAUSE = threading.Lock()
_RENDERING = 0
_WAS_ENABLED = True


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a report renders.

    A render makes hundreds of thousands of short-lived objects (glyphs, fragments, lines), and
    every so many the collector walks the whole heap of a long-running bot: in the benchmark an
    Urdu report took 345 ms after an hour of dialogs against 275 ms in a fresh process. What the
    render leaves is freed by reference counting or at the next collection. Renders run in
    threads, so the pause ends when the last of them ends.
    """
    global _RENDERING, _WAS_ENABLED
    with _PAUSE:
        _RENDERING += 1
        if _RENDERING == 1:
            _WAS_ENABLED = gc.isenabled()
            gc.disable()
    try:
        yield
    finally:
        with _PAUSE:
            _RENDERING -= 1
            if _RENDERING == 0 and _WAS_ENABLED:
                gc.enable()


def render_pdf(
    doc: ReportDocument,
    *,
    page_label: str = "{page} / {pages}",
    missing_picture: str = "[A picture could not be shown]",
    created: datetime | None = None,
) -> bytes:
    """The report as PDF bytes. Labels come translated; ``created`` fixes the metadata date."""
    doc = clean_document(doc)
    page_label, missing_picture = without_controls(page_label), without_controls(missing_picture)
    with _collector_paused():
        return _render_pdf(doc, page_label=page_label, missing_picture=missing_picture, created=created)


def _render_pdf(doc: ReportDocument, *, page_label: str, missing_picture: str, created: datetime | None) -> bytes:
    rtl = is_rtl(doc.locale)
    pdf = _ReportPdf(doc.footer, page_label)
    pdf.missing_picture = missing_picture
    pdf.nastaliq = FIRST_FALLBACK.get(doc.locale) == "NotoNastaliqUrdu"
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(auto=True, margin=20)
    main = _setup_fonts(pdf, doc, page_label, missing_picture)
    pdf.set_title(doc.title_en or doc.title)
    pdf.set_lang(doc.locale)
    pdf.set_creator("CPC Companion")
    pdf.set_creation_date(created or datetime.now(UTC))
    align = "R" if rtl else "L"
    pdf.add_page()

    # Title block
    pdf.set_font(main, "B", 17)
    pdf.set_text_color(*ACCENT)
    _write(pdf, doc.title, 8.5, align)
    if doc.title_en:
        _english(pdf, doc.title_en, 10.5, align)
    pdf.ln(1.5)
    pdf.set_font(main, "", 10.5)
    pdf.set_text_color(*GREY)
    for line in doc.intro_lines:
        _write(pdf, line, 5.5, align)
    pdf.ln(3)

    for section in doc.sections:
        _section_heading(pdf, main, section.title, section.title_en, align)
        for item in section.items:
            _item(pdf, main, item, align)
    return bytes(pdf.output())


def _direction(text: str) -> str:
    """"rtl" when the first letter is Arabic-script or Hebrew, else "ltr" (the Unicode bidi rule P2)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


#: Emoji skin tones: they only change the emoji before them, which is named already.
SKIN_TONES = range(0x1F3FB, 0x1F400)


@functools.lru_cache(maxsize=2048)
def _stand_in(char: str) -> str:
    """What is written for a character no font of the document has: its Unicode name in
    brackets ("[crying face]"), or nothing for one that is never seen on its own (a
    variation selector, a joiner, a combining mark, a skin tone)."""
    if unicodedata.category(char) in ("Cf", "Mn", "Me") or ord(char) in SKIN_TONES:
        return ""
    name = unicodedata.name(char, "")
    return f"[{name.lower()}]" if name else f"[U+{ord(char):04X}]"


def _printable(pdf: FPDF, text: str) -> str:
    """Name the characters no font of the document has (most emoji): with shaping on, one
    missing glyph garbles the letters around it, and a box tells the reader nothing."""
    covered: frozenset[int] = pdf._covered  # type: ignore[attr-defined]
    if covered.issuperset(map(ord, text)):
        return text
    return "".join(c if ord(c) in covered else _stand_in(c) for c in text)


def _write(pdf: FPDF, text: str, height: float, align: str, **kwargs: object) -> None:
    """One paragraph, shaped in its own direction: an English answer in an Urdu report stays readable."""
    text = _printable(pdf, text)
    if isinstance(pdf, _ReportPdf) and pdf.nastaliq and any("\u0600" <= c <= "\u06ff" for c in text):
        height *= 1.3  # Nastaliq's letters climb and descend further than other scripts'
    family, style, size = pdf.font_family, pdf.font_style, pdf.font_size_pt
    pdf.set_text_shaping(use_shaping_engine=True, direction=_direction(text))
    # fpdf2 can believe the page still has this font selected after a fallback-font run;
    # making it emit the font again keeps glyph sizes and spacing right.
    pdf.current_font_is_set_on_page = False
    lines = _wrap(pdf, text)
    if lines is None:  # a word wider than the page (a long web address): fpdf2 breaks it inside
        pdf.multi_cell(0, height, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT, **kwargs)  # type: ignore[arg-type]
    for line in lines or ():
        if pdf.will_page_break(height):
            pdf.add_page()
        pdf.current_font_is_set_on_page = False
        pdf.cell(0, height, line, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT, **kwargs)  # type: ignore[arg-type]
    # Text in a fallback font can leave that font selected; the next paragraph starts clean.
    pdf.set_font(family, style, size)


def _wrap(pdf: FPDF, text: str) -> list[str] | None:
    """Lines that fit the page, made from word widths (each word shaped once, in its own
    fallback font). fpdf2's own multi_cell re-shapes the line after every character, which
    made an Urdu report take seconds; None when a single word does not fit on a line."""
    room = (pdf.epw - 2 * pdf.c_margin) * 0.995
    space = _word_width(pdf, " ")
    lines = []
    for paragraph in text.split("\n"):
        line: list[str] = []
        used = 0.0
        for word in paragraph.split(" "):
            width = _word_width(pdf, word)
            if width > room:
                return None
            if line and used + space + width > room:
                lines.append(" ".join(line))
                line, used = [], 0.0
            used += (space if line else 0.0) + width
            line.append(word)
        lines.append(" ".join(line))
    return lines


def _word_width(pdf: FPDF, word: str) -> float:
    cache: dict[tuple[str, str, float, str], float] = pdf.__dict__.setdefault("_word_widths", {})
    key = (pdf.font_family, pdf.font_style, pdf.font_size_pt, word)
    if key not in cache:
        cache[key] = sum(fragment.get_width() for fragment in pdf._preload_font_styles(word, markdown=False))
    return cache[key]


def _english(pdf: FPDF, text: str, size: float, align: str) -> None:
    """The English heading under a translated one, small and grey: read left to right, but
    placed on the same side as the heading above it so the two stay together."""
    pdf.set_font("NotoSans", "", size)
    pdf.set_text_color(*GREY)
    _write(pdf, "English: " + text, size * 0.5, align)


def _outline_name(title: str, title_en: str | None) -> str:
    return f"{title} / {title_en}" if title_en else title


def _section_heading(pdf: FPDF, main: str, title: str, title_en: str | None, align: str) -> None:
    if pdf.will_page_break(30):
        pdf.add_page()
    pdf.ln(2)
    pdf.set_fill_color(232, 240, 250)
    pdf.set_text_color(*ACCENT)
    pdf.set_font(main, "B", 14)
    # The outline (bookmarks) keeps the headings in reading order, in both languages, for
    # readers who jump to a section and for screen readers; shaped RTL text on the page cannot.
    pdf.start_section(_outline_name(title, title_en))
    _write(pdf, title, 8, align, fill=True)
    if title_en:
        _english(pdf, title_en, 9.5, align)
    pdf.ln(2)


def _item(pdf: _ReportPdf, main: str, item: ReportItem, align: str) -> None:
    if pdf.will_page_break(22):
        pdf.add_page()
    pdf.set_text_color(20, 24, 32)
    pdf.set_font(main, "B", BODY_SIZE)
    if item.heading:  # an item without a heading is read under its section's (the family's summary sheet)
        pdf.start_section(_outline_name(item.heading, item.heading_en), level=1, strict=False)
        _write(pdf, item.heading, LINE, align)
    if item.heading_en:
        _english(pdf, item.heading_en, 9, align)
    pdf.set_text_color(20, 24, 32)
    pdf.set_font(main, "", BODY_SIZE)
    if item.note:
        if item.note.startswith("("):  # "(skipped)", "(not answered)": quieter than an answer
            pdf.set_text_color(*GREY)
        _write(pdf, item.note, LINE, align)
        pdf.set_text_color(20, 24, 32)
    for paragraph in item.paragraphs:
        # The person's words exactly as written (fpdf2 reads no markup unless asked to).
        _write(pdf, paragraph, LINE, align)
        pdf.ln(1.2)
    for image in item.images:
        _image(pdf, main, image, align)
    pdf.ln(3)


def _image(pdf: _ReportPdf, main: str, data: bytes, align: str) -> None:
    max_w, max_h = pdf.epw, 90.0
    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
        scale = min(max_w / width, max_h / height)
        w, h = width * scale, height * scale
        if pdf.will_page_break(h + 4):
            pdf.add_page()
        x = pdf.l_margin if align == "L" else pdf.l_margin + pdf.epw - w
        pdf.image(io.BytesIO(data), x=x, y=pdf.get_y(), w=w, h=h)
        pdf.set_y(pdf.get_y() + h + 3)
    except Exception as exc:  # noqa: BLE001 - a broken picture must not lose the rest of the report
        log.warning("pdf.image_skipped error=%s", type(exc).__name__)
        pdf.set_font(main, "", 10)
        pdf.set_text_color(*GREY)
        _write(pdf, pdf.missing_picture, 5, align)
        pdf.set_text_color(20, 24, 32)
