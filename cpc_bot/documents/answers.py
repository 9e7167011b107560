"""Turn a finished questionnaire into a report document: the person's own words, verbatim.

Sections follow the questionnaire (a step with ``section:`` starts one). When the
person used another language, every heading is shown in their language and in
English, so a professional who reads only English can follow it.

A professional's report (a dialog with ``audience: professional``) becomes a Word file they
finish by hand: its footer names the report and their organisation, the child's and parents'
details have marked blanks (the bot never asks for them) and it ends with a signature block.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from aiogram.utils.i18n import I18n

from cpc_bot.documents.report import Blanks, Paperwork, ReportDocument, ReportItem, ReportSection
from cpc_bot.engine.flow import Slot, item_count
from cpc_bot.engine.kinds import KINDS, ReportPart, tr
from cpc_bot.engine.labels import item_title, short_label
from cpc_bot.engine.values import format_day
from cpc_bot.engine.view import View
from cpc_bot.i18n.text import gettext as _
from cpc_bot.i18n.text import translating


def _section_title(slot: Slot) -> str | None:
    """The section a slot opens: its own, or its group's for the group's very first question."""
    if slot.group is None:
        return slot.step.section if slot.step is not None else None
    opens_group = slot.index == 0 and slot.step is slot.group.steps[0]
    return slot.group.section if opens_group else None


def _item_firsts(questions: list[Slot]) -> set[str]:
    """The first question shown of each item of a group whose items are sections of their own."""
    firsts: dict[tuple[str, int], str] = {}
    for slot in questions:
        if slot.group is not None and slot.group.item_sections and slot.index is not None:
            firsts.setdefault((slot.group.key, slot.index), slot.key)
    return set(firsts.values())


def _opens(slot: Slot, firsts: set[str], answers: Mapping[str, Any]) -> str | None:
    """The title of the section ``slot`` opens, translated (None: it opens none). An item that is a
    section of its own is named as the person named it: "Report 1: the social worker"."""
    group = slot.group
    if group is not None and group.item_sections:
        if slot.key not in firsts:
            return None
        named = _joined(answers.get(f"{group.key}.{slot.index}.{group.item_name}")) if group.item_name else ""
        return f"{item_title(slot)}: {named}" if named else item_title(slot)
    title = _section_title(slot)
    return _(title) if title else None


#: The professional's report asks for their organisation under this key, the kind of conference
#: under this one, and about each child in this repeat group (dialogs/pro_report.yaml).
ORGANISATION = "agency"
KIND = "kind"
CHILDREN = "children"
#: How many parents or carers get blanks for their details in a professional's Word file.
PARENT_BLANKS = 2


def _item_name(slot: Slot, answers: Mapping[str, Any]) -> str | None:
    """What the person called this item ("Child A"), for the group's other questions."""
    group = slot.group
    if group is None or group.item_name is None or slot.index is None or slot.step is None:
        return None
    if slot.step.key == group.item_name:  # "Child 1 - called in this report: Child A"
        return None
    return _joined(answers.get(f"{group.key}.{slot.index}.{group.item_name}")) or None


def _joined(value: Any) -> str:
    return " ".join(str(part) for part in value or []).strip() if isinstance(value, list) else ""


def _heading(slot: Slot, *, professional: bool = False, answers: Mapping[str, Any] | None = None) -> str:
    """The question as asked (the form's wording); "Child 2: Name" inside a repeat group.

    A professional reads "Worry 1 - what happened" and "Worry 1 - how we know": the item, then
    what the paragraph tells; a child they named reads "Child A - my reasons"."""
    if professional and slot.group is not None and slot.step is not None and slot.step.review_label:
        label = _(slot.step.review_label)
        if label[1:2].islower():  # "What happened" -> "what happened", but "ICPC" stays
            label = label[0].lower() + label[1:]
        return f"{_item_name(slot, answers or {}) or item_title(slot)} - {label}"
    if slot.group is not None and slot.group.item_sections and slot.step is not None:
        return tr(slot.step.review_label) or tr(slot.step.prompt)  # the section names the item already
    if slot.group is not None or slot.step is None:
        return short_label(slot)
    return tr(slot.step.prompt) or short_label(slot)


def _paperwork(view: View) -> Paperwork:
    """The blanks of a professional's Word file, in the current language: one for each child the
    report is about (by the name the professional chose), then the parents or carers.

    The rows are Staffordshire's "details of the child(ren) and family" (seed 001): "full details
    for initial conference, any changes for review conference"."""
    answers = view.answers
    group = next((s for s in view.dialog.steps if s.key == CHILDREN and s.kind == "repeat"), None)
    children = []
    if group is not None:
        for index in range(item_count(group, answers)):
            named = _joined(answers.get(f"{group.key}.{index}.{group.item_name}")) if group.item_name else ""
            children.append(named or _("%(item)s %(number)d") % {"item": tr(group.item_label), "number": index + 1})
    child_rows = [_("Full name"), _("Date of birth"), _("Ethnicity"), _("Disability or special need")]
    parent_rows = [_("Full name"), _("Other names they are known by"), _("Date of birth"), _("Relationship to the child"),
                   _("Address"), _("Parental responsibility (yes or no)")]
    note = _("Fill these in on your organisation's own systems, not in the chat: the bot never asks for full names, "
             "dates of birth or addresses.")
    if answers.get(KIND) == "review":
        note += " " + _("For a review conference, fill in only what has changed since the last conference.")
    return Paperwork(
        identity_note=note,
        identity=[*(Blanks(name, child_rows) for name in children or [_("The child")]),
                  *(Blanks(_("Parent or carer %(number)d") % {"number": n}, parent_rows) for n in range(1, PARENT_BLANKS + 1))],
        blank=_("[to fill in]"),
        signature=[_("Signature"), _("Name"), _("Job title"), _("Date")],
        page_of=_("Page %(page)s of %(pages)s"),
    )


