"""A professional's Word file in Arabic or Urdu reads from the right, its page numbers included."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_DIRECTION
from docx.oxml.ns import qn

from cpc_bot.documents.docx import render_docx
from cpc_bot.documents.report import Blanks, Paperwork, ReportDocument, ReportItem, ReportSection


def arabic_report() -> ReportDocument:
    return ReportDocument(
        title="تقرير إلى مؤتمر حماية الطفل",
        title_en="Report to a Child Protection Conference",
        locale="ar",
        intro_lines=["أُعدّ بتاريخ 24 نوفمبر 2026"],
        sections=[ReportSection("ما الذي يقلقنا: الأذى", None, [ReportItem("مصدر قلق 1 - ما الذي حدث", None, ["..."])])],
        footer="تقرير إلى مؤتمر حماية الطفل · NHS",
        paperwork=Paperwork(
            identity_note="املأ هذه البيانات بخط اليد.", identity=[Blanks("الطفل A", ["الاسم الكامل", "العنوان"])], blank="[للتعبئة]",
            signature=["التوقيع", "الاسم", "المسمى الوظيفي", "التاريخ"], page_of="الصفحة %(page)s من %(pages)s",
        ),
    )


def test_an_arabic_word_file_reads_from_the_right() -> None:
    word = Document(io.BytesIO(render_docx(arabic_report())))
    normal = word.styles["Normal"].element.pPr
    assert normal is not None and normal.find(qn("w:bidi")) is not None  # every style is based on Normal
    assert all(table.table_direction == WD_TABLE_DIRECTION.RTL for table in word.tables) and len(word.tables) == 2
    footer = word.sections[0].footer.paragraphs[0]
    assert footer.text == "تقرير إلى مؤتمر حماية الطفل · NHS · الصفحة 1 من 1"  # the fields' shown value is 1
    assert [e.text.strip() for e in footer._p.iter(qn("w:instrText"))] == ["PAGE", "NUMPAGES"]
    label = next(p for p in word.paragraphs if p.text == "مصدر قلق 1 - ما الذي حدث")
    assert label.runs[0].font.cs_bold  # Word draws Arabic bold from the complex-script flag
