"""A new kind of question is one file (issue 16 point 1).

This module is that file: ``YesNo`` below is all there is to a "yes_no" kind (its screen, the
words and taps it takes, how its answer reads and goes into a report). Registered, a
questionnaire may use it, and the whole bot runs it: the schema checks it, the session service
saves it, the Telegram adapter draws its buttons, the review and the written report read it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from aiogram.utils.i18n import I18n
from pypdf import PdfReader

from cpc_bot.documents.answers import build_answers_document
from cpc_bot.documents.pdf import render_pdf
from cpc_bot.emulator.server import BotApiEmulator
from cpc_bot.engine.kinds import KINDS, Ask, Button, Kind, Problem, Taken, Tapped, register
from cpc_bot.engine.schema import Step
from cpc_bot.i18n.text import gettext as _
from tests.helpers import BotHarness, buttons

PARENT = 5301


class YesNo(Kind):
    """A question answered yes or no: by a tap, or typed."""

    name = "yes_no"
    taps = frozenset({"yn"})

    def describe(self, step: Step, value: Any, locale: str) -> str:
        return _("Yes") if value else _("No")

    def accepts_text(self, step: Step) -> bool:
        return True

    def take_text(self, step: Step, so_far: Any, text: str, today: date) -> Taken | Problem:
        word = text.lower().rstrip(".!")
        if word not in ("yes", "no"):
            return Problem(_("Please tap Yes or No, or type yes or no."))
        return Taken(word == "yes", _("Saved."), advance=True)

    def tap(self, step: Step, so_far: Any, action: str, value: str) -> Tapped | None:
        return Tapped(value == "yes", advance=True) if value in ("yes", "no") else None

    def buttons(self, step: Step, ask: Ask) -> list[list[Button]]:
        return [[Button(("🔘 " if ask.value is True else "") + _("Yes"), "yn", "yes"),
                 Button(("🔘 " if ask.value is False else "") + _("No"), "yn", "no")]]


QUESTIONNAIRE = """\
id: school
version: 1
title: School questions
audience: parent
finished: Thank you.
steps:
  - key: school
    kind: yes_no
    prompt: Does your child go to school?
  - key: happy
    kind: yes_no
    prompt: Is your child happy at school?
    when: {answer: school, is: true}
  - key: more
    kind: text
    prompt: Anything else?
    optional: true
"""


@pytest.fixture
def dialogs_dir(tmp_path: Path) -> Iterator[Path]:
    register(YesNo)
    directory = tmp_path / "school_dialogs"
    directory.mkdir()
    (directory / "school.yaml").write_text(QUESTIONNAIRE, encoding="utf-8")
    yield directory
    del KINDS["yes_no"]


async def test_a_kind_from_one_file_runs_through_the_whole_bot(harness: BotHarness, emulator: BotApiEmulator) -> None:
    user = emulator.user(PARENT, first_name="Sam", language_code="en")
    await user.say("/start")
    await user.tap("👪 I am a parent or carer")
    await user.tap("📝 School questions")
    first = emulator.last_message(PARENT)
    assert "Does your child go to school?" in first.visible
    assert buttons(first) == ["Yes", "No", "🏠 Menu", "💾 Save and finish later", "🆘 I need help now"]

    await user.say("Perhaps")  # typed, and not yes or no: said first, nothing saved
    assert emulator.messages(PARENT)[-2].visible == "Please tap Yes or No, or type yes or no."
    await user.say("Yes.")
    shown = emulator.last_message(PARENT).visible
    assert shown.startswith("Saved.") and "Is your child happy at school?" in shown  # the condition holds

    question = emulator.last_message(PARENT)
    await user.tap("No")
    # The tapped question keeps its words and shows the answer; the next one is a new message.
    assert buttons(emulator.messages(PARENT)[-2]) == ["✔ No"]
    assert emulator.messages(PARENT)[-2].message_id == question.message_id
    assert "Anything else?" in emulator.last_message(PARENT).visible

    await user.tap("⬅️ Back")
    assert buttons(emulator.last_message(PARENT))[:2] == ["Yes", "🔘 No"]  # the answer so far, marked
    await user.tap("🔘 No")
    await user.tap("Skip ➡️")
    review = emulator.last_message(PARENT).visible
    assert "Does your child go to school?\nYes" in review and "Is your child happy at school?\nNo" in review

    response = await harness.app.repo.open_response(PARENT, "school")
    answers = await harness.app.repo.answers(response.id)
    assert answers["school"].value is True and answers["happy"].value is False and answers["more"].skipped

    await user.tap("✅ Finish")
    assert emulator.last_message(PARENT).visible.startswith("Thank you.")

    # The written report reads it through the kind, as it reads every other.
    view = await harness.app.runner.load_view(response)
    i18n: I18n = harness.app.i18n
    document = build_answers_document(view, i18n, locale="en", made_on=date(2026, 12, 3), images={})
    items = {item.heading: (item.paragraphs, item.note) for item in document.sections[0].items}
    assert items["Does your child go to school?"] == ([], "Yes")
    assert items["Is your child happy at school?"] == ([], "No")
    assert items["Anything else?"] == ([], "(not answered)")  # a family's skipped question
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(document))).pages)
    assert "Is your child happy at school?" in text and "No" in text
