"""Messages a parent can send as they are: written by the bot from their answers, ready to copy.

Each comes in the parent's language and in English (the social worker or the chair may read
only English); the parent's own words (the language they typed, a name) stay as they wrote them.

- When the reports have not come by the day the area's rule says they should have: a short,
  polite request for them, to the social worker or the chair.
- When the parent needs an interpreter: which language and dialect, a woman or a man, and
  not someone from their family or community (seed 004: the social worker should "establish if
  an interpreter is to be booked").
- On the "Corrections and disagreements" sheet: a line telling the chair when an interpreter is
  needed, or that the sheet is in another language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from babel import Locale, UnknownLocaleError

from cpc_bot.engine.values import format_day
from cpc_bot.engine.view import View
from cpc_bot.i18n.locale import language_name
from cpc_bot.store.models import Response
from cpc_bot.store.repository import Repository

#: The parents' questionnaire, whose answers these read (dialogs/parent_prepare.yaml).
PREPARE = "parent_prepare"
NEEDS, INTERPRETER = "needs", "interpreter"


def _words(answers: Mapping[str, Any], key: str) -> str:
    """A typed answer as one line, as the person wrote it ("" when not answered)."""
    value = answers.get(key)
    return " ".join(str(part) for part in value).strip() if isinstance(value, list) else ""


def needs_interpreter(answers: Mapping[str, Any]) -> bool:
    return INTERPRETER in (answers.get(NEEDS) or [])


def _greeting(answers: Mapping[str, Any]) -> str:
    name = _words(answers, "social_worker")
    return _("Dear %(name)s,") % {"name": name} if name else _("Hello,")


def _signed(text: str, answers: Mapping[str, Any]) -> str:
    name = _words(answers, "written_by")
    return f"{text}\n{name}" if name else text


def reports_missing(answers: Mapping[str, Any], conference_day: date, locale: str) -> str:
    """The request for reports that have not come, in the current language."""
    text = _greeting(answers) + "\n\n" + _(
        "My child protection conference is on %(day)s. I have not had copies of the reports for it yet.\n\n"
        "Please could you send them to me as soon as you can? I need time to read them before the "
        "conference, and to say if anything in them is wrong.\n\n"
        "Thank you."
    ) % {"day": format_day(conference_day, locale)}
    return _signed(text, answers)


def _interpreter_points(answers: Mapping[str, Any]) -> list[str]:
    points = []
    language = _words(answers, "interpreter_language")
    if language:
        points.append(_("Language: %(language)s") % {"language": language})
    dialect = _words(answers, "interpreter_dialect")
    if dialect:
        points.append(_("Dialect: %(dialect)s") % {"dialect": dialect})
    gender = answers.get("interpreter_gender")
    if gender == "woman":
        points.append(_("A woman interpreter, please."))
    elif gender == "man":
        points.append(_("A man interpreter, please."))
    if answers.get("interpreter_outsider") == "yes":
        points.append(_("Not someone from our family or our community: they will hear private things about us."))
    return points


def interpreter_request(answers: Mapping[str, Any], conference_day: date | None, locale: str) -> str:
    """The request for an interpreter, in the current language."""
    if conference_day is not None:
        opening = _("I need an interpreter for my child protection conference on %(day)s.") % {
            "day": format_day(conference_day, locale)}
    else:
        opening = _("I need an interpreter for my child protection conference.")
    points = "\n".join(f"• {point}" for point in _interpreter_points(answers))
    text = _greeting(answers) + "\n\n" + opening + ("\n\n" + points if points else "") + "\n\n" + _(
        "Please could you book the interpreter, and tell me who it will be before the conference? Thank you.")
    return _signed(text, answers)


def _language_in(code: str, reader: str) -> str:
    """The name of language ``code`` for a reader of ``reader`` ("Urdu" for English, "اردو" for Urdu)."""
    if code == reader:
        return language_name(code)
    try:
        return Locale.parse(code).get_display_name(reader) or code
    except (UnknownLocaleError, ValueError):
        return code


def chair_lines(answers: Mapping[str, Any], written_in: str, reader: str) -> list[str]:
    """For the chair, in the current language (``reader``): when an interpreter is needed and what
    kind, or that the sheet is written in another language. Nothing when neither is so."""
    if needs_interpreter(answers):
        return [_("An interpreter is needed at the conference."), *_interpreter_points(answers)]
    if written_in == "en":
        return []
    language = _language_in(written_in, reader)
    if NEEDS in answers:  # they said what they need, and it was not an interpreter
        return [_("Written in %(language)s, in the parent's own words.") % {"language": language}]
    return [_("Written in %(language)s, in the parent's own words. Please ask them whether they need "
              "an interpreter at the conference.") % {"language": language}]


class Letters:
    """Reads the parent's own answers (their social worker's name, their interpreter needs) for
    the messages and lines above."""

    def __init__(self, repo: Repository, i18n: I18n) -> None:
        self.repo = repo
        self.i18n = i18n

    async def prepare_answers(self, user_id: int) -> dict[str, Any]:
        """The parent's answers to "Prepare your views", finished or not ({} when none)."""
        response = await self.repo.latest_response(user_id, PREPARE)
        if response is None:
            return {}
        return {key: stored.value for key, stored in (await self.repo.answers(response.id or 0)).items()
                if not stored.skipped}

    def both(self, make: Callable[[str], str], locale: str) -> list[str]:
        """``make(locale)`` in the parent's language, then in English when that is another."""
        with self.i18n.use_locale(locale):
            mine = make(locale)
        if locale == "en":
            return [mine]
        with self.i18n.use_locale("en"):
            return [mine, make("en")]

    async def sheet_lines(self, response: Response, view: View) -> list[str]:
        """Under the title of the corrections sheet: the interpreter line, in the parent's
        language and then in English."""
        answers = await self.prepare_answers(response.user_id)
        written_in = response.locale or self.i18n.current_locale
        locale = self.i18n.current_locale
        lines = chair_lines(answers, written_in, locale)
        if locale != "en" and lines:
            with self.i18n.use_locale("en"):
                lines += ["English: " + line for line in chair_lines(answers, written_in, "en")]
        return lines
