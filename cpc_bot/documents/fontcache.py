"""Fonts parsed once per process and shared, read-only, by every PDF.

fpdf2's ``add_font`` parses a TTF with fontTools for every new document (tens of
milliseconds for Noto Nastaliq), and at output its subsetter decompiles the font's layout
tables (GSUB, GPOS, GDEF: most of Nastaliq) only to drop them before subsetting.

Here each font file is read once per process. What never changes is shared by every
document: the character map, glyph widths and ids, and the HarfBuzz face (where HarfBuzz
keeps its shaping tables and plans). What a document changes is its own: the glyph subset,
the font descriptor (it becomes a PDF object), a HarfBuzz font (its size is set while
shaping), shaping results, and the fontTools font that the subsetter cuts down at output.
That last one is opened from an in-memory copy of the file without the tables the
subsetter would drop, and saved without recalculating bounding boxes: each glyph is copied
as the font file has it (with its own, correct box) instead of being decoded and encoded
again. The embedded subset has the same glyphs, outlines and widths as plain fpdf2's; only
the font-wide maxima in head, hhea and maxp stay those of the whole font (still true of
the subset: they are upper bounds).

Documents may be made in worker threads (``asyncio.to_thread``): shared objects are
created under a lock and only read afterwards.
"""

from __future__ import annotations

import copy
import io
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar, cast

from fontTools import subset as ftsubset
from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import TextEmphasis
from fpdf.fonts import HarfBuzzFont, SubsetMap, TTFFont, hb

#: Tables fpdf2 (2.8) tells the fontTools subsetter to drop on top of its defaults
#: (fpdf/output.py, ``OutputProducer._add_fonts``). The embedded subsets are compared with
#: plain fpdf2's in tests/documents/test_fontcache.py, so a change there shows up.
FPDF_DROPPED_TABLES = (
    "FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta", "sbix", "CBDT", "CBLC", "EBDT", "EBLC",
    "EBSC", "SVG ", "CPAL", "COLR",
)

#: Tables fpdf2 draws colour glyphs from (fpdf/font_type_3.py): such a font is not shared.
COLOUR_TABLES = ("COLR", "CPAL", "CBDT", "CBLC", "EBDT", "EBLC", "sbix", "SVG ")

#: Attributes of a parsed font that no document changes: shared, never copied.
_SHARED = (
    "type", "name", "glyph_ids", "sp", "ss", "up", "ut", "ttffile", "scale", "cmap", "color_font",
    "palette_index", "is_compressed", "is_cff", "is_cid_keyed", "is_symbol", "cff_ros",
    "collection_font_number",
)

_ShapeKey = tuple[str, float, Any, Any, Any, tuple[tuple[str, Any], ...]]


def _shape_key(text: str, font_size_pt: float, params: dict[str, Any] | None) -> _ShapeKey:
    """Everything fpdf2's ``perform_harfbuzz_shaping`` passes to HarfBuzz."""
    if not params:
        return (text, font_size_pt, None, None, None, ())
    features = params.get("features")
    return (text, font_size_pt, params.get("fragment_direction"), params.get("script"),
            params.get("language"), tuple(sorted(features.items())) if features else ())


class SharedFont(TTFFont):
    """One document's font: parsed data shared with other documents, subset and shaping its own.

    Shaping results are kept for the document: fpdf2 shapes each piece of text several
    times (to measure it, to align it, to write it), and a report repeats its words.
    """

    __slots__ = ("_shaped", "_shaped_text", "_widths")

    _shaped: dict[_ShapeKey, tuple[Sequence[Any], Sequence[Any]]]
    _shaped_text: dict[_ShapeKey, Sequence[dict[str, Any]]]
    _widths: dict[_ShapeKey, tuple[int, float]]

    def shaped_text_width(
        self, text: str, font_size_pt: float, text_shaping_params: dict[str, Any] | None,
    ) -> tuple[int, float]:
        return _remembered(self._widths, _shape_key(text, font_size_pt, text_shaping_params),
                           lambda: super(SharedFont, self).shaped_text_width(text, font_size_pt, text_shaping_params))

    def perform_harfbuzz_shaping(
        self, text: str, font_size_pt: float, text_shaping_params: dict[str, Any] | None,
    ) -> tuple[Sequence[Any], Sequence[Any]]:
        return _remembered(self._shaped, _shape_key(text, font_size_pt, text_shaping_params),
                           lambda: super(SharedFont, self).perform_harfbuzz_shaping(text, font_size_pt, text_shaping_params))

    def shape_text(
        self, text: str, font_size_pt: float, text_shaping_params: dict[str, Any] | None,
    ) -> Sequence[dict[str, Any]]:
        # The same text again maps to the same glyphs: they are already in this document's
        # subset, with the same codes (fpdf2 only reads the list it gets back).
        return _remembered(self._shaped_text, _shape_key(text, font_size_pt, text_shaping_params),
                           lambda: super(SharedFont, self).shape_text(text, font_size_pt, text_shaping_params))


_V = TypeVar("_V")


