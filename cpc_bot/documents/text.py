"""A person's words made safe for a file: no control characters.

A Telegram message can carry characters no document may hold: XML 1.0 (inside every Word
file) forbids most C0 controls, and python-docx refuses the whole file for one of them; in a
PDF they draw nothing or a box. The Word file and the PDF both go through
:func:`clean_document`, so they show the same words.
"""

from __future__ import annotations

import re
from dataclasses import replace

from cpc_bot.documents.report import ReportDocument, ReportItem, ReportSection

#: What is removed: every C0 control except tab and newline (carriage return included), DEL,
#: the C1 controls (U+0085 "next line" too), lone surrogates and the two non-characters
#: U+FFFE and U+FFFF: everything XML 1.0 forbids, and the controls it allows but nobody reads.
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def without_controls(text: str) -> str:
    """``text`` without control characters; newlines and tabs stay."""
    return CONTROLS.sub("", text)


def _item(item: ReportItem) -> ReportItem:
    return replace(
        item,
        heading=without_controls(item.heading),
        heading_en=None if item.heading_en is None else without_controls(item.heading_en),
        paragraphs=[without_controls(paragraph) for paragraph in item.paragraphs],
        note=None if item.note is None else without_controls(item.note),
    )


def clean_document(doc: ReportDocument) -> ReportDocument:
    """The same document with every piece of text :func:`without_controls`."""
    return replace(
        doc,
        title=without_controls(doc.title),
        title_en=None if doc.title_en is None else without_controls(doc.title_en),
        intro_lines=[without_controls(line) for line in doc.intro_lines],
        cover=[without_controls(line) for line in doc.cover],
        sections=[
            ReportSection(without_controls(section.title),
                          None if section.title_en is None else without_controls(section.title_en),
                          [_item(item) for item in section.items])
            for section in doc.sections
        ],
        footer=without_controls(doc.footer),
    )
