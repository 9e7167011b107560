"""The same report document as an editable Word file (python-docx), for professionals.

A4 with 2 cm margins (python-docx's own template is US Letter). A professional's report
(:attr:`ReportDocument.paperwork`) gets what they would otherwise add by hand: marked blanks
for the child's and parents' details, a signature block, and "page X of Y" in the footer as
real Word fields, so the numbers stay right after they edit the file.
"""

from __future__ import annotations

import io
import re

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_DIRECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from cpc_bot.documents.report import Paperwork, ReportDocument
from cpc_bot.documents.text import clean_document
from cpc_bot.i18n.locale import is_rtl

GREY = RGBColor(0x60, 0x68, 0x74)
#: What may follow ``w:bidi`` in a paragraph's properties: OOXML fixes their order.
_AFTER_BIDI = ("w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
               "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
               "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
#: Pale yellow: the colour of a form's "fill this in" boxes, and still readable when printed grey.
FILL_IN = "FFF4CC"


def _bold(run: Run) -> None:
    """Bold in every script: Word draws Arabic, Bengali... bold from the complex-script flag."""
    run.bold = run.font.cs_bold = True


def _italic(run: Run) -> None:
    run.italic = run.font.cs_italic = True


def _field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A Word field (PAGE, NUMPAGES) as Word writes one: begin, instruction, separate, result, end.

    python-docx has no API for fields (python-openxml/python-docx#1297), so the runs are built
    from OOXML elements; Word and LibreOffice compute the result when they lay out the page."""
    def add(element: OxmlElement) -> None:
        paragraph.add_run()._r.append(element)

    def char(kind: str) -> None:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        add(element)

    char("begin")
    instruction_text = OxmlElement("w:instrText")
    instruction_text.set(qn("xml:space"), "preserve")
    instruction_text.text = f" {instruction} "
    add(instruction_text)
    char("separate")
    paragraph.add_run(shown)  # what a reader shows before it computes the field
    char("end")


def _footer(paragraph: Paragraph, text: str, page_of: str | None) -> None:
    """The footer line; "page %(page)s of %(pages)s" becomes text with PAGE and NUMPAGES fields."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(text)
    if page_of is not None:
        paragraph.add_run(" · ")
        # "Page %(page)s of %(pages)s" -> ["Page ", "page", " of ", "pages", ""]: names are fields.
        for index, part in enumerate(re.split(r"%\((page|pages)\)s", page_of)):
            if index % 2:
                _field(paragraph, "PAGE" if part == "page" else "NUMPAGES", "1")
            elif part:
                paragraph.add_run(part)
    for run in paragraph.runs:
        run.font.size = Pt(9)
        run.font.color.rgb = GREY


def _shade(cell: _Cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _line_under(cell: _Cell) -> None:
    """A line to write on: the cell's bottom border (python-docx has no border API)."""
    borders = OxmlElement("w:tcBorders")
    bottom = OxmlElement("w:bottom")
    for name, value in (("w:val", "single"), ("w:sz", "8"), ("w:space", "0"), ("w:color", "000000")):
        bottom.set(qn(name), value)
    borders.append(bottom)
    cell._tc.get_or_add_tcPr().append(borders)


def _widths(table: Table, *widths: Length) -> None:
    """Column widths both readers follow: Word reads each cell's, LibreOffice the table grid."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width


def _identity_table(word: WordDocument, paperwork: Paperwork) -> None:
    """The children's and parents' details: for each person a title ("Child A") and shaded rows
    marked "[to fill in]", filled in by hand; a title stays on the page of its rows."""
    note = word.add_paragraph()
    _italic(note.add_run(paperwork.identity_note))
    note.paragraph_format.keep_with_next = True
    for block in paperwork.identity:
        title = word.add_paragraph()
        _bold(title.add_run(block.title))
        title.paragraph_format.keep_with_next = True
        title.paragraph_format.space_before = Pt(6)
        table = word.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        last = len(block.rows) - 1
        for index, label in enumerate(block.rows):
            row = table.add_row()
            row.height, row.height_rule = Cm(0.8), WD_ROW_HEIGHT_RULE.AT_LEAST  # room to write by hand
            _bold(row.cells[0].paragraphs[0].add_run(label))
            blank = row.cells[1].paragraphs[0].add_run(paperwork.blank)
            _italic(blank)
            blank.font.color.rgb = GREY
            for cell in row.cells:
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                cell.paragraphs[0].paragraph_format.keep_with_next = index < last  # one person's rows stay together
                _shade(cell, FILL_IN)
        _widths(table, Cm(7), Cm(10))


def _signature_block(word: WordDocument, paperwork: Paperwork) -> None:
    """Signature, name, job title and date, each with a line to write on, kept on one page."""
    word.add_paragraph().paragraph_format.keep_with_next = True
    table = word.add_table(rows=0, cols=2)
    last = len(paperwork.signature) - 1
    for index, label in enumerate(paperwork.signature):
        row = table.add_row()
        row.height, row.height_rule = Cm(1.1), WD_ROW_HEIGHT_RULE.AT_LEAST  # room to write by hand
        _bold(row.cells[0].paragraphs[0].add_run(label))
        _line_under(row.cells[1])
        for cell in row.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM  # the label sits on its line
            cell.paragraphs[0].paragraph_format.keep_with_next = index < last
    _widths(table, Cm(4), Cm(10))


def _right_to_left(word: WordDocument) -> None:
    """Arabic and Urdu read from the right: the Normal style (every other style is based on it)
    and every table turn round, so the footer's "page X of Y" reads in order too."""
    word.styles["Normal"].element.get_or_add_pPr().insert_element_before(OxmlElement("w:bidi"), *_AFTER_BIDI)
    for table in word.tables:
        table.table_direction = WD_TABLE_DIRECTION.RTL


def render_docx(doc: ReportDocument) -> bytes:
    """Headings as Word headings (so the navigation pane works), answers as plain paragraphs.

    Every heading and every answer's label stays on the page of what follows it. Control
    characters are left out (:func:`clean_document`): one would stop the whole file."""
    doc = clean_document(doc)
    word = Document()
    page = word.sections[0]
    page.page_width, page.page_height = Mm(210), Mm(297)
    page.left_margin = page.right_margin = page.top_margin = page.bottom_margin = Cm(2)
    page.header_distance = page.footer_distance = Cm(1)
    word.styles["Normal"].font.size = Pt(11)
    word.core_properties.title = doc.title
    word.add_heading(doc.title, level=0).paragraph_format.keep_with_next = True
    for line in doc.cover:
        word.add_paragraph(line)
    for line in doc.intro_lines:
        word.add_paragraph(line).runs[0].font.color.rgb = GREY
    if doc.paperwork is not None:
        _identity_table(word, doc.paperwork)
    for section in doc.sections:
        word.add_heading(section.title, level=1).paragraph_format.keep_with_next = True
        for item in section.items:
            label = word.add_paragraph()
            _bold(label.add_run(item.heading))
            label.paragraph_format.keep_with_next = True
            if item.note:
                word.add_paragraph(item.note)
            for paragraph in item.paragraphs:
                word.add_paragraph(paragraph)
    if doc.paperwork is not None:
        # A signature alone on the last page could be taken off; it goes with the last answer.
        word.paragraphs[-1].paragraph_format.keep_with_next = True
        _signature_block(word, doc.paperwork)
    _footer(page.footer.paragraphs[0], doc.footer, doc.paperwork.page_of if doc.paperwork else None)
    if is_rtl(doc.locale):
        _right_to_left(word)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()
