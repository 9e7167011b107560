"""The web chat (issue 20, first slice): a parent with no Telegram prepares their views in a
browser, on the same dialog core, and gets their PDF. Driven through aiohttp's test client as a
browser would (cookies, forms, redirects); every check reads what the page shows."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pypdf import PdfReader
from sqlmodel import select

from cpc_bot.app import Core, build_core, build_web
from cpc_bot.clock import FrozenClock
from cpc_bot.store.migrate import migrate_or_adopt
from cpc_bot.store.models import Answer, User
from tests.helpers import make_settings

LEAVE_URL = "https://www.bbc.co.uk/weather"


class Page(HTMLParser):
    """What a page shows: its text, its buttons (label -> (form action, name, value)), its forms' hidden fields."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.html = html
        self.text_parts: list[str] = []
        self.buttons: dict[str, tuple[str, str, str]] = {}
        self.hidden: dict[str, dict[str, str]] = {}
        self.inputs: set[str] = set()
        self._form: str | None = None
        self._button: tuple[str, str] | None = None
        self._label: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = a.get("action", "")
            self.hidden.setdefault(self._form, {})
        elif tag == "input" and a.get("type") == "hidden" and self._form is not None:
            self.hidden[self._form][a["name"]] = a["value"]
        elif tag in ("input", "textarea") and a.get("name") == "text":
            self.inputs.add(a.get("id", ""))
            assert a.get("autocomplete") == "off"
        elif tag == "button":
            self._button = (a.get("name", ""), a.get("value", ""))
            self._label = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None:
            self.buttons["".join(self._label).strip()] = (self._form or "", *self._button)
            self._button = None
        elif tag == "form":
            self._form = None

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)
        if self._button is not None:
            self._label.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())


class Browser:
    """One person's browser: a cookie jar, following redirects."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.page: Page | None = None
        self.last: Any = None

    async def get(self, path: str) -> Page:
        response = await self.client.get(path)
        self.last = response
        assert response.status == 200, (path, response.status)
        self.page = Page(await response.text())
        return self.page

    async def post(self, path: str, data: dict[str, str]) -> Page:
        response = await self.client.post(path, data=data)
        self.last = response
        assert response.status == 200, (path, response.status, await response.text())
        self.page = Page(await response.text())
        return self.page

    async def press(self, label: str) -> Page:
        assert self.page is not None
        action, name, value = self.page.buttons[label]
        return await self.post(action, {**self.page.hidden[action], name: value})

    async def type(self, words: str) -> Page:
        assert self.page is not None and self.page.inputs, "no answer box on this page"
        return await self.post("/q/answer", {**self.page.hidden["/q/answer"], "text": words})

    async def start(self) -> str:
        """A fresh start; returns the code shown once."""
        page = await self.get("/")
        page = await self.press("Start")
        found = re.search(r'class="code"[^>]*>([A-Z0-9-]+)<', page.html)
        assert found, page.text
        await self.get("/q")
        return found.group(1)


@pytest.fixture
async def core(tmp_path: Path, clock: FrozenClock) -> AsyncIterator[Core]:
    settings = make_settings("http://127.0.0.1:1", tmp_path)
    core = build_core(settings, clock)
    await migrate_or_adopt(core.engine)
    yield core
    await core.engine.dispose()


@pytest.fixture
async def server(core: Core) -> AsyncIterator[TestServer]:
    server = TestServer(build_web(core).app(), host="127.0.0.1")
    await server.start_server()
    yield server
    await server.close()


@pytest.fixture
async def browser(server: TestServer) -> AsyncIterator[Browser]:
    client = TestClient(server)
    await client.start_server()
    yield Browser(client)
    await client.close()


async def new_browser(server: TestServer) -> Browser:
    client = TestClient(server)
    await client.start_server()
    return Browser(client)


async def to_first_text_question(browser: Browser) -> Page:
    """Start, the date, the kind of conference: on to the child's name (typed words)."""
    await browser.press("Next ➡️")
    await browser.type("30/12/2026")
    await browser.press("The first conference")
    return await browser.press("Leicester")


