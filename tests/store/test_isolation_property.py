"""The promise "one user can never see another's data", checked by random multi-user sessions.

Six people share one bot in every example: three parents, one child and two professionals,
each with their own Telegram id and a random language (English, Polish or Urdu). Hypothesis
draws a sequence of actions for them (4 to 20 per example, 15 examples, under a minute; the
questionnaires are the real ones shortened to a few steps of each kind, see KEEP_STEPS):

* the ordinary ones: /start and choosing a role, going through a questionnaire typing words,
  tapping buttons, /report, /mydata, /cancel, /delete (yes or no), a professional registering
  a conference and making invite links or stopping them, a parent or child opening a link,
  finishing and sending the report, a child choosing which pages to share and sending them,
  and a working-day morning passing (reminders go out);
* "story": the whole legitimate flow at once (link made, opened, questions answered, sent);
* the attacks: tapping callback data copied from ANOTHER person's chat (any button it ever
  showed) on one's own newest message; made-up buttons (one's own report with someone else's
  conference, any action on someone else's conference); invite links that were stopped or
  belong to nobody.

Every word anyone types, and every Telegram first name, is a sentinel unique to that person
(``Sentinel<id>N<n>Z``). After every message or tap, each chat is searched: messages,
captions, buttons (labels, data, links) and files (PDF text through pypdf, Word files
unzipped, HTML, JSON and calendar files as text, and every file's raw bytes); the Telegram
ids of the others are looked for too, in what a person can read. Another person's sentinel
may appear in chat X only in a file delivered to X when that person tapped "send" for a
conference X registered and joined (tapped Join) through one of X's links while it still
worked and had a place left, or, as the name they chose to give, on X's "Who joined"
screens: the test keeps its own model of conferences, links (places, stopped) and members
(joined, removed, unlinked by a stopped link) and checks the bot's against it after every
action. A child's sent file may hold only the pages the read-back screen showed as
shared. Also: one person's action changes no other person's chat (except that allowed
file), every tap is answered, the bot logs no error, never sends what its error handler says
(read from cpc_bot/handlers/help.py, in every language used), and Telegram (the emulator)
refuses nothing the bot sends. ``--hypothesis-show-statistics`` shows how often each
allowed send and each kind of attack happened.

Two explicit examples run first: crashes this test found (see OLD_BUTTON_AFTER_DELETE and
COPIED_BUTTON_ON_A_FILE); they fail until the bot is fixed, and then keep it fixed.

A second, plain test shows the detector is not blind: it finds a sentinel in every kind of
file the bot makes, for an Urdu speaker too, and reports a leak when a file is not allowed.
"""

from __future__ import annotations

import ast
import html
import inspect
import io
import itertools
import logging
import re
import zipfile
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel.support import Translations
from hypothesis import HealthCheck, currently_in_test_context, event, example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from cpc_bot.clock import LONDON, FrozenClock
from cpc_bot.emulator.server import BotApiEmulator, FakeUser, SentMessage
from cpc_bot.engine.flow import slot_token
from cpc_bot.engine.screens import StepCb
from cpc_bot.handlers import help as help_handlers
from cpc_bot.handlers.menu import MenuCb
from cpc_bot.handlers.professional import JoinCb, LinkCb, ProCb, SendCb
from cpc_bot.handlers.sharing import ShareCb
from tests.helpers import REAL_DIALOGS, BotHarness, make_settings, make_verified

START = datetime(2026, 11, 24, 20, 30, tzinfo=UTC)
KINDS = ("parent", "parent", "parent", "child", "pro", "pro")
FAMILY = (0, 1, 2, 3)
PROS = (4, 5)
LANGS = ("en", "pl", "ur")
USER_IDS = itertools.count(61_000, 10)
COMMANDS = ("/report", "/mydata", "/cancel", "/start", "/help", "/guide")
INVISIBLE = re.compile(r"[\s\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069]+")
LINK = re.compile(r"\?start=(i[\w-]+)")


def norm(text: str) -> str:
    """What a person could read, with spaces, line breaks and direction marks taken out."""
    return INVISIBLE.sub("", text).casefold()


def mark(uid: int) -> str:
    """Every sentinel of this person starts with this (after norm)."""
    return f"sentinel{uid}n"


def error_replies(locales: Path) -> set[str]:
    """What the bot's error handler (cpc_bot/handlers/help.py, on_error) may say, in each
    language: read from its source, so a reworded apology is still recognised."""
    tree = ast.parse(inspect.getsource(help_handlers.on_error))
    msgids = {node.args[0].value for node in ast.walk(tree) if isinstance(node, ast.Call)
              and isinstance(node.func, ast.Name) and node.func.id == "_" and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)}
    assert msgids, "the error handler's replies were not found"
    return {norm(Translations.load(str(locales), [lang], "messages").gettext(m)) for m in msgids for lang in LANGS}


def note(what: str) -> None:
    """Count what happened, for ``--hypothesis-show-statistics`` (outside Hypothesis: nothing)."""
    if currently_in_test_context():
        event(what)


def callback_datas(message: SentMessage) -> list[str]:
    markup = message.reply_markup or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row if "callback_data" in b]


def unpack(data: str):  # noqa: ANN201 - one of the bot's CallbackData classes, or None
    for cls in (StepCb, ProCb, SendCb, ShareCb, MenuCb, LinkCb, JoinCb):
        if data.startswith(cls.__prefix__ + ":"):  # type: ignore[attr-defined]
            try:
                return cls.unpack(data)
            except (TypeError, ValueError):
                return None
    return None


