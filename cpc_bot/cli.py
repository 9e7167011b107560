"""``cpc-bot run`` (Telegram or any Bot API server) and ``cpc-bot demo`` (fully offline)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from typing import TYPE_CHECKING

from aiohttp import web
from pydantic import SecretStr

from cpc_bot import redaction
from cpc_bot.app import BotApp, build_app, settle_heap, warm_up_documents
from cpc_bot.clock import system_clock
from cpc_bot.config import DEMO_TOKEN, ConfigError, Settings, load_settings
from cpc_bot.domain.areas import AREAS
from cpc_bot.engine.loader import DialogError
from cpc_bot.store.crypto import new_key

if TYPE_CHECKING:
    from cpc_bot.emulator.page import PageLanguage

log = logging.getLogger("cpc_bot")


def _logging(settings: Settings) -> None:
    """Log lines to stderr, with the bot token and the other secrets taken out of every line
    (and file addresses, which hold the token), whichever library writes it."""
    # The bot's own events at the level asked for; the libraries' (APScheduler's every job run,
    # fontTools' every font subset, Alembic's every step) only from WARNING up, unless DEBUG is
    # asked for: otherwise they bury the bot's own lines (and the demo's address) within seconds.
    libraries = settings.log_level if settings.log_level == "DEBUG" else "WARNING"
    logging.basicConfig(level=libraries, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger().setLevel(libraries)
    logging.getLogger("cpc_bot").setLevel(settings.log_level)
    secrets = (settings.webhook_secret, settings.smtp_password, settings.encryption_keys)
    token = settings.bot_token.get_secret_value() if settings.bot_token else None
    redaction.install(token, [s.get_secret_value() for s in secrets if s is not None])


async def _poll(app: BotApp) -> None:
    await app.prepare()
    settle_heap()
    warm_up_documents()
    await app.bot.delete_webhook(drop_pending_updates=False)
    try:
        await app.dispatcher.start_polling(app.bot, handle_signals=True)
    finally:
        await app.close()


async def _webhook(app: BotApp) -> None:
    """Webhook mode: Telegram calls us; requests without the secret token are refused."""
    from cpc_bot.webhook import webhook_app

    settings = app.settings
    assert settings.webhook_url and settings.webhook_secret
    secret = settings.webhook_secret.get_secret_value()
    await app.prepare()
    settle_heap()
    warm_up_documents()
    await app.bot.set_webhook(settings.webhook_url + settings.webhook_path, secret_token=secret)
    web_app = webhook_app(app.dispatcher, app.bot, secret_token=secret, path=settings.webhook_path,
                          handle_in_background=settings.webhook_in_background)
    runner = web.AppRunner(web_app)
    await runner.setup()
    await web.TCPSite(runner, settings.webhook_host, settings.webhook_port).start()
    log.info("webhook.listening host=%s port=%s", settings.webhook_host, settings.webhook_port)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
        await app.close()


def boxed(lines: list[str]) -> str:
    """Lines in a frame, so the demo's address stands out among log lines (ASCII where the
    terminal cannot show box drawing)."""
    width = max(len(line) for line in lines)
    corners, side, rule = "╭╮╰╯", "│", "─"
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        (corners + side + rule).encode(encoding)
    except (UnicodeEncodeError, LookupError):
        corners, side, rule = "++++", "|", "-"
    top = corners[0] + rule * (width + 2) + corners[1]
    bottom = corners[2] + rule * (width + 2) + corners[3]
    return "\n".join([top, *(f"{side} {line.ljust(width)} {side}" for line in lines), bottom])


def page_language(app: BotApp) -> PageLanguage:
    """The demo page speaks as the bot does: the person's /language choice, else their
    Telegram language; its words come from the bot's catalogues."""
    from cpc_bot.emulator.page import PageLanguage
    from cpc_bot.i18n.locale import is_rtl, negotiate_locale

    async def locale_of(user_id: int, language_code: str | None) -> str:
        available = app.i18n.available_locales
        stored = await app.repo.get_user(user_id)
        if stored is not None and stored.locale in available:
            return stored.locale
        return negotiate_locale(language_code, available, app.i18n.default_locale)

    return PageLanguage(locale_of=locale_of, translate=lambda locale, text: app.i18n.gettext(text, locale=locale),
                        rtl=is_rtl)