def _remembered(cache: dict[_ShapeKey, _V], key: _ShapeKey, make: Callable[[], _V]) -> _V:
    value = cache.get(key)
    if value is None:
        value = cache[key] = make()
    return value


class _ParsedFont:
    """One font file, parsed once: what every document's font is made from."""

    def __init__(self, path: Path) -> None:
        # fpdf2 itself parses the file, so every shared value is exactly what add_font gives.
        parsed = TTFFont(cast(FPDF, SimpleNamespace(fonts={}, render_color_fonts=False)), path, "", "")
        self.colour = any(tag in parsed.ttfont for tag in COLOUR_TABLES)
        self.shared = {name: getattr(parsed, name) for name in _SHARED}
        self.cmap: dict[int, str] = parsed.cmap
        self.cw = parsed.cw
        self.desc = parsed.desc
        parsed.close()
        self.face = hb.Face(blob=hb.Blob.from_file_path(path), index=parsed.collection_font_number)
        self.embeddable = self._without_dropped_tables(path)

    @staticmethod
    def _without_dropped_tables(path: Path) -> bytes:
        """The font file without the tables the subsetter drops before it subsets: the same
        subset comes out, and fontTools no longer decompiles them just to throw them away."""
        options = ftsubset.Options(notdef_outline=True, recommended_glyphs=True)
        options.drop_tables += list(FPDF_DROPPED_TABLES)
        font = ttLib.TTFont(path, recalcTimestamp=False, lazy=True)
        # The subsetter's own rule (Subsetter._prune_pre_subset), in its order: "kern"
        # goes while GPOS is still there.
        for tag in ftsubset.Subsetter(options)._sort_tables(font):
            if (tag.strip() in options.drop_tables
                    or (tag.strip() in options.hinting_tables and not options.hinting)
                    or (tag == "kern" and not options.legacy_kern and "GPOS" in font)):
                del font[tag]
        out = io.BytesIO()
        font.save(out, reorderTables=False)
        font.close()
        return out.getvalue()

    def font_for(self, pdf: FPDF, fontkey: str, style: str) -> SharedFont:
        font = SharedFont.__new__(SharedFont)
        for name, value in self.shared.items():
            setattr(font, name, value)
        font.i = len(pdf.fonts) + 1
        font.fontkey = fontkey
        font.emphasis = TextEmphasis.coerce(style)
        font.desc = copy.copy(self.desc)  # output gives it an object number and a name
        font.cw = defaultdict(self.cw.default_factory, self.cw)
        font.biggest_size_pt = 0
        font.missing_glyphs = []
        # The subsetter cuts this one down in place at output: each document opens its own.
        # recalcBBoxes=False: the glyphs are written out as they are in the font file, not
        # decoded and encoded again only to work out bounding boxes the file already holds
        # (a third of the output time of an Urdu report); see _ParsedFont.
        font.ttfont = ttLib.TTFont(io.BytesIO(self.embeddable), recalcTimestamp=False, recalcBBoxes=False, lazy=True)
        font._hbfont = HarfBuzzFont(self.face)
        font._shaped, font._shaped_text, font._widths = {}, {}, {}
        font.subset = SubsetMap(font)
        return font


_parsed: dict[Path, _ParsedFont] = {}
_lock = threading.Lock()


def _parsed_font(path: Path) -> _ParsedFont:
    parsed = _parsed.get(path)
    if parsed is None:
        with _lock:
            parsed = _parsed.get(path)
            if parsed is None:
                parsed = _parsed[path] = _ParsedFont(path)
    return parsed


def cmap(path: Path) -> dict[int, str]:
    """The font's characters (code point -> glyph name), as fpdf2 reads them. Do not change it."""
    return _parsed_font(Path(path).resolve()).cmap


_covered: dict[Path, frozenset[int]] = {}


def covered(path: Path) -> frozenset[int]:
    """The characters the font has (the code points of :func:`cmap`), read once per process.

    Only the font's character map is read, so asking whether some font has a character does
    not parse every font; fonts are parsed in full when a document uses them (:func:`add_font`).
    """
    path = Path(path).resolve()
    codes = _covered.get(path)
    if codes is None:
        # The same map fpdf2 reads (TTFFont: ``getBestCmap``); two threads at once read the same.
        with ttLib.TTFont(path, lazy=True) as font:
            codes = _covered[path] = frozenset(font.getBestCmap() or ())
    return codes


def add_font(pdf: FPDF, family: str, style: str, path: Path) -> None:
    """``pdf.add_font(family, style, path)``, from fonts parsed once per process."""
    style = "".join(sorted(style.upper()))
    fontkey = f"{family.lower()}{style}"
    if fontkey in pdf.fonts:
        raise ValueError(f"font already added: {fontkey}")
    parsed = _parsed_font(Path(path).resolve())
    if parsed.colour and pdf.render_color_fonts:  # colour glyphs are drawn per document
        pdf.add_font(family, style, path)
        return
    font = parsed.font_for(pdf, fontkey, style)
    pdf.fonts[fontkey] = font
    if font.is_cff and font.is_cid_keyed:
        pdf._set_min_pdf_version("1.6")
