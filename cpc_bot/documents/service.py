"""Make a person's written report from their answers and send it to them in the chat."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import date
from html import escape

from aiogram import Bot
from aiogram.types import BufferedInputFile
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from cpc_bot.clock import LONDON, Clock
from cpc_bot.documents.answers import build_answers_document
from cpc_bot.domain.plain_language import check as check_plain_language
from cpc_bot.engine.loader import DialogRegistry
from cpc_bot.engine.view import View, load_view
from cpc_bot.store.conferences import ConferenceRepository
from cpc_bot.store.models import Response
from cpc_bot.store.repository import Repository

log = logging.getLogger(__name__)


#: Lines under a report's title that come from outside its answers (the corrections sheet says
#: when an interpreter is needed): ``(response, view) -> lines``, in the current language.
IntroLines = Callable[[Response, View], Awaitable[list[str]]]


def written_words(view: View) -> list[str]:
    """What the person wrote, one text per message of each answer, in the order of the questions."""
    answers = view.answers
    return [part for slot in view.slots if isinstance(answers.get(slot.key), list)
            for part in answers[slot.key] if isinstance(part, str)]


class ReportService:
    """Builds the PDF for a response (in the language it was answered in) and sends it."""

    def __init__(self, repo: Repository, registry: DialogRegistry, i18n: I18n, clock: Clock,
                 conferences: ConferenceRepository | None = None) -> None:
        self.repo = repo
        self.registry = registry
        self.i18n = i18n
        self.clock = clock
        self._intro: dict[str, IntroLines] = {}
        #: Where a child's linked conference is read: its day goes on the front of their booklet.
        self.conferences = conferences

    def add_intro(self, dialog_id: str, lines: IntroLines) -> None:
        """Put ``lines(response, view)`` under the title of every report of ``dialog_id``."""
        self._intro[dialog_id] = lines

    async def meeting_day(self, user_id: int) -> date | None:
        """The day of the meeting a person is linked to through a professional's link: the next one
        to come, else the latest; None when they are linked to none (nothing is shown then)."""
        if self.conferences is None:
            return None
        days = sorted(c.starts_at.astimezone(LONDON).date() for c, _audience in await self.conferences.memberships(user_id))
        today = self.clock().astimezone(LONDON).date()
        coming = [day for day in days if day >= today]
        return coming[0] if coming else (days[-1] if days else None)

    async def pdf_for(self, response: Response, view: View | None = None, *, only: set[str] | None = None) -> tuple[bytes, str]:
        """(PDF bytes, file name) for one response; ``only`` keeps just those answers."""
        view = view or await load_view(self.repo, self.registry, response)
        images: dict[str, bytes] = {}
        for value in view.answers.values():
            for part in value if isinstance(value, list) else []:
                if isinstance(part, dict) and part.get("type") == "image":
                    loaded = await self.repo.load_blob(part["blob"], response.user_id)
                    if loaded is not None:
                        images[part["blob"]] = loaded[0]
        locale = self.i18n.current_locale
        made_on = (response.finished_at or self.clock()).astimezone(LONDON).date()
        intro = self._intro.get(response.dialog_id)
        intro_lines = await intro(response, view) if intro is not None else None
        child = view.dialog.audience == "child"
        meeting_day = await self.meeting_day(response.user_id) if child else None
        document = build_answers_document(view, self.i18n, locale=locale, made_on=made_on, images=images, only=only,
                                          intro_lines=intro_lines, meeting_day=meeting_day)
        from cpc_bot.documents.pdf import render_pdf  # fonts load on first use, not at start-up

        # Everything is read: commit, so that the write turn is free for everyone else while the
        # report is made (seconds for a long one); then render in a thread, off the event loop.
        await self.repo.commit()
        data = await asyncio.to_thread(render_pdf, document)
        if child:  # a child's file is their booklet, whichever age's
            return data, f"My-booklet-{made_on.isoformat()}.pdf"
        slug = re.sub(r"[^A-Za-z0-9]+", "-", document.title_en or document.title).strip("-") or "report"
        return data, f"{slug}-{made_on.isoformat()}.pdf"

    async def send_docx(self, bot: Bot, chat_id: int, response: Response, view: View | None = None) -> None:
        """A professional's report as a Word file, then the plain-language check of their words."""
        from cpc_bot.documents.docx import render_docx

        view = view or await load_view(self.repo, self.registry, response)
        made_on = (response.finished_at or self.clock()).astimezone(LONDON).date()
        document = build_answers_document(view, self.i18n, locale=self.i18n.current_locale, made_on=made_on, images={})
        await self.repo.commit()  # as for the PDF: the write turn is free while the file is made
        data = await asyncio.to_thread(render_docx, document)
        await bot.send_document(chat_id, BufferedInputFile(data, filename=f"conference-report-{made_on.isoformat()}.docx"),
                                caption=_("Your report as a Word file, ready to edit."))
        text, count = self.plain_language_check(view)
        await bot.send_message(chat_id, text)
        log.info("report.docx_sent response=%s flags=%s", response.id, count)

    def plain_language_check(self, view: View) -> tuple[str, int]:
        """The plain-language check of a professional's words, as a message, and how many it flagged."""
        # Each message of each answer is checked on its own, so an excerpt never runs into another answer.
        flags = [flag for words in written_words(view) for flag in check_plain_language(words)]
        if not flags:
            return _("Plain-language check: no jargon found. Families will be able to follow it."), 0
        lines = [_("Plain-language check: families read this report too. Consider everyday words:")]
        if self.i18n.current_locale != "en":
            # The report is written in English, so the words to put in it are English too.
            lines.append(_("The everyday words are in English, like your report."))
        for flag in flags[:15]:
            lines.append(f"• <b>{escape(flag.found)}</b>: {escape(flag.suggestion)}\n  <i>{escape(flag.excerpt)}</i>")
        return "\n".join(lines), len(flags)

    async def send_summary(self, bot: Bot, chat_id: int, response: Response, view: View | None = None) -> None:
        """The summary sheet to read with the family (``dialogs/pro_summary.yaml``) as a PDF, with a
        reminder to arrange an interpreter, then the plain-language check of the professional's words.
        source: 000_6faa439c50d28911.txt: "securing a translation service or providing other suitable support"."""
        from cpc_bot.documents.pdf import render_pdf
        from cpc_bot.documents.summary import LANGUAGE_KEY, build_summary_document, family_locale

        view = view or await load_view(self.repo, self.registry, response)
        made_on = (response.finished_at or self.clock()).astimezone(LONDON).date()
        locale = family_locale(view, self.i18n.available_locales)
        document = build_summary_document(view, self.i18n, locale=locale, made_on=made_on)
        await self.repo.commit()  # as for the report: the write turn is free while the file is made
        data = await asyncio.to_thread(render_pdf, document)
        chosen = view.answers.get(LANGUAGE_KEY)
        step = next((s for s in view.dialog.steps if s.key == LANGUAGE_KEY), None)
        option = next((o for o in step.options if o.key == chosen), None) if step is not None else None
        language = _(option.label) if option is not None else _("English")
        await bot.send_document(
            chat_id, BufferedInputFile(data, filename=f"summary-for-the-family-{made_on.isoformat()}.pdf"),
            caption=_("Your summary sheet for the family, in %(language)s. Go through it with them, and give them a "
                      "copy, before you send your report.") % {"language": language})
        if locale != "en":
            interpreter = _("The headings are in %(language)s; your own words are as you wrote them. Arrange an "
                            "interpreter to go through it with the family: book one before you meet.") % {
                "language": language}
        elif chosen == "other":
            interpreter = _("We do not have the family's language, so the headings are in English. Arrange an "
                            "interpreter to go through it with the family: book one before you meet.")
        else:
            interpreter = _("If English is not the family's first language, or reading is hard for them, arrange an "
                            "interpreter or other support to go through it with them.")
        await bot.send_message(chat_id, "🗣 " + escape(interpreter))
        text, count = self.plain_language_check(view)
        await bot.send_message(chat_id, text)
        log.info("summary.sent response=%s locale=%s flags=%s", response.id, locale, count)

    async def send(self, bot: Bot, chat_id: int, response: Response, view: View | None = None) -> None:
        view = view or await load_view(self.repo, self.registry, response)
        data, name = await self.pdf_for(response, view)
        if view.dialog.audience == "child":
            caption = _("Here is your booklet. It is yours. You can keep it, print it, or show it to people you choose.")
        else:
            caption = _("Here is your report. You can keep it, print it, or share it with the people you choose.")
        await bot.send_document(chat_id, BufferedInputFile(data, filename=name), caption=caption)
        log.info("report.sent response=%s bytes=%s", response.id, len(data))
