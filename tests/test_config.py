"""Settings: defaults, and one clear line for a bad value."""

import pytest

from cpc_bot.config import ConfigError, load_settings


def test_defaults_need_no_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CPC_BOT_TOKEN", "CPC_DATABASE_URL", "CPC_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.redis_url is None
    assert settings.default_locale == "en"


@pytest.mark.parametrize(
    ("env", "value", "message"),
    [
        ("CPC_DATABASE_URL", "mysql://x", "CPC_DATABASE_URL: must start with sqlite+aiosqlite:// or postgresql+asyncpg://"),
        ("CPC_BOT_TOKEN", "secret-but-wrong", "CPC_BOT_TOKEN: does not look like a bot token"),
        ("CPC_TELEGRAM_API_BASE", "ftp://x", "CPC_TELEGRAM_API_BASE: must be an http:// or https:// address"),
        ("CPC_WEBHOOK_PORT", "99999", "CPC_WEBHOOK_PORT:"),
    ],
)
def test_bad_values_give_one_line(monkeypatch: pytest.MonkeyPatch, env: str, value: str, message: str) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)
    assert "secret-but-wrong" not in str(caught.value)


def test_webhook_needs_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CPC_WEBHOOK_URL", "https://bot.example.org/hook")
    with pytest.raises(ConfigError, match="CPC_WEBHOOK_SECRET is required"):
        load_settings()


@pytest.mark.parametrize(("level", "libraries_at_info"), [("INFO", False), ("DEBUG", True)])
def test_the_logs_carry_the_bots_events_and_only_the_libraries_warnings(
        monkeypatch: pytest.MonkeyPatch, level: str, libraries_at_info: bool) -> None:
    """`make demo` printed two APScheduler lines every 3 s and ~25 fontTools lines per PDF, so the
    demo's address scrolled away within 30 s: libraries log from WARNING up unless DEBUG is asked for."""
    import logging

    from cpc_bot import cli

    root, ours = logging.getLogger(), logging.getLogger("cpc_bot")
    kept = (root.level, ours.level)
    filters = {handler: list(handler.filters) for handler in root.handlers}
    monkeypatch.setenv("CPC_LOG_LEVEL", level)
    try:
        cli._logging(load_settings())
        assert logging.getLogger("cpc_bot.app").isEnabledFor(logging.INFO)
        for library in ("apscheduler.scheduler", "fontTools.subset", "alembic.runtime.migration", "aiogram.event"):
            assert logging.getLogger(library).isEnabledFor(logging.INFO) is libraries_at_info, library
            assert logging.getLogger(library).isEnabledFor(logging.WARNING)
    finally:
        root.setLevel(kept[0])
        ours.setLevel(kept[1])
        for handler, before in filters.items():  # the redaction filter it put on pytest's handlers
            handler.filters[:] = before
