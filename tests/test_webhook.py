"""The webhook: only Telegram (who knows the secret) gets in, and a broken request is refused
with a plain status, no traceback and nothing of what it carried in the log."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import ClientSession, web

from cpc_bot.app import build_app
from cpc_bot.emulator.server import BotApiEmulator
from cpc_bot.webhook import SECRET_HEADER, webhook_app
from tests.helpers import make_settings

SECRET = "right-secret_0123456789"
SENTINEL = "Zyxwv-webhook-words-4412"
PERSON = 7201


def update(update_id: int, text: str) -> dict[str, object]:
    return {"update_id": update_id,
            "message": {"message_id": update_id, "date": 0, "chat": {"id": PERSON, "type": "private"},
                        "from": {"id": PERSON, "is_bot": False, "first_name": "Ana"}, "text": text}}


@pytest.fixture(params=[False, True], ids=["answer-after", "in-background"])
async def hook(request: pytest.FixtureRequest, emulator: BotApiEmulator, tmp_path: Path) -> AsyncIterator[str]:
    """A bot serving its webhook on a free port; yields the webhook's address."""
    emulator.user(PERSON, first_name="Ana")  # a person the emulator knows, as Telegram would
    app = build_app(make_settings(emulator.base_url, tmp_path))
    await app.prepare()
    runner = web.AppRunner(webhook_app(app.dispatcher, app.bot, secret_token=SECRET, path="/hook",
                                       handle_in_background=request.param))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}/hook"
    await runner.cleanup()
    await app.close()


async def raw_post(url: str, header: bytes | None, body: bytes) -> int:
    """POST with exactly these bytes in the secret header (a client library would re-encode them)."""
    host, port = url.split("//", 1)[1].split("/", 1)[0].split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    head = b"POST /hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
    if header is not None:
        head += SECRET_HEADER.encode() + b": " + header + b"\r\n"
    writer.write(head + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    writer.close()
    await writer.wait_closed()
    return status


async def test_a_wrong_missing_or_non_ascii_secret_gets_401(hook: str, emulator: BotApiEmulator,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    body = json.dumps(update(1, f"/start {SENTINEL}")).encode()
    for header in (None, b"", b"wrong", SECRET.encode()[:-1], b"right-secr\xc3\xa9t_0123456789", "sécret".encode(),
                   b"\xff\xfe", SECRET.encode() + b"\xe2\x80\x8b"):
        assert await raw_post(hook, header, body) == 401, header
    assert emulator.messages(PERSON) == []
    assert "Traceback" not in caplog.text and SENTINEL not in caplog.text
    assert caplog.text.count("webhook.unauthorized") == 8
    # The right secret gets in: the bot answers.
    assert await raw_post(hook, SECRET.encode(), json.dumps(update(2, "/start")).encode()) == 200
    await emulator.wait_changed(0, 10)
    assert emulator.messages(PERSON)
    assert "I am a parent or carer" in " ".join(b["text"] for row in emulator.last_message(PERSON).reply_markup[
        "inline_keyboard"] for b in row)


@pytest.mark.parametrize("body", [
    b"{not json " + SENTINEL.encode(),
    b"\xff\xfe" + SENTINEL.encode(),
    json.dumps([SENTINEL]).encode(),
    json.dumps({"message": {"text": SENTINEL}}).encode(),  # no update_id
    json.dumps({"update_id": "one", "message": {"text": SENTINEL}}).encode(),
    json.dumps({**update(3, SENTINEL), "message": {"message_id": 3, "text": SENTINEL}}).encode(),  # no chat, no date
    b"[" * 100_000,
], ids=["not-json", "not-utf8", "a-list", "no-update-id", "bad-update-id", "bad-message", "nested"])
async def test_a_body_that_is_not_an_update_gets_400_and_none_of_it_is_logged(
        hook: str, body: bytes, emulator: BotApiEmulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    assert await raw_post(hook, SECRET.encode(), body) == 400
    assert "webhook.bad_update" in caplog.text
    assert SENTINEL not in caplog.text and "Traceback" not in caplog.text and "input_value" not in caplog.text
    assert emulator.messages(PERSON) == []
    # The bot still serves what is right.
    async with ClientSession() as http, http.post(hook, json=update(4, "/start"), headers={SECRET_HEADER: SECRET}) as reply:
        assert reply.status == 200
    await emulator.wait_changed(0, 10)
    assert emulator.messages(PERSON)
