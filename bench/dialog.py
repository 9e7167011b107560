"""Dialog steps through the whole bot: N simulated parents answer the parents' questionnaire.

Each parent opens "Prepare your views" (not measured), then takes ``steps`` measured steps
as fast as the bot lets them (a closed loop: the next step goes as soon as the bot has
finished the last one). A step is one update: typing an answer (saved, encrypted, prompt
re-sent), or a tap (Done / Next / an option / a toggle / That is everyone / an edit from
the review). Once a parent reaches the review screen they keep editing text answers from it
(tap "✏️ ...", type, tap Done), so every run has the same number of steps and never
finishes the questionnaire (finishing renders a PDF, measured on its own in bench/pdf.py).

The bot is built with the project's ``build_app`` and polls the emulator as ``cpc-bot run``
does (``start_polling`` with its default ``handle_as_tasks=True``), in this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bench.common import (
    COLLECTOR,
    StepTimer,
    TimedEmulator,
    UpdateTracker,
    dialog_clock,
    make_settings,
    percentile,
    postgres_and_redis,
    running_emulator,
    temp_dir,
)
from cpc_bot.app import build_app, settle_heap
from cpc_bot.emulator.server import FakeUser

NAVIGATION = {"⬅️ Back", "Skip ➡️", "💾 Save and finish later", "🆘 I don't feel safe right now",
              "✏️ Write it again", "✏️ Start this one again", "✅ Done", "Next ➡️"}

#: Answers of a few sentences, as a parent might type them on a phone.
WORDS = [
    "I walk the children to school every day and pick them up. We eat dinner together most evenings.",
    "The flat is damp and the landlord does not fix it. The children have coughs in the winter.",
    "My sister helps after school when I work late. She lives ten minutes away and they love her.",
    "I read to them at bedtime. The youngest likes the dinosaur books and asks for the same one.",
    "I would like help with the housing, and someone to talk to about money and the bills.",
    "They say I leave the children alone. That happened once, for ten minutes, and I was wrong.",
]

#: Text answers edited again and again from the review screen (their review labels).
REVIEW_EDITS = ["✏️ What we do well", "✏️ The worries", "✏️ What would make them safer", "✏️ What needs to change"]


def _labels(message: Any) -> list[str]:
    markup = getattr(message, "reply_markup", None) or {}
    return [b["text"].replace("\u200f", "") for row in markup.get("inline_keyboard", []) for b in row]


@dataclass
class Parent:
    """One simulated parent; ``step()`` takes one measured dialog step."""

    emulator: TimedEmulator
    timer: StepTimer
    user_id: int
    kinds: list[str] = field(default_factory=list)  # "say" / "tap", in order (the echo run replays the mix)
    think: float = 0.0  # mean seconds between a reply and the next step (0: straight away)
    _editing: bool = False
    _toggled: set[int] = field(default_factory=set)
    _edits: int = 0
    _children: int = 0
    _words: int = 0
    measured: int = 0
    recoveries: int = 0  # times the bot left this parent without a question (an error reply)

    def __post_init__(self) -> None:
        self.user: FakeUser = self.emulator.user(self.user_id, first_name="Dana", language_code="en")

    async def _say(self, text: str, measured: bool = True) -> None:
        update_id = await self.user.say(text, wait=False)
        await self._finish(update_id, "say", measured)

    async def _tap(self, label: str, measured: bool = True) -> None:
        update_id = await self.user.tap(label, wait=False)
        await self._finish(update_id, "tap", measured)

    async def _finish(self, update_id: int, kind: str, measured: bool) -> None:
        if measured:
            await self.timer.measure(self.user_id, update_id)
            self.kinds.append(kind)
            self.measured += 1
        else:
            await self.timer.tracker.wait(update_id)
            self.emulator.pushed.pop(update_id, None)

    def _next_words(self) -> str:
        self._words += 1
        return WORDS[(self.user_id + self._words) % len(WORDS)]

    async def setup(self) -> None:
        await self._say("/start", measured=False)
        await self._tap("👪 I am a parent or carer", measured=False)
        await self._tap("📝 Prepare your views", measured=False)

    async def recover(self) -> None:
        """The bot answered with an error (no live question): /start and carry on, not measured."""
        self.recoveries += 1
        if self.recoveries > 25:
            raise AssertionError(f"parent {self.user_id}: the bot keeps failing: "
                                 f"{self.emulator.last_message(self.user_id).visible[:200]!r}")
        self._editing = False
        await self._say("/start", measured=False)
        carry_on = next((label for label in _labels(self.emulator.last_message(self.user_id))
                         if label.startswith("▶️")), None)
        if carry_on is not None:
            await self._tap(carry_on, measured=False)

    async def step(self) -> None:
        message = self.emulator.last_message(self.user_id)
        labels = _labels(message)
        shown = message.visible
        if not labels or "went wrong" in shown:
            await self.recover()
        elif self._editing:  # just opened a text answer from the review: add to it
            self._editing = False
            await self._say(self._next_words())
        elif "✅ Finish" in labels:
            target = next((e for e in REVIEW_EDITS[self._edits % len(REVIEW_EDITS):] + REVIEW_EDITS if e in labels), None)
            if target is None:
                raise AssertionError(f"no text answer to edit on the review: {labels}")
            self._edits += 1
            self._editing = True
            await self._tap(target)
        elif "Next ➡️" in labels:
            await self._tap("Next ➡️")
        elif any(label.startswith("✅ That is every") for label in labels):  # a repeat group: two children, one point of disagreement
            self._children += 1
            more = "Add another child" in labels and self._children < 2
            await self._tap("Add another child" if more else next(label for label in labels if label.startswith("✅ That is every")))
        elif "Type the date" in shown:
            await self._say("15/12/2026" if "When is the conference?" in shown else "14/03/2019")
        elif "Tap all that apply" in shown:
            if message.message_id in self._toggled:
                self._toggled.discard(message.message_id)
                await self._tap("✅ Done")
            else:
                self._toggled.add(message.message_id)
                await self._tap(next(label for label in labels if label.startswith("⬜")))
        elif "Send more to add to it, or tap Done." in shown:
            await self._tap("✅ Done")
        elif "Type your answer" in shown:
            await self._say(self._next_words() if "name" not in shown else "Amira")
        else:
            options = [label for label in labels if label not in NAVIGATION and not label.startswith("✏️")]
            if not options:
                await self.recover()
                return
            await self._tap(options[0])

    async def run(self, steps: int) -> None:
        pause = random.Random(self.user_id)  # the same pauses every run
        if self.think:  # start at random points, not all at once
            await asyncio.sleep(pause.uniform(0, self.think))
        while self.measured < steps:
            await self.step()
            if self.think:
                await asyncio.sleep(pause.expovariate(1 / self.think))


@dataclass
class DialogResult:
    label: str
    users: int
    steps: int
    seconds: float
    latencies: list[float]
    silent: int
    errors: int
    rejected: int
    kinds: list[list[str]]
    recoveries: int = 0

    @property
    def throughput(self) -> float:
        return self.steps / self.seconds if self.seconds else float("nan")

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies, 50) * 1000

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies, 99) * 1000


async def drive_load(emulator: TimedEmulator, tracker: UpdateTracker, users: int, steps: int, *,
                     first_user: int = 700_001, make: Callable[..., Any] = Parent,
                     think: float = 0.0) -> tuple[float, StepTimer, list[Any]]:
    """Set every simulated person up (not timed), then run their steps concurrently (timed).
    With ``think`` each pauses a random while (exponential, that mean) after each reply."""
    timer = StepTimer(emulator, tracker)
    people = [make(emulator=emulator, timer=timer, user_id=first_user + i, think=think) for i in range(users)]
    await asyncio.gather(*(p.setup() for p in people))
    started = time.perf_counter()
    await asyncio.gather(*(p.run(steps) for p in people))
    return time.perf_counter() - started, timer, people


async def stop_polling(dispatcher: Any, task: asyncio.Task[Any]) -> None:
    """Stop a polling task cleanly (or cancel it if it never got going)."""
    try:
        await dispatcher.stop_polling()
        await asyncio.wait_for(task, 10)
    except (RuntimeError, TimeoutError):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


async def _wait_polling(dispatcher: Any, task: asyncio.Task[Any]) -> None:
    """Wait until start_polling holds its lock (so stop_polling works) or fails."""
    for _ in range(500):
        if dispatcher._running_lock.locked() or task.done():
            return
        await asyncio.sleep(0.01)


async def run_ours(users: int, steps: int, backend: str = "sqlite", *, think: float = 0.0,
                   on_running: Callable[[Any], Awaitable[None]] | None = None) -> DialogResult:
    """One in-process bot (one worker) on SQLite or PostgreSQL+Redis, ``users`` parents
    (thinking ``think`` seconds on average between steps; 0: a closed loop at saturation)."""
    with temp_dir() as folder:
        async with (running_emulator(TimedEmulator()) as emulator,
                    postgres_and_redis() if backend == "pg" else contextlib.nullcontext({}) as overrides):
            settings = make_settings(emulator.base_url, folder, **overrides)
            app = build_app(settings, dialog_clock())
            tracker = UpdateTracker()
            tracker.attach(app.dispatcher)
            failed_before = COLLECTOR.matching("update.failed")
            try:
                await app.prepare()
                settle_heap()  # as `cpc-bot run` does
                task = asyncio.create_task(app.dispatcher.start_polling(
                    app.bot, handle_signals=False, polling_timeout=10, close_bot_session=False))
                try:
                    await _wait_polling(app.dispatcher, task)
                    if on_running is not None:
                        await on_running(app)
                    seconds, timer, people = await drive_load(emulator, tracker, users, steps, think=think)
                finally:
                    await stop_polling(app.dispatcher, task)
            finally:
                await app.close()
            label = "SQLite" if backend == "sqlite" else "PostgreSQL + Redis"
            return DialogResult(label, users, len(timer.latencies), seconds, timer.latencies, timer.silent,
                                tracker.errors + COLLECTOR.matching("update.failed") - failed_before, len(emulator.rejected),
                                [p.kinds for p in people], sum(p.recoveries for p in people))


class EmulatorTracker:
    """"Handled" for a worker in another process: its webhook request has been answered
    (the workers answer after handling, CPC_WEBHOOK_IN_BACKGROUND=false)."""

    def __init__(self, emulator: TimedEmulator) -> None:
        self.emulator = emulator
        self.errors = 0

    async def wait(self, update_id: int, timeout: float = 60.0) -> float:
        await self.emulator.wait_processed(update_id, timeout)
        return time.perf_counter()


async def run_workers(workers: int, users: int, steps: int) -> DialogResult:
    """``workers`` separate ``cpc-bot run`` processes in webhook mode behind a round-robin proxy,
    on PostgreSQL + Redis: the deploy/ topology on loopback (as tests/integration/test_two_workers.py).
    One and two workers are measured this same way."""
    from cpc_bot.emulator.workers import webhook_workers

    async with (running_emulator(TimedEmulator()) as emulator, postgres_and_redis() as overrides,
                webhook_workers(workers, emulator.base_url, overrides["database_url"], overrides["redis_url"],
                                log_level="WARNING", rate_burst=0)):
        seconds, timer, people = await drive_load(emulator, EmulatorTracker(emulator), users, steps)  # type: ignore[arg-type]
    return DialogResult(f"{workers} worker process(es), PostgreSQL + Redis", users, len(timer.latencies), seconds,
                        timer.latencies, timer.silent, 0, len(emulator.rejected), [p.kinds for p in people],
                        sum(p.recoveries for p in people))


async def run_ours_two_workers(users: int, steps: int, backend: str = "pg") -> tuple[DialogResult, DialogResult]:
    """One worker process, then two, the same way: (one, two)."""
    one = await run_workers(1, users, steps)
    two = await run_workers(2, users, steps)
    return one, two