async def _demo(settings: Settings) -> None:
    from cpc_bot.emulator.server import BotApiEmulator

    started = time.perf_counter()
    emulator = BotApiEmulator(DEMO_TOKEN)
    try:
        base = await emulator.start(settings.demo_host, settings.demo_port)
    except OSError as exc:  # most often a demo already running: one line, not a traceback
        why = os.strerror(exc.errno).lower() if exc.errno else str(exc)
        raise ConfigError(f"the demo cannot listen on {settings.demo_host}:{settings.demo_port}: {why}. "
                          "Is it running already? Stop it, or choose another port with CPC_DEMO_PORT.") from None
    update: dict[str, object] = {"bot_token": SecretStr(DEMO_TOKEN), "telegram_api_base": base}
    if not settings.email_domains:
        # example.org is reserved (RFC 2606): no real mailbox, so the demo can show the email way safely.
        update["email_domains"] = ";".join(f"{area}:example.org" for area in AREAS)
    demo_settings = settings.model_copy(update=update)
    app = build_app(demo_settings, system_clock, demo=True)
    await app.prepare()
    emulator.page_language = page_language(app)
    settle_heap()
    warm_up_documents()
    log.info("demo.ready seconds=%.2f", time.perf_counter() - started)
    # Last, after every start-up line, framed: the one thing a newcomer needs from this terminal.
    lines = [f"CPC Companion demo: open {base}/ in your browser"]
    if not settings.smtp_host:
        lines.append("Verification codes are printed here (any address @example.org works)")
    lines.append("Ctrl+C stops the demo")
    print(boxed(lines), flush=True)
    try:
        await app.dispatcher.start_polling(app.bot, handle_signals=True, polling_timeout=10)
    finally:
        await app.close()
        await emulator.stop()


