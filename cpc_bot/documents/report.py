"""A written report as plain data: what the PDF renderer lays out. No aiogram, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReportItem:
    heading: str  # the question, in the reader's language
    heading_en: str | None  # the same in English when the reader's language is not English
    paragraphs: list[str]  # the person's own words, verbatim
    note: str | None = None  # "(skipped)", "7 out of 10", a chosen option
    images: list[bytes] = field(default_factory=list)  # drawings (JPEG/PNG bytes)


@dataclass(frozen=True)
class ReportSection:
    title: str
    title_en: str | None
    items: list[ReportItem]


@dataclass(frozen=True)
class ReportDocument:
    title: str
    title_en: str | None
    locale: str
    intro_lines: list[str]
    sections: list[ReportSection]
    footer: str
