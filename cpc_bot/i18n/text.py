"""Words for people, for code that must not know which channel it talks through.

The engine's core (the session service, the step kinds) translates through here, not through
aiogram: the Telegram app installs its catalogues (aiogram's ``I18n``, which knows the
language of the update being handled) with :func:`install`, and a web channel installs the same
catalogues for its requests. Until something is installed, words stay in English (the msgid),
which is what a pure test of the engine reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol


class Translator(Protocol):
    """What gives the words: aiogram's ``I18n`` has this shape."""

    @property
    def current_locale(self) -> str: ...

    def gettext(self, singular: str, plural: str | None = None, n: int = 1, locale: str | None = None) -> str: ...


class _English:
    current_locale = "en"

    def gettext(self, singular: str, plural: str | None = None, n: int = 1, locale: str | None = None) -> str:
        return singular if plural is None or n == 1 else plural


_ENGLISH = _English()


def _not_installed() -> Translator:
    """Nothing installed (a tool or a test that makes documents with aiogram's catalogues alone):
    the catalogues of the aiogram context in force, if any, else English."""
    try:
        from aiogram.utils.i18n import I18n
    except ImportError:  # pragma: no cover - aiogram is a dependency
        return _ENGLISH
    found = I18n.get_current(no_error=True)
    return found if found is not None else _ENGLISH


_provider: Callable[[], Any] = _not_installed


def install(provider: Callable[[], Translator]) -> None:
    """Use ``provider()`` (called at each translation, so it follows the current update) for words."""
    global _provider
    _provider = provider


#: The catalogues a piece of work brings with it (a report built with its own), over the installed ones.
_own: ContextVar[Translator | None] = ContextVar("cpc_words", default=None)


@contextmanager
def translating(translator: Translator) -> Iterator[None]:
    """Words from ``translator`` inside this block (in this task only), whatever is installed:
    a report built outside an update (a benchmark, a test) reads its own catalogues."""
    token = _own.set(translator)
    try:
        yield
    finally:
        _own.reset(token)


def _words() -> Any:
    return _own.get() or _provider()


def gettext(message: str) -> str:
    return str(_words().gettext(message))


def ngettext(singular: str, plural: str, n: int) -> str:
    return str(_words().gettext(singular, plural, n))


def current_locale() -> str:
    return str(_words().current_locale)
