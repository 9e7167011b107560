"""The benchmark's aiogram_dialog peer answers like a questionnaire (skipped without the bench extra)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

pytest.importorskip("aiogram_dialog")

from bench.peer.bot import build_peer  # noqa: E402 - only once aiogram_dialog is known to be there
from cpc_bot.clock import FrozenClock  # noqa: E402
from cpc_bot.config import DEMO_TOKEN  # noqa: E402
from cpc_bot.emulator.server import BotApiEmulator  # noqa: E402


def _buttons(emulator: BotApiEmulator, chat_id: int) -> list[str]:
    markup = emulator.last_message(chat_id).reply_markup or {}
    return [button["text"] for row in markup.get("inline_keyboard", []) for button in row]


async def test_peer_saves_an_answer_and_goes_back_past_a_question_not_asked(
        emulator: BotApiEmulator, clock: FrozenClock, tmp_path: Path) -> None:
    app = build_peer(DEMO_TOKEN, emulator.base_url, f"sqlite+aiosqlite:///{tmp_path / 'peer.db'}", clock)
    await app.prepare()
    task = asyncio.create_task(app.dispatcher.start_polling(app.bot, handle_as_tasks=False, handle_signals=False,
                                                            polling_timeout=1, close_bot_session=False))
    try:
        parent = emulator.user(5001)
        await parent.say("/start")
        await parent.tap("👪 I am a parent or carer")
        await parent.tap("📝 Prepare your views")
        assert "These questions help you get ready for the conference." in emulator.last_message(5001).visible
        await parent.tap("Next ➡️")
        assert "When is the conference?" in emulator.last_message(5001).visible

        await parent.tap("Skip ➡️")  # no date: the kind of conference is not asked
        assert "What is the child's name?" in emulator.last_message(5001).visible
        await parent.tap("⬅️ Back")
        assert "When is the conference?" in emulator.last_message(5001).visible

        await parent.say("31/02/2026")
        assert any("Please type a date as day/month/year" in m.visible for m in emulator.messages(5001)[-2:])
        await parent.say("15/12/2026")
        assert "Is this the first conference, or a review?" in emulator.last_message(5001).visible
        assert _buttons(emulator, 5001)[:3] == ["The first conference", "A review conference", "I am not sure"]
        with sqlite3.connect(tmp_path / "peer.db") as db:
            assert db.execute("SELECT question, value FROM answers WHERE user_id = 5001").fetchall() == [
                ("conference_date", '"2026-12-15"')]
    finally:
        await app.dispatcher.stop_polling()
        await asyncio.wait_for(task, 10)
        await app.close()
