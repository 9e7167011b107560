"""The baseline: a bare aiogram echo bot under the same load as ours.

One message handler answers the text (with one inline button), one callback handler
answers the tap and edits the message. Same Bot settings as ours (aiohttp session to the
emulator, HTML parse mode), default Dispatcher (memory FSM storage), polled the same way
(``start_polling`` with ``handle_as_tasks=True``), measured the same way (bench/common.py).

Each simulated person replays the say/tap sequence one of our parents produced, so both
bots get the same number of steps with the same mix of typed messages and taps.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from html import escape
from typing import Any

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bench.common import StepTimer, TimedEmulator, UpdateTracker, running_emulator
from bench.dialog import WORDS, DialogResult, _wait_polling, drive_load, stop_polling
from cpc_bot.config import DEMO_TOKEN

KEYBOARD = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="✅ Done", callback_data="done")]])


def echo_dispatcher() -> Dispatcher:
    router = Router(name="echo")
    taps: dict[int, int] = {}

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(escape(message.text or ""), reply_markup=KEYBOARD)

    @router.callback_query()
    async def tapped(query: CallbackQuery) -> None:
        await query.answer("Saved")
        chat = query.from_user.id
        taps[chat] = taps.get(chat, 0) + 1
        if isinstance(query.message, Message):
            await query.message.edit_text(f"Done {taps[chat]}", reply_markup=KEYBOARD)

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    return dispatcher


def echo_bot(base_url: str) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(base_url))
    return Bot(DEMO_TOKEN, session=session,
               default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True))


@dataclass
class EchoUser:
    emulator: TimedEmulator
    timer: StepTimer
    user_id: int
    plan: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    think: float = 0.0  # not used: the echo bot is only measured at saturation

    def __post_init__(self) -> None:
        self.user = self.emulator.user(self.user_id, first_name="Dana", language_code="en")

    async def setup(self) -> None:
        update_id = await self.user.say("hello", wait=False)
        await self.timer.tracker.wait(update_id)
        self.emulator.pushed.pop(update_id, None)

    async def run(self, steps: int) -> None:
        plan = self.plan or ["say", "tap"]
        for i in range(steps):
            kind = plan[i % len(plan)]
            if kind == "say":
                update_id = await self.user.say(WORDS[(self.user_id + i) % len(WORDS)], wait=False)
            else:
                update_id = await self.user.tap("✅ Done", wait=False)
            await self.timer.measure(self.user_id, update_id)
            self.kinds.append(kind)


async def run_echo(users: int, steps: int, plans: list[list[str]] | None = None) -> DialogResult:
    async with running_emulator(TimedEmulator()) as emulator:
        bot = echo_bot(emulator.base_url)
        dispatcher = echo_dispatcher()
        tracker = UpdateTracker()
        tracker.attach(dispatcher)
        task = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False, polling_timeout=10,
                                                            close_bot_session=False))
        plans = plans or []

        def make(**kwargs: Any) -> EchoUser:
            index = kwargs["user_id"] - 700_001
            return EchoUser(plan=plans[index % len(plans)] if plans else [], **kwargs)

        try:
            await _wait_polling(dispatcher, task)
            seconds, timer, people = await drive_load(emulator, tracker, users, steps, make=make)
        finally:
            await stop_polling(dispatcher, task)
            await bot.session.close()
        return DialogResult("echo bot", users, len(timer.latencies), seconds, timer.latencies, timer.silent,
                            tracker.errors, len(emulator.rejected), [p.kinds for p in people])
