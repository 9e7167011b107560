"""One bot in its own process, polling an emulator, for bench/peer_dialog.py.

    python -m bench.serve ours|peer <emulator base url> <folder>

``ours`` is our bot as ``cpc-bot run`` builds it (``build_app`` with the benchmark's settings and
frozen clock, ``prepare``, ``settle_heap``); ``peer`` is the aiogram_dialog peer (bench/peer/).
Both poll with ``start_polling`` and its defaults (``handle_as_tasks=True``), so both handle
updates concurrently. The process writes one line to stdout when it is polling (``ready``), one
per update it has finished handling (``done <update id>``, or ``failed <update id>`` when the
update raised), and on SIGTERM, after closing, ``summary <json>``: warnings and errors logged,
by kind. The CPU time and memory of this process are read from /proc by the parent.

The peer's process loads nothing of ours (not even bench/common.py, which imports cpc_bot):
its memory is aiogram, aiogram_dialog, SQLAlchemy and the peer. The parent passes the bot token
(``BENCH_BOT_TOKEN``) and the frozen moment the date questions check against (``BENCH_MOMENT``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any


class WarningCounter(logging.Handler):
    """Counts WARNING+ records by logger and message start (no tracebacks, nothing people wrote
    beyond the first words of a library's message), for the parent's summary."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        key = f"{record.levelname} {record.name}: {str(record.msg)[:120]}"
        if record.exc_info and record.exc_info[1] is not None:
            key += f" [{type(record.exc_info[1]).__name__}]"
        self.counts[key] = self.counts.get(key, 0) + 1


def _tell(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def report_finished_updates(dispatcher: Any) -> None:
    """Tell the parent when each update is finished (wraps this dispatcher's feed_update, as
    bench/common.py's UpdateTracker does in-process)."""
    original = dispatcher.feed_update

    async def feed_update(bot: Any, update: Any, **kwargs: Any) -> Any:
        outcome = "failed"
        try:
            result = await original(bot, update, **kwargs)
            outcome = "done"
            return result
        finally:
            _tell(f"{outcome} {update.update_id}")

    dispatcher.feed_update = feed_update


async def _announce_ready() -> None:
    _tell("ready")


async def serve(side: str, api_base: str, folder: Path) -> None:
    if side == "ours":
        from bench.common import dialog_clock, make_settings
        from cpc_bot.app import build_app, settle_heap

        app: Any = build_app(make_settings(api_base, folder), dialog_clock())
        await app.prepare()
        settle_heap()  # as `cpc-bot run` does
    elif side == "peer":
        from bench.peer.bot import build_peer

        moment = datetime.fromisoformat(os.environ["BENCH_MOMENT"])
        app = build_peer(os.environ["BENCH_BOT_TOKEN"], api_base, f"sqlite+aiosqlite:///{folder / 'peer.db'}",
                         lambda: moment)
        await app.prepare()
    else:
        raise SystemExit(f"unknown side {side!r}: ours or peer")
    report_finished_updates(app.dispatcher)
    app.dispatcher.startup.register(_announce_ready)
    try:
        # SIGTERM / SIGINT stop polling (handle_signals), then everything is closed.
        await app.dispatcher.start_polling(app.bot, polling_timeout=10, close_bot_session=False)
    finally:
        await app.close()


def main(argv: list[str]) -> int:
    side, api_base, folder = argv
    counter = WarningCounter()
    logging.basicConfig(level=logging.WARNING, handlers=[counter], force=True)
    try:
        asyncio.run(serve(side, api_base, Path(folder)))
    finally:
        _tell("summary " + json.dumps({"warnings": counter.counts}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