async def answer_the_rest(browser: Browser, words: str) -> Page:
    """Answer every question up to the review: words where words go, a skip for a date or a
    time, the first option of a choice or a scale, Done for the rest."""
    for _ in range(150):
        page = browser.page
        assert page is not None
        buttons = page.buttons
        if "✅ Finish" in buttons:
            return page
        if "✅ Done" in buttons and "Your answer so far:" in page.text:
            await browser.press("✅ Done")
        elif page.inputs and 'textarea' in page.html:
            await browser.type(words)
            if "✅ Done" in (browser.page.buttons if browser.page else {}):
                await browser.press("✅ Done")
        elif page.inputs and "Skip ➡️" in buttons:
            await browser.press("Skip ➡️")
        elif "✅ That is every child" in buttons:
            await browser.press("✅ That is every child")
        elif any(label.startswith("✅") for label in buttons):
            await browser.press(next(label for label in buttons if label.startswith("✅")))
        elif "Next ➡️" in buttons:
            await browser.press("Next ➡️")
        else:
            choices = [label for label in buttons if label not in ("⬅️ Back", "Skip ➡️", "💾 Save and finish later")]
            await browser.press(choices[0])
    raise AssertionError("never reached the review")


async def test_a_parent_goes_through_to_their_pdf(browser: Browser) -> None:
    code = await browser.start()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    page = browser.page
    assert page is not None and "Prepare your views" in page.text and "Next ➡️" in page.buttons
    page = await browser.press("Next ➡️")
    assert "When is the conference?" in page.text
    page = await browser.type("30/12/2026")
    assert "Saved: 30 December 2026" in page.text
    assert "Is this the first conference, or a review?" in page.text
    page = await browser.press("The first conference")
    assert "Which council's children's services are working with your family?" in page.text
    page = await browser.press("Leicester")
    assert "What is the child's name?" in page.text and "Child 1" in page.text
    page = await browser.type("Robin")
    assert "What is their date of birth?" in page.text
    page = await browser.press("Skip ➡️")
    page = await answer_the_rest(browser, "We read together every night and walk to school.")
    assert "Check your answers" in page.text and "Robin" in page.text
    page = await browser.press("✅ Finish")
    assert browser.last.url.path == "/done"
    assert "Download my report (PDF)" in page.text and "Downloads" in page.text
    response = await browser.client.get("/report.pdf")
    assert response.status == 200 and response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    text = " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(await response.read())).pages)
    text = " ".join(text.split())
    assert "We read together every night and walk to school." in text
    assert "Robin" in text and "30 December 2026" in text


async def test_coming_back_with_the_code_lands_where_they_stopped(browser: Browser, server: TestServer,
                                                                  core: Core) -> None:
    code = await browser.start()
    await to_first_text_question(browser)
    other = await new_browser(server)
    try:
        page = await other.get("/")
        page = await other.post("/back", {**page.hidden["/back"], "code": "AAAA-AAAA-AAAA"})
        assert "That code did not work" in page.text
        page = await other.post("/back", {**page.hidden["/back"], "code": code.lower().replace("-", " ")})
        assert "Welcome back. Your answers are saved. Here is where you stopped." in page.text
        assert "What is the child's name?" in page.text
        # The code is never stored as it is.
        async with core.sessions() as s:
            rows = (await s.exec(select(User))).all()
        assert len(rows) == 1 and rows[0].id < 0
    finally:
        await other.client.close()


async def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(browser: Browser, core: Core) -> None:
    response = await browser.client.post("/start", data={})
    assert response.status == 403
    async with core.sessions() as s:
        assert (await s.exec(select(User))).all() == []
    await browser.start()
    page = await browser.press("Next ➡️")
    token = page.hidden["/q/answer"]["token"]
    for csrf in (None, "0" * 64):
        data = {"token": token, "text": "30/12/2026"} | ({"csrf": csrf} if csrf else {})
        response = await browser.client.post("/q/answer", data=data)
        assert response.status == 403
        assert response.headers["Cache-Control"] == "no-store"
    # From another site, even with a token taken from somewhere: refused.
    response = await browser.client.post("/q/answer", data={**page.hidden["/q/answer"], "text": "30/12/2026"},
                                         headers={"Origin": "https://evil.example"})
    assert response.status == 403
    page = await browser.get("/q")
    assert "When is the conference?" in page.text and "Saved" not in page.text
    async with core.sessions() as s:
        assert [a.key for a in (await s.exec(select(Answer))).all()] == []


