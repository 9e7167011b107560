"""What a web page shows for the question in hand: the same words and buttons as on Telegram.

The session service's :class:`View` says which question is current and what is answered; the
wording of each step kind (:mod:`cpc_bot.engine.kinds`, :mod:`cpc_bot.engine.labels`) and the catalogues give every word. This module
only arranges them for a page: a title, where the person is, the question, its hint, what they
have written so far, whether it takes typed words, and the buttons (each an action and a value
for :meth:`DialogSession.tap`). Nothing here is escaped: the templates escape everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from cpc_bot.engine.flow import question_counts
from cpc_bot.engine.kinds import describe_answer, preview, tr
from cpc_bot.engine.kinds.date import date_example
from cpc_bot.engine.kinds.scale import FACES, face, scale_label, scale_rows
from cpc_bot.engine.labels import item_title, short_label, where_we_are
from cpc_bot.engine.view import View
from cpc_bot.i18n.text import gettext as _


@dataclass(frozen=True)
class Button:
    label: str
    action: str
    value: str = ""
    #: A button that stands out (the one to go on with).
    main: bool = False

    @property
    def pick(self) -> str:
        return f"{self.action}:{self.value}"


@dataclass
class Entry:
    """One answer on the review screen."""

    label: str
    shown: str
    edit: Button


@dataclass
class Screen:
    title: str
    where: str
    token: str
    item: str | None = None
    prompt: str | None = None
    hint: str | None = None
    #: Lines of plain text under the question ("Type the date as day/month/year ...").
    lines: list[str] = field(default_factory=list)
    #: What the person has written so far at this question.
    so_far: str | None = None
    #: "text" (several lines), "line" (a date or a time) or None (buttons only).
    typing: str | None = None
    rows: list[list[Button]] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    review: bool = False


def _nav(view: View, *, can_skip: bool) -> list[Button]:
    row = []
    if view.slots.index(view.current) > 0:
        row.append(Button(_("⬅️ Back"), "back"))
    if can_skip:
        row.append(Button(_("Skip ➡️"), "skip"))
    return row


def _later() -> list[Button]:
    return [Button(_("💾 Save and finish later"), "later")]


def question(view: View, *, locale: str, today: date | None) -> Screen:
    """The screen for the current question (or the review), as Telegram shows it."""
    slot = view.current
    dialog = view.dialog
    if slot.is_review:
        return review(view, locale=locale)
    step = slot.step
    assert step is not None
    screen = Screen(title=tr(dialog.title), where=where_we_are(dialog, view.slots, slot).strip(" ·"), token=slot.token)
    if slot.group is not None and not slot.is_more:
        screen.item = item_title(slot)
    if slot.is_more:
        group = slot.group
        assert group is not None
        screen.prompt = tr(group.prompt)
        screen.rows = [[Button(tr(group.add_another), "more", "add")], [Button(tr(group.done_label), "more", "stop", main=True)],
                       _nav(view, can_skip=False), _later()]
        return screen
    if step.kind == "info":
        text = tr(step.text)
        if step.text and "%(" in step.text:
            counts: Mapping[str, int] = question_counts(dialog, view.answers, view.context)
            text = text % counts
        screen.lines = [text]
        screen.rows = [[Button(_("Next ➡️"), "next", main=True)], _nav(view, can_skip=False), _later()]
        return screen
    screen.prompt = tr(step.prompt)
    screen.hint = _(step.hint) if step.hint else None
    value = view.value(slot.key)
    has_value = value is not None and value != []
    rows: list[list[Button]] = []
    if step.kind == "text":
        screen.typing = "text"
        if has_value:
            screen.so_far = preview("\n".join(value), 1500)
            screen.lines.append(_("Send more to add to it, or tap Done."))
            rows += [[Button(_("✅ Done"), "done", main=True)], [Button(_("✏️ Write it again"), "clear")]]
        elif step.max_messages == 1:
            screen.lines.append(_("Type your answer and send it."))
        else:
            screen.lines.append(_("Type your answer. You can send several messages, then tap Done."))
    elif step.kind == "drawing":
        screen.typing = "text"
        if has_value:
            screen.so_far = describe_answer(step, value, locale)
            rows += [[Button(_("✅ Done"), "done", main=True)], [Button(_("✏️ Start this one again"), "clear")]]
    elif step.kind == "time":
        screen.typing = "line"
        screen.lines.append(_("Type the time, for example 10:00 or 2.30pm."))
        if has_value:
            screen.lines.append(_("Your answer now: %(answer)s") % {"answer": value})
            rows.append([Button(_("✅ Keep this time"), "done")])
    elif step.kind == "date":
        screen.typing = "line"
        screen.lines.append(_("Type the date as day/month/year, for example %(example)s.") % {
            "example": date_example(step, today)})
        if has_value:
            screen.lines.append(_("Your answer now: %(answer)s") % {"answer": describe_answer(step, value, locale)})
            rows.append([Button(_("✅ Keep this date"), "done")])
    elif step.kind == "choice":
        for i, option in enumerate(step.options):
            rows.append([Button(("🔘 " if value == option.key else "") + _(option.label), "opt", str(i))])
    elif step.kind == "multi":
        chosen = value or []
        screen.lines.append(_("Tap all that apply, then tap Done."))
        for i, option in enumerate(step.options):
            rows.append([Button(("☑️ " if option.key in chosen else "⬜ ") + _(option.label), "tog", str(i))])
        rows.append([Button(_("✅ Done"), "done", main=True)])
    elif step.kind == "scale":
        assert step.min is not None and step.max is not None
        low_face, high_face = (f" {FACES[0]}", f" {FACES[-1]}") if step.faces else ("", "")
        screen.lines += [f"{step.min} = {tr(step.low_label)}{low_face}", f"{step.max} = {tr(step.high_label)}{high_face}"]
        if has_value:
            answer = describe_answer(step, value, locale) + (f" {face(value, step.min, step.max)}" if step.faces else "")
            screen.lines.append(_("Your answer now: %(answer)s") % {"answer": answer})
        rows += [[Button(scale_label(step, n, chosen=value == n), "sc", str(n)) for n in chunk]
                 for chunk in scale_rows(step.min, step.max)]
    rows += [_nav(view, can_skip=step.optional), _later()]
    screen.rows = [row for row in rows if row]
    return screen


def review(view: View, *, locale: str) -> Screen:
    """Every answer, each with a button to change it; Finish at the bottom."""
    dialog, slots = view.dialog, view.slots
    screen = Screen(title=tr(dialog.title), where="", token=view.current.token, review=True,
                    lines=[_("Check your answers. Tap one to change it.")])
    for slot in slots:
        if not slot.is_question:
            continue
        assert slot.step is not None
        answered = slot.key in view.answers or slot.key in view.skipped
        shown = (describe_answer(slot.step, view.answers.get(slot.key), locale, skipped=slot.key in view.skipped)
                 if answered else _("(not answered yet)"))
        label = short_label(slot)
        screen.entries.append(Entry(label, preview(shown, 600), Button("✏️ " + preview(label, 40), "edit", slot.token)))
    rows: list[list[Button]] = []
    for group in {s.group.key: s.group for s in slots if s.is_more and s.group}.values():
        index = str(dialog.steps.index(group))
        rows.append([Button("➕ " + tr(group.add_another), "add", index)])
        count = max((s.index or 0) for s in slots if s.group is group and s.index is not None) + 1
        if count > 1:
            rows.append([Button(_("🗑 Remove %(item)s %(number)d") % {"item": tr(group.item_label), "number": i + 1},
                                "rm", f"{index}-{i}") for i in range(count)])
    rows += [[Button(_("✅ Finish"), "finish", main=True)], [Button(_("⬅️ Back"), "back")], _later()]
    screen.rows = rows
    return screen
