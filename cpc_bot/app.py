"""Composition root: settings in, a ready bot, dispatcher and store out. No globals.

Tests build their own :class:`BotApp` with overridden settings and a frozen clock;
``cpc-bot run`` and ``cpc-bot demo`` build one from the environment.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import threading
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder, StorageKey
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.types import BotCommand
from aiogram.utils.i18n import I18n
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from redis.asyncio import BlockingConnectionPool, Redis
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from cpc_bot.clock import Clock, system_clock
from cpc_bot.config import ConfigError, Settings
from cpc_bot.documents.letters import Letters
from cpc_bot.documents.service import ReportService
from cpc_bot.domain.verification import parse_admins, parse_domains
from cpc_bot.engine.events import AnswerSaved, Discarding, Events
from cpc_bot.engine.guides import load_guides
from cpc_bot.engine.loader import DialogRegistry, load_dialogs
from cpc_bot.engine.runner import DialogRunner
from cpc_bot.engine.session import DialogSession
from cpc_bot.handlers import setup as setup_handlers
from cpc_bot.handlers.corrections import SHEET_DIALOG, ReportsDesk
from cpc_bot.handlers.middlewares import (
    CommitBeforeSend,
    EditFallback,
    FitToTelegram,
    MessageLog,
    OnceMiddleware,
    UserLocaleMiddleware,
)
from cpc_bot.handlers.mydata import keep_data
from cpc_bot.handlers.private_chats import PrivateChatsOnly
from cpc_bot.handlers.professional import (
    REGISTER_DIALOG,
    REPORT_DIALOG,
    SUMMARY_DIALOG,
    ConferenceDesk,
)
from cpc_bot.handlers.rate_limit import RateLimitMiddleware, buckets_for
from cpc_bot.handlers.recipients import Recipients
from cpc_bot.handlers.safety import SafetyMiddleware
from cpc_bot.handlers.sharing import Sharing
from cpc_bot.handlers.verification import VerificationDesk
from cpc_bot.i18n.bidi import RtlMiddleware
from cpc_bot.i18n.catalog import compile_catalogs
from cpc_bot.i18n.text import install as install_words
from cpc_bot.mail import mailer_for
from cpc_bot.redaction import QuietSession
from cpc_bot.reminders.members import RENDERERS as MEMBER_RENDERERS
from cpc_bot.reminders.parents import DATE_KEY as PARENT_DATE_KEY
from cpc_bot.reminders.parents import PREPARE_DIALOG, FamilyAreas, ParentReminderPlanner
from cpc_bot.reminders.parents import RENDERERS as PARENT_RENDERERS
from cpc_bot.reminders.professionals import RENDERERS as PRO_RENDERERS
from cpc_bot.reminders.professionals import NudgePlanner
from cpc_bot.reminders.reports import RENDERERS as REPORTS_RENDERERS
from cpc_bot.reminders.retention import Retention
from cpc_bot.reminders.retention import renderers as retention_renderers
from cpc_bot.reminders.sender import ReminderSender
from cpc_bot.reminders.store import ReminderStore
from cpc_bot.safety.net import default_net
from cpc_bot.store.conferences import ConferenceRepository
from cpc_bot.store.crypto import FieldCipher, load_or_create_key_file, parse_keys
from cpc_bot.store.database import Sessions, create_engine, session_factory
from cpc_bot.store.fsm_storage import SqlStorage
from cpc_bot.store.migrate import migrate_or_adopt
from cpc_bot.store.people import People
from cpc_bot.store.professionals import ProfessionalRepository
from cpc_bot.store.repository import Repository
from cpc_bot.store.rotate import holds_encrypted_data
from cpc_bot.store.web_access import WebPeople

if TYPE_CHECKING:
    from cpc_bot.web.server import WebChat

log = logging.getLogger(__name__)


@dataclass
class BotApp:
    """Everything one bot process needs, built once and passed down."""

    settings: Settings
    clock: Clock
    bot: Bot
    dispatcher: Dispatcher
    engine: AsyncEngine
    repo: Repository
    registry: DialogRegistry
    runner: DialogRunner
    i18n: I18n
    storage: BaseStorage
    reminders: ReminderStore | None = None
    reminder_sender: ReminderSender | None = None
    scheduler: AsyncIOScheduler | None = None

    async def prepare(self) -> None:
        """Bring the database to the newest schema (idempotent, safe when workers start
        together) and tell Telegram the command list in each language."""
        await migrate_or_adopt(self.engine)
        for locale in sorted(set(self.i18n.available_locales) | {self.i18n.default_locale}):
            with self.i18n.context(), self.i18n.use_locale(locale):
                commands = command_list()
            language = None if locale == self.i18n.default_locale else locale
            await self.bot.set_my_commands(commands, language_code=language)

    async def close(self) -> None:
        message_log = self.dispatcher.get("message_log")
        if message_log is not None:
            await message_log.flush()
        await self.bot.session.close()
        await self.storage.close()
        await self.engine.dispose()


def settle_heap() -> None:
    """Start-up is over: move what it loaded (libraries, dialogs, catalogues) out of the
    garbage collector's sight, as it lives as long as the process. Every full collection
    walked all of it: a 200-300 ms pause every few hundred updates, the slowest steps in
    the benchmark. (``gc.freeze``; call once, after ``prepare``, in the serving process.)"""
    gc.collect()
    gc.freeze()


#: Seconds between serving and the documents warm-up: the first replies after a start do not
#: share the interpreter with it (the warm-up takes about half a second of CPU).
WARM_UP_DELAY = 3.0


def warm_up_documents(delay: float = WARM_UP_DELAY) -> threading.Thread:
    """Load the PDF libraries and fonts in a thread, ``delay`` seconds after the bot starts
    serving: the first report after a start is then as quick as the others, and start-up does
    not wait for it. A report asked for before then loads what it needs itself. What was loaded
    lives as long as the process, so it is settled like the start-up heap (``settle_heap``)."""

    def run() -> None:
        started = time.perf_counter()
        try:
            from cpc_bot.documents.pdf import warm_up

            warm_up()
        except Exception as exc:  # noqa: BLE001 - a report can still load what it needs
            log.warning("documents.warm_up_failed error=%s", type(exc).__name__)
            return
        settle_heap()
        log.debug("documents.warm seconds=%.2f", time.perf_counter() - started)

    thread = threading.Timer(delay, run)
    thread.name, thread.daemon = "documents-warm-up", True
    thread.start()
    return thread


def _keep_response_models() -> list[Any]:
    """aiogram parses every answer with pydantic's ``Response[<result type>]``; pydantic keeps
    those parametrised models only weakly, so they were rebuilt again and again (a fifth of a
    dialog step's time in the benchmark's profile). Holding them once keeps them built."""
    from aiogram import methods
    from aiogram.methods import Response as ApiResponse
    from aiogram.methods.base import TelegramMethod

    kinds = {cls.__returning__ for cls in vars(methods).values()
             if isinstance(cls, type) and issubclass(cls, TelegramMethod) and cls is not TelegramMethod}
    return [ApiResponse[kind] for kind in kinds]  # type: ignore[valid-type]


_RESPONSE_MODELS: list[Any] = []


def command_list() -> list[BotCommand]:
    from aiogram.utils.i18n import gettext as _

    return [
        BotCommand(command="start", description=_("Main menu, or carry on where you stopped")),
        BotCommand(command="help", description=_("What this bot is, and who to call")),
        BotCommand(command="guide", description=_("About the conference, in plain words")),
        BotCommand(command="report", description=_("Get your written report again")),
        BotCommand(command="mydata", description=_("See everything I keep about you")),
        BotCommand(command="delete", description=_("Delete everything I keep about you")),
        BotCommand(command="language", description=_("Choose your language")),
        BotCommand(command="settings", description=_("Discreet mode, if someone else sees your phone")),
        BotCommand(command="cancel", description=_("Stop for now (answers stay saved)")),
    ]


def _holds_encrypted_data(database_url: str) -> bool:
    """Whether the database already holds encrypted values: asked only when the key file is
    missing, before a new key is made. ``build_app`` is not async, so the check runs on its
    own event loop in a thread (a running loop may be waiting on this one)."""
    database = make_url(database_url).database
    if database_url.startswith("sqlite") and (not database or database == ":memory:" or
                                              (not database.startswith("file:") and not Path(database).exists())):
        return False

    async def check() -> bool:
        engine = create_engine(database_url)
        try:
            return await holds_encrypted_data(engine)
        finally:
            await engine.dispose()

    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(lambda: asyncio.run(check())).result()
    except Exception as exc:  # noqa: BLE001 - whatever it is, a new key must not be made blind
        raise ValueError(f"the key file is missing and the database could not be checked for encrypted "
                         f"answers ({type(exc).__name__}); start the database, or restore the key file") from None


def _cipher(settings: Settings) -> FieldCipher:
    try:
        if settings.encryption_keys is not None:
            return FieldCipher(parse_keys(settings.encryption_keys.get_secret_value()))
        return FieldCipher(load_or_create_key_file(
            settings.key_file, has_encrypted_data=lambda: _holds_encrypted_data(settings.database_url)))
    except (ValueError, OSError) as exc:
        name = "CPC_ENCRYPTION_KEYS" if settings.encryption_keys is not None else "CPC_KEY_FILE"
        raise ConfigError(f"{name}: {exc}") from None


def _redis(settings: Settings) -> Redis | None:
    if not settings.redis_url:
        return None
    # A pool that waits for a free connection: redis-py's default one refuses the 101st at once
    # (MaxConnectionsError), and one person's flood of updates (each takes the chat's lock, the
    # safety check's lookup, the rate limit) made other people's updates fail (issue 15).
    pool = BlockingConnectionPool.from_url(settings.redis_url, max_connections=100, timeout=20)
    return Redis(connection_pool=pool)


def _storage(settings: Settings, core: Core) -> BaseStorage:
    if core.redis is not None:
        return RedisStorage(core.redis, key_builder=DefaultKeyBuilder(prefix=settings.redis_prefix))
    return SqlStorage(core.sessions, core.clock)


@dataclass
class Core:
    """What every channel shares: the store, the questionnaires, the session service, the
    catalogues and the reports. ``build_app`` (Telegram) and ``cpc-bot web`` build on it."""

    settings: Settings
    clock: Clock
    engine: AsyncEngine
    sessions: Sessions
    cipher: FieldCipher
    redis: Redis | None
    people: People
    repo: Repository
    registry: DialogRegistry
    guides: dict[str, Any]
    i18n: I18n
    events: Events
    session: DialogSession
    reports: ReportService
    conferences: ConferenceRepository


def build_core(settings: Settings, clock: Clock = system_clock) -> Core:
    """The channel-free part of the bot. Raises ConfigError / DialogError with one clear line."""
    compile_catalogs(settings.locales_dir)
    registry = load_dialogs(settings.dialogs_dir)
    guides = load_guides(settings.guides_dir)
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    cipher = _cipher(settings)
    redis = _redis(settings)
    # Who each person is and their language, for the safety check before any database read.
    people = People(redis, prefix=settings.redis_prefix)
    repo = Repository(sessions, cipher, clock, people=people)
    i18n = I18n(path=settings.locales_dir, default_locale=settings.default_locale, domain="messages")
    # The channel-free core translates through cpc_bot.i18n.text: the language of the update (or
    # web request) being handled, which each channel sets in aiogram's I18n context.
    install_words(lambda: I18n.get_current(no_error=True) or i18n)
    # The dialog core: the session service says what happened; who listens is wired by the channel.
    events = Events()
    session = DialogSession(registry, repo, clock, events, finished_per_day=settings.finished_per_day)
    # A child's booklet shows the day of the meeting they are linked to.
    conferences = ConferenceRepository(sessions, cipher, clock)
    reports = ReportService(repo, registry, i18n, clock, conferences)
    return Core(settings, clock, engine, sessions, cipher, redis, people, repo, registry, guides, i18n, events,
                session, reports, conferences)


def build_web(core: Core) -> WebChat:
    """The web chat on the core: the parents' questionnaire for families without Telegram.
    Nothing is subscribed to the core's events here yet: reminders and retention for people
    on the web come with their own way of reaching them (issue 20, point 4)."""
    from cpc_bot.web.server import WebChat

    settings = core.settings
    return WebChat(session=core.session, repo=core.repo, registry=core.registry, sessions=core.sessions,
                   people=WebPeople(core.sessions, core.clock, people=core.people), reports=core.reports,
                   catalogues=core.i18n, net=default_net(), clock=core.clock,
                   csrf_key=core.cipher.derived_key("web-csrf"), idle_minutes=settings.web_idle_minutes,
                   leave_url=settings.web_leave_url)


def build_app(settings: Settings, clock: Clock = system_clock, *, demo: bool = False) -> BotApp:
    """Build the bot from settings. Raises ConfigError / DialogError with one clear line.
    ``demo``: the offline demo, where a verification code is printed instead of mailed."""
    if settings.bot_token is None:
        raise ConfigError("CPC_BOT_TOKEN: required (or use `cpc-bot demo` to try the bot offline)")
    if not _RESPONSE_MODELS:
        _RESPONSE_MODELS.extend(_keep_response_models())
    core = build_core(settings, clock)
    registry, guides, engine, sessions, cipher = core.registry, core.guides, core.engine, core.sessions, core.cipher
    people, repo, i18n, events = core.people, core.repo, core.i18n, core.events
    storage = _storage(settings, core)

    # Its failed downloads do not put the file's address (and so the token) into a traceback.
    api_session = QuietSession()
    if settings.telegram_api_base:
        api_session = QuietSession(api=TelegramAPIServer.from_base(settings.telegram_api_base))
    bot = Bot(
        settings.bot_token.get_secret_value(),
        session=api_session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )
    bot.session.middleware(CommitBeforeSend(sessions))
    bot.session.middleware(RtlMiddleware())
    bot.session.middleware(FitToTelegram())
    message_log = MessageLog(repo, clock)
    bot.session.middleware(message_log)
    bot.session.middleware(EditFallback())
    runner = DialogRunner(core.session)
    reminders = ReminderStore(sessions, clock)
    planner = ParentReminderPlanner(reminders, clock)
    planned = [dialog.id for dialog in registry.for_audience("parent")
               if any(step.key == PARENT_DATE_KEY for step in dialog.steps)]
    conferences = core.conferences
    # A parent linked to a conference is not asked their area: the conference says it.
    family_areas = FamilyAreas(conferences, repo)
    if PREPARE_DIALOG in registry.dialogs:
        registry.contexts[PREPARE_DIALOG] = family_areas.context
    professional_dialogs = {d.id for d in registry.dialogs.values() if d.audience == "professional"}
    retention = Retention(repo, reminders, clock, days=settings.retention_days,
                          notice_days=settings.retention_notice_days,
                          keep_dialogs=professional_dialogs | {REGISTER_DIALOG, REPORT_DIALOG}, date_key=PARENT_DATE_KEY,
                          conferences=conferences)
    for dialog_id in planned:
        # A conference date plans the reminders, then retention counts from it.
        events.subscribe(AnswerSaved, dialog_id, lambda e, _where: planner(e.response, e.view, e.key))
        events.subscribe(AnswerSaved, dialog_id, lambda e, _where: retention.on_answer(e.response, e.view, e.key))
        # "Start again": the old answers' reminders go; the new date plans them afresh.
        events.subscribe(Discarding, dialog_id, lambda e, _where: planner.forget(e.response))
    sender = ReminderSender(
        reminders, repo, i18n, bot, clock, renderers={**PARENT_RENDERERS, **PRO_RENDERERS, **retention_renderers(keep_data), **MEMBER_RENDERERS,
                   **REPORTS_RENDERERS},
        quiet_start=settings.quiet_hours_start, quiet_end=settings.quiet_hours_end,
    )
    scheduler = _scheduler(sender, settings)

    async def forget_old_updates() -> None:
        await repo.forget_updates(clock() - timedelta(days=2))
        await repo.forget_messages(before=clock() - timedelta(hours=48))  # Telegram cannot delete them any more
        await professionals.forget_codes(before=clock() - timedelta(days=1))
        # A professional's details go a retention period after their verification (or request) ended.
        await professionals.forget_lapsed(before=clock() - timedelta(days=settings.retention_days))

    professionals = ProfessionalRepository(sessions, cipher, clock, hash_key=cipher.derived_key("verification"),
                                           config_admins=parse_admins(settings.admins))
    scheduler.add_job(forget_old_updates, "interval", hours=6, id="forget_updates", max_instances=1, coalesce=True)
    scheduler.add_job(retention.sweep, "interval", hours=1, id="retention", max_instances=1, coalesce=True)
    scheduler.add_job(message_log.flush, "interval", seconds=3, id="message_log", max_instances=1, coalesce=True)
    reports = core.reports
    sharing = Sharing(repo, runner, conferences, Recipients(conferences, professionals))
    nudges = NudgePlanner(reminders, clock)
    verification = VerificationDesk(professionals, repo, i18n, mailer_for(settings, demo=demo),
                                    parse_domains(settings.email_domains), months=settings.verification_months,
                                    codes_per_day=settings.codes_per_day)
    desk = ConferenceDesk(conferences, reminders, nudges, planner, repo, runner, reports, clock, retention,
                          verification=verification, links_per_day=settings.links_per_day,
                          conferences_per_day=settings.conferences_per_day, family_areas=family_areas)
    for dialog in registry.dialogs.values():
        if dialog.audience == "child":
            runner.on_finish(dialog.id, reports.send)
            runner.on_finish(dialog.id, sharing.offer)
        elif dialog.report_title:
            runner.on_finish(dialog.id, reports.send)
            runner.on_finish(dialog.id, desk.offer_send)
    # When the reports arrive (issue 18): the sheet for the chair and its reminder; the interpreter request.
    letters = Letters(repo, i18n)
    reports_desk = ReportsDesk(repo, registry, runner, reminders, conferences, reports, letters, clock)
    if SHEET_DIALOG in registry.dialogs:
        reports.add_intro(SHEET_DIALOG, letters.sheet_lines)
        runner.on_finish(SHEET_DIALOG, reports_desk.after_sheet)
        events.subscribe(Discarding, SHEET_DIALOG, lambda e, _where: reports_desk.forget_sheet(e.response))
    for dialog_id in planned:
        runner.on_finish(dialog_id, reports_desk.after_prepare)
    if REGISTER_DIALOG in registry.dialogs:
        runner.on_finish(REGISTER_DIALOG, desk.on_registered)
    if REPORT_DIALOG in registry.dialogs:
        # "Talk it through with the family before you send it" (the summary sheet on offer), then the
        # Word file and its plain-language check, which stays the last thing said.
        runner.on_finish(REPORT_DIALOG, desk.offer_summary)
        runner.on_finish(REPORT_DIALOG, reports.send_docx)
    if SUMMARY_DIALOG in registry.dialogs:
        runner.on_finish(SUMMARY_DIALOG, reports.send_summary)

    dispatcher = Dispatcher(storage=storage, events_isolation=_isolation(storage))
    dispatcher["repo"] = repo
    dispatcher["registry"] = registry
    dispatcher["guides"] = guides
    dispatcher["runner"] = runner
    dispatcher["reports"] = reports
    dispatcher["desk"] = desk
    dispatcher["reminders"] = reminders
    dispatcher["conferences"] = conferences
    dispatcher["family_areas"] = family_areas
    dispatcher["professionals"] = professionals
    dispatcher["verification"] = verification
    dispatcher["clock"] = clock
    dispatcher["retention"] = retention
    dispatcher["message_log"] = message_log
    dispatcher["reminder_sender"] = sender
    dispatcher["settings"] = settings
    # The order for each update: private chats only, the safety check, the rate limit, and only
    # then the database. aiogram's FSM middleware (which takes the chat's lock and reads its state
    # from the FSM storage, the database on SQLite) comes after them, so a cry for help is answered
    # even when the database or Redis lock is slow or down, and a flood is dropped before it
    # queues for the chat's lock. Its place is taken back below, before OnceMiddleware.
    dispatcher.update.outer_middleware.unregister(dispatcher.fsm)
    dispatcher.update.outer_middleware(PrivateChatsOnly(i18n))
    # Safety first: before the update is claimed in the database, before any handler.
    safety = SafetyMiddleware(default_net(), people, i18n)
    dispatcher["safety"] = safety
    dispatcher.update.outer_middleware(safety)
    # No one can slow anyone else (issue 15): a token bucket per person, after the safety check
    # (a cry for help always gets help) and before the update is claimed in the database.
    if settings.rate_burst:
        buckets = buckets_for(storage.redis if isinstance(storage, RedisStorage) else None,
                              settings.rate_burst, settings.rate_per_second, prefix=settings.redis_prefix)
        dispatcher.update.outer_middleware(RateLimitMiddleware(buckets, clock, safety.who_and_locale, i18n))
        dispatcher["rate_buckets"] = buckets  # /delete forgets the person's bucket too
    dispatcher.update.outer_middleware(dispatcher.fsm)
    dispatcher.update.outer_middleware(OnceMiddleware(repo, sessions, message_log))
    UserLocaleMiddleware(i18n, repo, people).setup(dispatcher)
    dispatcher.include_router(setup_handlers(runner, sharing, desk, verification, reports_desk))

    # aiogram runs plain functions in a thread; APScheduler must start on the event loop.
    async def start_scheduler() -> None:
        scheduler.start()

    async def stop_scheduler() -> None:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        await message_log.flush()

    dispatcher.startup.register(start_scheduler)
    dispatcher.shutdown.register(stop_scheduler)
    return BotApp(settings, clock, bot, dispatcher, engine, repo, registry, runner, i18n, storage,
                  reminders, sender, scheduler)


def _scheduler(sender: ReminderSender, settings: Settings) -> AsyncIOScheduler:
    """One interval job per process; the reminder rows, not APScheduler, hold what is due.

    APScheduler's own job store stays in memory: sharing one between processes is not
    supported (its FAQ), and the claim in ReminderStore already keeps workers apart.
    """
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(sender.run_once, "interval", seconds=settings.reminder_poll_seconds, id="reminders",
                      max_instances=1, coalesce=True)
    return scheduler


def _isolation(storage: BaseStorage) -> BaseEventIsolation:
    """One update per chat at a time (double taps queue up); across workers when on Redis."""
    if isinstance(storage, RedisStorage):
        return _LocalFirst(storage.create_isolation())
    return SimpleEventIsolation()


class _LocalFirst(BaseEventIsolation):
    """The shared (Redis) lock of a chat, taken only after this worker's own lock of it: a chat's
    updates waiting in one worker queue in memory, and only the first asks Redis. Each waiter for
    the Redis lock asks again every tenth of a second, so one person's 300 messages at once were
    3,000 Redis calls a second, and everyone else's updates waited behind them (issue 15)."""

    def __init__(self, shared: BaseEventIsolation) -> None:
        self.local = SimpleEventIsolation()
        self.shared = shared

    @contextlib.asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        async with self.local.lock(key), self.shared.lock(key):
            yield

    async def close(self) -> None:
        await self.local.close()
        await self.shared.close()