async def test_what_a_person_typed_is_shown_escaped(browser: Browser) -> None:
    await browser.start()
    await to_first_text_question(browser)
    await browser.type("Robin")
    page = await browser.press("Skip ➡️")
    page = await browser.press("✅ That is every child")
    page = await browser.press("✅ Done")  # the worries to think about: none ticked
    assert page.inputs
    page = await browser.type('<script>alert("x")</script><img src=x onerror=alert(1)> & <b>bold</b>')
    assert "<script>alert" not in page.html and "<img src=x" not in page.html and "<b>bold</b>" not in page.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page.html
    assert '<script>alert("x")</script>' in page.text  # and the person sees exactly what they typed


async def test_every_page_has_the_csp_and_no_store(browser: Browser) -> None:
    pages = ["/", "/help", "/language", "/static/web.css"]
    for path in pages:
        response = await browser.client.get(path)
        assert response.status == 200
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["Cache-Control"] == "no-store"
    await browser.start()
    for path in ["/q", "/language", "/help"]:
        response = await browser.client.get(path)
        assert response.headers["Cache-Control"] == "no-store" and "default-src 'none'" in response.headers[
            "Content-Security-Policy"]
        assert "<script" not in await response.text()
    response = await browser.client.post("/q/answer", data={})
    assert response.status == 403 and response.headers["Cache-Control"] == "no-store"
    # The session cookie: HttpOnly, SameSite=Strict; Secure once it is not plain http to this computer.
    browser.client.session.cookie_jar.clear()
    response = await browser.client.get("/", headers={"Host": "web.example.org"})
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" in cookie


async def test_a_fresh_session_id_at_sign_in(browser: Browser) -> None:
    await browser.get("/")
    before = browser.client.session.cookie_jar.filter_cookies(browser.client.make_url("/"))["cpc_sid"].value
    await browser.press("Start")
    after = browser.client.session.cookie_jar.filter_cookies(browser.client.make_url("/"))["cpc_sid"].value
    assert before != after


async def test_a_disclosure_shows_the_help_before_the_question(browser: Browser) -> None:
    await browser.start()
    await to_first_text_question(browser)
    await browser.type("Robin")
    await browser.press("Skip ➡️")
    await browser.press("✅ That is every child")
    page = await browser.press("✅ Done")
    prompt = page.text.split("Check your answers")[0]
    question = re.search(r'<h1 id="prompt">([^<]+)</h1>', page.html)
    assert question
    page = await browser.type("My partner hits me and I am scared of him.")
    text = page.text
    assert "National Domestic Abuse Helpline" in text and "0808 2000 247" in text and "999" in text
    assert "About your report:" in text  # a parent's gentle word that the report may be read
    assert text.index("National Domestic Abuse Helpline") < text.index("Your answer so far:")
    assert "Saved." in text and "My partner hits me" in text  # the answer is still saved
    # Shown once in a conversation.
    page = await browser.type("He hit me again.")
    assert "National Domestic Abuse Helpline" not in page.text.split("Your answer so far:")[0]
    assert prompt


async def test_the_leave_button_ends_the_session(browser: Browser) -> None:
    await browser.start()
    page = await browser.press("Next ➡️")
    assert 'href="/leave"' in page.html and "Leave this page" in page.text
    sid = browser.client.session.cookie_jar.filter_cookies(browser.client.make_url("/"))["cpc_sid"].value
    response = await browser.client.get("/leave", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == LEAVE_URL
    # The old session id opens nothing any more, even if someone kept it.
    response = await browser.client.get("/q", allow_redirects=False, headers={"Cookie": f"cpc_sid={sid}"})
    assert response.status == 303 and response.headers["Location"] == "/"


async def test_urdu_page_reads_right_to_left(browser: Browser) -> None:
    page = await browser.get("/language")
    page = await browser.press("اردو")
    assert '<html lang="ur" dir="rtl">' in page.html
    assert "Leave this page" not in page.text
