"""Where a dialog step's time goes: cProfile over a dialog run (bot and emulator in one process).

    .venv/bin/python -m bench.profile [--backend sqlite|pg] [--users 1] [--steps 60] [--top 15]

Prints the top functions by own time (tottime) and by cumulative time, and the wall time
spent per step. The simulated people and the emulator run in the same process, so a few
percent of the profile is theirs (aiohttp server, emulator methods).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import sys
from typing import Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware

from bench.common import quiet_logging
from bench.dialog import run_ours


def _say(text: str = "", *, file: Any = None) -> None:
    """One line of output (stdout unless ``file``), flushed."""
    stream = file or sys.stdout
    stream.write(f"{text}\n")
    stream.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "pg"), default="sqlite")
    parser.add_argument("--users", type=int, default=1)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--filter", default="", help="only rows whose file path contains this (e.g. cpc_bot)")
    args = parser.parse_args(argv)
    quiet_logging()
    profiler = cProfile.Profile()

    counts = {"statements": 0, "commits": 0, "api": 0}

    async def count_work(app: Any) -> None:
        """Count SQL statements, commits and Bot API calls (the setup steps are included)."""
        from sqlalchemy import event

        def statement(*_args: Any) -> None:
            counts["statements"] += 1

        def commit(*_args: Any) -> None:
            counts["commits"] += 1

        event.listen(app.engine.sync_engine, "before_cursor_execute", statement)
        event.listen(app.engine.sync_engine, "commit", commit)
        session = app.bot.session

        class Counter(BaseRequestMiddleware):
            async def __call__(self, make_request: Any, bot: Any, method: Any) -> Any:
                if type(method).__name__ != "GetUpdates":
                    counts["api"] += 1
                return await make_request(bot, method)

        session.middleware(Counter())

    async def measured() -> None:
        profiler.enable()
        try:
            result = await run_ours(args.users, args.steps, args.backend, on_running=count_work)
        finally:
            profiler.disable()
        total = result.steps + 3 * args.users  # measured steps + the 3 set-up steps per parent
        _say(f"{result.steps} steps, {result.seconds / result.steps * 1000:.1f} ms wall per step, "
              f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms (under the profiler)")
        _say(f"per update ({total} updates): {counts['statements'] / total:.1f} SQL statements, "
              f"{counts['commits'] / total:.1f} commits, {counts['api'] / total:.1f} Bot API calls")

    asyncio.run(measured())
    for key in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats(key)
        stats.print_stats(args.filter, args.top) if args.filter else stats.print_stats(args.top)
        _say(f"--- top {args.top} by {key} ---")
        _say("\n".join(line for line in out.getvalue().splitlines() if line.strip())[-4000:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
