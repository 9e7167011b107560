"""The summary sheet a professional reads with the family before sending their report (no surprises).

The professional answers ``dialogs/pro_summary.yaml`` in their own language; the sheet's fixed
words (its title, the lines at the top and the three headings) are in the family's language when
it is one of ours, with the English under each heading, and the professional's own words are
exactly as written. Rendered by the same PDF code as every report (``documents/pdf.py``).

source: 000_6faa439c50d28911.txt (Lincolnshire): the headings "What are we worried about?",
"Existing Safety & Strengths (What's working well)" and "What Needs to Happen?"; "discussing your
report with them and providing them with a copy of this before submitting the report".
"""

from __future__ import annotations

from datetime import date

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from cpc_bot.documents.report import ReportDocument, ReportItem, ReportSection
from cpc_bot.engine.values import format_day
from cpc_bot.engine.view import View
from cpc_bot.i18n.markers import N_

#: The answer keys of ``dialogs/pro_summary.yaml`` and the fixed heading each is read under.
HEADINGS: tuple[tuple[str, str], ...] = (
    ("worries", N_("What we are worried about")),
    ("going_well", N_("What is going well")),
    ("needs", N_("What needs to happen")),
)

#: The answer naming the family's language: one of ours, or ``other``.
LANGUAGE_KEY = "language"


def family_locale(view: View, available: tuple[str, ...] | list[str]) -> str:
    """The language of the sheet's fixed words: the family's when we have it, else English."""
    chosen = view.answers.get(LANGUAGE_KEY)
    return chosen if isinstance(chosen, str) and chosen in available else "en"


def _fixed(made_on: date, locale: str) -> tuple[str, list[str], list[str], str]:
    """(title, lines at the top, headings, footer) in the current gettext locale."""
    title = _("What I will say at the child protection conference")
    lines = [
        _("Made on %(day)s") % {"day": format_day(made_on, locale)},
        _("I have written a report for the child protection conference. This is a short summary of it, in "
          "everyday words. I want to go through it with you before I send my report."),
        _("Please tell me if something is wrong, if you do not agree, or if something is not clear. You can "
          "also say what you think at the conference."),
    ]
    headings = [_(heading) for _key, heading in HEADINGS]
    footer = _("Private: about your family. Share it only with the people you choose.")
    return title, lines, headings, footer


def build_summary_document(view: View, i18n: I18n, *, locale: str, made_on: date) -> ReportDocument:
    """The sheet for one finished summary: fixed words in ``locale`` (and English under the headings
    when ``locale`` is not English), the professional's words verbatim."""
    bilingual = locale != "en"
    with i18n.use_locale("en"):
        title_en, _lines_en, headings_en, _footer_en = _fixed(made_on, "en")
    with i18n.use_locale(locale):
        title, lines, headings, footer = _fixed(made_on, locale)
    sections = []
    for index, (key, _heading) in enumerate(HEADINGS):
        words = [str(part) for part in view.answers.get(key) or [] if isinstance(part, str) and part.strip()]
        sections.append(ReportSection(headings[index], headings_en[index] if bilingual else None,
                                      [ReportItem(heading="", heading_en=None, paragraphs=words)]))
    return ReportDocument(title=title, title_en=title_en if bilingual else None, locale=locale,
                          intro_lines=lines, sections=sections, footer=footer)
