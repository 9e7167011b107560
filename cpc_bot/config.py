"""Settings: the one place for knobs. Built once in the composition root, never at import."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")

#: The token `cpc-bot demo` uses against the offline emulator; never valid on Telegram.
DEMO_TOKEN = "1000000001:offline-demo-token-not-for-telegram"


class Settings(BaseSettings):
    """Every setting comes from an environment variable with the ``CPC_`` prefix."""

    model_config = SettingsConfigDict(env_prefix="CPC_", frozen=True, extra="ignore")

    bot_token: SecretStr | None = Field(default=None, description="Bot token from @BotFather")
    telegram_api_base: str | None = Field(
        default=None, description="Another Bot API server, e.g. the offline emulator"
    )
    database_url: str = Field(default="sqlite+aiosqlite:///cpc_bot.db")
    redis_url: str | None = None
    #: Prefix of every Redis key, so several bots (or test runs) can share one Redis.
    redis_prefix: str = "cpc"
    default_locale: str = "en"

    #: Comma-separated url-safe base64 AES-256 keys, newest first. Empty: use ``key_file``.
    encryption_keys: SecretStr | None = None
    key_file: Path = Path("cpc_bot.key")

    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_path: str = "/telegram/webhook"
    #: False: answer Telegram once the update is handled (the proxy and Telegram see failures,
    #: and a busy worker slows its own intake). True: answer at once, handle afterwards.
    webhook_in_background: bool = False

    dialogs_dir: Path = PROJECT_ROOT / "dialogs"
    locales_dir: Path = PROJECT_ROOT / "locales"
    guides_dir: Path = PROJECT_ROOT / "guides"

    #: No nudges between these local (UK) hours.
    quiet_hours_start: int = Field(default=21, ge=0, le=23)
    quiet_hours_end: int = Field(default=8, ge=0, le=23)
    reminder_poll_seconds: float = Field(default=30.0, gt=0)
    #: A family's preparation is erased this many days after their conference, announced
    #: ``retention_notice_days`` before.
    retention_days: int = Field(default=30, ge=1, le=3650)
    retention_notice_days: int = Field(default=7, ge=1, le=60)

    #: Who can approve professionals, per area: ``leicester:12345,67890;kirklees:555`` (Telegram ids).
    #: ``cpc-bot admins add`` adds more, kept in the database.
    admins: str = ""
    #: Work-email domains that may verify by a mailed code, per area:
    #: ``leicester:leicester.gov.uk,nhs.net;kirklees:kirklees.gov.uk``. An organisation's own
    #: domain only: a wildcard or a shared suffix such as ``gov.uk`` is refused at start.
    email_domains: str = ""
    #: How long a verification lasts.
    verification_months: int = Field(default=12, ge=1, le=36)
    #: Codes a person, or an address, can be sent in a day.
    codes_per_day: int = Field(default=5, ge=1, le=50)
    #: Per person, in any 24 hours: invite links made, conferences registered, questionnaires
    #: finished. Far above what a real day needs; they stop a script, or a tap held down.
    links_per_day: int = Field(default=20, ge=1, le=1000)
    conferences_per_day: int = Field(default=10, ge=1, le=1000)
    finished_per_day: int = Field(default=10, ge=1, le=1000)
    #: Per person: this many messages and taps at once, then this many a second (a token bucket),
    #: so one person sending a flood cannot slow the bot for everyone else. 0: no limit.
    rate_burst: int = Field(default=20, ge=0, le=100_000)
    rate_per_second: float = Field(default=1.0, gt=0, le=1000)
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = None
    smtp_starttls: bool = True

    demo_host: str = "127.0.0.1"
    demo_port: int = Field(default=8081, ge=0, le=65535)
    #: Where `cpc-bot web` serves the web chat (for families without Telegram).
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8082, ge=0, le=65535)
    #: A web session with nothing done for this long is closed (the person comes back with their code).
    web_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    #: Where "Leave this page" goes: a neutral page, as GOV.UK's "Exit this page" does.
    web_leave_url: str = "https://www.bbc.co.uk/weather"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TOKEN_RE.match(value.get_secret_value()):
            # Never echo the token itself: it is a secret even when malformed.
            raise ValueError("does not look like a bot token (digits, a colon, then 20+ characters)")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("telegram_api_base", "webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// address")
        return value.rstrip("/") if value else value

    @field_validator("admins")
    @classmethod
    def _admins_shape(cls, value: str) -> str:
        from cpc_bot.domain.verification import parse_admins

        parse_admins(value)  # raises ValueError with a readable line
        return value

    @field_validator("email_domains")
    @classmethod
    def _domains_shape(cls, value: str) -> str:
        from cpc_bot.domain.verification import parse_domains

        parse_domains(value)
        return value

    @model_validator(mode="after")
    def _smtp_needs_sender(self) -> Settings:
        if self.smtp_host and not self.smtp_from:
            raise ValueError("CPC_SMTP_FROM is required when CPC_SMTP_HOST is set")
        return self

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url and not self.webhook_secret:
            raise ValueError("CPC_WEBHOOK_SECRET is required when CPC_WEBHOOK_URL is set")
        return self


class ConfigError(Exception):
    """A setting is missing or wrong; the message is one line for a person."""


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment (plus overrides), with a one-line error."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        name = f"CPC_{field.upper()}" if first["loc"] else "settings"
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{name}: {message}") from None
