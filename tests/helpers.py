"""The test harness: a real bot in a task, talking HTTP to the offline emulator."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from cpc_bot.app import BotApp, build_app
from cpc_bot.clock import FrozenClock
from cpc_bot.config import DEMO_TOKEN, PROJECT_ROOT, Settings, load_settings
from cpc_bot.emulator.server import BotApiEmulator, FakeUser
from cpc_bot.store.crypto import new_key

REAL_DIALOGS = PROJECT_ROOT / "dialogs"
#: Every repeat group's closing button ("✅ That is every child"), in the questionnaires' English.
DONE_LABELS = sorted({m for path in REAL_DIALOGS.glob("*.yaml")
                      for m in re.findall(r'done_label: "([^"]+)"', path.read_text(encoding="utf-8"))})


@dataclass
class Running:
    """A started bot; ``stop()`` is what a crash or a deploy does to the process."""

    app: BotApp
    task: asyncio.Task[Any]

    async def stop(self) -> None:
        await self.app.dispatcher.stop_polling()
        await asyncio.wait_for(self.task, 10)
        await self.app.close()


class BotHarness:
    """Starts (and restarts) the bot against one emulator and one database."""

    def __init__(self, emulator: BotApiEmulator, settings: Settings, clock: FrozenClock) -> None:
        self.emulator = emulator
        self.settings = settings
        self.clock = clock
        self.running: Running | None = None
        #: Build the bot as ``cpc-bot demo`` does (a verification code is printed, not mailed).
        self.demo = False
        #: Handle updates concurrently, as ``cpc-bot run`` does (tests of one person not slowing
        #: another); by default one at a time, so a test's steps happen in the order it sends them.
        self.handle_as_tasks = False

    @property
    def app(self) -> BotApp:
        assert self.running is not None
        return self.running.app

    async def start(self) -> BotApp:
        app = build_app(self.settings, self.clock, demo=self.demo)
        await app.prepare()
        task = asyncio.create_task(
            app.dispatcher.start_polling(app.bot, handle_as_tasks=self.handle_as_tasks, handle_signals=False,
                                        polling_timeout=1)
        )
        self.running = Running(app, task)
        # Only once it is polling is it "started": a person's next message must meet this process.
        for _ in range(500):
            if app.dispatcher._running_lock.locked() or task.done():
                break
            await asyncio.sleep(0.01)
        return app

    async def restart(self) -> BotApp:
        """A new bot process on the same database: nothing in memory survives."""
        assert self.running is not None
        await self.running.stop()
        return await self.start()


def make_settings(base_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": SecretStr(DEMO_TOKEN),
        "telegram_api_base": base_url,
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "encryption_keys": SecretStr(new_key()),
        "dialogs_dir": REAL_DIALOGS,
        # The clock stands still in tests, so the per-person bucket would never fill again: one
        # too large to run out (still taken from on every update); tests of the limit set theirs.
        "rate_burst": 10_000,
    }
    values.update(overrides)
    return load_settings(**values)


async def make_verified(app: BotApp, user_id: int, area: str = "lincolnshire", *, admin: int = 1,
                        name: str = "Sam Patel", job: str = "Social worker", organisation: str = "Council") -> None:
    """Mark a professional verified as an admin's approval would (for tests about what comes after)."""
    store = app.dispatcher["professionals"]
    await store.start(user_id, area)
    for field, value in (("name", name), ("job", job), ("organisation", organisation),
                         ("email", "sam.patel@example.org")):
        await store.set_field(user_id, field, value)
    await store.set_status(user_id, "pending")
    assert await store.decide(user_id, "approved", admin, months=12, expect=("pending",)) is not None


async def join_with_link(emulator: BotApiEmulator, chat_id: int, code: str, *, name: str | None = None,
                         language_code: str = "en") -> FakeUser:
    """A family member opens an invite link, taps Join, then gives a name or skips."""
    user = emulator.user(chat_id, language_code=language_code)
    await user.say(f"/start {code}")
    await user.tap("✅ Join")
    if name is None:
        await user.tap("Skip ➡️")
    else:
        await user.say(name)
    return user


