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
class Blanks:
    """One person's details, left blank to fill in by hand: "Child A" with its rows."""

    title: str
    rows: list[str]  # "Full name", "Date of birth", ...


@dataclass(frozen=True)
class Paperwork:
    """What a professional's Word file adds around the answers: lines filled in by hand.

    Names, dates of birth and addresses are never asked for by the bot (see README): the file
    has clearly marked blanks for them, a signature block at the end and numbered pages.
    """

    identity_note: str  # why the identity rows are blank
    identity: list[Blanks]  # each child the report is about, then the parents or carers
    blank: str  # "[to fill in]"
    signature: list[str]  # "Signature", "Name", "Job title", "Date"
    page_of: str  # "Page %(page)s of %(pages)s": the numbers become Word page fields


@dataclass(frozen=True)
class ReportDocument:
    title: str
    title_en: str | None
    locale: str
    intro_lines: list[str]
    sections: list[ReportSection]
    footer: str
    paperwork: Paperwork | None = None  # a professional's report only
    #: Lines under the title, before ``intro_lines`` and darker: a child's "My name: Mo" and the
    #: meeting's date, as on the front of the paper booklet.
    cover: list[str] = field(default_factory=list)

