"""Encryption that knows whose data it is: a row moved to another account in the database (an
``UPDATE ... SET user_id = <other>``) shows that account nothing and breaks nothing; what was
ticked cannot be told from a ciphertext's length; old (v1) rows are read until ``cpc-bot keys
rotate`` upgrades them, and are then bound to their owner too. On SQLite and, with
``CPC_TEST_BACKEND=postgres``, on PostgreSQL."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import secrets
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from cpc_bot import cli
from cpc_bot.config import Settings
from cpc_bot.emulator.server import BotApiEmulator
from cpc_bot.store.crypto import FieldCipher, parse_keys
from tests.children.test_children import drawing, open_booklet, pdf_text
from tests.helpers import (
    BotHarness,
    answer_the_rest,
    buttons,
    join_with_link,
    make_verified,
    open_prepare,
)
from tests.professionals.test_conferences import invite_links, register

ANA, EVE, CHILD, OTHER_CHILD, SW, OTHER_SW, MUM, DAD = 6001, 6002, 6003, 6004, 6005, 6006, 6007, 6008
WORDS = "Qwzx-my-nan-and-my-dog"
SORRY = "something went wrong on my side"


async def sql(harness: BotHarness, query: str, **params: Any) -> list[Any]:
    """What someone with write access to the database (and no key) can do."""
    async with harness.app.repo._sessions.begin() as s:
        result = await (await s.connection()).execute(sa.text(query), params)
        return list(result.all()) if result.returns_rows else []


def everything_shown(emulator: BotApiEmulator, chat_id: int) -> str:
    """Every message and every document the person was sent (PDFs as their text)."""
    parts = [m.visible for m in emulator.messages(chat_id)]
    for document in emulator.documents(chat_id):
        data = emulator.file(document.file_id).data
        parts.append(pdf_text(data) if data.startswith(b"%PDF") else data.decode())
    return "\n".join(parts)


async def start_parent(emulator: BotApiEmulator, chat_id: int) -> Any:
    """A parent at the child's-name question of "Prepare your views" (date, kind and area skipped)."""
    parent = await open_prepare(emulator, chat_id)
    await parent.tap("Skip ➡️")  # the date
    await parent.tap("Skip ➡️")  # the kind of conference
    await parent.tap("Skip ➡️")  # the area
    assert "What is the child's name?" in emulator.last_message(chat_id).visible
    return parent


def assert_no_error(emulator: BotApiEmulator, chat_id: int) -> None:
    assert all(SORRY not in m.visible for m in emulator.messages(chat_id))


# --- rows moved to another owner --------------------------------------------------------------