# ----------------------------------------------------------------------------- fixtures
class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def error_log() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


#: The real questionnaires, shortened to these steps (same ids, words and kinds of step) so the
#: time goes to many people crossing paths rather than to answering forty questions.
KEEP_STEPS = {
    "parent_prepare": ("intro", "conference_date", "conference_kind", "children", "strengths"),
    "young_person": ("intro", "working_well", "worries", "take_part"),
    "child_under12": ("intro", "good_things", "worries"),
    "pro_report": ("agency", "practitioner", "children"),
}


def short_dialogs(target: Path) -> Path:
    target.mkdir()
    for path in REAL_DIALOGS.glob("*.yaml"):
        dialog = yaml.safe_load(path.read_text(encoding="utf-8"))
        keep = KEEP_STEPS.get(dialog["id"])
        if keep is not None:
            dialog["steps"] = [step for step in dialog["steps"] if step["key"] in keep]
        (target / path.name).write_text(yaml.safe_dump(dialog, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


@pytest.fixture
async def bot(emulator: BotApiEmulator, tmp_path: Path, clock: FrozenClock) -> AsyncIterator[BotHarness]:
    # Reminders go out only when the test says a morning has come, never on a timer of their own.
    settings = make_settings(emulator.base_url, tmp_path, reminder_poll_seconds=86400.0,
                             dialogs_dir=short_dialogs(tmp_path / "dialogs"))
    harness = BotHarness(emulator, settings, clock)
    await harness.start()
    yield harness
    if harness.running is not None:
        await harness.running.stop()


# ------------------------------------------------------------------------------ the world
class World:
    """Six people, the bot, and the test's own model of who may see what."""

    def __init__(self, harness: BotHarness, emulator: BotApiEmulator, clock: FrozenClock, base: int,
                 langs: list[str], errors: ErrorLog) -> None:
        self.h, self.em, self.clock, self.errors = harness, emulator, clock, errors
        self.ids = [base + i for i in range(len(KINDS))]
        self.kind = dict(zip(self.ids, KINDS, strict=True))
        self.lang = dict(zip(self.ids, langs, strict=True))
        self.users: dict[int, FakeUser] = {
            uid: emulator.user(uid, first_name=f"Sentinel{uid}N0Z", language_code=self.lang[uid]) for uid in self.ids}
        self.typed: Counter[int] = Counter()
        self.error_texts = error_replies(harness.settings.locales_dir)
        self.errors_before = len(errors.records)
        self.rejected_before = len(emulator.rejected)
        # The model.
        self.conferences: dict[int, int] = {}  # live conference id -> owner
        self.owners_ever: dict[int, set[int]] = {}
        self.codes: dict[str, tuple[int, str]] = {}  # "/start" argument -> (conference, audience)
        self.all_codes: list[str] = []
        self.revoked: set[str] = set()
        self.places: dict[str, int] = {}  # code -> places left
        self.via: dict[int, dict[int, str]] = {}  # member -> conference -> the link they joined through
        self.members: dict[int, dict[int, str]] = {uid: {} for uid in self.ids}
        self.naming: dict[int, int] = {}  # who was just asked for a name -> the professional who will see it
        self.named_to: dict[int, set[int]] = {uid: set() for uid in self.ids}  # names given -> to whom
        self.allowed: dict[str, int] = {}  # file id -> the one person whose words it may hold
        self.trail: list[str] = []
        self._message_cache: dict[tuple[int, int, int], tuple[str, str]] = {}
        self._file_cache: dict[str, tuple[str, str]] = {}
        self._steps: dict[str, Any] = {}
        self.seen: dict[int, dict[str, None]] = {uid: {} for uid in self.ids}  # every button each chat showed

    # ---------------------------------------------------------------- people act
    def sentinel(self, uid: int) -> str:
        self.typed[uid] += 1
        return f"Sentinel{uid}N{self.typed[uid]}Z"

    def who(self, uid: int) -> str:
        return f"{self.kind[uid]} {uid} ({self.lang[uid]})"

    async def say(self, uid: int, text: str) -> None:
        self.trail.append(f"{self.who(uid)} says {text!r}")
        before = self.snapshot()
        joining = text.startswith("/start i")
        had = dict(self.members[uid])
        if not text.startswith("/") and (owner := self.naming.pop(uid, None)) is not None:
            self.named_to[uid].add(owner)  # the name they were asked for, which that professional sees
        elif text.startswith(("/start", "/delete")):
            self.naming.pop(uid, None)
        await self.users[uid].say(text)
        await self.after(uid, before, set())
        if joining:
            await self.check_members(uid)
            assert self.members[uid] == had, "opening an invite link (without tapping Join) linked someone"

    async def tap(self, uid: int, data: str, message_id: int, *, stolen_from: int | None = None) -> None:
        self.trail.append(f"{self.who(uid)} taps {data!r}" + (f" copied from {stolen_from}'s chat" if stolen_from else ""))
        before = self.snapshot()
        answered = len(self.em.callback_answers(uid))
        readback = offer = None
        if stolen_from is None and data.startswith("so:"):
            shown = next(m for m in self.em.messages(uid) if m.message_id == message_id)
            if any(d.startswith("sh:") for d in callback_datas(shown)):
                readback = norm(shown.visible)  # a child's pages, read back before sending
            else:
                offer = shown  # "send your report?" after the parents' questions
        removing = None
        if isinstance(cb := unpack(data), LinkCb) and cb.action == "remove_yes":
            removing = await self.h.app.dispatcher["conferences"].member(cb.member_id)
        had = dict(self.members[uid])
        recipient, deleted = self.expect_tap(uid, data, removing)
        await self.users[uid].tap_data(data, message_id)
        if isinstance(cb, JoinCb):
            note("a Join tap linked someone" if self.members[uid] != had else "a Join tap linked nobody new")
        if stolen_from is not None:
            note(f"a forged {data.split(':')[0]}: button")
        accounted: set[tuple[int, int]] = set()
        if recipient is not None:
            for message in self.em.messages(recipient):
                if (message.message_id, message.seq) in before[recipient] or recipient == uid:
                    continue
                assert message.kind == "document", f"a send put a {message.kind} in chat {recipient}"
                assert message.file_id is not None
                self.allowed[message.file_id] = uid
                if offer is not None:  # the child's name is a required answer, so the report holds typed words
                    assert mark(uid) in self.file_text(message.file_id), "the detector found none of their words"
                note(f"a {self.kind[uid]} sent their words to the professional who invited them")
                accounted.add((recipient, message.message_id))
                if readback is not None:
                    sent = set(re.findall(mark(uid) + r"\d+z", self.file_text(message.file_id)))
                    shown_words = set(re.findall(mark(uid) + r"\d+z", readback))
                    assert sent <= shown_words, (
                        f"the child's file holds words from pages not shown as shared: {sorted(sent - shown_words)}")
        conferences = self.h.app.dispatcher["conferences"]
        for cid in deleted:
            assert await conferences.get(cid) is None, f"conference {cid} was not deleted"
        await self.after(uid, before, accounted)
        assert len(self.em.callback_answers(uid)) > answered, f"the tap on {data!r} got no answer"

    # ------------------------------------------------------------ the model's rules
    def expect_join(self, uid: int, arg: str) -> None:
        found = self.codes.get(arg)
        if found is None or found[0] not in self.conferences or found[0] in self.members[uid]:
            return
        if arg not in self.revoked and self.places.get(arg, 0) > 0:
            self.members[uid][found[0]] = found[1]
            self.via.setdefault(uid, {})[found[0]] = arg
            self.places[arg] -= 1
            self.naming[uid] = self.conferences[found[0]]

    def drop_conference(self, cid: int) -> None:
        self.conferences.pop(cid, None)
        for code in [c for c, (conf, _a) in self.codes.items() if conf == cid]:
            del self.codes[code]
        for joined in self.members.values():
            joined.pop(cid, None)

    def expect_tap(self, uid: int, data: str, removing: Any = None) -> tuple[int | None, list[int]]:
        """Update the model for a tap; returns who may receive a file, and conferences to be gone."""
        cb = unpack(data)
        if isinstance(cb, JoinCb) and cb.action == "join":
            self.expect_join(uid, "i" + cb.code)
        elif isinstance(cb, LinkCb) and cb.action == "remove_yes" and self.conferences.get(cb.conference_id) == uid:
            if removing is not None and removing.conference_id == cb.conference_id:
                self.members[removing.user_id].pop(cb.conference_id, None)
                note("a professional removed someone who joined")
        elif isinstance(cb, ProCb) and self.conferences.get(cb.c) == uid:
            if cb.a == "revoke_yes":
                stopped = {code for code, (conf, _a) in self.codes.items() if conf == cb.c}
                self.revoked |= stopped
                for member, joined in self.members.items():  # who joined through them is unlinked
                    if cb.c in joined and self.via.get(member, {}).get(cb.c) in stopped:
                        joined.pop(cb.c)
            elif cb.a == "delete_yes":
                self.drop_conference(cb.c)
                return None, [cb.c]
        elif isinstance(cb, MenuCb) and cb.a == "erase" and cb.v == "yes":
            mine = [cid for cid, owner in self.conferences.items() if owner == uid]
            for cid in mine:
                self.drop_conference(cid)
            self.members[uid] = {}
            return None, mine
        elif isinstance(cb, SendCb) and cb.c in self.members[uid] and cb.c in self.conferences:
            return self.conferences[cb.c], []
        return None, []

    async def sync_conferences(self, actor: int | None) -> None:
        """New conferences in the database belong to the person acting; none vanish unasked."""
        repo = self.h.app.dispatcher["conferences"]
        found = {c.id: uid for uid in self.ids for c in await repo.for_owner(uid)}
        for cid, owner in found.items():
            if cid not in self.conferences:
                assert owner == actor, f"conference {cid} appeared for {owner} while {actor} acted"
                self.conferences[cid] = owner
                self.owners_ever.setdefault(cid, set()).add(owner)
            assert self.conferences[cid] == owner, f"conference {cid} changed owner"
        missing = set(self.conferences) - set(found)
        assert not missing, f"conferences {missing} vanished though nobody deleted them"

    async def check_members(self, uid: int) -> None:
        repo = self.h.app.dispatcher["conferences"]
        actual = {c.id: audience for c, audience in await repo.memberships(uid)}
        assert actual == self.members[uid], (
            f"{self.who(uid)} is linked to {actual}, but only opened working links to {self.members[uid]}")

    # ------------------------------------------------------------------ the checks
    def snapshot(self) -> dict[int, set[tuple[int, int]]]:
        return {uid: {(m.message_id, m.seq) for m in self.em.messages(uid)} for uid in self.ids}

    async def after(self, actor: int, before: dict[int, set[tuple[int, int]]], accounted: set[tuple[int, int]]) -> None:
        """After one message or tap: nothing reached anyone else; new conference screens and
        invite links belong to their owner; then the full scan."""
        for uid in self.ids:
            if uid == actor:
                continue
            now = {(m.message_id, m.seq) for m in self.em.messages(uid)}
            changed = {mid for mid, _seq in now - before[uid]} | {mid for mid, _seq in before[uid] - now}
            unexpected = {mid for mid in changed if (uid, mid) not in accounted}
            assert not unexpected, f"{self.who(actor)}'s action changed {self.who(uid)}'s chat (messages {unexpected})"
        fresh = [m for m in self.em.messages(actor) if (m.message_id, m.seq) not in before[actor]]
        conferences = {cb.c for m in fresh for d in callback_datas(m) if isinstance(cb := unpack(d), ProCb)} - {0}
        if conferences - set(self.conferences):  # a new one (its id may be a deleted one's, reused)
            await self.sync_conferences(actor)
        for cid in conferences:
            assert actor in self.owners_ever.get(cid, set()), (
                f"{self.who(actor)} got the buttons of conference {cid}, which is not theirs")
        for message in fresh:
            links = LINK.findall(message.text or "")
            revoke = [cb.c for d in callback_datas(message) if isinstance(cb := unpack(d), ProCb) and cb.a == "revoke"]
            if links:
                assert len(revoke) == 1, f"an odd invite message: {message.visible!r}"
                assert self.conferences.get(revoke[0]) == actor, "invite links for someone else's conference"
                shown = {"i" + link.code: link for link in await self.h.app.dispatcher["conferences"].open_links(revoke[0])}
                for code in links:
                    if code not in self.codes and code not in self.all_codes:
                        assert code in shown and shown[code].uses == 0, f"a new link that is not open: {code}"
                        self.codes[code] = (revoke[0], shown[code].audience)
                        self.places[code] = shown[code].max_uses
                        self.all_codes.append(code)
        self.scan()
        self.no_errors()

    def file_texts(self, file_id: str) -> tuple[str, str]:
        """(everything in the file, raw bytes included; what a reader of it sees), both normalised."""
        if file_id not in self._file_cache:
            data = self.em.file(file_id).data
            raw = [data.decode("utf-8", "replace"), data.decode("latin-1")]
            if data.startswith(b"%PDF"):
                readable = [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]
            elif data.startswith(b"PK"):
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    xml = [archive.read(name).decode("utf-8", "replace") for name in archive.namelist()]
                raw += xml
                readable = [html.unescape(re.sub(r"<[^>]+>", "", part)) for part in xml]
            else:
                readable = [html.unescape(raw[0])]
            readable_text = "|".join(norm(p) for p in readable)
            self._file_cache[file_id] = ("|".join(norm(p) for p in raw) + "|" + readable_text, readable_text)
        return self._file_cache[file_id]

    def file_text(self, file_id: str) -> str:
        return self.file_texts(file_id)[0]

    def message_texts(self, chat: int, message: SentMessage) -> tuple[str, str]:
        key = (chat, message.message_id, message.seq)
        if key not in self._message_cache:
            markup = message.reply_markup or {}
            buttons = [b for row in markup.get("inline_keyboard", []) for b in row]
            shown = [message.visible, message.file_name or "", *(str(b.get("text", "")) for b in buttons),
                     *(str(b["url"]) for b in buttons if "url" in b)]
            everything = [message.text or "", html.unescape(message.text or ""), *shown, *(str(v) for b in buttons for v in b.values())]
            full, readable = "|".join(norm(p) for p in everything), "|".join(norm(p) for p in shown)
            if message.file_id:
                in_file = self.file_texts(message.file_id)
                full, readable = full + "|" + in_file[0], readable + "|" + in_file[1]
            self._message_cache[key] = (full, readable)
        return self._message_cache[key]

    def scan(self) -> None:
        """No chat holds another person's words (or Telegram name or id), except a file that
        person chose to send there."""
        for chat in self.ids:
            for message in self.em.messages(chat):
                self.seen[chat].update(dict.fromkeys(callback_datas(message)))
                full, readable = self.message_texts(chat, message)
                who_joined = any(d.startswith(LinkCb.__prefix__ + ":") for d in callback_datas(message))  # type: ignore[attr-defined]
                for other in self.ids:
                    if other == chat or message.file_id is not None and self.allowed.get(message.file_id) == other:
                        continue
                    if who_joined and chat in self.named_to[other]:
                        continue  # the name they gave the professional, on that professional's "Who joined" screens
                    if mark(other) in full:
                        text, at = full, full.index(mark(other))
                    elif found := re.search(rf"(?<!\d){other}(?!\d)", readable):
                        text, at = readable, found.start()
                    else:
                        continue
                    raise AssertionError(
                        f"LEAK: {self.who(other)}'s words or id reached {self.who(chat)}'s chat in a {message.kind} "
                        f"message ({message.file_name or 'text'}): …{text[max(0, at - 120):at + 40]}…\n"
                        "last steps:\n  " + "\n  ".join(self.trail[-12:]))

    def no_errors(self) -> None:
        """The bot raised nothing (its error handler logs and says sorry) and Telegram refused nothing."""
        steps = "\nlast steps:\n  " + "\n  ".join(self.trail[-8:])
        errors = [r.getMessage() for r in self.errors.records[self.errors_before:]]
        assert not errors, f"the bot logged errors: {errors}" + steps
        # A forged or stale button can point at a message that cannot be edited (a file): Telegram
        # refuses the edit and the bot sends the screen as a new message instead (EditFallback).
        rejected = [r for r in self.em.rejected[self.rejected_before:]
                    if not (r[0] == "editMessageText" and "there is no text in the message to edit" in r[1])]
        assert not rejected, f"Telegram refused: {rejected}" + steps
        for chat in self.ids:
            for message in self.em.messages(chat)[-3:]:
                shown = norm(message.visible)
                assert not any(e in shown for e in self.error_texts), (
                    f"the bot told {self.who(chat)} something went wrong: {message.visible!r}" + steps)

    async def check(self) -> None:
        """After each action: the model's conferences and members are the bot's; no leak, no errors."""
        await self.sync_conferences(None)
        for uid in self.ids:
            await self.check_members(uid)
        self.scan()
        self.no_errors()

    # ------------------------------------------------------------- helpers for acting
    def newest_with(self, uid: int, prefix: str = "") -> SentMessage | None:
        for message in reversed(self.em.messages(uid)):
            if any(d.startswith(prefix) for d in callback_datas(message)):
                return message
        return None

    async def tap_button(self, uid: int, data: str) -> bool:
        """Tap the button with this data on the newest message with buttons, if it is there."""
        message = self.newest_with(uid)
        if message is None or data not in callback_datas(message):
            return False
        await self.tap(uid, data, message.message_id)
        return True

    def step_buttons(self, uid: int) -> tuple[SentMessage, dict[str, list[tuple[str, StepCb]]]] | None:
        if not self.em.messages(uid):
            return None
        message = self.em.last_message(uid)
        actions: dict[str, list[tuple[str, StepCb]]] = {}
        for data in callback_datas(message):
            if isinstance(cb := unpack(data), StepCb):
                actions.setdefault(cb.a, []).append((data, cb))
        return (message, actions) if actions else None

    def date_ahead(self, days: int = 21) -> str:
        return (self.clock().astimezone(LONDON).date() + timedelta(days=days)).strftime("%d/%m/%Y")

    # ------------------------------------------------------------------ the actions
    async def begin(self, uid: int, variant: int) -> None:
        kind = self.kind[uid]
        await self.say(uid, "/start")
        role = {"parent": "parent", "child": "child", "pro": "professional"}[kind]
        if not await self.tap_button(uid, MenuCb(a="role", v=role).pack()):
            return
        if kind == "parent":
            await self.tap_button(uid, MenuCb(a="open", v="parent_prepare").pack())
        elif kind == "child":
            age, dialog = (("12plus", "young_person"), ("under12", "child_under12"))[variant % 2]
            await self.tap_button(uid, MenuCb(a="age", v=age).pack())
            await self.tap_button(uid, MenuCb(a="open", v=dialog).pack())
        else:
            await self.tap_button(uid, MenuCb(a="open", v="pro_report").pack())

    def step_of(self, token: str):  # noqa: ANN201 - the questionnaire Step behind a slot token
        if not self._steps:
            for dialog in self.h.app.registry.dialogs.values():
                for step in dialog.steps:
                    self._steps[slot_token(step.key)] = step
                    for sub in step.steps:
                        for i in range(5):
                            self._steps[slot_token(f"{step.key}.{i}.{sub.key}")] = sub
        return self._steps.get(token)

    def typed_answer(self, uid: int, token: str) -> str:
        """Words for a question that takes words: a sentinel, or a date or time it accepts."""
        step = self.step_of(token)
        if step is not None and step.kind == "date":
            return "14/03/2019" if step.past_only else self.date_ahead()
        if step is not None and step.kind == "time":
            return "10am"
        return self.sentinel(uid)

    async def drive(self, uid: int, limit: int = 60) -> bool:
        """Answer the open questionnaire to the end: sentinel words for every question that
        takes words, the first choice otherwise. True when Finish was tapped."""
        attempts: Counter[str] = Counter()
        for _ in range(limit):
            found = self.step_buttons(uid)
            if found is None:
                return False
            message, acts = found
            if "finish" in acts:
                await self.tap(uid, acts["finish"][0][0], message.message_id)
                if self.step_buttons(uid) is None:
                    return True
                continue
            stop = [d for d, cb in acts.get("more", []) if cb.v == "stop"]
            forward = [*(d for d, _cb in acts.get("next", [])), *stop, *(d for d, _cb in acts.get("done", []))]
            choices = acts.get("opt") or acts.get("sc")
            token = next(iter(acts.values()))[0][1].s
            attempts[token] += 1
            if forward:
                await self.tap(uid, forward[0], message.message_id)
            elif choices:
                await self.tap(uid, choices[0][0], message.message_id)
            elif attempts[token] == 1:
                await self.say(uid, self.typed_answer(uid, token))
            elif "skip" in acts and attempts[token] == 2:
                await self.tap(uid, acts["skip"][0][0], message.message_id)
            else:
                return False
        return False

    async def finish(self, uid: int, variant: int) -> bool:
        if self.step_buttons(uid) is None:
            await self.begin(uid, variant)
        return await self.drive(uid)

    async def register(self, uid: int) -> None:
        await self.say(uid, "/start")
        if await self.tap_button(uid, MenuCb(a="role", v="professional").pack()) and \
                await self.tap_button(uid, ProCb(c=0, a="new").pack()):
            await self.drive(uid)

    async def invite(self, uid: int, k: int) -> None:
        await self.say(uid, "/start")
        if not await self.tap_button(uid, MenuCb(a="role", v="professional").pack()):
            return
        menu = self.newest_with(uid, "pc:")
        cards = [d for d in callback_datas(menu) if isinstance(cb := unpack(d), ProCb) and cb.a == "card"] if menu else []
        if cards:
            await self.tap(uid, cards[k % len(cards)], menu.message_id)  # type: ignore[union-attr]
        else:
            await self.register(uid)
        card = self.newest_with(uid, "pc:")
        invite = [d for d in callback_datas(card) if isinstance(cb := unpack(d), ProCb) and cb.a == "invite"] if card else []
        if invite:
            await self.tap(uid, invite[0], card.message_id)  # type: ignore[union-attr]

    async def revoke(self, uid: int, k: int) -> None:
        """Stop the newest invite links (making some first if there are none)."""
        for _ in range(2):
            for message in reversed(self.em.messages(uid)):
                for data in callback_datas(message):
                    if isinstance(cb := unpack(data), ProCb) and cb.a == "revoke":
                        await self.tap(uid, data, message.message_id)
                        await self.tap_button(uid, ProCb(c=cb.c, a="revoke_yes").pack())
                        return
            await self.invite(uid, k)

    async def join(self, uid: int, k: int) -> None:
        if k < len(self.all_codes):
            arg = self.all_codes[-1 - k]  # newest first: the likeliest to work
        else:
            arg = ("i", "iNobodyMadeThisLink", "i" + "A" * 22, "i../../etc")[k % 4]
        await self.say(uid, f"/start {arg}")
        if k % 3 != 2:  # and taps Join (or, one time in three, only opens it, as a link preview would)
            await self.tap_button(uid, JoinCb(action="join", code=arg[1:]).pack())

    async def share(self, uid: int, k: int) -> None:
        message = self.newest_with(uid, "sh:")
        if message is None:
            return
        edit = [d for d in callback_datas(message) if isinstance(cb := unpack(d), ShareCb) and cb.a == "edit"]
        if edit:
            await self.tap(uid, edit[0], message.message_id)
        toggles = [d for d in callback_datas(message) if isinstance(cb := unpack(d), ShareCb) and cb.a == "tog"]
        for data in (toggles[k % len(toggles)],) if toggles else ():
            await self.tap(uid, data, message.message_id)
        done = [d for d in callback_datas(message) if isinstance(cb := unpack(d), ShareCb) and cb.a == "done"]
        if done:
            await self.tap(uid, done[0], message.message_id)

    async def send(self, uid: int, k: int) -> None:
        if self.kind[uid] == "child":
            await self.share(uid, k)
        message = self.newest_with(uid, "so:")
        if message is not None:
            sends = [d for d in callback_datas(message) if d.startswith("so:")]
            await self.tap(uid, sends[k % len(sends)], message.message_id)

    def live_codes(self, pro: int, audience: str) -> list[str]:
        return [code for code in self.all_codes if code in self.codes and code not in self.revoked
                and self.places.get(code, 0) > 0
                and self.codes[code][1] == audience and self.conferences.get(self.codes[code][0]) == pro]

    async def story(self, pro: int, family: int, k: int) -> None:
        """The allowed flow from end to end: a link made (or a working one reused), opened,
        questions answered, the report (a child: the chosen pages) sent."""
        audience = "child" if self.kind[family] == "child" else "parent"
        if not self.live_codes(pro, audience):
            await self.invite(pro, k)
        codes = self.live_codes(pro, audience)
        if codes:
            await self.say(family, f"/start {codes[-1]}")
            await self.tap_button(family, JoinCb(action="join", code=codes[-1][1:]).pack())
        await self.finish(family, k)
        await self.send(family, k)

    async def tap_any(self, uid: int, k: int) -> None:
        message = self.newest_with(uid)
        if message is not None:
            datas = callback_datas(message)
            await self.tap(uid, datas[k % len(datas)], message.message_id)

    def stolen(self, uid: int, victim: int) -> tuple[int, dict[str, list[str]]]:
        """Buttons ever shown in someone else's chat (the first chat, from ``victim`` on, that
        had any), grouped by kind: what a person who once saw that phone could copy."""
        start = self.ids.index(victim)
        for other in [*self.ids[start:], *self.ids[:start]]:
            if other != uid and self.seen[other]:
                kinds: dict[str, list[str]] = {}
                for data in self.seen[other]:
                    kinds.setdefault(data.split(":")[0], []).append(data)
                return other, kinds
        return victim, {}

    async def attack(self, uid: int, data: str, victim: int) -> None:
        if not self.em.messages(uid):
            await self.say(uid, "/start")
        await self.tap(uid, data, self.em.last_message(uid).message_id, stolen_from=victim)

    async def forge(self, uid: int, victim: int, k: int) -> None:
        """Tap a button copied from someone else's chat, on one's own newest message."""
        victim, kinds = self.stolen(uid, victim)
        if kinds:
            datas = list(kinds.values())[k % len(kinds)]
            await self.attack(uid, datas[k // len(kinds) % len(datas)], victim)

    async def splice(self, uid: int, victim: int, k: int) -> None:
        """A made-up button: one's own report with someone else's conference, or any action on
        someone else's conference (the first chat, from ``victim`` on, that showed one)."""
        start = self.ids.index(victim)
        for other in [*self.ids[start:], *self.ids[:start]]:
            theirs = sorted({cb.c for data in self.seen[other] if isinstance(cb := unpack(data), SendCb | ProCb)} - {0})
            if other != uid and theirs:
                break
        else:
            return
        mine = sorted({cb.r for data in self.seen[uid] if isinstance(cb := unpack(data), SendCb | StepCb | ShareCb)})
        conference = theirs[k % len(theirs)]
        if mine and k % 2 == 0:
            data = SendCb(r=mine[k // 2 % len(mine)], c=conference).pack()
        else:
            data = ProCb(c=conference, a=("invite", "revoke", "delete_yes", "ics", "card", "move")[k % 6]).pack()
        note("a made-up button")
        await self.attack(uid, data, other)

    async def verify_pros(self) -> None:
        """The professionals are verified (the gate has tests of its own, in tests/professionals)."""
        for uid in self.ids:
            if self.kind[uid] == "pro" and not await self.h.app.dispatcher["professionals"].verified(uid):
                await make_verified(self.h.app, uid)

    async def delete(self, uid: int, yes: bool) -> None:
        await self.say(uid, "/delete")
        await self.tap_button(uid, MenuCb(a="erase", v="yes" if yes else "no").pack())
        await self.verify_pros()  # a professional who erased everything comes back verified

    async def morning(self) -> None:
        """The next morning at 9: reminders that are due go out."""
        day = self.clock().astimezone(LONDON).date() + timedelta(days=1)
        self.clock.set(datetime.combine(day, time(9, 0), LONDON))
        self.trail.append(f"morning of {day}")
        await self.h.app.reminder_sender.run_once()  # type: ignore[union-attr]

    async def run(self, step: tuple[str, int, int, int]) -> None:
        action, a, b, c = step
        uid = self.ids[a]
        if action == "story":
            await self.story(uid, self.ids[b], c)
        elif action == "finish":
            await self.finish(uid, b)
        elif action == "join":
            await self.join(uid, b)
        elif action == "send":
            await self.send(uid, b)
        elif action == "invite":
            await self.invite(uid, b)
        elif action == "revoke":
            await self.revoke(uid, b)
        elif action == "register":
            await self.register(uid)
        elif action == "type":
            await self.say(uid, self.sentinel(uid))
        elif action == "tap":
            await self.tap_any(uid, b)
        elif action == "forge":
            await self.forge(uid, self.ids[b], c)
        elif action == "splice":
            await self.splice(uid, self.ids[b], c)
        elif action == "command":
            await self.say(uid, COMMANDS[b % len(COMMANDS)])
        elif action == "delete":
            await self.delete(uid, bool(b))
        elif action == "morning":
            await self.morning()


# ------------------------------------------------------------------------- the property
anyone = st.integers(0, len(KINDS) - 1)
family = st.sampled_from(FAMILY)
pro = st.sampled_from(PROS)
small = st.integers(0, 7)
ACTIONS = st.one_of(
    st.tuples(st.just("story"), pro, family, small),
    st.tuples(st.just("finish"), anyone, small, st.just(0)),
    st.tuples(st.just("join"), anyone, small, st.just(0)),
    st.tuples(st.just("send"), family, small, st.just(0)),
    st.tuples(st.just("invite"), pro, small, st.just(0)),
    st.tuples(st.just("revoke"), pro, small, st.just(0)),
    st.tuples(st.just("register"), anyone, st.just(0), st.just(0)),
    st.tuples(st.just("type"), anyone, st.just(0), st.just(0)),
    st.tuples(st.just("tap"), anyone, st.integers(0, 40), st.just(0)),
    st.tuples(st.just("forge"), anyone, anyone, st.integers(0, 400)),
    st.tuples(st.just("forge"), family, pro, st.integers(0, 400)),
    st.tuples(st.just("forge"), family, family, st.integers(0, 400)),
    st.tuples(st.just("splice"), anyone, anyone, st.integers(0, 400)),
    st.tuples(st.just("command"), anyone, st.integers(0, len(COMMANDS) - 1), st.just(0)),
    st.tuples(st.just("delete"), anyone, st.integers(0, 1), st.just(0)),
    st.tuples(st.just("morning"), st.just(0), st.just(0), st.just(0)),
)


#: Found by this test, run first on every run until fixed (not leaks: the bot raised):
#: 1. A button left over after /delete: Telegram lets the bot remove only the last 48 hours of
#:    the chat, so the menu opened three mornings ago still shows "Prepare your views"; tapping
#:    it makes a response for a user row /delete erased (IntegrityError, FOREIGN KEY).
OLD_BUTTON_AFTER_DELETE = [("command", 0, 3, 0), ("tap", 0, 0, 0), ("morning", 0, 0, 0), ("morning", 0, 0, 0),
                           ("morning", 0, 0, 0), ("delete", 0, 1, 0), ("tap", 0, 0, 0)]
#: 2. A copied button tapped on one's own newest message when that is a file (here the /mydata
#:    export): the role screen is edited into a document (TelegramBadRequest "there is no text in
#:    the message to edit", refused by Telegram, and the error handler's apology).
#: Found by this test: a parent's report sent again from the "Sent." message itself (the same
#: report, the same conference) made the bot edit that message to exactly what it said.
SENT_TWICE = [("finish", 0, 0, 0), ("story", 4, 0, 0), ("story", 4, 0, 0), ("splice", 0, 0, 0)]
#: Found by this test: "I am a parent or carer" tapped again (a copy of the button) on the
#: parents' menu it had already made: the bot edited the message to exactly what it said.
ROLE_TAPPED_TWICE = [("finish", 0, 0, 0), ("story", 4, 0, 0), ("finish", 0, 0, 0), ("finish", 0, 0, 0), ("join", 0, 0, 0),
                     ("forge", 5, 3, 306), ("register", 2, 0, 0), ("splice", 3, 1, 257), ("tap", 1, 26, 0),
                     ("forge", 0, 3, 72), ("tap", 5, 36, 0), ("send", 2, 7, 0), ("register", 2, 0, 0),
                     ("forge", 3, 1, 74), ("splice", 2, 2, 173), ("join", 5, 4, 0), ("forge", 0, 4, 128)]
COPIED_BUTTON_ON_A_FILE = [("command", 1, 3, 0), ("command", 0, 1, 0), ("forge", 0, 1, 0)]
#: Found by this test: the same, in Urdu: a copied "child" role button tapped twice; the shown
#: buttons carry the right-to-left marks added on the way out, so they never looked the same.
ROLE_TAPPED_TWICE_RTL = [("story", 4, 0, 0), ("finish", 0, 0, 0), ("story", 4, 0, 0), ("finish", 0, 0, 0),
                         ("join", 2, 1, 0), ("forge", 1, 0, 108), ("morning", 0, 0, 0), ("forge", 0, 1, 25),
                         ("forge", 5, 4, 309), ("morning", 0, 0, 0), ("forge", 0, 1, 103), ("command", 1, 0, 0),
                         ("story", 4, 3, 3), ("forge", 1, 4, 287), ("morning", 0, 0, 0)]


@example(langs=["en"] * len(KINDS), steps=ROLE_TAPPED_TWICE)
@example(langs=["ur"] + ["en"] * (len(KINDS) - 1), steps=ROLE_TAPPED_TWICE_RTL)
@example(langs=["en"] * len(KINDS), steps=SENT_TWICE)
@example(langs=["en"] * len(KINDS), steps=OLD_BUTTON_AFTER_DELETE)
@example(langs=["en"] * len(KINDS), steps=COPIED_BUTTON_ON_A_FILE)
@settings(max_examples=15, deadline=None, database=None, report_multiple_bugs=False,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(langs=st.lists(st.sampled_from(LANGS), min_size=len(KINDS), max_size=len(KINDS)),
       steps=st.lists(ACTIONS, min_size=4, max_size=20))
async def test_one_user_never_sees_another_users_data(
        bot: BotHarness, emulator: BotApiEmulator, clock: FrozenClock, error_log: ErrorLog,
        langs: list[str], steps: list[tuple[str, int, int, int]]) -> None:
    clock.set(START)
    world = World(bot, emulator, clock, next(USER_IDS), langs, error_log)
    await world.verify_pros()
    note(f"{len(steps) // 5 * 5}+ actions")
    for step in steps:
        await world.run(step)
        await world.check()
    # At the end everyone who took part asks for everything kept about them: only their own words.
    for uid in world.ids:
        if emulator.messages(uid):
            await world.say(uid, "/mydata")
    await world.check()


async def test_the_detector_finds_words_in_every_kind_of_file(
        bot: BotHarness, emulator: BotApiEmulator, clock: FrozenClock, error_log: ErrorLog) -> None:
    """Not a vacuous pass: a sentinel is found in the PDF, Word, HTML and JSON files, in Urdu too,
    and the allowed file is allowed only for its sender."""
    world = World(bot, emulator, clock, next(USER_IDS), ["ur", "en", "pl", "ur", "ur", "en"], error_log)
    await world.verify_pros()
    parent, child, pro = world.ids[0], world.ids[3], world.ids[4]
    await world.story(pro, parent, 0)
    await world.story(pro, child, 0)
    await world.finish(pro, 1)  # the professional's own report, as a Word file
    await world.say(parent, "/mydata")
    await world.check()
    found = {(chat, (m.file_name or "").rsplit(".", 1)[-1]) for chat in (parent, child, pro)
             for m in emulator.documents(chat) if m.file_id and any(
                 mark(uid) in world.file_text(m.file_id) for uid in (parent, child, pro))}
    assert {(parent, "pdf"), (parent, "html"), (parent, "json"), (child, "pdf"), (pro, "docx"), (pro, "pdf")} <= found
    json_export = next(m for m in emulator.documents(parent) if (m.file_name or "").endswith(".json"))
    assert str(parent) in world.file_texts(json_export.file_id or "")[1]  # ids are found too
    received = [m.file_id for m in emulator.documents(pro) if m.file_id in world.allowed]
    assert sorted(world.allowed[f] for f in received) == sorted([parent, child])
    # The same file in anyone else's chat would be a leak.
    world.allowed.clear()
    with pytest.raises(AssertionError, match="LEAK"):
        world.scan()
