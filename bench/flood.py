"""One person floods the bot; how fast are the others answered? (issue 15, point 1)

    python -m bench.flood [--runs 2] [--backends sqlite,pg] [--limits on,off] [--others 5] [--messages 300]

Separate from ``bench.run`` (about a minute per run). In one bot process (``build_app``, polling
the emulator with ``handle_as_tasks=True`` as ``cpc-bot run`` does), ``--others`` parents use the
bot normally: each takes a step of "Prepare your views" (``bench/dialog.py``'s ``Parent``), then
pauses a random while (exponential, mean ``--think`` s). Meanwhile one person, after a quiet
start, sends ``--messages`` messages of 4,000 characters into one answer at once (a script, not
waiting for replies), then finishes the questionnaire (one step a second, what the limit lets
through: the finish sends the report) and asks for the report again with /report. Measured: every
step of the others from the flood's start until the second report has come, as in ``bench.run``
(queued at the emulator -> the bot's last reply to that update); the flooder's own steps are not
measured. With the per-person limit on (the defaults, 20 at once then one a second) and off
(``CPC_RATE_BURST=0``); the answer caps (30 messages, 20,000 characters) are on in both, so the
report carries the largest answer allowed. ``--inline-render`` renders the PDF on the event loop
instead of in a thread, to see what the thread is worth on this machine. Target: the others' p99
under 500 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import time
from dataclasses import dataclass
from typing import Any

from bench.common import (
    COLLECTOR,
    StepTimer,
    TimedEmulator,
    UpdateTracker,
    cancel_leftover_tasks,
    make_settings,
    percentile,
    postgres_and_redis,
    quiet_logging,
    running_emulator,
    servers_available,
    temp_dir,
)
from bench.dialog import Parent, _labels, _wait_polling, stop_polling
from cpc_bot.app import build_app, settle_heap
from cpc_bot.clock import system_clock

TARGET_P99_MS = 500.0
FLOODER = 690_001
LONG = ("We read at bedtime and walk to school together. " * 90)[:4000]


@dataclass
class FloodResult:
    backend: str
    limit: bool
    latencies: list[float]
    steps: int
    seconds: float
    report_seconds: float  # flood start -> the second report arrived
    dropped_told: int  # "going too fast" replies the flooder got
    errors: int
    slowest: list[str]  # the five slowest steps: when they ended, after which of the flooder's marks

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies, 50) * 1000

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies, 99) * 1000

    @property
    def max_ms(self) -> float:
        return max(self.latencies, default=float("nan")) * 1000


class MarkedTimer(StepTimer):
    """Also notes when each measured step ended, to tell which phase the slow ones fell in."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.ended: list[float] = []

    async def measure(self, chat_id: int, update_id: int) -> float:
        latency = await super().measure(chat_id, update_id)
        self.ended.append(time.perf_counter())
        return latency


