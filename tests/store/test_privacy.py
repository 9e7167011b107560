"""Your data, your rights; nothing leaks to logs; a redelivered update is handled once."""

from __future__ import annotations

import json
import logging
import sqlite3

import pytest
from aiohttp import ClientSession

from cpc_bot.emulator.server import BotApiEmulator
from cpc_bot.handlers.menu import MenuCb
from tests.helpers import BotHarness, answer_the_rest, open_prepare

ANA = 3001
SENTINEL = "Zyxwv-sentinel-words-7731"


def db_path(harness: BotHarness) -> str:
    return harness.settings.database_url.split("///", 1)[1]


async def start_parent(emulator: BotApiEmulator):
    ana = await open_prepare(emulator, ANA, first_name="Ana")
    await ana.tap("Skip ➡️")
    return ana


@pytest.mark.sqlite_only
async def test_mydata_shows_everything_and_delete_erases_it(harness: BotHarness, emulator: BotApiEmulator) -> None:
    ana = await start_parent(emulator)
    await ana.say(SENTINEL + " <script>alert(1)</script>")
    await ana.say("/mydata")
    page_doc, json_doc = emulator.documents(ANA)[-2:]
    # A page to read on the phone, in plain words, with what they typed shown as text (never run).
    assert page_doc.file_name.endswith(".html") and "everything I keep about you" in page_doc.visible
    page = emulator.file(page_doc.file_id).data.decode()
    assert "<h1>Everything CPC Companion keeps about you</h1>" in page
    assert "<dt>You told me you are</dt><dd>A parent or carer</dd>" in page
    assert "<h2>Prepare your views</h2>" in page and "Not finished yet · Started on 24 November 2026" in page
    assert f"<dt>Child 1: Name</dt><dd>{SENTINEL} &lt;script&gt;alert(1)&lt;/script&gt;</dd>" in page
    assert "<script>" not in page
    # The same data for another program (portability).
    export = json.loads(emulator.file(json_doc.file_id).data)
    answers = export["questionnaires"][0]["answers"]
    assert {"question": "Child 1: Name", "answer": SENTINEL + " <script>alert(1)</script>"} in answers
    assert export["user"]["role"] == "parent"

    await ana.say("/delete")
    assert "It cannot be undone." in emulator.last_message(ANA).visible
    await ana.tap("No, keep my answers")
    kept = emulator.last_message(ANA)
    assert "Nothing was deleted." in kept.visible
    # The same "No" tapped again (a copy of the button, on this message): nothing to change, nothing refused.
    await ana.tap_data(MenuCb(a="erase", v="no").pack(), kept.message_id)
    assert not emulator.rejected and "Nothing was deleted." in emulator.last_message(ANA).visible
    await ana.say("/delete")
    assert len(emulator.messages(ANA, include_user=True)) > 10
    await ana.tap("🗑 Yes, delete everything")
    # The conversation is gone from the chat too (someone else may pick up the phone): what
    # they typed and what the bot said; only the goodbye is left.
    [goodbye] = emulator.messages(ANA, include_user=True)
    assert "has been deleted" in goodbye.visible and "removed our messages from the last two days" in goodbye.visible
    with sqlite3.connect(db_path(harness)) as db:
        for table in ("users", "responses", "answers", "blobs", "reminders", "conference_members", "chat_messages"):
            assert db.execute(f"select count(*) from {table}").fetchone()[0] == 0, table  # noqa: S608
    await ana.say("/start")
    assert "Carry on" not in " ".join(b["text"] for row in emulator.last_message(ANA).reply_markup["inline_keyboard"] for b in row)


@pytest.mark.sqlite_only
async def test_no_words_or_names_reach_the_logs_or_the_database_file(
        harness: BotHarness, emulator: BotApiEmulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    ana = await start_parent(emulator)
    await ana.say(SENTINEL)  # the child's name
    await ana.tap("Skip ➡️")
    await ana.tap("✅ That is everyone")
    # The whole questionnaire with the sentinel in every answer, the report, the data page, a
    # wrong command, and a picture; then everything a person can ask for.
    await answer_the_rest(ana, emulator, ANA, words=f"{SENTINEL} says we are fine", short_words=SENTINEL)
    for command in ("/report", "/mydata", "/help", "/nonsense", "/language", "/delete"):
        await ana.say(command)
    assert emulator.documents(ANA)
    assert SENTINEL not in caplog.text and "Ana" not in caplog.text
    assert harness.settings.bot_token.get_secret_value() not in caplog.text
    with open(db_path(harness), "rb") as raw:
        data = raw.read()
    for suffix in ("-wal", ""):
        try:
            with open(db_path(harness) + suffix, "rb") as raw:
                data += raw.read()
        except FileNotFoundError:
            pass
    assert SENTINEL.encode() not in data


async def test_a_redelivered_update_is_handled_once(harness: BotHarness, emulator: BotApiEmulator) -> None:
    ana = await start_parent(emulator)
    await ana.say("Amira")  # the child's name: a one-message answer
    await ana.tap("Skip ➡️")
    await ana.tap("✅ That is everyone")
    await ana.tap("Skip ➡️")
    typed = await ana.say("We laugh a lot.")
    await emulator.redeliver(typed)
    await ana.say("/help")  # handled after the redelivery
    response = await harness.app.repo.open_response(ANA, "parent_prepare")
    answers = await harness.app.repo.answers(response.id)
    assert answers["strengths"].value == ["We laugh a lot."]


async def test_webhook_refuses_requests_without_the_secret(emulator: BotApiEmulator, tmp_path) -> None:
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler
    from aiohttp import web

    from cpc_bot.app import build_app
    from tests.helpers import make_settings

    app = build_app(make_settings(emulator.base_url, tmp_path))
    await app.prepare()
    web_app = web.Application()
    SimpleRequestHandler(app.dispatcher, app.bot, secret_token="right-secret").register(web_app, path="/hook")
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"},
                                          "from": {"id": 1, "is_bot": False, "first_name": "X"}, "text": "/start"}}
    async with ClientSession() as http:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            async with http.post(f"http://127.0.0.1:{port}/hook", json=update, headers=headers) as reply:
                assert reply.status == 401
    await runner.cleanup()
    await app.close()
    assert emulator.messages(1) == []
