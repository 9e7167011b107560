"""Putting the peer together: Bot, Dispatcher with a memory FSM, the dialogs, the answer store.

As aiogram_dialog's quick start does (``docs/quickstart/example.py``): include the dialogs'
routers, register /start, ``setup_dialogs``. The Bot has the same settings as ours and as the
echo bot (aiohttp session to the emulator, HTML parse mode, no link previews).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.filters import CommandStart
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram_dialog import setup_dialogs

from bench.peer.dialogs import cmd_start, help_dialog, menu_dialog, parent_views_dialog
from bench.peer.store import AnswerStore


@dataclass
class PeerApp:
    bot: Bot
    dispatcher: Dispatcher
    answers: AnswerStore

    async def prepare(self) -> None:
        await self.answers.create_tables()

    async def close(self) -> None:
        await self.bot.session.close()
        await self.dispatcher.storage.close()
        await self.answers.close()


def build_peer(token: str, api_base: str, database_url: str, clock: Callable[[], datetime]) -> PeerApp:
    """``clock`` (aware datetimes) dates the answers and tells the date questions what day it is."""
    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api_base)),
              default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True))
    answers = AnswerStore(database_url, clock)
    dispatcher = Dispatcher(storage=MemoryStorage(), answer_store=answers, clock=clock)
    dispatcher.message.register(cmd_start, CommandStart())
    dispatcher.include_routers(menu_dialog(), parent_views_dialog(), help_dialog())
    setup_dialogs(dispatcher)
    return PeerApp(bot, dispatcher, answers)
