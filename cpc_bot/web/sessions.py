"""Web sessions: who a browser is signed in as, in this process's memory.

A session id is 32 random bytes in an HttpOnly, SameSite=Strict cookie; a new id is made at
every sign-in (a fresh start or a code), so an id seen before sign-in is worth nothing after it.
A session left alone for the idle time is closed. What a session holds is small and passing:
the person, their language, the questionnaire they are in, the code to show once, the lines to
show once above the next screen (help, "Saved."), and which help they have been shown (never
written anywhere, as on Telegram). The answers themselves are only in the database.

One process for now: several workers will need these in Redis (issue 20, point 1).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cpc_bot.clock import Clock


@dataclass(frozen=True)
class Line:
    """A line shown once above the next screen; ``html`` only for our own catalogue's help texts."""

    kind: str  # help | reply | note | toast
    text: str
    html: bool = False


@dataclass
class WebSession:
    user_id: int
    locale: str
    last_seen: datetime
    response_id: int | None = None
    code: str | None = None
    lines: list[Line] = field(default_factory=list)
    help_shown: set[str] = field(default_factory=set)

    def say(self, kind: str, text: str | None, *, html: bool = False) -> None:
        if text:
            self.lines.append(Line(kind, text, html))

    def take_lines(self) -> list[Line]:
        lines, self.lines = self.lines, []
        return lines


class WebSessions:
    def __init__(self, clock: Clock, idle: timedelta) -> None:
        self.clock = clock
        self.idle = idle
        self._sessions: dict[str, WebSession] = {}

    def sign_in(self, user_id: int, locale: str, *, old: str | None = None) -> tuple[str, WebSession]:
        """A new session id for ``user_id``; the ``old`` one (if any) stops working."""
        if old:
            self._sessions.pop(old, None)
        self._sweep()
        sid = secrets.token_urlsafe(32)
        session = WebSession(user_id, locale, self.clock())
        self._sessions[sid] = session
        return sid, session

    def get(self, sid: str | None) -> WebSession | None:
        session = self._sessions.get(sid or "")
        if session is None:
            return None
        now = self.clock()
        if now - session.last_seen > self.idle:
            del self._sessions[sid or ""]
            return None
        session.last_seen = now
        return session

    def end(self, sid: str | None) -> None:
        self._sessions.pop(sid or "", None)

    def _sweep(self) -> None:
        now = self.clock()
        for sid in [sid for sid, s in self._sessions.items() if now - s.last_seen > self.idle]:
            del self._sessions[sid]