async def test_a_childs_booklet_moved_to_another_account_shows_it_nothing(
        harness: BotHarness, emulator: BotApiEmulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    child = await open_booklet(emulator, CHILD, "I am under 12")
    await child.tap("Next ➡️")
    await child.tap("Skip ➡️")  # my name
    await child.send_photo(drawing())
    await child.say(WORDS)
    await child.tap("✅ Done")
    await answer_the_rest(child, emulator, CHILD)
    assert WORDS in pdf_text(emulator.file(emulator.documents(CHILD)[-1].file_id).data)
    other = emulator.user(OTHER_CHILD, language_code="en")
    await other.say("/start")
    [(blob_id,)] = await sql(harness, "SELECT id FROM blobs WHERE user_id = :u", u=CHILD)

    # The whole booklet and its drawing are moved to the other account.
    await sql(harness, "UPDATE responses SET user_id = :to WHERE user_id = :fr", to=OTHER_CHILD, fr=CHILD)
    await sql(harness, "UPDATE blobs SET user_id = :to WHERE user_id = :fr", to=OTHER_CHILD, fr=CHILD)

    await other.say("/report")  # the booklet is "theirs" now: it comes, without a word or the drawing
    await other.say("/mydata")
    assert len(emulator.documents(OTHER_CHILD)) == 3  # the booklet, the data page and its JSON
    shown = everything_shown(emulator, OTHER_CHILD)
    assert WORDS not in shown and "Have your say" in shown
    assert_no_error(emulator, OTHER_CHILD)
    # The picture itself is bound to the child it came from, whoever the row now names.
    assert await harness.app.repo.load_blob(blob_id, OTHER_CHILD) is None
    # The log names the rows (table and id), never the words or whose they were.
    assert "crypto.unreadable table=answers id=" in caplog.text and "crypto.unreadable table=blobs id=" in caplog.text
    assert WORDS not in caplog.text and str(OTHER_CHILD) not in "".join(
        r.getMessage() for r in caplog.records if "crypto.unreadable" in r.getMessage())


async def test_a_single_answer_moved_into_another_accounts_questionnaire_is_never_shown(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    ana = await start_parent(emulator, ANA)
    await ana.say(WORDS)
    eve = await start_parent(emulator, EVE)
    [(ana_response,)] = await sql(harness, "SELECT id FROM responses WHERE user_id = :u", u=ANA)
    [(eve_response,)] = await sql(harness, "SELECT id FROM responses WHERE user_id = :u", u=EVE)

    await sql(harness, "UPDATE answers SET response_id = :to WHERE response_id = :fr AND key = 'children.0.name'",
              to=eve_response, fr=ana_response)

    await eve.say("/mydata")
    await eve.say("/start")
    await eve.tap(next(b for b in buttons(emulator.last_message(EVE)) if b.startswith("▶️ Carry on")))
    assert len(emulator.documents(EVE)) == 2
    assert WORDS not in everything_shown(emulator, EVE)
    assert "What is the child's name?" in emulator.last_message(EVE).visible  # asked again: as if never answered
    assert_no_error(emulator, EVE)


async def test_a_conference_moved_to_another_professional_shows_none_of_its_words(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    await register(emulator, SW, "15/12/2026", area="Kirklees")  # case reference AB-123
    await make_verified(harness.app, SW, "kirklees")
    old_links = await invite_links(emulator, SW)
    await join_with_link(emulator, MUM, old_links[0], name="Anna Kowalska")
    await make_verified(harness.app, OTHER_SW, "kirklees", name="Jo Other")

    await sql(harness, "UPDATE conferences SET owner_id = :to WHERE owner_id = :fr", to=OTHER_SW, fr=SW)

    other = emulator.user(OTHER_SW, language_code="en")
    await other.say("/start")
    await other.tap("🧑‍💼 I work with children")
    await other.tap(next(b for b in buttons(emulator.last_message(OTHER_SW)) if b.startswith("📅")))
    assert "Initial conference · 15 December 2026" in emulator.last_message(OTHER_SW).visible
    await other.tap("🔗 Invite links")  # the old links are not handed out: new ones are made
    reshown = [code for code in old_links if code in emulator.last_message(OTHER_SW).visible]
    await other.tap("⬅️ Back")
    await other.tap("👥 Who joined")
    assert "A parent or carer joined: 24 November 2026" in emulator.last_message(OTHER_SW).visible
    await other.say("/mydata")
    shown = everything_shown(emulator, OTHER_SW)
    assert reshown == [] and "AB-123" not in shown and "Anna" not in shown
    assert_no_error(emulator, OTHER_SW)


async def test_a_membership_moved_to_another_person_does_not_show_them_the_name(
        harness: BotHarness, emulator: BotApiEmulator) -> None:
    await register(emulator, SW, "15/12/2026", area="Kirklees")
    await make_verified(harness.app, SW, "kirklees")
    parent_link, _child_link = await invite_links(emulator, SW)
    await join_with_link(emulator, MUM, parent_link, name="Anna Kowalska")
    dad = emulator.user(DAD, language_code="en")
    await dad.say("/start")

    await sql(harness, "UPDATE conference_members SET user_id = :to WHERE user_id = :fr", to=DAD, fr=MUM)

    await dad.say("/mydata")
    export = json.loads(emulator.file(emulator.documents(DAD)[-1].file_id).data)
    assert [c["name_given"] for c in export["conferences_joined"]] == [None]  # the membership, not the name
    assert "Anna" not in everything_shown(emulator, DAD)
    assert_no_error(emulator, DAD)


# --- lengths ---------------------------------------------------------------------------------------

async def test_what_was_ticked_cannot_be_told_from_the_length(harness: BotHarness, emulator: BotApiEmulator) -> None:
    """The bot's own write path, the database's own bytes."""
    repo = harness.app.repo
    await repo.ensure_user(ANA)
    response = await repo.create_response(ANA, "parent_prepare", 1, "intro", "en")
    issues = ["emotional_health", "housing", "money", "substances", "relationships", "physical_health", "school", "other"]
    values = {"a": "yes", "b": "no", "c": "not_sure", "d": "Yes", "e": "No", "f": "Not sure", "g": ["other"],
              "h": ["housing", "money"], "i": issues, "j": 3, "k": "2026-12-15"}
    for key, value in values.items():
        await repo.save_answer(response.id or 0, key, value)
    rows = await sql(harness, "SELECT key, value_enc FROM answers WHERE response_id = :r", r=response.id)
    assert {key for key, _v in rows} == set(values)
    assert len({len(token) for _k, token in rows}) == 1, {key: len(token) for key, token in rows}
    assert {k: a.value for k, a in (await repo.answers(response.id or 0)).items()} == values


# --- the v1 format ---------------------------------------------------------------------------------

def v1_token(key: bytes, plaintext: str, context: str) -> str:
    """A value as the bot wrote it before owners and padding (v1): associated data = context."""
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), context.encode())
    return f"v1.{FieldCipher([key]).current_key_id}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"


async def test_old_v1_rows_are_read_then_keys_rotate_binds_them_to_their_owner(
        harness: BotHarness, emulator: BotApiEmulator, bot_settings: Settings, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    ana = await start_parent(emulator, ANA)
    await ana.say(WORDS)
    await ana.tap("Skip ➡️")
    eve = emulator.user(EVE, language_code="en")
    await eve.say("/start")
    # Ana's answers as an older version of the bot left them.
    secret = bot_settings.encryption_keys.get_secret_value()  # type: ignore[union-attr]
    [key] = parse_keys(secret)
    cipher = FieldCipher([key])
    rows = await sql(harness, "SELECT a.id, a.response_id, a.key, a.value_enc FROM answers a JOIN responses r "
                              "ON r.id = a.response_id WHERE r.user_id = :u AND a.value_enc IS NOT NULL", u=ANA)
    assert rows
    for row_id, response_id, answer_key, token in rows:
        if token.startswith("v1."):  # (the bot before this change wrote v1 itself)
            continue
        context = f"answers.value_enc:{response_id}:{answer_key}"
        old = v1_token(key, cipher.decrypt(token, context, f"user:{ANA}"), context)
        await sql(harness, "UPDATE answers SET value_enc = :v WHERE id = :i", v=old, i=row_id)

    await ana.say("/mydata")  # still read
    assert WORDS in emulator.file(emulator.documents(ANA)[-2].file_id).data.decode()

    # The upgrade, as an operator runs it, with the same key.
    monkeypatch.setenv("CPC_DATABASE_URL", bot_settings.database_url)
    monkeypatch.setenv("CPC_ENCRYPTION_KEYS", secret)
    assert await asyncio.to_thread(cli.main, ["keys", "rotate"]) == 0
    out = capsys.readouterr().out
    assert f"answers.value_enc: {len(rows)} re-encrypted, 0 already current, 0 unreadable" in out
    assert out.splitlines()[-1].startswith("done: every value is under key") and WORDS not in out
    tokens = [token for (token,) in await sql(harness, "SELECT value_enc FROM answers WHERE value_enc IS NOT NULL")]
    assert tokens and all(token.startswith(f"v2.{cipher.current_key_id}.") for token in tokens)
    await ana.say("/mydata")
    assert WORDS in emulator.file(emulator.documents(ANA)[-2].file_id).data.decode()

    # From now on the moved-row attack fails for these rows too.
    await sql(harness, "UPDATE responses SET user_id = :to WHERE user_id = :fr", to=EVE, fr=ANA)
    await eve.say("/mydata")
    assert len(emulator.documents(EVE)) == 2
    assert WORDS not in everything_shown(emulator, EVE)
    assert_no_error(emulator, EVE)
