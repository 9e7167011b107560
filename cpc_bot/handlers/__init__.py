"""Routers that are not questionnaires, put together in the order they must run."""

from __future__ import annotations

from aiogram import Router

from cpc_bot.engine.runner import DialogRunner
from cpc_bot.handlers import (
    guide,
    language,
    mydata,
    private_chats,
    reports,
    safety,
    settings,
    start,
)
from cpc_bot.handlers import help as help_handlers
from cpc_bot.handlers.corrections import ReportsDesk
from cpc_bot.handlers.professional import ConferenceDesk
from cpc_bot.handlers.sharing import Sharing
from cpc_bot.handlers.verification import VerificationDesk


def setup(runner: DialogRunner, sharing: Sharing, desk: ConferenceDesk, verification: VerificationDesk,
          reports_desk: ReportsDesk) -> Router:
    """Commands first (they work from anywhere), then the questionnaire, then the fallback."""
    root = Router(name="cpc_bot")
    root.include_routers(
        private_chats.setup(),
        safety.setup(),
        start.setup(),
        help_handlers.setup_commands(),
        language.setup(),
        settings.setup(),
        guide.setup(),
        reports.setup(),
        mydata.setup(),
        sharing.router(),
        verification.router(),
        desk.router(),
        reports_desk.router(),
        runner.router(),
        help_handlers.setup_fallback(),
    )
    return root
