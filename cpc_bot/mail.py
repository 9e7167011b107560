"""Sending the one-time verification code: over SMTP, or, in the offline demo, to the console.

The code itself is never logged by the SMTP mailer; only the demo mailer prints it, because
the demo has no mail server and says so.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from email.message import EmailMessage
from typing import Protocol

from cpc_bot.config import Settings

log = logging.getLogger(__name__)


class MailError(Exception):
    """The mail could not be handed to the server."""


class Mailer(Protocol):
    #: True when nothing is really mailed (the offline demo): the chat says so.
    is_demo: bool

    async def send(self, to: str, subject: str, body: str) -> None: ...


class SmtpMailer:
    """Plain SMTP (STARTTLS when set, login when a user is given), in a thread: smtplib blocks."""

    is_demo = False

    def __init__(self, settings: Settings) -> None:
        assert settings.smtp_host and settings.smtp_from
        self._host, self._port = settings.smtp_host, settings.smtp_port
        self._user = settings.smtp_user
        self._password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        self._sender = settings.smtp_from
        self._starttls = settings.smtp_starttls

    def _send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self._host, self._port, timeout=20) as smtp:
            if self._starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self._user:
                smtp.login(self._user, self._password or "")
            smtp.send_message(message)

    async def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self._sender, to, subject
        message.set_content(body)
        try:
            await asyncio.to_thread(self._send, message)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("mail.failed error=%s", type(exc).__name__)  # never the address or the code
            raise MailError(type(exc).__name__) from None
        log.info("mail.sent")


class DemoMailer:
    """The offline demo has no mail server: it prints the mail it would have sent."""

    is_demo = True

    async def send(self, to: str, subject: str, body: str) -> None:
        text = f"[demo: this mail was not sent] To: {to}\nSubject: {subject}\n\n{body}"
        print(text, flush=True)  # noqa: T201 - the demo shows the code where it runs
        log.info("mail.demo printed a verification mail instead of sending it")


def mailer_for(settings: Settings, *, demo: bool = False) -> Mailer | None:
    """SMTP when configured; the printing mailer in the demo; otherwise none (no email way)."""
    if settings.smtp_host:
        return SmtpMailer(settings)
    return DemoMailer() if demo else None
