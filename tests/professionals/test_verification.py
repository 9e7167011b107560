"""Verified professionals, through the bot: a mailed code (read from a real local SMTP server),
an area admin's approval or refusal, expiry, revocation, the caps, and the gate on links and sends."""

from __future__ import annotations

import asyncio
import json
import re
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from cpc_bot import cli
from cpc_bot.clock import FrozenClock
from cpc_bot.config import ConfigError, Settings, load_settings
from cpc_bot.emulator.server import BotApiEmulator
from tests.conftest import BACKEND
from tests.helpers import (
    BotHarness,
    answer_the_rest,
    buttons,
    join_with_link,
    make_settings,
    make_verified,
)
from tests.professionals.test_conferences import invite_links, register
from tests.servers import REDIS_URL, fresh_servers

SW, NURSE, ADMIN, MUM, OTHER = 7101, 7102, 7103, 7104, 7105
CLI_ADMIN = 7106
WORK_EMAIL = "sam.patel@leicester.gov.uk"


class Inbox:
    """aiosmtpd's handler: keeps every mail it is given."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.mails: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.mails.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 Message accepted for delivery"

    def code_for(self, address: str) -> str:
        for rcpts, body in reversed(self.mails):
            if address in rcpts:
                found = re.search(r"\b(\d{6})\b", body)
                assert found, body
                return found.group(1)
        raise AssertionError(f"no mail to {address}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    handler = Inbox(_free_port())
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    yield handler
    controller.stop()


@pytest.fixture
async def bot_settings(emulator: BotApiEmulator, tmp_path: Path, dialogs_dir: Path, inbox: Inbox) -> AsyncIterator[Settings]:
    """Leicester verifies leicester.gov.uk addresses by code; Kirklees has one admin by configuration."""
    extra: dict[str, Any] = {
        "smtp_host": "127.0.0.1", "smtp_port": inbox.port, "smtp_from": "bot@example.org",
        "smtp_starttls": False, "email_domains": "leicester:leicester.gov.uk,nhs.net", "admins": f"kirklees:{ADMIN}",
    }
    if BACKEND != "postgres":
        yield make_settings(emulator.base_url, tmp_path, dialogs_dir=dialogs_dir, **extra)
        return
    async with fresh_servers("t") as (database_url, prefix):
        yield make_settings(emulator.base_url, tmp_path, dialogs_dir=dialogs_dir, database_url=database_url,
                            redis_url=REDIS_URL, redis_prefix=prefix, **extra)


async def ask_to_be_verified(emulator: BotApiEmulator, user_id: int, area: str, email: str,
                             name: str = "Sam Patel", job: str = "Social worker",
                             organisation: str = "Leicester City Council") -> None:
    pro = emulator.user(user_id, language_code="en")
    await pro.say("/start")
    await pro.tap("🧑‍💼 I work with children")
    assert "You are not verified yet." in emulator.last_message(user_id).visible
    await pro.tap("✅ Get verified")
    await pro.tap(area)
    await pro.say(name)
    await pro.say(job)
    await pro.say(organisation)
    await pro.say(email)


def last_text(emulator: BotApiEmulator, user_id: int) -> str:
    return emulator.last_message(user_id).visible


async def test_a_work_email_code_verifies_and_unlocks_invite_links(
        harness: BotHarness, emulator: BotApiEmulator, inbox: Inbox, clock: FrozenClock) -> None:
    await register(emulator, SW, "15/12/2026", area="Leicester")
    sw = emulator.user(SW)
    await sw.tap("🔗 Invite links")
    assert "Only verified professionals can make invite links." in last_text(emulator, SW)
    assert "Deadlines, nudges and the report helper work without it." in last_text(emulator, SW)
    assert buttons(emulator.last_message(SW)) == ["✅ Get verified"]

    await ask_to_be_verified(emulator, SW, "Leicester", "Sam.Patel@Leicester.GOV.uk")
    assert "I have emailed a 6-digit code to Sam.Patel@leicester.gov.uk." in last_text(emulator, SW)
    assert "offline demo" not in last_text(emulator, SW)
    code = inbox.code_for("Sam.Patel@leicester.gov.uk")
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    await sw.say(wrong)
    assert "That code is not right." in last_text(emulator, SW)
    await sw.say(code)
    assert "You are verified until 24 November 2027." in last_text(emulator, SW)

    links = await invite_links(emulator, SW)
    assert len(links) == 2
    events = await harness.app.dispatcher["professionals"].events(SW)
    assert [(e.action, e.actor_id, e.area) for e in events] == [("email_verified", SW, "leicester")]
    # The code is kept only as a keyed hash, never as written.
    async with harness.app.engine.connect() as conn:
        hashes = (await conn.execute(sa.text("SELECT code_hash FROM verification_codes"))).scalars().all()
        profile = (await conn.execute(sa.text("SELECT name_enc, job_enc, organisation_enc, email_enc "
                                              "FROM professional_profiles"))).one()
    assert hashes and all(code not in h for h in hashes)
    assert all(value and value.startswith("v2.") and "Sam" not in value and "Leicester" not in value for value in profile)


async def test_an_address_not_on_the_list_gets_no_code(harness: BotHarness, emulator: BotApiEmulator, inbox: Inbox) -> None:
    # A subdomain is not the organisation's own domain; Leicester has no admins here.
    await ask_to_be_verified(emulator, SW, "Leicester", "sam@mail.leicester.gov.uk.example.com")
    assert "I cannot verify you yet" in last_text(emulator, SW)
    assert inbox.mails == []


async def test_five_wrong_codes_and_the_code_is_spent(harness: BotHarness, emulator: BotApiEmulator, inbox: Inbox) -> None:
    await ask_to_be_verified(emulator, SW, "Leicester", WORK_EMAIL)
    code = inbox.code_for(WORK_EMAIL)
    wrong = f"{(int(code) + 7) % 10**6:06d}"
    sw = emulator.user(SW)
    for _ in range(4):
        await sw.say(wrong)
        assert "That code is not right." in last_text(emulator, SW)
    await sw.say(wrong)
    assert "That code no longer works" in last_text(emulator, SW)
    await sw.say(code)  # the right code, too late
    assert not await harness.app.dispatcher["professionals"].verified(SW)
    # A new code works.
    await sw.tap("📧 Send a new code")
    await sw.say(inbox.code_for(WORK_EMAIL))
    assert "You are verified until" in last_text(emulator, SW)


async def test_a_code_lasts_ten_minutes(harness: BotHarness, emulator: BotApiEmulator, inbox: Inbox, clock: FrozenClock) -> None:
    await ask_to_be_verified(emulator, SW, "Leicester", WORK_EMAIL)
    code = inbox.code_for(WORK_EMAIL)
    clock.advance(minutes=10, seconds=1)
    await emulator.user(SW).say(code)
    assert "That code no longer works" in last_text(emulator, SW)
    assert not await harness.app.dispatcher["professionals"].verified(SW)


async def test_codes_are_capped_per_account_and_per_address(
        harness: BotHarness, emulator: BotApiEmulator, inbox: Inbox, clock: FrozenClock) -> None:
    await ask_to_be_verified(emulator, SW, "Leicester", WORK_EMAIL)
    sw = emulator.user(SW)
    for _ in range(4):
        await sw.tap("📧 Send a new code")
    assert len(inbox.mails) == 5
    await sw.tap("📧 Send a new code")
    assert "You have asked for a lot of codes today. Please try again tomorrow." in last_text(emulator, SW)
    assert len(inbox.mails) == 5
    # Another account cannot mail the same inbox either (the cap is per address too).
    await ask_to_be_verified(emulator, OTHER, "Leicester", WORK_EMAIL.upper().replace("LEICESTER.GOV.UK", "leicester.gov.uk"))
    assert "a lot of codes today" in last_text(emulator, OTHER)
    assert len(inbox.mails) == 5
    # A day later, codes can be sent again.
    clock.advance(days=1, minutes=1)
    await sw.tap("📧 Send a new code")
    assert len(inbox.mails) == 6


async def test_an_admin_approves_or_refuses_and_it_lasts_twelve_months(
        harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock, bot_settings: Settings,
        monkeypatch: pytest.MonkeyPatch) -> None:
    admin = emulator.user(ADMIN, language_code="en")
    await admin.say("/start")
    await register(emulator, NURSE, "15/12/2026", area="Kirklees")
    await ask_to_be_verified(emulator, NURSE, "Kirklees", "jo@kirklees-nhs.example", name="Jo Smith",
                             job="Health visitor", organisation="Locala")
    assert "I have sent your request to your area's admins." in last_text(emulator, NURSE)
    request = last_text(emulator, ADMIN)
    for words in ("A professional asks to be verified", "Area: Kirklees", "Name: Jo Smith", "Job: Health visitor",
                  "Organisation: Locala", "Work email: jo@kirklees-nhs.example", f"Telegram id: {NURSE}"):
        assert words in request
    await admin.tap("✅ Approve")
    assert "Approved. Thank you." in last_text(emulator, ADMIN)
    assert "You are verified until 24 November 2027." in last_text(emulator, NURSE)
    assert len(await invite_links(emulator, NURSE)) == 2

    # An admin added on the command line refuses another request.
    monkeypatch.setenv("CPC_DATABASE_URL", bot_settings.database_url)
    monkeypatch.setenv("CPC_ENCRYPTION_KEYS", bot_settings.encryption_keys.get_secret_value())  # type: ignore[union-attr]
    monkeypatch.setenv("CPC_ADMINS", f"kirklees:{ADMIN}")
    assert await asyncio.to_thread(cli.main, ["admins", "add", str(CLI_ADMIN), "--area", "Kirklees"]) == 0
    assert CLI_ADMIN in await harness.app.dispatcher["professionals"].admins("kirklees")
    await emulator.user(CLI_ADMIN, language_code="en").say("/start")
    await ask_to_be_verified(emulator, OTHER, "Kirklees", "someone@example.com", name="Not Real")
    assert "Name: Not Real" in last_text(emulator, CLI_ADMIN)
    await emulator.user(CLI_ADMIN).tap("❌ Refuse")
    assert "did not verify you" in last_text(emulator, OTHER)
    # The other admin's copy of the request no longer decides anything.
    await admin.tap("✅ Approve")
    assert "Someone has already decided this." in emulator.callback_answers(ADMIN)[-1]
    assert not await harness.app.dispatcher["professionals"].verified(OTHER)
    # Someone who is not an admin of the area cannot decide, even with a copied button.
    _mid, data = admin.find_button("✅ Approve")
    stranger = emulator.user(MUM, language_code="en")
    await stranger.say("/start")
    await stranger.tap_data(data, emulator.last_message(MUM).message_id)
    assert not await harness.app.dispatcher["professionals"].verified(OTHER)

    # Twelve months on, the verification has ended: links wait until the nurse is verified again.
    clock.advance(days=366)
    await emulator.user(NURSE).say("/start")
    await emulator.user(NURSE).tap("🧑‍💼 I work with children")
    assert "You are not verified yet." in last_text(emulator, NURSE)
    await emulator.user(NURSE).tap(next(b for b in buttons(emulator.last_message(NURSE)) if b.startswith("📅")))
    await emulator.user(NURSE).tap("🔗 Invite links")
    assert "Only verified professionals can make invite links." in last_text(emulator, NURSE)

    events = await harness.app.dispatcher["professionals"].events()
    assert [(e.action, e.actor_id, e.subject_id) for e in events] == [
        ("approved", ADMIN, NURSE), ("refused", CLI_ADMIN, OTHER)]


async def test_an_admin_revokes_and_a_familys_send_is_held_until_verified_again(
        harness: BotHarness, emulator: BotApiEmulator, inbox: Inbox, clock: FrozenClock, bot_settings: Settings,
        monkeypatch: pytest.MonkeyPatch) -> None:
    await register(emulator, SW, "15/12/2026", area="Kirklees")
    await make_verified(harness.app, SW, "kirklees", admin=ADMIN)
    links = await invite_links(emulator, SW)
    mum = await join_with_link(emulator, MUM, links[0])
    await mum.tap("👪 I am a parent or carer")
    await mum.tap("📝 Prepare your views")
    await answer_the_rest(mum, emulator, MUM, words="We read together every night.")

    # The admin ends the social worker's verification from /admin.
    admin = emulator.user(ADMIN, language_code="en")
    await admin.say("/admin")
    assert "Sam Patel" in last_text(emulator, ADMIN) and "sam.patel@example.org" in last_text(emulator, ADMIN)
    await admin.tap("🚫 End verification")
    assert "Your verification has been ended" in last_text(emulator, SW)

    before = len(emulator.documents(SW))
    await mum.tap("📤 Send to Sam Patel (15 Dec)")
    assert "Not sent yet: the professional who invited you is not verified yet. Nothing is lost." in \
        emulator.callback_answers(MUM)[-1]
    assert len(emulator.documents(SW)) == before
    assert "A family member tried to send you what they prepared for the conference on 15 December 2026." in \
        last_text(emulator, SW)
    # Nor can the unverified professional make new links meanwhile.
    await emulator.user(SW).say("/start")
    await emulator.user(SW).tap("🧑‍💼 I work with children")
    await emulator.user(SW).tap(next(b for b in buttons(emulator.last_message(SW)) if b.startswith("📅")))
    await emulator.user(SW).tap("🔗 Invite links")
    assert "Only verified professionals can make invite links." in last_text(emulator, SW)

    # Verified again (an admin approves a new request): the same button now delivers.
    await ask_to_be_verified(emulator, SW, "Kirklees", "sam@kirklees.example")
    await admin.tap("✅ Approve")
    await mum.tap("📤 Send to Sam Patel (15 Dec)")
    assert len(emulator.documents(SW)) == before + 1
    assert last_text(emulator, MUM) == ("Sent to Sam Patel, Social worker, Leicester City Council, for the meeting on "
                                        "15 December 2026. Nobody else received it.")

    # And revoked on the command line: the audit trail says who, whom and what, with no words.
    monkeypatch.setenv("CPC_DATABASE_URL", bot_settings.database_url)
    monkeypatch.setenv("CPC_ENCRYPTION_KEYS", bot_settings.encryption_keys.get_secret_value())  # type: ignore[union-attr]
    assert await asyncio.to_thread(cli.main, ["verified", "revoke", str(SW)]) == 0
    assert not await harness.app.dispatcher["professionals"].verified(SW)
    events = await harness.app.dispatcher["professionals"].events(SW)
    assert [(e.action, e.actor_id) for e in events] == [("approved", ADMIN), ("revoked", ADMIN), ("approved", ADMIN),
                                                        ("revoked", None)]


async def test_mydata_shows_the_details_and_delete_removes_them(
        harness: BotHarness, emulator: BotApiEmulator, inbox: Inbox) -> None:
    await ask_to_be_verified(emulator, SW, "Leicester", WORK_EMAIL, organisation="Leicester City Council")
    sw = emulator.user(SW)
    await sw.say(inbox.code_for(WORK_EMAIL))
    await sw.say("/mydata")
    page, data = (emulator.file(d.file_id).data.decode() for d in emulator.documents(SW)[-2:])
    for words in ("Sam Patel", "Social worker", "Leicester City Council", WORK_EMAIL, "Verified"):
        assert words in page
    professional = json.loads(data)["professional"]
    assert professional["name"] == "Sam Patel" and professional["email"] == WORK_EMAIL
    assert professional["status"] == {"code": "verified", "label": "Verified"}
    assert professional["area"] == {"code": "leicester", "label": "Leicester"}

    await sw.say("/delete")
    await sw.tap("🗑 Yes, delete everything")
    assert await harness.app.dispatcher["professionals"].profile(SW) is None
    async with harness.app.engine.connect() as conn:
        assert (await conn.execute(sa.text("SELECT count(*) FROM professional_profiles"))).scalar() == 0
        # The daily cap on mail to the address outlives the account by a day at most, with no id on it.
        rows = (await conn.execute(sa.text("SELECT user_id FROM verification_codes"))).all()
    assert rows and all(row[0] is None for row in rows)


async def test_the_demo_prints_the_code_and_says_so(emulator: BotApiEmulator, tmp_path: Path, clock: FrozenClock,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings(emulator.base_url, tmp_path, email_domains="national:example.org")
    harness = BotHarness(emulator, settings, clock)
    harness.demo = True
    await harness.start()
    try:
        await ask_to_be_verified(emulator, SW, "Elsewhere in England", "sam@example.org")
        assert "This is the offline demo: no email was sent." in last_text(emulator, SW)
        printed = capsys.readouterr().out
        assert "[demo: this mail was not sent] To: sam@example.org" in printed
        code = re.search(r"Your code is (\d{6})", printed)
        assert code is not None
        await emulator.user(SW).say(code.group(1))
        assert "You are verified until" in last_text(emulator, SW)
    finally:
        assert harness.running is not None
        await harness.running.stop()


@pytest.mark.parametrize(("name", "value", "error"), [
    ("email_domains", "leicester:*.gov.uk", "no wildcards"),
    ("email_domains", "leicester:gov.uk", "shared by many organisations"),
    ("email_domains", "kirklees:nhs.uk", "shared by many organisations"),
    ("email_domains", "atlantis:atlantis.gov.uk", "unknown area"),
    ("admins", "leicester:12345,bob", "not a Telegram id"),
    ("smtp_host", "mail.example.org", "CPC_SMTP_FROM is required"),
])
def test_wrong_verification_settings_stop_the_start(name: str, value: str, error: str) -> None:
    with pytest.raises(ConfigError, match=error):
        load_settings(**{name: value})


def test_settings_read_areas_and_domains() -> None:
    from cpc_bot.domain.verification import domain_allowed, parse_admins, parse_domains

    settings = load_settings(admins="leicester:12345,67890;Stoke:5", email_domains="leicester:leicester.gov.uk, NHS.net")
    assert parse_admins(settings.admins) == {"leicester": frozenset({12345, 67890}), "staffordshire": frozenset({5})}
    allowed = parse_domains(settings.email_domains)["leicester"]
    assert domain_allowed("a.b@nhs.net", allowed) and not domain_allowed("a@evil.nhs.net", allowed)


async def test_the_details_go_a_retention_period_after_verification_ends(
        harness: BotHarness, emulator: BotApiEmulator, inbox: Inbox, clock: FrozenClock) -> None:
    """Name, job, organisation and work email are kept while they are needed: a verification that
    ended (or a request refused or left unfinished) more than CPC_RETENTION_DAYS ago is deleted by the
    regular clean-up; the professional then sees the start of the request again, and the audit stays."""
    await ask_to_be_verified(emulator, SW, "Leicester", WORK_EMAIL)
    await emulator.user(SW).say(inbox.code_for(WORK_EMAIL))
    await ask_to_be_verified(emulator, NURSE, "Kirklees", "nurse@example.org", name="Ann Lee")  # waits for the admin
    store = harness.app.dispatcher["professionals"]
    clean_up = harness.app.scheduler.get_job("forget_updates").func

    clock.advance(days=40)  # the request nobody answered is stale; the verification is not
    await clean_up()
    assert await store.profile(NURSE) is None
    assert store.details(await store.profile(SW)).name == "Sam Patel"

    clock.advance(days=365 - 40 + 29)  # ended 29 days ago: still kept
    await clean_up()
    profile = await store.profile(SW)
    assert profile is not None and not store.is_verified(profile)
    clock.advance(days=2)
    await clean_up()
    assert await store.profile(SW) is None
    sw = emulator.user(SW)
    await sw.say("/mydata")
    page = emulator.file(emulator.documents(SW)[-2].file_id).data.decode()
    assert "Sam Patel" not in page and WORK_EMAIL not in page
    await sw.say("/start")
    await sw.tap("🧑‍💼 I work with children")
    assert "You are not verified yet." in last_text(emulator, SW)
    assert [e.action for e in await store.events(SW)] == ["email_verified"]
