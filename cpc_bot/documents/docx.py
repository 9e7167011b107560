"""The same report document as an editable Word file (python-docx), for professionals."""

from __future__ import annotations

import io

from docx import Document
from docx.shared import Pt, RGBColor

from cpc_bot.documents.report import ReportDocument
from cpc_bot.documents.text import clean_document

GREY = RGBColor(0x60, 0x68, 0x74)


def render_docx(doc: ReportDocument) -> bytes:
    """Headings as Word headings (so the navigation pane works), answers as plain paragraphs.

    Control characters are left out (:func:`clean_document`): one would stop the whole file."""
    doc = clean_document(doc)
    word = Document()
    word.styles["Normal"].font.size = Pt(11)
    word.core_properties.title = doc.title
    word.add_heading(doc.title, level=0)
    for line in doc.intro_lines:
        word.add_paragraph(line).runs[0].font.color.rgb = GREY
    for section in doc.sections:
        word.add_heading(section.title, level=1)
        for item in section.items:
            heading = word.add_paragraph()
            heading.add_run(item.heading).bold = True
            if item.note:
                word.add_paragraph(item.note)
            for paragraph in item.paragraphs:
                word.add_paragraph(paragraph)
    footer = word.sections[0].footer.paragraphs[0]
    footer.text = doc.footer
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()
