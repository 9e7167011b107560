"""The web chat page for `cpc-bot demo`: one demo person, in the browser, no Telegram."""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from cpc_bot.emulator.server import BotApiEmulator, SentMessage

DEMO_USER_ID = 1000


def _message_json(emulator: BotApiEmulator, message: SentMessage) -> dict[str, Any]:
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


def add_demo_routes(app: web.Application, emulator: BotApiEmulator) -> None:
    page = files("cpc_bot.emulator").joinpath("static/chat.html").read_text(encoding="utf-8")

    def demo_user(request: web.Request) -> Any:
        language = request.query.get("lang") or request.headers.get("Accept-Language", "en")[:2]
        if DEMO_USER_ID not in emulator._users:  # noqa: SLF001 - the page is part of the emulator
            return emulator.user(DEMO_USER_ID, first_name="Demo", language_code=language)
        from cpc_bot.emulator.server import FakeUser

        return FakeUser(emulator, DEMO_USER_ID)

    async def index(request: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html")

    async def messages(request: web.Request) -> web.Response:
        demo_user(request)
        after = int(request.query.get("after", "0"))
        await emulator.wait_changed(after, float(request.query.get("wait", "20")))
        chat = [m for m in emulator._chats[DEMO_USER_ID] if m.seq > after]  # noqa: SLF001
        return web.json_response({"messages": [_message_json(emulator, m) for m in chat]})

    async def say(request: web.Request) -> web.Response:
        body = await request.json()
        text = str(body.get("text", "")).strip()
        if text:
            await demo_user(request).say(text, wait=False)
        return web.json_response({"ok": True})

    async def tap(request: web.Request) -> web.Response:
        body = await request.json()
        try:
            await demo_user(request).tap_data(str(body["data"]), int(body["message_id"]), wait=False)
        except Exception:  # noqa: BLE001 - a deleted message: the page just refreshes
            return web.json_response({"ok": False}, status=409)
        return web.json_response({"ok": True})

    async def photo(request: web.Request) -> web.Response:
        reader = await request.multipart()
        part = await reader.next()
        if part is None:
            raise web.HTTPBadRequest()
        data = await part.read()  # type: ignore[union-attr]
        await demo_user(request).send_photo(bytes(data), wait=False)
        return web.json_response({"ok": True})

    async def document(request: web.Request) -> web.Response:
        stored = emulator._files.get(request.match_info["file_id"])  # noqa: SLF001
        if stored is None:
            raise web.HTTPNotFound()
        return web.Response(body=stored.data, content_type=stored.mime,
                            headers={"Content-Disposition": f'attachment; filename="{stored.name}"'})

    app.router.add_get("/", index)
    app.router.add_get("/demo/api/messages", messages)
    app.router.add_post("/demo/api/say", say)
    app.router.add_post("/demo/api/tap", tap)
    app.router.add_post("/demo/api/photo", photo)
    app.router.add_get("/demo/api/document/{file_id}", document)