class Flooder:
    def __init__(self, emulator: TimedEmulator, tracker: UpdateTracker) -> None:
        self.emulator = emulator
        self.tracker = tracker
        self.user = emulator.user(FLOODER, first_name="Flo", language_code="en")
        self.marks: dict[str, float] = {}

    async def _wait(self, update_id: int) -> None:
        await self.tracker.wait(update_id, timeout=120)
        self.emulator.pushed.pop(update_id, None)

    async def say(self, text: str) -> None:
        await self._wait(await self.user.say(text, wait=False))

    async def tap(self, label: str) -> None:
        await self._wait(await self.user.tap(label, wait=False))

    async def setup(self) -> None:
        """To the first question in words ("What do you and your family do well ...")."""
        for action, value in (("say", "/start"), ("tap", "👪 I am a parent or carer"), ("tap", "📝 Prepare your views"),
                              ("tap", "Next ➡️"), ("say", "15/12/2026"), ("tap", "The first conference"), ("tap", "I don't know"),
                              ("say", "Amira"), ("say", "14/03/2019"), ("tap", "✅ That is every child"), ("tap", "✅ Done")):
            await (self.say(value) if action == "say" else self.tap(value))

    async def flood(self, count: int) -> None:
        """``count`` long messages at once, as a script sends them; back once all are handled."""
        self.marks["flood"] = time.perf_counter()
        ids = [await self.user.say(LONG, wait=False) for _ in range(count)]
        await asyncio.gather(*(self._wait(update_id) for update_id in ids))
        self.marks["flood handled"] = time.perf_counter()

    async def finish_and_report(self, pace: float) -> None:
        """The shortest way to the end (one step each ``pace`` s), Finish (the report comes), then /report."""
        for _ in range(80):
            await asyncio.sleep(pace)
            message = self.emulator.last_message(FLOODER)
            labels = _labels(message)
            if "✅ Finish" in labels:
                self.marks["finish"] = time.perf_counter()
                await self.tap("✅ Finish")
                self.marks["finish handled"] = time.perf_counter()
                break
            choice = next((c for c in ("✅ Done", "Next ➡️", "✅ That is every child", "✅ That is everything I disagree with", "Skip ➡️") if c in labels), None)
            if choice is not None:
                await self.tap(choice)
            elif "Type the date" in message.visible:
                await self.say("15/12/2026")
            elif "Type the time" in message.visible:
                await self.say("10am")
            else:
                options = [label for label in labels if not label.startswith(("🆘", "⬅️", "💾", "✏️"))]
                await (self.tap(options[0]) if options else self.say("Yes, that is right."))
        else:
            raise AssertionError("the flooder never reached Finish")
        await asyncio.sleep(pace)
        self.marks["/report"] = time.perf_counter()
        await self.say("/report")
        deadline = time.monotonic() + 120
        while len(self.emulator.documents(FLOODER)) < 2:
            if time.monotonic() > deadline:
                raise AssertionError("the reports did not come")
            await asyncio.sleep(0.05)
        self.marks["2nd report"] = time.perf_counter()


async def _others(parents: list[Parent], stop: asyncio.Event, think: float) -> None:
    async def one(parent: Parent) -> None:
        pause = random.Random(parent.user_id)
        await asyncio.sleep(pause.uniform(0, think))
        while not stop.is_set():
            await parent.step()
            await asyncio.sleep(pause.expovariate(1 / think))

    await asyncio.gather(*(one(p) for p in parents))


