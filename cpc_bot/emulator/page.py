"""The web chat page for `cpc-bot demo`: people in the browser, no Telegram.

Each browser tab is one person (``?as=0`` is the first, the default). An invite link the bot
writes (``https://t.me/<bot>?start=<payload>``) opens a new tab as a new person, who sends
``/start <payload>`` as they would by opening the link in Telegram. The page's own words come
in the language the bot speaks to that person, from the bot's catalogues (:class:`PageLanguage`,
given by `cpc-bot demo`; English without it).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from aiohttp import web

from cpc_bot.emulator.limits import ApiError

if TYPE_CHECKING:
    from cpc_bot.emulator.server import BotApiEmulator, FakeUser, SentMessage

DEMO_USER_ID = 1000
#: How many people the demo page can play (tabs opened from invite links), the first included.
MAX_PEOPLE = 100
#: What Telegram allows after ?start= in a link (its deep-linking rules).
START_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
#: The page never scripts inline: its code and style are files of their own, and the browser is told so.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                               "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def N_(text: str) -> str:  # noqa: N802 - gettext's name for "mark for the catalogues, translate later"
    return text


#: The page's own words, in English; the bot's catalogues hold them in every language.
WORDS: dict[str, str] = {
    "title": N_("CPC Companion: offline demo"),
    "subtitle": N_("Offline demo: nothing leaves this computer. Type /start to begin."),
    "placeholder": N_("Write a message"),
    "send": N_("Send"),
    "photo": N_("Send a photo of a drawing"),
    "your_photo": N_("Your photo"),
    "stale": N_("This button no longer works. Send /start to carry on."),
    "stopped": N_("The demo is not answering. Start it again with make demo, then reload this page."),
    "invite": N_("Opens the invite in a new tab, as the person you send it to would see it."),
}


@dataclass(frozen=True)
class PageLanguage:
    """What the page learns from the bot it runs with: the language the bot speaks to a person
    (their /language choice, else their Telegram language) and the catalogues' words."""

    #: (user id, Telegram language code) -> the bot's locale for them
    locale_of: Callable[[int, str | None], Awaitable[str]]
    #: (locale, English words) -> the words in that language
    translate: Callable[[str, str], str]
    #: locale -> written right to left
    rtl: Callable[[str], bool]


def _message_json(message: SentMessage) -> dict[str, Any]:
    return {
        "id": message.message_id,
        "seq": message.seq,
        "from_bot": message.from_bot,
        "kind": message.kind,
        "text": message.text or "",
        "html": (message.parse_mode or "").upper() == "HTML",
        "buttons": [
            [{"text": b["text"], "data": b.get("callback_data"), "url": b.get("url")} for b in row]
            for row in (message.reply_markup or {}).get("inline_keyboard", [])
        ],
        "file_id": message.file_id,
        "file_name": message.file_name,
        "deleted": message.deleted,
    }


def person_number(request: web.Request) -> int:
    """Which person this tab plays: ``?as=N`` (0, the first, by default)."""
    raw = request.query.get("as", "0")
    number = int(raw) if raw.isdigit() else 0
    return number if number < MAX_PEOPLE else 0