def _answer(view: View, slot: Slot, locale: str, images: Mapping[str, bytes]) -> ReportPart:
    """The person's words verbatim, a short note for an answer that is not words, pictures: as
    the question's kind puts them (:meth:`cpc_bot.engine.kinds.Kind.report`)."""
    step = slot.step
    assert step is not None
    stored = view.stored.get(slot.key)
    if stored is None:
        return ReportPart([], _("(not answered)"))
    if stored.skipped or stored.value is None:
        # A family's report goes to the conference: a question they chose to skip reads as not
        # answered (the intro promised they could skip anything), never as a refusal.
        return ReportPart([], _("(not answered)") if view.dialog.audience == "parent" else _("(skipped)"))
    return KINDS[step.kind].report(step, stored.value, locale, images)


def build_answers_document(
    view: View,
    i18n: I18n,
    *,
    locale: str,
    made_on: date,
    images: Mapping[str, bytes],
    intro_lines: list[str] | None = None,
    only: set[str] | None = None,
    meeting_day: date | None = None,
) -> ReportDocument:
    """The report for one response, in ``locale`` (headings also in English when not English).

    ``only`` limits it to those answers: what a child chose to share, and nothing else.
    A ``cover`` question (a child's first name) is written at the top, "My name: Mo", with the
    day of the meeting when it is known (``meeting_day``), as on the paper booklet's front. The
    words come from ``i18n``, whatever the channel-free core was given (:func:`translating`).
    """
    with translating(i18n):
        return _build(view, i18n, locale=locale, made_on=made_on, images=images, intro_lines=intro_lines, only=only,
                      meeting_day=meeting_day)


def _build(view: View, i18n: I18n, *, locale: str, made_on: date, images: Mapping[str, bytes],
           intro_lines: list[str] | None, only: set[str] | None, meeting_day: date | None) -> ReportDocument:
    bilingual = locale != "en"
    dialog = view.dialog
    professional = dialog.audience == "professional"
    chosen = [s for s in view.slots if s.is_question and (only is None or s.key in only)]
    cover = [s for s in chosen if s.step is not None and s.step.cover]
    questions = [s for s in chosen if s not in cover]
    firsts = _item_firsts(questions)

    def headings(in_locale: str) -> tuple[str, list[str | None], list[str]]:
        with i18n.use_locale(in_locale):
            return (
                _(dialog.report_title or dialog.title),
                [_opens(s, firsts, view.answers) for s in questions],
                [_heading(s, professional=professional, answers=view.answers) for s in questions],
            )

    title_en, sections_en, labels_en = headings("en")
    with i18n.use_locale(locale):
        title, section_titles, labels = headings(locale)
        front = [_("%(label)s: %(answer)s") % {"label": tr(s.step.review_label), "answer": _joined(view.answers.get(s.key))}
                 for s in cover if s.step is not None and _joined(view.answers.get(s.key))]
        if meeting_day is not None:
            front.append(_("Date of meeting: %(day)s") % {"day": format_day(meeting_day, locale)})
        lines = [_("Made on %(day)s") % {"day": format_day(made_on, locale)}, *(intro_lines or [])]
        sections: list[ReportSection] = []
        current: list[ReportItem] = []
        current_title, current_title_en = _("Your answers"), "Your answers"
        for index, slot in enumerate(questions):
            if section_titles[index] is not None:
                if current:
                    sections.append(ReportSection(current_title, current_title_en if bilingual else None, current))
                current = []
                current_title, current_title_en = section_titles[index] or "", sections_en[index]
            part = _answer(view, slot, locale, images)
            current.append(ReportItem(
                heading=labels[index],
                heading_en=labels_en[index] if bilingual else None,
                paragraphs=part.paragraphs,
                note=part.note,
                images=part.images,
            ))
        if professional:  # dated by hand under the signature
            paperwork: Paperwork | None = _paperwork(view)
            organisation = " ".join(str(part) for part in view.answers.get(ORGANISATION) or []).strip()
            footer = " · ".join(part for part in (title, organisation) if part)
        else:  # the form ends with the names and the date: the date goes under the last answers
            paperwork = None
            current.append(ReportItem(_("Date"), "Date" if bilingual else None, [], format_day(made_on, locale)))
            footer = _("Private: about your family. Share it only with the people you choose.")
        sections.append(ReportSection(current_title, current_title_en if bilingual else None, current))
    return ReportDocument(
        title=title,
        title_en=title_en if bilingual else None,
        locale=locale,
        intro_lines=lines,
        sections=sections,
        footer=footer,
        paperwork=paperwork,
        cover=front,
    )
