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
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from PIL import Image

from cpc_bot.documents import fontcache
from cpc_bot.documents.report import ReportDocument, ReportItem, ReportSection
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
        """Nothing here: the footers are written when every page is laid out (``_footers``)."""


#: Unicode blocks each fallback family covers: a family is loaded only when the text needs it.
SCRIPT_RANGES = {
    "NotoSansArabic": ((0x0600, 0x06FF), (0x0750, 0x077F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
    "NotoNastaliqUrdu": ((0x0600, 0x06FF), (0x0750, 0x077F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
    "NotoSansGujarati": ((0x0A80, 0x0AFF),),
    "NotoSansGurmukhi": ((0x0A00, 0x0A7F),),
    "NotoSansBengali": ((0x0980, 0x09FF),),
}


def _all_text(doc: ReportDocument) -> str:
    parts = [doc.title, doc.title_en or "", doc.footer, *doc.cover, *doc.intro_lines]
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


def _setup_fonts(pdf: FPDF, doc: ReportDocument, *labels: str) -> None:
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
        # NotoSans last: a paragraph set in a fallback font (_font_for) finds its Latin words there.
        pdf.set_fallback_fonts([*fallbacks, "NotoSans"], exact_match=False)


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
    pdf = _ReportPdf(doc.footer, page_label)
    pdf.missing_picture = missing_picture
    pdf.nastaliq = FIRST_FALLBACK.get(doc.locale) == "NotoNastaliqUrdu"
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(auto=True, margin=BOTTOM_MARGIN)
    # Page numbers are written once the pages are counted (_footers), never through fpdf2's
    # "{nb}" alias: a person who types "{nb}" reads "{nb}", not the number of pages.
    pdf.str_alias_nb_pages = ""
    _setup_fonts(pdf, doc, page_label.format(page=0, pages=0), missing_picture)
    pdf.set_title(doc.title_en or doc.title)
    pdf.set_lang(doc.locale)
    pdf.set_creator("CPC Companion")
    pdf.set_creation_date(created or datetime.now(UTC))
    pdf.add_page()
    pdf.set_fill_color(232, 240, 250)  # behind section headings
    layout = _Layout(pdf, "R" if is_rtl(doc.locale) else "L")
    layout.title(doc)
    starts = []
    for section in doc.sections:
        layout.section_heading(section.title, section.title_en)
        for item in section.items:
            starts.append(len(layout.units))
            layout.item(item)
    if starts:
        layout.keep_closing(starts[-1])
    layout.place()
    _footers(pdf)
    return bytes(pdf.output())


#: The text stops this far above the foot of the page: the footer and page number go below.
BOTTOM_MARGIN = 20
DARK = (20, 24, 32)


@dataclass(slots=True)
class _Line:
    """One line of text as laid out: its font, colour and height, and whether it must stay on
    the same page as what comes after it (a heading, the first line of a paragraph)."""

    text: str
    family: str
    style: str
    size: float
    color: tuple[int, int, int]
    height: float
    fill: bool = False
    keep: bool = False
    outline: tuple[str, int] | None = None  # a bookmark to the heading this line starts


@dataclass(slots=True)
class _Space:
    height: float
    keep: bool = False
    outline: None = None


@dataclass(slots=True)
class _Picture:
    data: bytes
    width: float
    height: float  # as drawn; 3 mm of room follow it
    keep: bool = False
    outline: None = None

    @property
    def room(self) -> float:
        return self.height + 3


_Unit = _Line | _Space | _Picture


def _room(unit: _Unit) -> float:
    return unit.room if isinstance(unit, _Picture) else unit.height


class _Layout:
    """The document as a list of lines, spaces and pictures, then placed on pages.

    Each unit knows its height before anything is drawn, so a page is turned before a heading
    that would be left at the foot of a page: a heading stays with the first two lines of its
    answer, a drawing with its heading, a paragraph never leaves one line behind or ahead
    (orphans and widows), and the closing line (the date) never stands alone on a last page.
    """

    def __init__(self, pdf: _ReportPdf, align: str) -> None:
        self.pdf = pdf
        self.align = align
        self.units: list[_Unit] = []

    # ---------------------------------------------------------------- building
    def text(self, text: str, family: str, style: str, size: float, color: tuple[int, int, int], height: float,
             *, fill: bool = False, outline: tuple[str, int] | None = None) -> list[_Line]:
        """One paragraph in lines that fit the page, each shaped in the paragraph's own direction
        (an English answer in an Urdu report stays readable)."""
        pdf = self.pdf
        text = _printable(pdf, text)
        if pdf.nastaliq and any("\u0600" <= c <= "\u06ff" for c in text):
            height *= 1.3  # Nastaliq's letters climb and descend further than other scripts'
        family = _font_for(pdf, text, family, style)
        pdf.set_font(family, style, size)
        pdf.set_text_shaping(use_shaping_engine=True, direction=_direction(text))  # widths as drawn
        lines = [_Line(line, family, style, size, color, height, fill) for line in _wrap(pdf, text)]
        if lines:
            lines[0].outline = outline
        if len(lines) >= 2:
            lines[0].keep = True  # no first line alone at the foot of a page
            lines[-2].keep = True  # no last line alone at the top of the next
        self.units += lines
        return lines

    def english(self, text: str, size: float) -> list[_Line]:
        """The English heading under a translated one, small and grey: read left to right, but
        placed on the same side as the heading above it so the two stay together."""
        return self.text("English: " + text, "NotoSans", "", size, GREY, size * 0.5)

    def space(self, height: float, *, keep: bool = False) -> None:
        self.units.append(_Space(height, keep))

    def picture(self, data: bytes) -> None:
        pdf = self.pdf
        try:
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
            scale = min(pdf.epw / width, 90.0 / height)
        except Exception as exc:  # noqa: BLE001 - a broken picture must not lose the rest of the report
            log.warning("pdf.image_skipped error=%s", type(exc).__name__)
            self.text(pdf.missing_picture, "NotoSans", "", 10, GREY, 5)
            return
        self.units.append(_Picture(data, width * scale, height * scale))

    def title(self, doc: ReportDocument) -> None:
        for line in self.text(doc.title, "NotoSans", "B", 17, ACCENT, 8.5):
            line.keep = True
        if doc.title_en:
            self.english(doc.title_en, 10.5)
        self.space(1.5)
        for line in doc.cover:  # a child's name and the meeting's day: read first, so darker
            self.text(line, "NotoSans", "", BODY_SIZE, DARK, LINE)
        if doc.cover:
            self.space(1)
        for intro in doc.intro_lines:
            self.text(intro, "NotoSans", "", 10.5, GREY, 5.5)
        self.space(3)

    def section_heading(self, title: str, title_en: str | None) -> None:
        """A section's heading, kept with the first item under it. The outline (bookmarks)
        keeps the headings in reading order, in both languages, for readers who jump to a
        section and for screen readers; shaped right-to-left text on the page cannot."""
        self.space(2, keep=True)
        heading = self.text(title, "NotoSans", "B", 14, ACCENT, 8, fill=True, outline=(_outline_name(title, title_en), 0))
        if title_en:
            heading += self.english(title_en, 9.5)
        for line in heading:
            line.keep = True
        self.space(2, keep=True)

    def item(self, item: ReportItem) -> None:
        start = len(self.units)
        # An item without a heading is read under its section's (the family's summary sheet).
        heading = self.text(item.heading, "NotoSans", "B", BODY_SIZE, DARK, LINE,
                            outline=(_outline_name(item.heading, item.heading_en), 1)) if item.heading else []
        if item.heading_en:
            heading += self.english(item.heading_en, 9)
        for line in heading:
            line.keep = True
        if item.note:
            # "(skipped)", "(not answered)": quieter than an answer
            self.text(item.note, "NotoSans", "", BODY_SIZE, GREY if item.note.startswith("(") else DARK, LINE)
        for paragraph in item.paragraphs:
            # The person's words exactly as written (fpdf2 reads no markup unless asked to).
            self.text(paragraph, "NotoSans", "", BODY_SIZE, DARK, LINE)
            self.space(1.2)
        first_picture = len(self.units)
        for image in item.images:
            self.picture(image)
        if first_picture < len(self.units) and isinstance(self.units[first_picture], _Picture):
            # A drawing is never pushed to the next page away from its heading: the heading
            # (and the words before the drawing) go with it.
            for unit in self.units[start:first_picture]:
                unit.keep = True
        self.space(3)

    def keep_closing(self, start: int) -> None:
        """The last item (the date at the end of a family's report) stays on a page with the
        end of the answer before it, so no last page holds only the closing line."""
        for unit in self.units[start:-1]:
            unit.keep = True
        index = start - 1
        while index >= 0 and isinstance(self.units[index], _Space):
            self.units[index].keep = True
            index -= 1
        if index >= 0:
            self.units[index].keep = True

    # ---------------------------------------------------------------- placing
    def place(self) -> None:
        pdf = self.pdf
        units = self.units
        body = pdf.page_break_trigger - pdf.t_margin
        for index, unit in enumerate(units):
            at_top = pdf.get_y() <= pdf.t_margin + 0.01
            if isinstance(unit, _Space) and at_top:
                continue  # a page never starts with an empty gap
            need = _room(unit)
            last = index
            while units[last].keep and last + 1 < len(units):
                last += 1
                need += _room(units[last])
            if need > body:  # more than a page has to stay together: keep only the next unit
                need = _room(unit) + (_room(units[index + 1]) if unit.keep and index + 1 < len(units) else 0)
            if not at_top and pdf.will_page_break(need):
                pdf.add_page()
                if isinstance(unit, _Space):
                    continue
            self.draw(unit)

    def draw(self, unit: _Unit) -> None:
        pdf = self.pdf
        if isinstance(unit, _Space):
            pdf.set_y(pdf.get_y() + unit.height)
        elif isinstance(unit, _Picture):
            x = pdf.l_margin if self.align == "L" else pdf.l_margin + pdf.epw - unit.width
            y = pdf.get_y()
            try:
                pdf.image(io.BytesIO(unit.data), x=x, y=y, w=unit.width, h=unit.height)
            except Exception as exc:  # noqa: BLE001 - it opened but does not decode: say so, go on
                log.warning("pdf.image_skipped error=%s", type(exc).__name__)
                _cell(pdf, pdf.missing_picture, "NotoSans", "", 10, GREY, 5, self.align)
                return
            pdf.set_y(y + unit.room)
        else:
            if unit.outline:
                pdf.start_section(unit.outline[0], level=unit.outline[1], strict=False)
            _cell(pdf, unit.text, unit.family, unit.style, unit.size, unit.color, unit.height, self.align,
                  fill=unit.fill)


def _cell(pdf: FPDF, text: str, family: str, style: str, size: float, color: tuple[int, int, int], height: float,
          align: str, *, fill: bool = False) -> None:
    pdf.set_font(family, style, size)
    pdf.set_text_color(*color)
    pdf.set_text_shaping(use_shaping_engine=True, direction=_direction(text))
    # fpdf2 can believe the page still has this font selected after a fallback-font run;
    # making it emit the font again keeps glyph sizes and spacing right.
    pdf.current_font_is_set_on_page = False
    pdf.cell(0, height, text, align=align, fill=fill, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _footers(pdf: _ReportPdf) -> None:
    """Each page's footer and its number, "4 / 5", written once every page is laid out: the
    number of pages is known, so the label is one run of text with a space on either side of
    the slash, read the same way in every language."""
    pages = pdf.page
    pdf.set_auto_page_break(False)
    text = _printable(pdf, pdf.footer_text)
    family = _font_for(pdf, text, "NotoSans", "")
    pdf.set_font(family, "", 8.5)
    pdf.set_text_shaping(use_shaping_engine=True, direction=_direction(text))
    lines = _wrap(pdf, text)
    # Nastaliq (Urdu) stands taller than other scripts: its line gets more room.
    tall = any(0x0600 <= ord(c) <= 0x06FF for c in text)
    height = 8 if tall else 5
    for number in range(1, pages + 1):
        pdf.page = number
        pdf.set_y(-(12 if tall else 9) - height * len(lines))
        for line in lines:
            _cell(pdf, line, family, "", 8.5, GREY, height, "C")
        _cell(pdf, pdf.page_label.format(page=number, pages=pages), "NotoSans", "", 8.5, GREY, 4, "C")
    pdf.page = pages


def _direction(text: str) -> str:
    """"rtl" when the first letter is Arabic-script or Hebrew, else "ltr" (the Unicode bidi rule P2)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


_FAMILY_OF = {family.lower(): family for family in FAMILIES}


def _font_for(pdf: FPDF, text: str, family: str, style: str) -> str:
    """The family a paragraph is set in: ``family``, unless most of its letters are in a
    script only a fallback font has. Then the whole paragraph is set in that font (its own
    spaces and punctuation too), with NotoSans as a fallback for any Latin word in it: each
    line is shaped as one run instead of word by word, as fpdf2 would when the spaces come
    from NotoSans and every word from the fallback."""
    main = pdf.fonts[family.lower() + style].cmap
    others = [c for c in text if c.isalpha() and ord(c) not in main]
    if 2 * len(others) <= sum(1 for c in text if c.isalpha()):
        return family
    key = pdf.get_fallback_font(others[0], style)
    return _FAMILY_OF.get(key.lower().removesuffix(style.lower()), family) if key else family


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


def _wrap(pdf: FPDF, text: str) -> list[str]:
    """Lines that fit the page in the current font, made from word widths: each paragraph is
    split into font runs once, and each word is shaped once (fontcache keeps the widths).
    fpdf2's own multi_cell re-shapes the line after every character, which made an Urdu report
    take seconds. A word wider than a line (a long web address) is cut where it reaches the edge."""
    room = (pdf.epw - 2 * pdf.c_margin) * 0.995
    lines = []
    for paragraph in text.split("\n"):
        line: list[str] = []
        used = 0.0
        for word, width, space in _words(pdf, paragraph):
            if line and used + space + width > room:
                lines.append(" ".join(line))
                line, used = [], 0.0
            if width > room:
                *whole, word = _cut(pdf, word, room)
                lines += whole
                width = _text_width(pdf, word)
            used += (space if line else 0.0) + width
            line.append(word)
        lines.append(" ".join(line))
    return lines


def _words(pdf: FPDF, paragraph: str) -> list[tuple[str, float, float]]:
    """(word, its width, the width of the space before it) for each word of a paragraph, in
    the font run (main or fallback) each part of it is drawn in."""
    words: list[list[Any]] = [["", 0.0, 0.0]]
    for fragment in pdf._preload_font_styles(paragraph, markdown=False):
        for index, piece in enumerate(fragment.string.split(" ")):
            if index:
                words.append(["", 0.0, fragment.get_width(chars=" ")])
            if piece:
                words[-1][0] += piece
                words[-1][1] += fragment.get_width(chars=piece)
    return [(word, width, space) for word, width, space in words]


def _text_width(pdf: FPDF, text: str) -> float:
    return sum(fragment.get_width() for fragment in pdf._preload_font_styles(text, markdown=False))


def _cut(pdf: FPDF, word: str, room: float) -> list[str]:
    """A word too long for a line in pieces that fit (the longest prefix each time)."""
    pieces = []
    while word and _text_width(pdf, word) > room:
        low, high = 1, len(word)  # the longest prefix that fits is word[:low]
        while low < high:
            middle = (low + high + 1) // 2
            if _text_width(pdf, word[:middle]) <= room:
                low = middle
            else:
                high = middle - 1
        pieces.append(word[:low])
        word = word[low:]
    return [*pieces, word]


def _outline_name(title: str, title_en: str | None) -> str:
    return f"{title} / {title_en}" if title_en else title


#: A line in each script the fonts draw, for warm_up.
_SAMPLES = ("Aa 1 / 2", "اردو", "عربي", "ગુજરાતી", "ਪੰਜਾਬੀ", "বাংলা")


def warm_up() -> None:
    """Make the first report of a process as quick as any other: parse every font, import
    what output needs and let HarfBuzz plan each script, by rendering two small reports (Urdu
    with Nastaliq, Arabic with Naskh; every script and style, and a picture). The bot calls it
    in a thread once it is serving (``cpc_bot.app.warm_up_documents``), not before."""
    picture = io.BytesIO()
    Image.new("RGB", (2, 2), (255, 255, 255)).save(picture, format="PNG")
    for locale in ("ur", "ar"):
        items = [ReportItem(text, text, [text], text, images=[picture.getvalue()]) for text in _SAMPLES]
        render_pdf(ReportDocument(text := " ".join(_SAMPLES), text, locale, [text], [ReportSection(text, text, items)], text),
                   created=datetime(2026, 1, 1, tzinfo=UTC))
