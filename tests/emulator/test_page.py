"""The demo page as a person sees it: its words in their language, toasts for stale taps,
thumbnails of their drawings, invite links that open in the page, and no inline script.

Driven through the page's own HTTP API (what chat.js calls) against a real bot; the browser
test reads the rendered page in Debian's chromium where it is installed."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from PIL import Image, ImageDraw

from cpc_bot.cli import page_language
from cpc_bot.emulator.page import DEMO_USER_ID, WORDS
from cpc_bot.emulator.server import BotApiEmulator
from tests.emulator.browser import CHROMIUM, Browser
from tests.helpers import BotHarness, make_verified, register_conference


class Tab:
    """One browser tab of the demo page, through the calls its script makes."""

    def __init__(self, client: aiohttp.ClientSession, base: str, person: int = 0, lang: str = "en") -> None:
        self.client, self.base = client, base
        self.query = f"?as={person}&lang={lang}"
        self.after = 0
        self.messages: dict[int, dict[str, Any]] = {}
        self.toasts: list[str] = []
        self.page: dict[str, Any] = {}

    async def poll(self, wait: float = 0) -> dict[str, Any]:
        async with self.client.get(f"{self.base}/demo/api/messages{self.query}&after={self.after}&wait={wait}") as answer:
            data = await answer.json()
        for message in data["messages"]:
            self.messages[message["id"]] = message
            self.after = max(self.after, message["seq"])
        for toast in data["toasts"]:
            self.toasts.append(toast["text"])
            self.after = max(self.after, toast["seq"])
        self.page = data
        return data

    async def until(self, seen: Callable[[Tab], bool], timeout: float = 10) -> None:
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while not seen(self):
            if loop.time() > end:
                raise AssertionError(f"the page never showed it; last bot message: {self.last_text()!r}")
            await self.poll(wait=1)

    def bot_messages(self) -> list[dict[str, Any]]:
        return sorted((m for m in self.messages.values() if m["from_bot"] and not m["deleted"]), key=lambda m: m["id"])

    def last_text(self) -> str:
        shown = self.bot_messages()
        return shown[-1]["text"] if shown else ""

    async def post(self, path: str, body: dict[str, Any]) -> int:
        async with self.client.post(f"{self.base}{path}{self.query}", json=body) as answer:
            return answer.status

    async def say(self, text: str, *, expect: str) -> None:
        assert await self.post("/demo/api/say", {"text": text}) == 200
        await self.until(lambda tab: expect in tab.last_text())

    async def tap(self, label: str, *, expect: str) -> int:
        for message in reversed(self.bot_messages()):
            for button in (b for row in message["buttons"] for b in row):
                if button["text"].replace("\u200f", "") == label:
                    status = await self.post("/demo/api/tap", {"message_id": message["id"], "data": button["data"]})
                    await self.until(lambda tab: expect in tab.last_text() or expect in tab.toasts)
                    return status
        raise AssertionError(f"no button {label!r}")


@pytest.fixture
async def client() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def demo(harness: BotHarness, emulator: BotApiEmulator) -> BotApiEmulator:
    """The emulator with its page speaking as the bot does, as `cpc-bot demo` wires it."""
    emulator.page_language = page_language(harness.app)
    return emulator


def drawing() -> bytes:
    image = Image.new("RGB", (480, 360), "white")
    pen = ImageDraw.Draw(image)
    pen.ellipse((60, 40, 200, 180), outline="orange", width=8)
    pen.rectangle((260, 170, 420, 320), outline="blue", width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


async def send_photo(client: aiohttp.ClientSession, base: str, person: int, data: bytes) -> int:
    form = aiohttp.FormData()
    form.add_field("photo", data, filename="drawing.png", content_type="image/png")
    async with client.post(f"{base}/demo/api/photo?as={person}&lang=en", data=form) as answer:
        return answer.status


async def test_the_page_runs_no_inline_script_and_builds_text_not_html(emulator: BotApiEmulator,
                                                                        client: aiohttp.ClientSession) -> None:
    async with client.get(emulator.base_url + "/") as answer:
        html = await answer.text()
        policy = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "style-src 'self'" in policy
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/demo/chat.js" defer>']
    assert re.findall(r"<script[^>]*>(.*?)</script>", html, re.S) == [""]  # nothing between the tags
    assert "<style" not in html and " style=" not in html and re.search(r"\son\w+=", html) is None
    async with client.get(emulator.base_url + "/demo/chat.js") as answer:
        script = await answer.text()
        assert answer.content_type == "text/javascript"
    async with client.get(emulator.base_url + "/demo/chat.css") as answer:
        assert answer.status == 200 and answer.content_type == "text/css"
    # What the bot or a person wrote is set as text, or rebuilt from the tags Telegram allows.
    for risky in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert risky not in script


async def test_the_pages_words_are_the_persons_language_and_follow_language(
        demo: BotApiEmulator, client: aiohttp.ClientSession) -> None:
    tab = Tab(client, demo.base_url, lang="pl")  # a browser (a Telegram app) in Polish
    page = await tab.poll()
    assert (page["lang"], page["dir"]) == ("pl", "ltr")
    assert page["words"]["placeholder"] == "Napisz wiadomość"
    assert page["words"]["send"] == "Wyślij"
    assert page["words"]["stale"] == "Ten przycisk już nie działa. Wyślij /start, aby kontynuować."
    # The person picks Urdu in the bot: the page's own words follow, right to left.
    await tab.say("/language", expect="Jaki język wybierasz?")
    await tab.tap("اردو", expect="اردو")
    page = await tab.poll()
    assert (page["lang"], page["dir"]) == ("ur", "rtl")
    assert page["words"]["placeholder"] == "پیغام لکھیں"
    assert page["words"]["send"] == "بھیجیں"


async def test_every_word_of_the_page_is_in_every_catalogue(harness: BotHarness) -> None:
    i18n = harness.app.i18n
    assert set(i18n.available_locales) >= {"en", "pl", "ro", "pa", "ur", "pt", "ar", "bn", "gu"}
    for locale in i18n.available_locales:
        if locale == "en":
            continue
        untranslated = [text for text in WORDS.values() if i18n.gettext(text, locale=locale) == text]
        assert untranslated == [], locale


async def test_a_stale_tap_is_answered_so_the_page_can_say_so(demo: BotApiEmulator, client: aiohttp.ClientSession) -> None:
    tab = Tab(client, demo.base_url)
    await tab.say("/start", expect="Who are you?")
    welcome = tab.bot_messages()[-1]
    parent = welcome["buttons"][0][0]
    await demo.api_deletemessage(_params(chat_id=DEMO_USER_ID, message_id=welcome["id"]))
    # The message is gone (an old tab): 409, and the page shows its words for it in a toast.
    assert await tab.post("/demo/api/tap", {"message_id": welcome["id"], "data": parent["data"]}) == 409
    assert tab.page["words"]["stale"] == "This button no longer works. Send /start to carry on."
    # A button the bot no longer knows: its own answer comes to the page as a toast.
    await tab.say("/language", expect="Which language")
    menu = tab.bot_messages()[-1]
    assert await tab.post("/demo/api/tap", {"message_id": menu["id"], "data": "m:lang:xx"}) == 200
    await tab.until(lambda t: "This button no longer works. Send /start to carry on." in t.toasts)


def _params(**values: Any) -> Any:
    from cpc_bot.emulator.server import _Params

    return _Params(values)


async def test_a_drawing_shows_as_a_thumbnail(demo: BotApiEmulator, client: aiohttp.ClientSession) -> None:
    tab = Tab(client, demo.base_url)
    picture = drawing()
    assert await send_photo(client, demo.base_url, 0, picture) == 200
    await tab.until(lambda t: any(m["kind"] == "photo" for m in t.messages.values()))
    sent = next(m for m in tab.messages.values() if m["kind"] == "photo")
    assert not sent["from_bot"] and sent["file_id"]
    async with client.get(f"{demo.base_url}/demo/api/image/{sent['file_id']}") as answer:
        assert answer.status == 200 and answer.content_type == "image/png"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert await answer.read() == picture
    # Only images are shown that way: a file that is not one is never served as a page.
    other = demo.store_user_file(b"<script>alert(1)</script>", "x.html", "text/html")
    async with client.get(f"{demo.base_url}/demo/api/image/{other}") as answer:
        assert answer.status == 404


async def professional_with_links(harness: BotHarness, emulator: BotApiEmulator) -> list[str]:
    """The first person of the page, a verified social worker, makes invite links; their payloads."""
    await make_verified(harness.app, DEMO_USER_ID)
    pro = emulator.user(DEMO_USER_ID, first_name="Demo", language_code="en")
    await register_conference(pro)
    await pro.tap("🔗 Invite links")
    text = emulator.last_message(DEMO_USER_ID).visible
    return re.findall(r"https://t\.me/cpc_companion_bot\?start=([A-Za-z0-9_-]+)", text)


async def test_an_invite_link_opens_in_the_page_as_a_new_person(
        harness: BotHarness, demo: BotApiEmulator, client: aiohttp.ClientSession) -> None:
    payloads = await professional_with_links(harness, demo)
    assert len(payloads) == 2
    tab = Tab(client, demo.base_url)
    await tab.poll()
    assert tab.page["bot"] == "cpc_companion_bot"  # the page knows the bot's links by its name
    assert f"https://t.me/cpc_companion_bot?start={payloads[0]}" in tab.last_text()  # unchanged: real Telegram links
    async with client.get(f"{demo.base_url}/demo/invite?start={payloads[0]}", allow_redirects=False) as answer:
        assert answer.status == 302
        assert answer.headers["Location"] == f"/?as=1&start={payloads[0]}"
    # The new tab sends /start with the payload, as opening the link in Telegram does.
    invited = Tab(client, demo.base_url, person=1)
    await invited.say(f"/start {payloads[0]}", expect="invited you")
    assert "<b>Sam Patel, Social worker, Council</b> invited you" in invited.last_text()
    assert [b["text"] for row in invited.bot_messages()[-1]["buttons"] for b in row] == ["✅ Join"]
    assert invited.page["name"] == "Demo 2"
    await invited.tap("✅ Join", expect="name")
    # The same link opened again is another person; something that is not an invite is refused.
    async with client.get(f"{demo.base_url}/demo/invite?start={payloads[0]}", allow_redirects=False) as answer:
        assert answer.headers["Location"] == f"/?as=2&start={payloads[0]}"
    async with client.get(f"{demo.base_url}/demo/invite?start=<script>", allow_redirects=False) as answer:
        assert answer.status == 400


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
async def test_in_a_browser_links_toasts_thumbnails_and_words(
        harness: BotHarness, demo: BotApiEmulator, client: aiohttp.ClientSession, tmp_path: Path) -> None:
    payloads = await professional_with_links(harness, demo)
    async with Browser(tmp_path / "profile") as browser:
        await browser.goto(demo.base_url + "/")
        links = await browser.wait_for(
            "(() => { const a = [...document.querySelectorAll('a.invite')]; return a.length === 2 && "
            "a.map(x => [x.textContent, x.getAttribute('href'), x.target, x.title]); })()")
        assert links[0] == [f"https://t.me/cpc_companion_bot?start={payloads[0]}", f"/demo/invite?start={payloads[0]}",
                            "_blank", "Opens the invite in a new tab, as the person you send it to would see it."]
        assert await browser.js("document.getElementById('text').placeholder") == "Write a message"
        # A tap on a message that is gone: the toast says so, in kind words.
        await browser.js("tap(999999, 'm:role:parent')")
        toast = await browser.wait_for("!document.getElementById('toast').hidden && document.getElementById('toast').textContent")
        assert toast == "This button no longer works. Send /start to carry on."
        # The invite opens as a new person, who sees who invited them.
        await browser.goto(await browser.js("document.querySelector('a.invite').href"))
        await browser.wait_for("[...document.querySelectorAll('.msg.bot')].some(e => e.textContent.includes('invited you'))")
        assert await browser.js("location.search") == "?as=1"  # a reload does not send /start again
        assert await browser.js("document.getElementById('heading').textContent") == "CPC Companion · Demo 2"
        # Their drawing shows as a picture; then they choose Arabic and the page turns right to left.
        assert await send_photo(client, demo.base_url, 1, drawing()) == 200
        size = await browser.wait_for("(() => { const i = document.querySelector('img.thumb'); "
                                      "return i && i.complete && i.naturalWidth && [i.naturalWidth, i.alt]; })()")
        assert size == [480, "Your photo"]
        invited = Tab(client, demo.base_url, person=1)
        await invited.say("/language", expect="Which language")
        await invited.tap("العربية", expect="العربية")
        await browser.wait_for("document.documentElement.dir === 'rtl'")
        assert await browser.js("document.documentElement.lang") == "ar"
        assert await browser.js("document.getElementById('send').textContent") == "إرسال"
        await browser.screenshot(tmp_path / "page.png")