def buttons(message: Any) -> list[str]:
    """The visible labels of a bot message's inline keyboard, row by row flattened."""
    markup = getattr(message, "reply_markup", None) or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def answer_the_rest(user: Any, emulator: Any, chat_id: int, words: str = "Yes, that is right.", limit: int = 80,
                          t: Callable[[str], str] = str, short_words: str = "Yes") -> None:
    """Go through a questionnaire the shortest way: skip what can be skipped, answer the rest
    (words for text, the first option for a choice), then Finish. For tests about what
    happens after the questions, so they do not break when a question is added.
    ``t`` translates the button labels for a person using another language; ``short_words``
    answer a step that refused ``words`` as too long (a name, a case reference)."""
    navigation = {t("⬅️ Back"), t("💾 Save and finish later"), t("🆘 I don't feel safe right now"), t("🆘 I need help now"), t("🏠 Menu")}
    for _ in range(limit):
        message = emulator.last_message(chat_id)
        labels = [label.replace("\u200f", "") for label in buttons(message)]
        if t("✅ Finish") in labels:
            await user.tap(t("✅ Finish"))
            return
        for choice in (t("Next ➡️"), *(t(label) for label in DONE_LABELS), t("Skip ➡️"), t("✅ Done")):
            if choice in labels:
                await user.tap(choice)
                break
        else:
            options = [label for label in labels if label not in navigation]
            if options:
                await user.tap(options[0])
            else:
                recent = " ".join(m.visible for m in emulator.messages(chat_id)[-2:])
                await user.say(short_words if _refused_as_too_long(recent, t) else words)
    raise AssertionError("the questionnaire did not end")


async def open_prepare(emulator: BotApiEmulator, chat_id: int, *, first_name: str = "Sam") -> FakeUser:
    """A parent opens "Prepare your views" and passes its first page: the conference date is next."""
    user = emulator.user(chat_id, first_name=first_name, language_code="en")
    await user.say("/start")
    await user.tap("👪 I am a parent or carer")
    await user.tap("📝 Prepare your views")
    await user.tap("Next ➡️")
    assert "When is the conference?" in emulator.last_message(chat_id).visible
    return user


async def give_conference_date(emulator: BotApiEmulator, chat_id: int, day: str = "30/12/2026") -> FakeUser:
    """A parent gives the date of a first conference and stops: her reminders are planned."""
    user = await open_prepare(emulator, chat_id)
    await user.say(day)
    await user.tap("The first conference")
    await user.tap("💾 Save and finish later")
    return user


async def open_report_helper(emulator: BotApiEmulator, chat_id: int, *, area: str = "Elsewhere in England",
                             kind: str = "Initial conference (ICPC)") -> FakeUser:
    """A health visitor opens the report helper, says where and what the conference is, passes
    the screen that counts the questions, and answers who she is and when the conference is: the
    first question about her involvement is next."""
    nurse = emulator.user(chat_id, language_code="en")
    await nurse.say("/start")
    await nurse.tap("🧑‍💼 I work with children")
    await nurse.tap("📝 Write your report")
    await nurse.tap(area)
    await nurse.tap(kind)
    assert "Questions in your report: up to" in emulator.last_message(chat_id).visible
    await nurse.tap("Next ➡️")
    await nurse.say("Leeds Community Healthcare")
    await nurse.say("Sam Lee, health visitor")
    await nurse.say("Health Centre, 1 Park Lane, Leeds LS1 1AA; 0113 496 0000; sam.lee@example.org")
    await nurse.say("15/12/2026")
    return nurse


async def register_conference(pro: Any, t: Callable[[str], str] = str, day: str = "30/12/2026") -> None:
    """A professional registers an initial conference in Lincolnshire as the child's social worker;
    ``t`` translates the labels for one using another language."""
    await pro.say("/start")
    await pro.tap(t("🧑‍💼 I work with children"))
    await pro.tap(t("➕ Register a conference"))
    await pro.tap(t("Initial conference (ICPC)"))
    await pro.say(day)
    await pro.say("10am")
    await pro.tap(t("Lincolnshire"))
    await pro.tap(t("I am the child's social worker"))
    await pro.say("AB-123")
    await pro.tap(t("✅ Finish"))


def _refused_as_too_long(shown: str, t: Callable[[str], str]) -> bool:
    template = t("That message is too long for me to keep in one go (%(count)d characters; the most is %(max)d). "
                 "Nothing was saved from it. Please send it again in shorter parts.")
    return max(re.split(r"%\(\w+\)d", template), key=len) in shown


def yaml_strings(node: object) -> list[str]:
    """Every translatable string in a loaded dialog or guide file (what people read)."""
    from cpc_bot.engine.schema import TRANSLATABLE_FIELDS

    if isinstance(node, dict):
        return [s for k, v in node.items()
                for s in ([v] if k in TRANSLATABLE_FIELDS and isinstance(v, str) else yaml_strings(v))]
    if isinstance(node, list):
        return [s for item in node for s in yaml_strings(item)]
    return []