async def _web(settings: Settings) -> None:
    """``cpc-bot web``: the web chat for families without Telegram, on the same core."""
    from cpc_bot.app import build_core, build_web
    from cpc_bot.store.migrate import migrate_or_adopt

    core = build_core(settings, system_clock)
    await migrate_or_adopt(core.engine)
    runner = web.AppRunner(build_web(core).app())
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.web_host, settings.web_port).start()
    except OSError as exc:
        why = os.strerror(exc.errno).lower() if exc.errno else str(exc)
        await runner.cleanup()
        await core.engine.dispose()
        raise ConfigError(f"the web chat cannot listen on {settings.web_host}:{settings.web_port}: {why}. "
                          "Choose another port with CPC_WEB_PORT.") from None
    settle_heap()
    warm_up_documents()
    print(boxed([f"CPC Companion web chat: open http://{settings.web_host}:{settings.web_port}/ in your browser",
                 "Ctrl+C stops it"]), flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
        await core.engine.dispose()


async def _professionals(settings: Settings, args: argparse.Namespace) -> int:
    """``admins add|remove|list`` and ``verified list|revoke``: the store, no bot needed."""
    from cpc_bot.app import _cipher
    from cpc_bot.clock import system_clock as clock
    from cpc_bot.domain.verification import area_key, parse_admins
    from cpc_bot.store.database import create_engine, session_factory
    from cpc_bot.store.migrate import migrate_or_adopt
    from cpc_bot.store.professionals import ProfessionalRepository

    engine = create_engine(settings.database_url)
    try:
        await migrate_or_adopt(engine)
        cipher = _cipher(settings)
        store = ProfessionalRepository(session_factory(engine), cipher, clock, hash_key=cipher.derived_key("verification"),
                                       config_admins=parse_admins(settings.admins))
        if args.command == "admins" and args.action == "list":
            for area, user_id, source in await store.all_admins():
                print(f"{area}\t{user_id}\t{source}")
            return 0
        if args.command == "admins":
            if args.telegram_id is None or args.area is None:
                raise ConfigError(f"admins {args.action}: give a Telegram id and --area")
            area = area_key(args.area)
            changed = await (store.add_admin if args.action == "add" else store.remove_admin)(area, args.telegram_id)
            print(f"{args.action} {args.telegram_id} {area}: {'done' if changed else 'nothing to change'}")
            return 0
        if args.action == "list":
            for profile in await store.verified_in(set(AREAS)):
                assert profile.verified_until is not None
                print(f"{profile.user_id}\t{profile.area}\tuntil {profile.verified_until.date().isoformat()}")
            return 0
        if args.telegram_id is None:
            raise ConfigError("verified revoke: give a Telegram id")
        revoked = await store.decide(args.telegram_id, "revoked", None, months=settings.verification_months,
                                     expect=("verified",))
        print(f"revoke {args.telegram_id}: {'done' if revoked else 'not verified'}")
        return 0 if revoked else 1
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    finally:
        await engine.dispose()


async def _migrate(settings: Settings) -> str | None:
    from cpc_bot.store.database import create_engine
    from cpc_bot.store.migrate import current_revision, migrate_or_adopt

    engine = create_engine(settings.database_url)
    try:
        await migrate_or_adopt(engine)
        return await current_revision(engine)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cpc-bot", description="CPC Companion Telegram bot")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot (long polling, or a webhook when CPC_WEBHOOK_URL is set)")
    sub.add_parser("demo", help="run the bot offline against the emulator, with a web chat page")
    sub.add_parser("web", help="serve the web chat (CPC_WEB_HOST:CPC_WEB_PORT) for families without Telegram")
    sub.add_parser("migrate", help="bring the database to the newest schema and exit (before starting workers)")
    keys = sub.add_parser("keys", help="encryption keys: 'new' prints a fresh key; 'rotate' re-encrypts with the newest")
    keys.add_argument("action", choices=["new", "rotate"])
    admins = sub.add_parser("admins", help="who approves professionals: add|remove <telegram id> --area <area>, or list")
    admins.add_argument("action", choices=["add", "remove", "list"])
    admins.add_argument("telegram_id", type=int, nargs="?")
    admins.add_argument("--area")
    verified = sub.add_parser("verified", help="verified professionals: list, or revoke <telegram id>")
    verified.add_argument("action", choices=["list", "revoke"])
    verified.add_argument("telegram_id", type=int, nargs="?")
    sub.add_parser("deadlines", help="conference deadlines in working days (see cpc-bot deadlines --help)", add_help=False)
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["deadlines"]:
        from cpc_bot.deadlines_cli import main as deadlines_main

        return deadlines_main(argv[1:])
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        _logging(settings)
        if args.command == "demo":
            asyncio.run(_demo(settings))
        elif args.command == "keys" and args.action == "new":
            print(new_key())
        elif args.command == "keys":
            from cpc_bot.store.rotate import rotate_database, rotation_keys

            report = asyncio.run(rotate_database(settings.database_url, rotation_keys(settings)))
            return 0 if report.done and report.unreadable == 0 else 1
        elif args.command in ("admins", "verified"):
            return asyncio.run(_professionals(settings, args))
        elif args.command == "web":
            asyncio.run(_web(settings))
        elif args.command == "migrate":
            print("database at revision", asyncio.run(_migrate(settings)))
        else:
            app = build_app(settings, system_clock)
            asyncio.run(_webhook(app) if settings.webhook_url else _poll(app))
    except (ConfigError, DialogError) as exc:
        print(f"cpc-bot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
