"""The web chat: the parents' questionnaire in any phone browser, on the same dialog core.

Every page is drawn from the core's state (the session service's :class:`View`), never from a
transcript of its own. A typed answer or a button is a POST (with a CSRF token) that becomes one
call of :class:`DialogSession`, then a redirect to the page that shows where the person now is
(post/redirect/get: a reload never sends an answer twice). Typed words go through the same
safety check as on Telegram first, and its help (the same texts, in the person's language) is
shown above the next question.

Pages are server-rendered (Jinja2, everything escaped), work without JavaScript, load nothing
from elsewhere, and carry a strict Content-Security-Policy (no script at all) and
``Cache-Control: no-store``. "Leave this page" is on every page: one tap ends the session and
goes to a neutral page, as GOV.UK's "Exit this page" does.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import jinja2
from aiohttp import web
from markupsafe import Markup

from cpc_bot.clock import LONDON, Clock
from cpc_bot.engine.loader import DialogRegistry
from cpc_bot.engine.session import DialogSession
from cpc_bot.engine.view import View
from cpc_bot.i18n.locale import LANGUAGES, is_rtl, negotiate_locale
from cpc_bot.i18n.text import gettext as _
from cpc_bot.safety.help import SOS_KINDS, help_text
from cpc_bot.safety.net import SafetyNet
from cpc_bot.store.database import Sessions
from cpc_bot.store.models import Response
from cpc_bot.store.repository import Repository
from cpc_bot.store.web_access import WebPeople
from cpc_bot.web import screens
from cpc_bot.web.sessions import WebSession, WebSessions

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
COOKIE = "cpc_sid"
LANGUAGE_COOKIE = "cpc_lang"
#: The questionnaire a fresh start on the web opens (the parents' one, in this first slice).
PARENT_DIALOG = "parent_prepare"
#: Code tries from one address in ten minutes.
CODE_TRIES = 10

CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class Catalogues(Protocol):
    """The bot's catalogues (aiogram's ``I18n`` has this shape): the web sets the request's
    language in their context, and every word of the core follows it."""

    @property
    def available_locales(self) -> tuple[str, ...]: ...

    @property
    def default_locale(self) -> str: ...

    def context(self) -> AbstractContextManager[Any]: ...

    def use_locale(self, locale: str) -> AbstractContextManager[Any]: ...


class Reports(Protocol):
    async def pdf_for(self, response: Response, view: View | None = None) -> tuple[bytes, str]: ...


class WebChat:
    """The web chat's pages, over the session service."""

    def __init__(self, *, session: DialogSession, repo: Repository, registry: DialogRegistry, sessions: Sessions,
                 people: WebPeople, reports: Reports, catalogues: Catalogues, net: SafetyNet, clock: Clock,
                 csrf_key: bytes, idle_minutes: int = 30, leave_url: str = "https://www.bbc.co.uk/weather") -> None:
        self.session = session
        self.repo = repo
        self.registry = registry
        self.db = sessions
        self.people = people
        self.reports = reports
        self.catalogues = catalogues
        self.net = net
        self.clock = clock
        self.csrf_key = csrf_key
        self.leave_url = leave_url
        self.web_sessions = WebSessions(clock, timedelta(minutes=idle_minutes))
        self.tries: dict[str, deque[float]] = {}
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True, lstrip_blocks=True,
            undefined=jinja2.StrictUndefined)

    # ---------------------------------------------------------------- plumbing
    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._headers], client_max_size=256 * 1024)
        app.router.add_get("/", self.home)
        app.router.add_post("/start", self.start)
        app.router.add_post("/back", self.come_back)
        app.router.add_get("/code", self.show_code)
        app.router.add_get("/q", self.show_question)
        app.router.add_post("/q/answer", self.answer)
        app.router.add_post("/q/tap", self.tap)
        app.router.add_get("/done", self.done)
        app.router.add_post("/change", self.change)
        app.router.add_get("/report.pdf", self.report)
        app.router.add_get("/help", self.sos)
        app.router.add_get("/language", self.language_page)
        app.router.add_post("/language", self.choose_language)
        app.router.add_get("/leave", self.leave)
        app.router.add_static("/static", HERE / "static", follow_symlinks=False)
        return app

    @web.middleware
    async def _headers(self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                       ) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            response = exc
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if isinstance(response, web.HTTPException):
            raise response
        return response

    @staticmethod
    def _secure(request: web.Request) -> bool:
        """Cookies are Secure, except on plain http to this computer itself (tests, the demo)."""
        host = (request.host or "").rsplit(":", 1)[0].strip("[]")
        return request.scheme == "https" or host not in ("127.0.0.1", "localhost", "::1")

    def _sid(self, request: web.Request) -> str | None:
        return request.cookies.get(COOKIE)

    def _csrf(self, sid: str) -> str:
        return hmac.new(self.csrf_key, f"csrf:{sid}".encode(), hashlib.sha256).hexdigest()

    def _set_sid(self, request: web.Request, response: web.StreamResponse, sid: str) -> None:
        response.set_cookie(COOKIE, sid, httponly=True, samesite="Strict", secure=self._secure(request), path="/")

    async def _checked_form(self, request: web.Request) -> dict[str, str]:
        """The form of a POST from our own page, or 403: the session's token, and no other origin."""
        origin = request.headers.get("Origin")
        if origin and origin != "null" and urlsplit(origin).netloc != request.host:
            raise web.HTTPForbidden(text=self._words(lambda: _("This page has expired. Please go back and try again."),
                                                     self._anonymous_locale(request)))
        form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        sid = self._sid(request)
        if not sid or not hmac.compare_digest(form.get("csrf", ""), self._csrf(sid)):
            log.info("web.csrf_refused")
            raise web.HTTPForbidden(text=self._words(lambda: _("This page has expired. Please go back and try again."),
                                                     self._anonymous_locale(request)))
        return form

    def _words(self, words: Callable[[], str], locale: str) -> str:
        with self.catalogues.context(), self.catalogues.use_locale(locale):
            return words()

    def _anonymous_locale(self, request: web.Request) -> str:
        available = self.catalogues.available_locales
        chosen = request.cookies.get(LANGUAGE_COOKIE)
        if chosen in available:
            return str(chosen)
        wanted = request.headers.get("Accept-Language", "").split(",")[0].split(";")[0].strip()
        return negotiate_locale(wanted or None, available, self.catalogues.default_locale)

    def _person(self, request: web.Request) -> WebSession | None:
        return self.web_sessions.get(self._sid(request))

    def _signed_in(self, request: web.Request) -> WebSession:
        person = self._person(request)
        if person is None:
            raise web.HTTPSeeOther("/")
        return person

    def _page(self, request: web.Request, template: str, locale: str, **context: Any) -> web.Response:
        """A page in ``locale``; a visitor without a session id gets one (for the CSRF token)."""
        sid = self._sid(request)
        new_sid = None
        if not sid:
            sid = new_sid = secrets.token_urlsafe(32)
        with self.catalogues.context(), self.catalogues.use_locale(locale):
            html = self.templates.get_template(template).render(
                _=_, locale=locale, dir="rtl" if is_rtl(locale) else "ltr", csrf=self._csrf(sid),
                leave_url=self.leave_url, **context)
        response = web.Response(text=html, content_type="text/html", charset="utf-8")
        if new_sid:
            self._set_sid(request, response, new_sid)
        return response

    # ------------------------------------------------------------------ pages
    async def home(self, request: web.Request) -> web.StreamResponse:
        if self._person(request) is not None:
            raise web.HTTPSeeOther("/q")
        return self._page(request, "start.html.j2", self._anonymous_locale(request), problem=None)

    def _too_many(self, request: web.Request) -> bool:
        now = time.monotonic()
        tries = self.tries.setdefault(request.remote or "", deque())
        while tries and now - tries[0] > 600:
            tries.popleft()
        tries.append(now)
        return len(tries) > CODE_TRIES

    async def start(self, request: web.Request) -> web.StreamResponse:
        """A fresh start: a new person with a code to come back with, shown once."""
        await self._checked_form(request)
        locale = self._anonymous_locale(request)
        user_id, code = await self.people.create("parent", locale)
        sid, person = self.web_sessions.sign_in(user_id, locale, old=self._sid(request))
        person.code = code
        log.info("web.started")
        response = web.HTTPSeeOther("/code")
        self._set_sid(request, response, sid)
        raise response

    async def come_back(self, request: web.Request) -> web.StreamResponse:
        form = await self._checked_form(request)
        locale = self._anonymous_locale(request)
        if self._too_many(request):
            return self._page(request, "start.html.j2", locale,
                              problem=self._words(lambda: _("Too many tries. Please wait a few minutes and try again."), locale))
        user_id = await self.people.find(form.get("code", ""))
        user = await self.repo.get_user(user_id) if user_id is not None else None
        if user is None:
            log.info("web.code_refused")
            return self._page(request, "start.html.j2", locale,
                              problem=self._words(lambda: _("That code did not work. Please check it and try again."), locale))
        locale = user.locale if user.locale in self.catalogues.available_locales else locale
        sid, person = self.web_sessions.sign_in(user.id, locale, old=self._sid(request))
        log.info("web.came_back")
        response = web.HTTPSeeOther("/q")
        self._set_sid(request, response, sid)
        response.set_cookie(LANGUAGE_COOKIE, locale, httponly=True, samesite="Strict", secure=self._secure(request))
        raise response

    async def show_code(self, request: web.Request) -> web.StreamResponse:
        person = self._signed_in(request)
        code, person.code = person.code, None
        if code is None:
            raise web.HTTPSeeOther("/q")
        return self._page(request, "code.html.j2", person.locale, code=code)

    async def _view(self, person: WebSession) -> View | None:
        """The person's questionnaire in hand: the one this session is on, else the one they left
        unfinished (coming back); None when they have finished it."""
        if person.response_id is not None:
            view = await self.session.active_view(person.response_id, person.user_id)
            if view is not None:
                return view
        response = await self.repo.open_response(person.user_id, PARENT_DIALOG)
        if response is None and await self.repo.latest_response(person.user_id, PARENT_DIALOG) is not None:
            return None  # finished: the done page
        with self.catalogues.context(), self.catalogues.use_locale(person.locale):
            outcome = await self.session.begin(person.user_id, PARENT_DIALOG)
        assert outcome.view is not None
        person.response_id = outcome.view.response.id
        if response is not None:
            person.say("note", outcome.note)
        return outcome.view

    async def show_question(self, request: web.Request) -> web.StreamResponse:
        person = self._signed_in(request)
        async with self.db.unit():
            view = await self._view(person)
        if view is None:
            raise web.HTTPSeeOther("/done")
        today = self.clock().astimezone(LONDON).date()
        with self.catalogues.context(), self.catalogues.use_locale(person.locale):
            screen = screens.question(view, locale=person.locale, today=today)
            lines = [(line.kind, Markup(line.text) if line.html else line.text) for line in person.take_lines()]
            sos = Markup(help_text(set(SOS_KINDS["parent"]), "parent"))
        return self._page(request, "question.html.j2", person.locale, screen=screen, lines=lines, sos=sos)

    async def _safety(self, person: WebSession, text: str) -> None:
        """The same check as every Telegram message, before anything else; each kind of help once."""
        try:
            finding = self.net.check(text, "parent", person.locale)
            if not finding:
                return
            new = set(finding.kinds) - person.help_shown
            if not new:
                return
            person.help_shown |= new
            log.warning("safety.help kind=%s channel=web", ",".join(sorted(new)))
            written = finding.language
            also = [written] if written and written != person.locale and written in self.catalogues.available_locales else []
            for language in [person.locale, *also]:
                with self.catalogues.context(), self.catalogues.use_locale(language):
                    person.say("help", help_text(new, "parent"), html=True)
        except Exception as exc:  # the help must never stop the answer being saved
            log.error("safety.failed error=%s channel=web", type(exc).__name__)

    async def answer(self, request: web.Request) -> web.StreamResponse:
        person = self._signed_in(request)
        form = await self._checked_form(request)
        text = form.get("text", "")
        if text.strip():
            await self._safety(person, text)
        with self.catalogues.context(), self.catalogues.use_locale(person.locale):
            async with self.db.unit():
                view = await self._view(person)
                if view is None:
                    raise web.HTTPSeeOther("/done")
                if form.get("token") != view.current.token:
                    person.say("toast", _("That button is from an earlier question. Your answers are safe."))
                    raise web.HTTPSeeOther("/q")
                outcome = await self.session.typed(view, text)
            person.say("reply", outcome.reply)
            person.say("note", outcome.note)
        raise web.HTTPSeeOther("/q")

    async def tap(self, request: web.Request) -> web.StreamResponse:
        person = self._signed_in(request)
        form = await self._checked_form(request)
        action, _sep, value = form.get("pick", "").partition(":")
        with self.catalogues.context(), self.catalogues.use_locale(person.locale):
            async with self.db.unit():
                view = await self._view(person)
                if view is None:
                    raise web.HTTPSeeOther("/done")
                outcome = await self.session.tap(person.user_id, view.response.id or 0, form.get("token", ""),
                                                 action, value)
            if outcome.ended and action == "finish":
                log.info("web.finished")
                raise web.HTTPSeeOther("/done")
            if outcome.ended:  # saved for later
                person.say("note", _("Your answers are saved. To come back, open this page again and type your code."))
            else:
                person.say("toast", outcome.toast)
                person.say("note", outcome.note)
        raise web.HTTPSeeOther("/q")

    async def _finished(self, person: WebSession) -> Response | None:
        response = await self.repo.latest_response(person.user_id, PARENT_DIALOG, status="finished")
        return response

    async def done(self, request: web.Request) -> web.StreamResponse:
        person = self._signed_in(request)
        response = await self._finished(person)
        if response is None:
            raise web.HTTPSeeOther("/q")
        return self._page(request, "done.html.j2", person.locale)

    async def change(self, request: web.Request) -> web.StreamResponse:
        """ "Change my answers": the finished questionnaire opens again at its review."""
        person = self._signed_in(request)
        await self._checked_form(request)
        with self.catalogues.context(), self.catalogues.use_locale(person.locale):
            async with self.db.unit():
                outcome = await self.session.begin(person.user_id, PARENT_DIALOG)
        assert outcome.view is not None
        person.response_id = outcome.view.response.id
        raise web.HTTPSeeOther("/q")

    async def report(self, request: web.Request) -> web.StreamResponse:
        person = self._signed_in(request)
        response = await self._finished(person)
        if response is None:
            raise web.HTTPSeeOther("/q")
        with self.catalogues.context(), self.catalogues.use_locale(person.locale):
            async with self.db.unit():
                data, name = await self.reports.pdf_for(response)
        log.info("web.report bytes=%s", len(data))
        return web.Response(body=data, content_type="application/pdf",
                            headers={"Content-Disposition": f'attachment; filename="{name}"'})

    async def sos(self, request: web.Request) -> web.StreamResponse:
        person = self._person(request)
        locale = person.locale if person is not None else self._anonymous_locale(request)
        log.warning("safety.sos_button channel=web")
        with self.catalogues.context(), self.catalogues.use_locale(locale):
            text = Markup(help_text(set(SOS_KINDS["parent" if person is not None else "unknown"]),
                                    "parent" if person is not None else "unknown"))
        return self._page(request, "help.html.j2", locale, text=text, signed_in=person is not None)

    async def language_page(self, request: web.Request) -> web.StreamResponse:
        person = self._person(request)
        locale = person.locale if person is not None else self._anonymous_locale(request)
        choices = [(code, name) for code, name in LANGUAGES.items() if code in self.catalogues.available_locales]
        return self._page(request, "language.html.j2", locale, choices=choices, rtl=is_rtl)

    async def choose_language(self, request: web.Request) -> web.StreamResponse:
        form = await self._checked_form(request)
        chosen = form.get("locale", "")
        if chosen not in self.catalogues.available_locales:
            raise web.HTTPSeeOther("/language")
        person = self._person(request)
        response = web.HTTPSeeOther("/q" if person is not None else "/")
        if person is not None:
            person.locale = chosen
            await self.repo.update_user(person.user_id, locale=chosen)
        response.set_cookie(LANGUAGE_COOKIE, chosen, httponly=True, samesite="Strict", secure=self._secure(request))
        raise response

    async def leave(self, request: web.Request) -> web.StreamResponse:
        """Leave this page: the session ends and a neutral page takes this one's place."""
        self.web_sessions.end(self._sid(request))
        response = web.HTTPSeeOther(self.leave_url)
        response.del_cookie(COOKIE, path="/")
        raise response
