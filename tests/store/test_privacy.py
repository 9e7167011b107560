"""Your data, your rights; nothing leaks to logs; a redelivered update is handled once; nothing is
kept from a group chat (only private chats are served: in a group everyone there would read it)."""

from __future__ import annotations

import json
import logging
import sqlite3

import pytest
from aiohttp import ClientSession
from sqlalchemy import func
from sqlmodel import select

from cpc_bot.emulator.server import BotApiEmulator
from cpc_bot.handlers.menu import MenuCb
from cpc_bot.handlers.rate_limit import RedisBuckets
from cpc_bot.store.models import ChatMessage, FsmRecord, ProcessedUpdate, Response, User
from tests.helpers import BotHarness, answer_the_rest, open_prepare

ANA = 3001
SENTINEL = "Zyxwv-sentinel-words-7731"
ROSA, FAMILY_GROUP, SUPERGROUP, CHANNEL = 7001, -1007001, -1007002, -1007003
LINE_EN = "I only talk in private chats"


def db_path(harness: BotHarness) -> str:
    return harness.settings.database_url.split("///", 1)[1]


async def start_parent(emulator: BotApiEmulator):
    ana = await open_prepare(emulator, ANA, first_name="Ana")
    await ana.tap("Skip ➡️")  # the date
    await ana.tap("Skip ➡️")  # the kind of conference
    await ana.tap("Skip ➡️")  # the area
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
    assert export["user"]["role"] == {"code": "parent", "label": "A parent or carer"}

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
    await ana.tap("✅ That is every child")
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
    await ana.tap("✅ That is every child")
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


async def fsm_keys_of(harness: BotHarness, user_id: int) -> list[str]:
    """What the FSM storage itself holds for a person: its SQL rows, or its Redis keys."""
    from aiogram.fsm.storage.redis import RedisStorage

    storage = harness.app.storage
    if isinstance(storage, RedisStorage):
        keys = [key.decode() async for key in storage.redis.scan_iter(match=f"{harness.settings.redis_prefix}:*")]
    else:
        async with storage._sessions() as s:  # type: ignore[attr-defined]
            keys = list((await s.exec(select(FsmRecord.key))).all())
    # The rate limit's bucket (a count and a time, expiring within seconds) is not the FSM storage;
    # /delete removes it too (checked in the /delete test).
    return [key for key in keys if str(user_id) in key.split(":") and ":rate:" not in key]


async def test_delete_leaves_nothing_of_the_person_in_the_fsm_storage(harness: BotHarness, emulator: BotApiEmulator) -> None:
    ana = await start_parent(emulator)
    await ana.say("Amira")  # in the middle of a questionnaire: the storage holds where she is
    assert await fsm_keys_of(harness, ANA)
    await ana.say("/delete")
    await ana.tap("🗑 Yes, delete everything")
    assert "has been deleted" in emulator.last_message(ANA).visible
    assert await fsm_keys_of(harness, ANA) == []
    # Nor does the rate limit keep her id (in Redis with several workers, else in memory).
    buckets = harness.app.dispatcher["rate_buckets"]
    if isinstance(buckets, RedisBuckets):
        assert not await harness.app.storage.redis.exists(f"{harness.settings.redis_prefix}:rate:{ANA}")  # type: ignore[attr-defined]
    else:
        assert ANA not in buckets._buckets
    # And it starts afresh.
    await ana.say("/start")
    assert "👪 I am a parent or carer" in [b["text"] for row in emulator.last_message(ANA).reply_markup["inline_keyboard"]
                                          for b in row]


async def stored_rows(harness: BotHarness) -> dict[str, int]:
    counts = {}
    async with harness.app.repo._sessions() as s:
        for model in (User, Response, ProcessedUpdate, ChatMessage, FsmRecord):
            counts[model.__tablename__] = (await s.exec(select(func.count()).select_from(model))).one()
    return counts


def calls(emulator: BotApiEmulator, method: str, chat_id: int) -> list[dict]:
    return [params for name, params in emulator.requests if name == method and int(params.get("chat_id", 0)) == chat_id]


async def test_a_group_message_gets_one_line_and_the_bot_leaves_keeping_nothing(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    rosa = emulator.user(ROSA, language_code="pl")
    emulator.group(FAMILY_GROUP)  # the bot is in it already (added before it refused groups)
    await rosa.say_in_group(FAMILY_GROUP, "/start")
    [line] = emulator.messages(FAMILY_GROUP)
    assert "Rozmawiam tylko na czatach prywatnych" in line.visible  # her language, from Telegram's language_code
    assert emulator.left_chats == [FAMILY_GROUP]
    assert len(calls(emulator, "leaveChat", FAMILY_GROUP)) == 1
    # The bot's own leaving comes back as an update: it says nothing more, and nothing is kept.
    await rosa.say_in_group(FAMILY_GROUP, "Hello?", wait=False)  # sent before the bot was out
    await rosa.say("/help")  # handled after those; the bot still works in private
    assert "999" in emulator.last_message(ROSA).visible
    assert len(emulator.messages(FAMILY_GROUP, include_user=False)) == 1
    await harness.app.dispatcher["message_log"].flush()
    # Only her private /help: its update, and the ids of her message and the reply (for /delete).
    assert await stored_rows(harness) == {"users": 0, "responses": 0, "processed_updates": 1,
                                          "chat_messages": 2, "fsm_states": 0}
    async with harness.app.repo._sessions() as s:
        assert set((await s.exec(select(ChatMessage.chat_id))).all()) == {ROSA}
    assert await fsm_keys_of(harness, ROSA) == [] and await fsm_keys_of(harness, FAMILY_GROUP) == []


async def test_being_added_to_a_group_or_channel_gets_one_line_and_a_leave(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    rosa = emulator.user(ROSA, language_code="en")
    for chat_id, kind in ((SUPERGROUP, "supergroup"), (CHANNEL, "channel")):
        await rosa.add_bot_to(chat_id, kind=kind)
        [line] = emulator.messages(chat_id)
        assert line.visible.startswith(LINE_EN)
    assert emulator.left_chats == [SUPERGROUP, CHANNEL]
    # Nothing stored: no person, no update claimed, no message id, no state.
    assert await stored_rows(harness) == {"users": 0, "responses": 0, "processed_updates": 0, "chat_messages": 0,
                                          "fsm_states": 0}
    assert await fsm_keys_of(harness, ROSA) == []
    assert emulator.rejected == []