def add_demo_routes(app: web.Application, emulator: BotApiEmulator) -> None:
    static = files("cpc_bot.emulator").joinpath("static")
    page = static.joinpath("chat.html").read_text(encoding="utf-8")
    script = static.joinpath("chat.js").read_text(encoding="utf-8")
    style = static.joinpath("chat.css").read_text(encoding="utf-8")

    def person(request: web.Request, number: int | None = None) -> FakeUser:
        from cpc_bot.emulator.server import FakeUser

        number = person_number(request) if number is None else number
        user_id = DEMO_USER_ID + number
        if user_id not in emulator._users:  # noqa: SLF001 - the page is part of the emulator
            language = request.query.get("lang") or request.headers.get("Accept-Language", "en")[:2]
            name = "Demo" if number == 0 else f"Demo {number + 1}"
            return emulator.user(user_id, first_name=name, language_code=language)
        return FakeUser(emulator, user_id)

    async def language(user_id: int) -> dict[str, Any]:
        """The page's words for this person, in the language the bot speaks to them now."""
        speaks = emulator.page_language
        if speaks is None:
            return {"lang": "en", "dir": "ltr", "words": dict(WORDS)}
        locale = await speaks.locale_of(user_id, emulator._users[user_id].get("language_code"))  # noqa: SLF001
        return {"lang": locale, "dir": "rtl" if speaks.rtl(locale) else "ltr",
                "words": {key: speaks.translate(locale, text) for key, text in WORDS.items()}}

    async def index(request: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html", headers=SECURITY_HEADERS)

    async def asset(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        body, kind = {"chat.js": (script, "text/javascript"), "chat.css": (style, "text/css")}[name]
        return web.Response(text=body, content_type=kind, headers=SECURITY_HEADERS)

    async def messages(request: web.Request) -> web.Response:
        user_id = person(request).user_id
        after = int(request.query.get("after", "0"))
        await emulator.wait_changed(after, float(request.query.get("wait", "20")))
        chat = [m for m in emulator._chats[user_id] if m.seq > after]  # noqa: SLF001
        toasts = [{"seq": seq, "text": text} for seq, text in emulator.toasts(user_id, after)]
        return web.json_response({"messages": [_message_json(m) for m in chat], "toasts": toasts,
                                  "name": emulator._users[user_id]["first_name"],  # noqa: SLF001
                                  "bot": emulator.bot_user["username"], **await language(user_id)})

    async def say(request: web.Request) -> web.Response:
        body = await request.json()
        text = str(body.get("text", "")).strip()
        if text:
            await person(request).say(text, wait=False)
        return web.json_response({"ok": True})

    async def tap(request: web.Request) -> web.Response:
        body = await request.json()
        try:
            data, message_id = str(body["data"]), int(body["message_id"])
        except (KeyError, TypeError, ValueError):
            raise web.HTTPBadRequest() from None
        try:
            await person(request).tap_data(data, message_id, wait=False)
        except ApiError as exc:  # the message is gone: the page says so in a toast
            return web.json_response({"ok": False, "description": exc.description}, status=409)
        return web.json_response({"ok": True})

    async def photo(request: web.Request) -> web.Response:
        reader = await request.multipart()
        part = await reader.next()
        if part is None:
            raise web.HTTPBadRequest()
        data = await part.read()  # type: ignore[union-attr]
        kind = part.headers.get("Content-Type", "")  # type: ignore[union-attr]
        await person(request).send_photo(bytes(data), wait=False,
                                         mime=kind if kind.startswith("image/") else "image/jpeg")
        return web.json_response({"ok": True})

    async def document(request: web.Request) -> web.Response:
        stored = emulator._files.get(request.match_info["file_id"])  # noqa: SLF001
        if stored is None:
            raise web.HTTPNotFound()
        name = stored.name.replace('"', "")
        return web.Response(body=stored.data, content_type=stored.mime,
                            headers={"Content-Disposition": f'attachment; filename="{name}"', **SECURITY_HEADERS})

    async def image(request: web.Request) -> web.Response:
        """A photo a person sent, shown as a thumbnail (images only, never as a page)."""
        stored = emulator._files.get(request.match_info["file_id"])  # noqa: SLF001
        if stored is None or not stored.mime.startswith("image/") or stored.mime == "image/svg+xml":
            raise web.HTTPNotFound()
        return web.Response(body=stored.data, content_type=stored.mime, headers=SECURITY_HEADERS)

    async def invite(request: web.Request) -> web.Response:
        """An invite link, opened: a new person (a new tab) sends /start with the link's payload."""
        payload = request.query.get("start", "")
        if not START_PAYLOAD.fullmatch(payload):
            raise web.HTTPBadRequest(text="This is not an invite link.")
        taken = {uid - DEMO_USER_ID for uid in emulator._users if 0 <= uid - DEMO_USER_ID < MAX_PEOPLE}  # noqa: SLF001
        free = [n for n in range(1, MAX_PEOPLE) if n not in taken]
        if not free:
            raise web.HTTPServiceUnavailable(text="The demo has no more people to play.")
        person(request, free[0])  # taken now: a second tap on the link is a third person
        raise web.HTTPFound(f"/?as={free[0]}&start={payload}")

    app.router.add_get("/", index)
    app.router.add_get("/demo/{name:chat\\.(?:js|css)}", asset)
    app.router.add_get("/demo/invite", invite)
    app.router.add_get("/demo/api/messages", messages)
    app.router.add_post("/demo/api/say", say)
    app.router.add_post("/demo/api/tap", tap)
    app.router.add_post("/demo/api/photo", photo)
    app.router.add_get("/demo/api/document/{file_id}", document)
    app.router.add_get("/demo/api/image/{file_id}", image)