@contextlib.contextmanager
def _inline_render(enabled: bool) -> Any:
    """Run the report's render on the event loop (the thread's worth, measured)."""
    if not enabled:
        yield
        return
    import asyncio as real
    from types import SimpleNamespace

    from cpc_bot.documents import service

    async def inline(function: Any, *args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    service.asyncio = SimpleNamespace(to_thread=inline)  # type: ignore[assignment]
    try:
        yield
    finally:
        service.asyncio = real  # type: ignore[assignment]


async def run_flood(backend: str, limit: bool, *, others: int, messages: int, think: float, quiet: float,
                    inline_render: bool = False) -> FloodResult:
    with temp_dir() as folder, _inline_render(inline_render):
        async with (running_emulator(TimedEmulator()) as emulator,
                    postgres_and_redis() if backend == "pg" else contextlib.nullcontext({}) as overrides):
            # The real clock (not the dialog benchmark's frozen one): the bucket fills again as time passes.
            settings = make_settings(emulator.base_url, folder, rate_burst=20 if limit else 0, **overrides)
            app = build_app(settings, system_clock)
            tracker = UpdateTracker()
            tracker.attach(app.dispatcher)
            failed_before = COLLECTOR.matching("update.failed")
            try:
                await app.prepare()
                settle_heap()
                task = asyncio.create_task(app.dispatcher.start_polling(
                    app.bot, handle_signals=False, polling_timeout=10, close_bot_session=False))
                try:
                    await _wait_polling(app.dispatcher, task)
                    timer = MarkedTimer(emulator, tracker)
                    parents = [Parent(emulator=emulator, timer=timer, user_id=700_001 + i) for i in range(others)]
                    flooder = Flooder(emulator, tracker)
                    await asyncio.gather(flooder.setup(), *(p.setup() for p in parents))
                    stop = asyncio.Event()
                    load = asyncio.create_task(_others(parents, stop, think))
                    await asyncio.sleep(quiet)  # the others alone first
                    timer.latencies.clear()
                    timer.ended.clear()
                    started = time.perf_counter()
                    try:
                        await flooder.flood(messages)
                        await flooder.finish_and_report(pace=1.1)
                        report_seconds = time.perf_counter() - started
                    finally:
                        stop.set()
                        await load
                    seconds = time.perf_counter() - started
                finally:
                    await stop_polling(app.dispatcher, task)
            finally:
                await app.close()
            slowest = []
            for latency, ended in sorted(zip(timer.latencies, timer.ended, strict=True), reverse=True)[:5]:
                mark = max(((name, at) for name, at in flooder.marks.items() if at <= ended), key=lambda m: m[1],
                           default=("start", started))
                slowest.append(f"{latency * 1000:.0f} ms, {ended - mark[1]:.2f} s after {mark[0]}")
            told = sum(1 for m in emulator.messages(FLOODER) if "going too fast" in m.visible)
            return FloodResult("SQLite" if backend == "sqlite" else "PostgreSQL + Redis", limit, list(timer.latencies),
                               len(timer.latencies), seconds, report_seconds, told,
                               tracker.errors + COLLECTOR.matching("update.failed") - failed_before, slowest)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.flood", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--backends", default="sqlite,pg")
    parser.add_argument("--limits", default="on,off")
    parser.add_argument("--others", type=int, default=5)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--quiet", type=float, default=3.0, help="seconds of the others alone before the flood")
    parser.add_argument("--inline-render", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    quiet_logging(args.verbose)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if "pg" in backends and (why := asyncio.run(servers_available())) is not None:
        print(f"PostgreSQL + Redis skipped: {why}")
        backends.remove("pg")
    print(f"load before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}; "
          f"{args.others} others thinking {args.think} s; {args.messages} messages of {len(LONG)} characters"
          + ("; PDF rendered on the event loop" if args.inline_render else ""))
    print()
    print("| storage | limit | run | others' steps | p50 ms | p99 ms | max ms | flood to 2nd report s | told | errors | load 1 min |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    failed = False
    for backend in backends:
        for limit in [x.strip() == "on" for x in args.limits.split(",") if x.strip()]:
            for run in range(1, args.runs + 1):
                async def once(backend: str = backend, limit: bool = limit) -> FloodResult:
                    try:
                        return await run_flood(backend, limit, others=args.others, messages=args.messages,
                                               think=args.think, quiet=args.quiet, inline_render=args.inline_render)
                    finally:
                        await cancel_leftover_tasks()

                result = asyncio.run(once())
                failed |= result.p99_ms >= TARGET_P99_MS
                print(f"| {result.backend} | {'on' if limit else 'off'} | {run} | {result.steps} | {result.p50_ms:.1f} "
                      f"| {result.p99_ms:.1f} | {result.max_ms:.1f} | {result.report_seconds:.1f} | {result.dropped_told} "
                      f"| {result.errors} | {os.getloadavg()[0]:.2f} |", flush=True)
                if args.verbose:
                    print(f"    slowest: {'; '.join(result.slowest)}", flush=True)
    print()
    print(f"target: the others' p99 < {TARGET_P99_MS:.0f} ms" + (" (not met)" if failed else " (met)"))
    if COLLECTOR.total:
        print(f"warnings and errors logged: {COLLECTOR.total}")
        for key, count in sorted(COLLECTOR.counts.items(), key=lambda kv: -kv[1])[:8]:
            print(f"  {count} x {key}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
